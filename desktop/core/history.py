"""Lookup history in SQLite under the data dir: every lookup, its outcome and a snapshot.

One transaction per entry and WAL journaling, so a crash mid-write loses at most that entry; a
file SQLite reports as damaged is moved aside (and said so), never a reason not to start. The
retention (keep N entries, keep D days) lives in the file itself, so the app and the CLI share
it, and every write prunes by it. Whatever goes wrong with the file (locked, disk full, damaged,
not writable) is one ``HistoryError`` with a sentence for the user. Parameters are the validated
lookup parameters, which never hold secrets.
"""

from __future__ import annotations

import errno
import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from desktop.core.errors import HistoryError, InvalidInputError
from desktop.core.models import LookupResult
from desktop.core.outcome import RECORDED_OUTCOMES
from desktop.core.paths import data_dir

HISTORY_FILE_NAME = "history.sqlite3"
DEFAULT_MAX_ENTRIES = 5000
DEFAULT_MAX_AGE_DAYS = 90
#: What a retention may be set to (the app's spin boxes and the CLI's options both obey it).
MAX_ENTRIES_RANGE = (1, 1_000_000)
MAX_AGE_DAYS_RANGE = (1, 3650)
#: How many entries one listing may ask for (no history holds more).
LIST_LIMIT_RANGE = MAX_ENTRIES_RANGE
#: How long a write waits for another program (the CLI, a second window) to finish its own.
DEFAULT_BUSY_TIMEOUT = 5.0

#: Schema changes in order; PRAGMA user_version counts those applied. Never edit a step:
#: append one (files of every earlier version are migrated step by step when opened).
_MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: the lookups (files of the first release have these already, at user_version 0)
        """CREATE TABLE IF NOT EXISTS lookups (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            vendor TEXT NOT NULL,
            profile TEXT NOT NULL,
            params TEXT NOT NULL,
            outcome TEXT NOT NULL,
            message TEXT NOT NULL,
            duration REAL NOT NULL,
            snapshot TEXT
        )""",
        "CREATE INDEX IF NOT EXISTS lookups_at ON lookups(at)",
    ),
    (  # 2: settings kept with the history (the retention), shared by the app and the CLI
        "CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    ),
)
SCHEMA_VERSION = len(_MIGRATIONS)

_KEEP_ENTRIES = "keep_entries"
_KEEP_DAYS = "keep_days"

#: SQLite's error name (its prefix: extended codes such as SQLITE_IOERR_WRITE too) -> the
#: kind of HistoryError and what to tell the user.
_SQLITE_ERRORS = (
    ("SQLITE_BUSY", "locked", "another program is using it (the database is locked); try again"),
    ("SQLITE_LOCKED", "locked", "another program is using it (the database is locked); try again"),
    ("SQLITE_FULL", "disk full", "the disk is full"),
    ("SQLITE_READONLY", "permission denied", "permission denied (the file is read-only)"),
    ("SQLITE_PERM", "permission denied", "permission denied"),
    ("SQLITE_AUTH", "permission denied", "permission denied"),
    (
        "SQLITE_CANTOPEN",
        "permission denied",
        "the file cannot be opened (no permission, or not a file)",
    ),
    ("SQLITE_CORRUPT", "corrupt", "the file is damaged; it is moved aside at the next start"),
    ("SQLITE_NOTADB", "corrupt", "the file is damaged; it is moved aside at the next start"),
)
_DAMAGE = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def params_text(params: dict[str, str]) -> str:
    """Lookup parameters as shown to the user and searched: ``name=value`` pairs."""
    return " ".join(f"{name}={value}" for name, value in params.items())


def _params_text_sql(raw: str) -> str:
    """``params_text`` for SQL over the stored JSON, so the search matches what is shown."""
    try:
        return params_text(json.loads(raw))
    except (ValueError, AttributeError):  # not JSON, or not an object: search it as stored
        return raw


def known_outcomes() -> list[str]:
    """Every outcome the engine records: found, not found, each vendor error's kind, cancelled."""
    return [outcome.value for outcome in RECORDED_OUTCOMES]


def _check_range(value: int, bounds: tuple[int, int], what: str, field: str) -> None:
    low, high = bounds
    if not low <= value <= high:
        raise InvalidInputError(f"{what} must be from {low} to {high:,}, not {value}.", field)


