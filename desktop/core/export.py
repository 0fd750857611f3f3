"""Records to text: JSON, TSV and CSV, shared by the CLI and the UI's copy and export actions.

Cells a spreadsheet would run as a formula are neutralized in TSV and CSV.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from itertools import chain, repeat
from operator import add, attrgetter, sub, truediv
from typing import Literal, cast
from urllib.parse import quote, urlsplit

from pydantic import JsonValue

from desktop.core.attempts import summarize
from desktop.core.models import FieldRole, LookupResult
from desktop.core.redact import DISPLAY_MASK, mask_url

ExportFormat = Literal["json", "tsv", "csv"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("json", "tsv", "csv")

#: Characters that make Excel, LibreOffice or Sheets evaluate a cell they start, as they are
#: or after NFKC: the full-width (U+FF1D, U+FF0B, U+FF0D, U+FF20) and small (U+FE66, U+FE62,
#: U+FE63, U+FE6B) forms of = + - @ count as them.
_FORMULA_TRIGGERS = frozenset("=+-@")
#: A cell starting with these is quoted whatever follows (OWASP CSV injection).
_LEADING_CONTROLS = ("\t", "\r")


def _is_blank(char: str) -> bool:
    """Whitespace or an invisible control/format character a spreadsheet may skip."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def _runs_as_formula(value: str) -> bool:
    if value[:1].isalnum():  # most cells: a letter or digit first is never a formula
        return False
    if value.startswith(_LEADING_CONTROLS):
        return True
    for char in value:  # spreadsheets skip leading blanks: look at the first visible character
        if char in _FORMULA_TRIGGERS or unicodedata.normalize("NFKC", char) in _FORMULA_TRIGGERS:
            return True
        if not _is_blank(char):
            return False
    return False


