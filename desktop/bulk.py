"""Bulk lookup: a column of IDs, one lookup each, at the vendor's own speed limit (Qt-free).

The CLI and the window both plan with ``plan_bulk`` and run a ``BulkRun``. Workers take IDs in
input order; a vendor with a published rate limit (LeadSquared, OneUptime) gets as many workers
as its limit and the engine's shared ``RateLimiter`` paces them; the others get the profile's
``concurrency``. Tokens are the engine's, shared by every worker. A 429 that still happens slows
the limiter down (see ``RateLimiter.slow_down``) and the ID is asked again, not failed. Every
answer goes to the history as one entry per ID, written in batches. Nothing but the outcomes
that are not consumed yet is held: memory does not grow with the number of IDs answered.
"""

from __future__ import annotations

import asyncio
import heapq
import threading
import time
from collections import deque
from collections.abc import AsyncGenerator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import NamedTuple

from pydantic import JsonValue

from desktop.core.blocking import run_blocking, thread_event_loop
from desktop.core.credentials import SecretStore, WrappedStoreState
from desktop.core.errors import (
    CallLookupError,
    HistoryError,
    InvalidInputError,
    RateLimitedError,
    VendorError,
)
from desktop.core.history import HistoryRecord
from desktop.core.http import HOLD_UNSENT, RequestHeld
from desktop.core.models import DetailField, FieldRole, LookupResult
from desktop.core.outcome import Outcome
from desktop.core.timefmt import hms
from desktop.engine import RECORD_EACH_LOOKUP, LookupEngine
from desktop.search import classify
from desktop.vendors import VENDORS, get_vendor
from desktop.vendors.base import IdentifierKind, Vendor

#: Upper bound on workers for one vendor: its rate limit's request count, at most this.
MAX_WORKERS = 100
#: An ID answered 429 this many times in a row is reported as an error after all.
MAX_RATE_LIMITED_TRIES = 8
#: History entries are written when this many are waiting, or after HISTORY_FLUSH_SECONDS.
HISTORY_BATCH_SIZE = 200
HISTORY_FLUSH_SECONDS = 1.0
#: Outcomes waiting for the consumer before the workers wait for it.
OUTCOME_QUEUE_SIZE = 256
#: Seconds a bulk thread is given to wind down when closed.
CLOSE_SECONDS = 10.0
#: The identifier kinds a bulk column is taken as when the vendor's input is not named.
_ID_KINDS = (IdentifierKind.REQUEST_ID, IdentifierKind.CALL_ID)
#: The detail roles shown as the vendor's key columns, in order, with their headers.
KEY_ROLES: tuple[tuple[FieldRole, str], ...] = (
    (FieldRole.CALLER, "Caller"),
    (FieldRole.CALLED, "Called"),
    (FieldRole.STARTED, "Started"),
    (FieldRole.DURATION, "Duration"),
    (FieldRole.STATUS, "Status"),
)


