"""Paste fidelity in a real spreadsheet: the attempts table is copied as the app copies it
(Copy all: the clipboard's text/html and text/plain), and LibreOffice Calc imports each flavour
headless with the options its paste uses. Read back from the converted flat ODS: one cell per
value, phone numbers and IDs stay text with no visible apostrophe, seconds and dollars are
numbers, times are dates, nothing became a formula.

The TSV import options are Calc's defaults for pasted text (officecfg Calc.xcs, group
Dialogs/ClipboardTextImport: tab-separated, '"' quotes, EvaluateFormulas and
DetectSpecialNumbers on, QuotedFieldAsText off); the HTML goes through Calc's HTML import, the
one a paste of text/html uses. Skipped only where soffice is missing, never under CI=true.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from PySide6.QtWidgets import QApplication

from desktop.core.export import TEXT_MARKER, render
from desktop.simulator import oneuptime as sim
from desktop.ui.table_actions import TableCopier
from desktop.ui.table_models import AttemptTableModel, make_table
from desktop.ui.tasks import TaskRunner
from desktop.vendors.oneuptime import parse_attempt

SOFFICE = shutil.which("soffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None and os.environ.get("CI") != "true",
    reason="LibreOffice (soffice) is not installed",
)

#: "Text - txt - csv (StarCalc)" tokens: separator, quote, charset (76 = UTF-8), first line,
#: column types, language, QuotedFieldAsText, DetectSpecialNumbers, (2 export-only),
#: RemoveSpace, (export-only), EvaluateFormulas: the ClipboardTextImport defaults.
PASTED_TEXT_OPTIONS = "9,34,76,1,,0,false,true,false,false,false,,true"

NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}


class Cell:
    def __init__(self, element: ElementTree.Element) -> None:
        self.kind = element.get(f"{{{NS['office']}}}value-type")
        self.formula = element.get(f"{{{NS['table']}}}formula")
        self.value = element.get(f"{{{NS['office']}}}value")
        self.date = element.get(f"{{{NS['office']}}}date-value")
        self.boolean = element.get(f"{{{NS['office']}}}boolean-value")
        self.text = "\n".join("".join(p.itertext()) for p in element.iterfind("text:p", NS))

    def __repr__(self) -> str:
        return f"Cell({self.kind}, {self.text!r}, formula={self.formula})"


def calc_import(source: Path, infilter: str, profile: Path) -> list[list[Cell]]:
    """The sheet LibreOffice makes of ``source``, as rows of cells."""
    assert SOFFICE is not None, "CI=true: LibreOffice must be installed (.ci/system-packages.txt)"
    out = source.parent / "calc"
    subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
         f"--infilter={infilter}", "--convert-to", "fods", "--outdir", str(out), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    root = ElementTree.parse(out / f"{source.stem}.fods").getroot()
    rows = []
    for row in root.iterfind(".//table:table-row", NS):
        cells: list[Cell] = []
        for element in row.iterfind("table:table-cell", NS):
            repeat = int(element.get(f"{{{NS['table']}}}number-columns-repeated", "1"))
            cells.extend([Cell(element)] * min(repeat, 50))
        rows.append(cells)
    return rows


@pytest.fixture(scope="module")
def lo_profile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One LibreOffice user profile for the module: its first start is the slow part."""
    return tmp_path_factory.mktemp("lo-profile")


def _attempts() -> list[Any]:
    hostile = sim.generated_attempt(sim.SMALL_CALL, 1) | {
        "userId": "0042",
        "incomingCallPolicyEscalationRuleId": "+1-555",
        "statusMessage": "=1+1",
    }
    return [parse_attempt(sim.generated_attempt(sim.SMALL_CALL, 2)), parse_attempt(hostile)]


@pytest.fixture
def copied(qapp: QApplication, tmp_path: Path) -> tuple[Path, Path]:
    """The attempts table copied with Copy all; its HTML and TSV flavours as files."""
    model = AttemptTableModel()
    model.set_rows(_attempts())
    table = make_table("attempts", model, "Attempts")
    copier = TableCopier(table, TaskRunner(lambda error: None), lambda text, state: None)
    copier.copy_all()
    data = qapp.clipboard().mimeData()
    html, tsv = tmp_path / "paste.html", tmp_path / "paste.txt"
    html.write_text(f"<html><body>{data.html()}</body></html>", encoding="utf-8")
    tsv.write_text(data.text(), encoding="utf-8")
    qapp.clipboard().clear()
    return html, tsv


