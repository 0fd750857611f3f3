"""The supervisor view: a 250-attempt call in pages, sorted, filtered, opened, edited and
deleted, with permission errors shown."""

from __future__ import annotations

import asyncio
import itertools
import json
import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QTableView

from desktop.core.attempts import summarize
from desktop.core.models import AttemptOutcome, EscalationAttempt
from desktop.simulator import oneuptime as sim
from desktop.ui.attempt_summary import AttemptFigures, AttemptSummaryView
from desktop.ui.attempts_view import LABELS_EVERY_MS, AttemptsPanel


def _open_call(window, run_async, call_id: str = sim.CALL_250) -> AttemptsPanel:
    tab = window.vendor_tabs["oneuptime"]
    window.tabs.setCurrentWidget(tab)
    tab.form.set_values({"incomingCallLogId": call_id})
    tab.lookup_button.click()
    run_async(tab.current_task)
    panel = tab.attempts
    assert isinstance(panel, AttemptsPanel)
    return panel


def _settle(qt_loop, panel: AttemptsPanel) -> None:
    async def wait():
        for _ in range(200):
            task = panel._page_task
            if task is None or task.done():
                break
            await asyncio.sleep(0.01)

    qt_loop.run_until_complete(wait())


def test_pages_arrive_as_the_user_scrolls(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    table = window.findChild(QTableView, "attemptsTable")
    assert table.model().rowCount() == 100
    count = panel.findChild(QLabel, "attemptsCount")
    assert count is not None
    assert count.text() == "100 of 250 loaded"
    table.scrollToBottom()
    panel.model.fetchMore()
    _settle(qt_loop, panel)
    assert panel.model.rowCount() == 200
    assert "250 attempts · first 200 loaded: " in panel.summary.text()


def test_load_all_then_client_side_sort_and_filter(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    qt_loop.run_until_complete(asyncio.wait_for(panel.load_all(), 30))
    assert panel.model.rowCount() == 250
    assert panel.count_label.text() == "250 of 250 loaded"
    assert window.statusBar().currentMessage().startswith("OneUptime: All 250 attempts loaded: ")
    assert panel.summary.text().startswith("250 attempts · 41 answered · 209 not answered")
    cost_column = next(i for i, c in enumerate(panel.model.columns) if c.header == "Cost (USD)")
    panel.table.sortByColumn(cost_column, Qt.SortOrder.DescendingOrder)
    assert panel.proxy.index(0, cost_column).data() == "$0.06"
    filter_field = panel.findChild(QLineEdit, "attemptsFilter")
    assert filter_field is not None
    filter_field.setText("connected")
    assert panel.proxy.rowCount() == 41


def test_sorting_before_everything_is_loaded_asks_the_server(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    dial_column = next(i for i, c in enumerate(panel.model.columns) if c.header == "Dial (s)")
    panel.table.sortByColumn(dial_column, Qt.SortOrder.DescendingOrder)
    _settle(qt_loop, panel)
    assert panel.model.rowCount() == 100
    top = [panel.proxy.index(row, dial_column).data() for row in range(3)]
    assert top[0] == "134"  # the longest dial of all 250, not only of the first page


def test_open_edit_and_delete_one_attempt(window, run_async, qt_loop, qtbot) -> None:
    panel = _open_call(window, run_async)
    tab = window.vendor_tabs["oneuptime"]
    attempt = panel.attempt_at(3)
    run_async(panel.open_attempt(attempt))
    assert tab.results.currentWidget() is tab.details_table
    assert tab.details.rowCount() >= 14

    dialog = panel.edit_attempt(attempt)
    assert dialog is not None
    dialog.form.set_values({"status": "Completed", "isAnswered": "true"})
    dialog.accept()

    async def until_saved():
        for _ in range(300):
            if "Saved attempt" in window.statusBar().currentMessage():
                return
            await asyncio.sleep(0.01)

    qt_loop.run_until_complete(until_saved())
    assert panel.model.rows()[3].status == "Completed"
    assert panel.figures().summary.answered == 17  # 16 answered before the edit

    box = panel.delete_attempt(attempt)
    assert attempt.attempt_id in box.text()
    assert box.defaultButton() == box.button(QMessageBox.StandardButton.Cancel)
    box.done(QMessageBox.StandardButton.Yes)

    async def until_deleted():
        for _ in range(300):
            if "Deleted attempt" in window.statusBar().currentMessage():
                return
            await asyncio.sleep(0.01)

    qt_loop.run_until_complete(until_deleted())
    assert attempt.attempt_id not in {a.attempt_id for a in panel.model.rows()}
    assert panel.count_label.text() == "99 of 249 loaded"


def test_cancelled_delete_changes_nothing(window, run_async) -> None:
    panel = _open_call(window, run_async)
    attempt = panel.attempt_at(0)
    box = panel.delete_attempt(attempt)
    box.done(QMessageBox.StandardButton.Cancel)
    assert panel.model.rowCount() == 100


def test_permission_errors_are_explained(window, run_async, qt_loop) -> None:
    window.engine.secrets.set("oneuptime", "demo", "ApiKey", sim.READ_ONLY_KEY)
    panel = _open_call(window, run_async)
    tab = window.vendor_tabs["oneuptime"]
    attempt = panel.attempt_at(0)
    box = panel.delete_attempt(attempt)
    box.done(QMessageBox.StandardButton.Yes)

    async def until_refused():
        for _ in range(300):
            if "Not deleted" in tab.outcome.text():
                return
            await asyncio.sleep(0.01)

    qt_loop.run_until_complete(until_refused())
    assert "Project Owner or Admin" in tab.outcome.text()
    assert panel.model.rowCount() == 100  # nothing changed without the server's yes


async def _until(condition, what: str) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


def test_summary_shows_figures_and_a_chip_per_status(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    qt_loop.run_until_complete(asyncio.wait_for(panel.load_all(), 30))
    card = window.vendor_tabs["oneuptime"].call_card.sentence.text()
    assert "250 attempts · 41 answered · 209 not answered · dial time " in card
    assert card.endswith("dial time 3:02:50 · cost $10.00")  # 10,970 s, read as h:mm:ss
    chips = {
        chip.accessibleName(): chip for chip in panel.summary.findChildren(QLabel, "statusChip")
    }
    assert set(chips) == {
        "No answer: 125 attempts, not answered",
        "Busy: 42 attempts, not answered",
        "Failed: 42 attempts, not answered",
        "Connected: 41 attempts, answered",
    }
    connected = chips["Connected: 41 attempts, answered"]
    assert connected.text().startswith("✓ Connected")  # the symbol says it, not only the colour
    assert connected.property("state") == "success"
    status_column = next(i for i, c in enumerate(panel.model.columns) if c.header == "Status")
    assert panel.proxy.index(0, status_column).data() == "✗ No answer"  # words for people


def test_unknown_status_is_shown_as_it_came(qtbot) -> None:
    view = AttemptSummaryView()
    qtbot.addWidget(view)
    attempts = [
        EscalationAttempt(vendor="v", attempt_id="1", status="Voicemail"),
        EscalationAttempt(vendor="v", attempt_id="2", status="Connected",
                          outcome=AttemptOutcome.ANSWERED, is_answered=True),
    ]  # fmt: skip
    view.show_summary(AttemptFigures(summarize(attempts), 2, 2))
    chips = {chip.text(): chip for chip in view.findChildren(QLabel, "statusChip")}
    assert chips["Voicemail  1"].property("state") == "unknown"
    assert "not known" in chips["Voicemail  1"].accessibleName()
    assert chips["✓ Connected  1"].property("state") == "success"


def test_a_refused_page_ends_load_all(window, run_async, qt_loop, simulator) -> None:
    panel = _open_call(window, run_async)
    tab = window.vendor_tabs["oneuptime"]
    simulator.add_fault("oneuptime", "status:503", count=3)
    qt_loop.run_until_complete(asyncio.wait_for(panel.load_all(), 30))
    assert panel.model.rowCount() == 100  # not retried until the fault went away
    assert "503" in tab.outcome.text()
    assert panel.load_all_button.isEnabled()


def test_load_all_can_be_cancelled(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async, sim.CALL_100K)

    async def load_then_cancel() -> None:
        # One coroutine, so the loop keeps running while pages are in flight.
        panel.load_all_button.click()
        await _until(lambda: panel.model.rowCount() >= 300, "three pages")
        assert panel.load_all_button.text() == "&Cancel loading"
        assert panel.progress.isVisible()
        panel.load_all_button.click()
        await _until(lambda: panel._load_all_task is None, "the cancel")

    run_async(load_then_cancel())
    loaded = panel.model.rowCount()
    assert 300 <= loaded < sim.LARGE_CALL_SIZE
    assert panel.load_all_button.text() == "Load &all"
    assert not panel.progress.isVisible()
    assert panel.count_label.text() == f"{loaded:,} of 100,000 loaded"
    assert "Loading stopped" in window.statusBar().currentMessage()


def test_a_new_lookup_forgets_the_server_side_order(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    dial_column = next(i for i, c in enumerate(panel.model.columns) if c.header == "Dial (s)")
    panel.table.sortByColumn(dial_column, Qt.SortOrder.DescendingOrder)
    _settle(qt_loop, panel)
    panel = _open_call(window, run_async)
    assert panel.table.horizontalHeader().sortIndicatorSection() == -1
    panel.model.fetchMore()
    _settle(qt_loop, panel)
    rows = panel.model.rows()
    assert len(rows) == 200
    starts = [attempt.started_at.timestamp() for attempt in rows if attempt.started_at]
    assert len(starts) == 200
    assert starts == sorted(starts)  # the second page continues the first one's order
    assert len({attempt.attempt_id for attempt in rows}) == 200


def test_create_an_attempt_from_the_dialog(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    dialog = panel.create_attempt()
    assert dialog is not None
    assert dialog.form.values()["incomingCallLogId"] == sim.CALL_250
    assert panel.model.total == 250
    dialog.form.set_values({"status": "Ringing"})
    dialog.accept()
    qt_loop.run_until_complete(
        _until(lambda: panel.model.total == 251, "the list after the server's yes")
    )
    assert "Created attempt" in window.statusBar().currentMessage()
    assert panel.count_label.text() == "100 of 251 loaded"


def test_a_network_error_after_new_attempt_is_said_not_a_crash(
    window, run_async, qt_loop, simulator, failures
) -> None:
    panel = _open_call(window, run_async)
    tab = window.vendor_tabs["oneuptime"]
    dialog = panel.create_attempt()
    assert dialog is not None
    dialog.form.set_values({"status": "Ringing"})
    # the attempt is created; loading the call's list again then meets reset connections
    simulator.add_fault("oneuptime", "reset", count=5, path="get-list")
    dialog.accept()
    qt_loop.run_until_complete(
        _until(lambda: "could not be loaded again" in tab.outcome.text(), "the error said")
    )
    assert tab.outcome.text().startswith("Created attempt ")
    assert tab.outcome.text().endswith("the connection was reset by the server.")
    assert not failures  # nothing reached the crash reporter


def test_a_key_that_may_not_read_is_told_so(window, run_async) -> None:
    window.engine.secrets.set("oneuptime", "demo", "ApiKey", sim.NEW_KEY)
    tab = window.vendor_tabs["oneuptime"]
    _open_call(window, run_async)
    assert tab.outcome.text().startswith("Forbidden: This API key may not read escalation")
    assert "Member or Viewer" in tab.outcome.text()
    assert tab.attempts is not None
    assert tab.attempts.model.rowCount() == 0


def test_columns_fit_the_first_list_and_keep_their_widths_after(window, run_async) -> None:
    panel = _open_call(window, run_async)
    header = panel.table.horizontalHeader()
    fitted = [header.sectionSize(column) for column in range(header.count() - 1)]
    assert all(width > 0 for width in fitted)
    header.resizeSection(0, fitted[0] + 77)  # the user widens a column
    _open_call(window, run_async, sim.SMALL_CALL)  # another call's list
    assert header.sectionSize(0) == fitted[0] + 77
    assert [header.sectionSize(c) for c in range(1, header.count() - 1)] == fitted[1:]


def test_widths_saved_last_time_are_not_refitted(window, run_async, engine, failures) -> None:
    from desktop.ui.main_window import MainWindow
    from desktop.ui.tasks import TaskRunner

    panel = _open_call(window, run_async)
    header = panel.table.horizontalHeader()
    header.resizeSection(1, header.sectionSize(1) + 55)
    saved = header.sectionSize(1)
    window.close()  # saves the column widths
    again = MainWindow(engine, TaskRunner(failures.append))
    try:
        panel = _open_call(again, run_async)
        assert panel.table.horizontalHeader().sectionSize(1) == saved
    finally:
        again.close()


def _figure_places(window, tab) -> dict[str, str]:
    """Every place that states the call's figures, read from the screen and the clipboard."""
    from PySide6.QtWidgets import QApplication

    places = {
        "card": tab.call_card.sentence.text(),
        "status bar": window.statusBar().currentMessage(),
        "summary": tab.attempts.summary.text(),
    }
    window.copy_summary_action.trigger()
    return places | {"copied": QApplication.clipboard().text()}


def test_every_place_states_the_same_figures_whatever_the_sort(window, run_async, qt_loop) -> None:
    panel = _open_call(window, run_async)
    tab = window.vendor_tabs["oneuptime"]
    first = "250 attempts · first 100 loaded: 16 answered · 84 not answered"
    for place, text in _figure_places(window, tab).items():
        assert first in text, place
    # A server-side sort re-pages: the rows change, the figures do not.
    dial_column = next(i for i, c in enumerate(panel.model.columns) if c.header == "Dial (s)")
    panel.table.sortByColumn(dial_column, Qt.SortOrder.DescendingOrder)
    _settle(qt_loop, panel)
    assert panel.proxy.index(0, dial_column).data() == "134"
    for place, text in _figure_places(window, tab).items():
        assert first in text, place
    # Load all (in the sorted order): the figures become the whole call's, everywhere.
    qt_loop.run_until_complete(asyncio.wait_for(panel.load_all(), 30))
    whole = "250 attempts · 41 answered · 209 not answered"
    for place, text in _figure_places(window, tab).items():
        assert whole in text, place
        assert "100" not in text.split("·")[1], place
    assert "of all 250" in panel.figures().scope()
    assert not tab.call_card.facts.isVisible()  # no caveat once the figures are the call's


def test_the_table_reads_like_a_spreadsheet(window, run_async) -> None:
    panel = _open_call(window, run_async)
    columns = {c.header: i for i, c in enumerate(panel.model.columns)}
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    for header in ("Dial (s)", "Cost (USD)"):
        index = panel.proxy.index(0, columns[header])
        assert index.data(Qt.ItemDataRole.TextAlignmentRole) == right, header
    assert panel.proxy.index(0, columns["User"]).data(Qt.ItemDataRole.TextAlignmentRole) is None
    assert panel.table.textElideMode() == Qt.TextElideMode.ElideRight
    attempt_id = panel.proxy.index(0, columns["Attempt ID"])
    assert attempt_id.data() in attempt_id.data(Qt.ItemDataRole.ToolTipRole)
    panel.filter.setText("busy")
    assert panel.count_label.text() == f"{panel.proxy.rowCount()} of 100 match"
    assert 0 < panel.proxy.rowCount() < 100
    panel.filter.clear()
    assert panel.count_label.text() == "100 of 250 loaded"


def test_the_raw_view_shows_the_current_list_indented(window, run_async) -> None:
    """The list's body is kept compact and indented only when the raw view is shown: what it
    shows is the answer to the last lookup, as OneUptime sent it."""
    tab = window.vendor_tabs["oneuptime"]
    for call_id in (sim.CALL_250, sim.CALL_100K):
        panel = _open_call(window, run_async, call_id)
        assert tab.raw_view.toPlainText() == ""  # made when its tab is shown
        tab.results.setCurrentWidget(tab.raw_view)
        shown = tab.raw_view.toPlainText()
        body = json.loads(shown)
        assert shown == json.dumps(body, indent=2, ensure_ascii=False)
        assert [item["_id"] for item in body["data"]] == [
            attempt.attempt_id for attempt in panel.model.rows()
        ]
        assert {item["incomingCallLogId"]["value"] for item in body["data"]} == {call_id}


def test_load_all_adds_its_pages_to_the_table_a_few_times_a_second(
    window, run_async, qt_loop, monkeypatch
) -> None:
    """Each insertion repaints the table, so pages that arrive within LABELS_EVERY_MS of the
    last insertion join it together (however fast they come, the table takes rows at most a
    few times a second); every page answered is in the table once the run is stopped."""
    panel = _open_call(window, run_async, sim.CALL_100K)
    _settle(qt_loop, panel)
    insertions: list[float] = []
    panel.model.rowsInserted.connect(lambda *_: insertions.append(time.monotonic()))
    attempts_api = panel._engine.attempts
    asked_page = attempts_api.page
    answered: list[int] = []

    async def counted_page(*args, **kwargs):
        page = await asked_page(*args, **kwargs)
        answered.append(len(page.attempts))
        return page

    # Counted where the answers arrive, not at the server: a request the cancel cuts off, or
    # the first page still on its way when the run starts, must not skew the count.
    monkeypatch.setattr(attempts_api, "page", counted_page)
    shown_before = panel.model.rowCount() + len(panel._held)

    async def load_then_cancel() -> None:
        panel.load_all_button.click()
        await _until(lambda: len(answered) >= 12, "pages")
        panel.load_all_button.click()
        await _until(lambda: panel._load_all_task is None, "the cancel")

    run_async(load_then_cancel())
    assert panel.model.rowCount() == shown_before + sum(answered)
    assert not panel._held
    gaps = [later - earlier for earlier, later in itertools.pairwise(insertions[:-1])]
    assert all(gap >= LABELS_EVERY_MS / 1000 * 0.9 for gap in gaps)


def test_sorting_during_load_all_shows_none_of_the_rows_held_in_the_old_order(
    window, run_async, qt_loop
) -> None:
    panel = _open_call(window, run_async, sim.CALL_100K)
    dial_column = next(i for i, c in enumerate(panel.model.columns) if c.header == "Dial (s)")

    async def load_then_sort() -> None:
        panel.load_all_button.click()
        await _until(lambda: bool(panel._held), "a page held for the table")
        panel.table.sortByColumn(dial_column, Qt.SortOrder.DescendingOrder)
        await asyncio.sleep(LABELS_EVERY_MS / 1000 * 2)

    run_async(load_then_sort())
    _settle(qt_loop, panel)
    assert panel.model.rowCount() == 100
    dials = [attempt.dial_duration_seconds or 0.0 for attempt in panel.model.rows()]
    assert dials == sorted(dials, reverse=True)  # the top of the call by dial time, only


def test_columns_are_fitted_to_the_rows_in_view_as_their_cells_read(
    window, run_async, monkeypatch
) -> None:
    """Sizing reads the records' column texts directly (not each cell through Qt): the same
    widths as from the cells the view shows, also when the proxy sorts the rows otherwise."""
    from desktop.ui import table_models
    from desktop.ui.table_models import WIDTHS_SETTLED, fit_columns

    panel = _open_call(window, run_async)
    dial_column = next(i for i, c in enumerate(panel.model.columns) if c.header == "Dial (s)")
    panel.proxy.sort(dial_column, Qt.SortOrder.DescendingOrder)  # view rows != model rows
    header = panel.table.horizontalHeader()

    def fitted() -> list[int]:
        header.setProperty(WIDTHS_SETTLED, None)
        for column in range(header.count()):
            header.resizeSection(column, 10)
        fit_columns(panel.table, once=True)
        return [header.sectionSize(column) for column in range(header.count() - 1)]

    from_records = fitted()
    monkeypatch.setattr(table_models, "_records_in_view", lambda _model, _rows: None)
    assert fitted() == from_records
