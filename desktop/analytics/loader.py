"""Bring a period's OneUptime attempts into the cache: the first time every page, pipelined
under the vendor's rate limit; after that only what changed since, and deletions found by a
count check.

Pipelining: after the first page (which also says how many match) ``IN_FLIGHT`` requests run at
once; the profile's rate limiter (100 per s for OneUptime) is the only brake, so the load takes
about as long as the limit allows instead of one round trip per page.

Writing: one writer stores the pages as they arrive and rolls up between them; a big load's
writer runs in a process of its own (``desktop.analytics.writer``), off the loop's GIL.

Refresh: a period loaded before is asked only for attempts whose ``updatedAt`` is at or after
the last load's start (less ``CLOCK_MARGIN`` for clock skew between us and the server). A
deletion changes no ``updatedAt``, so the server's count for the period is compared with the
cache's; when they differ, an ID sweep (every page with only ``_id`` selected) marks what still
exists and the rest of the period's cached attempts are removed. A first load is itself a
sweep. "Reload" forces a full load.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sqlite3
import sys
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.analytics.cache import AttemptCache, SyncState
from desktop.analytics.period import Period
from desktop.analytics.writer import (
    PeriodWriter,
    PeriodWrites,
    WriterProcess,
    WriterProcessError,
)
from desktop.core.blocking import run_blocking
from desktop.core.errors import BadResponseError, VendorTimeoutError
from desktop.engine import LookupEngine
from desktop.vendors import get_vendor
from desktop.vendors.base import IdentifierKind, VendorContext
from desktop.vendors.oneuptime import (
    MAX_PAGE_SIZE,
    PeriodPage,
    period_page,
    period_query,
)

log = logging.getLogger(__name__)

VENDOR_KEY = "oneuptime"
#: Requests in flight at once: enough to keep 100 per s busy at ~80 ms a round trip.
IN_FLIGHT = 8
CLOCK_MARGIN = timedelta(minutes=5)
#: The most attempts one period may hold: past it, the load refuses and asks for a shorter one.
MAX_ATTEMPTS = 5_000_000
#: From how many attempts a load's writes go to a process of their own (``WriterProcess``):
#: below, the ~0.1 s of starting it is more than the writes would take from the event loop.
WRITER_PROCESS_FROM = 5_000

Progress = Callable[[int, int], None]


def call_attempts_params(call_id: str) -> dict[str, str]:
    """The lookup in ``VENDOR_KEY``'s tab that lists one incoming call's attempts: the call's ID
    in the input the vendor takes a call (request) ID in."""
    return {get_vendor(VENDOR_KEY).search_inputs[IdentifierKind.REQUEST_ID]: call_id}


@dataclass(frozen=True)
class LoadOutcome:
    #: Attempts fetched (all of them on a first load, the changed ones on a refresh).
    fetched: int
    #: Cached attempts removed because the vendor no longer has them in the period.
    removed: int
    #: Attempts the vendor holds for the period.
    total: int
    full: bool
    names_readable: bool
    #: Attempts the vendor sent that started outside the period asked for: left out.
    outside: int = 0

    def text(self) -> str:
        what = "loaded" if self.full else "changed since the last load"
        removed = f", {self.removed:,} removed" if self.removed else ""
        said = f"{self.total:,} attempts in the period; {self.fetched:,} {what}{removed}."
        if self.outside:
            said += (
                f" {self.outside:,} that OneUptime sent started outside the period and were "
                "left out."
            )
        return said


def source_key(context: VendorContext) -> str:
    """Which server and project the cached attempts came from (a profile may be renamed)."""
    return f"{context.profile.base_url}|{context.profile.setting('projectId') or ''}"


class PeriodLoader:
    def __init__(self, engine: LookupEngine, cache: AttemptCache, profile_name: str | None) -> None:
        vendor = get_vendor(VENDOR_KEY)
        self.context = engine.context_for(vendor, engine.profiles.resolve(VENDOR_KEY, profile_name))
        # A context bounds one lookup's requests, together, by the profile's timeout; a load is
        # a thousand requests over many seconds, so each page has the whole timeout to itself
        # (a load of more than the timeout's worth of pages failed on its next page).
        self.context.http.deadline = None
        self.source = source_key(self.context)
        self.cache = cache
        #: The current load's period, first and last instant (Unix seconds).
        self._within = (0.0, 0.0)
        #: Attempts the current load's vendor sent that started outside its period.
        self._outside = 0

    async def load(
        self, period: Period, progress: Progress | None = None, *, full: bool = False
    ) -> LoadOutcome:
        began = datetime.now(UTC).timestamp()
        # The server filters by start; an attempt it sends from outside the period (a start at
        # year 1 or 9999 from a broken or hostile server) would count in other periods'
        # figures, and no local day may hold it. The query's instants are whole milliseconds.
        self._within = (period.start.timestamp() - 0.001, period.end.timestamp() + 0.001)
        self._outside = 0
        state = None if full else await run_blocking(self.cache.sync_state, self.source, period)
        report = progress or (lambda _done, _total: None)
        if state is None:
            sweep = int(began * 1000)
            total, names = await self._pages(
                period_query(period.start, period.end), report, sweep=sweep, user_names=True
            )
            removed = await run_blocking(self.cache.delete_unseen, self.source, period, sweep)
            outcome = LoadOutcome(total, removed, total, True, names, self._outside)
        else:
            since = datetime.fromtimestamp(state.synced_until, UTC) - CLOCK_MARGIN
            fetched, names = await self._pages(
                period_query(period.start, period.end, since), report,
                user_names=state.names_readable,
            )  # fmt: skip
            removed, total = await self._reconcile(period, report)
            outcome = LoadOutcome(fetched, removed, total, False, names, self._outside)
        await run_blocking(self.cache.save_sync, self.source, period, SyncState(began, names))
        await run_blocking(self.cache.refresh_rollup)  # the report reads the days' rollups
        return outcome

    async def _reconcile(self, period: Period, report: Progress) -> tuple[int, int]:
        """(removed, total): sweep the period's IDs when the counts differ."""
        query = period_query(period.start, period.end)
        counted = await period_page(self.context, query, skip=0, limit=1, ids_only=True)
        cached = await run_blocking(self.cache.count, self.source, period)
        if cached == counted.total:
            return 0, counted.total
        sweep = int(datetime.now(UTC).timestamp() * 1000)
        total, _names = await self._pages(query, report, sweep=sweep, ids_only=True)
        return await run_blocking(self.cache.delete_unseen, self.source, period, sweep), total

    async def _pages(
        self,
        query: dict[str, Any],
        report: Progress,
        *,
        sweep: int = 0,
        ids_only: bool = False,
        user_names: bool = False,
    ) -> tuple[int, bool]:
        """Every page of the query, written to the cache as it comes: (attempts, names read)."""

        async def fetch(skip: int, names: bool) -> PeriodPage:
            return await self._page(query, skip, names=names, ids_only=ids_only)

        first = await fetch(0, user_names)
        if first.total > MAX_ATTEMPTS:
            raise BadResponseError(
                f"The period holds {first.total:,} attempts, more than {MAX_ATTEMPTS:,}: "
                "choose a shorter one.",
                vendor=VENDOR_KEY,
            )
        names = first.names_readable
        # Workers hand pages to one writer and fetch on: a write never holds a request back,
        # and the pages that arrived during a write go to the cache in one transaction.
        arrived: asyncio.Queue[PeriodPage | None] = asyncio.Queue(maxsize=4 * IN_FLIGHT)
        done = [0]

        async def write_all() -> None:
            done[0] = await self._write(
                arrived, sweep=sweep, ids_only=ids_only, total=first.total, report=report
            )

        await arrived.put(first)
        first_id = first.items[0].attempt_id if first.items else None
        skips = iter(range(MAX_PAGE_SIZE, first.total, MAX_PAGE_SIZE))

        async def worker() -> None:
            for skip in skips:  # shared: each worker takes the next offset
                page = await fetch(skip, names)
                if not page.items:
                    return  # the vendor holds fewer than it counted (deleted meanwhile)
                if page.items[0].attempt_id == first_id:
                    raise BadResponseError(
                        "OneUptime ignored the page offset (skip): stopped paging.",
                        vendor=VENDOR_KEY,
                    )
                await arrived.put(page)

        async def fetch_all() -> None:
            await _all(worker() for _ in range(IN_FLIGHT))
            await arrived.put(None)

        await _all([fetch_all(), write_all()])
        return done[0], names

    async def _write(
        self,
        arrived: asyncio.Queue[PeriodPage | None],
        *,
        sweep: int,
        ids_only: bool,
        total: int,
        report: Progress,
    ) -> int:
        """Write the pages as they arrive, until the end mark (None): how many attempts."""
        writes = await run_blocking(self._writer, total)  # the first pages are fetched meanwhile
        done = 0
        finished = False
        try:
            while not finished:
                batch: list[PeriodPage] = []
                page = await arrived.get()
                while page is not None:
                    batch.append(page)
                    if arrived.empty():
                        break
                    page = arrived.get_nowait()
                finished = page is None  # the end mark: every worker is done
                if batch:
                    items = [item for stored in batch for item in stored.items]
                    self._outside += await run_blocking(writes.store, items, sweep, ids_only)
                    done += len(items)
                    report(done, total)
                busy = _local_days(batch) if batch and not ids_only else None
                if busy is not None and not finished and arrived.empty():
                    # Nothing to write yet: roll up what is written but the days the last
                    # pages fell in, so that after the last page only its days and calls are
                    # left (pages in time order leave earlier days complete; in random order
                    # every day stays for the end, and only the calls are done early). Which
                    # days wait is only a guess at what comes next: a day rolled up early is
                    # marked stale again by the next write to it.
                    await run_blocking(writes.refresh, busy)
        except BaseException:
            writes.kill()  # a failed or cancelled load: what was being written is rolled back
            raise
        await run_blocking(writes.close)
        return done

    def _writer(self, attempts: int) -> PeriodWrites:
        """The writer for a load of ``attempts``: a process of its own for a big one, unless
        this is a frozen build (whose executable is the app, not a Python that runs ``-m``) or
        the process does not start; then this one, only slower."""
        if attempts >= WRITER_PROCESS_FROM and not getattr(sys, "frozen", False):
            try:
                return WriterProcess(self.cache.path, self.source, self._within)
            except (OSError, WriterProcessError, sqlite3.Error) as error:
                log.warning("the cache's writer process did not start (%s): writing here", error)
        return PeriodWriter(self.cache, self.source, self._within)

    async def _page(
        self, query: dict[str, Any], skip: int, *, names: bool, ids_only: bool
    ) -> PeriodPage:
        ask = functools.partial(
            period_page, self.context, query, skip=skip, limit=MAX_PAGE_SIZE, ids_only=ids_only,
            user_names=names,
        )  # fmt: skip
        try:
            return await ask()
        except VendorTimeoutError:
            # One page of a thousand without an answer (seen in the demo on a loaded machine:
            # a request the server never received) need not fail the whole load: a page is
            # only read, so it is asked once more, on a new connection.
            log.warning("no answer for the page at skip=%d: asking once more", skip)
            return await ask()


def _local_days(pages: list[PeriodPage]) -> tuple[str, str] | None:
    """The first and last local day (ISO) the pages' attempts started on, if any did."""
    starts = [item.started for page in pages for item in page.items if item.started is not None]
    if not starts:
        return None
    try:
        first, last = (datetime.fromtimestamp(at).date() for at in (min(starts), max(starts)))
    except (ValueError, OverflowError, OSError):  # a hostile start near year 1 or 9999
        return None  # no day is left for later: only a guess, and the end rolls up all
    return first.isoformat(), last.isoformat()


async def _all(jobs: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Run the jobs together; the first failure cancels the others and is raised as itself."""
    try:
        async with asyncio.TaskGroup() as group:
            for job in jobs:
                group.create_task(job)
    except ExceptionGroup as failures:
        raise failures.exceptions[0] from None
