"""LeadSquared telephony connector, Async API: status of a queued call-log request.

Spec: LeadSquared's Post a Call Log Status API
(https://apidocs.leadsquared.com/post-a-call-log-status-api/). The status call needs only
the ``x-api-key`` header; ``RequestBody`` and ``Message`` arrive as JSON text inside the JSON.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from desktop.core.errors import BadResponseError, NotFoundError, VendorError
from desktop.core.http import HttpResponse
from desktop.core.models import (
    CallRecord,
    DetailField,
    FieldRole,
    LookupResult,
    Record,
    RecordingLink,
    TaskState,
    TaskStatus,
)
from desktop.core.timefmt import hms
from desktop.vendors.base import (
    SAFE_IDENTIFIER,
    IdentifierKind,
    InputField,
    ProfileField,
    RateLimit,
    Vendor,
    VendorContext,
    error_class_for_status,
    iso_time,
    link_field,
    number_value,
    pretty_body,
    text_field,
    time_field,
)

STATUS_PATH = "/1/api/telephony/logcallcomplete/status"
#: A well-formed RequestID no real request has, for the connection test.
CONNECTION_TEST_REQUEST_ID = "00000000-0000-0000-0000-000000000000"
API_KEY_HEADER = "x-api-key"

REGIONAL_HOSTS = {
    "India": "https://asyncapi-in21.leadsquared.com",
    "USA": "https://asyncapi-us11.leadsquared.com",
    "Singapore": "https://asyncapi.leadsquared.com",
}

PENDING_NOTICE = (
    "LeadSquared has not finished this request yet. Queued call logs are retried for up to about "
    "9 hours (30 s, 2 min, 7 min ... 3 h), so a long 'In-Queue' is not a failure: look again later."
)

_SUCCESS_WORDS = frozenset({"success"})
_FAILURE_WORDS = frozenset({"failure", "error", "failed"})

# The call-log body's fields in display order: (key in RequestBody, key we show, label, role).
_CALL_FIELDS: tuple[tuple[str, str, str, FieldRole | None], ...] = (
    ("SourceNumber", "SourceNumber", "Source number", FieldRole.CALLER),
    ("DestinationNumber", "DestinationNumber", "Destination number", FieldRole.CALLED),
    ("DisplayNumber", "DisplayNumber", "Display (IVR) number", None),
    ("Direction", "Direction", "Direction", FieldRole.DIRECTION),
    ("Status", "CallStatus", "Call status", FieldRole.STATUS),
    ("CallSessionId", "CallSessionId", "Call session ID", FieldRole.CALL_ID),
    ("LeadId", "LeadId", "Lead ID", None),
    ("UserId", "UserId", "User ID", None),
    ("CallerSource", "CallerSource", "Caller source", None),
    ("Tag", "Tag", "Tag", None),
)


def task_state(status_text: str | None) -> TaskState:
    """Success / failure compared without case; every other word (In-Queue, ...) is pending."""
    word = (status_text or "").strip().lower()
    if word in _SUCCESS_WORDS:
        return TaskState.SUCCESS
    if word in _FAILURE_WORDS:
        return TaskState.FAILURE
    return TaskState.PENDING


def decode_embedded_json(value: Any, name: str) -> tuple[dict[str, Any] | None, str | None]:
    """``RequestBody``/``Message`` come as JSON text inside JSON (sometimes an object, or null).

    Returns the decoded object, or None and a sentence explaining what was there instead."""
    if value is None or value == "":
        return None, None
    if isinstance(value, dict):
        return value, None
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except (ValueError, RecursionError):
            return None, f"{name} is not JSON; shown as it came."
        if isinstance(decoded, dict):
            return decoded, None
        return None, f"{name} holds JSON that is not an object; shown as it came."
    return None, f"{name} has an unexpected type ({type(value).__name__}); shown as it came."


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def parse_status(body: Any, request_id: str, profile: str) -> LookupResult:
    """Turn a 200 answer into a normalized result, or raise a VendorError."""
    if not isinstance(body, dict):
        raise BadResponseError("LeadSquared's answer is not a JSON object.", vendor="leadsquared")
    task = body.get("TaskStatus")
    if task is None:
        raise NotFoundError(
            f"LeadSquared has no call-log request with RequestId {request_id}.",
            vendor="leadsquared",
        )
    if not isinstance(task, dict):
        raise BadResponseError("LeadSquared's TaskStatus is not an object.", vendor="leadsquared")
    answered_id = _text(body.get("RequestId")) or request_id
    status_text = _text(task.get("Status")) or ""
    state = task_state(status_text)
    status = TaskStatus(
        request_id=answered_id,
        state=state,
        status_text=status_text or "(no status)",
        task_type=_text(task.get("TaskType")),
        reason=_text(task.get("StatusReason")),
        current_step=_text(task.get("TaskCurrentStep")),
        last_step=_text(task.get("TaskLastStep")),
    )
    notices: list[str] = []
    call_log, problem = decode_embedded_json(task.get("RequestBody"), "RequestBody")
    if problem:
        notices.append(problem)
    message, problem = decode_embedded_json(task.get("Message"), "Message")
    if problem:
        notices.append(problem)
    if state is TaskState.PENDING:
        notices.append(PENDING_NOTICE)

    fields = [
        text_field("RequestId", "Request ID", answered_id),
        text_field("TaskType", "Task type", status.task_type),
        text_field("TaskStatus", "Task status", status.status_text),
        text_field("StatusReason", "Status reason", status.reason),
        text_field("TaskCurrentStep", "Current step", status.current_step),
        text_field("TaskLastStep", "Last step", status.last_step),
    ]
    recordings: list[RecordingLink] = []
    call_id = answered_id
    if call_log is not None:
        fields.extend(_call_fields(call_log))
        call_id = _text(call_log.get("CallSessionId")) or answered_id
        recording_url = _text(call_log.get("ResourceURL"))
        if recording_url:
            fields.append(link_field("ResourceURL", "Recording (ResourceURL)", recording_url))
            recordings.append(
                RecordingLink(vendor="leadsquared", call_id=call_id, url=recording_url)
            )
    elif not isinstance(task.get("RequestBody"), dict | None) and task.get("RequestBody") != "":
        fields.append(text_field("RequestBody", "Request body (raw)", _text(task["RequestBody"])))
    if message is not None:
        fields.append(
            text_field(
                "ProspectActivityId", "Prospect activity ID", message.get("ProspectActivityId")
            )
        )
        fields.append(text_field("ResultMessage", "Result message", message.get("Message")))
    elif task.get("Message") not in (None, ""):
        fields.append(text_field("Message", "Message (raw)", _text(task["Message"])))

    values = _request_values(answered_id, task, state, call_log, message)
    call = CallRecord(
        vendor="leadsquared", call_id=call_id, fields=tuple(fields), raw=body, values=values
    )
    return LookupResult(
        vendor="leadsquared",
        profile=profile,
        params={"RequestId": request_id},
        summary=_summary(status, call),
        task=status,
        calls=[call],
        recordings=recordings,
        notices=notices,
    )


def _request_values(
    request_id: str,
    task: dict[str, Any],
    state: TaskState,
    call_log: dict[str, Any] | None,
    message: dict[str, Any] | None,
) -> Record:
    """The answer for the machine formats: ``RequestId`` and TaskStatus's fields under their
    own names, as sent, with ``StatusMeaning`` (success, failure or pending) after ``Status``.
    ``RequestBody`` and ``Message`` are the decoded objects (their text as sent when it is not
    a JSON object); in the call log, StartTime/EndTime become ISO 8601 in UTC (the connector's
    documented zone) and CallDuration a number of seconds."""
    values: Record = {"RequestId": request_id}
    for key, value in task.items():
        if key == "RequestBody" and call_log is not None:
            values[key] = {
                name: iso_time(item, utc=True) if name in ("StartTime", "EndTime")
                else number_value(item) if name == "CallDuration"
                else item
                for name, item in call_log.items()
            }  # fmt: skip
        elif key == "Message" and message is not None:
            values[key] = message
        else:
            values[key] = value
        if key == "Status":
            values["StatusMeaning"] = state.value
    return values


def _call_fields(call_log: dict[str, Any]) -> list[DetailField]:
    fields = [
        text_field(shown, label, _text(call_log.get(source)), role=role)
        for source, shown, label, role in _CALL_FIELDS
        if source in call_log
    ]
    # Start and end are UTC 'YYYY-MM-DD HH:MM:SS' (Generic Telephony Connector page).
    for key, label, role in (
        ("StartTime", "Start time", FieldRole.STARTED),
        ("EndTime", "End time", FieldRole.ENDED),
    ):
        if key in call_log:
            fields.append(time_field(key, label, call_log.get(key), role=role))
    if "CallDuration" in call_log:
        raw = call_log.get("CallDuration")
        note = None
        try:
            seconds = float(str(raw))
            shown, note = hms(seconds), f"{seconds:g} s"
        except ValueError:
            shown = _text(raw) or ""
        fields.append(
            DetailField(
                key="CallDuration",
                label="Call duration",
                value=shown,
                raw=raw,
                role=FieldRole.DURATION,
                note=note,
            )
        )
    return fields


def _summary(status: TaskStatus, call: CallRecord) -> str:
    caller = call.value("SourceNumber")
    called = call.value("DestinationNumber")
    words = [f"{status.task_type or 'Task'}: {status.status_text}"]
    if caller or called:
        words.append(f"{caller or '?'} → {called or '?'}")
    call_status = call.value("CallStatus")
    if call_status:
        words.append(call_status)
    return " · ".join(words)


def error_for_response(response: HttpResponse) -> VendorError:
    """A non-200 answer in plain words, with LeadSquared's own exception type and text."""
    body = response.json_or_none()
    exception_type = exception_text = None
    if isinstance(body, dict):
        exception_type = _text(body.get("ExceptionType"))
        exception_text = _text(body.get("ExceptionMessage")) or _text(body.get("Message"))
    status = response.status
    if status == 401:
        message = (
            "LeadSquared rejected the x-api-key. Check the key, and check the host: a key is "
            "accepted only by its account's regional async host (e.g. asyncapi-in21 for India, "
            "asyncapi-us11 for the USA)."
        )
    elif status == 400:
        message = "LeadSquared says the request is malformed (RequestID missing or not valid)."
    elif status == 404 and exception_type:
        message = "LeadSquared has no call-log request with this RequestId."
    elif status == 404:
        message = (
            "LeadSquared has no such API at this address: check the profile's base URL "
            "(the async API host, e.g. https://asyncapi-in21.leadsquared.com)."
        )
    elif status == 429:
        message = (
            "LeadSquared's limit of 25 requests in 5 seconds was exceeded: wait a few seconds "
            "and try again."
        )
    elif status >= 500:
        message = "LeadSquared failed to process the request (server error)."
    else:
        message = f"LeadSquared answered with unexpected HTTP status {status}."
    error_class = error_class_for_status(status)
    return error_class(
        message,
        vendor="leadsquared",
        http_status=status,
        vendor_code=exception_type,
        vendor_text=exception_text,
    )


