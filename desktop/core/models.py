"""Normalized records: what every vendor's answer becomes before tables, export and history see it.

Each record keeps the vendor key and the vendor's raw payload, so the raw view and the JSON export
lose nothing that the vendor sent.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    JsonValue,
    StringConstraints,
)
from pydantic_core import CoreSchema, core_schema

from desktop.core.timefmt import screen_time


class FieldRole(StrEnum):
    """What a detail field means across vendors; the summary and search everywhere read these."""

    CALL_ID = "call_id"
    CALLER = "caller"
    CALLED = "called"
    STARTED = "started"
    ENDED = "ended"
    DURATION = "duration"
    STATUS = "status"
    DIRECTION = "direction"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DetailField(_Frozen):
    """One row of the call-details table: the vendor's field name, a label and a display value."""

    key: str
    label: str
    value: str
    raw: JsonValue = None
    role: FieldRole | None = None
    #: Extra text for the tooltip, e.g. the UTC time behind a local time or a code's raw value.
    note: str | None = None
    #: For a code: its meaning in words, as the vendor documents it ("succeeded" for 6), which
    #: the call card and summaries show instead of the code.
    meaning: str | None = None
    #: For a time: the moment, aware when the vendor's zone is known, naive when the vendor
    #: does not say which zone its clock text is in. Screens format it as the user chose.
    moment: datetime | None = None

    @property
    def words(self) -> str:
        """What people read: a code's meaning, else the value."""
        return self.meaning or self.value

    @property
    def screen_text(self) -> str:
        """The value as a table cell shows it: a time in the one screen format and the zone the
        user chose (which the column header says), else the vendor module's text."""
        return screen_time(self.moment) if self.moment is not None else self.value

    @property
    def zone_known(self) -> bool:
        """A time whose zone the vendor said (or documents)."""
        return self.moment is not None and self.moment.tzinfo is not None


#: One row of the machine formats (JSON, CSV, TSV, exports): the vendor's field names with
#: typed values, meanings in added ``<name>Meaning`` fields.
Record = dict[str, JsonValue]


class CallRecord(_Frozen):
    """One call (or call-log request) as a vendor describes it."""

    vendor: str
    call_id: str | None = None
    fields: tuple[DetailField, ...] = ()
    raw: JsonValue = None
    #: The vendor's fields for the machine formats, built by the vendor module from what it
    #: sent (see ``LookupResult.records``); empty when the module has none.
    values: Record = Field(default_factory=dict)

    def value(self, key: str) -> str | None:
        for field in self.fields:
            if field.key == key:
                return field.value
        return None

    def by_role(self, role: FieldRole) -> DetailField | None:
        for field in self.fields:
            if field.role is role:
                return field
        return None

    def duration_seconds(self) -> float | None:
        """How long the call lasted: the vendor's duration in seconds, else end minus start."""
        duration = self.by_role(FieldRole.DURATION)
        if duration is not None:
            try:
                return float(str(duration.raw if duration.raw is not None else duration.value))
            except ValueError:
                pass
        begin, end = self.by_role(FieldRole.STARTED), self.by_role(FieldRole.ENDED)
        first = begin.moment if begin is not None else None
        last = end.moment if end is not None else None
        # Two times in the same form (both zoned, or both in the vendor's unstated zone) subtract.
        if first is None or last is None or (first.tzinfo is None) != (last.tzinfo is None):
            return None
        return (last - first).total_seconds() if last >= first else None

    def record(self) -> Record:
        """The machine-format row: the vendor's typed values, or each field's raw value."""
        values = self.values or {field.key: field.raw for field in self.fields}
        return {"vendor": self.vendor, **values}


class RecordingLink(_Frozen):
    """A link to a call recording (or the recorder's page for the call)."""

    vendor: str
    call_id: str
    #: Without surrounding whitespace: the link checked before opening is the one opened.
    url: Annotated[str, StringConstraints(strip_whitespace=True)]
    label: str = "Recording"
    #: When a pre-signed link stops working (aware datetime), if the vendor says.
    expires_at: datetime | None = None

    def is_expired(self, now: datetime | None = None) -> bool:
        if self.expires_at is None:
            return False
        return self.expires_at <= (now or datetime.now(UTC))

    def record(self) -> Record:
        return {
            "vendor": self.vendor,
            "call_id": self.call_id,
            "label": self.label,
            "url": self.url,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }


