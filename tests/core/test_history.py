"""Lookup history: recorded by the engine, survives a restart, recovers from a corrupt file,
holds no secret, prunes by count and age."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.core.errors import HistoryError, InvalidInputError, NotFoundError
from desktop.core.history import (
    DEFAULT_MAX_AGE_DAYS,
    DEFAULT_MAX_ENTRIES,
    LIST_LIMIT_RANGE,
    MAX_ENTRIES_RANGE,
    SCHEMA_VERSION,
    HistoryQuery,
    HistoryStore,
    Retention,
    known_outcomes,
)
from desktop.engine import LookupEngine
from desktop.simulator import leadsquared as ls


def _lookups(engine: LookupEngine, *ids: str) -> None:
    async def go():
        try:
            for request_id in ids:
                with contextlib.suppress(NotFoundError):
                    await engine.lookup("leadsquared", {"RequestId": request_id})
        finally:
            await engine.aclose()

    asyncio.run(go())


def test_every_lookup_is_recorded_and_survives_a_restart(engine, tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    engine.history = HistoryStore(path)
    _lookups(engine, ls.SUCCESS_ID, "no-such-request")
    engine.history.close()
    reopened = HistoryStore(path)
    newest, oldest = reopened.list()
    assert (oldest.outcome, newest.outcome) == ("found", "not found")
    assert oldest.params == {"RequestId": ls.SUCCESS_ID}
    assert oldest.snapshot is not None
    assert oldest.snapshot.calls[0].value("SourceNumber") == "8077128602"
    assert reopened.list(HistoryQuery(text="no-such"))[0].id == newest.id
    reopened.delete(newest.id)
    assert [e.id for e in reopened.list()] == [oldest.id]
    reopened.clear()
    assert reopened.list() == []


def test_no_secret_reaches_the_database(engine, tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    engine.history = HistoryStore(path)
    _lookups(engine, ls.SUCCESS_ID)
    engine.history.close()
    for file in tmp_path.iterdir():
        assert ls.DEMO_API_KEY.encode() not in file.read_bytes()


def test_a_corrupt_file_is_moved_aside_with_a_message(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    store = HistoryStore(path)
    assert store.recovery_message is not None
    assert "moved to" in store.recovery_message
    assert list(tmp_path.glob("history.sqlite3.corrupt-*"))
    assert store.list() == []
    store.add(None, vendor="v", profile="p", params={}, outcome="found", message="", duration=0)
    assert len(store.list()) == 1


def _add(store: HistoryStore, count: int = 1, **fields: str) -> None:
    for number in range(count):
        entry = {"vendor": "v", "profile": "p", "outcome": "found", "message": "", **fields}
        store.add(None, params={"n": str(number)}, duration=0, **entry)


def test_prune_by_count_and_age(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    _add(store, 10)
    assert store.set_retention(max_entries=4) == (Retention(max_entries=4), 6)
    assert [e.params["n"] for e in store.list()] == ["9", "8", "7", "6"]
    with sqlite3.connect(tmp_path / "h.sqlite3") as raw:
        raw.execute("UPDATE lookups SET at = '2000-01-01T00:00:00+00:00' WHERE id < 9")
    retention, removed = store.set_retention(max_age_days=30)
    assert (retention, removed) == (Retention(max_entries=4, max_age_days=30), 2)
    assert [e.params["n"] for e in store.list()] == ["9", "8"]


def test_retention_is_kept_in_the_file_and_every_write_prunes_by_it(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    assert store.retention() == Retention(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_AGE_DAYS)
    store.set_retention(max_entries=3, max_age_days=7)
    store.close()
    other = HistoryStore(path)  # another process: the CLI beside the app
    assert other.retention() == Retention(max_entries=3, max_age_days=7)
    _add(other, 5)
    assert [e.params["n"] for e in other.list()] == ["4", "3", "2"]
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE lookups SET at = '2000-01-01T00:00:00+00:00'")
    _add(other, 1)
    assert len(other.list()) == 1  # the write pruned the old ones too


def test_retention_out_of_range_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    for changes in ({"max_entries": 0}, {"max_age_days": 0}, {"max_age_days": 100_000},
                    {"max_entries": MAX_ENTRIES_RANGE[1] + 1}):  # fmt: skip
        with pytest.raises(InvalidInputError):
            store.set_retention(**changes)
    assert store.retention() == Retention()


def test_a_file_of_the_first_release_is_migrated_in_place(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as raw:  # the schema as the first release wrote it
        raw.executescript(
            "CREATE TABLE lookups (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, "
            "vendor TEXT NOT NULL, profile TEXT NOT NULL, params TEXT NOT NULL, "
            "outcome TEXT NOT NULL, message TEXT NOT NULL, duration REAL NOT NULL, "
            "snapshot TEXT); CREATE INDEX lookups_at ON lookups(at);"
        )
        raw.execute(
            "INSERT INTO lookups (at, vendor, profile, params, outcome, message, duration) "
            "VALUES (?, 'verba', 'default', '{\"extension\": \"8856\"}', 'found', 'ok', 0.1)",
            (datetime.now(UTC).isoformat(),),
        )
    raw.close()
    store = HistoryStore(path)
    assert store.recovery_message is None
    assert [(e.vendor, e.params) for e in store.list()] == [("verba", {"extension": "8856"})]
    assert store.retention() == Retention()
    store.set_retention(max_entries=20)
    store.close()
    assert HistoryStore(path).retention().max_entries == 20
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    raw.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("100%", ["100% done"]),
        ("a_b", ["a_b"]),
        ("c\\d", ["c\\d"]),
        ("\\%", ["\\%x"]),
        ("%", ["100% done", "\\%x"]),
        ("_", ["a_b"]),
        ("AXB", ["axb"]),  # still case-insensitive
    ],
)
def test_text_search_is_literal(tmp_path: Path, text: str, expected: list[str]) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    for message in ("100% done", "1000 done", "a_b", "axb", "c\\d", "cxd", "\\%x"):
        _add(store, message=message)
    assert sorted(e.message for e in store.list(HistoryQuery(text=text))) == sorted(expected)


def test_text_search_matches_the_parameters_as_shown(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store.add(None, vendor="v", profile="p", params={"number": "+49 (30) ü_1"},
              outcome="found", message="", duration=0)  # fmt: skip
    for text in ("number=+49 (30) ü_1", "ü_1", "49 (30"):
        assert len(store.list(HistoryQuery(text=text))) == 1, text
    assert store.list(HistoryQuery(text="ü%1")) == []


def test_vendor_and_outcome_filters(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    _add(store, vendor="verba", outcome="found", message="a")
    _add(store, vendor="verba", outcome="timeout", message="b")
    _add(store, vendor="oneuptime", outcome="timeout", message="c")

    def messages(
        vendor: str | None = None, outcome: str | None = None, text: str = ""
    ) -> list[str]:
        query = HistoryQuery(text=text, vendor=vendor, outcome=outcome)
        return [e.message for e in store.list(query)]

    assert messages(vendor="verba") == ["b", "a"]
    assert messages(outcome="timeout") == ["c", "b"]
    assert messages(vendor="verba", outcome="timeout") == ["b"]
    assert messages(vendor="verba", outcome="timeout", text="c") == []
    assert messages(vendor="huawei-aicc") == []


def test_known_outcomes_name_every_vendor_error_kind() -> None:
    outcomes = known_outcomes()
    assert outcomes[:2] == ["found", "not found"]
    assert outcomes[-1] == "cancelled"
    assert {"timeout", "bad credentials", "unavailable", "error"} <= set(outcomes)
    assert len(outcomes) == len(set(outcomes))


@pytest.mark.parametrize("limit", [0, -1, LIST_LIMIT_RANGE[1] + 1, 2**70])
def test_a_limit_out_of_range_is_invalid_input(limit: int) -> None:
    with pytest.raises(InvalidInputError):
        HistoryQuery(limit=limit)


def test_a_snapshot_an_older_version_wrote_does_not_hide_the_entry(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    _add(store, message="old")
    with sqlite3.connect(tmp_path / "h.sqlite3") as raw:
        raw.execute("""UPDATE lookups SET snapshot = '{"shape": "of long ago"}'""")
    raw.close()
    (entry,) = store.list()
    assert (entry.message, entry.snapshot) == ("old", None)


# -- what goes wrong with the file: one HistoryError, with a sentence ------------------------
def test_a_locked_history_is_a_history_error_and_the_entry_can_be_written_later(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path, busy_timeout=0.1)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program is writing
    with pytest.raises(HistoryError) as caught:
        _add(store)
    assert caught.value.kind == "locked"
    assert "locked" in caught.value.message
    assert str(path) in caught.value.message
    assert len(store.list()) == 0  # reading still works under WAL
    other.execute("ROLLBACK")
    other.close()
    _add(store)
    assert len(store.list()) == 1


def test_a_locked_file_at_start_is_not_mistaken_for_a_damaged_one(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    with sqlite3.connect(path) as raw:  # a first-release file in rollback-journal mode
        raw.execute("CREATE TABLE lookups (id INTEGER PRIMARY KEY)")
        raw.execute("INSERT INTO lookups (id) VALUES (1)")
    raw.close()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    with pytest.raises(HistoryError) as caught:
        HistoryStore(path, busy_timeout=0.1)
    other.execute("ROLLBACK")
    other.close()
    assert caught.value.kind == "locked"
    assert not list(tmp_path.glob("*.corrupt-*"))  # the file stays where it is, untouched
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM lookups").fetchone()[0] == 1
    raw.close()


def test_a_full_disk_is_a_history_error(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    connection = store._connection  # SQLite's own "database or disk is full", for real
    pages = connection.execute("PRAGMA page_count").fetchone()[0]
    connection.execute(f"PRAGMA max_page_count = {pages}")
    with pytest.raises(HistoryError) as caught:
        _add(store, message="x" * 100_000)
    assert caught.value.kind == "disk full"
    assert "the disk is full" in caught.value.message
    assert store.list() == []


def test_a_read_only_history_is_a_history_error(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    store._connection.execute("PRAGMA query_only = ON")  # root ignores file modes: ask SQLite
    with pytest.raises(HistoryError) as caught:
        store.clear()
    assert caught.value.kind == "permission denied"
    assert "could not be cleared" in caught.value.message


def test_a_data_dir_that_cannot_be_created_is_a_history_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "data"))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(HistoryError) as caught:
        HistoryStore(tmp_path / "data" / "h.sqlite3")
    assert caught.value.kind == "permission denied"
    assert "could not be opened: permission denied" in caught.value.message


def test_a_file_damaged_while_open_is_a_history_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    _add(store, 50, message="x" * 500)
    store.close()
    data = bytearray(path.read_bytes())
    data[4096:] = b"\xff" * (len(data) - 4096)  # every page but the first is garbage
    path.write_bytes(bytes(data))
    # As if opened before the damage (its check passed then), with nothing cached.
    store._connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    with pytest.raises(HistoryError) as caught:
        store.list()
    assert caught.value.kind == "corrupt"
    assert "moved aside at the next start" in caught.value.message
    store.close()
    recovered = HistoryStore(path)  # ... and so it is
    assert recovered.recovery_message is not None
    assert recovered.list() == []


def test_a_damaged_file_that_cannot_be_moved_aside_is_a_history_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database" * 100)

    def refuse(*_args: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "replace", refuse)
    with pytest.raises(HistoryError) as caught:
        HistoryStore(path)
    assert caught.value.kind == "permission denied"


def test_wal_journal(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    with sqlite3.connect(tmp_path / "h.sqlite3") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


@pytest.mark.parametrize(
    ("value", "kinds"),
    [
        ("6697028b-01a1-4f71-9afc-7b4723eb9d02", ["request_id", "call_id"]),
        ("8856", ["extension"]),
        ("+1 555 012 3456", ["phone_number"]),
        ("1644464743-1388", ["call_id"]),
        ("a/b c", []),
    ],
)
def test_classify(value: str, kinds: list[str]) -> None:
    from desktop.search import classify

    assert [kind.value for kind in classify(value)] == kinds


def test_a_history_that_cannot_be_written_never_fails_the_lookup(
    engine: LookupEngine, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite3"
    engine.history = HistoryStore(path, busy_timeout=0.1)
    told: list[HistoryError | None] = []
    engine.history_listeners.append(lambda: told.append(engine.history_error))
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    _lookups(engine, ls.SUCCESS_ID)  # found, though not recorded
    other.execute("ROLLBACK")
    other.close()
    assert len(told) == 1
    assert told[0] is not None
    assert told[0].kind == "locked"
    _lookups(engine, ls.SUCCESS_ID)
    assert told[1:] == [None]
    assert engine.history_error is None
    assert len(engine.history.list()) == 1


@pytest.mark.parametrize(
    ("column", "bad_value"),
    [
        ("at", "yesterday"),
        ("duration", "abc"),
        ("params", "not json"),
        ("params", "[1, 2]"),
        ("params", '{"n": 1}'),
    ],
)
def test_a_row_with_a_bad_value_is_skipped_and_counted(
    tmp_path: Path, column: str, bad_value: object
) -> None:
    """Written by another program (or by hand) through real SQLite: the other rows still list."""
    path = tmp_path / "h.sqlite3"
    store = HistoryStore(path)
    for number in range(3):
        store.add(None, vendor="verba", profile="demo", params={"n": str(number)},
                  outcome="found", message=f"m{number}", duration=0.5)  # fmt: skip
    other = sqlite3.connect(path, isolation_level=None)
    other.execute(f"UPDATE lookups SET {column} = ? WHERE message = 'm1'", (bad_value,))
    other.close()
    listing = store.list()
    assert [entry.message for entry in listing] == ["m2", "m0"]
    assert listing.skipped == 1
    assert listing.skipped_note == "1 entry could not be read and was skipped."
    assert [entry.message for entry in store.list(HistoryQuery(text="m"))] == ["m2", "m0"]
    store.close()