class LeadSquared(Vendor):
    key = "leadsquared"
    title = "LeadSquared"
    description = (
        "Status of a call log posted through LeadSquared's Async API, with the call it logged."
    )
    input_fields = (
        InputField(
            name="RequestId",
            label="Request ID",
            help="The RequestID that 'Post a Call Log (Async)' returned, e.g. "
            "6697028b-01a1-4f71-9afc-7b4723eb9d02.",
            required=True,
            pattern=SAFE_IDENTIFIER,
            pattern_hint="a request ID has only letters, digits and dashes",
            max_length=64,
            placeholder="e.g. 6697028b-01a1-4f71-9afc-7b4723eb9d02",
        ),
    )
    profile_fields = (
        ProfileField(
            name="x-api-key",
            label="x-api-key",
            help="The account's Async API key (sent in the x-api-key header).",
            secret=True,
            required=True,
            sent_in_header=True,
        ),
    )
    base_url_help = "The account's regional async API host."
    base_url_examples = tuple(REGIONAL_HOSTS.values())
    search_inputs: ClassVar[dict[IdentifierKind, str]] = {IdentifierKind.REQUEST_ID: "RequestId"}
    rate_limit = RateLimit(requests=25, per_seconds=5.0)

    async def _status(self, context: VendorContext, request_id: str) -> HttpResponse:
        return await context.http.request(
            "GET",
            context.url(STATUS_PATH),
            params={"RequestID": request_id},  # the URL template's spelling
            headers={API_KEY_HEADER: context.secret("x-api-key"), "Accept": "application/json"},
        )

    async def lookup(self, context: VendorContext, params: dict[str, str]) -> LookupResult:
        request_id = params["RequestId"]
        response = await self._status(context, request_id)
        if response.status != 200:
            raise error_for_response(response)
        result = parse_status(response.json(), request_id, context.profile.name)
        result.raw_text = pretty_body(response)
        return result

    async def test_connection(self, context: VendorContext) -> str:
        """Ask for a request that cannot exist: LeadSquared checks the key before looking, so
        'no such request' proves the key and the host are right."""
        response = await self._status(context, CONNECTION_TEST_REQUEST_ID)
        if response.status == 200:
            return "LeadSquared accepted the x-api-key."
        error = error_for_response(response)
        if isinstance(error, NotFoundError) and error.vendor_code:
            return "LeadSquared accepted the x-api-key (the test request is unknown, as expected)."
        raise error
