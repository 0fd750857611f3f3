"""LeadSquared adapter against the simulator over HTTP, and its pure parsing."""

from __future__ import annotations

import asyncio
import json

import pytest

from desktop.core.errors import (
    BadCredentialsError,
    BadResponseError,
    InvalidInputError,
    NotFoundError,
    RateLimitedError,
    UnavailableError,
    VendorRejectedError,
)
from desktop.core.models import TaskState
from desktop.engine import LookupEngine
from desktop.simulator import leadsquared as sim
from desktop.simulator.server import Simulator
from desktop.vendors.leadsquared import decode_embedded_json, parse_status, task_state


def run(coroutine):
    return asyncio.run(coroutine)


async def _lookup(engine: LookupEngine, request_id: str):
    try:
        return await engine.lookup("leadsquared", {"RequestId": request_id})
    finally:
        await engine.aclose()


def test_success_shows_task_call_recording_and_activity(engine: LookupEngine) -> None:
    result = run(_lookup(engine, sim.SUCCESS_ID))
    assert result.task is not None
    assert result.task.state is TaskState.SUCCESS
    call = result.calls[0]
    assert call.value("SourceNumber") == "8077128602"
    assert call.value("DestinationNumber") == "9399822316"
    assert call.value("DisplayNumber") == "8068121655"
    assert call.value("CallStatus") == "Answered"
    assert call.value("Direction") == "Inbound"
    assert call.value("CallSessionId") == "61df8827-63d1-4f31-bd3c-ae2d9947161d"
    assert call.value("CallDuration") == "0:24:57"
    assert call.value("ProspectActivityId") == "a9532087-0378-11eb-b8e7-0641ba0398c2"
    assert call.value("TaskLastStep") == "In-Process-Queue"
    assert [link.url for link in result.recordings] == [
        "https://sr.knowlarity.com/vr/fetchsound/?callid=61df8827-63d1-4f31-bd3c-ae2d9947161d"
    ]
    assert result.notices == []
    assert "8077128602 → 9399822316" in result.summary
    assert '"RequestId"' in result.raw_text


def test_queued_request_is_pending_and_says_it_may_take_hours(engine: LookupEngine) -> None:
    result = run(_lookup(engine, sim.QUEUED_ID))
    assert result.task is not None and result.task.state is TaskState.PENDING
    assert any("9 hours" in notice for notice in result.notices)


def test_failure_keeps_the_reason(engine: LookupEngine) -> None:
    result = run(_lookup(engine, sim.FAILED_ID))
    assert result.task is not None and result.task.state is TaskState.FAILURE
    assert "MXInvalidLeadException" in (result.task.reason or "")


def test_request_body_as_object_is_accepted(engine: LookupEngine) -> None:
    result = run(_lookup(engine, sim.OBJECT_BODY_ID))
    assert result.calls[0].value("SourceNumber") == "9000012345"
    assert result.calls[0].value("ProspectActivityId") == "f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0"


def test_unknown_request_id_is_not_found(engine: LookupEngine) -> None:
    with pytest.raises(NotFoundError) as caught:
        run(_lookup(engine, "00000000-0000-0000-0000-000000000000"))
    assert caught.value.http_status == 404
    assert caught.value.vendor_code == "MXRequestNotFoundException"


def test_wrong_key_says_key_or_regional_host(engine: LookupEngine) -> None:
    engine.secrets.set("leadsquared", "demo", "x-api-key", "wrong-key-123")
    with pytest.raises(BadCredentialsError) as caught:
        run(_lookup(engine, sim.SUCCESS_ID))
    assert "regional async host" in caught.value.message


def test_empty_request_id_sends_nothing(engine: LookupEngine, simulator: Simulator) -> None:
    with pytest.raises(InvalidInputError) as caught:
        engine.prepare("leadsquared", {"RequestId": "  "})
    assert caught.value.field == "RequestId"
    with pytest.raises(InvalidInputError):
        engine.prepare("leadsquared", {"RequestId": "../../etc/passwd"})
    assert simulator.request_counts.get("leadsquared", 0) == 0


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("status:400", VendorRejectedError),
        ("status:404", NotFoundError),
        ("status:429", RateLimitedError),
        ("status:500", UnavailableError),
        ("html", BadResponseError),
        ("huge", BadResponseError),
    ],
)
def test_every_mapped_error(engine: LookupEngine, simulator: Simulator, fault, error) -> None:
    simulator.add_fault("leadsquared", fault, count=3)  # outlasts the retries of a read
    with pytest.raises(error) as caught:
        run(_lookup(engine, sim.SUCCESS_ID))
    assert caught.value.message


