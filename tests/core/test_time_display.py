"""The time display setting: local by default, UTC, or the vendor's own text, for screens and
text output alike; machine formats keep the vendor's value whatever the choice."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.settings import TIME_DISPLAY, Settings
from desktop.core.timefmt import (
    TimeDisplay,
    hms,
    local_text,
    local_zone_name,
    parse_clock,
    screen_time,
    set_time_display,
    shown_time,
    zone_caption,
    zone_of,
)
from desktop.vendors.base import time_field

MOMENT = datetime(2026, 11, 20, 9, 0, 5, tzinfo=UTC)


@pytest.fixture(autouse=True)
def restore_display() -> Iterator[None]:
    yield
    set_time_display(TimeDisplay.LOCAL)


def test_each_choice_shows_the_moment_its_way() -> None:
    assert shown_time(MOMENT, "2026-11-20T09:00:05Z") == local_text(MOMENT)
    set_time_display("utc")
    assert shown_time(MOMENT) == "2026-11-20 09:00:05 UTC"
    set_time_display("vendor")
    assert shown_time(MOMENT, "2026-11-20T09:00:05Z") == "2026-11-20T09:00:05Z"
    assert shown_time(MOMENT) == local_text(MOMENT)  # no vendor text kept: local time


def test_a_details_row_follows_the_choice_and_keeps_the_raw_value() -> None:
    set_time_display("utc")
    row = time_field("startedAt", "Started", "2026-11-20T10:00:05+01:00")
    assert row.value == "2026-11-20 09:00:05 UTC"
    assert row.raw == "2026-11-20T10:00:05+01:00"


def test_the_setting_is_declared_once_with_local_as_default(tmp_path) -> None:
    settings = Settings(tmp_path / "settings.json")
    assert settings.get(TIME_DISPLAY) == "local"
    settings.update({TIME_DISPLAY: "vendor"})
    assert Settings(tmp_path / "settings.json").get(TIME_DISPLAY) == "vendor"
    with pytest.raises(ValueError, match="one of"):
        settings.update({TIME_DISPLAY: "martian"})


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Set the machine's zone (TZ) for this test; the C library reads it again at once."""

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


def test_screens_write_every_moment_the_same_way_without_its_zone(zone) -> None:
    zone("Europe/Berlin")
    summer = datetime(2020, 9, 30, 13, 33, tzinfo=UTC)  # CEST, UTC+2, then
    assert screen_time(summer) == "2020-09-30 15:33:00"
    assert screen_time(MOMENT) == "2026-11-20 10:00:05"  # CET, UTC+1: each moment its own
    assert zone_caption() == "Europe/Berlin"
    set_time_display("utc")
    assert (screen_time(summer), zone_caption()) == ("2020-09-30 13:33:00", "UTC")
    # As sent: the moment in the offset the vendor wrote, in the same format (no milliseconds).
    set_time_display("vendor")
    sent = datetime.fromisoformat("2026-11-20T14:30:05.250+05:30")
    assert (screen_time(sent), zone_caption()) == ("2026-11-20 14:30:05", "as the vendor sent")
    assert zone_of(sent) == "UTC+05:30"


def test_a_time_in_a_zone_nobody_named_stays_the_vendors_clock_reading(zone) -> None:
    zone("Asia/Kolkata")
    reading = parse_clock("2026-11-20 09:15:02.120")
    assert reading == datetime(2026, 11, 20, 9, 15, 2, 120000)  # naive
    for choice in TimeDisplay:
        set_time_display(choice)
        assert screen_time(reading) == "2026-11-20 09:15:02"  # never converted
        assert zone_of(reading) == "zone not given by the vendor"


@pytest.mark.parametrize(
    ("setting", "name"),
    [
        ("America/New_York", "America/New_York"),
        (":/usr/share/zoneinfo/Asia/Kolkata", "Asia/Kolkata"),  # a path, as glibc allows
        ("UTC", "UTC"),
        ("EST5EDT", "EST/EDT"),  # a POSIX rule names no place: its abbreviations
    ],
)
def test_the_local_zone_is_named_as_the_system_says(zone, setting: str, name: str) -> None:
    zone(setting)
    assert local_zone_name() == name


def test_durations_read_as_hours_minutes_seconds() -> None:
    assert [hms(0), hms(45.4), hms(1497), hms(3600 * 26 + 61)] == [
        "0:00:00", "0:00:45", "0:24:57", "26:01:01"]  # fmt: skip


def test_a_details_time_survives_the_history_snapshot_as_it_was() -> None:
    """History keeps a result as JSON and shows it again: an aware moment stays aware, a
    naive one (zone not named) stays naive, so a reopened answer reads as the first time."""
    from desktop.core.models import CallRecord, DetailField, LookupResult

    naive = parse_clock("2026-11-20 09:15:02.120")
    fields = (DetailField(key="a", label="A", value="x", moment=MOMENT),
              DetailField(key="n", label="N", value="y", moment=naive, meaning="m"))  # fmt: skip
    result = LookupResult(vendor="v", profile="p", calls=[CallRecord(vendor="v", fields=fields)])
    again = LookupResult.model_validate_json(result.model_dump_json())
    assert [(f.moment, f.meaning) for f in again.calls[0].fields] == [(MOMENT, None), (naive, "m")]
    reread = again.calls[0].fields[1].moment
    assert reread is not None and reread.tzinfo is None


def _read_stripped(text: str) -> datetime | None:
    """``parse_clock`` as first written: the text stripped, then read as ISO (also with "Z"
    as "+00:00"), then by the fixed formats."""
    value = text.strip()
    for candidate in (value, value.replace("Z", "+00:00")):
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            continue
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%dT%H:%M:%S",
                    "%Y-%m-%dT%H:%M:%S.%f"):  # fmt: skip
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


_ISO_PIECES = st.sampled_from(
    ["2026-11-20", "T", " ", "09:03:45", ".000", ".123456", "Z", "+05:30", "-00:00", "z", "\t",
     "\n", "2026-11-20Z", "24:00:00", "0999-01-02", "T09", ":03", "x"]
)  # fmt: skip


@given(st.lists(_ISO_PIECES, max_size=6).map("".join) | st.text(max_size=30))
def test_reading_the_text_as_it_came_first_reads_what_stripping_first_read(text: str) -> None:
    """``parse_clock`` tries the text unstripped before anything else (200,000 dates a period
    load); a reading it finds must be the one the stripped text gave."""
    assert repr(parse_clock(text)) == repr(_read_stripped(text))  # offsets too
