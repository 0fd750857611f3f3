"""The supervisor view: a 250-attempt call in pages, sorted, filtered, opened, edited and
deleted, with permission errors shown."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QTableView

from desktop.simulator import oneuptime as sim
from desktop.ui.attempts_view import AttemptsPanel


def _open_call(window, run_async, call_id: str = sim.CALL_250) -> AttemptsPanel:
    tab = window.vendor_tabs["oneuptime"]
    window.tabs.setCurrentWidget(tab)
    tab.form.set_values({"incomingCallLogId": call_id})
    tab.lookup_button.click()
    run_async(tab.current_task)
    panel = tab.attempts
    assert isinstance(panel, AttemptsPanel)
    return panel


def _settle(qt_loop, panel: AttemptsPanel) -> None:
    async def wait():
        for _ in range(200):
            task = panel._page_task
            if task is None or task.done():
                break
            await asyncio.sleep(0.01)

    qt_loop.run_until_complete(wait())


def test_pages_arrive_as_the_user_scrolls(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    table = window.findChild(QTableView, "attemptsTable")
    assert table.model().rowCount() == 100
    count = panel.findChild(QLabel, "attemptsCount")
    assert count is not None
    assert count.text() == "100 of 250 loaded"
    table.scrollToBottom()
    panel.model.fetchMore()
    _settle(qt_loop, panel)
    assert panel.model.rowCount() == 200
    assert "Loaded so far" in panel.summary.text()


def test_load_all_then_client_side_sort_and_filter(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    qt_loop.run_until_complete(asyncio.wait_for(panel.load_all(), 30))
    assert panel.model.rowCount() == 250
    assert panel.count_label.text() == "250 of 250 loaded"
    assert panel.summary.text().startswith("250 attempts · 41 answered · 209 not answered")
    cost_column = next(i for i, c in enumerate(panel.model.columns) if c.header == "Cost (USD)")
    panel.table.sortByColumn(cost_column, Qt.SortOrder.DescendingOrder)
    assert panel.proxy.index(0, cost_column).data() == "$0.06"
    filter_field = panel.findChild(QLineEdit, "attemptsFilter")
    assert filter_field is not None
    filter_field.setText("connected")
    assert panel.proxy.rowCount() == 41


def test_sorting_before_everything_is_loaded_asks_the_server(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    dial_column = next(i for i, c in enumerate(panel.model.columns) if c.header == "Dial (s)")
    panel.table.sortByColumn(dial_column, Qt.SortOrder.DescendingOrder)
    _settle(qt_loop, panel)
    assert panel.model.rowCount() == 100
    top = [panel.proxy.index(row, dial_column).data() for row in range(3)]
    assert top[0] == "134"  # the longest dial of all 250, not only of the first page


def test_open_edit_and_delete_one_attempt(window, run_async, qt_loop, qtbot) -> None:
    panel = _open_call(window, run_async)
    tab = window.vendor_tabs["oneuptime"]
    attempt = panel.attempt_at(3)
    run_async(panel.open_attempt(attempt))
    assert tab.results.currentWidget() is tab.details_table
    assert tab.details.rowCount() >= 14

    dialog = panel.edit_attempt(attempt)
    assert dialog is not None
    dialog.form.set_values({"status": "Completed", "isAnswered": "true"})
    dialog.accept()

    async def until_saved():
        for _ in range(300):
            if "Saved attempt" in tab.outcome.text():
                return
            await asyncio.sleep(0.01)

    qt_loop.run_until_complete(until_saved())
    assert panel.model.rows()[3].status == "Completed"

    box = panel.delete_attempt(attempt)
    assert attempt.attempt_id in box.text()
    assert box.defaultButton() == box.button(QMessageBox.StandardButton.Cancel)
    box.done(QMessageBox.StandardButton.Yes)

    async def until_deleted():
        for _ in range(300):
            if "Deleted attempt" in tab.outcome.text():
                return
            await asyncio.sleep(0.01)

    qt_loop.run_until_complete(until_deleted())
    assert attempt.attempt_id not in {a.attempt_id for a in panel.model.rows()}
    assert panel.count_label.text() == "99 of 249 loaded"


def test_cancelled_delete_changes_nothing(window, run_async) -> None:
    panel = _open_call(window, run_async)
    attempt = panel.attempt_at(0)
    box = panel.delete_attempt(attempt)
    box.done(QMessageBox.StandardButton.Cancel)
    assert panel.model.rowCount() == 100


def test_permission_errors_are_explained(window, run_async, qt_loop) -> None:
    window.engine.secrets.set("oneuptime", "demo", "ApiKey", sim.READ_ONLY_KEY)
    panel = _open_call(window, run_async)
    tab = window.vendor_tabs["oneuptime"]
    attempt = panel.attempt_at(0)
    box = panel.delete_attempt(attempt)
    box.done(QMessageBox.StandardButton.Yes)

    async def until_refused():
        for _ in range(300):
            if "Not deleted" in tab.outcome.text():
                return
            await asyncio.sleep(0.01)

    qt_loop.run_until_complete(until_refused())
    assert "Project Owner or Admin" in tab.outcome.text()
    assert panel.model.rowCount() == 100  # nothing changed without the server's yes
