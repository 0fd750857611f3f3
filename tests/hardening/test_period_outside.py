"""A server that answers a period's list with attempts from outside the period (a start at
year 1 or 9999, which no local day holds): they were cached, and the rollups then failed the
whole report (SQLite's NOT NULL on the stale day, or Python's year 0). They are left out now,
and the report says how many."""

from __future__ import annotations

import json

from tests.hardening.conftest import period_attempt, run_cli
from tests.support.hostile_server import HostileServer, Reply, SeenRequest

INSIDE = "2026-11-09T12:00:00.000Z"
OUTSIDE = ("0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.000Z", "2026-11-11T12:00:00.000Z")


def _period_list(request: SeenRequest) -> Reply:
    if not request.path.endswith("/get-list"):
        return Reply.json({"count": 0})
    data = [period_attempt(0, INSIDE)] + [period_attempt(n + 1, at) for n, at in enumerate(OUTSIDE)]
    skip = int(request.query.get("skip", ["0"])[0])
    return Reply.json({"data": data if skip == 0 else [], "count": len(data)})


def test_attempts_from_outside_the_period_are_left_out_and_said(
    make_profile, cli_env: dict[str, str]
) -> None:
    with HostileServer(_period_list) as server:
        make_profile("oneuptime", server.url, {"ApiKey": "outside-key-0001"}, {"projectId": "p1"})
        done = run_cli(
            {**cli_env, "TZ": "Pacific/Kiritimati"},  # UTC+14: 9999-12-31 23:59 is year 10000
            "oneuptime", "report", "startedAtFrom=2026-11-09", "startedAtTo=2026-11-10",
            "--by", "day", "--format", "json",
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert "3 attempts that OneUptime sent started outside the period and were left out." in (
        done.stderr
    )
    groups = json.loads(done.stdout)
    assert sum(group["attempts"] for group in groups) == 1
