"""OneUptime on-call: Incoming Call Log Items, one per escalation attempt (user ring) of a call.

Spec: OneUptime's generated API reference for Incoming Call Log Item (also published under the
name "Status200"), checked against OneUptime's source (github.com/OneUptime/oneuptime,
Common/Models/DatabaseModels/IncomingCallLogItem.ts and Common/Server/API/BaseAPI.ts):
skip/limit belong in the query string (the response echoes them only from there), sort is
{"field": "ASC"|"DESC"}, dates may come as {"_type": "DateTime", "value": ...}, get-item
answers {} for "not found or not visible", errors are {"message": ...}.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar, NamedTuple

import phonenumbers
from pydantic import JsonValue

from desktop.core.attempts import summarize
from desktop.core.errors import (
    BadCredentialsError,
    BadResponseError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    VendorError,
)
from desktop.core.http import HttpResponse
from desktop.core.models import (
    AttemptOutcome,
    CallRecord,
    CompactRecord,
    DetailField,
    EscalationAttempt,
    FieldRole,
    LookupResult,
    shared_number,
    shared_text,
)
from desktop.core.paste import GUID_PATTERN
from desktop.core.timefmt import parse_time, shown_time, utc_text
from desktop.vendors.base import (
    AttemptEditor,
    AttemptPage,
    AttemptSort,
    AttemptSource,
    FieldKind,
    IdentifierKind,
    InputField,
    ProfileField,
    RateLimit,
    Vendor,
    VendorContext,
    compact_json,
    error_class_for_status,
    hundredth,
    number_value,
    path_segment,
)

RESOURCE = "/incoming-call-log-item"
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
PROJECT_HEADER = "projectid"

FIELDS = (
    "_id",
    "createdAt",
    "updatedAt",
    "projectId",
    "incomingCallLogId",
    "incomingCallPolicyEscalationRuleId",
    "userId",
    "userPhoneNumber",
    "status",
    "statusMessage",
    "dialDurationInSeconds",
    "callCostInUSDCents",
    "startedAt",
    "endedAt",
    "isAnswered",
)
SELECT_ALL = dict.fromkeys(FIELDS, True)
FILTER_FIELDS = ("incomingCallLogId", "status", "isAnswered", "userId", "userPhoneNumber")
#: Fields whose values repeat across a call's attempts: held once (``shared_text``).
REPEATING_FIELDS = frozenset(
    ("projectId", "incomingCallLogId", "incomingCallPolicyEscalationRuleId", "userId",
     "userPhoneNumber", "status", "statusMessage")
)  # fmt: skip
_DATE_PATTERN = r"\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?"
_DAY_PATTERN = r"\d{4}-\d\d-\d\d"
_PHONE_PATTERN = r"(\+|00)?[0-9 ()./-]{3,32}"
_UUID_HINT = "an ID is a UUID, e.g. 550e8400-e29b-41d4-a716-446655440000"
_DATE_HELP = (
    "A date (YYYY-MM-DD: the whole day, local time) or a date and time (ISO 8601; local time "
    "unless it gives an offset such as Z or +02:00); sent as an instant."
)

#: IncomingCallStatus (Common/Types/IncomingCall/IncomingCallStatus.ts), in the order a call moves
#: through them, with what each means for the supervisor. An item is created Ringing and ends
#: Connected (answered) or NoAnswer; the other words are the parent log's, kept for tolerance.
STATUS_OUTCOMES = {
    "Initiated": AttemptOutcome.IN_PROGRESS,
    "Ringing": AttemptOutcome.IN_PROGRESS,
    "Connected": AttemptOutcome.ANSWERED,
    "Escalated": AttemptOutcome.NOT_ANSWERED,
    "NoAnswer": AttemptOutcome.NOT_ANSWERED,
    "Failed": AttemptOutcome.NOT_ANSWERED,
    "Completed": AttemptOutcome.ANSWERED,
    "CallerHungUp": AttemptOutcome.NOT_ANSWERED,
    "Busy": AttemptOutcome.NOT_ANSWERED,
}
KNOWN_STATUSES = tuple(STATUS_OUTCOMES)
#: The status words as people write them, for the filter and edit forms (the API's spelling
#: is what is sent).
STATUS_WORDS = (
    ("NoAnswer", "No answer"),
    ("CallerHungUp", "Caller hung up"),
)
#: Every known status in words, as screens show it ("No answer"); the code stays the value.
STATUS_MEANINGS = {status: dict(STATUS_WORDS).get(status, status) for status in STATUS_OUTCOMES}
#: The fields that mean the same across vendors (call card, bulk table's key columns): the
#: number rung is the one the call went to; an attempt knows no caller (its call log does).
_ROLES = {
    "incomingCallLogId": FieldRole.CALL_ID,
    "userPhoneNumber": FieldRole.CALLED,
    "startedAt": FieldRole.STARTED,
    "endedAt": FieldRole.ENDED,
    "dialDurationInSeconds": FieldRole.DURATION,
    "status": FieldRole.STATUS,
}
#: isAnswered as a filter: a boolean read as what it says about the attempt.
ANSWERED_WORDS = (("true", "answered"), ("false", "not answered"))

#: The source allows Viewer too; the generated docs list 'Read All Project Resources' instead.
READ_ROLES = (
    "Project Owner, Admin, Member or Viewer, or the 'Read Incoming Call Log Item' or "
    "'Read All Project Resources' permission"
)
WRITE_ROLES = "Project Owner or Admin"

_LABELS = {
    "_id": "Attempt ID",
    "createdAt": "Created",
    "updatedAt": "Updated",
    "projectId": "Project ID",
    "incomingCallLogId": "Incoming call",
    "incomingCallPolicyEscalationRuleId": "Escalation rule",
    "userId": "User",
    "userPhoneNumber": "Phone number",
    "status": "Status",
    "statusMessage": "Status message",
    "dialDurationInSeconds": "Dial duration (s)",
    "callCostInUSDCents": "Cost (USD cents)",
    "startedAt": "Started",
    "endedAt": "Ended",
    "isAnswered": "Answered",
}


# -- parsing ----------------------------------------------------------------------------------
def parse_date(value: Any) -> datetime | None:
    """ISO text or {"_type": "DateTime", "value": ISO text}; anything else is no date."""
    if isinstance(value, dict) and value.get("_type") == "DateTime":
        value = value.get("value")
    return parse_time(value) if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    """A finite quantity, also from digits in a string; None for anything else. A hostile
    answer's huge integer (too big for a float), NaN or Infinity would break every sum."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _text(value: Any) -> str | None:
    if isinstance(value, str):  # most values are text or typed text: those first
        return value
    if isinstance(value, dict):
        inner = value.get("value")  # typed values such as {"_type": "Phone", "value": ...}
        return inner if isinstance(inner, str) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _plain(value: Any) -> JsonValue:
    """A value of OneUptime's serializer without its type wrapper: {"_type": "ObjectID" |
    "Phone" | "DateTime" | ..., "value": v} becomes v; anything else as sent."""
    if isinstance(value, dict) and "_type" in value and "value" in value:
        inner: JsonValue = value["value"]
        return inner
    plain: JsonValue = value
    return plain


