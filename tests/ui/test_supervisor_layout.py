"""The supervisor layout at a small screen's size: after a lookup the filters fold to one line
and the attempts table gets most of the window (measured on real widgets, offscreen)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.simulator import oneuptime as sim
from desktop.ui.attempts_view import AttemptsPanel

CTRL = Qt.KeyboardModifier.ControlModifier


def _rows_in_view(panel: AttemptsPanel) -> float:
    table = panel.table
    return table.viewport().height() / table.verticalHeader().defaultSectionSize()


def test_attempts_table_gets_most_of_a_1024x700_window(window, qtbot, run_async) -> None:
    window.resize(1024, 700)
    tab = window.vendor_tabs["oneuptime"]
    window.tabs.setCurrentWidget(tab)
    assert not tab.form.folded  # open for the first search
    tab.form.set_values({"incomingCallLogId": sim.CALL_250})
    run_async(tab.start_lookup())
    qtbot.wait(50)  # the layout settles
    panel = tab.attempts
    assert isinstance(panel, AttemptsPanel)
    assert tab.form.folded
    status = tab.form.input("status")
    assert not status.isVisible() and tab.form.input("incomingCallLogId").isVisible()
    assert window.height() == 700
    assert panel.table.height() >= 0.6 * window.height(), panel.table.height()
    assert _rows_in_view(panel) >= 15, _rows_in_view(panel)

    # Ctrl+F opens the folded filters (at the first filter), and a second Ctrl+F goes to the
    # filter of the loaded rows. (Offscreen, the window loses activation in the event loop.)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    assert not tab.form.folded and status.isVisible()
    assert tab.form.input("_id").hasFocus()  # the first field the fold had hidden
    qtbot.keyClick(window, Qt.Key.Key_F, CTRL)
    assert panel.filter.hasFocus()
    tab.form_toggle.click()
    assert tab.form.folded


def test_set_filters_are_counted_on_the_folded_button(window, run_async) -> None:
    tab = window.vendor_tabs["oneuptime"]
    window.tabs.setCurrentWidget(tab)
    tab.form.set_values({"incomingCallLogId": sim.CALL_250, "status": "Busy"})
    run_async(tab.start_lookup())
    assert tab.form.folded
    assert tab.form_toggle.text() == "&Filters (1 set)…"
