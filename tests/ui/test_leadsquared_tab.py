"""The LeadSquared tab driven like a user: type, press Lookup or Enter, read the tables."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QTableView

from desktop.simulator import leadsquared as sim
from desktop.ui.table_models import CLIPBOARD_ROLE
from desktop.vendors import VENDORS
from tests.support.waiting import until


def _cells(table: QTableView) -> list[list[str]]:
    model = table.model()
    return [
        [str(model.index(row, col).data()) for col in range(model.columnCount())]
        for row in range(model.rowCount())
    ]


def _tab(window):
    return window.findChild(type(window.vendor_tabs["leadsquared"]), "leadsquared")


def test_tabs_are_named_by_vendor_key(window) -> None:
    keys = [window.tabs.widget(i).objectName() for i in range(window.tabs.count())]
    assert keys == [vendor.key for vendor in VENDORS]


def test_lookup_fills_details_recordings_and_raw_view(window, qtbot, run_async) -> None:
    tab = _tab(window)
    request_id = tab.findChild(QLineEdit, "RequestId")
    qtbot.keyClicks(request_id, f'  "{sim.SUCCESS_ID}" ')  # as pasted from a ticket
    qtbot.mouseClick(tab.findChild(QPushButton, "lookupButton"), Qt.MouseButton.LeftButton)
    run_async(tab.current_task)

    details = dict(_cells(tab.findChild(QTableView, "detailsTable")))
    assert details["Source number"] == "8077128602"
    assert details["Destination number"] == "9399822316"
    assert details["Task status"] == "Success"
    assert details["Prospect activity ID"] == "a9532087-0378-11eb-b8e7-0641ba0398c2"
    recordings = tab.findChild(QTableView, "recordingsTable")
    url_column = 4
    assert (
        recordings.model()
        .index(0, url_column)
        .data(CLIPBOARD_ROLE)
        .startswith("https://sr.knowlarity.com/vr/fetchsound/")
    )
    assert tab.raw_view.toPlainText() == ""  # laid out only when its tab is shown
    tab.results.setCurrentWidget(tab.raw_view)
    assert '"TaskStatus"' in tab.raw_view.toPlainText()
    assert tab.call_card.sentence.text().startswith("8077128602 called 9399822316")
    assert not tab.findChild(QLabel, "outcomeBanner").isVisible()
    assert "ms" in window.statusBar().currentMessage()
    assert request_id.text() == sim.SUCCESS_ID  # the trimmed value that was sent


def test_enter_runs_the_lookup(window, qtbot, run_async) -> None:
    tab = _tab(window)
    field = tab.findChild(QLineEdit, "RequestId")
    field.setText(sim.QUEUED_ID)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert tab.current_task is not None
    run_async(tab.current_task)
    assert tab.outcome.property("state") == "pending"
    assert "9 hours" in tab.outcome.text()


def test_empty_input_marks_the_field_and_sends_nothing(window, qtbot, simulator) -> None:
    tab = _tab(window)
    qtbot.mouseClick(tab.lookup_button, Qt.MouseButton.LeftButton)
    error = tab.findChild(QLabel, "RequestIdError")
    assert error.isVisible()
    assert "required" in error.text()
    assert tab.current_task is None
    assert simulator.request_counts.get("leadsquared", 0) == 0


def test_vendor_error_is_shown_in_plain_words(window, run_async) -> None:
    tab = _tab(window)
    tab.form.set_values({"RequestId": "11111111-2222-3333-4444-555555555555"})
    tab.lookup_button.click()
    run_async(tab.current_task)
    assert tab.outcome.property("state") == "error"
    assert "no call-log request" in tab.outcome.text()
    assert "MXRequestNotFoundException" in tab.outcome.text()


def test_button_turns_into_cancel_and_cancels(window, simulator, run_async) -> None:
    import asyncio

    tab = _tab(window)
    simulator.add_fault("leadsquared", "delay:3")
    tab.form.set_values({"RequestId": sim.SUCCESS_ID})
    tab.lookup_button.click()
    task = tab.current_task

    async def cancel_soon():
        await until(lambda: simulator.request_counts.get("leadsquared", 0) >= 1)
        assert tab.lookup_button.text() == "&Cancel"
        assert tab.busy_indicator.isVisible()
        tab.lookup_button.click()
        await asyncio.gather(task, return_exceptions=True)

    run_async(cancel_soon())
    assert task.cancelled()
    assert tab.outcome.text() == "Lookup cancelled."
    assert tab.lookup_button.text() == "&Lookup"
    assert not tab.busy_indicator.isVisible()


def test_vendor_text_is_never_rich_text(window) -> None:
    tab = _tab(window)
    for name in ("outcomeBanner", "profileTarget", "vendorDescription"):
        assert tab.findChild(QLabel, name).textFormat() == Qt.TextFormat.PlainText