#: JavaScript's ``Date.prototype.toISOString`` form, exactly ("2026-11-20T09:03:45.000Z"):
#: text of this shape that parses is a moment ``javascript_time_text`` writes back digit for
#: digit (UTC, milliseconds; a year, month, day or time out of range does not parse).
_TO_ISO_STRING = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z", re.ASCII
)


def _held_time(text: JsonValue, held: dict[str, datetime]) -> JsonValue | datetime:
    """A time as the attempt holds it: the datetime when it gives back exactly the text
    OneUptime sent (JavaScript's toISOString, as it always writes), else the text. ``held``:
    the attempt's times so far, so equal ones (created and started) are one object."""
    if not isinstance(text, str):
        return text
    moment = held.get(text)
    if moment is None:
        # The shape, not a write-back compared: the same answer for a fraction of the work.
        moment = parse_time(text) if _TO_ISO_STRING.fullmatch(text) else None
        if moment is None:
            return text
        held[text] = moment
    return moment


def _attempt_cells(
    item: dict[str, Any], outcome: AttemptOutcome | None
) -> dict[str, JsonValue | datetime]:
    """The attempt's fields under OneUptime's names, typed, for its values: IDs, phone and
    times unwrapped (a time in toISOString's form held as its datetime, read back as the text
    OneUptime sent), seconds and cents as numbers, isAnswered a boolean; ``statusMeaning``
    and ``callCostInUSD`` added."""
    values: dict[str, JsonValue | datetime] = {}
    times: dict[str, datetime] = {}
    # The ID first, as every machine format lists it (and OneUptime sends it: no sort then).
    pairs: Iterable[tuple[str, Any]] = item.items()
    if next(iter(item), None) != "_id":
        pairs = sorted(pairs, key=lambda pair: pair[0] != "_id")
    for key, value in pairs:
        plain = _plain(value)
        if key in ("dialDurationInSeconds", "callCostInUSDCents"):
            values[key] = number_value(plain)
        elif key == "isAnswered":
            answered = _boolean(plain)
            values[key] = plain if answered is None else answered
        elif key in REPEATING_FIELDS and isinstance(plain, str):
            values[key] = shared_text(plain)
        elif key.endswith("At"):
            values[key] = _held_time(plain, times)
        else:
            values[key] = plain
        if key == "status":
            values["statusMeaning"] = outcome.value if outcome is not None else None
        elif key == "callCostInUSDCents":
            values["callCostInUSD"] = shared_number(hundredth(number_value(plain)))
    return values


