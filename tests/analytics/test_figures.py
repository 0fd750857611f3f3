"""Figures computed by hand on a small fixed data set, against the cache filled by a real load
from the simulator over HTTP, then against an incremental refresh (updated, deleted, added)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from desktop.analytics import loader as loader_module
from desktop.analytics.cache import AttemptCache, Filters
from desktop.analytics.figures import (
    GroupBy,
    GroupFigures,
    call_figures,
    call_rows,
    full_report,
    group_figures,
)
from desktop.analytics.json_rows import CALL_JSON_FIELDS, call_json_values
from desktop.analytics.period import period_from_texts
from desktop.analytics.writer import WriterProcess
from desktop.simulator import oneuptime as sim
from desktop.simulator.registry import DEMO_PROFILE_NAME
from tests.analytics import dataset as ds
from tests.analytics.dataset import local_zone  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("local_zone")


def seeded(simulator: Any) -> None:
    sim.seed_attempts(simulator.vendors["oneuptime"], ds.ATTEMPTS)


def source(cache: AttemptCache) -> str:
    return str(cache.rows("SELECT DISTINCT source FROM attempt")[0][0])


def figures(
    cache: AttemptCache, by: GroupBy | None, filters: Filters | None = None
) -> dict[str, GroupFigures]:
    period = period_from_texts(ds.FROM_DATE, ds.TO_DATE)
    rows = group_figures(cache, source(cache), period, filters or Filters(), by)
    return {row.group: row for row in rows}


def as_tuple(row: GroupFigures) -> tuple[Any, ...]:
    return (row.attempts, row.answered, row.calls, row.total_dial_seconds,
            row.median_dial_seconds, row.p90_dial_seconds, row.total_cost_usd_cents)  # fmt: skip


@pytest.fixture(params=["writer in this process", "writer process"])
def cache(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AttemptCache]:
    """The cache, written by each writer a load may use: the hand-computed figures and the
    incremental refreshes hold for both."""
    children: list[WriterProcess] = []

    class Recorded(WriterProcess):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            children.append(self)

    if request.param == "writer process":
        monkeypatch.setattr(loader_module, "WRITER_PROCESS_FROM", 0)
    monkeypatch.setattr(loader_module, "WriterProcess", Recorded)
    store = AttemptCache(tmp_path / "attempts.sqlite3")
    yield store
    store.close()
    assert bool(children) == (request.param == "writer process")


def test_each_figure_matches_the_hand_computed_one(simulator, engine, cache) -> None:
    seeded(simulator)
    outcome = ds.load(engine, cache)
    assert (outcome.total, outcome.fetched, outcome.full) == (7, 7, True)
    assert {k: as_tuple(v) for k, v in figures(cache, GroupBy.USER).items()} == ds.BY_USER
    assert {k: as_tuple(v) for k, v in figures(cache, GroupBy.RULE).items()} == ds.BY_RULE
    assert {k: as_tuple(v) for k, v in figures(cache, GroupBy.STATUS).items()} == ds.BY_STATUS
    assert as_tuple(figures(cache, None)[""]) == ds.TOTAL
    calls = figures(cache, GroupBy.CALL)
    assert {k: (v.attempts, v.attempts_until_answered, v.seconds_to_answer)
            for k, v in calls.items()} == ds.BY_CALL  # fmt: skip
    days = figures(cache, GroupBy.DAY)
    assert {k: (v.attempts, v.answered) for k, v in days.items()} == ds.BY_DAY
    report = full_report(cache, source(cache), period_from_texts(ds.FROM_DATE, ds.TO_DATE),
                         Filters())  # fmt: skip
    assert report.heatmap is not None
    cells = {
        (day, hour): (report.heatmap.attempts[day][hour], report.heatmap.missed[day][hour])
        for day in range(7)
        for hour in range(24)
        if report.heatmap.attempts[day][hour]
    }
    assert cells == ds.HEATMAP


def test_answer_rates_and_json_shape(simulator, engine, cache) -> None:
    seeded(simulator)
    ds.load(engine, cache)
    users = figures(cache, GroupBy.USER)
    assert users[ds.U2].answer_rate == 0.0  # no answers
    assert users[ds.U3].answer_rate == 1.0  # all answered
    assert users[ds.U1].answer_rate == pytest.approx(2 / 3)
    row = users[ds.U1].as_json(GroupBy.USER)
    assert row == {
        "group": ds.U1, "attempts": 3, "answered": 2, "notAnswered": 1,
        "answerRate": pytest.approx(2 / 3), "calls": 3, "totalDialDurationInSeconds": 120,
        "medianDialDurationInSeconds": 30, "p90DialDurationInSeconds": 60,
        "totalCallCostInUSDCents": 7, "userId": ds.U1, "userName": None,
    }  # fmt: skip


def test_filters_narrow_every_figure(simulator, engine, cache) -> None:
    seeded(simulator)
    ds.load(engine, cache)
    one_user = figures(cache, GroupBy.RULE, Filters(user_id=ds.U1))
    assert {k: (v.attempts, v.answered) for k, v in one_user.items()} == {
        ds.R1: (2, 1),
        ds.R2: (1, 1),
    }
    missed = figures(cache, GroupBy.USER, Filters(status="NoAnswer", rule_id=ds.R1))
    assert {k: v.attempts for k, v in missed.items()} == {ds.U1: 1, ds.U2: 1}


def test_user_names_come_from_the_user_relation_where_the_key_may_read_it(
    simulator, engine, cache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sim, "USER_NAMES", ds.NAMES)
    seeded(simulator)
    outcome = ds.load(engine, cache)
    assert outcome.names_readable
    assert {k: v.user_name for k, v in figures(cache, GroupBy.USER).items()} == ds.NAMES


def test_a_key_that_may_not_read_users_gets_ids(simulator, engine, cache, monkeypatch) -> None:
    monkeypatch.setattr(sim, "USER_NAMES", ds.NAMES)
    engine.secrets.set("oneuptime", DEMO_PROFILE_NAME, "ApiKey", sim.READ_ONLY_KEY)
    seeded(simulator)
    outcome = ds.load(engine, cache)
    assert not outcome.names_readable
    assert {v.user_name for v in figures(cache, GroupBy.USER).values()} == {None}
    assert {k: as_tuple(v) for k, v in figures(cache, GroupBy.USER).items()} == ds.BY_USER


def change_at_the_vendor(simulator: Any) -> None:
    """Through the simulator's own HTTP API: a2 answered, c2 deleted; f1 added."""
    base = simulator.base_url("oneuptime") + "/incoming-call-log-item/"
    headers = {"ApiKey": sim.ADMIN_KEY, "projectid": sim.PROJECT_ID}
    changed = httpx.put(base + ds.attempt_id("a2"), headers=headers,
                        json={"data": {"status": "Connected", "isAnswered": True}})  # fmt: skip
    assert changed.status_code == 200
    assert httpx.delete(base + ds.attempt_id("c2"), headers=headers).status_code == 200
    added = dict(ds.ADDED, updatedAt=sim._iso(datetime.now(UTC)))
    sim.seed_attempts(simulator.vendors["oneuptime"], [added])


