"""Search everywhere against five simulator vendors answering with different delays."""

from __future__ import annotations

import asyncio
import contextlib
import time

from desktop.engine import LookupEngine
from desktop.search import search_everywhere
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
            async for outcome in search_everywhere(engine, ls.SUCCESS_ID):
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
        stream = search_everywhere(engine, ls.SUCCESS_ID)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stream.__anext__(), 0.3)
        await stream.aclose()
        await engine.aclose()
        return time.monotonic() - started

    assert asyncio.run(first_then_stop()) < 1.5
