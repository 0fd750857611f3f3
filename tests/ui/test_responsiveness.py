"""The window keeps breathing while lookups meet slow, broken and huge answers."""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import QTimer

from desktop.simulator import leadsquared as sim

#: A gap this long means the loop was blocked (a slow body read on the UI thread blocks for
#: seconds), not that a shared machine was busy. The 50 ms stall target is a benchmark figure
#: (tests/benchmarks), never a wall-clock assertion: these tests print the gap they saw.
FROZEN_SECONDS = 0.5


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
            outcomes.append(f"{fault}: {tab.outcome_state}")
        await asyncio.sleep(0.05)
        gaps.timer.stop()
        return outcomes

    outcomes = run_async(scenario())
    print("\n".join(outcomes), f"\nlargest event-loop gap: {gaps.largest * 1000:.1f} ms")
    assert outcomes[0] == "slowbody:1: success"
    assert all(line.endswith("error") for line in outcomes[2:])
    assert gaps.largest < FROZEN_SECONDS


def test_event_loop_never_stalls_while_10000_attempts_load(
    window, run_async, qt_loop, qtbot
) -> None:
    from desktop.simulator import oneuptime as ou

    tab = window.vendor_tabs["oneuptime"]
    tab.form.set_values({"incomingCallLogId": ou.CALL_100K})
    tab.lookup_button.click()
    run_async(tab.current_task)
    panel = tab.attempts
    assert panel is not None
    gaps = TickGaps()

    async def load_10000() -> None:
        gaps.start()
        while panel.model.rowCount() < 10_000:
            panel.model.fetchMore()
            task = panel._page_task
            assert task is not None
            await task
        gaps.timer.stop()

    qt_loop.run_until_complete(asyncio.wait_for(load_10000(), 120))
    print(f"\n10,000 attempts loaded; largest event-loop gap: {gaps.largest * 1000:.1f} ms")
    assert panel.model.rowCount() == 10_000
    # The count follows pages at most every 250 ms; the last page's shows within that.
    qtbot.waitUntil(lambda: panel.count_label.text() == "10,000 of 100,000 loaded", timeout=1000)
    assert gaps.largest < FROZEN_SECONDS
