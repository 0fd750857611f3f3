"""Search everywhere and the history panel, driven like a user."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QTableView

from desktop.core.history import HistoryStore
from desktop.simulator import leadsquared as ls


def test_ctrl_l_search_streams_every_vendor_and_opens_a_hit(window, qtbot, qt_loop) -> None:
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    box = window.findChild(QLineEdit, "searchBox")
    assert box is not None
    assert QApplication.focusWidget() is box
    qtbot.keyClicks(box, f" '{ls.SUCCESS_ID}' ")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    panel = window.search_panel
    assert panel.running
    task = panel._task
    assert task is not None
    qt_loop.run_until_complete(asyncio.wait_for(task, 30))
    table = window.findChild(QTableView, "searchResultsTable")
    outcomes = {panel.model.row_at(r).vendor: panel.model.row_at(r).state
                for r in range(table.model().rowCount())}  # fmt: skip
    assert set(outcomes) == {"leadsquared", "huawei-aicc", "huawei-isales", "oneuptime", "verba"}
    assert outcomes["leadsquared"] == "found"
    row = next(r for r in range(panel.model.rowCount())
               if panel.model.row_at(r).vendor == "leadsquared")  # fmt: skip
    panel._open(panel.model.index(row, 0))
    assert window.current_tab().vendor.key == "leadsquared"
    assert window.current_tab().details.rowCount() > 10


def test_search_cancel_keeps_what_arrived(window, simulator, qt_loop) -> None:
    for vendor in window.vendor_tabs:
        simulator.add_fault(vendor, "delay:3")
    window.focus_search()
    window.search_panel.box.setText(ls.SUCCESS_ID)
    task = window.search_panel.trigger()
    assert task is not None

    async def cancel_soon():
        await asyncio.sleep(0.2)
        window.search_panel.trigger()  # the button reads Cancel now
        await asyncio.gather(task, return_exceptions=True)

    qt_loop.run_until_complete(cancel_soon())
    assert "cancelled" in window.search_panel.state.text()


def test_history_lists_shows_reruns_deletes_and_clears(
    window, run_async, qt_loop, tmp_path: Path
) -> None:
    window.engine.history = HistoryStore(tmp_path / "history.sqlite3")
    tab = window.vendor_tabs["leadsquared"]
    tab.form.set_values({"RequestId": ls.SUCCESS_ID})
    tab.lookup_button.click()
    run_async(tab.current_task)
    panel = window.history_panel
    panel.show()
    panel.refresh()
    assert panel.model.rowCount() == 1
    assert panel.model.row_at(0).outcome == "found"

    tab.details.set_rows([])
    panel._open(panel.model.index(0, 0))  # offline, from the snapshot
    assert tab.details.rowCount() > 10

    panel.table.selectRow(0)
    panel.rerun_selected()
    run_async(tab.current_task)
    panel.refresh()
    assert panel.model.rowCount() == 2

    panel.filter.setText("no-such-thing")
    assert panel.model.rowCount() == 0
    panel.filter.setText("")
    panel.table.selectRow(0)
    panel.delete_selected()

    async def settle():
        for _ in range(100):
            if panel.model.rowCount() == 1:
                return
            await asyncio.sleep(0.01)

    qt_loop.run_until_complete(settle())
    assert panel.model.rowCount() == 1
    panel.max_entries.setValue(10)
    assert panel.apply_retention() == 0
    panel.clear()
    assert panel.model.rowCount() == 0