def _moment(held: JsonValue | datetime, sent: Any) -> datetime | None:
    """The attempt's time: the datetime its values hold (one object for both), else parsed."""
    return held if isinstance(held, datetime) else parse_date(sent)


def parse_attempt(item: Any) -> EscalationAttempt:
    if not isinstance(item, dict) or not isinstance(item.get("_id"), str):
        raise BadResponseError("OneUptime sent an attempt without an _id.", vendor="oneuptime")
    status = shared_text(_text(item.get("status")))
    outcome = STATUS_OUTCOMES.get(status or "")
    cells = _attempt_cells(item, outcome)
    held = cells.get
    return EscalationAttempt(
        vendor="oneuptime",
        attempt_id=item["_id"],
        # from the values, whose repeating strings are shared
        incoming_call_log_id=_text(held("incomingCallLogId")),
        user_id=_text(held("userId")),
        user_phone_number=_text(held("userPhoneNumber")),
        escalation_rule_id=_text(held("incomingCallPolicyEscalationRuleId")),
        status=status,
        outcome=outcome,
        status_message=_text(held("statusMessage")),
        dial_duration_seconds=shared_number(_number(item.get("dialDurationInSeconds"))),
        cost_usd_cents=shared_number(_number(item.get("callCostInUSDCents"))),
        started_at=_moment(held("startedAt"), item.get("startedAt")),
        ended_at=_moment(held("endedAt"), item.get("endedAt")),
        created_at=_moment(held("createdAt"), item.get("createdAt")),
        is_answered=_boolean(item.get("isAnswered")),
        values=CompactRecord(cells),
    )


def parse_page(body: Any, skip: int) -> AttemptPage:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise BadResponseError("OneUptime's list answer has no data list.", vendor="oneuptime")
    attempts = [parse_attempt(item) for item in body["data"]]
    total = body.get("count")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        total = skip + len(attempts)
    return AttemptPage(attempts=attempts, total=max(total, skip + len(attempts)), skip=skip)


def attempt_details(item: dict[str, Any]) -> tuple[DetailField, ...]:
    """Every field of one attempt for the details table: dates local, UTC in the tooltip, the
    status beside its words; the fields with a meaning across vendors carry their role."""
    fields = []
    for key in FIELDS:
        if key not in item:
            continue
        raw = item[key]
        role = _ROLES.get(key)
        moment = parse_date(raw) if key.endswith("At") else None
        if moment is not None:
            fields.append(
                DetailField(
                    key=key,
                    label=_LABELS[key],
                    value=shown_time(moment, _text(raw)),
                    raw=raw,
                    role=role,
                    note=utc_text(moment),
                    moment=moment,
                )
            )
        elif key == "status":
            fields.append(_status_field(_text(raw) or "", raw))
        else:
            value = _text(raw)
            if value is None and isinstance(raw, bool):
                value = "yes" if raw else "no"
            fields.append(
                DetailField(key=key, label=_LABELS[key], value=value or "", raw=raw, role=role)
            )
    return tuple(fields)


def _status_field(status: str, raw: JsonValue) -> DetailField:
    """The status code beside its words where they differ ("NoAnswer — No answer"), what it
    means for the supervisor in the tooltip; a status OneUptime does not document as it came."""
    words = STATUS_MEANINGS.get(status)
    outcome = STATUS_OUTCOMES.get(status)
    if words is None or outcome is None:
        note = "status not in OneUptime's documented list" if status else None
        return DetailField(key="status", label=_LABELS["status"], value=status, raw=raw,
                           role=FieldRole.STATUS, note=note)  # fmt: skip
    return DetailField(
        key="status",
        label=_LABELS["status"],
        value=status if words == status else f"{status} — {words}",
        raw=raw,
        role=FieldRole.STATUS,
        note=f"{status}: {outcome.value}",
        meaning=words,
    )


