"""What calllookup-cli prints and how it exits: nothing found is 1 with one stderr line, output
never fails on the terminal's encoding, vendor control characters never reach the terminal raw,
verify=false is warned, simulate says a busy port in one line and prints runnable demo
commands, lookup --help lists every vendor's PARAM names with an example that validates."""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
import sys
import uuid

import pytest

from desktop.cli import example_params
from desktop.core.profiles import Profile, ProfileStore
from desktop.simulator import huawei_aicc as aicc_sim
from desktop.simulator import leadsquared as lsq_sim
from desktop.simulator import oneuptime as ou_sim
from desktop.simulator.server import Simulator
from desktop.vendors import VENDORS
from tests.cli.conftest import REPO_ROOT, cli
from tests.support.hostile_server import HostileServer, Reply, SeenRequest

ESC = "\x1b"


def test_a_call_without_attempts_exits_1_naming_the_vendor(demo_profile) -> None:
    env = demo_profile("oneuptime")
    unknown_call = str(uuid.uuid4())
    done = cli(env, "lookup", "oneuptime", f"incomingCallLogId={unknown_call}", "--format", "json")
    assert done.returncode == 1
    assert json.loads(done.stdout) == []
    assert len(done.stderr.splitlines()) == 1
    assert "OneUptime: not found" in done.stderr and unknown_call in done.stderr
    as_text = cli(env, "lookup", "oneuptime", f"incomingCallLogId={unknown_call}")
    assert (as_text.returncode, as_text.stdout) == (1, "")
    counted = cli(env, "oneuptime", "count", f"incomingCallLogId={unknown_call}")
    assert (counted.returncode, counted.stdout) == (0, "0\n")  # the count was read


def test_search_nothing_found_exits_1_with_one_line(leadsquared_profile) -> None:
    unknown_request = str(uuid.uuid4())
    done = cli(leadsquared_profile, "search", unknown_request)
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1
    assert "no vendor found" in done.stderr and "LeadSquared (default): not found" in done.stderr
    found = cli(leadsquared_profile, "search", lsq_sim.SUCCESS_ID)
    assert (found.returncode, found.stderr) == (0, "")


@pytest.mark.parametrize("encoding", ["cp1252", "ascii"])
def test_output_never_fails_on_the_terminals_encoding(demo_profile, encoding: str) -> None:
    env = dict(demo_profile("huawei-aicc"), PYTHONIOENCODING=encoding)
    sample = aicc_sim.HuaweiAiccSimulator.demo.sample_inputs
    params = [f"{name}={value}" for name, value in sample.items()]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "desktop.cli", *args]
        return subprocess.run(
            command, env=env, capture_output=True, encoding=encoding, timeout=60, check=False
        )

    runs = {
        "lookup": run("lookup", "huawei-aicc", *params),  # its summary has "→" and "·"
        "search": run("search", sample["callId"]),
        "history": run("history"),
        "help": run("lookup", "--help"),
    }
    for name, done in runs.items():
        assert done.returncode == 0, (name, done.stderr)
        assert "Traceback" not in done.stderr, name
    assert " ? " in runs["lookup"].stdout  # "→" has no cp1252 or ascii form: replaced


def escape_sequences(request: SeenRequest) -> Reply:
    """A found call whose fields carry terminal escapes (clear screen, colour, a forged line,
    a right-to-left override); unknown requests get a 404 whose message carries them too."""
    if lsq_sim.SUCCESS_ID not in request.target:
        return Reply.json({"Message": f"{ESC}[2Jgone\rforged"}, status=404)
    answer = lsq_sim.demo_requests()[lsq_sim.SUCCESS_ID]
    task = answer["TaskStatus"]
    assert isinstance(task, dict)
    task["StatusReason"] = f"{ESC}[31mred{ESC}[0m\nfake line\u202egnp.exe"
    return Reply.json(answer)


def test_vendor_escape_sequences_never_reach_the_terminal(cli_env) -> None:
    with HostileServer(escape_sequences) as server:
        ProfileStore.default().save(
            Profile(vendor="leadsquared", name="default", base_url=server.url)
        )
        env = dict(cli_env, CALLLOOKUP_SECRET_LEADSQUARED_X_API_KEY="k-123456")
        found = cli(env, "lookup", "leadsquared", f"RequestId={lsq_sim.SUCCESS_ID}")
        missing = cli(env, "lookup", "leadsquared", f"RequestId={uuid.uuid4()}")
        listed = cli(env, "history")
    assert found.returncode == 0, found.stderr
    assert r"\x1b[31mred\x1b[0m\x0afake line\u202egnp.exe" in found.stdout
    assert missing.returncode == 1
    for text in (found.stdout, found.stderr, missing.stdout, missing.stderr, listed.stdout):
        assert ESC not in text and "\r" not in text and "\u202e" not in text
    assert len(missing.stderr.splitlines()) == 1


