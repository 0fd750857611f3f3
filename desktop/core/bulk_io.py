"""Columns of IDs in, typed spreadsheets out, for bulk lookups (Qt-free).

A column comes pasted from a spreadsheet (tab- or comma-separated, with or without a header,
Excel's CRLF line ends) or from a CSV, TSV, XLSX or ODS file. Values are cleaned as search
everywhere cleans a paste (spaces and surrounding quotes go); blank cells are skipped and each ID
is kept once, in first-seen order.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from desktop.core.errors import InvalidInputError
from desktop.core.timefmt import parse_time

#: File types a column can be read from, by suffix.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
#: Cells read to guess a text file's separator.
_SNIFF_CHARACTERS = 8192


def clean_cell(raw: object) -> str:
    """A cell as an ID: surrounding blanks and quotes (straight and typographic) removed.
    A whole number a spreadsheet stored as a float (1234.0) is written back as 1234."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = "" if raw is None else str(raw)
    return text.strip().strip("\"'“”‘’").strip()


def _is_header_row(first: Sequence[str], rest: Iterable[Sequence[str]]) -> bool:
    """A first row is a header when none of its cells holds a digit while some cell below does:
    IDs, numbers and extensions carry digits, column names ('RequestId', 'Call ID') do not."""
    if not any(first) or any(any(char.isdigit() for char in cell) for cell in first):
        return False
    return any(any(char.isdigit() for char in cell) for row in rest for cell in row)


@dataclass(frozen=True)
class Table:
    """Rows of cleaned cells with the column names (from the header, else 'Column N')."""

    columns: list[str]
    rows: list[list[str]]
    has_header: bool

    @classmethod
    def of(cls, rows: Iterable[Sequence[object]]) -> Table:
        cleaned = [[clean_cell(cell) for cell in row] for row in rows]
        cleaned = [row for row in cleaned if any(row)]  # blank lines go
        width = max((len(row) for row in cleaned), default=0)
        has_header = bool(cleaned) and _is_header_row(cleaned[0], cleaned[1:])
        if has_header:
            names = cleaned.pop(0)
            columns = [names[i] if i < len(names) and names[i] else f"Column {i + 1}"
                       for i in range(width)]  # fmt: skip
        else:
            columns = [f"Column {i + 1}" for i in range(width)]
        return cls(columns, cleaned, has_header)

    def column_index(self, name: str | None, preferred: Sequence[str] = ()) -> int:
        """The column called ``name`` (a header, case-insensitive, or its 1-based number);
        without a name the first whose header is one of ``preferred``, else the first column.
        InvalidInputError when there is no such column."""
        if not self.columns:
            raise InvalidInputError("There is no ID in the input.")
        folded = [column.casefold() for column in self.columns]
        if name is None:
            wanted = {item.casefold() for item in preferred}
            return next((i for i, column in enumerate(folded) if column in wanted), 0)
        if name.casefold() in folded:
            return folded.index(name.casefold())
        if name.isdigit() and 1 <= int(name) <= len(self.columns):
            return int(name) - 1
        raise InvalidInputError(
            f"No column '{name}' (columns: {', '.join(self.columns)}).", field="column"
        )

    def ids(self, column: int) -> list[str]:
        """The column's non-blank values, each once, in first-seen order."""
        unique: dict[str, None] = {}
        for row in self.rows:
            if column < len(row) and row[column]:
                unique.setdefault(row[column], None)
        return list(unique)


def _delimiter(sample: str) -> str:
    """Tab when the text has one (a spreadsheet's copy), else what csv's sniffer finds among
    comma and semicolon, else comma."""
    if "\t" in sample:
        return "\t"
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;").delimiter
    except csv.Error:
        return ","


def parse_text(text: str) -> Table:
    """A pasted block or a CSV/TSV file's text (any line ends, CRLF included)."""
    text = text.removeprefix("\ufeff")  # Excel's UTF-8 CSV starts with a byte order mark
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(text[:_SNIFF_CHARACTERS])
    )
    try:
        return Table.of(reader)
    except csv.Error as error:
        raise InvalidInputError(f"The text is not readable as CSV: {error}.") from error


def parse_lines(lines: Iterable[str]) -> Table:
    """One ID a line (standard input): no separators, no header guessing."""
    return Table.of([line] for line in lines)


def read_table(path: Path) -> Table:
    """A CSV, TSV or text file, or the first sheet of an XLSX, XLS or ODS workbook.
    InvalidInputError for a file that is missing or cannot be read."""
    suffix = path.suffix.lower()
    try:
        if suffix in SPREADSHEET_SUFFIXES:
            return _read_workbook(path)
        return parse_text(path.read_text(encoding="utf-8-sig", errors="strict"))
    except UnicodeDecodeError as error:
        raise InvalidInputError(f"{path} is not UTF-8 text ({error.reason}).") from error
    except OSError as error:
        raise InvalidInputError(f"Cannot read {path}: {error.strerror or error}.") from error


def _read_workbook(path: Path) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        try:
            sheet = workbook.get_sheet_by_index(0)
            return Table.of(sheet.iter_rows())
        finally:
            workbook.close()
    except (CalamineError, ValueError) as error:
        raise InvalidInputError(f"{path} is not a readable spreadsheet: {error}.") from error


# -- typed spreadsheet out --------------------------------------------------------------------
def cell_text(value: object) -> str:
    """A typed value as text for CSV and TSV: JSON words for booleans and null-free empties,
    JSON for nested objects, numbers as Python writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_xlsx(path: Path, columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> None:
    """An XLSX file with typed cells: text stays text (IDs and phone numbers are never turned
    into numbers), numbers are numbers, booleans booleans, ISO 8601 times are date-times
    (UTC when the value had an offset; as written when it had none)."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_numbers": False,
                    "strings_to_formulas": False, "strings_to_urls": False}
    )  # fmt: skip
    try:
        sheet = workbook.add_worksheet("Results")
        bold = workbook.add_format({"bold": True})
        when = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        sheet.write_row(0, 0, list(columns), bold)
        for row_number, row in enumerate(rows, start=1):
            for column_number, name in enumerate(columns):
                _write_cell(sheet, row_number, column_number, row.get(name), when)
        sheet.freeze_panes(1, 0)
    finally:
        workbook.close()


def _write_cell(sheet: object, row: int, column: int, value: object, when: object) -> None:
    from xlsxwriter.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, column, value)
    elif isinstance(value, (datetime, date, time)):
        sheet.write_datetime(row, column, _naive(value), when)
    elif isinstance(value, str):
        moment = parse_time(value) if _looks_like_time(value) else None
        if moment is not None:
            sheet.write_datetime(row, column, _naive(moment), when)
        else:
            sheet.write_string(row, column, value)
    else:
        sheet.write_string(row, column, cell_text(value))


def _looks_like_time(value: str) -> bool:
    """'2026-11-20T09:15:00Z' or '2026-11-20 09:15:00': a date, then a time."""
    return len(value) >= 16 and value[4:5] == "-" and value[7:8] == "-" and value[13:14] == ":"


def _naive(value: datetime | date | time) -> datetime | date | time:
    """Spreadsheets hold no zones: an aware time is written in UTC."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        from datetime import UTC

        return value.astimezone(UTC).replace(tzinfo=None)
    return value