class BulkState(StrEnum):
    QUEUED = "queued"
    ASKING = "asking"
    FOUND = "found"
    NOT_FOUND = "not_found"
    ERROR = "error"
    #: Not answered because the run was cancelled (the window shows it; the CLI leaves the ID
    #: out of the output so that --resume asks it again).
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (BulkState.FOUND, BulkState.NOT_FOUND, BulkState.ERROR)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class RowCells(NamedTuple):
    """What a results table shows of an answer: the key columns as a copy takes them and as
    the screen shows them, and the first record with its typed values."""

    key_cells: tuple[str, ...]
    key_texts: tuple[str, ...]
    record: dict[str, JsonValue]


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one ID: 'asking' when its lookup starts, then its final state."""

    #: The ID's position in the run's input (0-based).
    index: int
    id: str
    vendor: str
    profile: str
    state: BulkState
    message: str = ""
    result: LookupResult | None = None

    def record(self) -> dict[str, JsonValue]:
        """The result's first record with its typed fields (empty without one)."""
        records = self.result.records() if self.result is not None else []
        return dict(records[0]) if records else {}

    def as_row(self) -> dict[str, JsonValue]:
        """id, state, message, then the record's fields (see ``table_row``)."""
        leading: dict[str, JsonValue] = {"id": self.id, "state": self.state.value,
                                         "message": self.message}  # fmt: skip
        return table_row(leading, self.record())

    @cached_property
    def cells(self) -> RowCells:
        """The table's cells of this answer, worked out once (``BulkThread`` does it on the
        runs' thread, so a window's event loop only places them)."""
        return RowCells(tuple(self.key_columns()), tuple(self.key_texts()), self.record())

    def key_columns(self) -> list[str]:
        """The vendor's key columns as shown on its call card (caller, called, started,
        duration, status), from the first call's detail fields, as a copy takes them: the
        vendor module's text (a time with its zone, a code beside its meaning)."""
        return [detail.value if isinstance(detail, DetailField) else detail
                for detail in self._key_details()]  # fmt: skip

    def key_texts(self) -> list[str]:
        """The same columns as the screen shows them: codes as words, times in the screens'
        format (the header names the zone; a time in a zone the vendor did not name says so)."""
        texts = []
        for detail in self._key_details():
            if not isinstance(detail, DetailField):
                texts.append(detail)
            elif detail.moment is not None:
                unnamed = "" if detail.zone_known else " (zone not given)"
                texts.append(detail.screen_text + unnamed)
            else:
                texts.append(detail.words)
        return texts

    def _key_details(self) -> list[DetailField | str]:
        """Each key column's field, or its text when the card works it out (a duration as
        h:mm:ss, as the card says it: from a count of seconds, or from the start and end)."""
        call = self.result.calls[0] if self.result is not None and self.result.calls else None
        if call is None:
            return [""] * len(KEY_ROLES)
        details: list[DetailField | str] = []
        for role, _header in KEY_ROLES:
            detail = call.by_role(role)
            if role is FieldRole.DURATION and (detail is None or _is_number(detail.value)):
                seconds = call.duration_seconds()
                details.append(hms(seconds) if seconds is not None else "")
            else:
                details.append(detail if detail is not None else "")
        return details


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class BulkJob:
    """One vendor profile and the input that takes the IDs."""

    vendor: Vendor
    profile: str
    field: str


def id_field(vendor: Vendor, name: str | None = None) -> str:
    """The input that takes a bulk column's IDs: ``name`` when given (it must be one of the
    vendor's inputs), else the input search everywhere gives a request ID or call ID."""
    names = [spec.name for spec in vendor.input_fields]
    if name is not None:
        if name not in names:
            raise InvalidInputError(
                f"{vendor.title} has no input '{name}' (inputs: {', '.join(names)}).",
                field="field",
            )
        return name
    for kind in _ID_KINDS:
        if kind in vendor.search_inputs:
            return vendor.search_inputs[kind]
    raise InvalidInputError(f"{vendor.title} takes no call or request ID.", field="field")


def plan_jobs(
    engine: LookupEngine, vendor_key: str, profile: str | None, field_name: str | None = None
) -> list[BulkJob]:
    """The one job for a chosen vendor, profile and input (see ``id_field``). Raises
    ConfigurationError when the profile is not there or lacks a secret: nothing is sent."""
    vendor = get_vendor(vendor_key)
    resolved = engine.profiles.resolve(vendor_key, profile)
    engine.context_for(vendor, resolved)  # a missing secret fails now, not once per ID
    return [BulkJob(vendor, resolved.name, id_field(vendor, field_name))]


def plan_every_vendor(engine: LookupEngine, sample: Sequence[str]) -> list[BulkJob]:
    """Every configured profile whose vendor takes the kind of value the column holds (as
    search everywhere decides from the first IDs), each with the input for that kind."""
    kinds: list[IdentifierKind] = []
    for value in sample[:20]:
        for kind in classify(value):
            if kind not in kinds:
                kinds.append(kind)
    jobs: list[BulkJob] = []
    for vendor in VENDORS:
        input_name = next((vendor.search_inputs[k] for k in kinds if k in vendor.search_inputs),
                          None)  # fmt: skip
        if input_name is None:
            continue
        for profile in engine.profiles.list(vendor.key):
            try:
                engine.context_for(vendor, profile)
            except CallLookupError:
                continue  # incomplete profile: nothing could be sent
            jobs.append(BulkJob(vendor, profile.name, input_name))
    return jobs


