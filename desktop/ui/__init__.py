"""The Qt layer: windows, tabs, forms and table models. The only package that imports Qt."""