def _status_words(status: str | None) -> str:
    """The status as people read it, with what it means ("No answer, not answered"); a
    status OneUptime does not document as it came."""
    if not status:
        return "no status"
    outcome = STATUS_OUTCOMES.get(status)
    return f"{STATUS_MEANINGS[status]}, {outcome.value}" if outcome is not None else status


def error_for_response(response: HttpResponse, *, writing: bool = False) -> VendorError:
    body = response.json_or_none()
    message = body.get("message") if isinstance(body, dict) else None
    vendor_text = str(message) if message else None
    status = response.status
    roles = WRITE_ROLES if writing else READ_ROLES
    if status == 400 and vendor_text and "api key" in vendor_text.lower():
        return BadCredentialsError(
            "OneUptime did not accept the ApiKey (it must be the key's UUID).",
            vendor="oneuptime", http_status=status, vendor_text=vendor_text,
        )  # fmt: skip
    if status == 401:
        return BadCredentialsError(
            "OneUptime rejected the ApiKey: check the key and the project ID.",
            vendor="oneuptime", http_status=status, vendor_text=vendor_text,
        )  # fmt: skip
    if status in (403, 422):
        action = "change escalation attempts" if writing else "read escalation attempts"
        return ForbiddenError(
            f"This API key may not {action}: it needs {roles} in the project "
            "(new keys have no permissions until they are given some).",
            vendor="oneuptime", http_status=status, vendor_text=vendor_text,
        )  # fmt: skip
    if status == 429:
        return RateLimitedError(
            "OneUptime allows 100 operations per second per project: wait a moment.",
            vendor="oneuptime", http_status=status, vendor_text=vendor_text,
        )  # fmt: skip
    text = {
        400: "OneUptime refused the request as malformed.",
        404: "OneUptime has no such resource: check the base URL (it ends in /api).",
    }.get(status, f"OneUptime answered with HTTP {status}.")
    return error_class_for_status(status)(
        text, vendor="oneuptime", http_status=status, vendor_text=vendor_text
    )


def started_instant(text: str, *, end_of_day: bool) -> datetime | None:
    """The instant a "Started from/until" input means, or None when it is no real date.

    A date alone covers the whole day in local time: its start for "from", its last
    millisecond for "until" (OneUptime stores milliseconds). A time without an offset is local.
    """
    value = text.strip()
    try:
        if re.fullmatch(_DAY_PATTERN, value):
            moment = datetime.combine(
                date.fromisoformat(value), time.max if end_of_day else time.min
            )
        else:
            moment = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.astimezone()  # naive: local time


def _instant_text(moment: datetime) -> str:
    """UTC ISO 8601 with milliseconds, as OneUptime writes dates (Date.toISOString)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def e164_number(text: str) -> str | None:
    """The number in E.164 (+15551234567), the one form OneUptime stores and matches; None
    when it is no possible number with a country code."""
    value = text.strip()
    if value.startswith("00"):
        value = "+" + value[2:]
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def build_query(params: dict[str, str]) -> dict[str, Any]:
    """The list/count query: equality for plain filters, typed operators for the date range
    (whole days widened to their start and end, sent as UTC instants)."""
    query: dict[str, Any] = {}
    for name in FILTER_FIELDS:
        if name in params:
            query[name] = params[name] == "true" if name == "isAnswered" else params[name]
    bounds = [
        started_instant(params[name], end_of_day=name == "startedAtTo") if name in params else None
        for name in ("startedAtFrom", "startedAtTo")
    ]
    start, end = (_instant_text(moment) if moment else None for moment in bounds)
    if start and end:
        query["startedAt"] = {"_type": "InBetween", "startValue": start, "endValue": end}
    elif start:
        query["startedAt"] = {"_type": "GreaterThanOrEqual", "value": start}
    elif end:
        query["startedAt"] = {"_type": "LessThanOrEqual", "value": end}
    return query


def _typed_changes(changes: dict[str, str]) -> dict[str, Any]:
    typed: dict[str, Any] = {}
    for name, value in changes.items():
        if name == "isAnswered":
            typed[name] = value == "true"
        elif name in ("dialDurationInSeconds", "callCostInUSDCents"):
            typed[name] = int(value)
        else:
            typed[name] = value
    return typed


def _id_input(name: str, label: str, help_text: str, **extra: Any) -> InputField:
    """OneUptime's IDs are ObjectIDs, which are UUIDs: anything else is refused unsent."""
    return InputField(
        name=name,
        label=label,
        help=help_text,
        pattern=GUID_PATTERN,
        pattern_hint=_UUID_HINT,
        max_length=36,
        **extra,
    )


