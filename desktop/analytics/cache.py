"""The local attempt cache: one SQLite file in the data directory, one compact row per attempt,
keyed by the attempt's ``_id`` within its source (a base URL and project).

A row holds only what the figures need (about 200 bytes on disk with its indexes); the raw JSON
is never stored. Every method blocks: callers on an event loop use ``run_blocking``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from desktop.analytics import call_rollup, rollup
from desktop.analytics.period import Period
from desktop.analytics.statements import per_statement, placeholders
from desktop.core.paths import data_dir

CACHE_FILE_NAME = "attempts.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempt (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    call_id TEXT,
    user_id TEXT,
    rule_id TEXT,
    status TEXT,
    answered INTEGER NOT NULL,
    dial REAL,
    cost REAL,
    started REAL,
    updated REAL,
    sweep INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, id)
) WITHOUT ROWID;
-- Covers every column the figures read: a report scans this index in start order and never
-- looks a row up by its key.
CREATE INDEX IF NOT EXISTS attempt_scan
    ON attempt (source, started, user_id, rule_id, status, call_id, answered, dial, cost);
CREATE TABLE IF NOT EXISTS user_name (
    source TEXT NOT NULL,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (source, user_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS synced_period (
    source TEXT NOT NULL,
    start REAL NOT NULL,
    end REAL NOT NULL,
    synced_until REAL NOT NULL,
    names_readable INTEGER NOT NULL,
    PRIMARY KEY (source, start, end)
);
"""


ATTEMPT_COLUMNS = "id, call_id, user_id, rule_id, status, answered, dial, cost, started, updated"
_UPDATE_ALL = ", ".join(
    f"{column} = excluded.{column}" for column in [*ATTEMPT_COLUMNS.split(", ")[1:], "sweep"]
)


def _upsert(rows: int) -> str:
    """An upsert of ``rows`` rows bound as parameters, each (source, *CachedAttempt, sweep):
    bound values are stored exactly as Python holds them (no decimal text in between)."""
    return (
        f"INSERT INTO attempt VALUES {placeholders(rows, 12)} "  # noqa: S608 - fixed columns
        f"ON CONFLICT (source, id) DO UPDATE SET {_UPDATE_ALL}"
    )


class CachedAttempt(NamedTuple):
    """One attempt as the cache holds it: times are Unix seconds, ``answered`` is 0 or 1."""

    attempt_id: str
    call_id: str | None
    user_id: str | None
    rule_id: str | None
    status: str | None
    answered: int
    dial_seconds: float | None
    cost_usd_cents: float | None
    started: float | None
    updated: float | None


@dataclass(frozen=True)
class SyncState:
    """When a period was last brought up to date (Unix seconds, the time the load began)."""

    synced_until: float
    names_readable: bool


@dataclass(frozen=True)
class Filters:
    """Optional filters of the review: one user, one escalation rule, one status."""

    user_id: str | None = None
    rule_id: str | None = None
    status: str | None = None


