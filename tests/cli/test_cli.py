"""calllookup-cli in a subprocess, as scripts use it, against the simulator over HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from desktop import __version__
from desktop.simulator import leadsquared as sim
from tests.cli.conftest import cli


def test_version(cli_env) -> None:
    done = cli(cli_env, "--version")
    assert done.returncode == 0
    assert __version__ in done.stdout


def test_lookup_prints_numbers_and_recording(leadsquared_profile) -> None:
    done = cli(leadsquared_profile, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}")
    assert done.returncode == 0, done.stderr
    assert "8077128602" in done.stdout
    assert "9399822316" in done.stdout
    assert "https://sr.knowlarity.com/vr/fetchsound/?callid=" in done.stdout


def test_lookup_formats(leadsquared_profile) -> None:
    as_json = cli(
        leadsquared_profile, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}",
        "--format", "json",
    )  # fmt: skip
    records = json.loads(as_json.stdout)
    call_log = records[0]["RequestBody"]  # decoded from the JSON text LeadSquared sends
    assert call_log["SourceNumber"] == "8077128602"
    assert call_log["ResourceURL"].startswith("https://sr.knowlarity.com/")
    as_tsv = cli(
        leadsquared_profile, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}",
        "--format", "tsv",
    )  # fmt: skip
    header, row = as_tsv.stdout.splitlines()
    assert header.split("\t")[:2] == ["vendor", "RequestId"]
    cells = dict(zip(header.split("\t"), row.split("\t"), strict=True))
    assert json.loads(cells["RequestBody"])["SourceNumber"] == "8077128602"  # the JSON text
    as_csv = cli(
        leadsquared_profile, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}",
        "--format", "csv",
    )  # fmt: skip
    assert as_csv.stdout.startswith("vendor,RequestId,")


def test_wrong_id_exits_1_with_a_clear_line(leadsquared_profile) -> None:
    done = cli(leadsquared_profile, "lookup", "leadsquared", "RequestId=does-not-exist")
    assert done.returncode == 1
    assert "LeadSquared" in done.stderr
    assert "no call-log request" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_empty_request_id_exits_2_and_sends_nothing(leadsquared_profile, simulator) -> None:
    before = simulator.request_counts.get("leadsquared", 0)
    done = cli(leadsquared_profile, "lookup", "leadsquared", "RequestId=")
    assert done.returncode == 2
    assert "RequestId" in done.stderr
    assert simulator.request_counts.get("leadsquared", 0) == before


def test_unknown_parameter_exits_2(leadsquared_profile) -> None:
    done = cli(leadsquared_profile, "lookup", "leadsquared", "RequestID=x")
    assert done.returncode == 2
    assert "unknown parameter" in done.stderr


def test_network_failure_exits_1(cli_env) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    cli(
        cli_env, "profile", "set", "leadsquared", "default",
        "--base-url", f"http://127.0.0.1:{closed_port}", "--secrets-stdin",
        stdin="x-api-key=k-123456\n",
    )  # fmt: skip
    done = cli(cli_env, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}")
    assert done.returncode == 1
    assert "Cannot connect" in done.stderr


def test_profile_show_list_delete_never_print_secrets(leadsquared_profile) -> None:
    shown = cli(leadsquared_profile, "profile", "show", "leadsquared", "default")
    assert shown.returncode == 0
    assert "x-api-key: (set)" in shown.stdout
    assert "timeout: 15" in shown.stdout
    assert sim.DEMO_API_KEY not in shown.stdout + shown.stderr
    listed = cli(leadsquared_profile, "profile", "list")
    assert "leadsquared\tdefault\t" in listed.stdout
    refused = cli(leadsquared_profile, "profile", "delete", "leadsquared", "default")
    assert refused.returncode == 2  # no terminal to ask on, no --yes
    deleted = cli(leadsquared_profile, "profile", "delete", "leadsquared", "default", "--yes")
    assert deleted.returncode == 0
    keyring_file = Path(leadsquared_profile["CALLLOOKUP_TEST_KEYRING_FILE"])
    assert json.loads(keyring_file.read_text()) == {}
    config = Path(leadsquared_profile["CALLLOOKUP_CONFIG_DIR"]) / "profiles.json"
    assert json.loads(config.read_text()) == {"profiles": []}


def test_profile_file_holds_no_secret(leadsquared_profile) -> None:
    config = Path(leadsquared_profile["CALLLOOKUP_CONFIG_DIR"]) / "profiles.json"
    assert sim.DEMO_API_KEY not in config.read_text()


def test_profile_set_rejects_bad_values(cli_env) -> None:
    bad_url = cli(cli_env, "profile", "set", "leadsquared", "x", "--base-url", "ftp://host")
    assert bad_url.returncode == 2
    assert "https://" in bad_url.stderr
    secret_in_argv = cli(
        cli_env, "profile", "set", "leadsquared", "x", "--base-url", "https://h",
        "--set", "x-api-key=oops",
    )  # fmt: skip
    assert secret_in_argv.returncode == 2
    assert "secrets go through" in secret_in_argv.stderr


def test_no_profile_is_a_clear_failure(cli_env) -> None:
    done = cli(cli_env, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}")
    assert done.returncode == 1
    assert "calllookup-cli profile set leadsquared" in done.stderr


def test_simulate_serves_until_stopped(cli_env) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "simulate", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
        env=cli_env,
    )
    try:
        assert process.stdout is not None
        assert "vendor simulator on" in process.stdout.readline()
        deadline = time.monotonic() + 20
        response = None
        while response is None and time.monotonic() < deadline:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/leadsquared/1/api/telephony/logcallcomplete/status",
                    params={"RequestID": sim.SUCCESS_ID},
                    headers={"x-api-key": sim.DEMO_API_KEY},
                )
            except httpx.ConnectError:
                time.sleep(0.1)
        assert response is not None
        assert response.json()["RequestId"] == sim.SUCCESS_ID
    finally:
        process.terminate()
        process.wait(timeout=10)