def workers_for(engine: LookupEngine, job: BulkJob) -> int:
    """As many lookups at once as the vendor's limit lets through, else the profile's setting."""
    limit = job.vendor.rate_limit
    if limit is not None:
        return max(1, min(MAX_WORKERS, limit.requests))
    return engine.profiles.resolve(job.vendor.key, job.profile).concurrency


@dataclass
class _HistoryBatch:
    """Answers waiting to be written to the history in one transaction."""

    engine: LookupEngine
    pending: list[HistoryRecord] = field(default_factory=list)
    last_flush: float = field(default_factory=time.monotonic)

    async def add(self, record: HistoryRecord) -> None:
        if self.engine.history is None:
            return
        self.pending.append(record)
        due = time.monotonic() - self.last_flush >= HISTORY_FLUSH_SECONDS
        if len(self.pending) >= HISTORY_BATCH_SIZE or due:
            await self.flush()

    async def flush(self) -> None:
        history, batch = self.engine.history, self.pending
        self.pending, self.last_flush = [], time.monotonic()
        if history is None or not batch:
            return
        try:
            await run_blocking(history.add_many, batch)
        except HistoryError as error:
            self.engine.history_error = error
        else:
            self.engine.history_error = None
        for listener in self.engine.history_listeners:
            listener()


