"""Vendor times in, local times out: one place for parsing and displaying timestamps."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import StrEnum

_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
)


def parse_time(text: str | None, assume: tzinfo = UTC) -> datetime | None:
    """An aware datetime from an ISO-8601 or 'YYYY-MM-DD hh:mm:ss[.fff]' string, else None.

    Times without an offset are taken in ``assume`` (vendors document which zone they use)."""
    if not text or not isinstance(text, str):
        return None
    value = text.strip()
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for pattern in _FORMATS:
            try:
                parsed = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=assume)


def from_epoch_seconds(value: object) -> datetime | None:
    """Unix seconds (number or digit string) as an aware UTC datetime, else None."""
    try:
        seconds = float(str(value).strip())
        return datetime.fromtimestamp(seconds, UTC)
    except (ValueError, OverflowError, OSError):
        return None


_ZONES_BY_OFFSET: dict[int, timezone] = {}


def _local_zone(moment: datetime) -> timezone:
    """The machine's UTC offset at that moment (DST included), as a reusable tzinfo.

    Not ``astimezone()`` without an argument: that looks the zone up again for every call,
    which dominated rendering 100,000 rows."""
    offset = time.localtime(moment.timestamp()).tm_gmtoff
    zone = _ZONES_BY_OFFSET.get(offset)
    if zone is None:
        zone = _ZONES_BY_OFFSET.setdefault(offset, timezone(timedelta(seconds=offset)))
    return zone


def local_text(moment: datetime) -> str:
    """The moment in the machine's local zone, e.g. '2020-09-30 19:03:00+05:30'."""
    return moment.astimezone(_local_zone(moment)).isoformat(" ", "seconds")


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


class TimeDisplay(StrEnum):
    """How a time is shown to people (the ``time_display`` setting)."""

    LOCAL = "local"
    UTC = "utc"
    #: The vendor's own text where it is kept (details rows); local time elsewhere.
    VENDOR = "vendor"


#: One choice for the whole process: the app sets it from Preferences, the CLI from the same
#: settings file, both before a lookup builds its display text.
_display = TimeDisplay.LOCAL


def set_time_display(choice: str) -> None:
    global _display  # noqa: PLW0603 - one display choice per process, like the settings file
    _display = TimeDisplay(choice)


def shown_time(moment: datetime, sent: str | None = None) -> str:
    """The moment as the user chose to see times: local (the default), UTC, or as the vendor
    wrote it (``sent``, when the caller has the vendor's text)."""
    if _display is TimeDisplay.UTC:
        return utc_text(moment)
    if _display is TimeDisplay.VENDOR and sent:
        return sent
    return local_text(moment)


def duration_text(seconds: float) -> str:
    """'1497 s (24 min 57 s)' style: the exact number first, a readable form after."""
    whole = int(seconds)
    exact = f"{seconds:g} s"
    if whole < 60:
        return exact
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    readable = f"{hours} h {minutes} min {secs} s" if hours else f"{minutes} min {secs} s"
    return f"{exact} ({readable})"
