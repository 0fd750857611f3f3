from __future__ import annotations

import csv
import io
import json

import pytest
from pydantic import JsonValue

from desktop.core.export import neutralize_cell, render, to_tsv


def test_formula_cells_are_neutralized() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert neutralize_cell(dangerous).startswith("'")
    assert neutralize_cell("8077128602") == "8077128602"


#: Spreadsheets skip leading blanks before a formula; full-width and small forms of = + - @
#: are read as the ASCII ones.
HIDDEN_FORMULAS = (
    " =1+1", "   =1+1", "\t=1+1", "\n@SUM(A1)", "\r\n=1+1", "\x0b=1", "\x0c+1", "\x00=1",
    "\xa0=1+1", "\u3000=1+1", "\u200b=1+1", "\ufeff=1+1", " \t \n-2+3",
    "＝1+1", "＋1", "－1", "＠SUM(A1)", " ＝1+1", "﹦1+1", "﹢1", "﹣1", "﹫SUM(A1)",
)  # fmt: skip


@pytest.mark.parametrize("value", HIDDEN_FORMULAS)
def test_formulas_behind_blanks_or_in_full_width_are_neutralized(value: str) -> None:
    assert neutralize_cell(value) == "'" + value
    # TSV turns tabs and line breaks into spaces first: the space must not hide the formula.
    assert to_tsv([{"a": value}]).split("\n")[1].startswith("'")
    assert list(csv.reader(io.StringIO(render([{"a": value}], "csv"))))[1] == ["'" + value]


@pytest.mark.parametrize("value", ["x =1", " plain", "\tplain", "1=1", "a@b.example", "", " "])
def test_text_that_only_contains_a_trigger_later_is_left_alone(value: str) -> None:
    expected = "'" + value if value.startswith(("\t", "\r")) else value  # OWASP: tab, CR
    assert neutralize_cell(value) == expected


def test_signed_numbers_keep_the_policy_of_being_neutralized() -> None:
    """A leading + or - is quoted even for a plain number or phone number: '-2+3' and
    '+1-555' are formulas too, and the quote keeps the value readable as text."""
    assert neutralize_cell("-12") == "'-12"
    assert neutralize_cell("+4930123") == "'+4930123"


def test_tsv_has_header_and_flattens_cells() -> None:
    text = to_tsv([{"a": "x\ty", "b": "line1\nline2"}, {"a": "=cmd", "c": "3"}])
    lines = text.splitlines()
    assert lines[0] == "a\tb\tc"
    assert lines[1] == "x y\tline1 line2\t"
    assert lines[2] == "'=cmd\t\t3"


@pytest.mark.parametrize(
    "value", ["x\ry", "x\ny", "x\r\ny", "p,q", 'say "hi"', "x\r", '"', ",", 'a\r,"b"\n']
)
def test_csv_quotes_every_cell_with_a_break_a_comma_or_a_quote(value: str) -> None:
    text = render([{"a": value, "b": "next"}], "csv")
    line = text.split("\n", 1)[1]
    assert line.startswith('"' + value.replace('"', '""') + '",next')
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a", "b"], [value, "next"]]


def test_csv_leaves_plain_cells_bare_and_keeps_a_lone_empty_cell_a_row() -> None:
    assert render([{"a": "x y", "b": "", "c": "1"}], "csv") == "a,b,c\nx y,,1\n"
    text = render([{"a": ""}, {"a": "z"}], "csv")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [["a"], [""], ["z"]]


@pytest.mark.parametrize(
    "breaking", ["\t", "\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85",
                 "\u2028", "\u2029"]
)  # fmt: skip
def test_tsv_cells_never_break_the_row_or_the_columns(breaking: str) -> None:
    """Every character some reader ends a line or a cell at becomes one space."""
    text = to_tsv([{"a": f"one{breaking}two", "b": "next"}])
    assert text.splitlines() == ["a\tb", "one two\tnext"]


def test_csv_and_json_round_trip() -> None:
    rows = [{"id": "1", "note": 'say "hi", ok'}]
    parsed = list(csv.DictReader(io.StringIO(render(rows, "csv"))))
    assert parsed == rows
    assert json.loads(render(rows, "json")) == rows


