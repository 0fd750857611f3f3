"""Day rollups of the attempt cache: what a report over whole local days reads instead of every
attempt (a million attempts are a few hundred thousand rollup rows at most, and far fewer
when dial times repeat, as whole seconds do).

Per local day, per dimension (user, escalation rule, status, local hour, the day as a whole)
and per dial time: attempts, answered, cost. Per day and dimension value: distinct calls. And
the calls with attempts on more than one day: summed over days, such a call would count once
per day it rang on, so a report subtracts its extra days, found from its own attempts.

Every write to ``attempt`` marks the local days it touches stale: ``AttemptCache.upsert``, the
only way rows go in, marks a batch's days (``mark_written``), and SQLite triggers mark the days
an update moves an attempt out of or into and those of deleted attempts. ``refresh`` recomputes
a stale day from its attempts with the same GROUP BY a report over raw attempts runs, so a
rollup always equals what it stands for. The loader refreshes between pages (but the days still
being written) and after a load, and every rollup read refreshes first. Days are local days of
the zone the rollups were built in: a different zone rebuilds them all.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from desktop.analytics.period import Period, days
from desktop.analytics.statements import per_statement, placeholders

if TYPE_CHECKING:
    from desktop.analytics.cache import AttemptCache

#: What each dimension groups by, as figures over raw attempts group ('' stands for "none sent").
DIMENSIONS: dict[str, str] = {
    "user": "COALESCE(user_id, '')",
    "rule": "COALESCE(rule_id, '')",
    "status": "COALESCE(status, '')",
    "hour": "strftime('%H', started, 'unixepoch', 'localtime')",
    "day": "''",
}
_LOCAL_DAY = "date({0}.started, 'unixepoch', 'localtime')"


def stale_marker(row: str, table: str, column: str, key: str, condition: str = "1") -> str:
    """A trigger's statement putting the row's ``key`` (an SQL expression) into the stale
    ``table`` once, when ``condition`` holds. Not INSERT OR IGNORE: inside a trigger the upsert
    that fired it overrides that conflict policy."""
    return (
        f"INSERT INTO {table} SELECT {row}.source, {key} WHERE {condition} "  # noqa: S608 - fixed names
        f"AND NOT EXISTS (SELECT 1 FROM {table} WHERE source = {row}.source AND {column} = {key});"
    )


def _mark_stale(row: str) -> str:
    """A trigger's statement marking the row's local day stale."""
    return stale_marker(
        row, "stale_day", "day", _LOCAL_DAY.format(row), condition=f"{row}.started IS NOT NULL"
    )


def mark_written(db: sqlite3.Connection, source: str, starts: Iterable[float | None]) -> None:
    """The local days of attempts just inserted or updated marked stale, a statement per few
    hundred distinct starts, each start's day read by SQLite's own 'localtime' as the rollups
    read it. A trigger per inserted row did it before, computing each day twice: 0.5 s of
    SQLite per 100,000 attempts, in the writer that a period load waits for. Changes and
    deletions are still marked by the triggers, which see the day an attempt moves out of. A
    start no day holds (past year 9999 in the local zone) marks none: OR IGNORE skips it."""
    distinct = sorted({start for start in starts if start is not None})

    def marked(chunk: Sequence[float]) -> tuple[str, list[Any]]:
        sql = (
            "INSERT OR IGNORE INTO stale_day SELECT DISTINCT ?, "  # noqa: S608 - fixed clauses
            f"date(column1, 'unixepoch', 'localtime') FROM (VALUES {placeholders(len(chunk), 1)})"
        )
        return sql, [source, *chunk]

    per_statement(db, distinct, marked, width=1, fixed=1)


def upgrade(db: sqlite3.Connection) -> None:
    """Drop the insert trigger of a cache from before ``mark_written``."""
    db.execute("DROP TRIGGER IF EXISTS attempt_added")


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS stale_day (
    source TEXT NOT NULL,
    day TEXT NOT NULL,
    PRIMARY KEY (source, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS day_figure (
    source TEXT NOT NULL,
    day TEXT NOT NULL,
    dim TEXT NOT NULL,
    key TEXT NOT NULL,
    dial REAL,
    attempts INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    cost REAL NOT NULL
);
-- Reads go in (dimension, value, dial) order, so their GROUP BY needs no sort.
CREATE INDEX IF NOT EXISTS day_figure_read
    ON day_figure (source, dim, key, dial, day, attempts, answered, cost);
CREATE INDEX IF NOT EXISTS day_figure_day ON day_figure (source, day);
CREATE TABLE IF NOT EXISTS day_calls (
    source TEXT NOT NULL,
    day TEXT NOT NULL,
    dim TEXT NOT NULL,
    key TEXT NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (source, day, dim, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS spanning_call (
    source TEXT NOT NULL,
    day TEXT NOT NULL,
    call_id TEXT NOT NULL,
    PRIMARY KEY (source, day, call_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollup_zone (
    single INTEGER PRIMARY KEY CHECK (single = 1),
    zone TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS attempt_call ON attempt (source, call_id, started);
CREATE TRIGGER IF NOT EXISTS attempt_changed
AFTER UPDATE OF call_id, user_id, rule_id, status, answered, dial, cost, started ON attempt
BEGIN
    {_mark_stale("old")}
    {_mark_stale("new")}
END;
CREATE TRIGGER IF NOT EXISTS attempt_removed AFTER DELETE ON attempt BEGIN
    {_mark_stale("old")}
END;
"""


