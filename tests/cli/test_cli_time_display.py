"""The CLI's text output shows times as Preferences says (the settings file the app writes)."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.simulator import leadsquared as sim
from tests.cli.conftest import cli


def test_text_output_follows_the_time_display_setting(leadsquared_profile) -> None:
    config = Path(leadsquared_profile["CALLLOOKUP_CONFIG_DIR"])
    (config / "settings.json").write_text(json.dumps({"time_display": "utc"}), encoding="utf-8")
    done = cli(leadsquared_profile, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}")
    assert done.returncode == 0, done.stderr
    assert " UTC" in done.stdout
    as_json = cli(leadsquared_profile, "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}",
                  "--format", "json")  # fmt: skip
    assert " UTC" not in as_json.stdout  # machine formats keep the vendor's own values
