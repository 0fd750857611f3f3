"""The lookup engine: validated parameters in, normalized results out. Used by the GUI and the CLI.

It wires the core (profiles, secrets, HTTP, tokens) to the vendor registry and owns the per-app
state that must be shared: the HTTP client pool, the token cache and per-profile rate limiters.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace

from desktop.core.blocking import run_blocking
from desktop.core.credentials import SecretStore, read_secrets
from desktop.core.errors import ConfigurationError, HistoryError, InvalidInputError, VendorError
from desktop.core.history import (
    OUTCOME_CANCELLED,
    OUTCOME_FOUND,
    OUTCOME_NOT_FOUND,
    HistoryStore,
)
from desktop.core.http import HttpClientPool, HttpSession, HttpSettings, RateLimiter, TlsSettings
from desktop.core.models import LookupResult
from desktop.core.profiles import Profile, ProfileStore
from desktop.core.tokens import TokenCache
from desktop.vendors import get_vendor
from desktop.vendors.base import (
    AttemptEditor,
    AttemptPage,
    AttemptSort,
    AttemptSource,
    Vendor,
    VendorContext,
    validate_fields,
)

log = logging.getLogger(__name__)

#: False in a bulk run's workers: they record their answers in the history in batches.
RECORD_EACH_LOOKUP: ContextVar[bool] = ContextVar("record_each_lookup", default=True)


@dataclass(frozen=True)
class PreparedLookup:
    """A lookup that passed validation: what will be sent, to which profile."""

    vendor: Vendor
    profile: Profile
    params: dict[str, str]


class LookupEngine:
    def __init__(
        self, profiles: ProfileStore, secrets: SecretStore, history: HistoryStore | None = None
    ) -> None:
        self.profiles = profiles
        self.secrets = secrets
        #: Where every lookup is recorded (None: not recorded, as in tests and benchmarks).
        self.history = history
        #: Why the history is not being kept: it could not be opened, or the last write failed
        #: (None after a write that worked). A lookup never fails because of its history.
        self.history_error: HistoryError | None = None
        #: Called after each attempt to record a lookup, whether it was written or not.
        self.history_listeners: list[Callable[[], None]] = []
        self.http_pool = HttpClientPool()
        self.tokens = TokenCache()
        self._limiters: dict[tuple[str, str], RateLimiter] = {}

    def open_history(self) -> None:
        """Record lookups in the history under the data dir. One that cannot be opened is kept
        as ``history_error`` for the user to see, never a reason not to look up."""
        try:
            self.history = HistoryStore()
        except HistoryError as error:
            log.warning("%s", error.message)
            self.history_error = error

    def prepare(
        self, vendor_key: str, raw_params: Mapping[str, str], profile_name: str | None = None
    ) -> PreparedLookup:
        """Validate everything that can be checked without the network. Raises InvalidInputError
        (with the field) or ConfigurationError; nothing is sent."""
        vendor = get_vendor(vendor_key)
        try:
            profile: Profile | None = self.profiles.resolve(vendor_key, profile_name)
        except ConfigurationError:
            profile = None
        params = vendor.validate(raw_params, profile)
        if profile is None:
            profile = self.profiles.resolve(vendor_key, profile_name)  # raises the clear message
        return PreparedLookup(vendor=vendor, profile=profile, params=params)

    def context_for(self, vendor: Vendor, profile: Profile) -> VendorContext:
        secrets = read_secrets(
            self.secrets, vendor.key, profile.name, [f.name for f in vendor.secret_fields]
        )
        missing = [f.name for f in vendor.secret_fields if f.required and f.name not in secrets]
        if missing:
            raise ConfigurationError(
                f"The {vendor.title} profile '{profile.name}' has no {', '.join(missing)} set: "
                "add it in the credential manager or with 'calllookup-cli profile set'."
            )
        limiter = None
        if vendor.rate_limit is not None:
            limiter = self._limiters.setdefault(
                (vendor.key, profile.name),
                RateLimiter(vendor.rate_limit.requests, vendor.rate_limit.per_seconds),
            )
        session = HttpSession(
            self.http_pool,
            HttpSettings(
                timeout=profile.timeout,
                tls=TlsSettings(verify=profile.verify, ca_bundle=profile.ca_bundle),
            ),
            vendor_title=vendor.title,
            limiter=limiter,
        )
        return VendorContext(profile=profile, secrets=secrets, http=session, tokens=self.tokens)

    async def run(self, prepared: PreparedLookup) -> LookupResult:
        context = self.context_for(prepared.vendor, prepared.profile)
        started = time.monotonic()
        try:
            result = await prepared.vendor.lookup(context, prepared.params)
        except VendorError as error:
            await self._record(prepared, None, error.kind, error.describe(), started)
            raise
        except asyncio.CancelledError:
            await self._record(prepared, None, OUTCOME_CANCELLED, "cancelled by the user", started)
            raise
        result.elapsed_seconds = time.monotonic() - started
        outcome = OUTCOME_NOT_FOUND if result.is_empty() else OUTCOME_FOUND
        await self._record(prepared, result, outcome, result.summary, started)
        return result

    async def _record(
        self,
        prepared: PreparedLookup,
        result: LookupResult | None,
        outcome: str,
        message: str,
        started: float,
    ) -> None:
        if self.history is None or not RECORD_EACH_LOOKUP.get():
            return
        history = self.history
        try:
            await run_blocking(
                lambda: history.add(
                    result,
                    vendor=prepared.vendor.key,
                    profile=prepared.profile.name,
                    params=prepared.params,
                    outcome=outcome,
                    message=message,
                    duration=time.monotonic() - started,
                )
            )
        except HistoryError as error:
            log.warning("%s", error.message)
            self.history_error = error
        else:
            self.history_error = None
        for listener in self.history_listeners:
            listener()

    async def lookup(
        self, vendor_key: str, raw_params: Mapping[str, str], profile_name: str | None = None
    ) -> LookupResult:
        return await self.run(self.prepare(vendor_key, raw_params, profile_name))

    async def test_connection(self, vendor_key: str, profile_name: str) -> str:
        """The vendor's cheap authenticated call for one saved profile; a sentence on success."""
        vendor = get_vendor(vendor_key)
        context = self.context_for(vendor, self.profiles.resolve(vendor_key, profile_name))
        return await vendor.test_connection(context)

    # -- escalation attempts (vendors that are AttemptSource / AttemptEditor) ---------------
    def attempt_source(self, vendor: Vendor) -> AttemptSource | None:
        return vendor if isinstance(vendor, AttemptSource) else None

    async def attempt_page(
        self,
        prepared: PreparedLookup,
        *,
        skip: int,
        limit: int | None = None,
        sort: AttemptSort | None = None,
    ) -> AttemptPage:
        source = self.attempt_source(prepared.vendor)
        if source is None:
            raise ConfigurationError(f"{prepared.vendor.title} does not list attempts.")
        context = self.context_for(prepared.vendor, prepared.profile)
        size = limit if limit is not None else source.page_size(context)
        return await source.attempt_page(context, prepared.params, skip=skip, limit=size, sort=sort)

    async def count_attempts(self, prepared: PreparedLookup) -> int:
        source = self.attempt_source(prepared.vendor)
        if source is None:
            raise ConfigurationError(f"{prepared.vendor.title} does not count attempts.")
        return await source.count(
            self.context_for(prepared.vendor, prepared.profile), prepared.params
        )

    async def remaining_attempts(
        self, prepared: PreparedLookup, result: LookupResult
    ) -> LookupResult:
        """The result with every page of attempts loaded (the CLI lists them all)."""
        total = result.attempts_total or 0
        attempts = list(result.attempts)
        while len(attempts) < total:
            page = await self.attempt_page(prepared, skip=len(attempts))
            if not page.attempts:
                break  # the vendor holds fewer than it counted (rows deleted meanwhile)
            attempts.extend(page.attempts)
        return result.model_copy(update={"attempts": attempts})

    def _editor(
        self, vendor_key: str, profile_name: str | None
    ) -> tuple[AttemptEditor, Vendor, Profile]:
        vendor = get_vendor(vendor_key)
        if not isinstance(vendor, AttemptEditor):
            raise ConfigurationError(f"{vendor.title} attempts cannot be edited.")
        return vendor, vendor, self.profiles.resolve(vendor_key, profile_name)

    async def update_attempt(
        self, vendor_key: str, profile_name: str | None, attempt_id: str, changes: dict[str, str]
    ) -> None:
        editor, vendor, profile = self._editor(vendor_key, profile_name)
        fields = tuple(replace(spec, required=False) for spec in editor.editable_fields)
        cleaned = validate_fields(fields, changes)
        if not cleaned:
            raise InvalidInputError("Nothing to change.")
        context = self.context_for(vendor, profile)
        await editor.update_attempt(context, attempt_id, cleaned)

    async def delete_attempt(
        self, vendor_key: str, profile_name: str | None, attempt_id: str
    ) -> None:
        editor, vendor, profile = self._editor(vendor_key, profile_name)
        await editor.delete_attempt(self.context_for(vendor, profile), attempt_id)

    async def create_attempt(
        self, vendor_key: str, profile_name: str | None, values: dict[str, str]
    ) -> str:
        editor, vendor, profile = self._editor(vendor_key, profile_name)
        cleaned = validate_fields(editor.creation_fields + editor.editable_fields, values)
        return await editor.create_attempt(self.context_for(vendor, profile), cleaned)

    async def aclose(self) -> None:
        await self.http_pool.aclose()