def zone_fingerprint() -> str:
    """What decides which local day and hour an instant falls in (SQLite's 'localtime' and
    Python's both follow the C library's zone)."""
    return f"{os.environ.get('TZ', '')}|{time.tzname}|{time.timezone}|{time.altzone}"


def _day_bounds(day: str) -> tuple[float, float]:
    """A local day as [its first instant, the next day's first instant) in Unix seconds."""
    first = date.fromisoformat(day)
    after = first + timedelta(days=1)
    return days(first, first).start.timestamp(), days(after, after).start.timestamp()


def refresh(db: sqlite3.Connection, busy: tuple[str, str] | None = None) -> int:
    """Recompute every stale day (inside the caller's transaction); how many there were. Days
    within ``busy`` (first and last local day, ISO), still being written, stay stale."""
    zone = zone_fingerprint()
    built_for = db.execute("SELECT zone FROM rollup_zone").fetchone()
    if built_for is None or built_for[0] != zone:
        for table in ("day_figure", "day_calls", "spanning_call", "stale_day"):
            db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names
        db.execute(
            "INSERT OR IGNORE INTO stale_day SELECT DISTINCT source, "  # noqa: S608 - fixed clauses
            f"{_LOCAL_DAY.format('attempt')} FROM attempt WHERE started IS NOT NULL"
        )
        db.execute("INSERT OR REPLACE INTO rollup_zone VALUES (1, ?)", (zone,))
    stale = db.execute("SELECT source, day FROM stale_day").fetchall()
    if busy is not None:
        stale = [(source, day) for source, day in stale if not busy[0] <= day <= busy[1]]
    for source, day in stale:
        _recompute(db, source, day)
    if stale:  # a read-only transaction otherwise: every report refreshes first
        db.executemany("DELETE FROM stale_day WHERE source = ? AND day = ?", stale)
    return len(stale)


def _recompute(db: sqlite3.Connection, source: str, day: str) -> None:
    """The day's rollups from its attempts, grouped as figures over raw attempts group them."""
    start, end = _day_bounds(day)
    for table in ("day_figure", "day_calls", "spanning_call"):
        db.execute(f"DELETE FROM {table} WHERE source = ? AND day = ?", (source, day))  # noqa: S608
    # Without a clock change in the day, an attempt's hour is arithmetic from the day's first
    # instant: SQLite's 'localtime' per attempt costs as much as the rest of the pass.
    hour = (
        "printf('%02d', CAST((started - :start) / 3600 AS INTEGER))"
        if end - start == 24 * 3600
        else DIMENSIONS["hour"]
    )
    keys = dict(DIMENSIONS, hour=hour)
    where = "source = :source AND started >= :start AND started < :end"
    scope = {"source": source, "day": day, "start": start, "end": end}
    for dim in ("user", "rule", "status", "hour"):
        db.execute(
            f"INSERT INTO day_figure SELECT :source, :day, '{dim}', {keys[dim]} AS grp, dial, "  # noqa: S608 - fixed clauses
            f"COUNT(*), SUM(answered), COALESCE(SUM(cost), 0) FROM attempt WHERE {where} "
            "GROUP BY grp, dial",
            scope,
        )
    for dim in DIMENSIONS:
        db.execute(
            f"INSERT INTO day_calls SELECT :source, :day, '{dim}', {keys[dim]} AS grp, "  # noqa: S608 - fixed clauses
            f"COUNT(DISTINCT call_id) FROM attempt WHERE {where} GROUP BY grp",
            scope,
        )
    # The day as a whole is the sum of its hours.
    db.execute(
        "INSERT INTO day_figure SELECT source, day, 'day', '', dial, SUM(attempts), "
        "SUM(answered), SUM(cost) FROM day_figure WHERE source = :source AND day = :day "
        "AND dim = 'hour' GROUP BY dial",
        scope,
    )
    db.execute(
        "INSERT OR IGNORE INTO spanning_call SELECT DISTINCT :source, :day, call_id "  # noqa: S608 - fixed clauses
        "FROM attempt INDEXED BY attempt_call WHERE source = :source AND call_id IN "
        f"(SELECT call_id FROM attempt WHERE {where}) AND (started < :start OR started >= :end)",
        scope,
    )


