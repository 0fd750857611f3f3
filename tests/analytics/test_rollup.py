"""The day and call rollups against the attempts they stand for: every figure of a whole-days
report read from the rollups equals the same report computed over the raw attempts (real
SQLite), and the per-call list equals one counted by hand from the attempts (for whole days and
for periods that cut calls apart), on a random data set with calls that ring across midnight and
over several days, missing values, then after updates (one moving to another day, one to another
call), deletions and additions, and in another zone across a daylight-saving change."""

from __future__ import annotations

import io
import itertools
import json
import math
import random
import sqlite3
import statistics
import struct
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from desktop.analytics import call_rollup, report_cli, rollup
from desktop.analytics.cache import AttemptCache, CachedAttempt, Filters
from desktop.analytics.figures import (
    _SORT_RUN,
    GroupBy,
    GroupFigures,
    _sorted_in_runs,
    call_json_objects,
    group_figures,
    heatmap,
)
from desktop.analytics.period import Period, days
from desktop.analytics.tally import Tally, median, nearest_rank
from tests.analytics.dataset import local_zone  # noqa: F401 - fixture

SOURCE = "rollup-test"
#: Europe/Berlin moves its clocks forward on Sunday 2025-03-30: a 23-hour local day.
FIRST, LAST = date(2025, 3, 28), date(2025, 3, 31)


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[AttemptCache]:
    store = AttemptCache(tmp_path / "attempts.sqlite3")
    yield store
    store.close()


def random_attempts(rng: random.Random, count: int, first_id: int = 0) -> list[CachedAttempt]:
    """Attempts over the four days and a little beyond, in calls of one to four rings; some calls
    ring again hours or days later, across midnight."""
    start = datetime.combine(FIRST - timedelta(days=1), datetime.min.time()).timestamp()
    attempts: list[CachedAttempt] = []
    call = 0
    while len(attempts) < count:
        call += 1
        ring = start + rng.randrange(6 * 86400)
        for _ in range(rng.randint(1, 4)):
            status = rng.choice(("Connected", "NoAnswer", "Busy", None))
            attempts.append(CachedAttempt(
                f"attempt-{first_id + len(attempts):06d}",
                None if rng.random() < 0.03 else f"call-{first_id}-{call}",
                None if rng.random() < 0.05 else f"user-{rng.randrange(6)}",
                f"rule-{rng.randrange(3)}", status, int(status == "Connected"),
                None if rng.random() < 0.05 else float(rng.choice((5, 10, 12.5, 20, 30, 45))),
                None if rng.random() < 0.05 else float(rng.randrange(1, 9)),
                ring, ring,
            ))  # fmt: skip
            ring += rng.choice((20, 40, 3600, 86400 + 600))  # the next ring, maybe a day on
    return attempts


def report(cache: AttemptCache, period: Period) -> dict[str, object]:
    figures: dict[str, object] = {
        str(by): group_figures(cache, SOURCE, period, Filters(), by)
        for by in (None, GroupBy.USER, GroupBy.RULE, GroupBy.STATUS, GroupBy.HOUR, GroupBy.DAY)
    }
    figures["heatmap"] = heatmap(cache, SOURCE, period, Filters())
    return figures


def calls_by_hand(cache: AttemptCache, period: Period, filters: Filters) -> list[GroupFigures]:
    """The per-call list counted attempt by attempt in Python, as the figures define it."""
    rings: defaultdict[str, list[CachedAttempt]] = defaultdict(list)
    for attempt in cache.attempts(SOURCE, period, filters, limit=1_000_000):
        rings[attempt.call_id or ""].append(attempt)
    figures = []
    for call, attempts in rings.items():
        dials = sorted(a.dial_seconds for a in attempts if a.dial_seconds is not None)
        starts = [a.started or 0.0 for a in attempts]
        answer = min((a.started or 0.0 for a in attempts if a.answered), default=None)
        figures.append(GroupFigures(
            call, len(attempts), sum(a.answered for a in attempts), 1 if call else 0,
            sum(dials), statistics.median(dials) if dials else None,
            dials[max(0, math.ceil(0.9 * len(dials)) - 1)] if dials else None,
            sum(a.cost_usd_cents or 0.0 for a in attempts),
            attempts_until_answered=None if answer is None else sum(s <= answer for s in starts),
            seconds_to_answer=None if answer is None else answer - min(starts),
        ))  # fmt: skip
    return sorted(figures, key=lambda f: (-f.attempts, f.group))


