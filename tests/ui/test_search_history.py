"""Search everywhere and the history panel, driven like a user."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QTableView

from desktop.core.errors import HistoryError
from desktop.core.history import HistoryStore, Retention
from desktop.simulator import leadsquared as ls
from tests.support.waiting import until


def test_ctrl_l_search_streams_every_vendor_and_opens_a_hit(window, qtbot, qt_loop) -> None:
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    box = window.findChild(QLineEdit, "searchBox")
    assert box is not None
    assert QApplication.focusWidget() is box
    qtbot.keyClicks(box, f" '{ls.SUCCESS_ID}' ")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    panel = window.search_panel
    assert panel.running
    task = panel._task
    assert task is not None
    qt_loop.run_until_complete(asyncio.wait_for(task, 30))
    table = window.findChild(QTableView, "searchResultsTable")
    outcomes = {panel.model.row_at(r).vendor: panel.model.row_at(r).state
                for r in range(table.model().rowCount())}  # fmt: skip
    assert set(outcomes) == {"leadsquared", "huawei-aicc", "huawei-isales", "oneuptime", "verba"}
    assert outcomes["leadsquared"] == "found"
    row = next(r for r in range(panel.model.rowCount())
               if panel.model.row_at(r).vendor == "leadsquared")  # fmt: skip
    panel._open(panel.model.index(row, 0))
    assert window.current_tab().vendor.key == "leadsquared"
    assert window.current_tab().details.rowCount() > 10


def test_search_cancel_keeps_what_arrived(window, simulator, qt_loop) -> None:
    for vendor in window.vendor_tabs:
        simulator.add_fault(vendor, "delay:3")
    window.focus_search()
    window.search_panel.box.setText(ls.SUCCESS_ID)
    task = window.search_panel.trigger()
    assert task is not None

    async def cancel_soon():
        await until(lambda: len(simulator.request_counts) == len(window.vendor_tabs))
        window.search_panel.trigger()  # the button reads Cancel now
        await asyncio.gather(task, return_exceptions=True)

    qt_loop.run_until_complete(cancel_soon())
    panel = window.search_panel
    assert panel.state.text().startswith("Search cancelled: 0 answered, 5 cancelled")
    rows = [panel.model.row_at(r) for r in range(panel.model.rowCount())]
    assert sorted(o.vendor for o in rows) == sorted(window.vendor_tabs)  # none dropped
    assert {o.state for o in rows} == {"cancelled"}


def _history_after_one_lookup(window, run_async, tmp_path: Path):
    """A fresh history file, one LeadSquared lookup through its tab, the panel shown."""
    window.engine.history = HistoryStore(tmp_path / "history.sqlite3")
    tab = window.vendor_tabs["leadsquared"]
    tab.form.set_values({"RequestId": ls.SUCCESS_ID})
    tab.lookup_button.click()
    run_async(tab.current_task)
    panel = window.history_panel
    panel.show()
    run_async(panel.refresh())
    return tab, panel


def test_history_lists_shows_reruns_deletes_and_clears(
    window, run_async, qt_loop, tmp_path: Path
) -> None:
    tab, panel = _history_after_one_lookup(window, run_async, tmp_path)
    assert panel.model.rowCount() == 1
    assert panel.model.row_at(0).outcome == "found"

    tab.details.set_rows([])
    panel._open(panel.model.index(0, 0))  # offline, from the snapshot
    assert tab.details.rowCount() > 10

    panel.table.selectRow(0)
    panel.rerun_selected()
    run_async(tab.current_task)
    run_async(panel.refresh())
    assert panel.model.rowCount() == 2

    panel.filter.setText("no-such-thing")
    run_async(panel.refresh())
    assert panel.model.rowCount() == 0
    panel.filter.setText("")
    run_async(panel.refresh())
    panel.table.selectRow(0)
    run_async(panel.delete_selected())
    assert panel.model.rowCount() == 1
    panel.max_entries.setValue(10)
    assert run_async(panel.apply_retention()) == 0
    run_async(panel.clear())
    assert panel.model.rowCount() == 0


def _add(store: HistoryStore, vendor: str, outcome: str, message: str = "") -> None:
    store.add(None, vendor=vendor, profile="demo", params={"n": message}, outcome=outcome,
              message=message, duration=0.1)  # fmt: skip


def test_history_vendor_and_outcome_filters(window, run_async, tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    window.engine.history = store
    _add(store, "verba", "found", "a")
    _add(store, "verba", "timeout", "b")
    _add(store, "oneuptime", "timeout", "c")
    panel = window.history_panel
    panel.show()
    run_async(panel.refresh())
    assert panel.model.rowCount() == 3
    panel.vendor_filter.setCurrentIndex(panel.vendor_filter.findData("verba"))
    run_async(panel.refresh())
    assert [panel.model.row_at(r).message for r in range(panel.model.rowCount())] == ["b", "a"]
    panel.outcome_filter.setCurrentIndex(panel.outcome_filter.findText("timeout"))
    run_async(panel.refresh())
    assert [panel.model.row_at(r).message for r in range(panel.model.rowCount())] == ["b"]
    panel.vendor_filter.setCurrentIndex(0)  # All vendors
    run_async(panel.refresh())
    assert panel.model.rowCount() == 2
    assert panel.outcome_filter.findText("cancelled") > 0
    assert panel.vendor_filter.itemText(0) == "All vendors"


def test_the_retention_shown_and_set_is_the_one_in_the_history_file(
    window, run_async, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite3"
    store = HistoryStore(path)
    window.engine.history = store
    HistoryStore(path).set_retention(max_entries=42, max_age_days=9)  # as the CLI would
    panel = window.history_panel
    panel.show()
    run_async(panel.refresh())
    assert (panel.max_entries.value(), panel.max_days.value()) == (42, 9)
    for number in range(5):
        _add(store, "verba", "found", str(number))
    panel.max_entries.setValue(3)
    assert run_async(panel.apply_retention()) == 2
    assert HistoryStore(path).retention() == Retention(max_entries=3, max_age_days=9)
    assert panel.model.rowCount() == 3


def test_a_retention_chosen_in_the_first_release_moves_into_the_history_file(engine) -> None:
    from desktop.app import attach_history
    from desktop.ui.settings import ui_settings

    settings = ui_settings()
    settings.setValue("history_max_entries", 77)
    settings.setValue("history_max_age_days", 12)
    settings.sync()
    attach_history(engine)
    assert engine.history is not None
    assert engine.history.retention() == Retention(max_entries=77, max_age_days=12)
    assert not ui_settings().contains("history_max_entries")
    engine.history.set_retention(max_entries=100)
    engine.history.close()
    attach_history(engine)  # once only: the file's own value stands
    assert engine.history.retention().max_entries == 100


def test_history_problems_are_a_message_in_the_panel_never_a_crash(
    window, run_async, failures, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite3"
    window.engine.history = HistoryStore(path, busy_timeout=0.1)
    panel = window.history_panel
    panel.show()
    run_async(panel.refresh())
    assert not panel.note.isVisible()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # the CLI, say, is writing
    tab = window.vendor_tabs["leadsquared"]
    tab.form.set_values({"RequestId": ls.SUCCESS_ID})
    tab.lookup_button.click()
    run_async(tab.current_task)
    assert tab.details.rowCount() > 10  # the lookup itself is unharmed
    assert panel.note.isVisible()
    assert "locked" in panel.note.text()
    assert panel.note.property("state") == "failure"
    run_async(panel.clear())
    assert "could not be cleared" in panel.note.text()
    run_async(panel.refresh())  # reading works meanwhile; the message stays
    assert "could not be cleared" in panel.note.text()
    other.execute("ROLLBACK")
    other.close()
    run_async(panel.clear())
    assert not panel.note.isVisible()  # it works again: the message goes
    assert failures == []


def test_a_history_that_could_not_be_opened_says_why(window, failures) -> None:
    window.engine.history_error = HistoryError(
        "The lookup history (x) could not be opened: permission denied.", "permission denied"
    )
    panel = window.history_panel
    panel.show()
    assert panel.note.text().endswith("could not be opened: permission denied.")
    assert failures == []


def test_history_work_never_waits_on_the_ui_thread(window, run_async, tmp_path: Path) -> None:
    store = HistoryStore(tmp_path / "history.sqlite3")
    window.engine.history = store
    _add(store, "verba", "found", "a")
    panel = window.history_panel
    panel.show()
    run_async(panel.refresh())
    release = threading.Event()

    def slow_write() -> None:  # another write holding the store, as a big prune would
        with store._lock:
            release.wait(5)

    holder = threading.Thread(target=slow_write)
    holder.start()
    try:
        started = time.monotonic()
        tasks = [panel.refresh(), panel.clear(), panel.apply_retention()]
        panel.table.selectRow(0)
        tasks.append(panel.delete_selected())
        assert time.monotonic() - started < 0.2  # the UI thread went on at once
    finally:
        release.set()
        holder.join()
    for task in tasks:
        run_async(asyncio.wait([task]))
    # Each change refreshes the panel in a task of its own: let every one of them end on the
    # running loop, not in the teardown's event processing (where no asyncio loop runs).
    run_async(until(lambda: window.tasks.running == 0))
    assert panel.model.rowCount() == 0


def test_search_says_why_profiles_were_not_asked(window, run_async) -> None:
    panel = window.search_panel
    panel.box.setText("8856")
    task = panel.trigger()
    assert task is not None
    rows = [panel.model.row_at(r) for r in range(panel.model.rowCount())]
    assert len(rows) == 5  # shown at once, before any vendor answers
    asking, *skipped = rows
    assert (asking.vendor, asking.state, asking.message) == ("verba", "asking", "asking…")
    assert all(o.state == "skipped" for o in skipped)
    assert "does not take this kind of value (extension)" in skipped[0].message
    outcome_column = 2
    shown = {panel.model.index(r, outcome_column).data() for r in range(5)}
    assert shown == {"… asking", "– skipped (not asked)"}  # told apart by shape and words
    run_async(task)
    assert panel.model.rowCount() == 5
    assert panel.model.row_at(0).vendor == "verba"  # found rows first
    assert panel.model.index(0, outcome_column).data() == "✓ found"
    assert panel.model.index(0, 0).data() == "Verba"  # the vendor's title, not its key
    assert panel.state.text() == "1 of 1 profiles asked found 8856. 4 not asked (see why below)."


def test_a_long_history_message_never_covers_the_table(window, qapp, run_async) -> None:
    panel = window.history_panel
    window.engine.history_error = HistoryError(
        "The lookup history (/a/rather/long/path/to/the/data/folder/history.sqlite3) could not "
        "be cleared: another program is using it (the database is locked); try again.",
        "locked",
    )
    panel.show()
    window.resize(800, 600)  # the dock at its smallest
    for _ in range(5):
        qapp.processEvents()
    buttons = panel.findChild(QPushButton, "clearHistoryButton")
    assert panel.note.isVisible()
    assert panel.note.height() >= panel.note.heightForWidth(panel.note.width())
    assert panel.table.geometry().bottom() < buttons.geometry().top()
    assert panel.note.geometry().bottom() < panel.table.geometry().top()


def _clipboard() -> tuple[str, str]:
    data = QApplication.clipboard().mimeData()
    return data.text(), data.html()


def _copy_by_keyboard(qtbot, table: QTableView) -> tuple[tuple[str, str], tuple[str, str]]:
    """Ctrl+C on the first row's first two cells, then Ctrl+Shift+C: both clipboards."""
    table.setFocus()
    QApplication.clipboard().clear()
    selection = table.selectionModel()
    for column in (0, 1):
        selection.select(table.model().index(0, column), selection.SelectionFlag.Select)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    selected = _clipboard()
    QApplication.clipboard().clear()
    qtbot.keyClick(
        table, Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )  # fmt: skip
    return selected, _clipboard()