def whole_days(period: Period) -> tuple[str, str] | None:
    """The first and last local day when the period is exactly whole local days, else None."""
    first, last = period.start.astimezone().date(), period.end.astimezone().date()
    if last < first:
        return None
    whole = days(first, last)
    if (whole.start.timestamp(), whole.end.timestamp()) != (
        period.start.timestamp(),
        period.end.timestamp(),
    ):
        return None
    return first.isoformat(), last.isoformat()


def figure_rows(
    cache: AttemptCache, source: str, span: tuple[str, str], dim: str, *, by_day: bool = False
) -> list[tuple[Any, ...]]:
    """(group, dial, attempts, answered, cost) in (group, dial) order, as figures over raw
    attempts read them: the group is the dimension's value, or the day with ``by_day``."""
    group = "day" if by_day else "key"
    return cache.rows(
        f"SELECT {group} AS grp, dial, SUM(attempts), SUM(answered), SUM(cost) FROM day_figure "  # noqa: S608 - fixed clauses
        "INDEXED BY day_figure_read "
        "WHERE source = ? AND dim = ? AND day BETWEEN ? AND ? GROUP BY grp, dial "
        "ORDER BY grp, dial",
        (source, dim, *span),
    )


def distinct_calls(
    cache: AttemptCache, source: str, period: Period, span: tuple[str, str], dim: str,
    *, by_day: bool = False,
) -> dict[str, int]:  # fmt: skip
    """Distinct calls per group over the period: each day's, less the extra days of calls
    that rang on more than one day of it (per day, ``by_day``, needs no such correction)."""
    group = "day" if by_day else "key"
    calls: dict[str, int] = dict(cache.rows(
        f"SELECT {group}, SUM(calls) FROM day_calls WHERE source = ? AND dim = ? "  # noqa: S608 - fixed clauses
        f"AND day BETWEEN ? AND ? GROUP BY {group}",
        (source, dim, *span),
    ))  # fmt: skip
    if not by_day:
        for key, extra in _extra_days(cache, source, period, span, dim).items():
            calls[key] -= extra
    return calls


_KEY_COLUMN = {"user": 1, "rule": 2, "status": 3}


def _extra_days(
    cache: AttemptCache, source: str, period: Period, span: tuple[str, str], dim: str
) -> Counter[str]:
    """Per group: for each of its calls, the days beyond the first it rang on in the period."""
    spanning = [row[0] for row in cache.rows(
        "SELECT DISTINCT call_id FROM spanning_call WHERE source = ? AND day BETWEEN ? AND ?",
        (source, *span),
    )]  # fmt: skip
    seen: defaultdict[tuple[str, str], set[date]] = defaultdict(set)
    bounds = (period.start.timestamp(), period.end.timestamp())
    for chunk in range(0, len(spanning), 500):
        calls = spanning[chunk : chunk + 500]
        marks = ",".join("?" * len(calls))
        for row in cache.rows(
            # Named: the planner would rather range-scan the whole period by start time.
            "SELECT call_id, user_id, rule_id, status, started "  # noqa: S608 - placeholders only
            f"FROM attempt INDEXED BY attempt_call WHERE source = ? AND call_id IN ({marks}) "
            "AND started BETWEEN ? AND ?",
            (source, *calls, *bounds),
        ):
            local = datetime.fromtimestamp(row[4])
            key = f"{local.hour:02d}" if dim == "hour" else ""
            if dim in _KEY_COLUMN:
                key = row[_KEY_COLUMN[dim]] or ""
            seen[key, row[0]].add(local.date())
    extra: Counter[str] = Counter()
    for (key, _call), rang_on in seen.items():
        extra[key] += len(rang_on) - 1
    return extra


def heatmap_rows(cache: AttemptCache, source: str, span: tuple[str, str]) -> list[tuple[Any, ...]]:
    """(day, hour, attempts, missed) per local day and hour of the span."""
    return cache.rows(
        "SELECT day, CAST(key AS INTEGER), SUM(attempts), SUM(attempts - answered) "
        "FROM day_figure WHERE source = ? AND dim = 'hour' AND day BETWEEN ? AND ? "
        "GROUP BY day, key",
        (source, *span),
    )
