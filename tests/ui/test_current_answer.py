"""What is shown is current: a failed lookup leaves nothing of the previous call on screen or on
the clipboard. Driven with keys only (type, Enter, the copy shortcuts, the context-menu key),
and read back from the real QClipboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QTableView

from desktop.simulator import leadsquared as sim
from desktop.ui.main_window import MainWindow

UNKNOWN_ID = "11111111-2222-4333-8444-555555555555"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
ALT = Qt.KeyboardModifier.AltModifier
#: What only the first (successful) answer carries.
OLD_CALL_MARKS = (sim.SUCCESS_ID, "8077128602", "9399822316", "knowlarity", "Success")
SENTINEL = "clipboard before the copy"


def _look_up(qtbot, run_async, field: QLineEdit, text: str) -> None:
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_A, CTRL)
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    window = field.window()
    assert isinstance(window, MainWindow)
    tab = window.current_tab()
    run_async(tab.current_task)


def _clipboard_after(qtbot, press) -> str:
    clipboard = QApplication.clipboard()
    clipboard.setText(SENTINEL)
    press()
    qtbot.wait(20)
    return clipboard.text()


def _assert_not_old(text: str) -> None:
    for mark in OLD_CALL_MARKS:
        assert mark not in text, f"the old call ({mark}) reached the clipboard: {text!r}"


def test_a_failure_after_a_success_shows_and_copies_only_the_failure(
    window, qtbot, run_async
) -> None:
    tab = window.vendor_tabs["leadsquared"]
    window.tabs.setCurrentWidget(tab)
    field = tab.findChild(QLineEdit, "RequestId")
    _look_up(qtbot, run_async, field, sim.SUCCESS_ID)
    assert tab.details.rowCount() > 10
    assert "8077128602 called 9399822316" in tab.call_card.text()
    old = _clipboard_after(qtbot, lambda: qtbot.keyClick(window, Qt.Key.Key_C, CTRL | ALT))
    assert "8077128602" in old  # the copy works while the call is current

    _look_up(qtbot, run_async, field, UNKNOWN_ID)
    assert tab.outcome.property("state") == "error"
    assert "not found" in tab.outcome.text().lower()
    assert not tab.call_card.isVisible()
    details = tab.findChild(QTableView, "detailsTable")
    recordings = tab.findChild(QTableView, "recordingsTable")
    assert details.model().rowCount() == 0
    assert recordings.model().rowCount() == 0
    assert tab.raw_view.toPlainText() == ""
    assert tab.results.tabText(tab.results.indexOf(details)) == "Details"

    summary = _clipboard_after(qtbot, lambda: qtbot.keyClick(window, Qt.Key.Key_C, CTRL | ALT))
    _assert_not_old(summary)
    assert UNKNOWN_ID in summary  # the failure is what a ticket gets
    for table in (details, recordings):
        tab.results.setCurrentWidget(table)
        table.setFocus()
        _assert_not_old(
            _clipboard_after(qtbot, lambda t=table: qtbot.keyClick(t, Qt.Key.Key_C, CTRL))
        )
        _assert_not_old(
            _clipboard_after(qtbot, lambda: qtbot.keyClick(window, Qt.Key.Key_C, CTRL | SHIFT))
        )
        # What the Menu key sends to the focused widget (QTest does not synthesize it).
        centre = table.rect().center()
        QApplication.sendEvent(
            table,
            QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, centre, table.mapToGlobal(centre)),
        )
        menu = QApplication.activePopupWidget()
        assert isinstance(menu, QMenu), "the context-menu key opens the table's menu"
        copies = [a for a in menu.actions() if a.text().replace("&", "").startswith("Copy")]
        assert len(copies) >= 4
        menu.close()
        for action in copies:
            _assert_not_old(_clipboard_after(qtbot, action.trigger))
