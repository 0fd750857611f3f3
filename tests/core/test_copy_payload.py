"""The clipboard copy made a column at a time equals the copy made one value at a time.

``copy_payload`` renders each column at once (a value repeated down a column worked out once,
aware moments turned into wall time by the machine zone's offset per hour of UTC); the
definition it must keep is per value: ``copy_tsv_line`` for a TSV line and ``_copy_html_cell``
or ``_moment_cells`` (``datetime.astimezone``) for an HTML cell. Zones are set with TZ and
``time.tzset()`` for the test and restored after.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta, timezone
from itertools import cycle, islice
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.export import (
    CopyValue,
    _copy_html_cell,
    _moment_cells,
    _wall_time,
    _wall_times,
    copy_payload,
    copy_tsv_line,
)


@pytest.fixture
def machine_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Sets the machine's zone (TZ) for one test; ``time.tzset()`` makes datetime see it."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    try:
        yield set_zone
    finally:
        monkeypatch.undo()
        time.tzset()


def _reference_body(rows: Sequence[Sequence[CopyValue]]) -> str:
    def cell(value: CopyValue) -> str:
        return _moment_cells(value)[1] if isinstance(value, datetime) else _copy_html_cell(value)

    return "".join("<tr>" + "".join(map(cell, row)) + "</tr>" for row in rows)


def _assert_same_as_value_by_value(headers: list[str], rows: list[list[CopyValue]]) -> None:
    columns = [list(values) for values in zip(*rows, strict=True)]
    text, html = copy_payload(headers, columns)
    assert text.split("\n") == [copy_tsv_line(headers), *map(copy_tsv_line, rows), ""]
    body = html.split("<tbody>")[1]
    assert body == _reference_body(rows) + "</tbody></table>"


BERLIN = ZoneInfo("Europe/Berlin")
#: Columns of every kind a copy meets; cycled to 60 rows, so values repeat down each column at
#: other rows and lengths differ: each row meets another mix.
MIXED_COLUMNS: dict[str, Sequence[CopyValue]] = {
    "text": ["+15550100003", "0042", "=1+1", "-2+3", "+1-555", "Ana Ruiz", "a\tb\nc", "<b>&'",
             "8077128602", "1652268429538866153", "TRUE", "2026-11-20", "", " =cmd", "＝1",
             "x\u2028y", "12:30", "e5", "$ 4", None],
    "numbers": [True, 1, 1.0, False, 0, -0.0, 0.0, 0.04, 10**20, 1e16, 2.5e-07, float("inf"),
                float("nan"), -3, None],
    "moments": [datetime(2026, 11, 20, 9, 15, 2, tzinfo=UTC),
                datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN),
                datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1),
                datetime(2026, 3, 29, 2, 30),  # naive, in Berlin's gap: its fold decides
                datetime(2026, 3, 29, 2, 30, fold=1),
                datetime(2026, 10, 25, 2, 30, 0, 1),
                datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=5, minutes=30))),
                datetime(2026, 6, 1, 0, 0, 0, 999999, tzinfo=UTC),
                None, "no time", 7],
    "aware": [datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC) + timedelta(minutes=m)
              for m in (0, 1, 14, 15, 31)] + [datetime(2026, 10, 25, 2, 59, tzinfo=BERLIN)],
    "naive": [datetime(2026, 10, 25, 2, 30), datetime(2026, 10, 25, 2, 30, fold=1),
              datetime(2026, 3, 29, 2, 30), datetime(2026, 3, 29, 2, 30, fold=1)],
    "aware and naive": [datetime(2026, 3, 29, 1, 30, tzinfo=UTC), datetime(2026, 3, 29, 2, 30),
                        datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN, fold=1)],
    "strings alike": ["1", "+1555", "1", "0042"],
}  # fmt: skip


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "Australia/Lord_Howe"])
def test_a_column_wise_copy_is_the_copy_made_value_by_value(
    machine_zone: Callable[[str], None], zone: str
) -> None:
    machine_zone(zone)
    headers = [*MIXED_COLUMNS, "<th> & 'quoted'"]
    columns: list[Sequence[CopyValue]] = [*MIXED_COLUMNS.values(), ["last"]]
    rows = [list(row) for row in zip(*(islice(cycle(c), 60) for c in columns), strict=True)]
    _assert_same_as_value_by_value(headers, rows)
    # one row, and a column of moments only, every one aware: the quick way for all
    _assert_same_as_value_by_value(headers, rows[:1])
    _assert_same_as_value_by_value(headers[:1], [[text] for text in MIXED_COLUMNS["text"]])
    _assert_same_as_value_by_value(["aware"], [[moment] for moment in MIXED_COLUMNS["aware"]])


#: Characters that decide how text pastes: letters of truth values and exponents, digits,
#: signs, formula triggers, number punctuation, blanks and breaks, markup, the text marker.
_DECIDING = "aeEfFtTrRuUlLsSxX0129+-=@ .,:/%$€'\"<>&\t\n\r\u2060\u2028\xa0＝"
_TEXTS = st.text(st.sampled_from(_DECIDING) | st.characters(), max_size=10) | st.sampled_from(
    ["true", "FALSE", "True ", "1e5", "e5", "12:30", "0042", "+1-555", "abc", "Ab1-x", "x y"]
)


@given(st.lists(_TEXTS, min_size=1, max_size=16))
def test_text_pastes_the_same_however_the_column_is_made(texts: list[str]) -> None:
    """Text the copy recognizes as pasting as itself is exactly what the per-value rules keep
    unchanged; both a column of repeats and one of distinct values."""
    _assert_same_as_value_by_value(["text"], [[text] for text in texts])
    distinct = list(dict.fromkeys(texts))
    _assert_same_as_value_by_value(["text"], [[text] for text in distinct])


def test_equal_moments_that_read_differently_are_not_shared(
    machine_zone: Callable[[str], None],
) -> None:
    """Equal as Python keys, not alike: naive times in Berlin's gap with fold 0 and 1 on a
    machine in Berlin, and on a machine in UTC the two 02:30 of the night Berlin's summer time
    ends (in one zone, so equal though an hour apart)."""
    gap = datetime(2026, 3, 29, 2, 30)
    repeated = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
    for zone, first in (("Europe/Berlin", gap), ("UTC", repeated)):
        machine_zone(zone)
        second = first.replace(fold=1)
        assert first == second
        text, _html = copy_payload(["t"], [[first, second]])
        assert text.split("\n")[1:3] == [_moment_cells(first)[0], _moment_cells(second)[0]]
        assert _moment_cells(first) != _moment_cells(second)


def test_an_empty_copy_is_the_header_alone_and_headers_must_match_columns() -> None:
    text, html = copy_payload(["a", "b"], [[], []])
    assert text == "a\tb\n"
    assert html.endswith("</th></tr></thead><tbody></tbody></table>")
    with pytest.raises(ValueError, match="a column per header"):
        copy_payload(["a", "b"], [["x"]])
    with pytest.raises(ValueError, match="a value for every row"):
        copy_payload(["a", "b"], [["x", "y"], ["z"]])


def _transitions(year: int) -> list[datetime]:
    """The instants in ``year`` at which the machine zone's offset changes, to the second."""
    hour = timedelta(hours=1)

    def offset(moment: datetime) -> timedelta:
        return _wall_time(moment) - moment.replace(tzinfo=None)

    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        if offset(moment) != offset(moment + hour):
            low, high = moment, moment + hour  # the change is after low, at or before high
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle -= timedelta(microseconds=middle.microsecond)
                low, high = (low, middle) if offset(middle) != offset(low) else (middle, high)
            found.append(high)
        moment += hour
    return found