class AttemptCache:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / CACHE_FILE_NAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        # Few statements kept compiled: the batched writes bind a few hundred rows to one
        # statement, of as many sizes as batches come in (30-300 KB compiled each), and the
        # default of 128 kept ~4 MB of them after a period load.
        self._db = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, cached_statements=16
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        rollup.upgrade(self._db)
        call_rollup.upgrade(self._db)
        self._db.executescript(_SCHEMA + rollup.SCHEMA + call_rollup.SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def each_row(self, sql: str, params: Sequence[Any] = ()) -> Iterator[tuple[Any, ...]]:
        """Rows one at a time (the lock is held until the iteration ends)."""
        with self._lock:
            yield from self._db.execute(sql, params)

    # -- writing ---------------------------------------------------------------------------
    def upsert(self, source: str, attempts: Iterable[CachedAttempt], sweep: int = 0) -> None:
        # An update, not INSERT OR REPLACE: a replaced row's deletion fires no trigger, and the
        # rollups' triggers must see the day an attempt moves out of.
        batch = list(attempts)

        def rows(chunk: Sequence[CachedAttempt]) -> tuple[str, list[Any]]:
            return _upsert(len(chunk)), [
                value for attempt in chunk for value in (source, *attempt, sweep)
            ]

        with self._transaction() as db:
            per_statement(db, batch, rows, width=12)
            rollup.mark_written(db, source, (attempt.started for attempt in batch))
            call_rollup.mark_written(db, source, (attempt.call_id for attempt in batch))

    def refresh_rollup(self, busy: tuple[str, str] | None = None) -> int:
        """Bring the day and call rollups up to date with every write so far: how many days
        and calls were recomputed. Local days within ``busy`` (first, last), still being
        written, may be left stale (a loader refreshing between pages)."""
        with self._transaction() as db:
            return rollup.refresh(db, busy) + call_rollup.refresh(db)

    def mark_seen(self, source: str, attempt_ids: Iterable[str], sweep: int) -> None:
        seen = list(attempt_ids)

        def marked(chunk: Sequence[str]) -> tuple[str, list[Any]]:
            listed = ",".join("?" * len(chunk))
            return (
                f"UPDATE attempt SET sweep = ? WHERE source = ? AND id IN ({listed})",  # noqa: S608 - placeholders
                [sweep, source, *chunk],
            )

        with self._transaction() as db:
            per_statement(db, seen, marked, width=1, fixed=2)  # per few hundred, as ``upsert``

    def delete_unseen(self, source: str, period: Period, sweep: int) -> int:
        """Remove the period's attempts a sweep did not see: deleted at the vendor, or moved out
        of the period."""
        with self._transaction() as db:
            cursor = db.execute(
                "DELETE FROM attempt WHERE source = ? AND started BETWEEN ? AND ? AND sweep != ?",
                (source, period.start.timestamp(), period.end.timestamp(), sweep),
            )
            return cursor.rowcount

    def set_user_names(self, source: str, names: dict[str, str]) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO user_name VALUES (?,?,?)",
                ((source, user_id, name) for user_id, name in names.items()),
            )

    def save_sync(self, source: str, period: Period, state: SyncState) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO synced_period VALUES (?,?,?,?,?)",
                (source, period.start.timestamp(), period.end.timestamp(), state.synced_until,
                 int(state.names_readable)),
            )  # fmt: skip

    # -- reading ---------------------------------------------------------------------------
    def sync_state(self, source: str, period: Period) -> SyncState | None:
        found = self.rows(
            "SELECT synced_until, names_readable FROM synced_period "
            "WHERE source = ? AND start = ? AND end = ?",
            (source, period.start.timestamp(), period.end.timestamp()),
        )
        return SyncState(found[0][0], bool(found[0][1])) if found else None

    def count(self, source: str, period: Period) -> int:
        found = self.rows(
            "SELECT COUNT(*) FROM attempt WHERE source = ? AND started BETWEEN ? AND ?",
            (source, period.start.timestamp(), period.end.timestamp()),
        )
        return int(found[0][0])

    def user_names(self, source: str) -> dict[str, str]:
        return dict(self.rows("SELECT user_id, name FROM user_name WHERE source = ?", (source,)))

    def attempts(
        self, source: str, period: Period, filters: Filters, limit: int = 100_000
    ) -> list[CachedAttempt]:
        """The period's attempts matching the filters, in start order (for drill-down)."""
        where, params = scope(source, period, filters)
        sql = f"SELECT {ATTEMPT_COLUMNS} FROM attempt WHERE {where} ORDER BY started, id LIMIT ?"  # noqa: S608 - fixed clauses
        return [CachedAttempt(*row) for row in self.rows(sql, (*params, limit))]


def scope(source: str, period: Period, filters: Filters) -> tuple[str, list[Any]]:
    """The WHERE clause (and its parameters) for a period's attempts under the filters."""
    clauses = ["source = ?", "started BETWEEN ? AND ?"]
    params: list[Any] = [source, period.start.timestamp(), period.end.timestamp()]
    for column, value in (
        ("user_id", filters.user_id),
        ("rule_id", filters.rule_id),
        ("status", filters.status),
    ):
        if value is not None:
            clauses.append(f"{column} = ?")
            params.append(value)
    return " AND ".join(clauses), params
