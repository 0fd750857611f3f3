"""A vendor with attempts that only the tests declare (Ringbook, tests/support/attempt_vendor.py)
gets, from its registry entry alone, a tab with the supervisor view: pages, server-side sort,
details, edit, delete and create from the fields it declares, export, search and history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.core.history import HistoryQuery, HistoryStore
from desktop.simulator.server import Simulator
from desktop.ui.attempts_view import AttemptsPanel
from tests.support import attempt_vendor as ringbook
from tests.support import attempt_vendor_simulator as sim
from tests.support.waiting import until


@pytest.fixture
def simulator(attempt_vendor_simulator: Simulator) -> Simulator:
    return attempt_vendor_simulator


def _open_call(window, run_async, call: str = sim.BIG_CALL) -> AttemptsPanel:
    tab = window.vendor_tabs[ringbook.KEY]
    window.tabs.setCurrentWidget(tab)
    tab.form.set_values({"call": call})
    tab.lookup_button.click()
    run_async(tab.current_task)
    assert tab.last_error is None, tab.outcome.text()
    panel = tab.attempts
    assert isinstance(panel, AttemptsPanel)
    return panel


def _column(panel: AttemptsPanel, header: str) -> int:
    return next(i for i, column in enumerate(panel.model.columns) if column.header == header)


def _status_says(window, words: str):
    return until(lambda: words in window.statusBar().currentMessage())


def test_the_registered_vendor_gets_a_tab_that_pages(window, run_async, qt_loop) -> None:
    assert window.tabs.tabText(window.tabs.count() - 1).replace("&", "") == ringbook.TITLE
    panel = _open_call(window, run_async)
    assert (panel.model.rowCount(), panel.model.total) == (50, 120)
    assert panel.count_label.text() == "50 of 120 loaded"
    panel.model.fetchMore()
    qt_loop.run_until_complete(until(lambda: panel.model.rowCount() == 100))
    run_async(panel.load_all())
    ids = [attempt.attempt_id for attempt in panel.model.rows()]
    assert ids == [sim.ring_id(sim.BIG_CALL, n) for n in range(120)]
    # every fourth ring is picked up: 30 of 120
    assert panel.summary.text().startswith("120 attempts · 30 answered · 90 not answered")


def test_sorting_a_column_the_vendor_sorts_asks_its_server(
    window, run_async, qt_loop, simulator
) -> None:
    panel = _open_call(window, run_async)
    ring_time = _column(panel, "Dial (s)")
    asked = simulator.request_counts[ringbook.KEY]
    panel.table.sortByColumn(ring_time, Qt.SortOrder.DescendingOrder)
    qt_loop.run_until_complete(until(lambda: simulator.request_counts[ringbook.KEY] > asked))
    qt_loop.run_until_complete(until(lambda: panel.model.rowCount() == 50))
    # Ring times are 10 + 7n mod 50 s: the first page (n < 50) has one ring of 59 s and one of
    # 58 s; all 120 have three of each (n = 7, 57, 107 and 14, 64, 114), which only the
    # server's order can bring to the top.
    top = [panel.proxy.index(row, ring_time).data() for row in range(7)]
    assert top == ["59", "59", "59", "58", "58", "58", "57"]
    asked = simulator.request_counts[ringbook.KEY]
    cost = _column(panel, "Cost (USD)")  # Ringbook does not sort by cost: loaded rows sort
    panel.table.sortByColumn(cost, Qt.SortOrder.DescendingOrder)
    assert simulator.request_counts[ringbook.KEY] == asked
    assert panel.model.rowCount() == 50
    assert panel.proxy.index(0, cost).data() == "$0.06"


def test_open_edit_delete_and_create_from_its_declared_fields(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    tab = window.vendor_tabs[ringbook.KEY]
    attempt = panel.attempt_at(0)
    run_async(panel.open_attempt(attempt))
    assert tab.results.currentWidget() is tab.details_table
    assert tab.details.rowCount() == 12  # every field Ringbook sent for the ring

    dialog = panel.edit_attempt(attempt)
    assert dialog is not None
    # the ring's current values, read through the fields Ringbook declares (the note is empty)
    assert dialog.form.values() == {"outcome": "missed", "picked_up": "false", "ring_s": "10"}
    dialog.form.set_values({"outcome": "picked", "picked_up": "true"})
    dialog.accept()
    qt_loop.run_until_complete(_status_says(window, f"Saved attempt {attempt.attempt_id}"))
    edited = panel.model.rows()[0]
    assert (edited.status, edited.is_answered) == ("picked", True)
    assert panel.figures().summary.answered == 13  # 12 of the first 50 before the edit

    box = panel.delete_attempt(attempt)
    assert box.defaultButton() == box.button(QMessageBox.StandardButton.Cancel)
    box.done(QMessageBox.StandardButton.Yes)
    qt_loop.run_until_complete(_status_says(window, f"Deleted attempt {attempt.attempt_id}"))
    assert panel.count_label.text() == "49 of 119 loaded"

    created = panel.create_attempt()
    assert created is not None
    assert created.form.values()["call"] == sim.BIG_CALL  # the listed call, from the lookup
    created.form.set_values({"outcome": "ringing"})
    created.accept()
    qt_loop.run_until_complete(_status_says(window, "Created attempt"))
    assert panel.model.total == 120


def test_a_network_error_after_new_attempt_is_said_not_a_crash(
    window, run_async, qt_loop, simulator, failures
) -> None:
    panel = _open_call(window, run_async)
    tab = window.vendor_tabs[ringbook.KEY]
    # the ring is created; reloading the call's list then meets reset connections
    simulator.add_fault(ringbook.KEY, "reset", count=5, path="/calls/")
    dialog = panel.create_attempt()
    assert dialog is not None
    dialog.form.set_values({"outcome": "ringing"})
    dialog.accept()
    qt_loop.run_until_complete(until(lambda: "could not be loaded again" in tab.outcome.text()))
    assert tab.outcome.text().startswith("Created attempt rbcall-120-new-1, but the list")
    assert not failures


def test_export_writes_the_vendors_own_fields(window, run_async, tmp_path: Path) -> None:
    panel = _open_call(window, run_async, sim.SMALL_CALL)
    run_async(panel.copier.export_to(tmp_path / "rings.json", "json"))
    rows = json.loads((tmp_path / "rings.json").read_text())
    assert [row["id"] for row in rows] == [sim.ring_id(sim.SMALL_CALL, n) for n in range(3)]
    assert rows[0] == {"vendor": ringbook.KEY, **sim.demo_ring(sim.SMALL_CALL, 0)}
    run_async(panel.copier.export_to(tmp_path / "rings.csv", "csv"))
    header = (tmp_path / "rings.csv").read_text().splitlines()[0]
    assert header.startswith("vendor,id,call,agent,")


def test_search_everywhere_asks_it_and_history_records_it(
    window, run_async, qt_loop, tmp_path: Path
) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    window.engine.history = store
    window.focus_search()
    window.search_panel.box.setText(sim.SMALL_CALL)
    task = window.search_panel.trigger()
    assert task is not None
    run_async(task)
    panel = window.search_panel
    outcomes = {panel.model.row_at(r).vendor: panel.model.row_at(r).state
                for r in range(panel.model.rowCount())}  # fmt: skip
    assert outcomes[ringbook.KEY] == "found"
    listed = store.list(HistoryQuery(vendor=ringbook.KEY))
    assert [(entry.outcome, entry.params) for entry in listed] == [
        ("found", {"call": sim.SMALL_CALL})
    ]
    snapshot = listed[0].snapshot
    assert snapshot is not None
    assert [attempt.attempt_id for attempt in snapshot.attempts] == [
        sim.ring_id(sim.SMALL_CALL, n) for n in range(3)
    ]
    store.close()
