"""Records to text: JSON, TSV and CSV, shared by the CLI and the UI's copy and export actions.

Cells a spreadsheet would run as a formula are neutralized in TSV and CSV.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

from desktop.core.attempts import summarize
from desktop.core.models import FieldRole, LookupResult
from desktop.core.redact import is_sensitive_name

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


def headers_of(rows: Sequence[Mapping[str, str]]) -> list[str]:
    """Every key of every row, in first-seen order (rows of one export may differ)."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


#: Tab and every character some reader ends a line at (str.splitlines' set): in a TSV cell
#: each becomes a space, so no value can add a column or a row.
_TSV_BREAKS = str.maketrans(dict.fromkeys("\t\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", " "))


def _tsv_cell(value: str) -> str:
    neutral = neutralize_cell(value)  # before flattening: the spaces must not hide a formula
    if not neutral.isprintable():  # rare (every break is unprintable): skip the work otherwise
        neutral = neutral.replace("\r\n", " ").translate(_TSV_BREAKS)
    return neutral


def tsv_line(cells: Sequence[str]) -> str:
    """One TSV line: tabs and line breaks inside cells become spaces, formulas neutralized."""
    return "\t".join(map(_tsv_cell, cells))


def tsv_from_lines(headers: Sequence[str], lines: Iterable[str]) -> str:
    return "\n".join([tsv_line(headers), *lines]) + "\n"


def tsv_from_matrix(headers: Sequence[str], matrix: Iterable[Sequence[str]]) -> str:
    """Tab-separated with a header row."""
    return tsv_from_lines(headers, map(tsv_line, matrix))


def _as_matrix(
    rows: Sequence[Mapping[str, str]], headers: Sequence[str] | None
) -> tuple[list[str], list[list[str]]]:
    columns = list(headers) if headers is not None else headers_of(rows)
    return columns, [[row.get(name, "") for name in columns] for row in rows]


def to_tsv(rows: Sequence[Mapping[str, str]], headers: Sequence[str] | None = None) -> str:
    return tsv_from_matrix(*_as_matrix(rows, headers))


_CSV_NEEDS_QUOTES = re.compile(r'[,"\r\n]')


def _csv_cell(value: str) -> str:
    """RFC 4180: a cell holding the delimiter, a quote, CR or LF is quoted, its quotes doubled.
    (The csv module quotes only the line terminator's characters: a lone CR went out bare.)"""
    neutral = neutralize_cell(value)
    if _CSV_NEEDS_QUOTES.search(neutral):
        return '"' + neutral.replace('"', '""') + '"'
    return neutral


def _csv_line(cells: Sequence[str]) -> str:
    line = ",".join(map(_csv_cell, cells))
    return '""' if len(cells) == 1 and not line else line  # one empty cell is not a blank line


def to_csv(rows: Sequence[Mapping[str, str]], headers: Sequence[str] | None = None) -> str:
    columns, matrix = _as_matrix(rows, headers)
    return "".join(_csv_line(cells) + "\n" for cells in [columns, *matrix])


def to_json(rows: Sequence[Mapping[str, str]]) -> str:
    return json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n"


def render(rows: Sequence[Mapping[str, str]], fmt: ExportFormat) -> str:
    if fmt == "json":
        return to_json(rows)
    if fmt == "tsv":
        return to_tsv(rows)
    return to_csv(rows)


_NEEDS_ESCAPE = re.compile(r"[&<>\"']")


def _escape(value: str) -> str:
    return html.escape(value) if _NEEDS_ESCAPE.search(value) else value


def html_from_matrix(headers: Sequence[str], matrix: Iterable[Sequence[str]]) -> str:
    """A real HTML table, every value escaped: a paste into mail or a document keeps its shape
    and no vendor text can become markup."""
    parts = ["<table><thead><tr><th>", "</th><th>".join(map(_escape, headers))]
    parts.append("</th></tr></thead><tbody>")
    for row in matrix:
        parts.append("<tr><td>")
        parts.append("</td><td>".join(map(_escape, row)))
        parts.append("</td></tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def to_html(rows: Sequence[Mapping[str, str]], headers: Sequence[str] | None = None) -> str:
    return html_from_matrix(*_as_matrix(rows, headers))


def to_markdown(rows: Sequence[Mapping[str, str]], headers: Sequence[str] | None = None) -> str:
    columns = list(headers) if headers is not None else headers_of(rows)

    def cell(value: str) -> str:
        flat = " ".join(value.split())  # line breaks would end the table row
        return flat.replace("\\", "\\\\").replace("|", "\\|")

    lines = [
        "| " + " | ".join(cell(name) for name in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    lines.extend("| " + " | ".join(cell(row.get(n, "")) for n in columns) + " |" for row in rows)
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


#: scheme:// (or //) and user information up to the last @ before the path: credentials.
_USER_INFO = re.compile(r"^((?:[A-Za-z][A-Za-z0-9+.-]*:)?//)[^/?#]*@")
#: ;name=value path parameters (Java servlets such as Verba's put ;jsessionid= there).
_PATH_PARAMETER = re.compile(r";([^/;=?#]*)=[^/;?#]*")
_PAIR_SEPARATOR = re.compile(r"([&;])")


def _masked_pairs(text: str) -> str:
    """name=value pairs (split at & and ;) with credential-like values masked, the others byte
    for byte."""
    pieces = _PAIR_SEPARATOR.split(text)
    for index in range(0, len(pieces), 2):  # odd indexes are the separators
        name, sep, _value = pieces[index].partition("=")
        if sep and is_sensitive_name(unquote(name)):
            pieces[index] = f"{name}=…"
    return "".join(pieces)


def _visible(text: str) -> str:
    """Spaces and invisible or direction-changing characters as %XX: none can hide or reorder
    what a link shows."""
    if text.isprintable() and " " not in text:  # nearly always: skip the work
        return text
    return "".join(quote(char, safe="") if _is_blank(char) else char for char in text)


def masked_url(url: str) -> str:
    """The link for display: user information, credential- and signature-like query, fragment
    and ;path parameters masked, hidden characters made visible. Never raises, even for a
    malformed link. The real URL is kept for copy and open."""
    base, hash_mark, fragment = url.partition("#")
    path, question_mark, query = base.partition("?")
    path = _USER_INFO.sub(r"\1…@", path)
    path = _PATH_PARAMETER.sub(
        lambda match: f";{match[1]}=…" if is_sensitive_name(unquote(match[1])) else match[0], path
    )
    masked = path + question_mark + _masked_pairs(query) + hash_mark + _masked_pairs(fragment)
    return _visible(masked)