def test_search_results_copy_like_a_vendor_table(window, qtbot, qt_loop) -> None:
    window.focus_search()
    window.search_panel.box.setText(ls.SUCCESS_ID)
    task = window.search_panel.trigger()
    assert task is not None
    qt_loop.run_until_complete(asyncio.wait_for(task, 30))
    table = window.findChild(QTableView, "searchResultsTable")
    model = window.search_panel.model
    first = model.row_at(0)
    (text, html), (all_text, all_html) = _copy_by_keyboard(qtbot, table)
    assert text.splitlines() == ["Vendor\tProfile", f"{first.vendor_title}\t{first.profile}"]
    assert html.startswith("<table>")
    assert f">{first.vendor_title}</td><td" in html  # each a text cell
    assert html.endswith(f">{first.profile}</td></tr></tbody></table>")
    lines = all_text.splitlines()
    assert lines[0] == "Vendor\tProfile\tOutcome\tTime\tAnswer"
    assert len(lines) == 1 + model.rowCount() == 6
    assert all_html.count("<tr>") == 6
    assert f"Copied {model.rowCount()} rows" in window.statusBar().currentMessage()
    # The vendor tab's tables are not what Ctrl+Shift+C copied.
    assert "Field\tValue" not in all_text


def test_history_copies_like_a_vendor_table(window, qtbot, run_async, tmp_path: Path) -> None:
    tab, panel = _history_after_one_lookup(window, run_async, tmp_path)
    entry = panel.model.row_at(0)
    (text, html), (all_text, all_html) = _copy_by_keyboard(qtbot, panel.table)
    when, vendor = text.splitlines()[1].split("\t")
    assert text.splitlines()[0] == "When\tVendor"
    assert vendor == entry.vendor == "leadsquared"
    assert html.endswith(f">{vendor}</td></tr></tbody></table>")
    lines = all_text.splitlines()
    assert lines[0] == "When\tVendor\tProfile\tParameters\tOutcome\tTime\tAnswer"
    assert lines[1].startswith(f"{when}\tleadsquared\tdemo\t{entry.params_text}\tfound\t")
    assert all_html.count("<tr>") == 2
    assert "Copied 1 rows" in window.statusBar().currentMessage()
    # After a vendor table had the focus, Ctrl+Shift+C copies that tab's table again.
    tab.details_table.setFocus()
    qtbot.keyClick(
        tab.details_table, Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )  # fmt: skip
    assert _clipboard()[0].startswith("Field\tValue")


