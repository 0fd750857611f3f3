"""Lookup history: recorded by the engine, survives a restart, recovers from a corrupt file,
holds no secret, prunes by count and age."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path

import pytest

from desktop.core.errors import NotFoundError
from desktop.core.history import HistoryStore
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
    assert reopened.list(text="no-such")[0].id == newest.id
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


def test_prune_by_count_and_age(tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "h.sqlite3")
    for number in range(10):
        store.add(None, vendor="v", profile="p", params={"n": str(number)}, outcome="found",
                  message="", duration=0)  # fmt: skip
    assert store.prune(max_entries=4) == 6
    assert [e.params["n"] for e in store.list()] == ["9", "8", "7", "6"]
    with sqlite3.connect(tmp_path / "h.sqlite3") as raw:
        raw.execute("UPDATE lookups SET at = '2000-01-01T00:00:00+00:00' WHERE id < 9")
    assert store.prune(max_age_days=30) >= 1


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
