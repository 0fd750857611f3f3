"""The OneUptime simulator's wire form of dates: the shortcut for UTC text gives exactly what
parsing the instant and writing it to the millisecond gives (OneUptime's serializer sends
``Date.toISOString()``: UTC, three fraction digits, "Z")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from desktop.simulator import oneuptime as sim


def _by_parsing(text: str) -> str:
    """The wire form the long way: the instant parsed, then written to the millisecond."""
    moment = sim._date_value(text)
    if not isinstance(moment, datetime):
        return text
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.mark.parametrize(
    ("stored", "sent"),
    [
        ("2026-11-20T09:00:45Z", "2026-11-20T09:00:45.000Z"),
        ("2026-11-20T09:00:45.123Z", "2026-11-20T09:00:45.123Z"),
        ("2026-11-20T09:00:45.123999Z", "2026-11-20T09:00:45.123Z"),  # cut, as toISOString
        ("2026-11-20T10:00:45+01:00", "2026-11-20T09:00:45.000Z"),
        ("2026-11-20T09:00:45", "2026-11-20T09:00:45.000Z"),  # no zone: UTC
        ("2026-11-20", "2026-11-20T00:00:00.000Z"),
        ("2026-11-20T09:00:45.1234Z", "2026-11-20T09:00:45.123Z"),
        ("2026-13-20T09:00:45Z", "2026-13-20T09:00:45Z"),  # no such month: sent as it is
        ("2026-02-30T09:00:45.000Z", "2026-02-30T09:00:45.000Z"),
        ("2026-11-20T24:00:45Z", "2026-11-20T24:00:45Z"),
        ("yesterday", "yesterday"),
    ],
)
def test_dates_go_as_oneuptime_serializes_them(stored: str, sent: str) -> None:
    assert sim._typed("startedAt", stored) == {"_type": "DateTime", "value": sent}
    assert _by_parsing(stored) == sent


def test_generated_attempts_dates_match_the_long_way() -> None:
    for index in [*range(0, sim.BUSY_WEEK_SIZE, 997), sim.BUSY_WEEK_SIZE - 1]:
        for make in (sim.busy_week_attempt, sim._large_call_attempt):
            item = make(index)
            for name in sim.DATE_FIELDS:
                assert sim.serialized(item)[name]["value"] == _by_parsing(item[name])
