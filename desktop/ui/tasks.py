"""Background coroutines on the Qt event loop that are never lost.

A bare ``asyncio.create_task`` drops its exception silently and may be garbage-collected while
running. Every task of the UI starts here: a strong reference is kept until it ends, and a failure
other than cancellation reaches the crash reporter.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)

FailureReporter = Callable[[BaseException], None]


class TaskRunner:
    def __init__(self, report_failure: FailureReporter) -> None:
        self._report_failure = report_failure
        self._tasks: set[asyncio.Task[Any]] = set()

    def start(self, coroutine: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coroutine)
        task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.error("Task %s failed", task.get_name(), exc_info=error)
            self._report_failure(error)

    def report(self, error: BaseException, name: str) -> None:
        """A failure of work done elsewhere (another thread), reported as a task's would be."""
        log.error("%s failed", name, exc_info=error)
        self._report_failure(error)

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def cancel_all(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
