"""Verba against the simulator over HTTP, and its XML parsing against hostile input."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.errors import (
    BadCredentialsError,
    BadResponseError,
    InvalidInputError,
    NotFoundError,
    VendorError,
    VendorRejectedError,
)
from desktop.core.models import FieldRole
from desktop.core.timefmt import shown_time
from desktop.engine import LookupEngine
from desktop.simulator import verba as sim
from desktop.vendors import get_vendor
from desktop.vendors.verba import (
    call_id_from,
    call_information_fields,
    parse_envelope,
    response_error,
)


def lookup(engine: LookupEngine, **params: str):
    async def go():
        try:
            return await engine.lookup("verba", params)
        finally:
            await engine.aclose()

    return asyncio.run(go())


def verba(simulator) -> sim.VerbaSimulator:
    vendor = simulator.vendors["verba"]
    assert isinstance(vendor, sim.VerbaSimulator)
    return vendor


def test_extension_and_last_call_with_details(engine, simulator) -> None:
    result = lookup(engine, extension="8856", status="last")
    call = result.calls[0]
    assert call.call_id == sim.LAST
    assert call.value("source_caller_id") == "8856"
    assert call.value("destination_name") == "Customer"
    assert call.value("platform_call_id") == "71627389"
    assert call.value("native_id") == "TRS26140192"
    assert result.recordings[0].url.endswith(f"ccdrId={sim.LAST}")
    assert result.recordings[0].label == "Recorder page"
    assert verba(simulator).tokens_issued == 1


def test_codes_are_shown_beside_their_meaning_and_the_duration_is_end_minus_start(
    engine,
) -> None:
    """Meanings from Verba's "Call detail record fields reference" (Direction_ID, Audio_Codec_ID
    value lists): the demo call's 2 is an outgoing call, its codec 8 is G.722 at 48 kbit/s."""
    call = lookup(engine, extension="8856", status="last").calls[0]
    fields = {field.key: field for field in call.fields}
    assert fields["direction_id"].value == "2 — outgoing"
    assert fields["direction_id"].words == "outgoing"
    assert (fields["audio_codec_id"].label, fields["audio_codec_id"].value) == (
        "Audio codec", "8 — G.722 48K")  # fmt: skip
    # 09:15:02.120 to 09:21:47.880: 405.76 s, read as h:mm:ss (rounded to the second).
    duration = fields["duration"]
    assert (duration.value, duration.raw, duration.role) == ("0:06:46", 405.76, FieldRole.DURATION)
    # The demo logs in: the API user's zone is not named, so the clock reading stays naive.
    assert fields["start_time"].moment == datetime(2026, 11, 20, 9, 15, 2, 120000)
    # The machine formats keep Verba's own text and names (no duration, no meanings added).
    record = call.record()
    assert record["direction_id"] == "2" and "duration" not in record


def test_an_unknown_code_is_shown_as_sent() -> None:
    from defusedxml.ElementTree import fromstring

    root = fromstring(
        "<VerbaApi><Response code='0'/><verbacdr><direction_id>9</direction_id>"
        "<start_time>2026-11-20 09:15:02.120</start_time></verbacdr></VerbaApi>"
    )
    fields = call_information_fields(root, times_in_gmt=True)
    assert [(field.value, field.meaning) for field in fields] == [
        ("9", None),
        (
            shown_time(datetime(2026, 11, 20, 9, 15, 2, 120000, UTC), "2026-11-20 09:15:02.120"),
            None,
        ),
    ]  # fmt: skip  (and no duration without an end time)
    assert fields[1].moment == datetime(2026, 11, 20, 9, 15, 2, 120000, UTC)  # GMT: aware


def test_status_choices_read_as_words_and_keep_the_apis_spelling() -> None:
    status = get_vendor("verba").input_field("status")
    assert status.value_words("ongoing,next") == "ongoing or next call"
    assert status.value_words("last") == "last finished call"
    assert {value for value, _words in status.choice_words} == set(status.choices)


