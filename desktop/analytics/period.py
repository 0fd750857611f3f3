"""Periods in local time: presets, a custom range, and the CLI's DATE texts (a date alone covers
the whole day)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from desktop.core.errors import InvalidInputError


class Preset(StrEnum):
    TODAY = "today"
    YESTERDAY = "yesterday"
    LAST_7_DAYS = "last 7 days"
    LAST_30_DAYS = "last 30 days"
    CUSTOM = "custom range"


@dataclass(frozen=True)
class Period:
    """Attempts started from ``start`` to ``end``, both included (aware instants)."""

    start: datetime
    end: datetime

    def text(self) -> str:
        first, last = self.start.astimezone(), self.end.astimezone()
        if first.date() == last.date():
            return first.strftime("%a %Y-%m-%d")
        return f"{first:%a %Y-%m-%d} – {last:%a %Y-%m-%d}"


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min).astimezone()


def _day_end(day: date) -> datetime:
    return datetime.combine(day, time.max).astimezone()


def days(first: date, last: date) -> Period:
    """Whole local days, from the start of ``first`` to the end of ``last``."""
    if last < first:
        raise InvalidInputError("The period ends before it starts.", field="startedAtTo")
    return Period(_day_start(first), _day_end(last))


def preset_period(preset: Preset, today: date | None = None) -> Period:
    day = today or date.today()
    if preset is Preset.YESTERDAY:
        return days(day - timedelta(days=1), day - timedelta(days=1))
    if preset is Preset.LAST_7_DAYS:
        return days(day - timedelta(days=6), day)
    if preset is Preset.LAST_30_DAYS:
        return days(day - timedelta(days=29), day)
    return days(day, day)


_DATE_ONLY = re.compile(r"\d{4}-\d\d-\d\d")


def _moment(text: str, field: str, *, end: bool) -> datetime:
    text = text.strip()
    if _DATE_ONLY.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InvalidInputError(f"{text!r} is no date.", field=field) from None
        return _day_end(day) if end else _day_start(day)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(
            f"{text!r} is no date: use YYYY-MM-DD or ISO 8601 (2026-11-20T09:00:00Z).", field=field
        ) from None
    return moment if moment.tzinfo else moment.astimezone()  # naive: local time


def period_from_texts(start_text: str, end_text: str) -> Period:
    """The CLI's ``startedAtFrom=DATE startedAtTo=DATE``: a date alone is the whole local day;
    a time without an offset is local time."""
    start = _moment(start_text, "startedAtFrom", end=False)
    end = _moment(end_text, "startedAtTo", end=True)
    if end < start:
        raise InvalidInputError("startedAtTo is before startedAtFrom.", field="startedAtTo")
    return Period(start, end)