class TaskState(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    PENDING = "pending"


class TaskStatus(_Frozen):
    """State of an asynchronous vendor request (LeadSquared's queued call-log posts)."""

    request_id: str
    state: TaskState
    #: The vendor's own status word, as it came ("Success", "In-Queue", "FAILURE", ...).
    status_text: str
    task_type: str | None = None
    reason: str | None = None
    current_step: str | None = None
    last_step: str | None = None


class AttemptOutcome(StrEnum):
    """What a vendor's attempt status means, so tables and summaries can mark it without
    knowing any vendor's status words."""

    ANSWERED = "answered"
    NOT_ANSWERED = "not answered"
    IN_PROGRESS = "in progress"


#: One copy of each value that repeats across attempts (call, user and rule IDs, phone
#: numbers, statuses), so 100,000 loaded attempts do not hold 100,000 copies of each. Bounded:
#: emptied when full (a copy made afterwards is only shared again from then on).
_SHARED: dict[str, str] = {}
_SHARED_LIMIT = 50_000


def shared_text(text: str | None) -> str | None:
    """``text``, or an equal string already held: for values that repeat across records."""
    if text is None:
        return None
    if len(_SHARED) >= _SHARED_LIMIT:
        _SHARED.clear()
    return _SHARED.setdefault(text, text)


#: One copy of each quantity that repeats across attempts (dial seconds, costs), bounded the
#: same way: a float is 24 bytes, and 100,000 attempts hold a few hundred distinct ones.
_SHARED_NUMBERS: dict[float, float] = {}


def shared_number(number: float | None) -> float | None:
    """``number``, or an equal float already held (-0.0 and NaN as they are: equal to 0.0,
    or to nothing)."""
    if number is None or not number or math.isnan(number):
        return number
    if len(_SHARED_NUMBERS) >= _SHARED_LIMIT:
        _SHARED_NUMBERS.clear()
    return _SHARED_NUMBERS.setdefault(number, number)


#: One copy of each tuple of field names of compact records (a vendor's items nearly always
#: carry the same fields in the same order). Bounded like ``_SHARED``.
_NAMES: dict[tuple[str, ...], tuple[str, ...]] = {}
_NAMES_LIMIT = 1_000


def javascript_time_text(moment: datetime) -> str:
    """``moment`` as JavaScript's ``Date.prototype.toISOString`` writes it: UTC, milliseconds,
    'Z' ("2026-11-20T09:03:45.000Z"), the form Node services such as OneUptime send."""
    # isoformat, not strftime: it pads years before 1000 to four digits as JavaScript does
    # (Linux's %Y does not), and it is C all the way (strftime imports a module per call,
    # which goes through PySide's import hook in the app: ~5 us a time, 8 per attempt read).
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.removesuffix("+00:00") + "Z"


def _readable(cell: JsonValue | datetime) -> JsonValue:
    return javascript_time_text(cell) if isinstance(cell, datetime) else cell


class CompactRecord(Mapping[str, JsonValue]):
    """A vendor's values for the machine formats, read-only, in about a third of a dict's
    memory: the field names are one tuple shared by every record with the same fields, the
    values a tuple aligned with it (100,000 loaded attempts each hold one).

    A value may be held as a datetime when the vendor wrote it as JavaScript's toISOString
    text (``javascript_time_text`` gives back exactly that text, which is what reading it
    returns): the record's own started/ended time is then the same object, not a second copy.
    Serializes as the plain dict, so history snapshots and exports keep their shape."""

    __slots__ = ("_cells", "_names")

    def __init__(self, values: Mapping[str, JsonValue | datetime] | None = None) -> None:
        values = values or {}
        names = tuple(values)
        if len(_NAMES) >= _NAMES_LIMIT:
            _NAMES.clear()
        self._names = _NAMES.setdefault(names, names)
        self._cells = tuple(values.values())

    def __getitem__(self, key: str) -> JsonValue:
        try:
            return _readable(self._cells[self._names.index(key)])
        except ValueError:
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)

    def held(self, key: str) -> JsonValue | datetime:
        """The value as held (a time may be its datetime); None when the field is absent."""
        return self._cells[self._names.index(key)] if key in self._names else None

    def __repr__(self) -> str:
        return f"CompactRecord({self.as_dict()!r})"

    def as_dict(self) -> Record:
        return dict(zip(self._names, map(_readable, self._cells), strict=True))

    def texts(self) -> Iterator[str]:
        """Every text among the values, as the machine formats write it (a nested value as
        JSON), for a secret check; times are moments, whose text is digits written here."""
        for cell in self._cells:
            if isinstance(cell, str):
                yield cell
            elif isinstance(cell, dict | list):
                yield json.dumps(cell, ensure_ascii=False)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls,
            handler.generate_schema(Record),
            serialization=core_schema.plain_serializer_function_ser_schema(cls.as_dict),
        )


