"""Vendor times in, local times out: one place for parsing and displaying timestamps."""

from __future__ import annotations

import os
import re
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
    parsed = parse_clock(text)
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=assume)


def parse_clock(text: str | None) -> datetime | None:
    """Like ``parse_time``, but a time without an offset stays naive: a vendor's clock reading
    in a zone nobody named."""
    if not text or not isinstance(text, str):
        return None
    # The text as it came first, before any copy of it is made: Python reads "Z" itself, and
    # JavaScript's toISOString form ("2026-11-20T09:03:45.000Z") is most of what vendors send,
    # 200,000 times in a period. (fromisoformat refuses spaces around the text: what it reads
    # here, it reads alike stripped.)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    value = text.strip()
    # "+00:00" for "Z" still reads a date alone with its zone ("2026-11-20Z").
    for candidate in (value, value.replace("Z", "+00:00")):
        try:
            return datetime.fromisoformat(candidate)
        except ValueError:
            continue
    for pattern in _FORMATS:
        try:
            return datetime.strptime(value, pattern)
        except ValueError:
            continue
    return None


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


#: The one way screens write a moment, for every vendor: to the second, no zone in the text.
#: The zone is said once, in the column header or beside the call card's sentence.
SCREEN_FORMAT = "%Y-%m-%d %H:%M:%S"


def screen_time(moment: datetime) -> str:
    """The moment as the user chose to see times, in ``SCREEN_FORMAT``: in local time, in UTC,
    or in the offset the vendor sent it with. A naive moment (the vendor named no zone) is
    written as the vendor's clock read."""
    if moment.tzinfo is not None:
        if _display is TimeDisplay.UTC:
            moment = moment.astimezone(UTC)
        elif _display is TimeDisplay.LOCAL:
            moment = moment.astimezone(_local_zone(moment))
    return moment.strftime(SCREEN_FORMAT)


#: A zone name as the TZ variable or /etc/localtime spell it: 'Europe/Berlin', 'UTC'.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z_+\-]*(/[A-Za-z0-9_+\-]+)*")


def local_zone_name() -> str:
    """The machine's time zone by name ('Europe/Berlin') where the system says it, else its
    abbreviations ('CET/CEST')."""
    setting = os.environ.get("TZ")
    if setting is None:
        try:
            setting = os.readlink("/etc/localtime")
        except OSError:
            setting = ""
    name = setting.lstrip(":").rpartition("zoneinfo/")[2]
    if _ZONE_NAME.fullmatch(name) and ("/" in name or name in ("UTC", "GMT")):
        return name
    return "/".join(dict.fromkeys(time.tzname)) or "local time"


def offset_text(moment: datetime) -> str:
    """'UTC', 'UTC+05:30': the offset a moment carries."""
    offset = moment.utcoffset()
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


def zone_caption() -> str:
    """The zone of the times on screen, for a column header: said once, not in every cell."""
    if _display is TimeDisplay.UTC:
        return "UTC"
    if _display is TimeDisplay.VENDOR:
        return "as the vendor sent"
    return local_zone_name()


def zone_of(moment: datetime) -> str:
    """The zone ``screen_time`` wrote one moment in, for a sentence (the call card)."""
    if moment.tzinfo is None:
        return "zone not given by the vendor"
    if _display is TimeDisplay.VENDOR:
        return offset_text(moment)
    return zone_caption()


def hms(seconds: float) -> str:
    """A duration as h:mm:ss (0:24:57), the form people read at a glance."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
