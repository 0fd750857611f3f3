from __future__ import annotations

import csv
import io
import json

from desktop.core.export import neutralize_cell, render, to_tsv


def test_formula_cells_are_neutralized() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralize_cell(dangerous).startswith("'")
    assert neutralize_cell("8077128602") == "8077128602"


def test_tsv_has_header_and_flattens_cells() -> None:
    text = to_tsv([{"a": "x\ty", "b": "line1\nline2"}, {"a": "=cmd", "c": "3"}])
    lines = text.splitlines()
    assert lines[0] == "a\tb\tc"
    assert lines[1] == "x y\tline1 line2\t"
    assert lines[2] == "'=cmd\t\t3"


def test_csv_and_json_round_trip() -> None:
    rows = [{"id": "1", "note": 'say "hi", ok'}]
    parsed = list(csv.DictReader(io.StringIO(render(rows, "csv"))))
    assert parsed == rows
    assert json.loads(render(rows, "json")) == rows
