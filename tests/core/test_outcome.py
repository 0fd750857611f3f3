"""Outcomes are one enum whose values are the words history files and the CLI have always used:
a file written before the enum reads and filters the same, and the machine formats carry the
same words."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from desktop.core.errors import BadResponseError, NotFoundError, VendorError, VendorTimeoutError
from desktop.core.history import HistoryQuery, HistoryStore, known_outcomes
from desktop.core.outcome import Outcome

#: ``calllookup-cli history --outcome`` choices as released before the enum (its help lists them).
RELEASED_OUTCOMES = [
    "found", "not found", "error", "bad credentials", "forbidden", "rate limited", "rejected",
    "unavailable", "timeout", "bad response", "cancelled",
]  # fmt: skip


def test_the_recorded_outcomes_are_the_released_words_in_order() -> None:
    assert known_outcomes() == RELEASED_OUTCOMES
    assert all(type(word) is str for word in known_outcomes())  # argparse quotes them in errors


def test_every_vendor_error_kind_is_an_outcome_and_reads_as_its_word() -> None:
    def kinds(cls: type[VendorError]) -> list[Outcome]:
        return [cls.kind, *(kind for sub in cls.__subclasses__() for kind in kinds(sub))]

    assert set(kinds(VendorError)) <= set(Outcome)
    error = NotFoundError("no such call")
    assert f"{error.kind}: {error.describe()}" == "not found: no such call"
    assert json.dumps({"state": VendorTimeoutError("slow").kind}) == '{"state": "timeout"}'


def test_a_file_written_before_the_enum_lists_and_filters_by_outcome(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    HistoryStore(path)  # creates the schema
    older = sqlite3.connect(path, isolation_level=None)
    for number, word in enumerate(("found", "not found", "timeout", "a word of a later version")):
        older.execute(
            "INSERT INTO lookups (at, vendor, profile, params, outcome, message, duration) "
            "VALUES (?, 'verba', 'demo', ?, ?, '', 0.1)",
            (f"2026-01-0{number + 1}T00:00:00+00:00", json.dumps({"n": str(number)}), word),
        )
    older.close()
    store = HistoryStore(path)
    assert [entry.outcome for entry in store.list()] == [
        "a word of a later version", "timeout", "not found", "found",
    ]  # fmt: skip
    for outcome in (Outcome.NOT_FOUND, Outcome.TIMEOUT):
        assert [entry.outcome for entry in store.list(HistoryQuery(outcome=outcome))] == [outcome]
    store.add(None, vendor="verba", profile="demo", params={}, outcome=Outcome.BAD_RESPONSE,
              message=BadResponseError("html").message, duration=0.2)  # fmt: skip
    with closing(sqlite3.connect(path)) as reader:
        newest = reader.execute("SELECT outcome FROM lookups ORDER BY id DESC").fetchone()
    assert newest == ("bad response",)  # the word itself, as files always held