def test_without_details_only_the_call_id(engine, simulator) -> None:
    result = lookup(engine, extension="8856", status="ongoing", details="false")
    assert [field.key for field in result.calls[0].fields] == ["CallID"]
    assert result.calls[0].call_id == sim.ONGOING


def test_the_demo_base_url_has_the_documented_form_and_is_what_is_requested(
    engine, simulator
) -> None:
    """The documented base URL is http(s)://host/verba/api: the simulator serves Verba under
    its /verba prefix, so the demo profile must not add a second /verba."""
    assert engine.profiles.resolve("verba").base_url == f"{simulator.root_url}/verba/api"
    lookup(engine, extension="8856", status="last")
    paths = simulator.request_paths["verba"]
    assert paths == ["/verba/api"] * 4  # RequestToken, GetCallID, GetCallInformation, GetCallURL


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"platformCallID": "71627389"}, sim.LAST),
        ({"nativeID": "TRS26140192"}, sim.LAST),
        ({"extension": "8856", "status": "ongoing,next"}, sim.ONGOING),
        ({"extension": "8856", "status": "last,ongoing"}, sim.LAST),
        ({"extension": "8856", "status": "ongoing", "type": "true"}, sim.ONGOING),
        ({"extension": "8856", "status": "ongoing", "type": "manualRecord"}, sim.ONGOING),
    ],
)
def test_every_way_of_identifying_a_call(engine, params, expected) -> None:
    assert lookup(engine, details="false", **params).calls[0].call_id == expected


def test_no_call_is_not_found_with_the_vendor_message(engine) -> None:
    with pytest.raises(NotFoundError, match="cannot be found"):
        lookup(engine, extension="1000", status="last")


def test_several_matches_show_the_vendor_message(engine) -> None:
    with pytest.raises(VendorRejectedError, match="more than one call"):
        lookup(engine, extension="8857", status="last")


def test_expired_token_is_renewed_once(engine, simulator) -> None:
    async def twice():
        try:
            await engine.lookup("verba", {"extension": "8856", "details": "false"})
            verba(simulator).expire_tokens()
            return await engine.lookup("verba", {"extension": "8856", "details": "false"})
        finally:
            await engine.aclose()

    assert asyncio.run(twice()).calls[0].call_id == sim.LAST
    assert verba(simulator).tokens_issued == 2


def test_wrong_password_is_bad_credentials(engine) -> None:
    engine.secrets.set("verba", "demo", "password", "wrong-password")
    with pytest.raises(BadCredentialsError, match="refused the login"):
        lookup(engine, extension="8856")


def test_bad_api_key(engine) -> None:
    engine.secrets.set("verba", "demo", "apiKey", "00000000-0000-0000-0000-000000000000")
    with pytest.raises(BadCredentialsError, match="Invalid API key"):
        lookup(engine, extension="8856")


def test_open_key_needs_no_token_and_times_are_gmt(engine, simulator) -> None:
    profile = engine.profiles.resolve("verba")
    engine.profiles.save(profile.model_copy(update={"settings": {}}))
    engine.secrets.set("verba", "demo", "apiKey", sim.OPEN_API_KEY)
    result = lookup(engine, extension="8856")
    start = next(f for f in result.calls[0].fields if f.key == "start_time")
    assert start.note is not None
    assert "GMT" in start.note
    assert verba(simulator).tokens_issued == 0


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"extension": "8856", "platformCallID": "1"},
        {"platformCallID": "1", "nativeID": "2"},
        {"extension": "8856", "status": "sometimes"},
        {"extension": "88/56"},
    ],
)
def test_bad_combinations_send_nothing(engine, simulator, params) -> None:
    with pytest.raises(InvalidInputError):
        engine.prepare("verba", params)
    assert simulator.request_counts.get("verba", 0) == 0


def test_status_without_extension_is_dropped(engine) -> None:
    prepared = engine.prepare("verba", {"platformCallID": "71627389", "status": "last"})
    assert "status" not in prepared.params