def test_html_and_markdown_escape_everything() -> None:
    from desktop.core.export import copy_payload, to_markdown

    rows = [{"a": "<b>x</b> & y", "b": "p|q\nr"}]
    _text, html = copy_payload(["<a>", "b"], [["<b>x</b> & y"], ["p|q\nr"]])
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


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("http://user:pass@host/x", "http://…@host/x"),
        ("https://trusted.example@evil.example/", "https://…@evil.example/"),  # real host shows
        ("https://a:b@c@host:8443/x?y=1", "https://…@host:8443/x?y=1"),
        ("//user:pass@host/x", "//…@host/x"),
        ("https://h/x?access_token=abc&api_key=k&id=7", "https://h/x?access_token=…&api_key=…&id=7"),
        ("https://h/x?X-Amz-Security-Token=T&X-Amz-Signature=S", "https://h/x?X-Amz-Security-Token=…&X-Amz-Signature=…"),
        ("https://h/x?sv=1&sig=S%2B&se=2", "https://h/x?sv=1&sig=…&se=2"),
        ("https://h/x?a=1;token=T", "https://h/x?a=1;token=…"),
        ("https://h/x?tok%65n=T", "https://h/x?tok%65n=…"),
        ("https://h/x#access_token=zz&state=1", "https://h/x#access_token=…&state=1"),
        ("https://h/verba/gwtCallDetail.do;jsessionid=ABC123?ccdrId=9", "https://h/verba/gwtCallDetail.do;jsessionid=…?ccdrId=9"),
        ("https://h/x?Expires=17&keyword=a", "https://h/x?Expires=17&keyword=a"),
        ("http://[::1/x?token=T", "http://[::1/x?token=…"),  # malformed, still masked
        ("https://h/\u202egnp.exe", "https://h/%E2%80%AEgnp.exe"),  # no display spoofing
        ("https://h/a\tb\nc\u200b", "https://h/a%09b%0Ac%E2%80%8B"),
    ],
)  # fmt: skip
def test_credentials_signatures_and_invisible_characters_are_masked_on_screen(
    url: str, shown: str
) -> None:
    from desktop.core.export import masked_url

    assert masked_url(url) == shown


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
        "java\tscript:alert(1)",
        "vbscript:msgbox(1)", "file:///etc/passwd", "FILE://server/share", "data:text/html,<b>",
        "smb://s/x", "ftp://h/x", "//host/x", "https:///x", "http:x", "",
        "http://[::1/x", "http://host:99999/x", "http://host:port/x",
        "https://user:pass@host/x", "https://trusted.example@evil.example/", "https://user@host/x",
        "https://evil\t.example/", "https://h/x y", "https://h/\u202egnp.exe", "\x00https://h/",
        "https://h/\u200b",
    ],
)  # fmt: skip
def test_hostile_links_are_refused_with_a_reason_and_never_raise(url: str) -> None:
    from desktop.core.export import openable_url

    reason = openable_url(url)
    assert reason
    assert reason.endswith(".")


@pytest.mark.parametrize(
    "url",
    ["https://h/x?Signature=a%2F&Expires=1", "HTTP://H/", "http://127.0.0.1:8080/x",
     "https://[::1]:8443/rec", "https://h/r?ccdrId=1#t=5"],
)  # fmt: skip
def test_plain_http_links_are_openable(url: str) -> None:
    from desktop.core.export import openable_url

    assert openable_url(url) is None


def test_a_recording_link_loses_surrounding_whitespace() -> None:
    from desktop.core.models import RecordingLink

    link = RecordingLink(vendor="x", call_id="1", url="  https://h/rec\n")
    assert link.url == "https://h/rec"


def test_machine_formats_carry_typed_values() -> None:
    """JSON keeps the types; CSV and TSV write numbers plain, booleans true/false, null empty
    and objects as JSON text. Only text can be a formula: -12 as a number stays -12."""
    rows: list[dict[str, JsonValue]] = [
        {"n": 30, "cost": 0.04, "ok": True, "none": None, "neg": -12, "body": {"a": [1, "x"]},
         "code": "00000", "text": "-12"}
    ]  # fmt: skip
    assert json.loads(render(rows, "json")) == rows
    [parsed] = list(csv.DictReader(io.StringIO(render(rows, "csv"), newline="")))
    assert parsed == {"n": "30", "cost": "0.04", "ok": "true", "none": "", "neg": "-12",
                      "body": '{"a":[1,"x"]}', "code": "00000", "text": "'-12"}  # fmt: skip
    assert render(rows, "tsv").splitlines()[1].split("\t") == [
        "30",
        "0.04",
        "true",
        "",
        "-12",
        '{"a":[1,"x"]}',
        "00000",
        "'-12",
    ]


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("a;b", '"a;b",x'),
        ("a;=1+1", '"a;\'=1+1",x'),
        ("=1;@x", "\"'=1;'@x\",x"),
        ("1;2", '"1;2",x'),
    ],
)
def test_csv_quotes_semicolons_and_guards_formulas_after_them(value: str, line: str) -> None:
    """Semicolon locales split CSV at ';': the cell is quoted, and a formula starting after a
    ';' is guarded like one at the start (a reader may split there all the same)."""
    assert render([{"a": value, "b": "x"}], "csv").splitlines()[1] == line


