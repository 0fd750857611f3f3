"""The call card: one sentence and the few facts an agent needs, for every vendor's demo call,
built from the generic field roles (no vendor names in the card's code)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

from desktop.core.models import CallRecord, DetailField, FieldRole, LookupResult, RecordingLink
from desktop.core.timefmt import local_zone_name, parse_clock
from desktop.simulator.registry import all_vendor_simulators
from desktop.ui.call_card import card_content, expiry_text
from desktop.ui.table_models import CLIPBOARD_ROLE

SAMPLES = {sim.key: sim.demo.sample_inputs for sim in all_vendor_simulators()}


def test_expiry_is_said_in_words() -> None:
    now = datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
    link = RecordingLink(vendor="v", call_id="1", url="https://r.example/x",
                         expires_at=now + timedelta(hours=1, minutes=5))  # fmt: skip
    assert expiry_text(link, now).startswith("expires in 1:05:00 (")
    assert expiry_text(link, now + timedelta(hours=2)).startswith("expired ")
    assert expiry_text(RecordingLink(vendor="v", call_id="1", url="https://r.example/x")) == ""


def _time_row(key: str, text: str, role: FieldRole) -> DetailField:
    return DetailField(key=key, label=key, value=text, role=role, moment=parse_clock(text))


def test_a_time_without_a_zone_is_not_given_one_and_still_gives_the_duration() -> None:
    call = CallRecord(vendor="v", call_id="c1", fields=(
        _time_row("s", "2022-02-10 11:45:47", FieldRole.STARTED),
        _time_row("e", "2022-02-10 11:45:51", FieldRole.ENDED),
    ))  # fmt: skip
    content = card_content(LookupResult(vendor="v", profile="p", calls=[call]), "Vendor")
    assert content.sentence == (
        "Call c1 on 2022-02-10 11:45:47 (zone not given by the vendor) for 0:00:04."
    )  # both times in the vendor's zone: their difference holds


def test_a_time_the_vendor_module_could_not_read_is_shown_as_sent() -> None:
    call = CallRecord(vendor="v", call_id="c1", fields=(
        DetailField(key="s", label="S", value="yesterday noon", role=FieldRole.STARTED),
    ))  # fmt: skip
    content = card_content(LookupResult(vendor="v", profile="p", calls=[call]), "Vendor")
    assert content.sentence == "Call c1 on yesterday noon (as the vendor sent it)."


def test_the_outcome_and_direction_are_words_not_codes() -> None:
    call = CallRecord(vendor="v", call_id="c1", fields=(
        DetailField(key="st", label="Result", value="6 — succeeded", meaning="succeeded",
                    role=FieldRole.STATUS),
        DetailField(key="d", label="Direction", value="2 — outgoing", meaning="outgoing",
                    role=FieldRole.DIRECTION),
    ))  # fmt: skip
    content = card_content(LookupResult(vendor="v", profile="p", calls=[call]), "Vendor")
    assert content.sentence == "Call c1 — succeeded."
    assert ("Direction", "outgoing") in content.facts


@pytest.mark.parametrize("key", sorted(SAMPLES))
def test_every_vendor_shows_a_card_after_a_demo_lookup(window, run_async, key) -> None:
    tab = window.vendor_tabs[key]
    window.tabs.setCurrentWidget(tab)
    tab.form.set_values(SAMPLES[key])
    task = tab.start_lookup()
    assert task is not None
    run_async(task)
    card = tab.call_card
    assert card.objectName() == "callCard"
    assert card.isVisible()
    sentence = card.sentence.text()
    assert sentence.endswith(".") or "attempts" in sentence
    if tab.last_result is not None and tab.last_result.calls:
        facts = dict(part.split(": ", 1) for part in card.facts.text().split("   ·   "))
        assert "Call ID" in facts
        if " on " in sentence:
            assert f"({local_zone_name()})" in sentence or "(zone not given by" in sentence
            assert not re.search(r"\d\d:\d\d\.\d", sentence)  # no milliseconds
    if tab.last_result is not None and tab.last_result.recordings:
        open_button = card.findChild(QPushButton, "callCardOpen")
        copy_button = card.findChild(QPushButton, "callCardCopy")
        assert open_button.isVisible() and copy_button.isVisible()
        copy_button.click()
        assert QApplication.clipboard().text() == tab.last_result.recordings[0].url


@pytest.fixture
def in_india(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The machine's zone is India's (no daylight saving: the expected text is fixed)."""
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_leadsquared_card_says_who_called_whom_how_long_and_how_it_ended(
    window, run_async, in_india
) -> None:
    tab = window.vendor_tabs["leadsquared"]
    window.tabs.setCurrentWidget(tab)
    tab.form.set_values(SAMPLES["leadsquared"])
    run_async(tab.start_lookup())
    sentence = tab.call_card.sentence.text()
    recordings = tab.recordings  # the vendor's name on screen, its key in a copy
    assert recordings.index(0, 0).data() == "LeadSquared"
    assert recordings.index(0, 0).data(CLIPBOARD_ROLE) == "leadsquared"
    # The vendor's 13:33:00 UTC, in the machine's zone, said once.
    assert sentence == (
        "8077128602 called 9399822316 on 2020-09-30 19:03:00 (Asia/Kolkata) for 0:24:57 — Answered."
    )