# -- hostile XML --------------------------------------------------------------------------------
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<VerbaApi><Response code="0" type="GetCallID"/><CallID>&lol3;</CallID></VerbaApi>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<VerbaApi><Response code="0" type="GetCallID"/><CallID>&secret;</CallID></VerbaApi>"""


@pytest.mark.parametrize(
    "body",
    [
        BILLION_LAUGHS,
        EXTERNAL_ENTITY,
        b"<Other><Response code='0'/></Other>",
        b"<VerbaApi><CallID>x</CallID>",
        b"not xml at all",
        b"<!DOCTYPE html><html><body>Login</body></html>",
        b"<VerbaApi>" + b"<x>" * 10 + b"y" * (600 * 1024) + b"</x>" * 10 + b"</VerbaApi>",
    ],
)
def test_hostile_or_broken_xml_is_a_bad_response(body) -> None:
    with pytest.raises(BadResponseError):
        parse_envelope(body, "GetCallID")


@pytest.mark.parametrize(
    "encoding", ["x-bogus", "rot13", "base64", "hex", "zlib", "utf-7", "idna", "undefined"]
)
def test_an_unreadable_declared_encoding_is_a_bad_response(encoding: str) -> None:
    """Names no codec knows (LookupError), codecs that are not text encodings and ones that
    fail while decoding all end as the project's error, not as what the codec raised."""
    body = f'<?xml version="1.0" encoding="{encoding}"?><VerbaApi><CallID>x</CallID></VerbaApi>'
    with pytest.raises(BadResponseError, match="Verba's answer to GetCallID") as caught:
        parse_envelope(body.encode("ascii"), "GetCallID")
    assert caught.value.vendor == "verba"


def test_an_unknown_encoding_is_named_in_the_message() -> None:
    body = b'<?xml version="1.0" encoding="x-bogus"?><VerbaApi/>'
    with pytest.raises(BadResponseError, match="character encoding 'x-bogus'"):
        parse_envelope(body, "GetCallID")


def test_an_answer_declaring_an_unknown_encoding_over_http_is_a_bad_response(
    engine, simulator
) -> None:
    simulator.add_fault("verba", "xmlencoding:x-bogus", path="verba/api")
    with pytest.raises(BadResponseError, match="character encoding 'x-bogus'"):
        lookup(engine, extension="8856", details="false")
    assert simulator.request_counts["verba"] == 1  # the token request met the fault


def test_missing_attributes_and_elements() -> None:
    root = parse_envelope(b"<VerbaApi><Response type='GetCallID'/></VerbaApi>", "GetCallID")
    assert isinstance(response_error(root, "GetCallID"), BadResponseError)
    ok = parse_envelope(b"<VerbaApi><Response code='0'/></VerbaApi>", "GetCallID")
    assert response_error(ok, "GetCallID") is None
    with pytest.raises(BadResponseError):
        call_id_from(ok)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_only_give_typed_errors(body: bytes) -> None:
    outcome: VendorError | None = None
    try:
        root = parse_envelope(body, "GetCallID")
        outcome = response_error(root, "GetCallID")
        if outcome is None:
            call_id_from(root)
    except VendorError as error:
        outcome = error
    assert outcome is None or outcome.message


@pytest.mark.parametrize(
    ("typed", "cleaned"),
    [("manualRecord", "manualRecord"), ("manualrecord", "manualRecord"),
     ("true", "manualRecord"), ("yes", "manualRecord"), ("false", None), ("", None)],
)  # fmt: skip
def test_type_takes_the_apis_own_value(typed: str, cleaned: str | None) -> None:
    """Verba's type=manualRecord is the parameter's own value; the checkbox's true maps to it
    and false leaves the parameter out."""
    params = get_vendor("verba").validate({"extension": "8856", "type": typed})
    assert params.get("type") == cleaned
    assert params["status"] == "last"  # an extension alone means status=last


def test_type_refuses_other_words() -> None:
    with pytest.raises(InvalidInputError, match=r"must be true or false \(or manualRecord\)"):
        get_vendor("verba").validate({"extension": "8856", "type": "manual"})