def test_a_refresh_fetches_only_what_changed_and_drops_deleted_ones(
    simulator, engine, cache
) -> None:
    seeded(simulator)
    ds.load(engine, cache)
    change_at_the_vendor(simulator)
    outcome = ds.load(engine, cache)
    assert (outcome.full, outcome.fetched, outcome.removed, outcome.total) == (False, 2, 1, 7)
    assert {k: as_tuple(v) for k, v in figures(cache, GroupBy.USER).items()} == (
        ds.BY_USER_REFRESHED
    )
    again = ds.load(engine, cache)
    assert (again.fetched, again.removed) == (2, 0)  # within the clock margin; nothing removed


def test_a_full_reload_gives_the_same_figures(simulator, engine, cache) -> None:
    seeded(simulator)
    ds.load(engine, cache)
    change_at_the_vendor(simulator)
    outcome = ds.load(engine, cache, full=True)
    assert (outcome.full, outcome.fetched, outcome.removed) == (True, 7, 1)
    assert {k: as_tuple(v) for k, v in figures(cache, GroupBy.USER).items()} == (
        ds.BY_USER_REFRESHED
    )


def test_a_call_row_as_json_is_its_figures_as_json(simulator, engine, cache) -> None:
    """The CLI's per-call objects come straight from the call list's rows: the same objects,
    keys in the same order, as the calls' figures give."""
    seeded(simulator)
    ds.load(engine, cache)
    period = period_from_texts(ds.FROM_DATE, ds.TO_DATE)
    listed = {}
    for filters in (Filters(), Filters(rule_id=ds.R1)):
        rows = [
            dict(zip(CALL_JSON_FIELDS, call_json_values(row), strict=True))
            for row in call_rows(cache, source(cache), period, filters)
        ]
        figures = call_figures(cache, source(cache), period, filters)
        assert [list(row.items()) for row in rows] == [
            list(figure.as_json(GroupBy.CALL).items()) for figure in figures
        ]
        listed[filters] = rows
    assert len(listed[Filters()]) == len(ds.BY_CALL) > len(listed[Filters(rule_id=ds.R1)]) > 1
    assert {row["attemptsUntilAnswered"] is None for row in listed[Filters()]} == {True, False}
