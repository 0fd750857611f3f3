"""Search everywhere: one pasted value, every configured profile whose vendor takes that kind
of value, all at once; outcomes stream in as each vendor answers.

Qt-free: the CLI and the UI both consume ``search_everywhere``. A slow or failing vendor never
delays the others; cancelling the search cancels every lookup still running.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from desktop.core.errors import CallLookupError, InvalidInputError, VendorError
from desktop.core.models import LookupResult
from desktop.engine import LookupEngine, PreparedLookup
from desktop.vendors import VENDORS
from desktop.vendors.base import SAFE_IDENTIFIER, IdentifierKind

_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PHONE = re.compile(r"\+[0-9][0-9 ().-]{5,24}|[0-9]{7,15}|[0-9(][0-9 ().-]*[ ()][0-9 ().-]*")
_EXTENSION = re.compile(r"[0-9]{2,6}")


def clean_value(raw: str) -> str:
    """What a paste brings along goes: spaces, quotes, line breaks."""
    return raw.strip().strip("\"'“”‘’").strip()


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


@dataclass(frozen=True)
class SearchOutcome:
    vendor: str
    vendor_title: str
    profile: str
    #: 'found', 'not found', 'error' (with the kind in the message), 'timeout' or 'cancelled'.
    state: str
    message: str
    elapsed: float
    result: LookupResult | None = None


def plan_search(engine: LookupEngine, value: str) -> list[PreparedLookup]:
    """One lookup per configured profile whose vendor takes the value's kind; profiles that
    lack a default the vendor needs are left out (nothing would be sent anyway)."""
    plans = []
    kinds = classify(value)
    for vendor in VENDORS:
        field = next((vendor.search_inputs[k] for k in kinds if k in vendor.search_inputs), None)
        if field is None:
            continue
        for profile in engine.profiles.list(vendor.key):
            try:
                plans.append(engine.prepare(vendor.key, {field: value}, profile.name))
            except (InvalidInputError, CallLookupError):
                continue
    return plans


async def _one(engine: LookupEngine, prepared: PreparedLookup) -> SearchOutcome:
    started = time.monotonic()
    vendor, profile = prepared.vendor, prepared.profile.name

    def outcome(state: str, message: str, result: LookupResult | None = None) -> SearchOutcome:
        return SearchOutcome(vendor.key, vendor.title, profile, state, message,
                             time.monotonic() - started, result)  # fmt: skip

    try:
        result = await engine.run(prepared)
    except asyncio.CancelledError:
        return outcome("cancelled", "cancelled")
    except VendorError as error:
        state = {"not found": "not found", "timeout": "timeout"}.get(error.kind, "error")
        return outcome(state, error.describe())
    except CallLookupError as error:
        return outcome("error", error.message)
    if result.is_empty():
        return outcome("not found", result.summary or "nothing found", result)
    return outcome("found", result.summary, result)


async def search_everywhere(
    engine: LookupEngine, value: str
) -> AsyncGenerator[SearchOutcome, None]:
    """Outcomes in the order vendors answer. Closing the iterator (or cancelling the task that
    drives it) cancels every lookup still running."""
    plans = plan_search(engine, clean_value(value))
    tasks = [asyncio.ensure_future(_one(engine, prepared)) for prepared in plans]
    try:
        for finished in asyncio.as_completed(tasks):
            yield await finished
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