#: Zones and a year of UTC in which each changes its offset: summer time (Berlin; St John's at
#: -3:30; Lord Howe, whose shift is 30 minutes), Kathmandu's change from +5:30 to +5:45 (1986
#: there), Apia skipping 30 December 2011 (from -10 to +14); and changes off the hour of UTC:
#: Goose Bay's at 00:01 local time (1987-2010) and Monrovia's from -0:44:30 to UTC
#: (7 January 1972, 00:44:30 UTC).
ZONE_CHANGES = [("Europe/Berlin", 2026, 2), ("America/St_Johns", 2026, 2),
                ("Australia/Lord_Howe", 2026, 2), ("Asia/Kathmandu", 1985, 1),
                ("Pacific/Apia", 2011, 3), ("America/Goose_Bay", 2000, 2),
                ("Africa/Monrovia", 1972, 1)]  # fmt: skip


@pytest.mark.parametrize(("zone", "year", "changes"), ZONE_CHANGES)
def test_moments_turn_into_wall_time_as_astimezone_does_across_offset_changes(
    machine_zone: Callable[[str], None], zone: str, year: int, changes: int
) -> None:
    machine_zone(zone)
    transitions = _transitions(year)
    assert len(transitions) == changes  # the zone data the test relies on is there
    moments = []
    for change in transitions:  # every second from 20 minutes before to 20 after, and odd ones
        moments += [change + timedelta(seconds=s) for s in range(-1200, 1200)]
        moments += [change + timedelta(microseconds=m) for m in (-1, 1, 999_999, 1_000_001)]
        moments += [change + timedelta(seconds=s, microseconds=7) for s in range(-3600, 3600, 61)]
    summer = datetime(year, 7, 1, tzinfo=UTC)
    moments += [summer + timedelta(seconds=s) for s in range(0, 86400, 97)]
    in_zone = [moment.astimezone(ZoneInfo(zone)) for moment in moments]  # folds set in repeats
    for walls in (_wall_times(moments), _wall_times(in_zone)):
        assert walls == [_wall_time(moment) for moment in moments]


def test_a_span_out_of_range_in_wall_time_is_left_to_each_moment(
    machine_zone: Callable[[str], None],
) -> None:
    """London's offset in year 1 is its local mean time, -0:01:15: the first hour of
    0001-01-01 UTC starts before year 1 in wall time, so its moments convert one by one, a
    moment that fits as astimezone converts it, one that does not failing as it does."""
    machine_zone("Europe/London")
    early = datetime(1, 1, 1, 0, 5, tzinfo=UTC)
    assert _wall_times([early]) == [_wall_time(early)] == [datetime(1, 1, 1, 0, 3, 45)]
    with pytest.raises(OverflowError):
        _wall_times([datetime(1, 1, 1, 0, 1, tzinfo=UTC)])
