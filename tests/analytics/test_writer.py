"""The writer process of a big period load: its errors come back as themselves, its end is
said in words, a cancelled load stops it, and it starts without the vendor and HTTP stack."""

from __future__ import annotations

import asyncio
import math
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from desktop.analytics import loader as loader_module
from desktop.analytics.cache import AttemptCache, CachedAttempt
from desktop.analytics.loader import PeriodLoader
from desktop.analytics.period import period_from_texts
from desktop.analytics.writer import WriterProcess, WriterProcessError, _answerable
from desktop.engine import LookupEngine
from desktop.simulator import oneuptime as sim
from desktop.vendors.oneuptime import PeriodItem, period_item
from tests.analytics import dataset as ds
from tests.analytics.dataset import local_zone  # noqa: F401 - fixture

ANYWHEN = (-math.inf, math.inf)


def item(tag: str, user: str | None = None) -> PeriodItem:
    fields: dict[str, Any] = {"_id": tag, "startedAt": "2025-01-06T09:00:00.000Z"}
    if user:
        fields |= {"userId": user, "user": {"_id": user, "name": f"name of {user}"}}
    return period_item(fields)


def test_a_period_item_is_a_cached_attempt_and_a_user_name() -> None:
    """The writer reads an item by position: ``CachedAttempt``'s fields, then the name."""
    assert PeriodItem._fields == (*CachedAttempt._fields, "user_name")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    AttemptCache(tmp_path / "attempts.sqlite3").close()
    return tmp_path / "attempts.sqlite3"


def test_what_the_child_writes_is_in_the_cache(path: Path) -> None:
    writer = WriterProcess(path, "source", ANYWHEN)
    assert writer.store([item("a1", "u1"), item("a2")], 7, False) == 0
    assert writer.refresh(None) > 0
    writer.close()
    cache = AttemptCache(path)
    assert cache.rows("SELECT id, sweep FROM attempt ORDER BY id") == [("a1", 7), ("a2", 7)]
    assert cache.user_names("source") == {"u1": "name of u1"}
    cache.close()


def test_attempts_outside_the_period_are_counted_and_left_out(path: Path) -> None:
    started = item("a1").started
    assert started is not None
    writer = WriterProcess(path, "source", (started + 1, math.inf))
    assert writer.store([item("a1"), item("a2")], 0, False) == 2
    writer.close()
    cache = AttemptCache(path)
    assert cache.rows("SELECT id FROM attempt") == []
    cache.close()


def test_an_error_in_the_child_is_raised_here_as_itself(path: Path) -> None:
    writer = WriterProcess(path, "source", ANYWHEN)
    broken = (None, *item("a1")[1:])  # no attempt ID: the cache's NOT NULL refuses it
    with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
        writer.store([broken], 0, False)
    assert writer.store([item("a2")], 0, False) == 0  # the child goes on serving
    writer.close()


class TwoPartError(Exception):
    """Pickles, but does not unpickle: its one argument comes back to a two-argument init."""

    def __init__(self, first: str, second: str) -> None:
        super().__init__(f"{first} and {second}")


def test_an_error_that_cannot_travel_comes_as_text() -> None:
    sent = _answerable(TwoPartError("this", "that"))
    assert type(sent) is RuntimeError
    assert str(sent) == "TwoPartError: this and that"
    error = sqlite3.OperationalError("database or disk is full")
    assert _answerable(error) is error


def test_a_child_that_died_is_said_in_words(path: Path) -> None:
    writer = WriterProcess(path, "source", ANYWHEN)
    writer._child.kill()
    writer._child.wait()
    with pytest.raises(WriterProcessError, match=r"stopped \(exit code -9\); the load was not"):
        writer.store([item("a1")], 0, False)
    writer.close()


def test_the_child_does_not_import_the_vendor_or_http_stack() -> None:
    """It starts while the first pages are fetched: the cache's modules take ~50 ms, the vendor
    module with httpx and pydantic ~600 ms."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, desktop.analytics.writer; "
         "print(sorted(m for m in ('httpx', 'pydantic', 'desktop.vendors.oneuptime', 'PySide6')"
         " if m in sys.modules))"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert loaded.stdout.strip() == "[]"


@pytest.mark.usefixtures("local_zone")
def test_a_cancelled_load_stops_its_writer_process(
    simulator: Any, engine: LookupEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    children: list[WriterProcess] = []

    class Recorded(WriterProcess):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            children.append(self)

    monkeypatch.setattr(loader_module, "WRITER_PROCESS_FROM", 0)
    monkeypatch.setattr(loader_module, "WriterProcess", Recorded)
    sim.seed_attempts(simulator.vendors["oneuptime"], ds.one_call_attempts(250))
    simulator.add_fault("oneuptime", "delay:0")  # the first page comes at once,
    simulator.add_fault("oneuptime", "delay:2", count=2)  # the others while the load is cancelled
    cache = AttemptCache(tmp_path / "attempts.sqlite3")

    async def go() -> None:
        loader = PeriodLoader(engine, cache, None)
        load = asyncio.ensure_future(loader.load(period_from_texts(ds.FROM_DATE, ds.TO_DATE)))
        while not children:
            await asyncio.sleep(0.01)
        load.cancel()
        with pytest.raises(asyncio.CancelledError):
            await load
        await engine.aclose()

    try:
        asyncio.run(go())
        assert children[0]._child.returncode is not None  # stopped and waited for
    finally:
        cache.close()


def test_the_child_runs_this_package_whatever_the_working_directory_holds(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stranger = tmp_path / "elsewhere" / "desktop"
    stranger.mkdir(parents=True)
    (stranger / "__init__.py").write_text("raise SystemExit('another desktop package')\n")
    monkeypatch.chdir(stranger.parent)
    writer = WriterProcess(path, "source", ANYWHEN)
    assert writer.store([item("a1")], 0, False) == 0
    writer.close()


@pytest.mark.usefixtures("local_zone")
@pytest.mark.parametrize("python", ["/nonexistent/python3", "/bin/false"])
def test_a_writer_process_that_does_not_start_leaves_the_writing_here(
    python: str,
    simulator: Any,
    engine: LookupEngine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """No such executable (an embedded Python), or one that exits at once: the load completes,
    written in this process, and the log says why."""
    monkeypatch.setattr(loader_module, "WRITER_PROCESS_FROM", 0)
    monkeypatch.setattr(sys, "executable", python)
    sim.seed_attempts(simulator.vendors["oneuptime"], ds.ATTEMPTS)
    cache = AttemptCache(tmp_path / "attempts.sqlite3")
    try:
        assert ds.load(engine, cache).total == len(cache.rows("SELECT id FROM attempt")) == 7
    finally:
        cache.close()
    assert "writer process did not start" in caplog.text