class OneUptime(Vendor, AttemptSource, AttemptEditor):
    key = "oneuptime"
    title = "OneUptime"
    description = (
        "Escalation attempts of an incoming call on OneUptime on-call: who was rung, how long, "
        "answered or not, at what cost."
    )
    input_fields = (
        _id_input(
            "incomingCallLogId",
            "Incoming call ID",
            "The parent Incoming Call Log's ID: lists every escalation attempt of the call.",
            placeholder="e.g. 550e8400-e29b-41d4-a716-446655440000",
        ),
        _id_input(
            "_id", "Attempt ID", "One attempt's _id: shows all of its fields. Leave filters empty."
        ),
        InputField(
            name="status",
            label="Status",
            help="Only attempts with this status.",
            kind=FieldKind.CHOICE,
            choices=("", *KNOWN_STATUSES),
            choice_words=STATUS_WORDS,
            default="",
        ),
        InputField(
            name="isAnswered",
            label="Answered",
            help="Only answered (true) or unanswered (false) attempts.",
            kind=FieldKind.CHOICE,
            choices=("", "true", "false"),
            choice_words=ANSWERED_WORDS,
            default="",
        ),
        _id_input("userId", "User ID", "Only rings of this user."),
        InputField(
            name="userPhoneNumber",
            label="Phone number",
            help="Only rings of this number, with its country code, e.g. +15551234567; sent in "
            "E.164, the form OneUptime stores.",
            pattern=_PHONE_PATTERN,
            pattern_hint="a phone number has digits, spaces and + ( ) . / -",
        ),
        InputField(
            name="startedAtFrom",
            label="Started from",
            help="Only attempts started at or after this time. " + _DATE_HELP,
            pattern=_DATE_PATTERN,
            pattern_hint="a date like 2026-11-20 or 2026-11-20T09:00:00Z",
        ),
        InputField(
            name="startedAtTo",
            label="Started until",
            help="Only attempts started at or before this time. " + _DATE_HELP,
            pattern=_DATE_PATTERN,
            pattern_hint="a date like 2026-11-21 or 2026-11-21T18:00:00Z",
        ),
    )
    profile_fields = (
        ProfileField(
            name="projectId",
            label="Project ID",
            help="The OneUptime project the key belongs to (sent as the project header).",
            required=True,
            sent_in_header=True,
        ),
        ProfileField(
            name="limit",
            label="Page size",
            help="Attempts fetched per request, 1 to 100.",
            kind=FieldKind.INTEGER,
            minimum=1,
            maximum=MAX_PAGE_SIZE,
            default=str(DEFAULT_PAGE_SIZE),
        ),
        ProfileField(
            name="ApiKey",
            label="API key",
            help="The project API key.",
            secret=True,
            required=True,
            sent_in_header=True,
        ),
    )
    base_url_help = "The API root including /api, e.g. https://oneuptime.com/api."
    base_url_examples = ("https://oneuptime.com/api",)
    search_inputs: ClassVar[dict[IdentifierKind, str]] = {
        IdentifierKind.REQUEST_ID: "incomingCallLogId",
        IdentifierKind.PHONE_NUMBER: "userPhoneNumber",
    }
    #: OneUptime answers 429 past 100 operations per second per project: never provoke it.
    rate_limit = RateLimit(requests=100, per_seconds=1.0)
    sortable_fields: ClassVar[dict[str, str]] = {
        "started_at": "startedAt",
        "ended_at": "endedAt",
        "created_at": "createdAt",
        "user_id": "userId",
        "user_phone_number": "userPhoneNumber",
        "escalation_rule_id": "incomingCallPolicyEscalationRuleId",
        "status": "status",
        "status_message": "statusMessage",
        "dial_duration_seconds": "dialDurationInSeconds",
        "cost_usd_cents": "callCostInUSDCents",
        "is_answered": "isAnswered",
    }
    editable_fields = (
        InputField(name="status", label="Status", help="The attempt's status.",
                   kind=FieldKind.CHOICE, choices=KNOWN_STATUSES, choice_words=STATUS_WORDS,
                   required=True),
        InputField(name="statusMessage", label="Status message", help="Free text.",
                   max_length=2000),
        InputField(name="isAnswered", label="Answered", help="Whether the user answered.",
                   kind=FieldKind.BOOLEAN, default="false"),
        InputField(name="dialDurationInSeconds", label="Dial duration (s)",
                   help="How long the dial lasted.", kind=FieldKind.INTEGER, minimum=0,
                   maximum=86400),
        InputField(name="callCostInUSDCents", label="Cost (USD cents)",
                   help="Cost of this dial attempt.", kind=FieldKind.INTEGER, minimum=0,
                   maximum=10_000_000),
    )  # fmt: skip
    creation_fields = (
        _id_input("incomingCallLogId", "Incoming call ID", "The call this attempt belongs to.",
                  required=True),
    )  # fmt: skip
    attempt_id_input = _id_input(
        "_id", "Attempt ID", "The attempt to change or delete.", required=True
    )
    attempt_lookup_input = "_id"

    def check_combination(self, cleaned: dict[str, str]) -> dict[str, str]:
        filters = [name for name in cleaned if name != "_id"]
        if "_id" in cleaned and filters:
            return {"_id": "an attempt ID shows one attempt: leave the other fields empty"}
        if not cleaned:
            return {"incomingCallLogId": "enter an incoming call ID, an attempt ID, or a filter"}
        problems: dict[str, str] = {}
        if "userPhoneNumber" in cleaned:
            number = e164_number(cleaned["userPhoneNumber"])
            if number is None:
                problems["userPhoneNumber"] = (
                    "Phone number: not a phone number with its country code (e.g. +15551234567)"
                )
            else:
                cleaned["userPhoneNumber"] = number
        bounds: dict[str, datetime] = {}
        for name, label in (("startedAtFrom", "Started from"), ("startedAtTo", "Started until")):
            if name in cleaned:
                moment = started_instant(cleaned[name], end_of_day=name == "startedAtTo")
                if moment is None:
                    problems[name] = f"{label}: not a real date or time"
                else:
                    bounds[name] = moment
        if len(bounds) == 2 and bounds["startedAtTo"] < bounds["startedAtFrom"]:
            problems["startedAtTo"] = "Started until: before Started from"
        return problems

    # -- requests ---------------------------------------------------------------------------
    @staticmethod
    def _headers(context: VendorContext) -> dict[str, str]:
        return {
            "ApiKey": context.secret("ApiKey"),
            PROJECT_HEADER: context.profile.setting("projectId") or "",
            "Content-Type": "application/json",
        }

    def page_size(self, context: VendorContext) -> int:
        try:
            size = int(context.profile.setting("limit") or DEFAULT_PAGE_SIZE)
        except ValueError:
            size = DEFAULT_PAGE_SIZE
        return min(MAX_PAGE_SIZE, max(1, size))

    async def attempt_page(
        self,
        context: VendorContext,
        params: dict[str, str],
        *,
        skip: int,
        limit: int,
        sort: AttemptSort | None = None,
    ) -> AttemptPage:
        page, _body = await self._list(context, params, skip, limit, sort)
        return page

    async def _list(
        self,
        context: VendorContext,
        params: dict[str, str],
        skip: int,
        limit: int,
        sort: AttemptSort | None,
    ) -> tuple[AttemptPage, Any]:
        """The page, and the body it was read from."""
        order = sort or AttemptSort("started_at")
        field = self.sortable_fields.get(order.field, "startedAt")
        response = await context.http.request(
            "POST",
            context.url(f"{RESOURCE}/get-list"),
            params={"skip": str(skip), "limit": str(min(limit, MAX_PAGE_SIZE))},
            headers=self._headers(context),
            json_body={
                "query": build_query(params),
                "select": SELECT_ALL,
                "sort": {field: "DESC" if order.descending else "ASC"},
            },
            idempotent=True,
        )
        if response.status != 200:
            raise error_for_response(response)
        body = response.json()
        return parse_page(body, skip), body

    async def count(self, context: VendorContext, params: dict[str, str]) -> int:
        response = await context.http.request(
            "POST",
            context.url(f"{RESOURCE}/count"),
            headers=self._headers(context),
            json_body={"query": build_query(params)},
            idempotent=True,
        )
        if response.status != 200:
            raise error_for_response(response)
        body = response.json()
        total = body.get("count") if isinstance(body, dict) else None
        if not isinstance(total, int) or isinstance(total, bool):
            raise BadResponseError("OneUptime's count answer has no count.", vendor="oneuptime")
        return total

    async def test_connection(self, context: VendorContext) -> str:
        """A count needs the read permission the supervisor view needs, and nothing else."""
        total = await self.count(context, {})
        return f"OneUptime accepted the ApiKey: the project has {total:,} escalation attempts."

    async def lookup(self, context: VendorContext, params: dict[str, str]) -> LookupResult:
        if "_id" in params:
            return await self._get_item(context, params)
        page, body = await self._list(context, params, 0, self.page_size(context), None)
        figures = summarize(page.attempts)
        loaded = len(page.attempts)
        summary = (
            f"{page.total} attempts"
            + (f" ({loaded} loaded)" if loaded < page.total else "")
            + f" · {figures.answered} of {loaded} answered"
        )
        return LookupResult(
            vendor=self.key,
            profile=context.profile.name,
            params=params,
            summary=summary,
            attempts=page.attempts,
            attempts_total=page.total,
            raw_text=compact_json(body),
        )

    async def _get_item(self, context: VendorContext, params: dict[str, str]) -> LookupResult:
        attempt_id = params["_id"]
        response = await context.http.request(
            "POST",
            context.url(f"{RESOURCE}/{path_segment(attempt_id, '_id')}/get-item"),
            headers=self._headers(context),
            json_body={"select": SELECT_ALL},
            idempotent=True,
        )
        if response.status != 200:
            raise error_for_response(response)
        body = response.json()
        if body == {}:
            raise NotFoundError(
                f"OneUptime has no attempt {attempt_id}, or this key may not see it.",
                vendor=self.key,
            )
        attempt = parse_attempt(body)
        call = CallRecord(
            vendor=self.key,
            call_id=attempt.incoming_call_log_id,
            fields=attempt_details(body),
            raw=body,
            values=attempt.record(),
        )
        return LookupResult(
            vendor=self.key,
            profile=context.profile.name,
            params=params,
            summary=f"Attempt {attempt_id}: {_status_words(attempt.status)}",
            calls=[call],
            attempts=[attempt],
            attempts_total=1,
            raw_text=compact_json(body),
        )

    async def update_attempt(
        self, context: VendorContext, attempt_id: str, changes: dict[str, str]
    ) -> None:
        response = await context.http.request(
            "PUT",
            context.url(f"{RESOURCE}/{path_segment(attempt_id, '_id')}"),
            headers=self._headers(context),
            json_body={"data": _typed_changes(changes)},
        )
        if response.status != 200:
            raise error_for_response(response, writing=True)

    async def delete_attempt(self, context: VendorContext, attempt_id: str) -> None:
        response = await context.http.request(
            "DELETE",
            context.url(f"{RESOURCE}/{path_segment(attempt_id, '_id')}"),
            headers=self._headers(context),
        )
        if response.status != 200:
            raise error_for_response(response, writing=True)

    async def create_attempt(self, context: VendorContext, values: dict[str, str]) -> str:
        data = _typed_changes(values)
        data["projectId"] = context.profile.setting("projectId") or ""
        data.setdefault("isAnswered", False)  # required by the model, false until answered
        response = await context.http.request(
            "POST",
            context.url(RESOURCE),
            headers=self._headers(context),
            json_body={"data": data},
        )
        if response.status != 200:
            raise error_for_response(response, writing=True)
        body = response.json()
        created = body.get("_id") if isinstance(body, dict) else None
        if not isinstance(created, str) or not re.fullmatch(GUID_PATTERN, created):
            raise BadResponseError("OneUptime did not say which ID it created.", vendor=self.key)
        return created