@dataclass(frozen=True)
class Retention:
    """How much history is kept: at most ``max_entries``, none older than ``max_age_days``."""

    max_entries: int = DEFAULT_MAX_ENTRIES
    max_age_days: int = DEFAULT_MAX_AGE_DAYS

    def __post_init__(self) -> None:
        _check_range(self.max_entries, MAX_ENTRIES_RANGE, "Entries to keep", "keep_entries")
        _check_range(self.max_age_days, MAX_AGE_DAYS_RANGE, "Days to keep", "keep_days")

    def text(self) -> str:
        return f"at most {self.max_entries:,} entries for {self.max_age_days} days"


@dataclass(frozen=True)
class HistoryQuery:
    """Which entries to list, newest first. ``text`` is matched literally (``%`` and ``_`` are
    plain characters) in the parameters, message, vendor or profile; ``vendor`` and ``outcome``
    must match exactly."""

    text: str = ""
    vendor: str | None = None
    outcome: str | None = None
    limit: int = 200

    def __post_init__(self) -> None:
        _check_range(self.limit, LIST_LIMIT_RANGE, "The number of entries to list", "limit")


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    at: datetime
    vendor: str
    profile: str
    params: dict[str, str]
    #: 'found', or the failure's kind ('not found', 'timeout', ...), or 'cancelled'.
    outcome: str
    message: str
    duration: float
    snapshot: LookupResult | None

    @property
    def params_text(self) -> str:
        return params_text(self.params)

    def as_row(self) -> dict[str, str]:
        return {
            "id": str(self.id),
            "at": self.at.isoformat(timespec="seconds"),
            "vendor": self.vendor,
            "profile": self.profile,
            "params": self.params_text,
            "outcome": self.outcome,
            "message": self.message,
            "duration_ms": f"{self.duration * 1000:.0f}",
        }


class HistoryListing(list[HistoryEntry]):
    """Entries as listed, plus how many rows matched but could not be read (a value edited by
    hand or written by another program: a date that is not one, parameters that are not JSON)."""

    def __init__(self, entries: Iterable[HistoryEntry] = (), skipped: int = 0) -> None:
        super().__init__(entries)
        self.skipped = skipped

    @property
    def skipped_note(self) -> str | None:
        """One sentence for the user when rows were skipped, else None."""
        if not self.skipped:
            return None
        if self.skipped == 1:
            return "1 entry could not be read and was skipped."
        return f"{self.skipped:,} entries could not be read and were skipped."


class _DamagedError(Exception):
    """SQLite opened the file but its integrity check failed."""


def _is_damage(error: Exception) -> bool:
    name = getattr(error, "sqlite_errorname", None) or ""
    return isinstance(error, _DamagedError) or name.startswith(_DAMAGE)


def _escape_like(text: str) -> str:
    """A LIKE pattern (ESCAPE '\\') that finds ``text`` literally anywhere."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class HistoryRecord:
    """One lookup to record, as ``HistoryStore.add`` takes it (for writes in batches)."""

    result: LookupResult | None
    vendor: str
    profile: str
    params: dict[str, str]
    #: An ``Outcome``'s word: the file holds words, so that any version reads it.
    outcome: str
    message: str
    duration: float


_INSERT = (
    "INSERT INTO lookups (at, vendor, profile, params, outcome, message, duration, snapshot) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def _row_of(record: HistoryRecord, at: str) -> tuple[object, ...]:
    """The lookups table's columns for one record, written ``at`` (ISO 8601, UTC)."""
    snapshot = record.result.model_dump_json() if record.result is not None else None
    return (at, record.vendor, record.profile, json.dumps(record.params), record.outcome,
            record.message, record.duration, snapshot)  # fmt: skip


