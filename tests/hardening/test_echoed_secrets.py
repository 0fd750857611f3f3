"""Issue 17 item 1: a vendor that echoes a credential never gets it shown or stored.

Each vendor style sends its credential its own way (a header, the query, HTTP Basic, a JSON body,
a bearer token obtained at run time); the hostile server quotes back everything it received. The
real CLI then runs the lookup, and no form of any credential (as typed, percent-encoded as sent,
JSON-escaped, base64 as inside the Basic header) may be in its stderr, its stdout, the history
file, the log file, or the message the window would show (``VendorError.describe()``)."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape

import pytest

from desktop.core.errors import VendorError
from desktop.core.models import LookupResult
from desktop.vendors.base import AttemptPage
from tests.hardening.conftest import engine_for, run_cli, verba_envelope
from tests.support.hostile_server import (
    HostileServer,
    Reply,
    SeenRequest,
    echoed_request_text,
    mode_by_target,
    mode_echo,
)

#: Distinctive, with characters that percent-encoding, JSON and XML each change.
API_KEY = 'Key+/=&<Echo>"7Qz-ApiKey-0042'
PASSWORD = 'Pw+/=&<Echo>"9Lx-Password-0042'
LOGIN = "admin"
TOKEN = "tok-Echoed-Bearer-0042"


def forms(secret: str) -> set[str]:
    """The ways ``secret`` can be written out: as typed, in a URL, in JSON, in XML, base64."""
    encoded = base64.b64encode(secret.encode()).decode()
    in_json = json.dumps(secret)[1:-1]
    return {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        in_json,
        json.dumps(in_json)[1:-1],  # our JSON body quoted inside the vendor's JSON
        escape(secret),
        encoded,
        encoded.rstrip("="),
    }


def leaks(text: str, secrets: list[str]) -> list[str]:
    found = [form for secret in secrets for form in forms(secret) if form in text]
    basic = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
    return found + ([basic] if basic in text else [])


def verba_echo(request: SeenRequest) -> Reply:
    """Verba's way of refusing: HTTP 200, <Response code="1"> and a message quoting us."""
    return verba_envelope("RequestToken", escape(echoed_request_text(request)), code="1")


def verba_token_then_echo(request: SeenRequest) -> Reply:
    if "RequestToken" in request.target:
        return verba_envelope("RequestToken", attributes=f' token="{TOKEN}"')
    return verba_envelope("GetCallID", escape(echoed_request_text(request)), code="1")


def aicc_token(_request: SeenRequest) -> Reply:
    return Reply.json({"AccessToken": TOKEN, "Expires": "600"})


def leadsquared_status_echo(request: SeenRequest) -> Reply:
    """A 200 whose status reason quotes the request: the echo lands in the result itself."""
    task = {"Status": "Failure", "StatusReason": echoed_request_text(request)}
    return Reply.json({"RequestId": "req-1", "TaskStatus": task})


def leadsquared_exception_echo(request: SeenRequest) -> Reply:
    echoed = {"ExceptionType": "AuthError", "ExceptionMessage": echoed_request_text(request)}
    return Reply.json(echoed, 401)


#: (vendor, mode, secrets, settings, lookup parameters, secrets to look for)
Case = tuple[
    str, Callable[[SeenRequest], Reply], dict[str, str], dict[str, str], list[str], list[str]
]
# fmt: off
CASES: dict[str, Case] = {
    "oneuptime ApiKey header": (
        "oneuptime", mode_echo(401), {"ApiKey": API_KEY}, {"projectId": "p1"},
        ["incomingCallLogId=550e8400-e29b-41d4-a716-446655440000"], [API_KEY],
    ),
    "leadsquared x-api-key in an error": (
        "leadsquared", leadsquared_exception_echo, {"x-api-key": API_KEY}, {},
        ["RequestId=abc"], [API_KEY],
    ),
    "leadsquared x-api-key in a result": (
        "leadsquared", leadsquared_status_echo, {"x-api-key": API_KEY}, {},
        ["RequestId=abc"], [API_KEY],
    ),
    "verba apiKey query and Basic login": (
        "verba", verba_echo, {"apiKey": API_KEY, "password": PASSWORD}, {"login": LOGIN},
        ["nativeID=abc"], [API_KEY, PASSWORD],
    ),
    "verba token obtained at run time": (
        "verba", verba_token_then_echo, {"apiKey": API_KEY, "password": PASSWORD},
        {"login": LOGIN}, ["nativeID=abc"], [API_KEY, PASSWORD, TOKEN],
    ),
    "aicc app_secret echoed by the token endpoint": (
        "huawei-aicc", mode_echo(401), {"app_secret": API_KEY},
        {"app_key": "ak-1", "userId": "u1", "tenantId": "t1", "agentId": "a1"},
        ["callId=1-1"], [API_KEY],
    ),
    "aicc bearer token": (
        "huawei-aicc", mode_by_target({"tokenByAkSk": aicc_token}, mode_echo(401)),
        {"app_secret": API_KEY},
        {"app_key": "ak-1", "userId": "u1", "tenantId": "t1", "agentId": "a1"},
        ["callId=1-1"], [API_KEY, TOKEN],
    ),
}
# fmt: on