def neutralize_cell(value: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula (OWASP CSV injection),
    including one hidden behind leading blanks or written with full-width signs. Signed numbers
    (-12, +4930123) are quoted too: '-2+3' and '+1-555' are formulas, and the quote keeps the
    value readable as text."""
    return "'" + value if _runs_as_formula(value) else value


#: One exported row: the vendor's field names with typed values (str, number, bool, null, or a
#: decoded object), as ``LookupResult.records()`` gives them.
Row = Mapping[str, JsonValue]


def headers_of(rows: Sequence[Mapping[str, object]]) -> list[str]:
    """Every key of every row, in first-seen order (rows of one export may differ)."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def value_text(value: JsonValue) -> str:
    """A typed value as one CSV/TSV cell: numbers plain (a spreadsheet sums them), booleans
    true/false, null empty, text as it is, objects and lists as compact JSON text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _safe_text(value: JsonValue) -> str:
    """Cell text with formulas neutralized. Only text can hold one: a number, boolean or JSON
    object never starts with = + or @, and a negative number is the number it says."""
    return neutralize_cell(value) if isinstance(value, str) else value_text(value)


#: Tab and every character some reader ends a line at (str.splitlines' set): in a TSV cell
#: each becomes a space, so no value can add a column or a row.
_TSV_BREAKS = str.maketrans(dict.fromkeys("\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", " "))


def _flat(text: str) -> str:
    if not text.isprintable():  # rare (every break is unprintable): skip the work otherwise
        text = text.replace("\r\n", " ").translate(_TSV_BREAKS)
    return text


def _tsv_cell(value: JsonValue) -> str:
    return _flat(_safe_text(value))  # neutralized first: the spaces must not hide a formula


def tsv_line(cells: Sequence[JsonValue]) -> str:
    """One TSV line: tabs and line breaks inside cells become spaces, formulas neutralized."""
    return "\t".join(map(_tsv_cell, cells))


def tsv_from_lines(headers: Sequence[str], lines: Iterable[str]) -> str:
    return "\n".join([tsv_line(headers), *lines]) + "\n"


def tsv_from_matrix(headers: Sequence[str], matrix: Iterable[Sequence[JsonValue]]) -> str:
    """Tab-separated with a header row."""
    return tsv_from_lines(headers, map(tsv_line, matrix))


def _as_matrix(
    rows: Sequence[Row], headers: Sequence[str] | None
) -> tuple[list[str], list[list[JsonValue]]]:
    columns = list(headers) if headers is not None else headers_of(rows)
    return columns, [[row.get(name) for name in columns] for row in rows]


def to_tsv(rows: Sequence[Row], headers: Sequence[str] | None = None) -> str:
    return tsv_from_matrix(*_as_matrix(rows, headers))


#: ';' too: spreadsheets in locales whose decimal mark is a comma (de, fr, ...) split CSV at
#: semicolons, so a bare 'a;=1+1' would become a cell 'a' and a formula cell '=1+1'.
_CSV_NEEDS_QUOTES = re.compile(r'[,;"\r\n]')


def _after_semicolons_neutralized(text: str) -> str:
    """A reader splitting at ';' starts a cell after every ';' (LibreOffice does so inside a
    quoted cell too when its closing quote is followed by ',' rather than ';'): each such
    piece that would run as a formula gets its quote as well."""
    if ";" not in text:
        return text
    head, *pieces = text.split(";")
    return ";".join([head, *map(neutralize_cell, pieces)])


def _csv_cell(value: JsonValue) -> str:
    """RFC 4180: a cell holding a delimiter (',' or ';'), a quote, CR or LF is quoted, its quotes
    doubled. (The csv module quotes only the line terminator's characters: a lone CR went out
    bare.)"""
    neutral = _after_semicolons_neutralized(_safe_text(value))
    if _CSV_NEEDS_QUOTES.search(neutral):
        return '"' + neutral.replace('"', '""') + '"'
    return neutral


def _csv_line(cells: Sequence[JsonValue]) -> str:
    line = ",".join(map(_csv_cell, cells))
    return '""' if len(cells) == 1 and not line else line  # one empty cell is not a blank line


def to_csv(rows: Sequence[Row], headers: Sequence[str] | None = None) -> str:
    columns, matrix = _as_matrix(rows, headers)
    lines = [_csv_line(columns), *map(_csv_line, matrix)]
    return "".join(line + "\n" for line in lines)


def to_json(rows: Sequence[Row]) -> str:
    return json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n"


def render(rows: Sequence[Row], fmt: ExportFormat) -> str:
    """JSON keeps every type; CSV and TSV carry values (see ``value_text``), formulas
    neutralized."""
    if fmt == "json":
        return to_json(rows)
    if fmt == "tsv":
        return to_tsv(rows)
    return to_csv(rows)


_NEEDS_ESCAPE = re.compile(r"[&<>\"']")


def _escape(value: str) -> str:
    return html.escape(value) if _NEEDS_ESCAPE.search(value) else value


# -- the clipboard: cells a spreadsheet pastes as the values they are ----------------------------
#: A clipboard cell: text, a number in the unit its column header names, a yes/no, a moment
#: (an aware datetime, pasted as local wall time), or nothing.
CopyValue = str | int | float | bool | datetime | None

#: Text a spreadsheet would read as a number, date, time, percentage or truth value when pasted
#: (a phone number '+15550100003', an ID '0042', '2026-11-20', '12:30', 'TRUE').
_READ_AS_VALUE = re.compile(
    r"\s*[+-]?(?:[$€£¥]\s*)?(?:\d[\d\s.,:/-]*(?:[eE][+-]?\d+)?\s*%?|\.\d+)\s*|true|false",
    re.IGNORECASE,
)
#: Number-like text a spreadsheet shows unchanged as a number (digits, no leading zero, at most
#: 15 of them): left bare, so a paste elsewhere carries no hidden character.
_SHOWN_THE_SAME = re.compile(r"0|[1-9]\d{0,14}")
#: A leading sign with only digits and phone punctuation: a formula in Excel ('+1-555' is
#: -554) but with no letters it cannot call anything, so the invisible marker suffices.
_SIGNED_DIGITS = re.compile(r"[+-][\d\s().\-/]+")
#: U+2060 WORD JOINER: invisible, and text that starts with it is no number and no formula to
#: LibreOffice or Excel, so '+15550100003' pastes as that text with no visible apostrophe.
TEXT_MARKER = "\u2060"


def _wall_time(moment: datetime) -> datetime:
    """The moment in the machine's zone without the offset: the header names the zone."""
    return moment.astimezone().replace(tzinfo=None)


def _wall_texts(walls: Iterable[datetime]) -> list[str]:
    """Wall times as spreadsheets read a date and time: 'YYYY-MM-DD hh:mm:ss'."""
    return list(map(datetime.isoformat, walls, repeat(" "), repeat("seconds")))


def _number_text(value: float) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else repr(value)


def copy_text(value: CopyValue) -> str:
    """A clipboard cell's visible text: numbers plain, dates 'YYYY-MM-DD hh:mm:ss' (what
    spreadsheets read as a date and time), truth values TRUE/FALSE."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return _wall_texts([_wall_time(value)])[0]
    if isinstance(value, (int, float)):
        return _number_text(value)
    return value


def _copy_tsv_cell(value: CopyValue) -> str:
    if not isinstance(value, str):
        return copy_text(value)
    if _runs_as_formula(value) and not _SIGNED_DIGITS.fullmatch(value):
        return _flat(neutralize_cell(value))  # a visible quote: a real formula stays inert
    if _SIGNED_DIGITS.fullmatch(value) or (
        _READ_AS_VALUE.fullmatch(value) and not _SHOWN_THE_SAME.fullmatch(value)
    ):
        return _flat(TEXT_MARKER + value)
    return _flat(value)


#: Text that pastes as itself: printable ASCII led by a letter or digit (no formula, no sign)
#: holding a letter that no number, date or truth value has (IDs, names, statuses).
_PLAIN_TEXT = re.compile(r"(?!(?i:true|false)\Z)(?=[ -~]*[a-df-zA-DF-Z])[0-9A-Za-z][ -~]*")


def _tsv_cells(values: Iterable[CopyValue]) -> list[str]:
    """``_copy_tsv_cell`` of each value, plain text told by one regular expression."""
    return [
        value if type(value) is str and _PLAIN_TEXT.fullmatch(value) else _copy_tsv_cell(value)
        for value in values
    ]


def copy_tsv_line(cells: Sequence[CopyValue]) -> str:
    """One clipboard TSV line: numbers, dates and truth values as spreadsheets read them; text
    that would turn into a number or date (phone numbers, IDs with a leading + or 0) behind an
    invisible marker, formulas behind a quote; tabs and line breaks become spaces."""
    return "\t".join(map(_copy_tsv_cell, cells))


#: Days from LibreOffice's and Excel's day zero (1899-12-30) to the Unix epoch.
_SERIAL_EPOCH = datetime(1899, 12, 30)
_TEXT_CELL = '<td style="mso-number-format:\'\\@\'" sdnum="1033;0;@">'
_DATE_FORMAT = (
    'style="mso-number-format:\'yyyy\\-mm\\-dd\\ hh\\:mm\\:ss\'" sdnum="1033;0;YYYY-MM-DD HH:MM:SS"'
)


#: A clipboard cell's value other than a moment (bool and int are floats to the type checker).
_PlainValue = str | float | None


def _copy_html_cell(value: _PlainValue) -> str:
    """One <td>: text carries the text format of Excel (mso-number-format:'\\@') and of
    LibreOffice (sdnum '@'), so nothing in it becomes a number or runs as a formula; numbers
    and truth values carry their value (sdval, x:num: the same in every locale)."""
    if value is None:
        return "<td></td>"
    if isinstance(value, str):
        return _TEXT_CELL + _escape(value) + "</td>"
    text = copy_text(value)
    if isinstance(value, bool):
        number = "1" if value else "0"
        return f'<td sdval="{number}" sdnum="1033;0;BOOLEAN" x:bool="{text}">{text}</td>'
    return f'<td sdval="{text}" sdnum="1033;0;General" x:num="{text}">{text}</td>'


_MOMENT_CELL_PARTS = ('<td sdval="', '" x:num="', '" ' + _DATE_FORMAT + ">", "</td>")


def _wall_cells(walls: Sequence[datetime]) -> tuple[list[str], list[str]]:
    """The TSV and HTML cells of wall times; an HTML cell holds the date serial (days since
    1899-12-30) a spreadsheet keeps for the moment."""
    texts = _wall_texts(walls)
    days = map(timedelta.total_seconds, map(sub, walls, repeat(_SERIAL_EPOCH)))
    serials = list(map(repr, map(truediv, days, repeat(86400))))
    before, between, after, end = map(repeat, _MOMENT_CELL_PARTS)
    parts = zip(before, serials, between, serials, after, texts, end, strict=False)
    return texts, list(map("".join, parts))


def _moment_cells(moment: datetime) -> tuple[str, str]:
    """A moment's TSV and HTML cells, from its own conversion to wall time."""
    [text], [cell] = _wall_cells([_wall_time(moment)])
    return text, cell


_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY, _HOUR, _SECOND = timedelta(days=1), timedelta(hours=1), timedelta(seconds=1)
_days_of = attrgetter("days")


def _wall_epoch(start: datetime, span: timedelta) -> datetime | None:
    """The Unix epoch's wall time at the machine zone's offset from ``start`` (UTC) for
    ``span``; None when the offset changes within it (its first and last second differ in
    offset) or a wall time there is out of range. A day hides no change made and undone: in
    the tz database a zone's offset changes are more than three days apart (the closest since
    1900: Africa/Freetown, 1939, 95.7 hours)."""
    last = start + span - _SECOND
    try:
        wall = _wall_time(start)
        if _wall_time(last) - wall == last - start:
            return wall - (start - _UNIX_EPOCH)
    except OverflowError:  # before year 1 or after 9999 in wall time
        pass
    return None


def _wall_times(moments: Sequence[datetime]) -> list[datetime]:
    """``_wall_time`` of each aware moment, the same to the microsecond (the conversion takes
    the offset of the moment's whole second in UTC): by the offset of its UTC day, looked up
    once a day; on a day the offset changes, of its hour, and in the hour of the change a
    moment is converted alone. TypeError if one is naive: it has no offset to go by."""
    since = list(map(sub, moments, repeat(_UNIX_EPOCH)))  # by each moment's offset, fold and all
    days = list(map(_days_of, since))
    day_epochs = {day: _wall_epoch(_UNIX_EPOCH + day * _DAY, _DAY) for day in dict.fromkeys(days)}
    epochs = list(map(day_epochs.__getitem__, days))
    if None not in day_epochs.values():
        return list(map(add, epochs, since))
    hour_epochs: dict[int, datetime | None] = {}
    walls = []
    for moment, offset, day_epoch in zip(moments, since, epochs, strict=True):
        epoch = day_epoch
        if epoch is None:
            hour = offset // _HOUR
            if hour not in hour_epochs:
                hour_epochs[hour] = _wall_epoch(_UNIX_EPOCH + hour * _HOUR, _HOUR)
            epoch = hour_epochs[hour]
        walls.append(_wall_time(moment) if epoch is None else epoch + offset)
    return walls


def _repeated_cells(values: Sequence[_PlainValue], kinds: set[type]) -> tuple[list[str], list[str]]:
    """The cells of values of ``kinds`` (no moments), each value worked out once: users, rules,
    statuses and costs repeat down a column. Where the column mixes types the type is part of
    the key: True, 1 and 1.0 are equal keys with other texts."""
    keys: Sequence[Hashable] = values
    if len(kinds - {type(None)}) > 1:
        keys = list(zip(map(type, values), values, strict=True))
    distinct = dict(zip(keys, values, strict=True))
    if len(distinct) == len(values):  # nothing repeats (IDs): nothing to look up
        return _tsv_cells(values), list(map(_copy_html_cell, values))
    tsv_of = dict(zip(distinct, _tsv_cells(distinct.values()), strict=True))
    html_of = dict(zip(distinct, map(_copy_html_cell, distinct.values()), strict=True))
    return list(map(tsv_of.__getitem__, keys)), list(map(html_of.__getitem__, keys))


def _column_cells(values: Sequence[CopyValue]) -> tuple[list[str], list[str]]:
    """The TSV and HTML cells of one column's values: each the cell ``copy_tsv_line`` and
    ``_copy_html_cell`` or ``_moment_cells`` make of it alone.

    Aware moments are converted together (``_wall_times``); naive ones (a vendor's clock
    reading without its zone) alone and never shared: equal ones may not read alike (a fold)."""
    kinds = set(map(type, values))
    if not any(issubclass(kind, datetime) for kind in kinds):
        return _repeated_cells(cast("Sequence[_PlainValue]", values), kinds)
    if kinds == {datetime}:  # all together when every one is aware
        try:
            return _wall_cells(_wall_times(cast("Sequence[datetime]", values)))
        except TypeError:  # can't subtract offset-naive and offset-aware datetimes: one by one
            pass
    tsv, html = [""] * len(values), [""] * len(values)
    moment_rows: list[int] = []
    aware: list[datetime] = []
    other_rows: list[int] = []
    others: list[_PlainValue] = []
    for row, value in enumerate(values):
        if type(value) is datetime and value.utcoffset() is not None:
            moment_rows.append(row)
            aware.append(value)
        elif isinstance(value, datetime):
            tsv[row], html[row] = _moment_cells(value)
        else:
            other_rows.append(row)
            others.append(value)
    for rows, (texts, cells) in (
        (moment_rows, _wall_cells(_wall_times(aware))),
        (other_rows, _repeated_cells(others, kinds)),
    ):
        for row, text, cell in zip(rows, texts, cells, strict=True):
            tsv[row], html[row] = text, cell
    return tsv, html


def _rows_text(columns: Sequence[list[str]], before: str, between: str, after: str) -> str:
    """The cells row by row, each row ``before`` its cells (``between`` them) ``after``:
    one join over the columns, not a string per row."""
    pieces: list[Iterable[str]] = [repeat(before)] if before else []
    for number, column in enumerate(columns):
        if number and between:
            pieces.append(repeat(between))
        pieces.append(column)
    pieces.append(repeat(after))
    return "".join(chain.from_iterable(zip(*pieces, strict=False)))  # to the columns' end


def copy_payload(headers: Sequence[str], columns: Sequence[Sequence[CopyValue]]) -> tuple[str, str]:
    """The clipboard's two forms of the same rows, given column by column (``columns[c][r]`` is
    row r's value under ``headers[c]``): text/plain, tab-separated with the header
    (``copy_tsv_line`` per row), and text/html, a real HTML table, every value escaped (a paste
    into mail or a document keeps its shape and no vendor text can become markup), each cell
    typed for spreadsheets.

    Made when copied rather than kept per row (100,000 loaded attempts would hold ~40 MB of
    copies), a column at a time (``_column_cells``)."""
    if not headers or len(columns) != len(headers):  # (no column: no row could end)
        raise ValueError(f"a copy needs a column per header: {len(headers)} for {len(columns)}")
    if len(set(map(len, columns))) > 1:
        raise ValueError("a copy's columns must have a value for every row")
    tsv_columns, html_columns = zip(*map(_column_cells, columns), strict=True)
    text = copy_tsv_line(headers) + "\n" + _rows_text(tsv_columns, "", "\t", "\n")
    head = "<table><thead><tr><th>" + "</th><th>".join(map(_escape, headers))
    body = _rows_text(html_columns, "<tr>", "", "</tr>")
    return text, "".join([head, "</th></tr></thead><tbody>", body, "</tbody></table>"])


def machine_value(value: CopyValue) -> JsonValue:
    """A clipboard cell for JSON and CSV: a moment as ISO 8601 with its offset."""
    return value.isoformat() if isinstance(value, datetime) else value


def to_markdown(rows: Sequence[Row], headers: Sequence[str] | None = None) -> str:
    columns = list(headers) if headers is not None else headers_of(rows)

    def cell(value: JsonValue) -> str:
        flat = " ".join(value_text(value).split())  # line breaks would end the table row
        return flat.replace("\\", "\\\\").replace("|", "\\|")

    lines = [
        "| " + " | ".join(cell(name) for name in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines.extend("| " + " | ".join(cell(row.get(n)) for n in columns) + " |" for row in rows)
    return "\n".join(lines) + "\n"


def summary_text(result: LookupResult) -> str:
    """A short block for a ticket: vendor, call ID, numbers, times, status, recording link."""
    lines = [f"{result.vendor} ({result.profile}): {result.summary}"]
    labels = {
        FieldRole.CALL_ID: "Call ID",
        FieldRole.CALLER: "From",
        FieldRole.CALLED: "To",
        FieldRole.STARTED: "Started",
        FieldRole.ENDED: "Ended",
        FieldRole.DURATION: "Duration",
        FieldRole.STATUS: "Status",
        FieldRole.DIRECTION: "Direction",
    }
    for call in result.calls:
        for role, label in labels.items():
            field = call.by_role(role)
            if field is not None and field.value:
                lines.append(f"{label}: {field.value}")
    if result.task is not None:
        lines.append(f"Task status: {result.task.status_text}")
    if result.attempts:
        figures = summarize(result.attempts)
        lines.append(figures.text())
    lines.extend(f"{link.label}: {link.url}" for link in result.recordings)
    return "\n".join(lines) + "\n"


OPENABLE_SCHEMES = ("http", "https")


def openable_url(url: str) -> str | None:
    """Why this link must not be opened, or None when it is a plain http(s) link to a host.
    The exact string is checked: it is the one that is opened."""
    if not url.isprintable() or " " in url:
        return "The link contains spaces or invisible characters."
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError:
        return "The link is malformed."
    if parts.scheme.lower() not in OPENABLE_SCHEMES:
        shown = parts.scheme or "no"
        return f"Only http and https links are opened; this one has {shown} scheme."
    if not parts.hostname:
        return "The link has no host."
    if "@" in parts.netloc:  # user:password@ leaks in history; trusted.example@evil.example fools
        return "The link carries a user name or password; copy it if you trust it."
    return None


def _visible(text: str) -> str:
    """Spaces and invisible or direction-changing characters as %XX: none can hide or reorder
    what a link shows."""
    if text.isprintable() and " " not in text:  # nearly always: skip the work
        return text
    return "".join(quote(char, safe="") if _is_blank(char) else char for char in text)


def masked_url(url: str) -> str:
    """The link for display: credentials masked (see ``mask_url``), hidden characters made
    visible. Never raises, even for a malformed link. The real URL is kept for copy and open."""
    return _visible(mask_url(url, DISPLAY_MASK))
