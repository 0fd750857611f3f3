"""The lookup engine: validated parameters in, normalized results out. Used by the GUI and the CLI.

It wires the core (profiles, secrets, HTTP, tokens) to the vendor registry and owns the per-app
state that must be shared: the HTTP client pool, the token cache and per-profile rate limiters.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import TypeVar

from desktop.attempt_service import AttemptService
from desktop.core.blocking import run_blocking
from desktop.core.credentials import SecretStore, read_secrets, secret_env_name
from desktop.core.errors import (
    ConfigurationError,
    HistoryError,
    VendorError,
    VendorTimeoutError,
)
from desktop.core.history import HistoryStore
from desktop.core.http import HttpClientPool, HttpSession, HttpSettings, RateLimiter, TlsSettings
from desktop.core.models import LookupResult
from desktop.core.outcome import Outcome
from desktop.core.profiles import Profile, ProfileStore
from desktop.core.redact import redact_each, redact_model, redact_secret_values
from desktop.core.tokens import TokenCache
from desktop.vendors import get_vendor
from desktop.vendors.base import (
    ProbeOutcome,
    SettingsProbe,
    Vendor,
    VendorContext,
)

log = logging.getLogger(__name__)

_T = TypeVar("_T")
#: Seconds past an operation's deadline before the engine stops the vendor module itself. The
#: HTTP layer ends every request by the deadline; this only catches a wait outside it.
DEADLINE_GRACE_SECONDS = 0.25


#: False in a bulk run's workers: they record their answers in the history in batches.
RECORD_EACH_LOOKUP: ContextVar[bool] = ContextVar("record_each_lookup", default=True)


def _redacted(result: LookupResult) -> LookupResult:
    """``result`` with the secrets in use masked: its attempts by one check over their texts
    (``redact_each``), the rest by its dump (a page of attempts in a dump was ~7 ms)."""
    masked = redact_model(result.model_copy(update={"attempts": []}))
    masked.attempts = redact_each(result.attempts)
    return masked


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
        #: Listing, paging and editing escalation attempts, each run within its deadline.
        self.attempts = AttemptService(profiles, self._within_deadline)

    def sibling(self, secrets: SecretStore | None = None) -> LookupEngine:
        """An engine for another thread's event loop (a bulk run's thread): the same profiles,
        history and rate limiters (these are thread-safe, so both engines' requests count
        together against a vendor's limit), ``secrets`` or the same store, and HTTP clients and
        a token cache of its own (both belong to the event loop that uses them)."""
        other = LookupEngine(self.profiles, secrets or self.secrets, self.history)
        other.http_pool.proxy = self.http_pool.proxy
        other._limiters = self._limiters
        return other

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
        """What one operation needs. Its requests, together, end within the profile's timeout
        from now: a token, retries and follow-up requests share that one budget."""
        secrets = read_secrets(
            self.secrets, vendor.key, profile.name, [f.name for f in vendor.secret_fields]
        )
        missing = [f.name for f in vendor.secret_fields if f.required and f.name not in secrets]
        if missing:
            variables = ", ".join(secret_env_name(vendor.key, name) for name in missing)
            raise ConfigurationError(
                f"The {vendor.title} profile '{profile.name}' has no {', '.join(missing)} set: "
                "add it in the credential manager or with 'calllookup-cli profile set' "
                f"(scripts may set {variables})."
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
            deadline=time.monotonic() + profile.timeout,
        )
        return VendorContext(profile=profile, secrets=secrets, http=session, tokens=self.tokens)

    async def _within_deadline(
        self,
        vendor: Vendor,
        profile: Profile,
        operation: Callable[[VendorContext], Awaitable[_T]],
    ) -> _T:
        """Run one vendor operation with a fresh context, ended at its deadline whatever it
        waits for. (Errors mask echoed secrets when made, see CallLookupError.)"""
        context = self.context_for(vendor, profile)
        try:
            async with asyncio.timeout(profile.timeout + DEADLINE_GRACE_SECONDS):
                return await operation(context)
        except TimeoutError as error:
            raise VendorTimeoutError(
                f"{vendor.title} sent no answer within {profile.timeout:g} s "
                "(the profile's timeout)."
            ) from error

    async def run(self, prepared: PreparedLookup) -> LookupResult:
        """The lookup, its outcome recorded in the history. Every text in the result that came
        from the vendor has the secrets in use masked, before anything shows or stores it."""
        started = time.monotonic()
        try:
            result = await self._within_deadline(
                prepared.vendor,
                prepared.profile,
                lambda context: prepared.vendor.lookup(context, prepared.params),
            )
        except VendorError as error:
            await self._record(prepared, None, error.kind, error.describe(), started)
            raise
        except asyncio.CancelledError:
            await self._record(prepared, None, Outcome.CANCELLED, "cancelled by the user", started)
            raise
        result = _redacted(result)
        result.elapsed_seconds = time.monotonic() - started
        outcome = Outcome.NOT_FOUND if result.is_empty() else Outcome.FOUND
        await self._record(prepared, result, outcome, result.summary, started)
        return result

    async def _record(
        self,
        prepared: PreparedLookup,
        result: LookupResult | None,
        outcome: Outcome,
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

    async def check_connection(self, vendor_key: str, profile_name: str) -> ProbeOutcome:
        """The connection test, trying every known variant for vendors that have several
        (SettingsProbe): what the server accepted, and the settings to save for it."""
        vendor = get_vendor(vendor_key)
        profile = self.profiles.resolve(vendor_key, profile_name)
        if isinstance(vendor, SettingsProbe):
            outcome = await self._within_deadline(vendor, profile, vendor.probe_settings)
        else:
            sentence = await self._within_deadline(vendor, profile, vendor.test_connection)
            outcome = ProbeOutcome(message=sentence)
        return replace(outcome, message=redact_secret_values(outcome.message))

    async def aclose(self) -> None:
        await self.http_pool.aclose()
