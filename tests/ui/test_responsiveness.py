"""The window keeps breathing while lookups meet slow, broken and huge answers."""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import QTimer

from desktop.simulator import leadsquared as sim

MAX_GAP_SECONDS = 0.050


class TickGaps:
    """Largest gap between ticks of a 10 ms timer: how long the event loop was blocked."""

    def __init__(self) -> None:
        self.largest = 0.0
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)

    def _tick(self) -> None:
        now = time.perf_counter()
        self.largest = max(self.largest, now - self._last)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()


def test_event_loop_never_stalls_during_faulty_lookups(window, simulator, run_async) -> None:
    tab = window.vendor_tabs["leadsquared"]
    faults = ["slowbody:1", "delay:0.5", "huge", "cutbody", "truncated", "status:500", "html"]
    gaps = TickGaps()

    async def scenario() -> list[str]:
        gaps.start()
        await asyncio.sleep(0.05)
        outcomes = []
        for fault in faults:
            simulator.add_fault("leadsquared", fault)
            tab.form.set_values({"RequestId": sim.SUCCESS_ID})
            tab.lookup_button.click()
            await tab.current_task
            outcomes.append(f"{fault}: {tab.outcome.property('state')}")
        await asyncio.sleep(0.05)
        gaps.timer.stop()
        return outcomes

    outcomes = run_async(scenario())
    print("\n".join(outcomes), f"\nlargest event-loop gap: {gaps.largest * 1000:.1f} ms")
    assert outcomes[0] == "slowbody:1: success"
    assert all(line.endswith("error") for line in outcomes[2:])
    assert gaps.largest < MAX_GAP_SECONDS