def test_the_panel_says_what_was_moved_aside_and_what_was_skipped(
    window, run_async, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"damaged" * 1000)
    store = HistoryStore(path)  # moved aside, as at start
    window.engine.history = store
    _add(store, "verba", "found", "good")
    _add(store, "verba", "found", "bad")
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("UPDATE lookups SET params = 'not json' WHERE message = 'bad'")
    other.close()
    panel = window.history_panel
    panel.show()
    run_async(panel.refresh())
    assert panel.model.rowCount() == 1
    assert panel.note.isVisible()
    assert "moved to history.sqlite3.corrupt-" in panel.note.text()
    assert panel.note.text().endswith("1 entry could not be read and was skipped.")


def test_history_names_vendors_and_labels_parameters_for_people() -> None:
    from desktop.ui.history_panel import labelled_params
    from desktop.ui.outcome_marks import outcome_words
    from desktop.ui.table_models import vendor_title

    assert vendor_title("huawei-isales") == "Huawei CC-iSales"
    params = {"extension": "8856", "status": "last", "type": "false", "details": "true"}
    assert labelled_params("verba", params) == (
        "Extension: 8856 · Status: last finished call · Manual record: no · Details: yes"
    )  # was 'extension=8856 status=last type=false details=true'
    assert outcome_words("not found") == "○ not found"
    assert outcome_words("skipped") != outcome_words("not found")
