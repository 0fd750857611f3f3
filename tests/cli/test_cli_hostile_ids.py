"""Identifiers and paging against a hostile loopback server (tests/support/hostile_server.py):
what actually arrives on the wire, counted request by request."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop import attempt_service as attempt_service_module
from desktop.core.credentials import MemorySecretStore
from desktop.core.errors import InvalidInputError
from desktop.core.models import LookupResult
from desktop.core.profiles import Profile, ProfileStore
from desktop.engine import LookupEngine
from desktop.vendors import get_vendor
from desktop.vendors.oneuptime import OneUptime
from tests.cli.conftest import cli
from tests.support.hostile_server import HostileServer, Reply, mode_endless_attempts

PROJECT = "5f0c9a3e-1d2b-4c6a-8e7f-0a1b2c3d4e5f"
API_KEY = "0a4e2c1d-5b6f-4a8e-9c3d-2f1e0b9a8c7d"
ATTEMPT = "550e8400-e29b-41d4-a716-446655440000"


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer(lambda _request: Reply.json({})) as running:
        yield running


def oneuptime_profile(env: dict[str, str], url: str) -> None:
    done = cli(
        env, "profile", "set", "oneuptime", "default", "--base-url", url + "/api",
        "--set", f"projectId={PROJECT}", "--secrets-stdin", stdin=f"ApiKey={API_KEY}\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def isales_profile(env: dict[str, str], url: str) -> None:
    done = cli(
        env, "profile", "set", "huawei-isales", "default", "--base-url", url,
        "--set", "ak=ak", "--secrets-stdin", stdin="sk=sk\n",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("oneuptime", "delete", "..", "--yes"),
        ("oneuptime", "delete", ".", "--yes"),
        ("oneuptime", "delete", "", "--yes"),
        ("oneuptime", "delete", "../../x", "--yes"),
        ("oneuptime", "update", "..", "status=Busy"),
        ("lookup", "oneuptime", "_id=.."),
        ("lookup", "oneuptime", "_id=."),
        ("lookup", "oneuptime", "incomingCallLogId=.."),
    ],
    ids=lambda c: " ".join(c) or "empty",
)
def test_oneuptime_dot_segments_and_empty_ids_send_nothing(cli_env, server, command) -> None:
    oneuptime_profile(cli_env, server.url)
    done = cli(cli_env, *command)
    assert done.returncode == 2, done.stderr
    assert "UUID" in done.stderr or "required" in done.stderr
    assert done.stderr.count("\n") == 1
    assert server.request_lines() == []


@pytest.mark.parametrize("call_id", ["..", ".", "", "./x", "%2e%2e"])
def test_isales_dot_segments_send_nothing(cli_env, server, call_id) -> None:
    isales_profile(cli_env, server.url)
    done = cli(cli_env, "lookup", "huawei-isales", "vdnId=8", f"callId={call_id}")
    assert done.returncode == 2, done.stderr
    assert server.request_lines() == []


def test_a_valid_id_goes_out_as_exactly_one_segment(cli_env, server) -> None:
    oneuptime_profile(cli_env, server.url)
    deleted = cli(cli_env, "oneuptime", "delete", ATTEMPT, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    isales_profile(cli_env, server.url)
    cli(cli_env, "lookup", "huawei-isales", "vdnId=8", "callId=1644464743-1388")
    assert server.request_lines() == [
        f"DELETE /api/incoming-call-log-item/{ATTEMPT}",
        "GET /rest/isales/v1/openapi/campaigns/8/callresultdetail/1644464743-1388",
    ]


@pytest.mark.parametrize("attempt_id", ["..", ".", "", " "])
def test_the_path_helper_is_the_last_line_of_defence(server, attempt_id) -> None:
    """Called past validation (as a future caller might), the adapter still refuses to build
    a path from a dot segment or an empty ID, and sends nothing."""
    profile = Profile(
        vendor="oneuptime", name="p", base_url=server.url + "/api",
        settings={"projectId": PROJECT},
    )  # fmt: skip
    engine = LookupEngine(
        ProfileStore.in_memory([profile]),
        MemorySecretStore({("oneuptime", "p", "ApiKey"): API_KEY}),
    )
    vendor = get_vendor("oneuptime")
    assert isinstance(vendor, OneUptime)

    async def attempt() -> None:
        try:
            await vendor.delete_attempt(engine.context_for(vendor, profile), attempt_id)
        finally:
            await engine.aclose()

    with pytest.raises(InvalidInputError, match="URL path"):
        asyncio.run(attempt())
    assert server.request_lines() == []


def test_a_server_that_ignores_skip_gets_two_requests_not_endless_ones(cli_env) -> None:
    """Issue 17's endless paging: a server counting 1,000,000,000 attempts that answers every
    page with the first one. The second page brings nothing new, so paging stops there."""
    with HostileServer(mode_endless_attempts()) as server:
        oneuptime_profile(cli_env, server.url)
        done = cli(cli_env, "lookup", "oneuptime", f"incomingCallLogId={ATTEMPT}",
                   "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 100
    assert "page 2 brought none that was not already listed" in done.stderr
    assert "1,000,000,000" in done.stderr
    lines = server.request_lines()
    assert len(lines) == 2
    assert all(line.startswith("POST /api/incoming-call-log-item/get-list?") for line in lines)


def test_paging_stops_at_the_stated_cap(monkeypatch) -> None:
    """A server that honours skip but never runs out: paging stops at the page cap (lowered
    here from 1,000 so the test is quick) and says so."""
    monkeypatch.setattr(attempt_service_module, "MAX_ATTEMPT_PAGES", 7)
    with HostileServer(mode_endless_attempts(honour_skip=True)) as server:
        profile = Profile(
            vendor="oneuptime", name="p", base_url=server.url + "/api",
            settings={"projectId": PROJECT},
        )  # fmt: skip
        engine = LookupEngine(
            ProfileStore.in_memory([profile]),
            MemorySecretStore({("oneuptime", "p", "ApiKey"): API_KEY}),
        )

        async def everything() -> LookupResult:
            try:
                prepared = engine.prepare("oneuptime", {"incomingCallLogId": ATTEMPT}, "p")
                return await engine.attempts.remaining(prepared, await engine.run(prepared))
            finally:
                await engine.aclose()

        result = asyncio.run(everything())
    assert len(server.request_lines()) == 7
    assert len(result.attempts) == 700
    assert len({attempt.attempt_id for attempt in result.attempts}) == 700
    assert result.notices[-1] == (
        "Listed the first 700 of the 1,000,000,000 attempts OneUptime counts: paging stops at "
        "100,000 attempts or 7 pages. Narrow the filters to see the rest."
    )


def test_the_caps_are_the_documented_ones() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert attempt_service_module.MAX_LISTED_ATTEMPTS == 100_000
    assert attempt_service_module.MAX_ATTEMPT_PAGES == 1_000
    assert "100,000 attempts or 1,000 pages" in readme
