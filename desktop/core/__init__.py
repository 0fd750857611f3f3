"""The Qt-free core: models, errors, HTTP policy, profiles, secrets, export.

Nothing under this package imports Qt or a vendor module, so the CLI, the tests and the UI share it.
"""
