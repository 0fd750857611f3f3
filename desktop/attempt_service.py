"""Escalation attempts, for vendors that list them (``AttemptSource``) or edit them
(``AttemptEditor``): pages, counts, paging to the end, and creating, changing and deleting one.

The engine owns the state an operation needs (profiles, secrets, the HTTP pool) and runs each
vendor operation within its deadline; this service decides which operations to run and checks
what goes into them before anything is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, NotRequired, Protocol, TypedDict, TypeVar

from desktop.core.errors import ConfigurationError, InvalidInputError
from desktop.core.models import EscalationAttempt, LookupResult
from desktop.core.profiles import Profile, ProfileStore
from desktop.core.redact import redact_each, redact_secret_values
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

if TYPE_CHECKING:
    from desktop.engine import PreparedLookup

_T = TypeVar("_T")

#: Paging stops here whatever a vendor counts: a server that counts a billion attempts, or
#: ignores skip and sends its first page forever, cannot keep a lookup asking (README,
#: Reliability).
MAX_LISTED_ATTEMPTS = 100_000
MAX_ATTEMPT_PAGES = 1_000


class AttemptPaging:
    """Whether to ask for another page of attempts, and why paging stopped.

    It stops when every counted attempt is loaded, when a page brings no attempt not already
    seen (the vendor ignores skip, or holds fewer than it counted), or at MAX_LISTED_ATTEMPTS
    attempts or MAX_ATTEMPT_PAGES pages."""

    def __init__(self, vendor_title: str, total: int, first: Sequence[EscalationAttempt]) -> None:
        self.vendor_title = vendor_title
        self.total = total
        self.attempts = list(first)
        self.pages = 1
        self._seen = {attempt.attempt_id for attempt in first}
        self.stop_reason: str | None = None

    @property
    def loaded(self) -> int:
        return len(self.attempts)

    def wants_more(self) -> bool:
        if self.stop_reason is not None or self.loaded >= self.total:
            return False
        if self.loaded >= MAX_LISTED_ATTEMPTS or self.pages >= MAX_ATTEMPT_PAGES:
            self.stop_reason = (
                f"Listed the first {self.loaded:,} of the {self.total:,} attempts "
                f"{self.vendor_title} counts: paging stops at {MAX_LISTED_ATTEMPTS:,} attempts "
                f"or {MAX_ATTEMPT_PAGES:,} pages. Narrow the filters to see the rest."
            )
            return False
        return True

    def add(self, page: AttemptPage) -> None:
        self.pages += 1
        fresh = [attempt for attempt in page.attempts if attempt.attempt_id not in self._seen]
        if not fresh:
            self.stop_reason = (
                f"{self.vendor_title} counts {self.total:,} attempts, but page {self.pages:,} "
                f"brought none that was not already listed (it ignores skip, or holds fewer "
                f"than it counts): stopped at {self.loaded:,}."
            )
            return
        self._seen.update(attempt.attempt_id for attempt in fresh)
        self.attempts.extend(fresh)


class OperationRunner(Protocol):
    """Runs one vendor operation with a fresh context, ended at the profile's deadline
    (``LookupEngine.within_deadline``)."""

    def __call__(
        self,
        vendor: Vendor,
        profile: Profile,
        operation: Callable[[VendorContext], Awaitable[_T]],
        /,
    ) -> Awaitable[_T]: ...


#: Given the vendor that edits, the checked operation to run (raises InvalidInputError first).
_EditPlan = Callable[[AttemptEditor], Callable[[VendorContext], Awaitable[_T]]]


class PageRequest(TypedDict):
    """Which page of attempts to ask for: from ``skip``, ``limit`` of them (None: the vendor's
    page size), in ``sort`` order (None: the vendor's)."""

    skip: int
    limit: NotRequired[int | None]
    sort: NotRequired[AttemptSort | None]


class AttemptService:
    def __init__(self, profiles: ProfileStore, run: OperationRunner) -> None:
        self._profiles = profiles
        self._run = run

    @staticmethod
    def source(vendor: Vendor) -> AttemptSource | None:
        return vendor if isinstance(vendor, AttemptSource) else None

    def _source(self, prepared: PreparedLookup, what: str) -> AttemptSource:
        source = self.source(prepared.vendor)
        if source is None:
            raise ConfigurationError(f"{prepared.vendor.title} does not {what} attempts.")
        return source

    async def page(
        self,
        prepared: PreparedLookup,
        *,
        skip: int,
        limit: int | None = None,
        sort: AttemptSort | None = None,
    ) -> AttemptPage:
        source = self._source(prepared, "list")

        async def page(context: VendorContext) -> AttemptPage:
            size = limit if limit is not None else source.page_size(context)
            return await source.attempt_page(
                context, prepared.params, skip=skip, limit=size, sort=sort
            )

        found = await self._run(prepared.vendor, prepared.profile, page)
        return replace(found, attempts=redact_each(found.attempts))

    async def count(self, prepared: PreparedLookup) -> int:
        source = self._source(prepared, "count")
        return await self._run(
            prepared.vendor,
            prepared.profile,
            lambda context: source.count(context, prepared.params),
        )

    async def remaining(self, prepared: PreparedLookup, result: LookupResult) -> LookupResult:
        """The result with every page of attempts loaded (the CLI lists them all), or as many as
        the paging guard allows, with a notice saying why it stopped."""
        paging = AttemptPaging(prepared.vendor.title, result.attempts_total or 0, result.attempts)
        while paging.wants_more():
            paging.add(await self.page(prepared, skip=paging.loaded))
        notices = [*result.notices, paging.stop_reason] if paging.stop_reason else result.notices
        return result.model_copy(update={"attempts": paging.attempts, "notices": notices})

    async def _edit(self, vendor_key: str, profile_name: str | None, plan: _EditPlan[_T]) -> _T:
        """Run the operation ``plan`` makes for the vendor's editor; the profile is resolved and
        the input checked before anything is read or sent."""
        vendor = get_vendor(vendor_key)
        if not isinstance(vendor, AttemptEditor):
            raise ConfigurationError(f"{vendor.title} attempts cannot be edited.")
        profile = self._profiles.resolve(vendor_key, profile_name)
        return await self._run(vendor, profile, plan(vendor))

    async def update(
        self, vendor_key: str, profile_name: str | None, attempt_id: str, changes: dict[str, str]
    ) -> None:
        def plan(editor: AttemptEditor) -> Callable[[VendorContext], Awaitable[None]]:
            # An edit sends only what it changes: no field is required, and none falls back to
            # its form default (an unset "Answered" would otherwise reset it to false).
            fields = tuple(
                replace(spec, required=False, default=None) for spec in editor.editable_fields
            )
            cleaned = validate_fields(fields, changes)
            if not cleaned:
                raise InvalidInputError("Nothing to change.")
            checked_id = editor.checked_attempt_id(attempt_id)
            return lambda context: editor.update_attempt(context, checked_id, cleaned)

        await self._edit(vendor_key, profile_name, plan)

    async def delete(self, vendor_key: str, profile_name: str | None, attempt_id: str) -> None:
        def plan(editor: AttemptEditor) -> Callable[[VendorContext], Awaitable[None]]:
            checked_id = editor.checked_attempt_id(attempt_id)
            return lambda context: editor.delete_attempt(context, checked_id)

        await self._edit(vendor_key, profile_name, plan)

    async def create(
        self, vendor_key: str, profile_name: str | None, values: dict[str, str]
    ) -> str:
        """The new attempt's ID (secrets in use masked, should the vendor echo one)."""

        def plan(editor: AttemptEditor) -> Callable[[VendorContext], Awaitable[str]]:
            cleaned = validate_fields(editor.creation_fields + editor.editable_fields, values)
            return lambda context: editor.create_attempt(context, cleaned)

        return redact_secret_values(await self._edit(vendor_key, profile_name, plan))
