"""The attempt cache's batch write (real SQLite): a few statements for a batch store exactly
the values a row bound at a time stores, bit for bit, within any limit of parameters."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.analytics.cache import AttemptCache, CachedAttempt, Filters
from desktop.analytics.period import Period

SOURCE = "https://oneuptime.example|ünïcode-project"
START = datetime(2026, 11, 9, tzinfo=UTC)
WEEK = Period(START - timedelta(days=1), START + timedelta(days=8))


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[AttemptCache]:
    store = AttemptCache(tmp_path / "attempts.sqlite3")
    yield store
    store.close()


def attempts(rng: random.Random, count: int) -> list[CachedAttempt]:
    """Times to the microsecond as vendors send them, whole dial times and costs, text beyond
    ASCII, and every optional value missing somewhere."""
    made = []
    for index in range(count):
        started = START + timedelta(microseconds=rng.randrange(7 * 86400 * 10**6))
        made.append(CachedAttempt(
            f"attempt-{index:05d}",
            None if index % 17 == 0 else f"call-{index // 3}",
            None if index % 19 == 0 else f"user-{rng.randrange(5)}-é",
            None if index % 23 == 0 else "rule 🚨",
            None if index % 29 == 0 else rng.choice(("Connected", "NoAnswer", '"quoted"\\')),
            index % 2,
            None if index % 31 == 0 else float(rng.randrange(200)),
            None if index % 37 == 0 else float(rng.choice((0, 3, 2**52))),
            None if index % 41 == 0 else started.timestamp(),
            None if index % 43 == 0 else (started + timedelta(seconds=30)).timestamp(),
        ))  # fmt: skip
    return made


def stored(cache: AttemptCache) -> list[tuple[object, ...]]:
    return cache.rows(
        "SELECT id, call_id, user_id, rule_id, status, answered, dial, cost, started, updated, "
        "typeof(dial), typeof(cost), typeof(started), sweep FROM attempt ORDER BY id"
    )


#: The upsert a row at a time, as the reference the batched statements must store alike.
ROW_BY_ROW = (
    "INSERT INTO attempt VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (source, id) DO UPDATE SET "
    "call_id = excluded.call_id, user_id = excluded.user_id, rule_id = excluded.rule_id, "
    "status = excluded.status, answered = excluded.answered, dial = excluded.dial, "
    "cost = excluded.cost, started = excluded.started, updated = excluded.updated, "
    "sweep = excluded.sweep"
)


@pytest.mark.parametrize("parameter_limit", [32766, 999, 30])
def test_a_batch_in_a_few_statements_stores_what_binding_each_row_stores(
    cache: AttemptCache, tmp_path: Path, parameter_limit: int
) -> None:
    """Also under an old SQLite's limit of 999 parameters a statement, and one of two rows."""
    cache._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, parameter_limit)
    batch = attempts(random.Random(21), 2000)
    cache.upsert(SOURCE, batch, sweep=7)
    by_rows = AttemptCache(tmp_path / "by-rows.sqlite3")
    with by_rows._transaction() as db:
        db.executemany(ROW_BY_ROW, ((SOURCE, *attempt, 7) for attempt in batch))
    assert stored(cache) == stored(by_rows)
    by_rows.close()
    back = sorted(cache.attempts(SOURCE, WEEK, Filters()), key=lambda row: row.attempt_id)
    with_start = sorted((a for a in batch if a.started is not None), key=lambda a: a.attempt_id)
    assert back == with_start


def test_values_no_decimal_text_carries_exactly_are_stored_as_they_are(
    cache: AttemptCache,
) -> None:
    """Bound, not written out as text for SQLite to read back (the batch's JSON was): a
    fraction SQLite might read 1 bit off, an integer past a double's 53 bits, a start that is
    not a whole microsecond."""
    batch = attempts(random.Random(5), 50)
    odd = [
        batch[1]._replace(cost_usd_cents=2.5),
        batch[2]._replace(dial_seconds=float(2**53 + 2)),
        batch[3]._replace(started=0.1 + 0.2),
    ]
    cache.upsert(SOURCE, [*batch, *odd])
    back = {row[0]: row for row in stored(cache)}
    assert back[batch[1].attempt_id][7] == 2.5
    assert back[batch[2].attempt_id][6] == float(2**53 + 2)
    assert back[batch[3].attempt_id][8] == 0.1 + 0.2


def test_an_attempt_written_twice_in_a_batch_keeps_the_later_values(cache: AttemptCache) -> None:
    first = attempts(random.Random(3), 1)[0]
    later = first._replace(status="Connected", answered=1, started=START.timestamp())
    cache.upsert(SOURCE, [first, later])
    assert cache.attempts(SOURCE, WEEK, Filters()) == [later]


@pytest.mark.parametrize("parameter_limit", [32766, 30])
def test_a_sweep_keeps_what_it_saw_and_removes_the_rest(
    cache: AttemptCache, parameter_limit: int
) -> None:
    cache._db.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, parameter_limit)
    batch = [
        a._replace(started=START.timestamp() + n)
        for n, a in enumerate(attempts(random.Random(9), 700))
    ]
    cache.upsert(SOURCE, batch, sweep=1)
    seen = [a.attempt_id for a in batch if a.attempt_id[-1] != "7"] + ["not-cached-ü"]
    cache.mark_seen(SOURCE, seen, sweep=2)
    assert cache.delete_unseen(SOURCE, WEEK, sweep=2) == 70  # the IDs ending in 7
    assert [a.attempt_id for a in cache.attempts(SOURCE, WEEK, Filters())] == seen[:-1]


def test_a_start_no_local_day_holds_is_stored_without_failing_the_batch(
    cache: AttemptCache,
) -> None:
    """The insert trigger failed the whole batch on SQLite's NOT NULL for the stale day."""
    batch = attempts(random.Random(6), 3)
    far = [batch[0]._replace(started=1e20), batch[1]._replace(started=-1e15), batch[2]]
    cache.upsert(SOURCE, far)
    assert len(stored(cache)) == 3
    assert cache.refresh_rollup() >= 1
