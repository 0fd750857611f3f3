"""The review view, offscreen with real widgets against the simulator: the figures it shows are
the hand-computed ones, before and after a refresh; filters, drill-down to attempts and to the
supervisor view, charts copied and saved, cancel."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication

from desktop.analytics.figures import GroupBy
from desktop.analytics.period import Preset
from desktop.simulator import oneuptime as sim
from desktop.ui.review_view import ReviewView
from tests.analytics import dataset as ds
from tests.analytics.dataset import local_zone  # noqa: F401 - fixture
from tests.analytics.test_figures import as_tuple, change_at_the_vendor

pytestmark = pytest.mark.usefixtures("local_zone")


def review(window: Any, first: QDate, last: QDate) -> ReviewView:
    view: ReviewView = window.open_review()
    view.period_combo.setCurrentText(Preset.CUSTOM.value)
    view.from_date.setDate(first)
    view.to_date.setDate(last)
    return view


@pytest.fixture
def view(window, simulator) -> ReviewView:
    sim.seed_attempts(simulator.vendors["oneuptime"], ds.ATTEMPTS)
    return review(window, QDate(2025, 1, 6), QDate(2025, 1, 7))


def shown(view: ReviewView, table: Any) -> dict[str, tuple[Any, ...]]:
    model = view._model(table)
    return {model.row_at(row).group: as_tuple(model.row_at(row)) for row in range(model.rowCount())}


def cell(table: Any, row: int, column: int) -> str:
    return str(table.model().index(row, column).data())


def test_the_view_shows_the_hand_computed_figures(view, run_async) -> None:
    run_async(view.start_load())
    assert shown(view, view.user_table) == ds.BY_USER
    assert shown(view, view.rule_table) == ds.BY_RULE
    assert shown(view, view.status_table) == ds.BY_STATUS
    texts = {cell(view.user_table, row, 0): [cell(view.user_table, row, c) for c in range(10)]
             for row in range(3)}  # fmt: skip
    # Durations on screen as h:mm:ss: U1's dials 30, 60, 30 s (median 30, p90 60, total 120).
    assert texts[ds.U1][1:9] == ["3", "2", "1", "67%", "3", "0:00:30", "0:01:00", "0:02:00"]
    assert texts[ds.U2][4] == "0%"
    calls = {cell(view.call_table, row, 0): (cell(view.call_table, row, 2),
                                             cell(view.call_table, row, 3))
             for row in range(4)}  # fmt: skip
    assert calls[ds.CALL_C] == ("never", "never")
    assert calls[ds.CALL_A] == ("3", "0:01:20")  # first ring 09:00:00, answered 09:01:20
    assert view.pages.tabText(view._calls_tab) == "&Calls"  # counted, no longer "counting…"
    assert "7 attempts · 3 answered (43%) · 4 calls" in view.summary.text()
    assert "median dial 0:00:30 · dial time 0:04:40" in view.summary.text()  # 280 s in all
    # Copies carry the seconds, in the unit their header names.
    model = view._model(view.user_table)
    u1 = next(
        model.row_at(row) for row in range(model.rowCount()) if model.row_at(row).group == ds.U1
    )
    copied = {c.clipboard_header: c.clipboard(u1) for c in model.columns if c.clipboard}
    assert copied["Median dial (s)"] == "30" and copied["Dial time (s)"] == "120"
    assert [bar.answered for bar in view.user_bars.bars] == [2, 0, 1]
    assert [(p.attempts, p.missed) for p in view.trend.points] == [(4, 2), (3, 2)]
    assert view.attempts_heatmap.cells[0][9] == 3 and view.missed_heatmap.cells[1][23] == 2


def test_a_refresh_shows_the_changed_figures(view, simulator, run_async) -> None:
    run_async(view.start_load())
    change_at_the_vendor(simulator)
    run_async(view.start_load())
    assert shown(view, view.user_table) == ds.BY_USER_REFRESHED
    assert "2 changed since the last load, 1 removed" in view.status.text()


def test_filters_narrow_the_figures_without_fetching(view, simulator, run_async) -> None:
    run_async(view.start_load())
    index = view.user_filter.findData(ds.U1)
    view.user_filter.setCurrentIndex(index)
    before = len(simulator.vendors["oneuptime"]._operations)
    run_async(view.start_refresh())
    assert {group: row[:2] for group, row in shown(view, view.rule_table).items()} == {
        ds.R1: (2, 1),
        ds.R2: (1, 1),
    }
    assert len(simulator.vendors["oneuptime"]._operations) == before


def test_drill_down_from_a_user_to_one_call_in_the_supervisor_view(view, window, run_async) -> None:
    run_async(view.start_load())
    run_async(view.drill(GroupBy.USER, ds.U1, "user U1"))
    model = view.attempt_model
    assert [model.row_at(row).attempt_id for row in range(model.rowCount())] == [
        ds.attempt_id("a1"), ds.attempt_id("b1"), ds.attempt_id("d1")
    ]  # fmt: skip
    view._attempt_chosen(model.index(0, 0))
    tab = window.vendor_tabs["oneuptime"]
    assert window.tabs.currentWidget() is tab
    assert tab.form.values()["incomingCallLogId"] == ds.CALL_A
    assert tab.current_task is not None
    run_async(tab.current_task)
    assert tab.attempts is not None and tab.attempts.model.rowCount() == 3


def test_a_call_in_the_calls_table_asks_for_its_vendors_lookup(view, run_async) -> None:
    run_async(view.start_load())
    asked: list[tuple[str, dict[str, str]]] = []
    view.open_call.connect(lambda vendor, params: asked.append((vendor, params)))
    model = view._model(view.call_table)
    row = next(row for row in range(model.rowCount()) if model.row_at(row)[0] == ds.CALL_A)
    view.call_table.doubleClicked.emit(model.index(row, 0))
    # A call's attempts are the items whose incomingCallLogId is the call (OneUptime's source,
    # Common/Models/DatabaseModels/IncomingCallLogItem.ts).
    assert asked == [("oneuptime", {"incomingCallLogId": ds.CALL_A})]


def test_a_heatmap_cell_and_a_day_drill_down(view, run_async) -> None:
    run_async(view.start_load())
    run_async(view.drill("cell", "2-23", "Tuesdays 23:00"))  # SQLite weekday: Tuesday = 2
    assert view.attempt_model.rowCount() == 2
    run_async(view.drill(GroupBy.DAY, "2025-01-06", "Mon"))
    assert view.attempt_model.rowCount() == 4


def test_charts_copy_and_save(view, run_async, tmp_path: Path) -> None:
    run_async(view.start_load())
    view.resize(1000, 700)
    chart = view.user_bars
    chart.copy_image()
    assert not QApplication.clipboard().image().isNull()
    chart.save(tmp_path / "bars.png")
    chart.save(tmp_path / "bars.svg")
    assert (tmp_path / "bars.png").read_bytes().startswith(b"\x89PNG")
    svg = (tmp_path / "bars.svg").read_text(encoding="utf-8")
    assert "Attempts per user: answered and missed" in svg


async def until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0.01)


def test_cancel_stops_a_load_and_shows_no_figures(window, simulator, run_async) -> None:
    view = review(window, QDate(2026, 11, 8), QDate(2026, 11, 16))  # the busy week: 1,000 pages

    async def load_then_cancel() -> None:
        # One coroutine, so the loop keeps running while pages are in flight.
        view.load_button.click()
        await until(lambda: view.progress.value() >= 300)
        assert view.cancel_button.isEnabled()
        view.cancel_button.click()
        await until(view.load_button.isEnabled)

    run_async(load_then_cancel())
    assert "cancelled" in view.status.text()
    assert view._model(view.user_table).rowCount() == 0
    assert not view.progress.isVisible()
