"""Screens carry words and one time format: codes beside their meaning, times to the second in
the zone the user chose (local by default), that zone said once in the column header, durations
as h:mm:ss. Copies keep the vendor module's values. The machine's zone is fixed (Asia/Kolkata,
no daylight saving), so every expected text is a fixed string."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QTableView

from desktop.core.timefmt import TimeDisplay, set_time_display
from desktop.simulator import oneuptime as oneuptime_sim
from desktop.simulator.registry import all_vendor_simulators
from desktop.ui.attempts_view import AttemptsPanel
from desktop.ui.history_panel import labelled_params
from desktop.ui.table_models import CLIPBOARD_ROLE

SAMPLES = {sim.key: sim.demo.sample_inputs for sim in all_vendor_simulators()}
HEADER = Qt.Orientation.Horizontal
#: What no cell may show: an offset ('+05:30', '+00:00', 'Z') or milliseconds after a time.
ZONE_OR_MILLISECONDS = re.compile(r"\d\d:\d\d:\d\d(\.\d+|[+-]\d\d:\d\d|Z| UTC)")


@pytest.fixture
def in_india(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    yield
    set_time_display(TimeDisplay.LOCAL)
    monkeypatch.undo()
    time.tzset()


def _lookup(window, run_async, key: str, values: dict[str, str] | None = None):
    tab = window.vendor_tabs[key]
    window.tabs.setCurrentWidget(tab)
    tab.form.set_values(values or SAMPLES[key])
    run_async(tab.start_lookup())
    return tab


def _details(tab) -> tuple[str, dict[str, str], dict[str, str]]:
    """(Value column header, label -> shown text, label -> copied text)."""
    model = tab.findChild(QTableView, "detailsTable").model()
    shown, copied = {}, {}
    for row in range(model.rowCount()):
        label = str(model.index(row, 0).data())
        shown[label] = str(model.index(row, 1).data())
        copied[label] = str(model.index(row, 1).data(CLIPBOARD_ROLE))
    return str(model.headerData(1, HEADER)), shown, copied


def test_local_time_to_the_second_with_the_zone_once_in_the_header(
    window, run_async, in_india
) -> None:
    header, shown, copied = _details(_lookup(window, run_async, "leadsquared"))
    assert header == "Value (times: Asia/Kolkata)"
    # LeadSquared's 13:33:00 UTC (its connector documents UTC) is 19:03:00 in India.
    assert shown["Start time"] == "2020-09-30 19:03:00"
    assert shown["Call duration"] == "0:24:57"  # 1497 s
    assert not any(ZONE_OR_MILLISECONDS.search(text) for text in shown.values())
    assert copied["Start time"] == "2020-09-30 19:03:00+05:30"  # a copy keeps its zone


@pytest.mark.parametrize(
    ("choice", "header", "start"),
    [
        ("utc", "Value (times: UTC)", "2020-09-30 13:33:00"),
        # As sent: LeadSquared wrote 13:33:00 (UTC); the same format, no conversion.
        ("vendor", "Value (times: as the vendor sent)", "2020-09-30 13:33:00"),
    ],
)
def test_the_time_display_setting_is_honoured(
    window, run_async, in_india, choice, header, start
) -> None:
    set_time_display(choice)
    tab = _lookup(window, run_async, "leadsquared")
    shown_header, shown, _copied = _details(tab)
    assert (shown_header, shown["Start time"]) == (header, start)
    sentence = tab.call_card.sentence.text()
    assert f"on {start} (UTC)" in sentence  # the card: the same format, its zone said once


def test_attempt_times_name_the_zone_in_the_header_only(window, run_async, in_india) -> None:
    tab = _lookup(window, run_async, "oneuptime", {"incomingCallLogId": oneuptime_sim.CALL_250})
    panel = tab.attempts
    assert isinstance(panel, AttemptsPanel)
    model = panel.table.model()
    headers = [str(model.headerData(c, HEADER)) for c in range(model.columnCount())]
    assert headers[:2] == ["Started (Asia/Kolkata)", "Ended (Asia/Kolkata)"]
    # The demo call's first attempt starts 09:00:00 UTC: 14:30:00 in India.
    assert model.index(0, 0).data() == "2026-11-20 14:30:00"
    column = [str(model.index(row, 0).data()) for row in range(model.rowCount())]
    assert not any(ZONE_OR_MILLISECONDS.search(text) for text in column)
    set_time_display("utc")
    assert model.headerData(0, HEADER) == "Started (UTC)"
    assert model.index(0, 0).data() == "2026-11-20 09:00:00"


def test_verba_says_its_zone_is_unknown_once_and_gets_a_duration(
    window, run_async, in_india
) -> None:
    tab = _lookup(window, run_async, "verba")
    _header, shown, copied = _details(tab)
    # The demo logs in, so Verba answers in that user's zone, which it does not name.
    assert shown["Start time (zone not given)"] == "2026-11-20 09:15:02"  # no milliseconds
    assert copied["Start time (zone not given)"] == "2026-11-20 09:15:02.120"
    assert shown["Duration (end − start)"] == "0:06:46"
    assert shown["Direction"] == "2 — outgoing"
    assert shown["Audio codec"] == "8 — G.722 48K"
    card = tab.call_card.text()
    assert "on 2026-11-20 09:15:02 (zone not given by the vendor) for 0:06:46" in card
    assert "Direction: outgoing" in card


def test_codes_are_words_on_the_card_and_beside_their_meaning_in_details(
    window, run_async, in_india
) -> None:
    tab = _lookup(window, run_async, "huawei-isales")
    _header, shown, _copied = _details(tab)
    assert shown["Call result"] == "6 — succeeded"
    assert shown["Failure cause"] == "00000 — none (the call did not fail)"
    assert shown["Connected (zone not given)"] == "2022-02-10 11:45:47"
    sentence = tab.call_card.sentence.text()
    assert sentence.endswith("— succeeded.") and "6" not in sentence.split("—")[-1]
    aicc = _lookup(window, run_async, "huawei-aicc")
    assert _details(aicc)[1]["Call type"] == "0 — common incoming call"
    assert "common incoming call" in aicc.last_result.summary


def test_verba_status_choices_are_words_that_send_the_apis_value(window) -> None:
    tab = window.vendor_tabs["verba"]
    combo = tab.form.input("status")
    assert isinstance(combo, QComboBox)
    texts = [combo.itemText(index) for index in range(combo.count())]
    assert "ongoing or next call" in texts and "ongoing,next" not in texts
    tab.form.set_values({"extension": "8856", "status": "ongoing,next"})
    assert combo.currentText() == "ongoing or next call"
    assert tab.form.values()["status"] == "ongoing,next"


def test_history_parameters_are_labelled_words() -> None:
    text = labelled_params("verba", {"extension": "8856", "status": "ongoing,next",
                                     "details": "true"})  # fmt: skip
    assert text == "Extension: 8856 · Status: ongoing or next call · Details: yes"


def test_oneuptime_filters_read_as_words_and_send_the_apis_values(window) -> None:
    form = window.vendor_tabs["oneuptime"].form
    status, answered = form.input("status"), form.input("isAnswered")
    assert isinstance(status, QComboBox) and isinstance(answered, QComboBox)
    texts = [status.itemText(index) for index in range(status.count())]
    assert "No answer" in texts and "NoAnswer" not in texts
    form.set_values({"status": "NoAnswer", "isAnswered": "false"})
    assert (status.currentText(), answered.currentText()) == ("No answer", "not answered")
    assert (form.values()["status"], form.values()["isAnswered"]) == ("NoAnswer", "false")


def test_a_new_time_display_choice_shows_at_once(window, run_async, in_india) -> None:
    tab = _lookup(window, run_async, "leadsquared")
    assert "on 2020-09-30 19:03:00 (Asia/Kolkata)" in tab.call_card.sentence.text()
    dialog = window.open_preferences()
    dialog.times.setCurrentIndex(dialog.times.findData("utc"))
    assert dialog.save()
    header, shown, _copied = _details(tab)
    assert (header, shown["Start time"]) == ("Value (times: UTC)", "2020-09-30 13:33:00")
    assert "on 2020-09-30 13:33:00 (UTC)" in tab.call_card.sentence.text()


def test_a_details_table_without_times_names_no_zone(window, run_async, in_india) -> None:
    header, shown, _copied = _details(_lookup(window, run_async, "huawei-aicc"))
    assert header == "Value"
    assert shown["Media type"] == "1 — voice"


def test_an_attempt_is_named_in_words_and_the_screens_time_format(in_india) -> None:
    from datetime import UTC, datetime

    from desktop.core.models import EscalationAttempt
    from desktop.ui.attempt_dialogs import describe_attempt

    attempt = EscalationAttempt(
        vendor="oneuptime",
        attempt_id="a1",
        user_id="u1",
        status="NoAnswer",
        started_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )
    assert describe_attempt(attempt) == (
        "u1 rung at 2026-11-20 14:30:00 (Asia/Kolkata) — No answer, ID a1"
    )  # fmt: skip


def test_history_times_show_in_the_screens_format_and_copy_with_their_zone(in_india) -> None:
    from datetime import UTC, datetime
    from types import SimpleNamespace
    from typing import Any, cast

    from desktop.ui.history_panel import HISTORY_COLUMNS

    when = HISTORY_COLUMNS[0]
    entry = cast(Any, SimpleNamespace(at=datetime(2026, 11, 20, 9, tzinfo=UTC)))
    assert when.shown_header([entry]) == "When (Asia/Kolkata)"
    assert when.display(entry) == "2026-11-20 14:30:00"
    assert when.clipboard is not None and when.clipboard(entry) == "2026-11-20 14:30:00+05:30"
