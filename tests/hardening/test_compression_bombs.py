"""Issue 17 item 2: compression bombs end in "answer too large", fast and small.

A few kilobytes on the wire that inflate to hundreds of megabytes (1 GiB for the issue's
``gzip, gzip``) must be refused once the decoded bytes pass the 5 MiB cap: within the timeout,
with well under 100 MB of extra memory, and without holding the event loop."""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest

from desktop.core.errors import BadResponseError
from desktop.core.http import HttpClientPool, HttpResponse, HttpSession, HttpSettings
from tests.hardening.conftest import run_cli
from tests.support.hostile_server import (
    HostileServer,
    Reply,
    mode_compression_bomb,
    mode_labelled_encoding,
)

TIMEOUT = 5.0
#: The longest the event loop may go without running another task while a bomb is read.
LONGEST_STALL_SECONDS = 0.5


@pytest.fixture(scope="module")
def issue_bomb() -> Iterator[HostileServer]:
    """The issue's attack: ``Content-Encoding: gzip, gzip`` over 1 GiB of zeros."""
    with HostileServer(mode_compression_bomb(1 << 30, ("gzip", "gzip"))) as server:
        yield server


async def fetch_while_ticking(url: str) -> tuple[HttpResponse | BadResponseError, float]:
    """Fetch ``url`` while another task ticks; returns the outcome and the longest gap between
    ticks (how long the loop was held)."""
    pool = HttpClientPool()
    session = HttpSession(pool, HttpSettings(timeout=TIMEOUT), vendor_title="Hostile")
    gaps: list[float] = []
    running = True

    async def tick() -> None:
        last = time.monotonic()
        while running:
            await asyncio.sleep(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    try:
        outcome: HttpResponse | BadResponseError = await session.request("GET", url)
    except BadResponseError as error:
        outcome = error
    finally:
        running = False
        await ticker
        await pool.aclose()
    return outcome, max(gaps, default=0.0)


@pytest.mark.parametrize(
    ("codings", "decoded"),
    [
        (("gzip", "gzip"), 1 << 30),
        (("deflate",), 256 << 20),
        (("raw-deflate",), 256 << 20),
        (("gzip",), 256 << 20),
        (("deflate", "gzip", "gzip"), 256 << 20),
    ],
)
def test_a_bomb_is_refused_in_process_with_little_memory(
    codings: tuple[str, ...], decoded: int
) -> None:
    with HostileServer(mode_compression_bomb(decoded, codings)) as server:
        tracemalloc.start()
        started = time.monotonic()
        outcome, stall = asyncio.run(fetch_while_ticking(server.url))
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert server.request_lines() == ["GET /"]
        assert server.seen[0].headers["accept-encoding"] == "gzip, deflate"
    assert isinstance(outcome, BadResponseError)
    assert "Answer too large" in outcome.message
    assert elapsed < TIMEOUT
    assert peak < 40 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert stall < LONGEST_STALL_SECONDS


#: OneUptime IDs are UUIDs: anything else is refused before it is sent.
CALL_ID = "550e8400-e29b-41d4-a716-446655440000"


def test_the_issue_bomb_ends_the_cli_quickly_within_its_memory(
    issue_bomb: HostileServer, make_profile, cli_env: dict[str, str]
) -> None:
    def small_answer(_request: object) -> Reply:
        attempt = {"_id": CALL_ID, "incomingCallLogId": CALL_ID, "status": "Completed"}
        body = gzip.compress(json.dumps({"data": [attempt], "count": 1}).encode())
        return Reply(200, body, {"Content-Type": "application/json", "Content-Encoding": "gzip"})

    with HostileServer(small_answer) as calm:
        make_profile("oneuptime", calm.url, {"ApiKey": "hardening-key-0001"},
                     {"projectId": "p1"}, timeout=TIMEOUT)  # fmt: skip
        baseline = run_cli(cli_env, "lookup", "oneuptime", f"incomingCallLogId={CALL_ID}")
    assert baseline.returncode == 0, baseline.stderr

    make_profile("oneuptime", issue_bomb.url, {"ApiKey": "hardening-key-0001"},
                 {"projectId": "p1"}, timeout=TIMEOUT)  # fmt: skip
    issue_bomb.seen.clear()
    done = run_cli(cli_env, "lookup", "oneuptime", f"incomingCallLogId={CALL_ID}")

    assert done.returncode == 1
    assert "Answer too large" in done.stderr
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert len(issue_bomb.request_lines()) == 1, issue_bomb.request_lines()
    # The same process start-up as the calm lookup, plus well under the timeout.
    assert done.seconds < baseline.seconds + TIMEOUT
    assert done.peak_rss_mib < baseline.peak_rss_mib + 50, (done, baseline)


@pytest.mark.parametrize("coding", ["br", "zstd", "compress", "gzip, br"])
def test_a_coding_that_was_not_asked_for_is_refused_in_words(coding: str) -> None:
    with HostileServer(mode_labelled_encoding(coding)) as server:
        outcome, _stall = asyncio.run(fetch_while_ticking(server.url))
    assert isinstance(outcome, BadResponseError)
    assert "which was not asked for" in outcome.message
    assert "gzip, deflate" in outcome.message


@pytest.mark.parametrize(
    ("label", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send
        ("gzip, deflate", lambda data: zlib.compress(gzip.compress(data))),
        ("identity", lambda data: data),
    ],
)
def test_an_honest_compressed_answer_still_arrives_whole(label: str, encode) -> None:
    payload = {"data": [{"_id": str(number)} for number in range(5000)], "count": 5000}
    body = encode(json.dumps(payload).encode())
    headers = {"Content-Type": "application/json", "Content-Encoding": label}
    with HostileServer(lambda _request: Reply(200, body, headers)) as server:
        outcome, _stall = asyncio.run(fetch_while_ticking(server.url))
    assert isinstance(outcome, HttpResponse)
    assert outcome.json() == payload


def test_a_damaged_compressed_body_is_a_bad_response_in_words() -> None:
    # A gzip header, then a deflate block of the reserved type 3 (RFC 1951 section 3.2.3).
    body = gzip.compress(b'{"data": []}')[:10] + b"\xff" * 12
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    with HostileServer(lambda _request: Reply(200, body, headers)) as server:
        outcome, _stall = asyncio.run(fetch_while_ticking(server.url))
    assert isinstance(outcome, BadResponseError)
    assert "gzip compression is damaged" in outcome.message