def test_404_without_exception_body_points_at_the_base_url(engine, simulator) -> None:
    simulator.add_fault("leadsquared", "status:404")
    with pytest.raises(NotFoundError) as caught:
        run(_lookup(engine, sim.SUCCESS_ID))
    assert "base URL" in caught.value.message


def test_simulator_answers_429_past_25_requests_in_5_seconds(simulator: Simulator) -> None:
    import httpx

    url = simulator.base_url("leadsquared") + "/1/api/telephony/logcallcomplete/status"
    headers = {"x-api-key": sim.DEMO_API_KEY}
    with httpx.Client() as client:
        codes = [
            client.get(url, params={"RequestID": sim.SUCCESS_ID}, headers=headers).status_code
            for _ in range(26)
        ]
        missing = client.get(url, headers=headers)
    assert codes[:25] == [200] * 25
    assert codes[25] == 429
    assert missing.status_code == 429 or missing.json()["ExceptionType"]


def test_client_side_limiter_never_provokes_the_429(engine: LookupEngine) -> None:
    async def thirty_lookups():
        try:
            return await asyncio.gather(
                *(engine.lookup("leadsquared", {"RequestId": sim.SUCCESS_ID}) for _ in range(30))
            )
        finally:
            await engine.aclose()

    results = run(thirty_lookups())
    assert len(results) == 30


@pytest.mark.parametrize(
    ("word", "state"),
    [
        ("Success", TaskState.SUCCESS),
        ("SUCCESS", TaskState.SUCCESS),
        ("FAILURE", TaskState.FAILURE),
        ("Error", TaskState.FAILURE),
        ("In-Queue", TaskState.PENDING),
        ("Processing", TaskState.PENDING),
        ("", TaskState.PENDING),
    ],
)
def test_task_state_words(word: str, state: TaskState) -> None:
    assert task_state(word) is state


def test_embedded_json_variants() -> None:
    assert decode_embedded_json('{"a": 1}', "x") == ({"a": 1}, None)
    assert decode_embedded_json({"a": 1}, "x") == ({"a": 1}, None)
    assert decode_embedded_json(None, "x") == (None, None)
    decoded, problem = decode_embedded_json("not json", "RequestBody")
    assert decoded is None and problem and "RequestBody" in problem
    decoded, problem = decode_embedded_json(12, "Message")
    assert decoded is None and problem


@pytest.mark.parametrize(
    "body",
    [[], "text", 5, {"TaskStatus": "x"}, {"TaskStatus": [1]}],
)
def test_wrong_shapes_are_bad_responses(body) -> None:
    with pytest.raises(BadResponseError):
        parse_status(body, "r", "p")


def test_missing_task_status_is_not_found() -> None:
    with pytest.raises(NotFoundError):
        parse_status({"RequestId": "r", "TaskStatus": None}, "r", "p")


def test_strange_embedded_values_are_shown_raw() -> None:
    body = {"TaskStatus": {"Status": "Success", "RequestBody": "{oops", "Message": json.dumps([1])}}
    result = parse_status(body, "r", "p")
    assert result.calls[0].value("RequestBody") == "{oops"
    assert len(result.notices) == 2


def test_a_signed_recording_link_is_masked_on_screen_and_kept_whole_for_export() -> None:
    signed = "https://rec.example/r.mp3?X-Amz-Credential=AK&X-Amz-Signature=5ec7e7"
    call_log = {"CallSessionId": "s-1", "Status": "Answered", "ResourceURL": signed}
    body = {"TaskStatus": {"Status": "Success", "RequestBody": json.dumps(call_log)}}
    result = parse_status(body, "r", "p")
    field = next(f for f in result.calls[0].fields if f.key == "ResourceURL")
    assert field.value == "https://rec.example/r.mp3?X-Amz-Credential=…&X-Amz-Signature=…"
    assert field.raw == signed
    assert result.recordings[0].url == signed
    request_body = result.records()[0]["RequestBody"]
    assert isinstance(request_body, dict)
    assert request_body["ResourceURL"] == signed  # exports keep the whole link
