"""calllookup-cli search and history."""

from __future__ import annotations

import csv
import io
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from desktop.core.history import HistoryStore, Retention
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


def _history_file(isolated_dirs: Path) -> Path:
    return isolated_dirs / "data" / "history.sqlite3"


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--limit", "0"], "invalid --limit"),
        (["--limit", "-5"], "invalid --limit"),
        (["--limit", str(2**70)], "invalid --limit"),
        (["--keep-entries", "0"], "invalid --keep-entries"),
        (["--keep-days", "0"], "invalid --keep-days"),
        (["--keep-days", "100000"], "invalid --keep-days"),
        (["--vendor", "no-such-vendor"], "--vendor"),
        (["--outcome", "no-such-outcome"], "--outcome"),
        (["--limit", "many"], "--limit"),
    ],
)
def test_invalid_history_options_exit_2_and_read_nothing(
    cli_env, isolated_dirs: Path, args: list[str], named: str
) -> None:
    done = cli(cli_env, "history", *args)
    assert done.returncode == 2, done.stderr
    assert named in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert not _history_file(isolated_dirs).exists()  # not even opened


def test_the_retention_is_set_by_the_cli_and_kept_in_the_history_file(
    cli_env, isolated_dirs: Path
) -> None:
    store = HistoryStore(_history_file(isolated_dirs))
    for number in range(5):
        store.add(None, vendor="verba", profile="p", params={"n": str(number)},
                  outcome="found", message="", duration=0)  # fmt: skip
    done = cli(cli_env, "history", "--keep-entries", "2", "--format", "json")
    assert done.returncode == 0, done.stderr
    assert (
        done.stderr
        == "calllookup-cli: history keeps at most 2 entries for 90 days; 3 removed now\n"
    )
    assert [row["params"] for row in json.loads(done.stdout)] == ["n=4", "n=3"]
    assert store.retention() == Retention(max_entries=2, max_age_days=90)  # what the app reads
    store.add(None, vendor="verba", profile="p", params={"n": "5"}, outcome="found",
              message="", duration=0)  # fmt: skip
    assert len(store.list()) == 2
    done = cli(cli_env, "history", "--keep-days", "7")
    assert done.returncode == 0, done.stderr
    assert store.retention() == Retention(max_entries=2, max_age_days=7)


def test_history_filters_by_vendor_outcome_and_literal_text(cli_env, isolated_dirs: Path) -> None:
    store = HistoryStore(_history_file(isolated_dirs))
    for vendor, outcome, message in (
        ("verba", "timeout", "50% slower"),
        ("verba", "timeout", "500 slower"),
        ("verba", "found", "50% slower"),
        ("oneuptime", "timeout", "50% slower"),
    ):
        store.add(None, vendor=vendor, profile="p", params={}, outcome=outcome,
                  message=message, duration=0)  # fmt: skip
    done = cli(cli_env, "history", "--vendor", "verba", "--outcome", "timeout",
               "--text", "50%", "--format", "json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [(r["vendor"], r["outcome"], r["message"]) for r in rows] == [
        ("verba", "timeout", "50% slower")
    ]


def test_a_history_that_cannot_be_opened_is_exit_1_with_one_line(
    cli_env, isolated_dirs: Path
) -> None:
    _history_file(isolated_dirs).mkdir(parents=True)  # a folder where the file should be
    done = cli(cli_env, "history")
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("calllookup-cli: The lookup history (")
    assert "could not be opened" in done.stderr


def test_a_lookup_goes_on_when_its_history_cannot_be_kept(
    leadsquared_profile, isolated_dirs: Path
) -> None:
    _history_file(isolated_dirs).mkdir(parents=True)  # a folder where the file should be
    done = cli(leadsquared_profile, "lookup", "leadsquared", f"RequestId={ls.SUCCESS_ID}")
    assert done.returncode == 0
    assert "8077128602" in done.stdout
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("calllookup-cli: warning: The lookup history (")


