"""Vendor x fault: every cell ends, within the profile's timeout, in the expected outcome, shown
in the tab, with no unhandled exception and the window responsive throughout.

One test per registered vendor, Ringbook (the tests' own vendor with attempts) among them: its
fixture registers it and serves every registered vendor from a fresh simulator. The matrix is
printed in the test log (run with -s, or read it in the captured output).
"""

from __future__ import annotations

import asyncio
import time

import pytest

from desktop.core.errors import VendorError
from desktop.simulator.server import Simulator
from desktop.vendors import vendor_keys
from tests.support import attempt_vendor
from tests.ui.test_responsiveness import FROZEN_SECONDS, TickGaps

TIMEOUT_SECONDS = 1.0
ANY_ERROR = frozenset({"*"})
RESULT_OR_ERROR = frozenset({"found", "*"})

#: fault -> (how many requests it hits: enough to outlast retries, allowed outcomes).
FAULT_EXPECTATIONS: dict[str, tuple[int, frozenset[str]]] = {
    "status:401": (3, frozenset({"bad credentials"})),
    "status:403": (3, frozenset({"forbidden", "bad credentials"})),
    "status:404": (3, frozenset({"not found"})),
    "status:429": (3, frozenset({"rate limited"})),
    "status:500": (3, frozenset({"unavailable"})),
    "status:502": (3, frozenset({"unavailable"})),
    "status:503": (3, frozenset({"unavailable"})),
    "delay:2": (3, frozenset({"timeout"})),
    "slowbody:3": (3, frozenset({"timeout"})),
    "reset": (3, frozenset({"unavailable"})),
    "cutbody": (3, frozenset({"unavailable"})),
    "truncated": (3, frozenset({"bad response"})),
    "html": (3, frozenset({"bad response"})),
    # A right body under a wrong label: JSON vendors refuse it, the XML one may read it.
    "content-type:text/html": (3, frozenset({"bad response", "found"})),
    "huge": (3, frozenset({"bad response"})),
    "xmlbomb": (3, frozenset({"bad response"})),
    "mutate:types": (3, RESULT_OR_ERROR),
    "mutate:missing": (3, RESULT_OR_ERROR),
    "mutate:extra": (3, RESULT_OR_ERROR),
}

#: Every vendor the registry holds while the matrix runs: the built-in ones, and Ringbook.
MATRIX_VENDORS = (*vendor_keys(), attempt_vendor.KEY)


@pytest.fixture
def simulator(attempt_vendor_simulator: Simulator) -> Simulator:
    return attempt_vendor_simulator


@pytest.mark.parametrize("vendor_key", MATRIX_VENDORS)
def test_fault_matrix(window, simulator, qt_loop, failures, vendor_key: str) -> None:
    for profile in window.engine.profiles.list():
        window.engine.profiles.save(profile.model_copy(update={"timeout": TIMEOUT_SECONDS}))
    gaps = TickGaps()
    rows: list[str] = []
    wrong: list[str] = []

    async def one_cell(vendor_key: str, fault: str) -> tuple[str, float]:
        tab = window.vendor_tabs[vendor_key]
        window.engine.tokens.clear()  # each cell starts cold: token requests meet the fault too
        simulator.reset()
        count, _allowed = FAULT_EXPECTATIONS[fault]
        simulator.add_fault(vendor_key, fault, count=count)
        tab.form.set_values(simulator.vendors[vendor_key].demo.sample_inputs)
        started = time.monotonic()
        tab.lookup_button.click()
        task = tab.current_task
        assert task is not None, tab.outcome.text()
        await task
        elapsed = time.monotonic() - started
        error = tab.last_error
        if error is None:
            return "found", elapsed
        return (error.kind if isinstance(error, VendorError) else type(error).__name__), elapsed

    async def matrix() -> None:
        gaps.start()
        for fault, (_count, allowed) in FAULT_EXPECTATIONS.items():
            outcome, elapsed = await one_cell(vendor_key, fault)
            rows.append(f"{vendor_key:<14} {fault:<24} {outcome:<16} {elapsed * 1000:6.0f} ms")
            fits = (
                outcome in allowed
                or ("*" in allowed and outcome != "found")
                or ("found" in allowed and outcome == "found")
            )
            if not fits or elapsed > TIMEOUT_SECONDS + 1.0:
                wrong.append(rows[-1] + f"   expected {sorted(allowed)}")
        await asyncio.sleep(0.05)
        gaps.timer.stop()

    qt_loop.run_until_complete(matrix())
    print("\nvendor         fault                    outcome          elapsed")
    print("\n".join(rows))
    print(f"largest event-loop gap: {gaps.largest * 1000:.1f} ms")
    assert not wrong, "unexpected cells:\n" + "\n".join(wrong)
    assert gaps.largest < FROZEN_SECONDS
    assert not failures


@pytest.mark.parametrize("fault", sorted(FAULT_EXPECTATIONS))
def test_every_fault_word_is_known_to_the_simulator(simulator, fault) -> None:
    simulator.add_fault(next(iter(simulator.vendors)), fault)
