"""Blocking work (keyring, SQLite, big exports, CA stores) off the event loop.

One plain thread pool for the whole process. Not the loop's default executor: under qasync that
is a pool of QThreads bound to the loop, which crash Qt if they outlive it (seen in tests that
open a loop per test), and which the CLI does not have.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")

_POOL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="calllookup-blocking")


async def run_blocking(function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """Run ``function`` in the shared thread pool and await its result on the running loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_POOL, functools.partial(function, *args, **kwargs))


def thread_event_loop() -> asyncio.AbstractEventLoop:
    """A new event loop of the standard library's own kind, for a thread of its own. Not
    ``asyncio.new_event_loop()``: under the app's qasync policy that makes a Qt loop, which runs
    only on Qt's main thread (elsewhere its run_forever returns at once and nothing runs)."""
    return asyncio.SelectorEventLoop()