def test_verify_false_is_warned_on_every_use(demo_profile) -> None:
    env = demo_profile("leadsquared")
    verified = cli(env, "lookup", "leadsquared", f"RequestId={lsq_sim.SUCCESS_ID}")
    assert verified.stderr == ""
    store = ProfileStore.default()
    profile = store.get("leadsquared", "default")
    assert profile is not None
    store.save(profile.model_copy(update={"verify": False}))
    looked_up = cli(env, "lookup", "leadsquared", f"RequestId={lsq_sim.SUCCESS_ID}")
    searched = cli(env, "search", lsq_sim.SUCCESS_ID)
    for done in (looked_up, searched):
        assert done.returncode == 0, done.stderr
        warnings = [line for line in done.stderr.splitlines() if "verify=false" in line]
        assert len(warnings) == 1 and "LeadSquared profile 'default'" in warnings[0]


def test_simulate_on_a_busy_port_says_so_in_one_line(cli_env) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        done = cli(cli_env, "simulate", "--port", str(busy.getsockname()[1]))
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1
    assert "busy" in done.stderr and "Traceback" not in done.stderr
    out_of_range = cli(cli_env, "simulate", "--port", "99999")
    assert out_of_range.returncode == 2 and len(out_of_range.stderr.splitlines()) == 1


def test_simulate_prints_demo_commands_that_work(cli_env) -> None:
    """Every command simulate prints is pasted into a shell, as a new user would."""
    process = subprocess.Popen([sys.executable, "-m", "desktop.cli", "simulate", "--port", "0"],
                               stdout=subprocess.PIPE, text=True, env=cli_env)  # fmt: skip
    try:
        assert process.stdout is not None
        printed: list[str] = []
        while sum(line.lstrip().startswith("calllookup-cli lookup") for line in printed) < len(
            VENDORS
        ):
            printed.append(process.stdout.readline())
        commands = [line.strip() for line in printed if line.startswith("  ")]
        for vendor in VENDORS:
            assert any(f"profile set {vendor.key} demo" in c for c in commands), vendor.key
        for secret in ou_sim.OneUptimeSimulator.demo.secrets.values():
            assert any(secret in command for command in commands)
        script = (
            f'calllookup-cli() {{ {shlex.quote(sys.executable)} -m desktop.cli "$@"; }}\n'
            "set -e\n" + "\n".join(commands) + "\n"
        )
        shell = subprocess.run(["bash", "-c", script], env=cli_env, cwd=REPO_ROOT, text=True,
                               capture_output=True, timeout=300, check=False)  # fmt: skip
        assert shell.returncode == 0, shell.stderr
        assert lsq_sim.SUCCESS_ID in shell.stdout and "8077128602" in shell.stdout
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_lookup_help_lists_every_parameter_with_an_example(cli_env, simulator: Simulator) -> None:
    done = cli(cli_env, "lookup", "--help")
    assert done.returncode == 0
    for vendor in VENDORS:
        section = done.stdout.split(f"\n  {vendor.key} ({vendor.title})\n", 1)[1]
        section = section.split("\n\n", 1)[0]
        for spec in vendor.input_fields:
            assert f"    {spec.name}" in section, (vendor.key, spec.name)
        example = next(line for line in section.splitlines() if "example:" in line)
        words = shlex.split(example.split("example: ", 1)[1])
        assert words[:3] == ["calllookup-cli", "lookup", vendor.key]
        params = dict(word.split("=", 1) for word in words[3:])
        assert params == example_params(vendor)
        demo = simulator.vendors[vendor.key].demo
        profile = Profile(vendor=vendor.key, name="demo", base_url=simulator.base_url(vendor.key),
                          settings=dict(demo.settings))  # fmt: skip
        vendor.validate(params, profile)  # the example is a valid lookup


def test_every_bad_parameter_in_one_line_exit_2(cli_env) -> None:
    done = cli(cli_env, "lookup", "verba", "status=bogus", "--format", "json",
               "platformCallID=a/b")  # fmt: skip
    assert done.returncode == 2
    assert (done.stdout, len(done.stderr.splitlines())) == ("", 1)
    assert "invalid status" in done.stderr and "invalid platformCallID" in done.stderr