# -- a period's attempts, for escalation analytics -------------------------------------------
#: The related user's name, read through OneUptime's relation select where the key may read users.
USER_NAME_SELECT: dict[str, Any] = {"user": {"_id": True, "name": True}}
#: What a period page asks for: only the fields ``PeriodItem`` keeps (no phone number, status
#: message, end or creation time), which halves each page on the wire and in the JSON parser.
PERIOD_SELECT = dict.fromkeys(
    ("_id", "updatedAt", "incomingCallLogId", "incomingCallPolicyEscalationRuleId", "userId",
     "status", "dialDurationInSeconds", "callCostInUSDCents", "startedAt", "isAnswered"),
    True,
)  # fmt: skip


class PeriodItem(NamedTuple):
    """One attempt of a period, compact: what analytics needs and nothing of the raw JSON (a
    pydantic attempt costs ~0.3 ms to parse and ~3.5 KB to keep; this a tenth of both)."""

    attempt_id: str
    call_id: str | None
    user_id: str | None
    rule_id: str | None
    status: str | None
    answered: bool
    dial_seconds: float | None
    cost_usd_cents: float | None
    #: Unix seconds, as the cache keeps them (converted here, where the date is read).
    started: float | None
    updated: float | None
    user_name: str | None


@dataclass(frozen=True)
class PeriodPage:
    items: list[PeriodItem]
    #: How many attempts match the query in all (OneUptime's list answer counts them).
    total: int
    #: False when the key may not read the ``user`` relation: names are unknown, IDs stand in.
    names_readable: bool


