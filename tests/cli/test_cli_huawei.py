"""calllookup-cli for the two Huawei vendors, against the simulator."""

from __future__ import annotations

import json

import pytest

from tests.cli.conftest import cli


def test_aicc_lookup_prints_the_call(demo_profile) -> None:
    env = demo_profile("huawei-aicc")
    done = cli(env, "lookup", "huawei-aicc", "callId=1652317325-339")
    assert done.returncode == 0, done.stderr
    assert "70004" in done.stdout
    assert "60015" in done.stdout
    assert "common incoming call" in done.stdout


def test_aicc_unknown_call_exits_1(demo_profile) -> None:
    env = demo_profile("huawei-aicc")
    done = cli(env, "lookup", "huawei-aicc", "callId=1652317325-000")
    assert done.returncode == 1
    assert "Huawei AICC" in done.stderr
    assert "no call information" in done.stderr


def test_isales_lookup_prints_the_call_and_recording(demo_profile) -> None:
    env = demo_profile("huawei-isales")
    done = cli(env, "lookup", "huawei-isales", "vdnId=8", "callId=1644464743-1388", "--format",
               "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    (record,) = json.loads(done.stdout)
    assert record["called"] == "88881955"
    assert (record["callStatus"], record["callStatusMeaning"]) == ("6", "succeeded")
    assert "Signature=uztQO" in record["recordPath"]  # the whole link for use
    assert "Signature=…" in done_text(env)  # masked where it is shown


def done_text(env: dict[str, str]) -> str:
    done = cli(env, "lookup", "huawei-isales", "vdnId=8", "callId=1644464743-1388")
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("vdn", ["0", "10000"])
def test_isales_vdn_out_of_range_exits_2_without_a_request(demo_profile, simulator, vdn) -> None:
    env = demo_profile("huawei-isales")
    before = simulator.request_counts.get("huawei-isales", 0)
    done = cli(env, "lookup", "huawei-isales", f"vdnId={vdn}", "callId=1644464743-1388")
    assert done.returncode == 2
    assert "between 1 and 9999" in done.stderr
    assert simulator.request_counts.get("huawei-isales", 0) == before


def test_isales_unknown_call_exits_1_with_the_vendor_description(demo_profile) -> None:
    env = demo_profile("huawei-isales")
    done = cli(env, "lookup", "huawei-isales", "vdnId=8", "callId=1644464743-9999")
    assert done.returncode == 1
    assert "The call record ID does not exist." in done.stderr
    assert "0200007" in done.stderr


def test_profile_test_finds_the_accepted_layout_and_saves_it_with_save(
    demo_profile, simulator
) -> None:
    env = demo_profile("huawei-isales")
    simulator.vendors["huawei-isales"].accepted_layouts = frozenset({"legacy-ports"})
    assert cli(env, "lookup", "huawei-isales", "callId=1644464743-1388").returncode == 1  # 401
    done = cli(env, "profile", "test", "huawei-isales", "default")
    assert done.returncode == 0, done.stderr
    assert "the server accepted layout legacy-ports with hex signatures" in done.stdout.lower()
    assert "not saved (signature_layout=legacy-ports): run again with --save" in done.stdout
    assert cli(env, "lookup", "huawei-isales", "callId=1644464743-1388").returncode == 1

    saved = cli(env, "profile", "test", "huawei-isales", "default", "--save")
    assert saved.returncode == 0, saved.stderr
    assert "saved signature_layout=legacy-ports in huawei-isales profile 'default'" in saved.stdout
    shown = cli(env, "profile", "show", "huawei-isales", "default")
    assert "signature_layout: legacy-ports" in shown.stdout
    assert cli(env, "lookup", "huawei-isales", "callId=1644464743-1388").returncode == 0
    again = cli(env, "profile", "test", "huawei-isales", "default")
    assert again.returncode == 0
    assert "save" not in again.stdout  # the profile already holds what the server accepts


def test_profile_test_exits_1_when_no_layout_is_accepted(demo_profile, simulator) -> None:
    env = demo_profile("huawei-isales")
    simulator.vendors["huawei-isales"].accepted_layouts = frozenset()
    done = cli(env, "profile", "test", "huawei-isales", "default")
    assert done.returncode == 1
    assert "refused every known signature layout and encoding (4 tried)" in done.stderr
    assert done.stderr.count("\n") == 1


@pytest.mark.parametrize("vendor", ["huawei-aicc", "leadsquared", "oneuptime", "verba"])
def test_profile_test_runs_every_vendors_connection_test(demo_profile, vendor) -> None:
    env = demo_profile(vendor)
    done = cli(env, "profile", "test", vendor, "default")
    assert done.returncode == 0, done.stderr
    assert "accepted" in done.stdout or "issued" in done.stdout
    missing = cli(env, "profile", "test", vendor, "nosuch")
    assert missing.returncode == 1
    assert "No" in missing.stderr and "nosuch" in missing.stderr
