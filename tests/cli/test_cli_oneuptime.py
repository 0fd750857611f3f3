"""calllookup-cli for OneUptime escalation attempts, against the simulator."""

from __future__ import annotations

import json

from desktop.simulator import oneuptime as sim
from tests.cli.conftest import cli

ATTEMPT_3 = f"{sim.CALL_250[:24]}{3:012d}"


def test_lookup_lists_every_page(demo_profile) -> None:
    env = demo_profile("oneuptime")
    done = cli(env, "lookup", "oneuptime", f"incomingCallLogId={sim.CALL_250}", "--format",
               "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == 250
    assert len({row["_id"] for row in rows}) == 250
    assert rows[0]["status"] == "NoAnswer"


def test_lookup_one_attempt_by_id(demo_profile) -> None:
    env = demo_profile("oneuptime")
    done = cli(env, "lookup", "oneuptime", f"_id={ATTEMPT_3}")
    assert done.returncode == 0, done.stderr
    assert ATTEMPT_3 in done.stdout
    assert "Failed" in done.stdout


def test_count_update_create_delete(demo_profile) -> None:
    env = demo_profile("oneuptime")
    counted = cli(env, "oneuptime", "count", f"incomingCallLogId={sim.CALL_250}", "isAnswered=true")
    assert (counted.returncode, counted.stdout.strip()) == (0, "41")
    updated = cli(env, "oneuptime", "update", ATTEMPT_3, "status=Completed", "isAnswered=true")
    assert updated.returncode == 0, updated.stderr
    refused = cli(env, "oneuptime", "delete", ATTEMPT_3)
    assert refused.returncode == 2  # no terminal to ask on
    deleted = cli(env, "oneuptime", "delete", ATTEMPT_3, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    created = cli(env, "oneuptime", "create", f"incomingCallLogId={sim.CALL_250}",
                  "status=Ringing")  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip()


def test_invalid_edit_exits_2(demo_profile) -> None:
    env = demo_profile("oneuptime")
    done = cli(env, "oneuptime", "update", ATTEMPT_3, "status=Sometimes")
    assert done.returncode == 2
    assert "status" in done.stderr


def test_permission_error_exits_1_and_explains(demo_profile, cli_env) -> None:
    env = demo_profile("oneuptime")
    cli(env, "profile", "set", "oneuptime", "default", "--secrets-stdin",
        stdin=f"ApiKey={sim.READ_ONLY_KEY}\n")  # fmt: skip
    done = cli(env, "oneuptime", "delete", ATTEMPT_3, "--yes")
    assert done.returncode == 1
    assert "Project Owner or Admin" in done.stderr