def assert_calls_match_by_hand(cache: AttemptCache) -> None:
    """Whole days, and a period that starts and ends inside calls, unfiltered (the call
    rollup and the calls crossing the edges) and filtered (the attempts alone)."""
    whole = days(FIRST, LAST)
    cut = Period(whole.start + timedelta(hours=10, seconds=17), whole.end - timedelta(hours=7))
    for period in (whole, cut):
        listed = group_figures(cache, SOURCE, period, Filters(), GroupBy.CALL)
        assert listed == calls_by_hand(cache, period, Filters())
        filtered = Filters(rule_id="rule-1")
        assert group_figures(cache, SOURCE, period, filtered, GroupBy.CALL) == calls_by_hand(
            cache, period, filtered
        )
        for filters in (Filters(), filtered):
            assert_call_json_is_the_list(cache, period, filters)
    bounds = (cut.start.timestamp(), cut.end.timestamp())
    crossing = call_rollup.crossing_calls(cache.rows, SOURCE, bounds)
    assert len(crossing) > 5 and "" in crossing  # calls cut apart, and the attempts with no call
    answered = [f for f in listed if f.attempts_until_answered is not None]
    assert answered and any(f.attempts_until_answered != 1 for f in answered)
    assert any(f.attempts_until_answered is None for f in listed)


def assert_call_json_is_the_list(cache: AttemptCache, period: Period, filters: Filters) -> None:
    """The CLI's per-call JSON (SQLite writing the rollup's kept objects, the crossing calls
    merged in; with filters, Python's) is ``json.dumps`` of the list's objects, byte for byte,
    whatever the chunk size (a merge at a chunk's edge)."""
    listed = group_figures(cache, SOURCE, period, filters, GroupBy.CALL)
    expected = json.dumps(
        [figure.as_json(GroupBy.CALL) for figure in listed], indent=2, ensure_ascii=False
    )
    for chunk in (1, 7, 5_000):
        written = io.StringIO()
        objects = call_json_objects(cache, SOURCE, period, filters, chunk=chunk)
        report_cli.write_json_objects(objects, written)
        assert written.getvalue() == expected + "\n"


def assert_rollups_match_raw(cache: AttemptCache) -> None:
    whole = days(FIRST, LAST)
    assert rollup.whole_days(whole) == (FIRST.isoformat(), LAST.isoformat())
    # One microsecond more is not whole days: the same attempts (all at whole seconds), read raw.
    raw = Period(whole.start, whole.end + timedelta(microseconds=1))
    assert rollup.whole_days(raw) is None
    from_rollups, from_attempts = report(cache, whole), report(cache, raw)
    assert from_rollups == from_attempts
    total = from_rollups["None"]
    assert isinstance(total, list) and isinstance(total[0], GroupFigures)
    assert total[0].attempts > 300 and cache.rows("SELECT COUNT(*) FROM spanning_call")[0][0] > 0


@pytest.mark.usefixtures("local_zone")
@pytest.mark.parametrize("parameter_limit", [32766, 999])  # 999: old SQLite
def test_rollups_equal_the_raw_figures_before_and_after_changes(
    cache: AttemptCache, parameter_limit: int
) -> None:
    cache._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, parameter_limit)
    rng = random.Random(21)
    attempts = random_attempts(rng, 600)
    cache.upsert(SOURCE, attempts)
    assert cache.refresh_rollup() > 0
    assert_rollups_match_raw(cache)
    assert_calls_match_by_hand(cache)

    moved = attempts[10]._replace(started=(attempts[10].started or 0) + 86400, status="Busy")
    answered = attempts[20]._replace(status="Connected", answered=1, dial_seconds=99.0)
    other_call = attempts[40]._replace(call_id=attempts[0].call_id)
    cache.upsert(SOURCE, [moved, answered, other_call, *random_attempts(rng, 40, first_id=10_000)])
    with cache._transaction() as db:  # deleted at the vendor, as a sweep finds
        db.execute("DELETE FROM attempt WHERE id IN (?, ?)", (attempts[30].attempt_id,
                                                            attempts[31].attempt_id))  # fmt: skip
    assert cache.refresh_rollup() > 0
    assert_rollups_match_raw(cache)
    assert_calls_match_by_hand(cache)
    assert cache.refresh_rollup() == 0  # nothing written since: nothing recomputed