def _by_header(rows: list[list[Cell]]) -> list[dict[str, Cell]]:
    headers = [cell.text for cell in rows[0]]
    return [dict(zip(headers, row, strict=False)) for row in rows[1:] if row and row[0].kind]


def _check_values(sheet: list[dict[str, Cell]], *, text_prefix: str) -> None:
    attempts = _attempts()
    assert len(sheet) == len(attempts)
    for row, attempt in zip(sheet, attempts, strict=True):
        assert len(row) == 11  # one cell per value: nothing split, nothing merged
        assert all(cell.formula is None for cell in row.values()), row
        phone = row["Phone number"]
        assert (phone.kind, phone.text) == ("string", text_prefix + attempt.user_phone_number)
        assert "'" not in phone.text
        assert (row["Attempt ID"].kind, row["Attempt ID"].text) == ("string", attempt.attempt_id)
        dial = row["Dial (s)"]
        assert (dial.kind, float(dial.value or "nan")) == ("float", attempt.dial_duration_seconds)
        cost = row["Cost (USD)"]
        assert cost.kind == "float"
        assert float(cost.value or "nan") == pytest.approx(attempt.cost_usd_cents / 100)
        started = row["Started (local time)"]
        assert started.kind == "date"
        wall = attempt.started_at.astimezone().replace(tzinfo=None)
        assert datetime.fromisoformat(started.date or "") == wall
        assert row["Answered"].kind == "boolean"
        assert row["Answered"].boolean == str(attempt.is_answered).lower()
    hostile = sheet[1]
    assert (hostile["User"].kind, hostile["User"].text) == ("string", text_prefix + "0042")
    assert hostile["Escalation rule"].kind == "string"
    assert hostile["Escalation rule"].text == text_prefix + "+1-555"


def test_html_paste_keeps_text_numbers_and_dates(copied, lo_profile: Path) -> None:
    html, _tsv = copied
    sheet = _by_header(calc_import(html, "HTML (StarCalc)", lo_profile))
    _check_values(sheet, text_prefix="")
    assert sheet[1]["Status message"].kind == "string"
    assert sheet[1]["Status message"].text == "=1+1"  # text, shown as it is, never run


def test_tsv_paste_keeps_text_numbers_and_dates(copied, lo_profile: Path) -> None:
    _html, tsv = copied
    options = f"Text - txt - csv (StarCalc):{PASTED_TEXT_OPTIONS}"
    sheet = _by_header(calc_import(tsv, options, lo_profile))
    # Number-like text keeps an invisible word joiner in front (no apostrophe is shown).
    _check_values(sheet, text_prefix=TEXT_MARKER)
    # A real formula keeps the visible quote: text in every spreadsheet.
    assert sheet[1]["Status message"].kind == "string"
    assert sheet[1]["Status message"].text == "'=1+1"


@pytest.mark.parametrize(
    "row",
    [{"note": "a;=1+1", "next": "x"}, {"first": "x", "note": "a; @SUM(A1)"}, {"note": "a;=1+1"}],
)
def test_csv_cell_with_a_semicolon_runs_no_formula_in_a_semicolon_locale(
    row: dict[str, str], tmp_path: Path, lo_profile: Path
) -> None:
    """Spreadsheets whose locale uses ';' as the list separator split CSV there. Quoted, a lone
    'a;=1+1' stays one cell; beside other cells LibreOffice still splits it (the closing
    quote is followed by ',', not ';'), so the piece after ';' carries the formula guard too."""
    export = tmp_path / "export.csv"
    export.write_text(render([row], "csv"), encoding="utf-8")
    semicolon = "Text - txt - csv (StarCalc):59,34,76,1,,0,false,true,false,false,false,,true"
    sheet = calc_import(export, semicolon, lo_profile)
    cells = [cell for line in sheet for cell in line if cell.kind]
    assert cells and all(cell.formula is None for cell in cells), cells
    if len(row) == 1:
        assert [cell.text for cell in sheet[1] if cell.kind] == [row["note"].replace("=", "'=")]
