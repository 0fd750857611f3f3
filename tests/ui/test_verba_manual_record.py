"""The Verba tab's "Manual record" checkbox is the API's type=manualRecord, both ways."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox

from desktop.ui.main_window import MainWindow
from desktop.vendors import get_vendor


def test_the_checkbox_maps_to_type_manual_record(window: MainWindow) -> None:
    tab = window.vendor_tabs["verba"]
    box = tab.findChild(QCheckBox, "type")
    assert box is not None and not box.isChecked()
    tab.form.set_values({"extension": "8856", "status": "ongoing"})
    box.setChecked(True)
    verba = get_vendor("verba")
    assert verba.validate(tab.form.values())["type"] == "manualRecord"
    box.setChecked(False)
    assert "type" not in verba.validate(tab.form.values())

    tab.form.set_values({"type": "manualRecord"})  # a saved lookup shown again
    assert box.isChecked()
    tab.form.set_values({"type": "false"})
    assert not box.isChecked()