@pytest.mark.usefixtures("local_zone")
def test_a_load_rolling_up_between_pages_ends_with_the_same_rollups(cache: AttemptCache) -> None:
    """A loader refreshes between pages leaving the days still being written stale; whatever
    it rolls up early, a later write to the same day or call marks it stale again."""
    attempts = sorted(random_attempts(random.Random(13), 600), key=lambda a: a.started or 0)
    busy = ((FIRST + timedelta(days=1)).isoformat(), (FIRST + timedelta(days=2)).isoformat())
    left: set[str] = set()
    for first in range(0, len(attempts), 150):  # in start order: earlier days complete first
        cache.upsert(SOURCE, attempts[first : first + 150])
        cache.refresh_rollup(busy)
        stale = {row[0] for row in cache.rows("SELECT day FROM stale_day")}
        assert all(busy[0] <= day <= busy[1] for day in stale)
        assert cache.rows("SELECT COUNT(*) FROM stale_call") == [(0,)]
        left |= stale
    assert left == set(busy)
    moved = attempts[5]._replace(started=(attempts[5].started or 0) + 86400, answered=1)
    cache.upsert(SOURCE, [moved])  # into a day rolled up already
    assert cache.refresh_rollup() > 0
    assert cache.rows("SELECT COUNT(*) FROM stale_day") == [(0,)]
    assert_rollups_match_raw(cache)
    assert_calls_match_by_hand(cache)


def test_a_cache_from_before_the_call_rollup_gets_every_call_rolled_up(
    cache: AttemptCache,
) -> None:
    cache.upsert(SOURCE, random_attempts(random.Random(8), 300))
    cache.refresh_rollup()
    with cache._transaction() as db:  # as a cache written before the table existed
        db.execute("DELETE FROM call_figure")
        db.execute("DELETE FROM call_rollup_built")
    assert (
        cache.refresh_rollup()
        == cache.rows("SELECT COUNT(DISTINCT COALESCE(call_id, '')) FROM attempt")[0][0]
    )
    assert_calls_match_by_hand(cache)


