"""Waiting for a condition instead of for a time: a fixed sleep is too short on a busy machine
and wastes time on a quiet one."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def until(condition: Callable[[], bool], *, within: float = 10.0) -> None:
    """Return as soon as ``condition()`` holds (polled while the loop keeps running); fail the
    test with AssertionError if it does not within ``within`` seconds."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {within} s")
        await asyncio.sleep(0.01)
