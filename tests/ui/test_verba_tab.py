"""The Verba tab: which fields go together, and a lookup with the call's details."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QTableView

from desktop.simulator import verba as sim
from desktop.vendors.verba import STATUS_CHOICES


def test_status_is_a_choice_and_manual_record_a_checkbox(window) -> None:
    tab = window.vendor_tabs["verba"]
    status = tab.findChild(QComboBox, "status")
    assert status is not None
    assert [status.itemData(i) for i in range(status.count())] == list(STATUS_CHOICES)
    assert isinstance(tab.findChild(QCheckBox, "type"), QCheckBox)
    details = tab.findChild(QCheckBox, "details")
    assert details is not None
    assert details.isChecked()


def test_a_hint_says_in_words_which_fields_go_together(window) -> None:
    tab = window.vendor_tabs["verba"]
    window.tabs.setCurrentWidget(tab)
    hint = tab.findChild(QLabel, "identifyHint")
    assert hint is not None
    assert hint.isVisible()
    text = hint.text()
    for words in ("Extension with Status", "Platform call ID", "Native ID", "Manual record"):
        assert words in text
    assert "one of" in text
    # Vendors whose inputs need no such explanation show no empty hint.
    other = window.vendor_tabs["leadsquared"].findChild(QLabel, "identifyHint")
    assert other is not None
    assert other.isHidden()


def test_lookup_shows_details_and_the_recorder_page(window, run_async) -> None:
    tab = window.vendor_tabs["verba"]
    tab.form.set_values({"extension": "8856", "status": "last"})
    tab.lookup_button.click()
    run_async(tab.current_task)
    model = tab.findChild(QTableView, "detailsTable").model()
    shown = {model.index(r, 0).data(): model.index(r, 1).data() for r in range(model.rowCount())}
    assert shown["Recorder call ID"] == sim.LAST
    assert shown["Source name"] == "Ana Ruiz"
    assert tab.recordings.rowCount() == 1


def test_two_identifiers_are_marked_and_nothing_is_sent(window, simulator) -> None:
    tab = window.vendor_tabs["verba"]
    tab.form.set_values({"extension": "8856", "platformCallID": "71627389"})
    tab.lookup_button.click()
    error = tab.findChild(QLabel, "platformCallIDError")
    assert error is not None
    assert "exactly one of" in error.text()
    assert tab.current_task is None
    assert simulator.request_counts.get("verba", 0) == 0
