"""Records to text: JSON, TSV and CSV, shared by the CLI and the UI's copy and export actions.

Cells a spreadsheet would run as a formula are neutralized in TSV and CSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Literal

ExportFormat = Literal["json", "tsv", "csv"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("json", "tsv", "csv")

#: A leading character that makes Excel, LibreOffice or Sheets evaluate the cell.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: str) -> str:
    """Prefix a quote to a cell a spreadsheet would run as a formula (OWASP CSV injection)."""
    return "'" + value if value.startswith(_FORMULA_TRIGGERS) else value


def headers_of(rows: Sequence[Mapping[str, str]]) -> list[str]:
    """Every key of every row, in first-seen order (rows of one export may differ)."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def to_tsv(rows: Sequence[Mapping[str, str]], headers: Sequence[str] | None = None) -> str:
    """Tab-separated with a header row; tabs and line breaks inside cells become spaces."""
    columns = list(headers) if headers is not None else headers_of(rows)

    def cell(value: str) -> str:
        flat = value.replace("\t", " ").replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        return neutralize_cell(flat)

    lines = ["\t".join(cell(name) for name in columns)]
    lines.extend("\t".join(cell(row.get(name, "")) for name in columns) for row in rows)
    return "\n".join(lines) + "\n"


def to_csv(rows: Sequence[Mapping[str, str]], headers: Sequence[str] | None = None) -> str:
    columns = list(headers) if headers is not None else headers_of(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralize_cell(name) for name in columns])
    for row in rows:
        writer.writerow([neutralize_cell(row.get(name, "")) for name in columns])
    return buffer.getvalue()


def to_json(rows: Sequence[Mapping[str, str]]) -> str:
    return json.dumps(list(rows), indent=2, ensure_ascii=False) + "\n"


def render(rows: Sequence[Mapping[str, str]], fmt: ExportFormat) -> str:
    if fmt == "json":
        return to_json(rows)
    if fmt == "tsv":
        return to_tsv(rows)
    return to_csv(rows)
