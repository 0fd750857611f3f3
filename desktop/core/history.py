"""Lookup history in SQLite under the data dir: every lookup, its outcome and a snapshot.

One transaction per entry and WAL journaling, so a crash mid-write loses at most that entry; a
file SQLite cannot read is moved aside (and said so), never a reason not to start. Parameters
are the validated lookup parameters, which never hold secrets.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from desktop.core.models import LookupResult
from desktop.core.paths import data_dir

HISTORY_FILE_NAME = "history.sqlite3"
DEFAULT_MAX_ENTRIES = 5000
DEFAULT_MAX_AGE_DAYS = 90

_SCHEMA = """
CREATE TABLE IF NOT EXISTS lookups (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    vendor TEXT NOT NULL,
    profile TEXT NOT NULL,
    params TEXT NOT NULL,
    outcome TEXT NOT NULL,
    message TEXT NOT NULL,
    duration REAL NOT NULL,
    snapshot TEXT
);
CREATE INDEX IF NOT EXISTS lookups_at ON lookups(at);
"""


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

    def as_row(self) -> dict[str, str]:
        return {
            "id": str(self.id),
            "at": self.at.isoformat(timespec="seconds"),
            "vendor": self.vendor,
            "profile": self.profile,
            "params": " ".join(f"{k}={v}" for k, v in self.params.items()),
            "outcome": self.outcome,
            "message": self.message,
            "duration_ms": f"{self.duration * 1000:.0f}",
        }


class HistoryStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / HISTORY_FILE_NAME
        #: Set when the file was unreadable and moved aside: say so to the user once.
        self.recovery_message: str | None = None
        self._lock = threading.Lock()
        self._connection = self._open()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        connection.executescript(_SCHEMA)
        if connection.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise sqlite3.DatabaseError("quick_check failed")
        return connection

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as error:
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
        snapshot = result_or_none.model_dump_json() if result_or_none is not None else None
        with self._lock, self._connection:
            cursor = self._connection.execute(
                "INSERT INTO lookups (at, vendor, profile, params, outcome, message, duration, "
                "snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (datetime.now(UTC).isoformat(), vendor, profile, json.dumps(params), outcome,
                 message, duration, snapshot),
            )  # fmt: skip
            return int(cursor.lastrowid or 0)

    @staticmethod
    def _entry(row: tuple[Any, ...]) -> HistoryEntry:
        snapshot = LookupResult.model_validate_json(row[8]) if row[8] else None
        return HistoryEntry(
            id=row[0], at=datetime.fromisoformat(row[1]), vendor=row[2], profile=row[3],
            params=json.loads(row[4]), outcome=row[5], message=row[6], duration=row[7],
            snapshot=snapshot,
        )  # fmt: skip

    def list(
        self, *, limit: int = 200, text: str = "", vendor: str | None = None
    ) -> list[HistoryEntry]:
        """Newest first; ``text`` matches parameters, message, vendor or profile."""
        clauses, values = [], []
        if text:
            clauses.append("(params LIKE ? OR message LIKE ? OR vendor LIKE ? OR profile LIKE ?)")
            values.extend([f"%{text}%"] * 4)
        if vendor:
            clauses.append("vendor = ?")
            values.append(vendor)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self._connection.execute(
                f"SELECT * FROM lookups {where} ORDER BY id DESC LIMIT ?",  # noqa: S608 - fixed
                (*values, limit),
            ).fetchall()
        return [self._entry(row) for row in rows]

    def get(self, entry_id: int) -> HistoryEntry | None:
        with self._lock:
            row = self._connection.execute(
                "SELECT * FROM lookups WHERE id = ?", (entry_id,)
            ).fetchone()
        return self._entry(row) if row else None

    def delete(self, entry_id: int) -> None:
        with self._lock, self._connection:
            self._connection.execute("DELETE FROM lookups WHERE id = ?", (entry_id,))

    def clear(self) -> None:
        with self._lock, self._connection:
            self._connection.execute("DELETE FROM lookups")

    def prune(self, *, max_entries: int = DEFAULT_MAX_ENTRIES,
              max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> int:  # fmt: skip
        """Drop entries beyond the newest ``max_entries`` and older than ``max_age_days``."""
        oldest = (datetime.now(UTC) - timedelta(days=max_age_days)).isoformat()
        with self._lock, self._connection:
            cursor = self._connection.execute(
                "DELETE FROM lookups WHERE at < ? OR id NOT IN "
                "(SELECT id FROM lookups ORDER BY id DESC LIMIT ?)",
                (oldest, max_entries),
            )
            return cursor.rowcount

    def close(self) -> None:
        with self._lock:
            self._connection.close()
