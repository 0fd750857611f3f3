"""Issue 17 items 7 and 11 (the network's part): every transport failure has a cause in words,
a body that is not what the vendor sends is quoted short, escaped and masked (never a Python
repr), and what HTTP cannot carry (a non-ASCII secret in a header, a bidi mark in the host, a
control character in the path, a port out of range) is one clear error with nothing sent."""

from __future__ import annotations

import asyncio
import socket

import pytest

from desktop.core.errors import (
    BadResponseError,
    CallLookupError,
    ConfigurationError,
    UnavailableError,
    VendorError,
)
from desktop.core.http import HttpClientPool, HttpSession, HttpSettings
from desktop.engine import LookupEngine
from tests.hardening.conftest import engine_for, run_cli
from tests.hardening.raw_tcp import RawTcpServer
from tests.support.hostile_server import HostileServer, Reply, mode_reset

PARTIAL_ANSWER = (
    b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"data": ['
)


def lookup_a_call(engine: LookupEngine) -> None:
    """One OneUptime lookup of a well-formed call ID, the engine closed after it."""

    async def go() -> None:
        try:
            await engine.lookup(
                "oneuptime", {"incomingCallLogId": "550e8400-e29b-41d4-a716-446655440000"}
            )
        finally:
            await engine.aclose()

    asyncio.run(go())


def fetch_error(url: str, method: str = "GET") -> CallLookupError:
    """What a request to ``url`` raises (one try: the cause must not depend on retries)."""

    async def go() -> CallLookupError:
        pool = HttpClientPool()
        session = HttpSession(pool, HttpSettings(timeout=3, retries=0), vendor_title="Hostile")
        try:
            await session.request(method, url, headers={"ApiKey": "transport-key-0001"})
        except CallLookupError as error:
            return error
        finally:
            await pool.aclose()
        raise AssertionError("the request succeeded")

    return asyncio.run(go())


@pytest.mark.parametrize(
    ("payload", "reset", "cause"),
    [
        (PARTIAL_ANSWER, True, "the connection was reset by the server"),
        (b"", True, "the connection was reset by the server"),
        (b"", False, "the server closed the connection without answering"),
        (PARTIAL_ANSWER, False, "the server closed the connection before the answer was complete"),
        (b"\x00\x1b[31mgarbage\xe2\x80\xae\r\n\r\n", False, "the answer is not HTTP; it begins: "
         "“\\x00\\x1b[31mgarbage\\u202e”"),
    ],
)  # fmt: skip
def test_a_transport_failure_is_explained_in_words(payload: bytes, reset: bool, cause: str) -> None:
    with RawTcpServer(payload, reset=reset) as server:
        error = fetch_error(server.url + "/x")
        assert server.connections == 1
    assert isinstance(error, UnavailableError)
    assert error.message.endswith(f": {cause}."), error.message
    assert "bytearray" not in error.message and "\x1b" not in error.message


def test_a_reset_from_the_hostile_server_is_explained(hostile: HostileServer) -> None:
    hostile.mode = mode_reset()
    error = fetch_error(hostile.url + "/x")
    assert isinstance(error, UnavailableError)
    assert "the server closed the connection without answering" in error.message
    assert hostile.request_lines() == ["GET /x"]


def test_a_refused_connection_is_explained() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/x")
    assert isinstance(error, UnavailableError)
    assert "the connection was refused" in error.message


def test_a_body_that_is_not_json_is_quoted_escaped_and_masked(hostile: HostileServer) -> None:
    key = "transport-key-0002"
    hostile.mode = lambda request: Reply(
        200,
        f"\x1b[2J\x1b[31mPWNED\u202e {request.headers['apikey']} {'x' * 500}".encode(),
        {"Content-Type": "application/json"},
    )
    engine = engine_for("oneuptime", hostile.url, {"ApiKey": key}, {"projectId": "p1"})

    with pytest.raises(BadResponseError) as caught:
        lookup_a_call(engine)
    message = caught.value.describe()
    assert "not valid JSON" in message
    assert "\\x1b[2J\\x1b[31mPWNED\\u202e ***" in message
    assert "\x1b" not in message and "\u202e" not in message and key not in message
    assert "…" in message and len(message) < 400


@pytest.mark.parametrize(
    ("number", "words"),
    [("NaN", "it holds NaN"), ("-Infinity", "it holds -Infinity"), ("1e999", "too large")],
)
def test_numbers_json_does_not_have_are_a_bad_response(
    hostile: HostileServer, number: str, words: str
) -> None:
    """Python's JSON reader takes NaN and Infinity (and reads 1e999 as infinity); passed on,
    they came out of ``--format json`` as NaN, which jq and every strict parser refuse."""
    body = '{"count": 1, "data": [{"_id": "a", "dialDurationInSeconds": NUMBER}]}'
    body = body.replace("NUMBER", number)
    hostile.mode = lambda _request: Reply(200, body.encode(), {"Content-Type": "application/json"})
    engine = engine_for("oneuptime", hostile.url, {"ApiKey": "k"}, {"projectId": "p1"})

    with pytest.raises(BadResponseError) as caught:
        lookup_a_call(engine)
    assert "not valid JSON" in caught.value.message and words in caught.value.message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("http://exa\u202emple.com/api", "address cannot be used"),
        ("http://127.0.0.1:1/a\x07b", "address cannot be used"),
        ("http://127.0.0.1:abc/api", "address cannot be used"),
        ("http://127.0.0.1:99999/api", "port 99999"),
        ("http://127.0.0.1:-1/api", "port -1"),
    ],
)
def test_an_address_http_cannot_use_is_one_clear_error(url: str, words: str) -> None:
    error = fetch_error(url)
    assert isinstance(error, ConfigurationError)
    assert words in error.message
    assert "\u202e" not in error.message and "\x07" not in error.message


