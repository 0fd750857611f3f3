"""The per-call rollup of the attempt cache: one row per incoming call with every figure of the
review's per-call list, so the list over a period is a SELECT (a third of a million calls for a
million attempts) instead of a window function and a GROUP BY over every attempt.

A call's row covers all its attempts that have a start time, with its first and last start: a
period holds the call whole when both fall inside it, and only those rows answer from the
rollup; a call that rings across the period's edge (a handful) is counted over its attempts
in the period, as any report over raw attempts counts it. Attempts without a call ID form the
call '' (as the figures group them), which is counted the same way.

Kept exact as the day rollups are: SQLite triggers mark every call a write touches stale (the
call an attempt moves out of as well), and ``refresh`` recomputes a stale call from its
attempts with the very query and tally the raw figures use. Instants are Unix seconds, so no
zone enters.
"""

from __future__ import annotations

import itertools
import operator
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from desktop.analytics.tally import Tally, median, nearest_rank

#: The call an attempt counts for ('' for no call ID), as the figures group it.
CALL_KEY = "COALESCE({0}call_id, '')"


def _mark_stale(row: str) -> str:
    """A trigger's statement marking the row's call stale (not INSERT OR IGNORE: inside a
    trigger the upsert that fired it overrides that conflict policy)."""
    call = CALL_KEY.format(f"{row}.")
    return (
        f"INSERT INTO stale_call SELECT {row}.source, {call} WHERE NOT EXISTS "  # noqa: S608 - fixed names
        f"(SELECT 1 FROM stale_call WHERE source = {row}.source AND call = {call});"
    )


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS stale_call (
    source TEXT NOT NULL,
    call TEXT NOT NULL,
    PRIMARY KEY (source, call)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS call_figure (
    source TEXT NOT NULL,
    call TEXT NOT NULL,
    first REAL NOT NULL,
    last REAL NOT NULL,
    attempts INTEGER NOT NULL,
    answered INTEGER NOT NULL,
    dial REAL NOT NULL,
    median REAL,
    p90 REAL,
    cost REAL NOT NULL,
    until INTEGER,
    to_answer REAL,
    PRIMARY KEY (source, call)
) WITHOUT ROWID;
-- Set once every call already cached has been rolled up (a cache older than this table).
CREATE TABLE IF NOT EXISTS call_rollup_built (single INTEGER PRIMARY KEY CHECK (single = 1));
CREATE TRIGGER IF NOT EXISTS call_attempt_added AFTER INSERT ON attempt BEGIN
    {_mark_stale("new")}
END;
CREATE TRIGGER IF NOT EXISTS call_attempt_changed
AFTER UPDATE OF call_id, answered, dial, cost, started ON attempt
BEGIN
    {_mark_stale("old")}
    {_mark_stale("new")}
END;
CREATE TRIGGER IF NOT EXISTS call_attempt_removed AFTER DELETE ON attempt BEGIN
    {_mark_stale("old")}
END;
"""


class CallFigures(NamedTuple):
    """One call's figures: attempts until answered and seconds from first ring to answer are
    None when it was never answered."""

    call: str
    first: float
    last: float
    attempts: int
    answered: int
    dial: float
    median: float | None
    p90: float | None
    cost: float
    until: int | None
    to_answer: float | None


#: The per-call pass over the attempts ``{where}`` selects: (call, dial time) counts in that
#: order, each row carrying its call's first and last ring, first answered ring, and how many
#: of the call's rings (of this dial time) came up to that one.
_CALL_PASS = (
    "WITH scoped AS (SELECT " + CALL_KEY.format("") + " AS grp, started, answered, dial, cost "  # noqa: S608 - fixed clauses
    "FROM attempt WHERE {where}), "
    "calls AS (SELECT grp, MIN(started) AS first, MAX(started) AS last, "
    "MIN(CASE WHEN answered THEN started END) AS answer FROM scoped GROUP BY grp) "
    "SELECT scoped.grp, dial, COUNT(*), SUM(answered), COALESCE(SUM(cost), 0), first, last, "
    "answer, SUM(started <= answer) FROM scoped JOIN calls ON calls.grp = scoped.grp "
    "GROUP BY scoped.grp, dial ORDER BY scoped.grp, dial"
)


def tally_calls(
    read: Callable[[str, Sequence[Any]], Iterable[tuple[Any, ...]]],
    where: str,
    params: Sequence[Any],
) -> Iterator[CallFigures]:
    """Per call (in call order) over the attempts ``where`` selects, streamed: a call's rows
    at a time, so no more than one call's are held."""
    rows = read(_CALL_PASS.format(where=where), params)
    for call, call_rows in itertools.groupby(rows, key=operator.itemgetter(0)):
        tally = Tally()
        until = 0
        for row in call_rows:
            tally.add(*row[1:5])
            until += row[8] or 0
        first, last, answer = row[5:8]  # the call's own, the same on each of its rows
        yield CallFigures(
            call, first, last, tally.attempts, tally.answered, tally.dial, median(tally.dials),
            nearest_rank(tally.dials, 0.9), tally.cost,
            None if answer is None else until, None if answer is None else answer - first,
        )  # fmt: skip


def refresh(db: sqlite3.Connection) -> int:
    """Recompute every stale call (inside the caller's transaction); how many there were."""
    if db.execute("SELECT 1 FROM call_rollup_built").fetchone() is None:
        db.execute(
            "INSERT OR IGNORE INTO stale_call SELECT DISTINCT source, "  # noqa: S608 - fixed clauses
            f"{CALL_KEY.format('')} FROM attempt"
        )
        db.execute("INSERT INTO call_rollup_built VALUES (1)")
    sources = db.execute("SELECT source, COUNT(*) FROM stale_call GROUP BY source").fetchall()
    for source, _count in sources:
        db.execute(
            "DELETE FROM call_figure WHERE source = ? AND call IN "
            "(SELECT call FROM stale_call WHERE source = ?)",
            (source, source),
        )
        where = (
            "source = ? AND started IS NOT NULL AND (call_id IN (SELECT call FROM stale_call "
            "WHERE source = ?) OR (call_id IS NULL AND EXISTS (SELECT 1 FROM stale_call "
            "WHERE source = ? AND call = '')))"
        )
        # Streamed from one cursor into the inserts of another: a third of a million calls
        # never sit in Python at once.
        db.executemany(
            "INSERT INTO call_figure VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            ((source, *figures) for figures in tally_calls(db.execute, where, (source,) * 3)),
        )
    if sources:  # a read-only transaction otherwise: every report refreshes first
        db.execute("DELETE FROM stale_call")
    return sum(count for _source, count in sources)


def inside_rows(
    read: Callable[[str, Sequence[Any]], list[Any]], source: str, bounds: tuple[float, float]
) -> list[Any]:
    """The calls that ring only within [start, end], most attempts first, then by call:
    (call, attempts, answered, dial, median, p90, cost, until, to_answer)."""
    return read(
        "SELECT call, attempts, answered, dial, median, p90, cost, until, to_answer "
        "FROM call_figure WHERE source = ? AND first >= ? AND last <= ? "
        "ORDER BY attempts DESC, call",
        (source, *bounds),
    )


def crossing_calls(
    read: Callable[[str, Sequence[Any]], Iterable[tuple[Any, ...]]],
    source: str,
    bounds: tuple[float, float],
) -> list[str]:
    """The calls with rings both inside [start, end] (maybe) and outside it."""
    start, end = bounds
    return [row[0] for row in read(
        "SELECT call FROM call_figure WHERE source = ? AND first <= ? AND last >= ? "
        "AND (first < ? OR last > ?)",
        (source, end, start, start, end),
    )]  # fmt: skip