def period_query(
    start: datetime, end: datetime, updated_since: datetime | None = None
) -> dict[str, Any]:
    """Attempts started within [start, end] (instants), optionally only those changed since."""
    started = {"_type": "InBetween", "startValue": _instant(start), "endValue": _instant(end)}
    query: dict[str, Any] = {"startedAt": started}
    if updated_since is not None:
        query["updatedAt"] = {"_type": "GreaterThanOrEqual", "value": _instant(updated_since)}
    return query


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _user_name(item: dict[str, Any]) -> str | None:
    user = item.get("user")
    if not isinstance(user, dict):
        return None
    return _text(user.get("name")) or None


def _seconds(value: Any) -> float | None:
    """``parse_date``'s moment as Unix seconds."""
    moment = parse_date(value)
    return None if moment is None else moment.timestamp()


def period_item(item: Any) -> PeriodItem:
    if not isinstance(item, dict) or not isinstance(item.get("_id"), str):
        raise BadResponseError("OneUptime sent an attempt without an _id.", vendor="oneuptime")
    field = item.get
    status = _text(field("status"))
    answered = _boolean(field("isAnswered"))
    if answered is None:
        answered = STATUS_OUTCOMES.get(status or "") is AttemptOutcome.ANSWERED
    # Positional, in PeriodItem's order: 100,000 of them per period.
    return PeriodItem(
        item["_id"],
        _text(field("incomingCallLogId")),
        _text(field("userId")),
        _text(field("incomingCallPolicyEscalationRuleId")),
        status,
        answered,
        _number(field("dialDurationInSeconds")),
        _number(field("callCostInUSDCents")),
        _seconds(field("startedAt")),
        _seconds(field("updatedAt")),
        _user_name(item),
    )