class HistoryStore:
    def __init__(
        self, path: Path | None = None, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT
    ) -> None:
        """Open (creating or migrating) the history. Raises HistoryError when the file cannot
        be used; a damaged file is moved aside and a new history begins instead."""
        self.path = path or data_dir() / HISTORY_FILE_NAME
        self._busy_timeout = busy_timeout
        #: Set when the file was damaged and moved aside: say so to the user once.
        self.recovery_message: str | None = None
        self._lock = threading.Lock()
        with self._guard("opened"):
            self._connection = self._open()

    # -- errors and transactions -------------------------------------------------------------
    def _error(self, error: Exception, doing: str) -> HistoryError:
        kind, reason = "error", str(error)
        name = getattr(error, "sqlite_errorname", None) or ""
        for prefix, error_kind, error_reason in _SQLITE_ERRORS:
            if name.startswith(prefix):
                kind, reason = error_kind, error_reason
                break
        else:
            if isinstance(error, PermissionError):
                kind, reason = "permission denied", "permission denied"
            elif isinstance(error, OSError) and error.errno == errno.ENOSPC:
                kind, reason = "disk full", "the disk is full"
            elif isinstance(error, OSError):
                reason = error.strerror or str(error)
        return HistoryError(f"The lookup history ({self.path}) could not be {doing}: {reason}.",
                            kind)  # fmt: skip

    @contextmanager
    def _guard(self, doing: str) -> Iterator[None]:
        """SQLite and file-system failures become one HistoryError saying what failed."""
        try:
            yield
        except (sqlite3.Error, OSError) as error:
            raise self._error(error, doing) from error

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._guard("read"), self._lock:
            yield self._connection

    @contextmanager
    def _writing(self, doing: str = "saved") -> Iterator[sqlite3.Connection]:
        """One transaction: all of it is written, or none of it."""
        with self._guard(doing), self._lock:
            connection = self._connection
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
            except BaseException:
                if connection.in_transaction:  # SQLite may have rolled back already
                    connection.execute("ROLLBACK")
                raise
            connection.execute("COMMIT")

    # -- opening -----------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            self.path, timeout=self._busy_timeout, check_same_thread=False, isolation_level=None
        )
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise _DamagedError("the integrity check failed")
            self._migrate(connection)
            connection.create_function("params_text", 1, _params_text_sql, deterministic=True)
        except BaseException:
            connection.close()
            raise
        return connection

    @staticmethod
    def _migrate(connection: sqlite3.Connection) -> None:
        if connection.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
            return
        connection.execute("BEGIN IMMEDIATE")  # another process may be migrating right now
        try:
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            for step in _MIGRATIONS[version:]:
                for statement in step:
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {max(version, SCHEMA_VERSION):d}")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except (sqlite3.DatabaseError, _DamagedError) as error:
            if not _is_damage(error):
                raise  # locked, not writable...: the file is fine, it must stay where it is
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            for suffix in ("", "-wal", "-shm"):
                source = Path(f"{self.path}{suffix}")
                if source.exists():
                    source.replace(Path(f"{aside}{suffix}"))
            self.recovery_message = (
                f"The lookup history could not be read ({error}); it was moved to {aside.name} "
                "and a new, empty history was started."
            )
            return self._connect()

    # -- entries -----------------------------------------------------------------------------
    def add(
        self,
        result_or_none: LookupResult | None,
        *,
        vendor: str,
        profile: str,
        params: dict[str, str],
        outcome: str,
        message: str,
        duration: float,
    ) -> int:
        """Record one lookup and prune by the stored retention, in one transaction."""
        record = HistoryRecord(result_or_none, vendor, profile, params, outcome, message, duration)
        with self._writing() as connection:
            cursor = connection.execute(_INSERT, _row_of(record, datetime.now(UTC).isoformat()))
            self._prune(connection, self._retention(connection))
            return int(cursor.lastrowid or 0)

    def add_many(self, records: Sequence[HistoryRecord]) -> int:
        """Record several lookups (a bulk run's answers, one entry each) in one transaction,
        pruning once; returns how many were written."""
        if not records:
            return 0
        now = datetime.now(UTC).isoformat()
        with self._writing() as connection:
            connection.executemany(_INSERT, [_row_of(record, now) for record in records])
            self._prune(connection, self._retention(connection))
        return len(records)

    @staticmethod
    def _entry(row: tuple[Any, ...]) -> HistoryEntry:
        """One row as an entry; ValueError when a value is not what this program writes."""
        entry_id, at, vendor, profile, params, outcome, message, duration, raw_snapshot = row
        texts = (vendor, profile, outcome, message)
        if not all(isinstance(text, str) for text in texts) or not isinstance(at, str):
            raise ValueError("a text column holds something else")
        parsed = json.loads(params)  # ValueError when not JSON
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise ValueError("the parameters are not an object of texts")
        if isinstance(duration, bool) or not isinstance(duration, int | float):
            raise ValueError("the duration is not a number")
        try:
            snapshot = LookupResult.model_validate_json(raw_snapshot) if raw_snapshot else None
        except ValidationError:  # written by a version whose result model differed
            snapshot = None
        return HistoryEntry(
            id=entry_id, at=datetime.fromisoformat(at), vendor=vendor, profile=profile,
            params=parsed, outcome=outcome, message=message, duration=float(duration),
            snapshot=snapshot,
        )  # fmt: skip

    def list(self, query: HistoryQuery | None = None) -> HistoryListing:
        """The entries ``query`` asks for (the newest 200 without one), newest first. A row
        that cannot be read is skipped and counted (``skipped_note``), never the end of the
        listing."""
        query = query or HistoryQuery()
        clauses: list[str] = []
        values: list[str | int] = []
        if query.text:
            clauses.append(
                "(params_text(params) LIKE ?1 ESCAPE '\\' OR message LIKE ?1 ESCAPE '\\' "
                "OR vendor LIKE ?1 ESCAPE '\\' OR profile LIKE ?1 ESCAPE '\\')"
            )
            values.append(_escape_like(query.text))
        for column, wanted in (("vendor", query.vendor), ("outcome", query.outcome)):
            if wanted:
                clauses.append(f"{column} = ?{len(values) + 1}")
                values.append(wanted)
        values.append(query.limit)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._reading() as connection:
            rows = connection.execute(
                f"SELECT * FROM lookups {where} ORDER BY id DESC LIMIT ?{len(values)}",  # noqa: S608 - fixed
                values,
            ).fetchall()
        listing = HistoryListing()
        for row in rows:
            try:
                listing.append(self._entry(row))
            except (ValueError, TypeError):
                listing.skipped += 1
        return listing

    def delete(self, entry_id: int) -> None:
        with self._writing("changed") as connection:
            connection.execute("DELETE FROM lookups WHERE id = ?", (entry_id,))

    def clear(self) -> None:
        with self._writing("cleared") as connection:
            connection.execute("DELETE FROM lookups")

    # -- retention ---------------------------------------------------------------------------
    @staticmethod
    def _retention(connection: sqlite3.Connection) -> Retention:
        stored = dict(connection.execute("SELECT name, value FROM settings").fetchall())
        try:
            return Retention(
                max_entries=int(stored.get(_KEEP_ENTRIES, DEFAULT_MAX_ENTRIES)),
                max_age_days=int(stored.get(_KEEP_DAYS, DEFAULT_MAX_AGE_DAYS)),
            )
        except (InvalidInputError, ValueError, TypeError):  # edited by hand: the defaults
            return Retention()

    @staticmethod
    def _prune(connection: sqlite3.Connection, retention: Retention) -> int:
        oldest = (datetime.now(UTC) - timedelta(days=retention.max_age_days)).isoformat()
        removed = connection.execute("DELETE FROM lookups WHERE at < ?", (oldest,)).rowcount
        removed += connection.execute(
            "DELETE FROM lookups WHERE id <= "
            "(SELECT id FROM lookups ORDER BY id DESC LIMIT 1 OFFSET ?)",
            (retention.max_entries,),
        ).rowcount
        return removed

    def retention(self) -> Retention:
        with self._reading() as connection:
            return self._retention(connection)

    def set_retention(
        self, *, max_entries: int | None = None, max_age_days: int | None = None
    ) -> tuple[Retention, int]:
        """Store a new retention (what is not given stays) and prune by it at once: the new
        retention and how many entries went. Raises InvalidInputError out of range."""
        with self._writing("changed") as connection:
            current = self._retention(connection)
            retention = Retention(
                max_entries=current.max_entries if max_entries is None else max_entries,
                max_age_days=current.max_age_days if max_age_days is None else max_age_days,
            )
            connection.executemany(
                "INSERT INTO settings (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                [(_KEEP_ENTRIES, retention.max_entries), (_KEEP_DAYS, retention.max_age_days)],
            )
            return retention, self._prune(connection, retention)

    def close(self) -> None:
        with self._lock:
            self._connection.close()