@dataclasses.dataclass(frozen=True, slots=True)
class EscalationAttempt:
    """One ring of one user within an incoming call (an on-call escalation attempt).

    A slotted record, not a pydantic model, and without the vendor's raw JSON (``values`` has
    its fields, compactly; the raw view has the whole body): supervisors load 100,000 of them,
    and each costs under 600 bytes with its values (~5.5 KB as a pydantic model with a dict)."""

    vendor: str
    attempt_id: str
    incoming_call_log_id: str | None = None
    user_id: str | None = None
    user_phone_number: str | None = None
    escalation_rule_id: str | None = None
    status: str | None = None
    #: The meaning of ``status`` as the vendor module reads it; None for a word it does not know.
    outcome: AttemptOutcome | None = None
    status_message: str | None = None
    dial_duration_seconds: float | None = None
    cost_usd_cents: float | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    created_at: datetime | None = None
    is_answered: bool | None = None
    #: The vendor's fields for the machine formats, typed, its ID first (built by the vendor
    #: module; edit forms read their current values here).
    values: CompactRecord = dataclasses.field(default_factory=CompactRecord)

    def record(self) -> Record:
        """The machine-format row: the vendor's fields (its ID among them, first)."""
        return {"vendor": self.vendor, **self.values.as_dict()}

    def texts(self) -> Iterator[str]:
        """Every text the attempt holds (its fields' and its values'), for a secret check
        (``redact.redact_each``): one scan of a page's texts instead of a dump per attempt."""
        for name in _ATTEMPT_TEXT_FIELDS:
            text = getattr(self, name)
            if isinstance(text, str):
                yield text
        yield from self.values.texts()

    def as_row(self) -> dict[str, str]:
        """The attempt as display text under neutral names (the CLI's text output); ``record``
        has the vendor's values."""

        def text(value: object) -> str:
            if value is None:
                return ""
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, bool):
                return "yes" if value else "no"
            return str(value)

        return {
            "vendor": self.vendor,
            "attempt": self.attempt_id,
            "call": text(self.incoming_call_log_id),
            "started": text(self.started_at),
            "ended": text(self.ended_at),
            "user": text(self.user_id),
            "phone": text(self.user_phone_number),
            "rule": text(self.escalation_rule_id),
            "status": text(self.status),
            "message": text(self.status_message),
            "dial_seconds": text(self.dial_duration_seconds),
            "cost_usd_cents": text(self.cost_usd_cents),
            "answered": text(self.is_answered),
        }


#: The attempt's own fields that may hold text (its values are read by ``CompactRecord``).
_ATTEMPT_TEXT_FIELDS = tuple(
    field.name for field in dataclasses.fields(EscalationAttempt) if field.name != "values"
)


class LookupResult(BaseModel):
    """Everything one lookup found, normalized; the single input of tables, export and history."""

    model_config = ConfigDict(extra="forbid")

    vendor: str
    profile: str
    params: dict[str, str] = Field(default_factory=dict)
    #: One line for the status bar and history ("Call logged: 8077128602 -> 9399822316").
    summary: str = ""
    task: TaskStatus | None = None
    calls: list[CallRecord] = Field(default_factory=list)
    recordings: list[RecordingLink] = Field(default_factory=list)
    attempts: list[EscalationAttempt] = Field(default_factory=list)
    #: Total number of attempts the vendor holds for this query (may exceed ``len(attempts)``).
    attempts_total: int | None = None
    #: Things the user should know about this answer ("may stay queued for hours").
    notices: list[str] = Field(default_factory=list)
    #: The vendor's response bodies for the raw view, pretty-printed or compact JSON (which
    #: the view indents, see ``vendors.base.compact_json``). Never holds a secret.
    raw_text: str = ""
    #: How long the lookup took, set by the engine.
    elapsed_seconds: float | None = None

    def is_empty(self) -> bool:
        return not (self.calls or self.recordings or self.attempts or self.task)

    def records(self) -> list[Record]:
        """Rows for the machine formats (JSON, CSV, TSV, exports): the attempts if any, else
        one row per call (its recording link is one of the vendor's fields), else the links."""
        if self.attempts:
            return [attempt.record() for attempt in self.attempts]
        if self.calls:
            return [call.record() for call in self.calls]
        return [link.record() for link in self.recordings]
