"""Reading a column of IDs: pasted spreadsheet text, CSV/TSV files, XLSX and ODS workbooks; and
the typed XLSX a bulk run exports, read back with the same reader (python-calamine)."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from desktop.core.bulk_io import parse_lines, parse_text, read_table, write_xlsx
from desktop.core.errors import InvalidInputError

ID_A = "6697028b-01a1-4f71-9afc-7b4723eb9d02"
ID_B = "0f5b2c1e-7d4a-4e8b-9c3f-2a6d8e1b4c70"


def test_excel_copy_with_header_crlf_quotes_blank_lines_and_duplicates() -> None:
    pasted = f'RequestId\tNote\r\n"{ID_A}"\tfirst\r\n\r\n  {ID_B}  \tsecond\r\n{ID_A}\tagain\r\n'
    table = parse_text(pasted)
    assert table.has_header
    assert table.columns == ["RequestId", "Note"]
    assert table.ids(table.column_index(None, preferred=["requestid"])) == [ID_A, ID_B]
    assert table.ids(table.column_index("note")) == ["first", "second", "again"]
    assert table.ids(table.column_index("2")) == ["first", "second", "again"]


def test_a_column_without_header_keeps_its_first_value() -> None:
    table = parse_text(f"{ID_A}\n{ID_B}\n")
    assert not table.has_header
    assert table.columns == ["Column 1"]
    assert table.ids(0) == [ID_A, ID_B]


def test_csv_with_quoted_commas_and_semicolon_csv() -> None:
    table = parse_text(f'id,comment\n{ID_A},"a, b"\n{ID_B},"c"\n')
    assert table.ids(table.column_index("id")) == [ID_A, ID_B]
    assert table.ids(table.column_index("comment")) == ["a, b", "c"]
    semicolons = parse_text(f"id;comment\n{ID_A};x\n{ID_B};y\n")
    assert semicolons.columns == ["id", "comment"]
    assert semicolons.ids(0) == [ID_A, ID_B]


def test_typographic_quotes_and_a_byte_order_mark_go() -> None:
    table = parse_text(f"\ufeff“{ID_A}”\n‘{ID_B}’\n")
    assert table.ids(0) == [ID_A, ID_B]


def test_an_unknown_column_names_the_columns() -> None:
    table = parse_text(f"RequestId\n{ID_A}\n")
    with pytest.raises(InvalidInputError, match=r"No column 'CallId' \(columns: RequestId\)"):
        table.column_index("CallId")
    with pytest.raises(InvalidInputError, match="no ID"):
        parse_text("\n\n").column_index(None)


def test_standard_input_is_one_id_a_line() -> None:
    table = parse_lines([f"{ID_A}\n", "\n", f"{ID_A}\r\n", "Header, with comma\n"])
    assert table.ids(0) == [ID_A, "Header, with comma"]


def test_xlsx_column_with_numbers_stored_as_floats(tmp_path: Path) -> None:
    path = tmp_path / "ids.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, ["Call ID", "Agent"])
    sheet.write_row(1, 0, [ID_A, "ana"])
    sheet.write_number(2, 0, 1700000123)  # a call ID the spreadsheet holds as a number
    sheet.write_string(2, 1, "bo")
    sheet.write_row(4, 0, [ID_A, "dup"])
    workbook.close()
    table = read_table(path)
    assert table.columns == ["Call ID", "Agent"]
    assert table.ids(table.column_index("call id")) == [ID_A, "1700000123"]


def _minimal_ods(path: Path, rows: list[list[str]]) -> None:
    """The smallest ODS LibreOffice and calamine read: mimetype first and stored, a manifest,
    and content.xml with one table (OpenDocument 1.2, part 1, sections 3 and 9)."""
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    text = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    body = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{cell}</text:p>'
            "</table:table-cell>"
            for cell in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="{office}" '
        f'xmlns:table="{table}" xmlns:text="{text}" office:version="1.2"><office:body>'
        f'<office:spreadsheet><table:table table:name="Sheet1">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"),
            "application/vnd.oasis.opendocument.spreadsheet",
            compress_type=zipfile.ZIP_STORED,
        )
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)


def test_ods_column(tmp_path: Path) -> None:
    path = tmp_path / "ids.ods"
    _minimal_ods(path, [["Agent", "RequestId"], ["ana", f'"{ID_A}"'], ["bo", ID_B]])
    table = read_table(path)
    assert table.columns == ["Agent", "RequestId"]
    assert table.ids(table.column_index(None, preferred=["RequestId"])) == [ID_A, ID_B]


def test_unreadable_files_are_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="Cannot read"):
        read_table(tmp_path / "missing.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(InvalidInputError, match="not a readable spreadsheet"):
        read_table(broken)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(InvalidInputError, match="not UTF-8"):
        read_table(latin)


def test_xlsx_export_keeps_text_text_and_types_numbers_and_times(tmp_path: Path) -> None:
    path = tmp_path / "results.xlsx"
    rows = [
        {"id": "00123", "phone": "+4930123456", "duration": 742, "cost": 12.5,
         "answered": False, "started": "2026-11-20T09:15:00+01:00", "local": "2020-09-30 13:33:00",
         "body": {"a": 1}},
    ]  # fmt: skip
    columns = ["id", "phone", "duration", "cost", "answered", "started", "local", "body"]
    write_xlsx(path, columns, rows)
    workbook = CalamineWorkbook.from_path(str(path))
    header, row = workbook.get_sheet_by_index(0).to_python()
    assert header == columns
    assert row[0] == "00123" and row[1] == "+4930123456"  # text stays text, zeros and + kept
    assert row[2] == 742 and row[3] == 12.5  # numbers are numbers
    assert row[4] is False
    assert row[5] == datetime(2026, 11, 20, 8, 15)  # an offset time is written in UTC
    assert row[6] == datetime(2020, 9, 30, 13, 33)  # a time without offset, as written
    assert row[7] == '{"a": 1}'