def test_clipboard_tsv_keeps_text_as_text_without_a_visible_quote() -> None:
    from datetime import UTC, datetime

    from desktop.core.export import TEXT_MARKER, copy_tsv_line

    moment = datetime(2026, 11, 20, 9, 15, 2, tzinfo=UTC)
    cells = copy_tsv_line(
        ["+15550100003", "0042", "+1-555", "Ana Ruiz", "=1+1", "+cmd|x", 30, 0.04, True, None,
         moment, "8077128602", "1652268429538866153", "2026-11-20"]
    ).split("\t")  # fmt: skip
    assert cells[:6] == [TEXT_MARKER + "+15550100003", TEXT_MARKER + "0042",
                         TEXT_MARKER + "+1-555", "Ana Ruiz", "'=1+1", "'+cmd|x"]  # fmt: skip
    assert cells[6:10] == ["30", "0.04", "TRUE", ""]
    assert cells[10] == moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    # digits a spreadsheet shows the same as a number stay bare; 16+ digits or a date do not
    assert cells[11:] == ["8077128602", TEXT_MARKER + "1652268429538866153",
                          TEXT_MARKER + "2026-11-20"]  # fmt: skip


def test_clipboard_html_types_each_cell_for_excel_and_libreoffice() -> None:
    from desktop.core.export import copy_payload

    _text, html = copy_payload(["a", "b", "c", "d"], [["+15550100003"], [0.04], [False], [None]])
    assert '<td style="mso-number-format:\'\\@\'" sdnum="1033;0;@">+15550100003</td>' in html
    assert '<td sdval="0.04" sdnum="1033;0;General" x:num="0.04">0.04</td>' in html
    assert '<td sdval="0" sdnum="1033;0;BOOLEAN" x:bool="FALSE">FALSE</td>' in html
    assert html.endswith("<td></td></tr></tbody></table>")


def test_a_copy_works_each_value_out_once_yet_equal_values_of_other_types_apart() -> None:
    """``copy_payload`` shares the cells of a value met before in the copy: True, 1 and 1.0 are
    equal (one dictionary key) but paste as TRUE, 1 and 1; text '1' gets no marker either way;
    every TSV line is ``copy_tsv_line`` of its row."""
    from datetime import UTC, datetime

    from desktop.core.export import CopyValue, copy_payload, copy_tsv_line

    moment = datetime(2026, 11, 20, 9, 15, 2, tzinfo=UTC)
    rows: list[list[CopyValue]] = [
        [True, 1, 1.0, "1", "+1555", moment],
        [1.0, True, 1, "+1555", "1", moment],
        [False, 0, 0.0, "0042", None, moment],
        [0, False, -0.0, "0042", None, moment],
    ]
    columns = [list(cells) for cells in zip(*rows, strict=True)]
    text, html = copy_payload(["a", "b", "c", "d", "e", "f"], columns)
    lines = text.split("\n")
    assert lines[1:] == [copy_tsv_line(row) for row in rows] + [""]
    assert lines[1].split("\t")[:3] == ["TRUE", "1", "1"]
    assert lines[2].split("\t")[:3] == ["1", "TRUE", "1"]
    assert lines[4].split("\t")[:3] == ["0", "FALSE", "0"]
    cells = html.split("<tr>")[2].split("</td>")
    assert cells[0].endswith('x:bool="TRUE">TRUE')
    assert cells[1] == '<td sdval="1" sdnum="1033;0;General" x:num="1">1'
    assert html.count('x:bool="TRUE"') == 2 and html.count('x:bool="FALSE"') == 2
    assert html.count('sdnum="1033;0;YYYY-MM-DD HH:MM:SS"') == 4
