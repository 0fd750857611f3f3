"""The lookup engine on its own: validation before sending, history of every outcome, the
deadline, cancellation, and the attempts service it hands out. Real HTTP to the simulator and a
real SQLite history; no UI, no CLI."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from desktop.core.errors import (
    ConfigurationError,
    InvalidInputError,
    NotFoundError,
    VendorTimeoutError,
)
from desktop.core.history import HistoryEntry, HistoryStore
from desktop.core.outcome import Outcome
from desktop.core.profiles import Profile
from desktop.engine import LookupEngine
from desktop.simulator import leadsquared as lsq_sim
from desktop.simulator import oneuptime as oneuptime_sim
from desktop.simulator.registry import DEMO_PROFILE_NAME, demo_profiles
from desktop.simulator.server import Simulator

_T = TypeVar("_T")
UNKNOWN_REQUEST = "11111111-2222-4333-8444-555555555555"


def run(engine: LookupEngine, work: Callable[[], Awaitable[_T]]) -> _T:
    async def go() -> _T:
        try:
            return await work()
        finally:
            await engine.aclose()

    return asyncio.run(go())


@pytest.fixture
def recorded(simulator: Simulator, tmp_path) -> LookupEngine:
    """An engine on the demo profiles that records its lookups in a real history file."""
    profiles, secrets = demo_profiles(simulator)
    return LookupEngine(profiles, secrets, HistoryStore(tmp_path / "history.sqlite3"))


def history_of(engine: LookupEngine) -> list[HistoryEntry]:
    assert engine.history is not None
    return list(engine.history.list())


def with_timeout(engine: LookupEngine, vendor: str, seconds: float) -> None:
    profile = engine.profiles.resolve(vendor, DEMO_PROFILE_NAME)
    engine.profiles.save(profile.model_copy(update={"timeout": seconds}))


def test_prepare_validates_without_sending(recorded: LookupEngine, simulator: Simulator) -> None:
    prepared = recorded.prepare("leadsquared", {"RequestId": f"  {lsq_sim.SUCCESS_ID} "})
    assert prepared.vendor.key == "leadsquared"
    assert prepared.profile.name == DEMO_PROFILE_NAME
    assert prepared.params == {"RequestId": lsq_sim.SUCCESS_ID}
    with pytest.raises(InvalidInputError) as caught:
        recorded.prepare("leadsquared", {"RequestId": "not a request id"})
    assert caught.value.field == "RequestId"
    with pytest.raises(ConfigurationError, match="Unknown vendor 'nobody'"):
        recorded.prepare("nobody", {})
    with pytest.raises(ConfigurationError, match="elsewhere"):
        recorded.prepare("leadsquared", {"RequestId": lsq_sim.SUCCESS_ID}, "elsewhere")
    assert simulator.request_counts.get("leadsquared", 0) == 0
    assert history_of(recorded) == []


def test_run_records_each_outcome_and_tells_the_listeners(recorded: LookupEngine) -> None:
    told: list[int] = []
    recorded.history_listeners.append(lambda: told.append(len(history_of(recorded))))

    async def two_lookups() -> NotFoundError:
        found = await recorded.lookup("leadsquared", {"RequestId": lsq_sim.SUCCESS_ID})
        assert found.elapsed_seconds is not None and found.elapsed_seconds > 0
        with pytest.raises(NotFoundError) as caught:
            await recorded.lookup("leadsquared", {"RequestId": UNKNOWN_REQUEST})
        return caught.value

    missing = run(recorded, two_lookups)
    newest, oldest = history_of(recorded)
    assert (oldest.outcome, oldest.params) == (Outcome.FOUND, {"RequestId": lsq_sim.SUCCESS_ID})
    assert oldest.snapshot is not None
    assert (newest.outcome, newest.message) == (missing.kind, missing.describe())
    assert newest.snapshot is None
    assert told == [1, 2]
    assert recorded.history_error is None


def test_a_lookup_ends_at_the_profiles_deadline(
    recorded: LookupEngine, simulator: Simulator
) -> None:
    with_timeout(recorded, "leadsquared", 0.5)
    simulator.add_fault("leadsquared", "delay:5")
    prepared = recorded.prepare("leadsquared", {"RequestId": lsq_sim.SUCCESS_ID})

    async def timed() -> float:
        started = asyncio.get_running_loop().time()
        with pytest.raises(VendorTimeoutError, match=r"within 0\.5 s"):
            await recorded.run(prepared)
        return asyncio.get_running_loop().time() - started

    assert run(recorded, timed) < 2.5  # 0.5 s and a margin for a busy machine, never the 5 s
    (entry,) = history_of(recorded)
    assert entry.outcome == VendorTimeoutError.kind


def test_a_cancelled_lookup_is_recorded_as_cancelled(
    recorded: LookupEngine, simulator: Simulator
) -> None:
    simulator.add_fault("leadsquared", "delay:5")
    prepared = recorded.prepare("leadsquared", {"RequestId": lsq_sim.SUCCESS_ID})

    async def cancel_when_sent() -> None:
        task = asyncio.create_task(recorded.run(prepared))
        while not simulator.request_counts.get("leadsquared"):
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    run(recorded, cancel_when_sent)
    (entry,) = history_of(recorded)
    assert (entry.outcome, entry.message) == (Outcome.CANCELLED, "cancelled by the user")


def test_the_attempts_service_pages_counts_and_lists_everything(engine: LookupEngine) -> None:
    prepared = engine.prepare("oneuptime", {"incomingCallLogId": oneuptime_sim.CALL_250})
    assert engine.attempts.source(prepared.vendor) is not None

    async def scenario() -> tuple[int, int, int, int]:
        first = await engine.run(prepared)
        page = await engine.attempts.page(prepared, skip=240, limit=20)
        counted = await engine.attempts.count(prepared)
        everything = await engine.attempts.remaining(prepared, first)
        ids = {attempt.attempt_id for attempt in everything.attempts}
        return len(first.attempts), len(page.attempts), counted, len(ids)

    first, last_page, counted, listed = run(engine, scenario)
    assert (counted, listed, last_page) == (250, 250, 10)
    assert first < 250


def test_the_attempts_service_refuses_before_sending(
    engine: LookupEngine, simulator: Simulator
) -> None:
    lookup_only = engine.prepare("leadsquared", {"RequestId": lsq_sim.SUCCESS_ID})
    assert engine.attempts.source(lookup_only.vendor) is None

    async def refusals() -> None:
        with pytest.raises(ConfigurationError, match="LeadSquared does not list attempts"):
            await engine.attempts.page(lookup_only, skip=0)
        with pytest.raises(ConfigurationError, match="LeadSquared attempts cannot be edited"):
            await engine.attempts.delete("leadsquared", None, lsq_sim.SUCCESS_ID)
        with pytest.raises(InvalidInputError, match="Nothing to change"):
            await engine.attempts.update("oneuptime", None, oneuptime_sim.SMALL_CALL, {})
        with pytest.raises(InvalidInputError):
            await engine.attempts.delete("oneuptime", None, "not-an-attempt-id")
        with pytest.raises(InvalidInputError):
            await engine.attempts.create("oneuptime", None, {"status": "Ringing"})

    run(engine, refusals)
    assert simulator.request_counts.get("oneuptime", 0) == 0
    assert simulator.request_counts.get("leadsquared", 0) == 0


def test_the_attempts_service_creates_changes_and_deletes(engine: LookupEngine) -> None:
    call = {"incomingCallLogId": oneuptime_sim.SMALL_CALL}

    async def scenario() -> tuple[str, str | None, int]:
        created = await engine.attempts.create("oneuptime", None, {**call, "status": "Ringing"})
        await engine.attempts.update("oneuptime", None, created, {"status": "Completed"})
        changed = await engine.lookup("oneuptime", {"_id": created})
        await engine.attempts.delete("oneuptime", None, created)
        listed = await engine.lookup("oneuptime", call)
        return created, changed.attempts[0].status, listed.attempts_total or 0

    created, status, total = run(engine, scenario)
    assert created
    assert status == "Completed"
    assert total == 6  # the six the simulator starts with: the new one is gone again


def test_an_edit_changes_only_the_fields_it_names(engine: LookupEngine) -> None:
    answered = f"{oneuptime_sim.SMALL_CALL[:24]}{5:012d}"  # the simulator's answered attempt

    async def scenario() -> tuple[str | None, bool | None]:
        await engine.attempts.update("oneuptime", None, answered, {"status": "Completed"})
        changed = (await engine.lookup("oneuptime", {"_id": answered})).attempts[0]
        return changed.status, changed.is_answered

    assert run(engine, scenario) == ("Completed", True)


def test_profiles_are_resolved_per_operation(engine: LookupEngine) -> None:
    """A profile saved after the engine was made is the one the next operation uses."""
    demo = engine.profiles.resolve("oneuptime", DEMO_PROFILE_NAME)
    engine.profiles.save(Profile(**{**demo.model_dump(), "name": "second"}))
    prepared = engine.prepare(
        "oneuptime", {"incomingCallLogId": oneuptime_sim.SMALL_CALL}, "second"
    )
    assert prepared.profile.name == "second"
    with pytest.raises(ConfigurationError, match="no ApiKey set"):
        run(engine, lambda: engine.attempts.count(prepared))