async def period_page(
    context: VendorContext,
    query: dict[str, Any],
    *,
    skip: int,
    limit: int,
    ids_only: bool = False,
    user_names: bool = False,
) -> PeriodPage:
    """One page of a period's attempts in ``_id`` order: unique and never changed by an update,
    so concurrent pages at different offsets neither repeat nor skip an attempt for ties or
    edits. With ``user_names``, a key refused the ``user`` relation is asked again without it."""
    select: dict[str, Any] = {"_id": True} if ids_only else dict(PERIOD_SELECT)
    if user_names and not ids_only:
        select |= USER_NAME_SELECT
    response = await context.http.request(
        "POST",
        context.url(f"{RESOURCE}/get-list"),
        params={"skip": str(skip), "limit": str(min(limit, MAX_PAGE_SIZE))},
        headers=OneUptime._headers(context),
        json_body={"query": query, "select": select, "sort": {"_id": "ASC"}},
        idempotent=True,
    )
    if user_names and not ids_only and response.status in (400, 403, 422):
        page = await period_page(context, query, skip=skip, limit=limit)
        return PeriodPage(items=page.items, total=page.total, names_readable=False)
    if response.status != 200:
        raise error_for_response(response)
    body = response.json()
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise BadResponseError("OneUptime's list answer has no data list.", vendor="oneuptime")
    items = [period_item(item) for item in body["data"]]
    total = body.get("count")
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        total = skip + len(items)
    return PeriodPage(items=items, total=max(total, skip + len(items)), names_readable=user_names)
