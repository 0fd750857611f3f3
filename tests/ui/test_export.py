"""Copy from every table to the real clipboard (text/plain and text/html), hostile values
neutralized, links that are safe to open, files written without freezing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView

from desktop.core.export import TEXT_MARKER
from desktop.core.models import CallRecord, DetailField, LookupResult, RecordingLink
from desktop.simulator import leadsquared as ls
from desktop.simulator import oneuptime as ou

HOSTILE = {
    "formula": '=HYPERLINK("http://evil","x")',
    "plus": "+1-555",
    "at": "@SUM(A1:A9)",
    "hidden": '\t =HYPERLINK("http://evil")',
    "wide": "＝1+1",
    "script": "<script>alert(1)</script>",
    "image": '<img src=x onerror="alert(2)">',
    "breaks": "line one\nline two\twith tab",
    "long": "y" * 5000,
}


def _clipboard() -> tuple[str, str]:
    data = QApplication.clipboard().mimeData()
    return data.text(), data.html()


def _lookup(window, run_async, key: str, params: dict[str, str]):
    tab = window.vendor_tabs[key]
    tab.form.set_values(params)
    tab.lookup_button.click()
    run_async(tab.current_task)
    return tab


def test_details_table_copies_both_mime_types(window, run_async) -> None:
    tab = _lookup(window, run_async, "leadsquared", {"RequestId": ls.SUCCESS_ID})
    tab.copiers[tab.details_table].copy_all()
    text, html = _clipboard()
    lines = text.splitlines()
    assert lines[0] == "Field\tValue"
    assert "Source number\t8077128602" in lines
    assert "<table>" in html
    assert ">8077128602</td>" in html


def test_selected_cells_copy_with_their_header(window, run_async) -> None:
    tab = _lookup(window, run_async, "leadsquared", {"RequestId": ls.SUCCESS_ID})
    table = tab.details_table
    table.selectionModel().select(
        table.model().index(6, 1), table.selectionModel().SelectionFlag.Select
    )
    tab.copiers[table].copy_selection()
    text, _html = _clipboard()
    assert text.splitlines() == ["Value", "8077128602"]


def test_recordings_copy_the_whole_link_while_the_table_masks_it(window, run_async) -> None:
    tab = _lookup(window, run_async, "huawei-isales", {"vdnId": "8", "callId": "1644464743-1388"})
    link_column = 4
    shown = tab.recordings.index(0, link_column).data()
    assert "Signature=…" in shown
    assert "AccessKeyId=…" in shown
    assert "uztQO" not in shown
    tab.copiers[tab.recordings_table].copy_all()
    text, html = _clipboard()
    assert "Signature=uztQO%2FxI8GOSW2GZJWCBCm8AyAg%3D" in text
    assert "Signature=uztQO" in html


def test_attempts_table_copies_every_loaded_row(window, run_async, qt_loop) -> None:
    tab = _lookup(window, run_async, "oneuptime", {"incomingCallLogId": ou.SMALL_CALL})
    assert tab.attempts is not None
    tab.results.setCurrentWidget(tab.attempts)
    tab.copy_current_table()
    text, html = _clipboard()
    lines = text.splitlines()
    assert lines[0].split("\t")[:3] == ["Started (local time)", "Ended (local time)", "User"]
    assert len(lines) == 7
    assert html.count("<tr>") == 7


def test_hostile_values_arrive_neutralized_and_show_as_text(window) -> None:
    tab = window.vendor_tabs["leadsquared"]
    fields = tuple(DetailField(key=k, label=k, value=v) for k, v in HOSTILE.items())
    tab.show_result(
        LookupResult(
            vendor="leadsquared",
            profile="demo",
            summary=HOSTILE["script"],
            calls=[CallRecord(vendor="leadsquared", call_id="x", fields=fields)],
        )
    )
    assert HOSTILE["script"] in window.statusBar().currentMessage()  # shown verbatim
    tab.copiers[tab.details_table].copy_all()
    text, html = _clipboard()
    rows = dict(line.split("\t", 1) for line in text.splitlines()[1:])
    assert rows["formula"].startswith("'=")
    assert rows["plus"] == TEXT_MARKER + "+1-555"  # digits only: text, no visible quote
    assert rows["at"].startswith("'@")
    assert rows["hidden"] == '\'  =HYPERLINK("http://evil")'  # tab flattened after the quote
    assert rows["wide"] == "'＝1+1"
    assert rows["breaks"] == "line one line two with tab"
    assert len(rows["long"]) == 5000
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img" not in html


@pytest.mark.parametrize(
    "url", ["file:///etc/passwd", "javascript:alert(1)", "smb://server/share/rec.wav"]
)
def test_unsafe_links_are_refused(window, url) -> None:
    tab = window.vendor_tabs["leadsquared"]
    assert not tab.open_recording(RecordingLink(vendor="x", call_id="1", url=url))
    assert "Only http and https" in tab.outcome.text()


def test_hostile_recording_links_are_masked_refused_and_copied_whole(window) -> None:
    tab = window.vendor_tabs["leadsquared"]
    urls = (
        "https://rec:s3cret@rec.example/r?token=T0K",
        "http://[::1/r",
        "https://h/\u202egnp.exe",
    )
    links = [RecordingLink(vendor="leadsquared", call_id="1", url=url) for url in urls]
    tab.show_result(
        LookupResult(
            vendor="leadsquared",
            profile="demo",
            summary="hostile links",
            calls=[CallRecord(vendor="leadsquared", call_id="1")],
            recordings=links,
        )
    )
    link_column = 4
    shown = [tab.recordings.index(row, link_column).data() for row in range(len(urls))]
    assert shown == [
        "https://…@rec.example/r?token=…",
        "http://[::1/r",
        "https://h/%E2%80%AEgnp.exe",
    ]
    tooltip = tab.recordings.index(0, link_column).data(Qt.ItemDataRole.ToolTipRole)
    assert "s3cret" not in tooltip
    assert "T0K" not in tooltip
    reasons = ("user name or password", "malformed", "invisible characters")
    for link, reason in zip(links, reasons, strict=True):
        assert not tab.open_recording(link)
        assert reason in tab.outcome.text()
    tab.copiers[tab.recordings_table].copy_all()
    text, _html = _clipboard()
    assert urls[0] in text  # copy keeps the whole link


def test_copy_summary_for_a_ticket(window, run_async) -> None:
    tab = _lookup(window, run_async, "leadsquared", {"RequestId": ls.SUCCESS_ID})
    tab.copy_summary()
    text = QApplication.clipboard().text()
    assert text.startswith("leadsquared (demo): ")
    assert "From: 8077128602" in text
    assert "Recording: https://sr.knowlarity.com/" in text


def test_export_to_csv_and_json_files(window, run_async, tmp_path: Path) -> None:
    tab = _lookup(window, run_async, "oneuptime", {"incomingCallLogId": ou.CALL_250})
    assert tab.attempts is not None
    copier = tab.attempts.copier
    run_async(copier.export_to(tmp_path / "attempts.json", "json"))
    rows = json.loads((tmp_path / "attempts.json").read_text())
    assert len(rows) == 100
    # the vendor's fields, typed, as `lookup --format json` gives them
    assert rows[0]["status"] == "NoAnswer"
    assert rows[0]["isAnswered"] is False
    assert isinstance(rows[0]["dialDurationInSeconds"], int)
    run_async(copier.export_to(tmp_path / "attempts.csv", "csv"))
    header, first = (tmp_path / "attempts.csv").read_text().splitlines()[:2]
    assert header.startswith("vendor,_id,createdAt,")
    assert ",false" in first and ",NoAnswer," in first


def test_vendor_tables_never_render_rich_text(window) -> None:
    for table in window.findChildren(QTableView):
        assert table.model() is not None
        # Item views draw DisplayRole as plain text; the check guards against delegates.
        assert type(table.itemDelegate()).__name__ == "QStyledItemDelegate"


def test_vendor_text_in_tooltips_is_escaped(window) -> None:
    tab = window.vendor_tabs["leadsquared"]
    field = DetailField(key="x", label="x", value="v", note=HOSTILE["image"])
    tab.show_result(
        LookupResult(vendor="leadsquared", profile="demo",
                     calls=[CallRecord(vendor="leadsquared", call_id="x", fields=(field,))])
    )  # fmt: skip
    tip = tab.details.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "<img" not in tip
    assert "&lt;img" in tip


#: Copies of fixed attempts as the release before this one made them (commit 0f21ebd, which kept
#: each row's copy from when its page arrived), in Europe/Berlin: the attempts, the whole table's
#: (TSV, HTML), and three rows' (TSV, HTML) in four columns, shuffled. Hostile text, a repeated
#: one, text read as a number, a dial of 1 s beside a cost of $1 and TRUE (equal as Python keys),
#: and two starts that read alike across the end of summer time.
COPIES_BEFORE = Path(__file__).with_name("data") / "attempts_copy_0f21ebd.json"


def test_a_copy_of_attempts_is_the_copy_the_release_before_made(
    qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copies are made from the rows when copied, no longer kept per row: the same text."""
    import time

    from desktop.ui.table_actions import clipboard_payload
    from desktop.ui.table_models import ATTEMPT_COLUMNS, AttemptTableModel
    from desktop.vendors.oneuptime import parse_page

    before = json.loads(COPIES_BEFORE.read_text(encoding="utf-8"))
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        attempts = parse_page({"data": before["items"]}, 0).attempts
        model = AttemptTableModel()
        model.append_rows(attempts[:3])
        model.append_rows(attempts[3:])
        headers = [column.clipboard_header for column in ATTEMPT_COLUMNS]
        whole = clipboard_payload(model, headers, list(range(8)), list(range(len(headers))))
        part = clipboard_payload(model, [headers[c] for c in (0, 7, 9, 6)], [7, 2, 1],
                                 [0, 7, 9, 6])  # fmt: skip
    finally:
        monkeypatch.undo()
        time.tzset()
    assert list(whole) == before["whole"]
    assert list(part) == before["part"]
    text = whole[0]
    assert TEXT_MARKER + "+1-555" in text and "'=HYPERLINK(1) näive ☎" in text
