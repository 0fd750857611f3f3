"""Ringbook: a vendor with escalation attempts that exists only in the tests.

It proves that a vendor with attempts is one module (this one), its simulator module
(``attempt_vendor_simulator``) and one registry entry: nothing outside ``tests/`` names it, and
its wire names share nothing with OneUptime's (``id``, ``call``, ``agent``, ``outcome``,
``ring_s``, ``began``...), so generic code that still knew OneUptime's names would fail here.

Its API (invented, plain JSON over REST, a token header):
``GET /calls/{call}/rings?offset=&size=&order=&desc=`` lists a call's rings, ``{"rings":
[...], "total": N}``; ``GET /calls/{call}/count`` counts them; ``GET|PUT|DELETE /rings/{id}`` reads,
changes or deletes one; ``POST /rings`` creates one and answers ``{"id": ...}``.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, ClassVar

from pydantic import JsonValue

from desktop.core.errors import BadResponseError, VendorError
from desktop.core.http import HttpResponse
from desktop.core.models import (
    AttemptOutcome,
    CallRecord,
    CompactRecord,
    EscalationAttempt,
    LookupResult,
)
from desktop.core.timefmt import parse_time
from desktop.vendors import REGISTRY, VendorEntry
from desktop.vendors.base import (
    SAFE_IDENTIFIER,
    SAFE_IDENTIFIER_HINT,
    AttemptEditor,
    AttemptPage,
    AttemptSort,
    AttemptSource,
    FieldKind,
    IdentifierKind,
    InputField,
    ProfileField,
    Vendor,
    VendorContext,
    error_class_for_status,
    path_segment,
    pretty_body,
    text_field,
)

KEY = "ringbook"
TITLE = "Ringbook"
TOKEN_HEADER = "X-Ringbook-Token"
PAGE_SIZE = 50

ENTRY = VendorEntry(
    KEY,
    TITLE,
    "tests.support.attempt_vendor:Ringbook",
    simulator="tests.support.attempt_vendor_simulator:RingbookSimulator",
    sensitive_names=(TOKEN_HEADER.lower(),),
)

#: Ringbook's outcome words and what they mean.
OUTCOMES = {
    "picked": AttemptOutcome.ANSWERED,
    "missed": AttemptOutcome.NOT_ANSWERED,
    "ringing": AttemptOutcome.IN_PROGRESS,
}


def _id_input(name: str, label: str, help_text: str, **extra: Any) -> InputField:
    return InputField(
        name=name,
        label=label,
        help=help_text,
        pattern=SAFE_IDENTIFIER,
        pattern_hint=f"an ID has {SAFE_IDENTIFIER_HINT}",
        **extra,
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def parse_ring(item: Any) -> EscalationAttempt:
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise BadResponseError("Ringbook sent a ring without an id.", vendor=KEY)
    status = _text(item.get("outcome"))
    began, ended = (item.get(name) for name in ("began", "ended"))
    picked_up = item.get("picked_up")
    values: dict[str, JsonValue] = {"id": item["id"]}
    values.update((name, value) for name, value in item.items() if name != "id")
    return EscalationAttempt(
        vendor=KEY,
        attempt_id=item["id"],
        incoming_call_log_id=_text(item.get("call")),
        user_id=_text(item.get("agent")),
        user_phone_number=_text(item.get("line")),
        escalation_rule_id=_text(item.get("tier")),
        status=status,
        outcome=OUTCOMES.get(status or ""),
        status_message=_text(item.get("note")),
        dial_duration_seconds=_number(item.get("ring_s")),
        cost_usd_cents=_number(item.get("cents")),
        started_at=parse_time(began) if isinstance(began, str) else None,
        ended_at=parse_time(ended) if isinstance(ended, str) else None,
        is_answered=picked_up if isinstance(picked_up, bool) else None,
        values=CompactRecord(values),
    )


def error_for(response: HttpResponse) -> VendorError:
    body = response.json_or_none()
    said = body.get("error") if isinstance(body, dict) else None
    return error_class_for_status(response.status)(
        f"Ringbook answered with HTTP {response.status}.",
        vendor=KEY,
        http_status=response.status,
        vendor_text=str(said) if said else None,
    )


class Ringbook(Vendor, AttemptSource, AttemptEditor):
    key = KEY
    title = TITLE
    description = "Every ring of a call on Ringbook: who was rung, how long, picked up or not."
    input_fields = (
        _id_input("call", "Call ID", "Lists every ring of the call.", placeholder="e.g. rbcall-3"),
        _id_input("id", "Ring ID", "Shows one ring with every field."),
    )
    profile_fields = (
        ProfileField(
            name="token", label="Token", help="The API token.", secret=True, required=True,
            sent_in_header=True,
        ),
    )  # fmt: skip
    search_inputs: ClassVar[dict[IdentifierKind, str]] = {IdentifierKind.CALL_ID: "call"}
    sortable_fields: ClassVar[dict[str, str]] = {
        "started_at": "began",
        "dial_duration_seconds": "ring_s",
        "user_id": "agent",
        "status": "outcome",
    }
    attempt_lookup_input = "id"
    editable_fields = (
        InputField(name="outcome", label="Outcome", help="How the ring ended.",
                   kind=FieldKind.CHOICE, choices=tuple(OUTCOMES), required=True),
        InputField(name="note", label="Note", help="Free text.", max_length=500),
        InputField(name="picked_up", label="Picked up", help="Whether the agent picked up.",
                   kind=FieldKind.BOOLEAN, default="false"),
        InputField(name="ring_s", label="Ring time (s)", help="How long it rang.",
                   kind=FieldKind.INTEGER, minimum=0, maximum=3600),
    )  # fmt: skip
    creation_fields = (
        _id_input("call", "Call ID", "The call the ring belongs to.", required=True),
    )
    attempt_id_input = _id_input("id", "Ring ID", "The ring to change or delete.", required=True)

    def check_combination(self, cleaned: dict[str, str]) -> dict[str, str]:
        if len(cleaned) != 1:
            return {"call": "enter a call ID or a ring ID (one of them)"}
        return {}

    @staticmethod
    def _headers(context: VendorContext) -> dict[str, str]:
        return {TOKEN_HEADER: context.secret("token")}

    async def _send(
        self, context: VendorContext, method: str, path: str, **request: Any
    ) -> HttpResponse:
        response = await context.http.request(
            method, context.url(path), headers=self._headers(context), **request
        )
        if response.status not in (200, 201, 204):
            raise error_for(response)
        return response

    def page_size(self, context: VendorContext) -> int:
        return PAGE_SIZE

    async def attempt_page(
        self,
        context: VendorContext,
        params: dict[str, str],
        *,
        skip: int,
        limit: int,
        sort: AttemptSort | None = None,
    ) -> AttemptPage:
        page, _response = await self._list(context, params, skip, limit, sort)
        return page

    async def _list(
        self,
        context: VendorContext,
        params: dict[str, str],
        skip: int,
        limit: int,
        sort: AttemptSort | None,
    ) -> tuple[AttemptPage, HttpResponse]:
        query = {"offset": str(skip), "size": str(limit)}
        if sort is not None and sort.field in self.sortable_fields:
            query |= {"order": self.sortable_fields[sort.field], "desc": str(int(sort.descending))}
        path = f"/calls/{path_segment(params['call'], 'call')}/rings"
        response = await self._send(context, "GET", path, params=query, idempotent=True)
        body = response.json()
        rings, total = (
            body.get(name) if isinstance(body, dict) else None for name in ("rings", "total")
        )
        if not isinstance(rings, list) or not isinstance(total, int) or isinstance(total, bool):
            raise BadResponseError("Ringbook's list has no rings and total.", vendor=KEY)
        attempts = [parse_ring(item) for item in rings]
        return AttemptPage(attempts, max(total, skip + len(attempts)), skip), response

    async def count(self, context: VendorContext, params: dict[str, str]) -> int:
        path = f"/calls/{path_segment(params['call'], 'call')}/count"
        response = await self._send(context, "GET", path, idempotent=True)
        body = response.json()
        total = body.get("total") if isinstance(body, dict) else None
        if not isinstance(total, int) or isinstance(total, bool):
            raise BadResponseError("Ringbook's count has no total.", vendor=KEY)
        return total

    async def lookup(self, context: VendorContext, params: dict[str, str]) -> LookupResult:
        if "id" in params:
            return await self._one(context, params)
        page, response = await self._list(context, params, 0, PAGE_SIZE, None)
        return LookupResult(
            vendor=KEY,
            profile=context.profile.name,
            params=params,
            summary=f"{page.total} rings ({len(page.attempts)} loaded)",
            attempts=page.attempts,
            attempts_total=page.total,
            raw_text=pretty_body(response),
        )

    async def _one(self, context: VendorContext, params: dict[str, str]) -> LookupResult:
        path = f"/rings/{path_segment(params['id'], 'id')}"
        response = await self._send(context, "GET", path, idempotent=True)
        body = response.json()
        attempt = parse_ring(body)
        call = CallRecord(
            vendor=KEY,
            call_id=attempt.incoming_call_log_id,
            fields=tuple(text_field(name, name, value) for name, value in body.items()),
            raw=body,
            values=attempt.values.as_dict(),
        )
        return LookupResult(
            vendor=KEY,
            profile=context.profile.name,
            params=params,
            summary=f"Ring {attempt.attempt_id}: {attempt.status or 'no outcome'}",
            calls=[call],
            attempts=[attempt],
            attempts_total=1,
            raw_text=pretty_body(response),
        )

    @staticmethod
    def _typed(values: dict[str, str]) -> dict[str, Any]:
        typed: dict[str, Any] = dict(values)
        if "picked_up" in values:
            typed["picked_up"] = values["picked_up"] == "true"
        if "ring_s" in values:
            typed["ring_s"] = int(values["ring_s"])
        return typed

    async def update_attempt(
        self, context: VendorContext, attempt_id: str, changes: dict[str, str]
    ) -> None:
        path = f"/rings/{path_segment(attempt_id, 'id')}"
        await self._send(context, "PUT", path, json_body=self._typed(changes))

    async def delete_attempt(self, context: VendorContext, attempt_id: str) -> None:
        await self._send(context, "DELETE", f"/rings/{path_segment(attempt_id, 'id')}")

    async def create_attempt(self, context: VendorContext, values: dict[str, str]) -> str:
        response = await self._send(context, "POST", "/rings", json_body=self._typed(values))
        body = response.json()
        created = body.get("id") if isinstance(body, dict) else None
        if not isinstance(created, str):
            raise BadResponseError("Ringbook did not say which ring it created.", vendor=KEY)
        return created


def registered() -> Generator[VendorEntry, None, None]:
    """Ringbook in the one registry while the caller runs (a fixture's body)."""
    REGISTRY.register(ENTRY)
    try:
        yield ENTRY
    finally:
        REGISTRY.unregister(KEY)
