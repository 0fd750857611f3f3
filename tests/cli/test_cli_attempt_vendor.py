"""calllookup-cli for a vendor with attempts that only the tests declare (Ringbook): lookup with
every page, one attempt, count, edits, export formats, search and history, all from its
registry entry, in real subprocesses against its simulator."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest

from desktop.simulator.server import Simulator
from tests.cli.conftest import cli
from tests.support import attempt_vendor as ringbook
from tests.support import attempt_vendor_simulator as sim

LAUNCHER = "tests.support.attempt_vendor_cli"


@pytest.fixture
def simulator(attempt_vendor_simulator: Simulator) -> Simulator:
    return attempt_vendor_simulator


@pytest.fixture
def env(demo_profile: Callable[..., dict[str, str]]) -> dict[str, str]:
    return demo_profile(ringbook.KEY, module=LAUNCHER)


def ringbook_cli(env: dict[str, str], *args: str):
    return cli(env, *args, module=LAUNCHER)


def test_lookup_lists_every_page(env, simulator) -> None:
    done = ringbook_cli(env, "lookup", ringbook.KEY, f"call={sim.BIG_CALL}", "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert [row["id"] for row in rows] == [sim.ring_id(sim.BIG_CALL, n) for n in range(120)]
    assert list(rows[0])[:3] == ["vendor", "id", "call"]
    assert (
        simulator.request_paths[ringbook.KEY] == [f"/{ringbook.KEY}/calls/{sim.BIG_CALL}/rings"] * 3
    )


def test_a_lookup_of_one_attempt_does_not_page(env, simulator) -> None:
    ring = sim.ring_id(sim.SMALL_CALL, 1)
    done = ringbook_cli(env, "lookup", ringbook.KEY, f"id={ring}")
    assert done.returncode == 0, done.stderr
    assert f"attempt={ring} · call={sim.SMALL_CALL}" in done.stdout
    assert simulator.request_paths[ringbook.KEY] == [f"/{ringbook.KEY}/rings/{ring}"]


def test_csv_export_carries_its_own_field_names(env) -> None:
    done = ringbook_cli(env, "lookup", ringbook.KEY, f"call={sim.SMALL_CALL}", "--format", "csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [row["id"] for row in rows] == [sim.ring_id(sim.SMALL_CALL, n) for n in range(3)]
    assert rows[0]["picked_up"] == "false"
    assert rows[0]["ring_s"] == "10"


def test_count_update_delete_create(env) -> None:
    counted = ringbook_cli(env, ringbook.KEY, "count", f"call={sim.BIG_CALL}")
    assert (counted.returncode, counted.stdout.strip()) == (0, "120")
    ring = sim.ring_id(sim.BIG_CALL, 0)
    updated = ringbook_cli(env, ringbook.KEY, "update", ring, "outcome=picked", "picked_up=true")
    assert (updated.returncode, updated.stdout.strip()) == (0, f"updated {ring}")
    refused = ringbook_cli(env, ringbook.KEY, "update", ring, "outcome=sometimes")
    assert refused.returncode == 2
    assert "outcome" in refused.stderr
    deleted = ringbook_cli(env, ringbook.KEY, "delete", ring, "--yes")
    assert deleted.returncode == 0, deleted.stderr
    created = ringbook_cli(env, ringbook.KEY, "create", f"call={sim.BIG_CALL}", "outcome=ringing")
    assert (created.returncode, created.stdout.strip()) == (0, f"{sim.BIG_CALL}-new-1")
    recounted = ringbook_cli(env, ringbook.KEY, "count", f"call={sim.BIG_CALL}")
    assert recounted.stdout.strip() == "120"


def test_search_asks_it_and_history_lists_it(env) -> None:
    searched = ringbook_cli(env, "search", sim.SMALL_CALL, "--format", "json")
    assert searched.returncode == 0, searched.stderr
    found = {row["vendor"]: row for row in json.loads(searched.stdout)}
    assert found[ringbook.KEY]["state"] == "found"
    assert len(found[ringbook.KEY]["records"]) == 3
    history = ringbook_cli(env, "history", "--vendor", ringbook.KEY, "--format", "json")
    assert history.returncode == 0, history.stderr
    entries = json.loads(history.stdout)
    assert [(entry["vendor"], entry["outcome"]) for entry in entries] == [(ringbook.KEY, "found")]


def test_it_has_no_escalation_report(env) -> None:
    """The period report reads OneUptime's analytics API: another vendor's commands lack it."""
    done = ringbook_cli(env, ringbook.KEY, "report", "startedAtFrom=2026-11-20")
    assert done.returncode == 2
    assert "invalid choice: 'report'" in done.stderr