class BulkRun:
    """One bulk run under way over ``ids`` with ``job``. ``outcomes()`` yields an 'asking'
    outcome when an ID's lookup starts and its final one when it ends. ``pause()`` lets the
    lookups that sent a request finish and sends nothing more until ``resume()``: those still
    waiting for a rate-limit turn go back to 'queued', first in line again; ``cancel()`` stops
    at once: lookups under way end as 'cancelled' and the stream ends."""

    def __init__(self, engine: LookupEngine, job: BulkJob, ids: Iterable[str]) -> None:
        self.job = job
        self._engine = engine
        self._ids: Iterator[tuple[int, str]] = iter(enumerate(ids))
        self._retry: deque[tuple[int, str, int]] = deque()
        #: IDs a pause stopped before they sent anything, asked first on resume (input order).
        self._held: list[tuple[int, str, int]] = []
        self._running = asyncio.Event()
        self._running.set()
        #: Bounded: a consumer that falls behind (a loaded machine, a slow terminal) holds the
        #: workers back instead of letting answers pile up in memory.
        self._queue: asyncio.Queue[BulkOutcome | None] = asyncio.Queue(OUTCOME_QUEUE_SIZE)
        self._asking: dict[int, str] = {}
        self._history = _HistoryBatch(engine)
        self._workers: list[asyncio.Task[None]] = []
        #: True once ``cancel()`` was called.
        self.cancelled = False
        #: How many lookups were asked again after a 429.
        self.rate_limited_retries = 0

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self.cancelled = True
        self._running.set()
        for worker in self._workers:
            worker.cancel()

    def _outcome(self, index: int, value: str, state: BulkState, message: str = "",
                 result: LookupResult | None = None) -> BulkOutcome:  # fmt: skip
        return BulkOutcome(index, value, self.job.vendor.key, self.job.profile, state, message,
                           result)  # fmt: skip

    def _next(self) -> tuple[int, str, int] | None:
        if self._held:
            return heapq.heappop(self._held)
        if self._retry:
            return self._retry.popleft()
        item = next(self._ids, None)
        return None if item is None else (item[0], item[1], 0)

    async def _work(self) -> None:
        RECORD_EACH_LOOKUP.set(False)  # this task's context only: answers go in batches
        HOLD_UNSENT.set(lambda: self.paused)
        while True:
            await self._running.wait()
            if self.cancelled:
                return
            item = self._next()
            if item is None:
                return
            index, value, tries = item
            self._asking[index] = value  # left there when cancelled: reported as cancelled
            outcome = await self._ask(index, value, tries)
            del self._asking[index]
            if outcome is not None:
                await self._queue.put(outcome)

    async def _ask(self, index: int, value: str, tries: int) -> BulkOutcome | None:
        """The ID's final outcome, or None when it was put back to be asked again."""
        engine, job = self._engine, self.job
        try:
            prepared = engine.prepare(job.vendor.key, {job.field: value}, job.profile)
        except InvalidInputError as error:
            return self._outcome(index, value, BulkState.ERROR, f"invalid: {error.message}")
        await self._queue.put(self._outcome(index, value, BulkState.ASKING))
        started = time.monotonic()
        result: LookupResult | None = None
        try:
            result = await engine.run(prepared)
        except RequestHeld:  # paused before anything was sent: asked again on resume
            heapq.heappush(self._held, (index, value, tries))
            await self._queue.put(self._outcome(index, value, BulkState.QUEUED))
            return None
        except RateLimitedError as error:
            if tries + 1 < MAX_RATE_LIMITED_TRIES:
                self.rate_limited_retries += 1
                self._retry.append((index, value, tries + 1))
                return None
            state, message, kind = BulkState.ERROR, f"{error.kind}: {error.describe()}", error.kind
        except VendorError as error:
            kind = error.kind
            if kind is Outcome.NOT_FOUND:
                state, message = BulkState.NOT_FOUND, error.describe()
            else:
                state, message = BulkState.ERROR, f"{kind}: {error.describe()}"
        except CallLookupError as error:
            return self._outcome(index, value, BulkState.ERROR, error.message)
        else:
            if result.is_empty():
                state, message, kind = (BulkState.NOT_FOUND, result.summary or "nothing found",
                                        Outcome.NOT_FOUND)  # fmt: skip
            else:
                state, message, kind = BulkState.FOUND, result.summary, Outcome.FOUND
        await self._history.add(
            HistoryRecord(result, prepared.vendor.key, prepared.profile.name, prepared.params,
                          kind, message, time.monotonic() - started)
        )  # fmt: skip
        return self._outcome(index, value, state, message, result)

    async def outcomes(self) -> AsyncGenerator[BulkOutcome, None]:
        count = workers_for(self._engine, self.job)
        self._workers = [asyncio.ensure_future(self._work()) for _ in range(count)]
        if self.cancelled:
            self.cancel()

        async def close_when_done() -> list[BaseException | None]:
            results = await asyncio.gather(*self._workers, return_exceptions=True)
            await self._queue.put(None)
            return results

        finished = asyncio.ensure_future(close_when_done())
        try:
            while True:
                outcome = await self._queue.get()
                if outcome is None:
                    break
                yield outcome
            for index, value in sorted(self._asking.items()):
                yield self._outcome(index, value, BulkState.CANCELLED, "cancelled")
            failures = [r for r in await finished if isinstance(r, BaseException)
                        and not isinstance(r, asyncio.CancelledError)]  # fmt: skip
            if failures:
                raise failures[0]
        finally:
            for worker in self._workers:
                worker.cancel()
            finished.cancel()
            await asyncio.gather(*self._workers, finished, return_exceptions=True)
            await self._history.flush()


class RememberedSecrets(WrappedStoreState):
    """The store's secrets, each read once: a bulk run asks for the same profile's secrets
    with every ID, and an OS keyring answers each read with an IPC round trip. Changes made
    through this store go to the store; changes made elsewhere show in the next run."""

    def __init__(self, store: SecretStore) -> None:
        self.wrapped = store
        self._read: dict[tuple[str, str, str], str | None] = {}
        self._lock = threading.Lock()

    @property
    def description(self) -> str:
        return self.wrapped.description

    def get(self, vendor: str, profile: str, field: str) -> str | None:
        key = (vendor, profile, field)
        with self._lock:
            if key in self._read:
                return self._read[key]
        value = self.wrapped.get(vendor, profile, field)
        with self._lock:
            self._read[key] = value
        return value

    def set(self, vendor: str, profile: str, field: str, value: str) -> None:
        self.wrapped.set(vendor, profile, field, value)
        with self._lock:
            self._read[(vendor, profile, field)] = value

    def delete(self, vendor: str, profile: str, field: str) -> None:
        self.wrapped.delete(vendor, profile, field)
        with self._lock:
            self._read[(vendor, profile, field)] = None


