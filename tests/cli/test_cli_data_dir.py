"""A lookup whose data dir cannot be written (read-only, or a full file system) prints its answer
and exactly one warning line: before, the log handler's own failures added two logging
tracebacks (112 lines) around it."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.simulator import leadsquared as sim
from tests.cli.conftest import cli
from tests.support.filesystems import full_dir, read_only_dir


def _lookup(env: dict[str, str], data: Path) -> tuple[int, str, list[str]]:
    done = cli(
        {**env, "CALLLOOKUP_DATA_DIR": str(data)},
        "lookup", "leadsquared", f"RequestId={sim.SUCCESS_ID}", "--format", "json",
    )  # fmt: skip
    return done.returncode, done.stdout, done.stderr.splitlines()


def test_read_only_data_dir_is_one_warning(leadsquared_profile, tmp_path: Path) -> None:
    with read_only_dir(tmp_path / "ro-data") as data:
        code, out, errors = _lookup(leadsquared_profile, data)
    assert code == 0
    assert json.loads(out)  # the answer stands
    assert len(errors) == 1, errors
    assert errors[0].startswith("calllookup-cli: warning: The lookup history")
    assert "could not be opened" in errors[0]


def test_full_disk_is_one_warning(leadsquared_profile, tmp_path: Path) -> None:
    with full_dir(tmp_path / "full-data") as data:
        code, out, errors = _lookup(leadsquared_profile, data)
    assert code == 0
    assert json.loads(out)
    assert len(errors) == 1, errors
    assert errors[0].startswith("calllookup-cli: warning: ")
    assert "disk is full" in errors[0]
