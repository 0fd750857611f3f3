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


def test_html_and_markdown_escape_everything() -> None:
    from desktop.core.export import to_html, to_markdown

    rows = [{"a": "<b>x</b> & y", "b": "p|q\nr"}]
    html = to_html(rows)
    assert "<b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in html
    markdown = to_markdown(rows)
    assert "p\\|q r" in markdown
    assert markdown.splitlines()[1] == "|---|---|"


def test_links_masked_for_display_and_checked_before_opening() -> None:
    from desktop.core.export import masked_url, openable_url

    url = "https://obs.example/rec?AccessKeyId=AK1&Expires=17&Signature=s%2Fg%3D&token=t"
    shown = masked_url(url)
    assert shown == "https://obs.example/rec?AccessKeyId=…&Expires=17&Signature=…&token=…"
    assert masked_url("https://a.example/x") == "https://a.example/x"
    assert openable_url(url) is None
    for bad in ("file:///etc/passwd", "javascript:alert(1)", "smb://s/x", "data:text/html,x"):
        assert openable_url(bad)
