"""The per-call rollup of the attempt cache: one row per incoming call with every figure of the
review's per-call list, so the list over a period is a SELECT (a third of a million calls for a
million attempts) instead of a window function and a GROUP BY over every attempt.

A call's row covers all its attempts that have a start time, with its first and last start: a
period holds the call whole when both fall inside it, and only those rows answer from the
rollup; a call that rings across the period's edge (a handful) is counted over its attempts
in the period, as any report over raw attempts counts it. Attempts without a call ID form the
call '' (as the figures group them), which is counted the same way.

Kept exact as the day rollups are: every call a write touches is marked stale (the calls of a
written batch by ``mark_written``; the call an attempt moves out of, or is deleted from, by
SQLite triggers), and ``refresh`` recomputes a stale call from its
attempts with the very query and tally the raw figures use. Instants are Unix seconds, so no
zone enters.

Each row also keeps the call's object of the CLI's JSON as a %-format of its values' text
(``json_rows.object_formats``): the JSON of a third of a million calls is then a string per
call from SQLite, with no Python object per value and no float written anew per report.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from desktop.analytics.json_rows import CALL_JSON_FIELDS, call_json_values, object_formats
from desktop.analytics.rollup import stale_marker
from desktop.analytics.statements import per_statement, placeholders
from desktop.analytics.tally import sorted_median, sorted_nearest_rank

#: The call an attempt counts for ('' for no call ID), as the figures group it.
CALL_KEY = "COALESCE({0}call_id, '')"


def _mark_stale(row: str) -> str:
    """A trigger's statement marking the row's call stale."""
    return stale_marker(row, "stale_call", "call", CALL_KEY.format(f"{row}."))


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
    object_format TEXT NOT NULL,
    PRIMARY KEY (source, call)
) WITHOUT ROWID;
-- The list's order with every column it reads: a period's calls come out sorted, no sort step.
CREATE INDEX IF NOT EXISTS call_figure_read ON call_figure (source, attempts DESC, call, first,
    last, answered, dial, median, p90, cost, until, to_answer, object_format);
-- Set once every call already cached has been rolled up (a cache older than this table).
CREATE TABLE IF NOT EXISTS call_rollup_built (single INTEGER PRIMARY KEY CHECK (single = 1));
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


def mark_written(db: sqlite3.Connection, source: str, call_ids: Iterable[str | None]) -> None:
    """The calls of attempts just inserted or updated marked stale, a statement per few hundred
    calls. A trigger per inserted row did it before (two rows in three of a period load are
    new calls' first rings): 0.5 s of SQLite per 100,000 attempts, in the writer that the
    load waits for. Changes and deletions are still marked by the triggers, which see the call
    an attempt moves out of."""
    keys = sorted({call or "" for call in call_ids})  # CALL_KEY's '' for no call ID

    def marked(chunk: Sequence[str]) -> tuple[str, list[Any]]:
        sql = f"INSERT OR IGNORE INTO stale_call VALUES {placeholders(len(chunk), 2)}"  # noqa: S608 - placeholders
        return sql, [value for key in chunk for value in (source, key)]

    per_statement(db, keys, marked, width=2)


def upgrade(db: sqlite3.Connection) -> None:
    """Drop a call rollup written before it kept each call's JSON object (before ``SCHEMA``
    runs): the next refresh rolls every call up anew. Drop the insert trigger of a cache
    from before ``mark_written``."""
    db.execute("DROP TRIGGER IF EXISTS call_attempt_added")
    columns = {row[1] for row in db.execute("PRAGMA table_info(call_figure)")}
    if columns and "object_format" not in columns:
        db.execute("DROP TABLE call_figure")
        db.execute("DROP TABLE IF EXISTS call_rollup_built")


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


#: What the per-call tally reads of each attempt, in this order: rows sorted by call ID (NULL
#: first, so the attempts without one and those with '' are adjacent) and start time, which
#: is the ``attempt_call`` index's order.
TALLY_COLUMNS = "call_id, started, answered, dial, cost"
TALLY_ORDER = "ORDER BY call_id, started"


def _dial_order(ring: tuple[Any, ...]) -> tuple[bool, float]:
    """No dial time first, then ascending: the (group, dial) order SQL sorts the figures in."""
    return ring[3] is not None, ring[3] or 0.0


def _one_ring(call: str, ring: tuple[Any, ...]) -> CallFigures:
    """What ``_call_figures`` makes of a call rung once (two calls in five of a busy week),
    without its sorting and histograms: the same sums from zero (``0.0 +`` turns -0.0 into
    0.0 as they do) and a one-value histogram's median and 90th percentile, the value."""
    _call, started, answered, dial, cost = ring
    return CallFigures(
        call, started, started, 1, answered, 0.0 if dial is None else 0.0 + dial, dial, dial,
        0.0 if cost is None else 0.0 + cost,
        1 if answered else None, started - started if answered else None,
    )  # fmt: skip


#: A dial time no ring has: the run ``_call_figures`` is in before its first ring, and the
#: dial time of ``_END_RING``, which ends the last run as any other dial time would.
_NO_DIAL = object()
_END_RING: tuple[Any, ...] = ("", 0.0, 0, _NO_DIAL, None)