@pytest.mark.parametrize("case", CASES)
def test_an_echoed_credential_reaches_no_output_and_no_file(
    case: str, hostile: HostileServer, make_profile, cli_env: dict[str, str], isolated_dirs: Path
) -> None:
    vendor, mode, secrets, settings, params, watched = CASES[case]
    hostile.mode = mode
    make_profile(vendor, hostile.url, secrets, settings)

    done = run_cli(cli_env, "lookup", vendor, *params, "--format", "json")

    assert hostile.seen, "the lookup reached the hostile server"
    sent = " ".join(f"{seen.target} {seen.headers} {seen.body.decode()}" for seen in hostile.seen)
    assert leaks(sent, watched), "the credential was sent, so the echo carried it"
    assert "Invalid key" in done.stderr + done.stdout, "the echo was reported"
    assert "***" in done.stderr + done.stdout, "the echoed credential shows masked"
    assert leaks(done.stderr, watched) == []
    assert leaks(done.stdout, watched) == []
    written = [path for path in (isolated_dirs / "data").rglob("*") if path.is_file()]
    assert any(path.name == "history.sqlite3" for path in written)
    for path in written:  # the history, its journal and the log
        assert leaks(path.read_bytes().decode("latin-1"), watched) == [], path.name


def test_the_message_the_window_shows_is_masked(hostile: HostileServer) -> None:
    """The window's banner shows ``describe()`` of the engine's error: the same engine, in
    process, against the Verba echo (query, Basic header and XML escaping at once)."""
    hostile.mode = verba_echo
    engine = engine_for("verba", hostile.url, {"apiKey": API_KEY, "password": PASSWORD},
                        {"login": LOGIN})  # fmt: skip

    async def lookup() -> None:
        try:
            await engine.lookup("verba", {"nativeID": "abc"})
        finally:
            await engine.aclose()

    with pytest.raises(VendorError) as caught:
        asyncio.run(lookup())
    shown = caught.value.describe()
    assert "Invalid key" in shown and "***" in shown
    assert leaks(shown, [API_KEY, PASSWORD]) == []
    assert leaks(str(caught.value), [API_KEY, PASSWORD]) == []


def _oneuptime_echo_page(request: SeenRequest) -> Reply:
    """A OneUptime list whose every attempt quotes the ApiKey back, written by hand in the
    ways JSON allows: each character as a \\u escape, "/" as "\\/", and plainly escaped inside
    a nested value of a field OneUptime does not document."""
    key = request.headers["apikey"]
    every_char = "".join(f"\\u{ord(char):04x}" for char in key)
    slashed = json.dumps(key)[1:-1].replace("/", "\\/")
    skip = int(request.query.get("skip", ["0"])[0])
    items = [
        f'{{"_id": "00000000-0000-4000-8000-{index:012d}", "status": "NoAnswer", '
        f'"statusMessage": "rang {every_char}", "userPhoneNumber": "{slashed}", '
        f'"note": {{"deep": [{json.dumps(key)}]}}, "startedAt": "2026-11-20T09:03:45.000Z"}}'
        for index in range(skip, skip + 3)
    ]
    body = f'{{"count": 6, "skip": {skip}, "limit": 3, "data": [{", ".join(items)}]}}'
    return Reply(200, body.encode(), {"Content-Type": "application/json"})


def test_attempts_that_echo_the_key_are_masked_on_the_first_and_every_later_page(
    hostile: HostileServer,
) -> None:
    """The first page (the lookup) and the next (the attempts service) are checked once per
    page over the texts their attempts hold, decoded: escapes that no registered form of the
    key matches are read as the key itself."""
    hostile.mode = _oneuptime_echo_page
    engine = engine_for("oneuptime", hostile.url, {"ApiKey": API_KEY}, {"projectId": "p1"})
    prepared = engine.prepare(
        "oneuptime", {"incomingCallLogId": "550e8400-e29b-41d4-a716-446655440000"}
    )

    async def both_pages() -> tuple[LookupResult, AttemptPage]:
        try:
            result = await engine.run(prepared)
            return result, await engine.attempts.page(prepared, skip=3)
        finally:
            await engine.aclose()

    result, page = asyncio.run(both_pages())
    attempts = [*result.attempts, *page.attempts]
    assert len(attempts) == 6
    assert all(attempt.status_message == "rang ***" for attempt in attempts)
    assert all(attempt.user_phone_number == "***" for attempt in attempts)
    assert all(attempt.values["note"] == {"deep": ["***"]} for attempt in attempts)
    shown = "\n".join(
        [result.model_dump_json(), result.raw_text]
        + [json.dumps(attempt.record()) + str(attempt.as_row()) for attempt in attempts]
    )
    assert leaks(shown, [API_KEY]) == []
