"""calllookup-cli for Verba, against the simulator."""

from __future__ import annotations

from desktop.simulator import verba as sim
from tests.cli.conftest import cli
from tests.support.hostile_server import HostileServer, Reply


def test_extension_last_prints_the_call_id(demo_profile) -> None:
    env = demo_profile("verba")
    done = cli(env, "lookup", "verba", "extension=8856", "status=last")
    assert done.returncode == 0, done.stderr
    assert sim.LAST in done.stdout
    assert "Source number" not in done.stdout  # no --details: only the call ID


def test_details_flag_adds_the_call_behind_the_id(demo_profile) -> None:
    env = demo_profile("verba")
    done = cli(env, "lookup", "verba", "extension=8856", "status=last", "--details")
    assert done.returncode == 0, done.stderr
    assert "+15550123456" in done.stdout
    assert f"gwtCallDetail.do?ccdrId={sim.LAST}" in done.stdout


def test_invalid_status_exits_2_without_a_request(demo_profile, simulator) -> None:
    env = demo_profile("verba")
    before = simulator.request_counts.get("verba", 0)
    done = cli(env, "lookup", "verba", "extension=8856", "status=sometimes")
    assert done.returncode == 2
    assert "status" in done.stderr
    assert simulator.request_counts.get("verba", 0) == before


def test_extension_without_calls_exits_1_with_the_vendor_message(demo_profile) -> None:
    env = demo_profile("verba")
    done = cli(env, "lookup", "verba", "extension=1000", "status=last")
    assert done.returncode == 1
    assert "the call cannot be found" in done.stderr


def test_type_manual_record_is_sent_as_the_apis_own_value(cli_env) -> None:
    """On the wire: GetCallID carries type=manualRecord (given as the API's word or as the
    checkbox's true), and an extension alone carries status=last."""
    reply = (
        b'<?xml version="1.0" encoding="UTF-8"?><VerbaApi><Response code="0" type="GetCallID"/>'
        b"<CallID>a8343631-9f35-4a3a-83f0-9e81592339fb</CallID></VerbaApi>"
    )
    mode = lambda _request: Reply(200, reply, {"Content-Type": "text/xml"})  # noqa: E731
    with HostileServer(mode) as server:
        created = cli(
            cli_env, "profile", "set", "verba", "wire", "--base-url", server.url + "/verba/api",
            "--secrets-stdin", stdin="apiKey=5f2c1e0a-3b4d-4c6e-8f9a-0b1c2d3e4f5a\n",
        )  # fmt: skip
        assert created.returncode == 0, created.stderr
        for typed in ("type=manualRecord", "type=true"):
            done = cli(cli_env, "lookup", "verba", "extension=8856", typed, "--profile", "wire")
            assert done.returncode == 0, done.stderr
        unflagged = cli(cli_env, "lookup", "verba", "extension=8856", "--profile", "wire")
        assert unflagged.returncode == 0, unflagged.stderr
    queries = [request.query for request in server.seen]
    assert [q.get("type") for q in queries] == [["manualRecord"], ["manualRecord"], None]
    assert all(q["status"] == ["last"] and q["extension"] == ["8856"] for q in queries)
