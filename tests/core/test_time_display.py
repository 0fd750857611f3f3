"""The time display setting: local by default, UTC, or the vendor's own text, for screens and
text output alike; machine formats keep the vendor's value whatever the choice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from desktop.core.settings import TIME_DISPLAY, Settings
from desktop.core.timefmt import TimeDisplay, local_text, set_time_display, shown_time
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