def test_search_says_which_profiles_were_skipped_and_exports_tsv_and_csv(demo_profile) -> None:
    for vendor in ("leadsquared", "verba"):
        env = demo_profile(vendor)
    text = cli(env, "search", "1644464743-1388")
    assert "LeadSquared (default): skipped: LeadSquared does not take this kind of value " \
           "(call ID)\n" in text.stdout  # fmt: skip
    assert "\nVerba (default): not found in " in text.stdout
    tsv = cli(env, "search", "1644464743-1388", "--format", "tsv")
    lines = tsv.stdout.splitlines()
    assert lines[0] == "vendor\tprofile\tstate\telapsed_ms\tmessage"
    assert lines[1].startswith("leadsquared\tdefault\tskipped\t\t")
    assert lines[2].startswith("verba\tdefault\t")
    assert len(lines) == 3
    assert tsv.returncode == text.returncode
    rows = list(csv.DictReader(io.StringIO(cli(env, "search", "1644464743-1388",
                                               "--format", "csv").stdout)))  # fmt: skip
    assert (rows[0]["vendor"], rows[0]["state"]) == ("leadsquared", "skipped")
    assert rows[1]["vendor"] == "verba"
    assert rows[1]["elapsed_ms"].isdigit()


def test_ctrl_c_reports_the_vendors_not_answered_as_cancelled(demo_profile, simulator) -> None:
    vendors = ("leadsquared", "huawei-aicc", "oneuptime")
    for vendor in vendors:
        env = demo_profile(vendor)
    simulator.reset()
    for vendor in vendors:
        simulator.add_fault(vendor, "delay:5", count=5)
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop.cli", "search", ls.SUCCESS_ID],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while set(simulator.request_counts) < set(vendors) and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)
    assert time.monotonic() - started < 3
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    lines = stdout.splitlines()
    assert len(lines) == 3
    assert all(": cancelled in " in line for line in lines), stdout


def test_a_damaged_history_is_moved_aside_and_the_cli_says_so(cli_env, isolated_dirs: Path) -> None:
    path = _history_file(isolated_dirs)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    done = cli(cli_env, "history")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert "it was moved to history.sqlite3.corrupt-" in done.stderr
    assert list(path.parent.glob("history.sqlite3.corrupt-*"))
    again = cli(cli_env, "history")
    assert (again.returncode, again.stderr) == (0, "")  # a new, working history


def test_history_skips_a_bad_row_with_a_note(leadsquared_profile) -> None:
    env = leadsquared_profile
    for _ in range(2):
        assert cli(env, "lookup", "leadsquared", f"RequestId={ls.SUCCESS_ID}").returncode == 0
    path = Path(env["CALLLOOKUP_DATA_DIR"]) / "history.sqlite3"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("UPDATE lookups SET at = 'yesterday', duration = 'abc' WHERE id = 1")
    other.close()
    listed = cli(env, "history", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    assert [row["id"] for row in json.loads(listed.stdout)] == ["2"]
    assert listed.stderr == "calllookup-cli: 1 entry could not be read and was skipped.\n"


def test_a_lookup_announces_a_damaged_history_moved_aside(leadsquared_profile) -> None:
    env = leadsquared_profile
    data = Path(env["CALLLOOKUP_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    (data / "history.sqlite3").write_bytes(b"not a database at all" * 200)
    done = cli(env, "lookup", "leadsquared", f"RequestId={ls.SUCCESS_ID}")
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.splitlines()
    assert line.startswith("calllookup-cli: The lookup history could not be read")
    assert "history.sqlite3.corrupt-" in line
    assert [p.name for p in data.glob("history.sqlite3.corrupt-*")]
    again = cli(env, "lookup", "leadsquared", f"RequestId={ls.SUCCESS_ID}")
    assert again.stderr == ""  # said once: the new history is fine
