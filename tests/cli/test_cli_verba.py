"""calllookup-cli for Verba, against the simulator."""

from __future__ import annotations

from desktop.simulator import verba as sim
from tests.cli.conftest import cli


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
