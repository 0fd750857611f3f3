"""calllookup-cli search and history."""

from __future__ import annotations

import json

from desktop.simulator import leadsquared as ls
from tests.cli.conftest import cli


def test_search_finds_the_request_and_history_lists_it(demo_profile) -> None:
    for vendor in ("leadsquared", "huawei-aicc", "oneuptime"):
        env = demo_profile(vendor)
    done = cli(env, "search", ls.SUCCESS_ID, "--format", "json")
    assert done.returncode == 0, done.stderr
    outcomes = {o["vendor"]: o for o in json.loads(done.stdout)}
    assert outcomes["leadsquared"]["state"] == "found"
    assert outcomes["huawei-aicc"]["state"] == "not found"
    listed = cli(env, "history", "--format", "json")
    rows = json.loads(listed.stdout)
    assert {row["vendor"] for row in rows} >= {"leadsquared", "huawei-aicc", "oneuptime"}
    text = cli(env, "history", "--limit", "1")
    assert len(text.stdout.splitlines()) == 1


def test_search_of_an_unusable_value_exits_2(cli_env) -> None:
    done = cli(cli_env, "search", "a/b c")
    assert done.returncode == 2
