"""Search everywhere: one pasted value, every configured profile whose vendor takes that kind
of value, all at once; outcomes stream in as each vendor answers.

Qt-free: the CLI and the UI both plan with ``plan_search`` and run a ``SearchRun``. A slow or
failing vendor never delays the others; a profile that is not asked says why ('skipped'), and
cancelling the search reports every vendor that had not answered as 'cancelled'.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from desktop.core.errors import CallLookupError, VendorError
from desktop.core.models import LookupResult
from desktop.core.outcome import Outcome
from desktop.core.paste import GUID_PATTERN, strip_paste
from desktop.engine import LookupEngine, PreparedLookup
from desktop.vendors import all_vendors
from desktop.vendors.base import SAFE_IDENTIFIER, IdentifierKind

_GUID = re.compile(GUID_PATTERN)
_PHONE = re.compile(r"\+[0-9][0-9 ().-]{5,24}|[0-9]{7,15}|[0-9(][0-9 ().-]*[ ()][0-9 ().-]*")
_EXTENSION = re.compile(r"[0-9]{2,6}")


def classify(value: str) -> list[IdentifierKind]:
    """The kinds of identifier a pasted value may be, most specific first."""
    if _GUID.fullmatch(value):
        return [IdentifierKind.REQUEST_ID, IdentifierKind.CALL_ID]
    if _EXTENSION.fullmatch(value):
        return [IdentifierKind.EXTENSION]
    digits = sum(char.isdigit() for char in value)
    if _PHONE.fullmatch(value) and 7 <= digits <= 15:
        # Digits alone may also be a call ID; a leading + or spacing says "number".
        plain = value.isdigit()
        return [IdentifierKind.PHONE_NUMBER, *([IdentifierKind.CALL_ID] if plain else [])]
    if re.fullmatch(SAFE_IDENTIFIER, value):
        return [IdentifierKind.CALL_ID]
    return []


#: How each kind of value is named to the user.
KIND_NAMES = {
    IdentifierKind.CALL_ID: "call ID",
    IdentifierKind.REQUEST_ID: "request ID",
    IdentifierKind.EXTENSION: "extension",
    IdentifierKind.PHONE_NUMBER: "phone number",
}


@dataclass(frozen=True)
class SearchOutcome:
    vendor: str
    vendor_title: str
    profile: str
    #: Found, not found, error (with the kind in the message), timeout, cancelled, skipped
    #: (not asked: the message says why), or asking (no answer yet).
    state: Outcome
    message: str
    #: Seconds from the start of the search; None for a profile that was not asked.
    elapsed: float | None
    result: LookupResult | None = None

    @property
    def elapsed_text(self) -> str:
        return "" if self.elapsed is None else f"{self.elapsed * 1000:.0f} ms"

    def as_row(self) -> dict[str, str]:
        """The outcome as a flat record (export: JSON, TSV, CSV)."""
        elapsed_ms = "" if self.elapsed is None else f"{self.elapsed * 1000:.0f}"
        return {"vendor": self.vendor, "profile": self.profile, "state": self.state,
                "elapsed_ms": elapsed_ms, "message": self.message}  # fmt: skip


@dataclass(frozen=True)
class SearchPlan:
    """What a search will do: the cleaned value, one lookup per configured profile whose vendor
    takes the value's kind, and every other configured profile with why it is left out."""

    value: str
    lookups: list[PreparedLookup]
    skipped: list[SearchOutcome]


def plan_search(engine: LookupEngine, raw_value: str) -> SearchPlan:
    """Plan a search for a pasted value; nothing is sent. A profile lacking a default the vendor
    needs is skipped as incomplete (nothing could be sent anyway)."""
    value = strip_paste(raw_value)
    kinds = classify(value)
    lookups: list[PreparedLookup] = []
    skipped: list[SearchOutcome] = []
    if not kinds:
        return SearchPlan(value, lookups, skipped)
    for vendor in all_vendors():
        field = next((vendor.search_inputs[k] for k in kinds if k in vendor.search_inputs), None)
        for profile in engine.profiles.list(vendor.key):
            if field is None:
                named = " or ".join(KIND_NAMES[kind] for kind in kinds)
                reason = f"{vendor.title} does not take this kind of value ({named})"
            else:
                try:
                    lookups.append(engine.prepare(vendor.key, {field: value}, profile.name))
                    continue
                except CallLookupError as error:
                    reason = f"incomplete profile: {error.message}"
            skipped.append(
                SearchOutcome(vendor.key, vendor.title, profile.name, Outcome.SKIPPED, reason, None)
            )
    return SearchPlan(value, lookups, skipped)


async def _one(engine: LookupEngine, prepared: PreparedLookup, started: float) -> SearchOutcome:
    vendor, profile = prepared.vendor, prepared.profile.name

    def outcome(state: Outcome, message: str, result: LookupResult | None = None) -> SearchOutcome:
        return SearchOutcome(vendor.key, vendor.title, profile, state, message,
                             time.monotonic() - started, result)  # fmt: skip

    try:
        result = await engine.run(prepared)
    except asyncio.CancelledError:  # SearchRun.cancel(): this lookup reports itself cancelled
        return outcome(Outcome.CANCELLED, "cancelled before the vendor answered")
    except VendorError as error:
        # A search tells found from not found and a timeout from any other failure.
        shown = (Outcome.NOT_FOUND, Outcome.TIMEOUT)
        return outcome(error.kind if error.kind in shown else Outcome.ERROR, error.describe())
    except CallLookupError as error:
        return outcome(Outcome.ERROR, error.message)
    if result.is_empty():
        return outcome(Outcome.NOT_FOUND, result.summary or "nothing found", result)
    return outcome(Outcome.FOUND, result.summary, result)


class SearchRun:
    """One search under way. ``outcomes()`` yields each vendor's outcome as it answers; after
    ``cancel()`` every lookup not answered yet comes out as 'cancelled', then the stream ends.
    Closing the stream (or cancelling the task that drives it) cancels every lookup still
    running, with no more outcomes."""

    def __init__(self, engine: LookupEngine, plan: SearchPlan) -> None:
        self.plan = plan
        self._engine = engine
        self._tasks: dict[asyncio.Future[SearchOutcome], PreparedLookup] = {}
        #: True once ``cancel()`` was called.
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True
        for task in self._tasks:
            task.cancel()

    async def outcomes(self) -> AsyncGenerator[SearchOutcome, None]:
        started = time.monotonic()
        lookups = self.plan.lookups
        self._tasks = {asyncio.ensure_future(_one(self._engine, p, started)): p for p in lookups}
        if self.cancelled:  # cancelled before it began: every lookup says so
            self.cancel()
        order = {task: index for index, task in enumerate(self._tasks)}
        pending = set(self._tasks)
        try:
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in sorted(done, key=order.__getitem__):
                    if not task.cancelled():
                        yield task.result()
                        continue
                    prepared = self._tasks[task]  # cancelled before its first step
                    yield SearchOutcome(prepared.vendor.key, prepared.vendor.title,
                                        prepared.profile.name, Outcome.CANCELLED,
                                        "cancelled before the vendor was asked",
                                        time.monotonic() - started)  # fmt: skip
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