def _call_figures(call: str, rings: list[tuple[Any, ...]]) -> CallFigures:
    """One call's figures from its rings in start order, summed as ``Tally`` sums a group's
    rows: per run of equal dial times in ascending order, its answers and costs summed first
    (costs from an integer 0, as SQL's grouped sum reaches Python's ``sum``) and then added,
    and the dial time times the run's size. Written out per ring, not with ``groupby`` and a
    ``Tally`` per call: 44,000 calls in a busy week, 2.5 times faster (the same bits, checked
    against that form in the tests)."""
    answered = 0
    dial = 0.0
    cost = 0.0
    dials: list[float] = []
    run_value: Any = _NO_DIAL
    run_size = run_answered = run_cost = 0
    for ring in [*sorted(rings, key=_dial_order), _END_RING]:
        value = ring[3]
        if value != run_value:  # a new run (_NO_DIAL is equal to no dial time, nor to None)
            if run_size:  # the run that ended, added as Tally adds a group's row
                answered += run_answered
                cost += run_cost
                if run_value is not None:
                    dial += run_value * run_size
                    dials += [run_value] * run_size
            run_value, run_size, run_answered, run_cost = value, 0, 0, 0
        run_size += 1
        run_answered += ring[2]
        if ring[4] is not None:
            run_cost += ring[4]
    answer = next((ring[1] for ring in rings if ring[2]), None)
    first = rings[0][1]
    return CallFigures(
        call, first, rings[-1][1], len(rings), answered, dial,
        sorted_median(dials), sorted_nearest_rank(dials, 0.9), cost,
        None if answer is None else sum(ring[1] <= answer for ring in rings),
        None if answer is None else answer - first,
    )  # fmt: skip


def _listed(figures: CallFigures) -> tuple[Any, ...]:
    """A call's figures as the review lists them (``figures.CallRow``): without first and last."""
    return (figures.call, *figures[3:])


def tally_calls(rows: Iterable[tuple[Any, ...]]) -> Iterator[CallFigures]:
    """Per call (in call order), from ``TALLY_COLUMNS`` rows in ``TALLY_ORDER``, streamed: one
    call's rings at a time are held, never every attempt."""
    for call, rings in itertools.groupby(rows, key=lambda ring: ring[0] or ""):
        held = list(rings)
        yield _one_ring(call, held[0]) if len(held) == 1 else _call_figures(call, held)


#: call_figure's columns: the source, ``CallFigures`` and the JSON object's format.
_FIGURE_COLUMNS = 13


def _inserted_figures(rows: Sequence[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    """The INSERT of calls' rows into call_figure, a few hundred a statement."""
    sql = f"INSERT INTO call_figure VALUES {placeholders(len(rows), _FIGURE_COLUMNS)}"  # noqa: S608 - placeholders
    return sql, [value for row in rows for value in row]


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
        stale = "SELECT call FROM stale_call WHERE source = ?"
        db.execute(f"DELETE FROM call_figure WHERE source = ? AND call IN ({stale})",  # noqa: S608 - fixed clauses
                   (source, source))  # fmt: skip
        no_id_stale = db.execute(f"{stale} AND call = ''", (source,)).fetchone() is not None
        rings = itertools.chain(
            db.execute(
                f"SELECT {TALLY_COLUMNS} FROM attempt WHERE source = ? AND call_id IS NULL "  # noqa: S608 - fixed clauses
                f"AND started IS NOT NULL {TALLY_ORDER}",
                (source,),
            ) if no_id_stale else (),
            db.execute(
                f"SELECT {TALLY_COLUMNS} FROM attempt WHERE source = ? AND call_id IN ({stale}) "  # noqa: S608 - fixed clauses
                f"AND started IS NOT NULL {TALLY_ORDER}",
                (source, source),
            ),
        )  # fmt: skip
        # Streamed from the attempts' cursor into the inserts a chunk at a time: a third of a
        # million calls never sit in Python at once.
        tallied = tally_calls(rings)
        while chunk := list(itertools.islice(tallied, 5_000)):
            formats = object_formats(
                [call_json_values(_listed(figures)) for figures in chunk], len(CALL_JSON_FIELDS)
            )
            rows = [
                (source, *figures, format_) for figures, format_ in zip(chunk, formats, strict=True)
            ]
            per_statement(db, rows, _inserted_figures, width=_FIGURE_COLUMNS)
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


def inside_formats(
    read: Callable[[str, Sequence[Any]], Iterable[tuple[Any, ...]]],
    source: str,
    bounds: tuple[float, float],
) -> Iterable[tuple[int, str, str]]:
    """``inside_rows``' calls as (attempts, call, the kept format of its JSON object)."""
    return read(
        "SELECT attempts, call, object_format FROM call_figure "
        "WHERE source = ? AND first >= ? AND last <= ? ORDER BY attempts DESC, call",
        (source, *bounds),
    )


def crossing_calls(
    read: Callable[[str, Sequence[Any]], Iterable[tuple[Any, ...]]],
    source: str,
    bounds: tuple[float, float],
) -> list[str]:
    """The calls with rings both inside [start, end] (maybe) and outside it, in call order."""
    start, end = bounds
    return [row[0] for row in read(
        "SELECT call FROM call_figure WHERE source = ? AND first <= ? AND last >= ? "
        "AND (first < ? OR last > ?) ORDER BY call",
        (source, end, start, start, end),
    )]  # fmt: skip
