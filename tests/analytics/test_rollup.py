"""The day rollups against the attempts they stand for: every figure of a whole-days report read
from the rollups equals the same report computed over the raw attempts (real SQLite), on a
random data set with calls that ring across midnight and over several days, missing values,
then after updates (one moving to another day), deletions and additions, and in another zone
across a daylight-saving change."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.analytics import rollup
from desktop.analytics.cache import AttemptCache, CachedAttempt, Filters
from desktop.analytics.figures import (
    _SORT_RUN,
    GroupBy,
    GroupFigures,
    _sorted_in_runs,
    group_figures,
    heatmap,
)
from desktop.analytics.period import Period, days
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
def test_rollups_equal_the_raw_figures_before_and_after_changes(cache: AttemptCache) -> None:
    rng = random.Random(21)
    attempts = random_attempts(rng, 600)
    cache.upsert(SOURCE, attempts)
    assert cache.refresh_rollup() > 0
    assert_rollups_match_raw(cache)

    moved = attempts[10]._replace(started=(attempts[10].started or 0) + 86400, status="Busy")
    answered = attempts[20]._replace(status="Connected", answered=1, dial_seconds=99.0)
    cache.upsert(SOURCE, [moved, answered, *random_attempts(rng, 40, first_id=10_000)])
    with cache._transaction() as db:  # deleted at the vendor, as a sweep finds
        db.execute("DELETE FROM attempt WHERE id IN (?, ?)", (attempts[30].attempt_id,
                                                            attempts[31].attempt_id))  # fmt: skip
    assert cache.refresh_rollup() > 0
    assert_rollups_match_raw(cache)
    assert cache.refresh_rollup() == 0  # nothing written since: nothing recomputed


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