class BulkThread:
    """Bulk runs on a thread of their own, with an asyncio event loop of their own, so that
    thousands of lookups a minute never compete with a window's event loop for its turns.

    The runs use a sibling of the caller's engine (its profiles, history and rate limiters,
    the secrets read once). Their outcomes gather here until the caller ``take``s them, as
    often as it shows them; pause, resume and cancel are passed to the runs' loop. The thread
    ends with ``close()``, when the runs are over."""

    def __init__(self, engine: LookupEngine) -> None:
        self.engine = engine.sibling(RememberedSecrets(engine.secrets))
        #: Set on the runs' thread when history entries were written (or failed to be): the
        #: caller tells its own listeners, on its own thread.
        self.history_written = threading.Event()
        self.engine.history_listeners.append(self.history_written.set)
        self._loop = thread_event_loop()
        self._lock = threading.Lock()
        self._gathered: list[tuple[BulkRun, BulkOutcome]] = []
        self._under_way = 0
        #: The first unexpected exception a run ended with (a bug, not a lookup's failure).
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="calllookup-bulk",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    @property
    def running(self) -> bool:
        with self._lock:
            return self._under_way > 0

    def start(self, job: BulkJob, ids: Iterable[str]) -> BulkRun:
        run = BulkRun(self.engine, job, ids)
        with self._lock:
            self._under_way += 1
        asyncio.run_coroutine_threadsafe(self._drive(run), self._loop)
        return run

    async def _drive(self, run: BulkRun) -> None:
        try:
            async for outcome in run.outcomes():
                if outcome.state.is_final:
                    outcome.cells  # noqa: B018 (worked out here, off the caller's thread)
                with self._lock:
                    self._gathered.append((run, outcome))
        except Exception as error:  # handed to the caller's thread, not lost
            self.failure = self.failure or error
        finally:
            with self._lock:
                self._under_way -= 1

    def take(self) -> list[tuple[BulkRun, BulkOutcome]]:
        """The outcomes gathered since the last call, in the order they came."""
        with self._lock:
            taken, self._gathered = self._gathered, []
        return taken

    def pause(self, run: BulkRun) -> None:
        self._loop.call_soon_threadsafe(run.pause)

    def resume(self, run: BulkRun) -> None:
        self._loop.call_soon_threadsafe(run.resume)

    def cancel(self, run: BulkRun) -> None:
        self._loop.call_soon_threadsafe(run.cancel)

    def close(self) -> None:
        """Cancel what still runs, close the HTTP clients and end the thread."""
        if not self._thread.is_alive():
            return

        async def wind_down() -> None:
            runs = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
            for task in runs:
                task.cancel()
            await asyncio.gather(*runs, return_exceptions=True)  # their history is written
            await self.engine.aclose()

        asyncio.run_coroutine_threadsafe(wind_down(), self._loop).result(CLOSE_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(CLOSE_SECONDS)
        self._loop.close()


def table_row(
    leading: dict[str, JsonValue], record: Mapping[str, JsonValue]
) -> dict[str, JsonValue]:
    """``leading`` then the record's fields (a field named like a leading one is left out). A
    bulk run is a table, one row per ID: an object the vendor nests (LeadSquared's
    ``RequestBody``) is spread into ``RequestBody.SourceNumber``-style columns, so every value
    has a cell of its own in a spreadsheet."""
    row = dict(leading)
    for name, value in record.items():
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                row.setdefault(f"{name}.{inner}", inner_value)
        else:
            row.setdefault(name, value)
    return row