def test_another_zone_rebuilds_the_rollups(
    cache: AttemptCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        cache.upsert(SOURCE, random_attempts(random.Random(5), 500))
        cache.refresh_rollup()
        monkeypatch.setenv("TZ", "Europe/Berlin")
        time.tzset()
        assert datetime(2025, 3, 31).timestamp() - datetime(2025, 3, 30).timestamp() == 23 * 3600
        assert_rollups_match_raw(cache)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_long_list_is_sorted_as_a_short_one() -> None:
    rng = random.Random(3)
    figures = [
        GroupFigures(f"call-{n}", rng.randrange(1, 6), 0, 1, 0.0, None, None, 0.0)
        for n in range(3 * _SORT_RUN + 7)
    ]
    assert _sorted_in_runs(figures, key=lambda f: (-f.attempts, f.group)) == sorted(
        figures, key=lambda f: (-f.attempts, f.group)
    )
    assert _sorted_in_runs([], key=lambda f: (-f.attempts, f.group)) == []


def _bits(figures: call_rollup.CallFigures) -> list[tuple[str, object]]:
    """Each value with its type, floats as their bytes: -0.0 and 0.0 differ, as do 1 and 1.0."""
    return [
        ("float", struct.pack("<d", value))
        if isinstance(value, float)
        else (type(value).__name__, value)
        for value in figures
    ]


@pytest.mark.parametrize("started", [0.0, -0.0, 1_764_489_600.123456, -5.5, math.inf])
@pytest.mark.parametrize("answered", [0, 1, 2])
@pytest.mark.parametrize("dial", [None, 0.0, -0.0, 30.0, 2.5, 1e300, math.inf])
@pytest.mark.parametrize("cost", [None, 0.0, -0.0, 3.0, 0.1, -2.0])
def test_a_call_rung_once_has_the_figures_the_general_tally_gives_it(
    started: float, answered: int, dial: float | None, cost: float | None
) -> None:
    ring = ("call", started, answered, dial, cost)
    assert _bits(call_rollup._one_ring("call", ring)) == _bits(
        call_rollup._call_figures("call", [ring])
    )
    assert [_bits(figures) for figures in call_rollup.tally_calls([ring])] == [
        _bits(call_rollup._one_ring("call", ring))
    ]


def _tallied_as_a_group(call: str, rings: list[tuple[Any, ...]]) -> call_rollup.CallFigures:
    """A call's figures as every group's are tallied (``Tally`` per dial time, ascending):
    what the per-call rollup must give, bit for bit."""
    answer = next((ring[1] for ring in rings if ring[2]), None)
    tally = Tally()
    by_dial = sorted(rings, key=lambda ring: (ring[3] is not None, ring[3] or 0.0))
    for dial, same in itertools.groupby(by_dial, key=lambda ring: ring[3]):
        alike = list(same)
        costs = [ring[4] for ring in alike if ring[4] is not None]
        tally.add(dial, len(alike), sum(ring[2] for ring in alike), sum(costs) if costs else 0)
    first = rings[0][1]
    return call_rollup.CallFigures(
        call, first, rings[-1][1], tally.attempts, tally.answered, tally.dial,
        median(tally.dials), nearest_rank(tally.dials, 0.9), tally.cost,
        None if answer is None else sum(ring[1] <= answer for ring in rings),
        None if answer is None else answer - first,
    )  # fmt: skip


def test_a_call_rung_often_has_the_figures_its_attempts_tallied_as_a_group_give() -> None:
    """Ties in dial time (0.0 and -0.0 among them), no dial time, no cost, sums whose order
    shows in the last bit (0.1 + 0.2), huge values: 20,000 random calls of 2 to 12 rings."""
    rng = random.Random(2611)
    dials = [None, 0.0, -0.0, 0.1, 0.2, 0.3, 1.0, 2.5, 7.1, 30.0, 1e16, 1e300]
    costs = [None, 0.0, -0.0, 0.1, 0.2, 0.3, 1.0, 3.3, 1e16, -2.0]
    for _ in range(20_000):
        starts = sorted(rng.uniform(0, 1e9) for _ in range(rng.randrange(2, 13)))
        rings = [
            ("call", started, rng.randrange(2), rng.choice(dials), rng.choice(costs))
            for started in starts
        ]
        assert _bits(call_rollup._call_figures("call", rings)) == _bits(
            _tallied_as_a_group("call", rings)
        )


@pytest.mark.usefixtures("local_zone")
def test_a_cache_from_before_batch_marks_drops_its_insert_triggers(tmp_path: Path) -> None:
    """Its insert triggers would mark every row's day and call again (as costly as before), and
    the day trigger fails on a start no local day holds."""
    path = tmp_path / "old.sqlite3"
    old = AttemptCache(path)
    with old._transaction() as db:
        for name in ("attempt_added", "call_attempt_added"):
            db.execute(f"CREATE TRIGGER {name} AFTER INSERT ON attempt BEGIN SELECT 1; END")
    old.close()
    cache = AttemptCache(path)
    listed = cache.rows("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    triggers = {name for (name,) in listed}
    assert not triggers & {"attempt_added", "call_attempt_added"}
    cache.upsert(SOURCE, random_attempts(random.Random(4), 600))
    assert cache.refresh_rollup() > 0
    assert_rollups_match_raw(cache)
    assert_calls_match_by_hand(cache)
    cache.close()
