"""Search everywhere against five simulator vendors answering with different delays."""

from __future__ import annotations

import asyncio
import contextlib
import time

from desktop.engine import LookupEngine
from desktop.search import SearchOutcome, SearchRun, plan_search
from desktop.simulator import leadsquared as ls

#: vendor -> (fault, path it applies to): the lookup request, not a token request.
DELAYS = {
    "leadsquared": ("delay:0.1", "logcallcomplete"),
    "huawei-aicc": ("delay:0.25", "queryCallInfo"),
    "huawei-isales": ("delay:0.4", "callresultdetail"),
    "oneuptime": ("delay:0.55", "get-list"),
    "verba": ("delay:5", "verba/api"),
}


def test_results_stream_in_delay_order_and_a_timeout_does_not_hold_the_others(
    engine: LookupEngine, simulator
) -> None:
    verba = engine.profiles.resolve("verba")
    engine.profiles.save(verba.model_copy(update={"timeout": 1.0}))
    for vendor, (fault, path) in DELAYS.items():
        simulator.add_fault(vendor, fault, path=path)

    async def search():
        arrivals = []
        started = time.monotonic()
        try:
            async for outcome in SearchRun(engine, plan_search(engine, ls.SUCCESS_ID)).outcomes():
                arrivals.append((outcome.vendor, outcome.state, time.monotonic() - started))
        finally:
            await engine.aclose()
        return arrivals, time.monotonic() - started

    arrivals, total = asyncio.run(search())
    print("\n".join(f"{v:<14} {s:<10} {t * 1000:6.0f} ms" for v, s, t in arrivals))
    assert [vendor for vendor, _, _ in arrivals] == list(DELAYS)
    assert arrivals[0][1] == "found"  # LeadSquared knows this request
    assert arrivals[-1][1] == "timeout"
    slowest_answer = arrivals[-2][2]
    assert slowest_answer < 0.55 + 0.6
    assert total < 1.0 + 0.8  # the timed-out vendor ends at its own 1 s timeout


def test_closing_the_search_cancels_the_lookups(engine: LookupEngine, simulator) -> None:
    for vendor in DELAYS:
        simulator.add_fault(vendor, "delay:2")

    async def first_then_stop():
        started = time.monotonic()
        stream = SearchRun(engine, plan_search(engine, ls.SUCCESS_ID)).outcomes()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stream.__anext__(), 0.3)
        await stream.aclose()
        await engine.aclose()
        return time.monotonic() - started

    assert asyncio.run(first_then_stop()) < 1.5


def _collect(
    engine: LookupEngine, run: SearchRun, cancel_after: float | None
) -> list[SearchOutcome]:
    async def go() -> list[SearchOutcome]:
        if cancel_after is not None:
            asyncio.get_running_loop().call_later(cancel_after, run.cancel)
        try:
            return [outcome async for outcome in run.outcomes()]
        finally:
            await engine.aclose()

    return asyncio.run(go())


def test_cancelling_reports_every_vendor_not_yet_answered_as_cancelled(
    engine: LookupEngine, simulator
) -> None:
    simulator.add_fault("leadsquared", "delay:0.05", path="logcallcomplete")
    for vendor in ("huawei-aicc", "huawei-isales", "oneuptime", "verba"):
        simulator.add_fault(vendor, "delay:3")
    run = SearchRun(engine, plan_search(engine, ls.SUCCESS_ID))
    started = time.monotonic()
    outcomes = _collect(engine, run, cancel_after=0.6)
    assert time.monotonic() - started < 2.0
    states = {outcome.vendor: outcome.state for outcome in outcomes}
    assert states == {"leadsquared": "found", "huawei-aicc": "cancelled",
                      "huawei-isales": "cancelled", "oneuptime": "cancelled",
                      "verba": "cancelled"}  # fmt: skip
    assert outcomes[0].vendor == "leadsquared"  # answered before the cancel, so first
    assert run.cancelled


def test_a_search_cancelled_before_it_began_reports_every_vendor(engine: LookupEngine) -> None:
    run = SearchRun(engine, plan_search(engine, ls.SUCCESS_ID))
    run.cancel()
    outcomes = _collect(engine, run, cancel_after=None)
    assert len(outcomes) == 5
    assert {outcome.state for outcome in outcomes} == {"cancelled"}


def test_profiles_not_asked_say_why(engine: LookupEngine) -> None:
    isales = engine.profiles.resolve("huawei-isales")
    engine.profiles.save(isales.model_copy(update={"settings": {}}))
    plan = plan_search(engine, " '1644464743-1388' ")
    assert plan.value == "1644464743-1388"
    asked = {prepared.vendor.key for prepared in plan.lookups}
    assert asked == {"huawei-aicc", "verba"}
    reasons = {outcome.vendor: outcome.message for outcome in plan.skipped}
    assert {outcome.state for outcome in plan.skipped} == {"skipped"}
    assert reasons["leadsquared"] == "LeadSquared does not take this kind of value (call ID)"
    assert reasons["huawei-isales"].startswith("incomplete profile: ")
    assert "vdnId" in reasons["huawei-isales"]
    assert set(reasons) == {"leadsquared", "huawei-isales", "oneuptime"}
    assert plan.skipped[0].as_row() == {
        "vendor": "leadsquared", "profile": "demo", "state": "skipped", "elapsed_ms": "",
        "message": "LeadSquared does not take this kind of value (call ID)",
    }  # fmt: skip


def test_an_extension_asks_only_the_vendor_that_takes_extensions(engine: LookupEngine) -> None:
    plan = plan_search(engine, "8856")
    assert [prepared.vendor.key for prepared in plan.lookups] == ["verba"]
    assert len(plan.skipped) == 4


def test_an_unrecognized_value_plans_nothing(engine: LookupEngine) -> None:
    plan = plan_search(engine, "a/b c")
    assert (plan.lookups, plan.skipped) == ([], [])