def test_a_non_ascii_secret_is_one_clear_error_and_nothing_is_sent(
    hostile: HostileServer,
) -> None:
    secret = "ключ-transport-0003"
    engine = engine_for("oneuptime", hostile.url, {"ApiKey": secret}, {"projectId": "p1"})

    with pytest.raises(ConfigurationError) as caught:
        lookup_a_call(engine)
    assert "only ASCII" in caught.value.message
    assert secret not in caught.value.message
    assert hostile.seen == []


def test_a_header_value_with_a_line_break_is_refused_before_sending(
    hostile: HostileServer,
) -> None:
    engine = engine_for("oneuptime", hostile.url, {"ApiKey": "a\r\nX-Injected: 1"},
                        {"projectId": "p1"})  # fmt: skip

    with pytest.raises(ConfigurationError, match="line break or control character"):
        lookup_a_call(engine)
    assert hostile.seen == []


def test_the_cli_prints_one_line_for_a_reset(make_profile, cli_env: dict[str, str]) -> None:
    with RawTcpServer(PARTIAL_ANSWER, reset=True) as server:
        make_profile("oneuptime", server.url, {"ApiKey": "transport-key-0004"},
                     {"projectId": "p1"})  # fmt: skip
        done = run_cli(
            cli_env, "lookup", "oneuptime", "incomingCallLogId=550e8400-e29b-41d4-a716-446655440000"
        )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.rstrip().endswith("the connection was reset by the server.")


def test_a_vendor_message_with_terminal_escapes_is_shown_escaped(hostile: HostileServer) -> None:
    hostile.mode = lambda _request: Reply.json({"message": "\x1b[2J\x1b[31mgone\u202e"}, 401)
    engine = engine_for("oneuptime", hostile.url, {"ApiKey": "transport-key-0005"},
                        {"projectId": "p1"})  # fmt: skip

    with pytest.raises(VendorError) as caught:
        lookup_a_call(engine)
    shown = caught.value.describe()
    assert "\\x1b[2J\\x1b[31mgone\\u202e" in shown
    assert "\x1b" not in shown and "\u202e" not in shown
