"""The log file's own failures: one warning, once, never a traceback per record."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.core.logs import LOG_FILE_NAME, configure_logging, log_file_problem
from tests.support.filesystems import full_dir, read_only_dir


@pytest.fixture(autouse=True)
def _no_file_afterwards() -> Iterator[None]:
    yield
    configure_logging(to_file=False)


def test_a_full_disk_is_one_warning_and_the_file_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with full_dir(tmp_path / "full") as data:
        monkeypatch.setenv("CALLLOOKUP_DATA_DIR", str(data))
        assert configure_logging() == data / LOG_FILE_NAME  # opening an empty file still works
        for number in range(50):
            logging.getLogger("test").warning("record %d", number)
        configure_logging(to_file=False)
    errors = capsys.readouterr().err.splitlines()
    assert errors == [f"calllookup: warning: {_problem_for(data)}"]


def _problem_for(data: Path) -> str:
    return (
        f"The log file {data / LOG_FILE_NAME} cannot be written: the disk is full; "
        "logging to it stopped."
    )


def test_an_unwritable_data_dir_is_one_warning_and_no_last_resort(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with read_only_dir(tmp_path / "ro") as data:
        monkeypatch.setenv("CALLLOOKUP_DATA_DIR", str(data))
        assert configure_logging() is None
        problem = log_file_problem()
        # Without a handler, logging's last resort would print this on stderr.
        logging.getLogger("test").warning("not on stderr")
    assert problem is not None
    assert "permission denied" in problem
    assert capsys.readouterr().err.splitlines() == [f"calllookup: warning: {problem}"]


def test_quiet_mode_leaves_the_warning_to_the_caller(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with read_only_dir(tmp_path / "ro") as data:
        monkeypatch.setenv("CALLLOOKUP_DATA_DIR", str(data))
        configure_logging(announce=False)
    assert log_file_problem() is not None
    assert capsys.readouterr().err == ""
