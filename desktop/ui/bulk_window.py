"""Bulk lookup window (Lookup → Bulk lookup, Ctrl+B): a column of IDs in, a table of answers out.

The IDs come pasted (a spreadsheet's column, with or without its header) or from a CSV, TSV,
XLSX or ODS file whose column is picked. The runs are ``desktop.bulk.BulkRun``s on a thread of
their own (``BulkThread``: its own event loop, the app's profiles, history and rate limiters, so
the tabs' requests and the run's count together). Outcomes gather there and are shown every
``FLUSH_MS`` in one table update, so thousands of answers never hold the window up; the progress
bar, the rate and the time left change with them.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from pydantic import JsonValue
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.bulk import (
    KEY_ROLES,
    BulkJob,
    BulkOutcome,
    BulkRun,
    BulkState,
    BulkThread,
    plan_every_vendor,
    plan_jobs,
    table_row,
)
from desktop.core.blocking import run_blocking
from desktop.core.bulk_io import Table, parse_text, read_table, write_xlsx
from desktop.core.errors import CallLookupError
from desktop.core.export import headers_of
from desktop.core.models import FieldRole
from desktop.core.settings import EXPORT_FOLDER
from desktop.engine import LookupEngine
from desktop.ui.settings import preferences, remember, ui_settings
from desktop.ui.table_actions import TableCopier
from desktop.ui.table_models import AnyIndex, Column, RecordTableModel, fit_columns, make_table
from desktop.ui.tasks import TaskRunner
from desktop.ui.theme import Tone
from desktop.vendors import VENDORS, get_vendor

#: How often gathered outcomes reach the table, the progress bar and the rate: each time
#: repaints the window (the progress bar repaints at once when its value changes), tens of
#: milliseconds of CPU on a loaded machine, so four times a second, not ten.
FLUSH_MS = 250
#: The first rows the columns are fitted to (as many as ``fit_columns`` measures).
FIT_FROM_ROWS = 20
#: The vendor choice that asks every configured vendor taking the column's kind of value.
EVERY_VENDOR = ""
_STATE_COLOURS: dict[BulkState, Tone] = {
    BulkState.FOUND: "success",
    BulkState.NOT_FOUND: "pending",
    BulkState.ERROR: "failure",
}


#: The states "Retry the failed" asks again: ended in error, or left unanswered by a cancel.
_ASKED_AGAIN = frozenset((BulkState.ERROR, BulkState.CANCELLED, BulkState.QUEUED,
                          BulkState.ASKING))  # fmt: skip
_FINAL = frozenset(state for state in BulkState if state.is_final)

#: The record of a row without an answer yet (one for all: a run lays out 10,000 rows at once).
_NO_RECORD: Mapping[str, JsonValue] = MappingProxyType({})


class BulkRow(NamedTuple):
    """One ID asked of one vendor profile, as the table shows it. (A tuple: a run lays out one
    per ID when it starts, and 10,000 dataclasses took longer than the window may stall.)"""

    id: str
    vendor: str
    vendor_title: str
    profile: str
    state: BulkState = BulkState.QUEUED
    message: str = ""
    #: The key columns as copies take them, and as the screen shows them (``key_texts``).
    key_cells: tuple[str, ...] = ("",) * len(KEY_ROLES)
    key_texts: tuple[str, ...] = ("",) * len(KEY_ROLES)
    #: The result's first record with typed values (the XLSX export's cells).
    record: Mapping[str, JsonValue] = _NO_RECORD

    def answered(self, outcome: BulkOutcome) -> BulkRow:
        if not outcome.state.is_final:
            return self._replace(state=outcome.state, message=outcome.message)
        cells = outcome.cells
        return self._replace(
            state=outcome.state,
            message=outcome.message,
            key_cells=cells.key_cells,
            key_texts=cells.key_texts,
            record=cells.record,
        )

    def export_row(self) -> dict[str, JsonValue]:
        leading: dict[str, JsonValue] = {"id": self.id, "vendor": self.vendor,
                                         "profile": self.profile, "state": self.state.value,
                                         "message": self.message}  # fmt: skip
        return table_row(leading, self.record)


def _key_column(position: int, role: FieldRole, header: str) -> Column[BulkRow]:
    zone_label = "" if role is FieldRole.STARTED else None  # the zone in the header, once
    return Column(header, lambda row: row.key_texts[position],
                  clipboard=lambda row: row.key_cells[position], zone_label=zone_label)  # fmt: skip


BULK_COLUMNS: tuple[Column[BulkRow], ...] = (
    Column("ID", lambda row: row.id),
    Column("Vendor", lambda row: f"{row.vendor_title} ({row.profile})"),
    Column(
        "State",
        lambda row: row.state.label,
        clipboard=lambda row: row.state.value,
        state=lambda row: _STATE_COLOURS.get(row.state),
    ),
    *(_key_column(position, role, header) for position, (role, header) in enumerate(KEY_ROLES)),
    Column("Message", lambda row: row.message, tooltip=lambda row: row.message or None),
)


#: What a table's delegate asks of every cell it paints that no bulk column gives (a bulk table
#: has no numeric column, no icon, no check box, no font of its own).
_NOT_GIVEN_ROLES = frozenset(
    (Qt.ItemDataRole.FontRole, Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.CheckStateRole,
     Qt.ItemDataRole.TextAlignmentRole, Qt.ItemDataRole.SizeHintRole)
)  # fmt: skip
#: The one column with colours.
_COLOURED_COLUMN = next(n for n, column in enumerate(BULK_COLUMNS) if column.state is not None)


class BulkTableModel(RecordTableModel[BulkRow]):
    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The painter's questions answered first: a viewport of rows repaints several times
        a second while answers come in, each cell asking seven roles."""
        if role == Qt.ItemDataRole.DisplayRole:
            rows, number = self._rows, index.row()
            return self._columns[index.column()].display(rows[number]) if 0 <= number < len(
                rows) else None  # fmt: skip
        if role in _NOT_GIVEN_ROLES:
            return None
        if (role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole)
                and index.column() != _COLOURED_COLUMN):  # fmt: skip
            return None
        return super().data(index, role)

    def update_rows(self, changes: dict[int, BulkRow], shown: range | None = None) -> None:
        """Replace rows by number and repaint their span in one signal: only its part among
        the ``shown`` rows, when given. (The table repaints its whole viewport for any span of
        several rows, in sight or not, ~30 ms each time; a row out of sight is read from the
        model when it scrolls in.)"""
        if not changes:
            return
        for number, row in changes.items():
            self._rows[number] = row
        first, last = min(changes), max(changes)
        if shown is not None:
            first, last = max(first, shown.start), min(last, shown.stop - 1)
        if first <= last:
            last_column = len(self.columns) - 1
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column), [])


def duration_words(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class BulkWindow(QWidget):
    """The window; one per main window, kept when closed so a run goes on in the background."""

    reported = Signal(str)

    def __init__(
        self, engine: LookupEngine, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("bulkWindow")
        self.setWindowTitle("Bulk lookup")
        self.resize(1000, 640)
        self._engine = engine
        self._tasks = tasks
        self._table_in: Table | None = None
        #: The runs since Start, with the table row of each of their inputs.
        self._rows_of: dict[BulkRun, list[int]] = {}
        #: The runs' thread while runs are under way or their last outcomes not shown yet.
        self._thread: BulkThread | None = None
        self._pending: dict[int, BulkRow] = {}
        #: How many rows hold a final state (kept as rows change: counting 10,000 rows ten
        #: times a second was 6 % of the window's time).
        self._done = 0
        self._started = 0.0
        self._paused_at: float | None = None
        self._paused_seconds = 0.0
        self._done_at_start = 0
        self._fitted_to_answers = False

        self._build_input()
        self._build_vendor_choice()
        self._build_run_controls()
        self._build_results()
        self._build_layout()
        self._connect_signals()
        self._fill_profiles()
        self._update_buttons()

    # -- building --------------------------------------------------------------------------
    def _build_input(self) -> None:
        """The pasted text, or the file and the column of IDs it is read from."""
        self.paste = QPlainTextEdit()
        self.paste.setObjectName("bulkPaste")
        self.paste.setPlaceholderText(
            "Paste a column of IDs from a spreadsheet (with or without its header), or open a file."
        )
        self.paste.setMaximumHeight(120)
        self.open_button = QPushButton("&Open file…")
        self.open_button.setObjectName("bulkOpenFile")
        self.column_combo = QComboBox()
        self.column_combo.setObjectName("bulkColumn")
        self.column_combo.setAccessibleName("Column with the IDs")
        self.input_summary = QLabel("No IDs yet.")
        self.input_summary.setObjectName("bulkInputSummary")

    def _build_vendor_choice(self) -> None:
        """Which vendor and profile are asked, and the input's error under them."""
        self.vendor_combo = QComboBox()
        self.vendor_combo.setObjectName("bulkVendor")
        self.vendor_combo.addItem("Every vendor that takes this kind of value", EVERY_VENDOR)
        for vendor in VENDORS:
            self.vendor_combo.addItem(vendor.title, vendor.key)
        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("bulkProfile")
        self.profile_combo.setAccessibleName("Profile")
        self.error_label = QLabel()
        self.error_label.setObjectName("bulkInputError")
        self.error_label.setProperty("role", "error")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

    def _build_run_controls(self) -> None:
        """Start, pause, cancel, retry and export, and the progress with its rate."""
        self.start_button = QPushButton("&Start")
        self.start_button.setObjectName("bulkStart")
        self.pause_button = QPushButton("&Pause")
        self.pause_button.setObjectName("bulkPause")
        self.cancel_button = QPushButton("&Cancel")
        self.cancel_button.setObjectName("bulkCancel")
        self.retry_button = QPushButton("&Retry the failed")
        self.retry_button.setObjectName("bulkRetry")
        self.xlsx_button = QPushButton("Export &XLSX…")
        self.xlsx_button.setObjectName("bulkExportXlsx")
        self.progress = QProgressBar()
        self.progress.setObjectName("bulkProgress")
        self.progress.setFormat("%v / %m")
        self.progress.setValue(0)
        self.rate_label = QLabel()
        self.rate_label.setObjectName("bulkRate")

    def _build_results(self) -> None:
        """The table of answers, one row per ID and vendor profile."""
        self.model = BulkTableModel(BULK_COLUMNS, self)
        self.table = make_table("bulkResults", self.model, "Bulk lookup results")
        # Ten columns hardly ever fit: a scroll bar that appears when the columns are fitted to
        # the first answers would lay the table out and paint it all once more (~25 ms).
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        # Asked once, here: the first QWidget a process gets back from Qt has Shiboken build
        # the Python enums of every widget class (~65 ms); asked at a run's first flush, that
        # was the run's longest stall.
        self._table_viewport = self.table.viewport()
        self.copier = TableCopier(self.table, self._tasks, lambda text, _state: self._say(text))

    def _build_layout(self) -> None:
        """The widgets in rows (the order they join the window in is the tab order)."""
        source_row = QHBoxLayout()
        source_row.addWidget(self.open_button)
        source_row.addWidget(QLabel("Column:"))
        source_row.addWidget(self.column_combo, 1)
        source_row.addWidget(self.input_summary, 2)
        vendor_row = QHBoxLayout()
        vendor_row.addWidget(QLabel("Vendor:"))
        vendor_row.addWidget(self.vendor_combo, 2)
        vendor_row.addWidget(QLabel("Profile:"))
        vendor_row.addWidget(self.profile_combo, 1)
        for button in (self.start_button, self.pause_button, self.cancel_button,
                       self.retry_button, self.xlsx_button):  # fmt: skip
            vendor_row.addWidget(button)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 2)
        progress_row.addWidget(self.rate_label, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.paste)
        layout.addLayout(source_row)
        layout.addLayout(vendor_row)
        layout.addWidget(self.error_label)
        layout.addLayout(progress_row)
        layout.addWidget(self.table, 1)

    def _connect_signals(self) -> None:
        """The timers that parse the pasted text and show gathered outcomes, and the signals."""
        self._parse_timer = QTimer(self)
        self._parse_timer.setSingleShot(True)
        self._parse_timer.setInterval(200)
        self._parse_timer.timeout.connect(self._parse_paste)
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FLUSH_MS)
        self._flush_timer.timeout.connect(self._flush)
        self._fit_timer = QTimer(self)
        self._fit_timer.setSingleShot(True)
        self._fit_timer.setInterval(FLUSH_MS // 2)
        self._fit_timer.timeout.connect(lambda: fit_columns(self.table))
        self.paste.textChanged.connect(self._parse_timer.start)
        self.open_button.clicked.connect(self.open_file_with_dialog)
        self.column_combo.currentIndexChanged.connect(self._count_ids)
        self.vendor_combo.currentIndexChanged.connect(self._fill_profiles)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button.clicked.connect(self.retry_failed)
        self.xlsx_button.clicked.connect(self.export_xlsx_with_dialog)

    # -- input -------------------------------------------------------------------------------
    def _say(self, text: str) -> None:
        self.reported.emit(text)

    def _show_error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(bool(text))

    def _parse_paste(self) -> None:
        text = self.paste.toPlainText()
        self.set_table(parse_text(text) if text.strip() else None)

    def set_table(self, table: Table | None) -> None:
        """Show a parsed input's columns; the one named like the vendor's input is chosen."""
        self._table_in = table
        self.column_combo.blockSignals(True)
        self.column_combo.clear()
        if table is not None:
            self.column_combo.addItems(table.columns)
            self.column_combo.setCurrentIndex(table.column_index(None, self._preferred_names()))
        self.column_combo.blockSignals(False)
        self._count_ids()

    def _preferred_names(self) -> list[str]:
        return [spec.name for vendor in VENDORS for spec in vendor.input_fields]

    def ids(self) -> list[str]:
        if self._table_in is None or self.column_combo.currentIndex() < 0:
            return []
        return self._table_in.ids(self.column_combo.currentIndex())

    def _count_ids(self) -> None:
        count = len(self.ids())
        has_header = self._table_in is not None and self._table_in.has_header
        header = " (first row taken as the header)" if has_header else ""
        self.input_summary.setText(f"{count:,} unique IDs{header}" if count else "No IDs yet.")
        self._show_error("")

    def open_file_with_dialog(self) -> None:
        folder = str(ui_settings().value("bulk_folder", str(Path.home())))
        path, _chosen = QFileDialog.getOpenFileName(
            self, "Open a column of IDs", folder,
            "Tables (*.csv *.tsv *.txt *.xlsx *.xlsm *.xls *.ods);;All files (*)",
        )  # fmt: skip
        if path:
            ui_settings().setValue("bulk_folder", str(Path(path).parent))
            self._tasks.start(self.open_file(Path(path)), "bulk-open")

    async def open_file(self, path: Path) -> None:
        """Read the file off the event loop; its columns replace the pasted text's."""
        try:
            table = await run_blocking(read_table, path)
        except CallLookupError as error:
            self._show_error(error.message)
            return
        self.paste.blockSignals(True)
        self.paste.clear()
        self.paste.blockSignals(False)
        self.set_table(table)
        self._say(f"Opened {path.name}.")

    def _fill_profiles(self) -> None:
        key = self.vendor_combo.currentData()
        self.profile_combo.clear()
        if key:
            self.profile_combo.addItems([p.name for p in self._engine.profiles.list(key)])
        self.profile_combo.setEnabled(bool(key))

    # -- running ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None

    def _named_input(self, key: str) -> str | None:
        """The column's header when it names one of the vendor's inputs (e.g. '_id' for
        OneUptime attempt IDs): the IDs go to that input instead of the call or request ID."""
        if self._table_in is None or not self._table_in.has_header:
            return None
        header = self.column_combo.currentText()
        names = {spec.name for spec in get_vendor(key).input_fields}
        return header if header in names else None

    def _plan(self, ids: list[str]) -> list[BulkJob] | None:
        key = self.vendor_combo.currentData()
        try:
            if key:
                profile = self.profile_combo.currentText() or None
                return plan_jobs(self._engine, key, profile, self._named_input(key))
            jobs = plan_every_vendor(self._engine, ids)
        except CallLookupError as error:
            self._show_error(error.message)
            return None
        if not jobs:
            self._show_error("No configured profile takes this kind of value.")
            return None
        return jobs

    def start(self) -> None:
        """Validate, lay out one queued row per ID and vendor profile, and run; nothing is sent
        when the input or the profile is not usable (the reason shows above the table)."""
        if self.running:
            return
        ids = self.ids()
        if not ids:
            self._show_error("Paste or open a column of IDs first.")
            return
        jobs = self._plan(ids)
        if jobs is None:
            return
        self._show_error("")
        rows = [BulkRow(value, job.vendor.key, job.vendor.title, job.profile)
                for job in jobs for value in ids]  # fmt: skip
        self.model.set_rows(rows)
        self._done = 0
        fit_columns(self.table)
        self._fitted_to_answers = False
        self._rows_of = {}
        for number, job in enumerate(jobs):
            first = number * len(ids)
            self._launch(job, ids, list(range(first, first + len(ids))))

    def _launch(self, job: BulkJob, ids: list[str], rows: list[int]) -> None:
        if self._thread is None:
            # The window, the app and the rows just laid out live on: out of the cyclic
            # collector's reach, or each of its full passes during the run (thousands of
            # answers allocate fast) holds every thread, the window's too, for ~100 ms.
            gc.collect(1)
            gc.freeze()
            self._thread = BulkThread(self._engine)
            self._started = time.monotonic()
            self._paused_seconds = 0.0
            self._paused_at = None
            self._done_at_start = self._done
        self._rows_of[self._thread.start(job, ids)] = rows
        self._flush_timer.start()
        self._update_buttons()

    def _gather(self) -> bool:
        """The outcomes the runs' thread gathered, into the pending rows; True when the runs
        are over and every outcome is here (the thread is closed then)."""
        thread = self._thread
        if thread is None:
            return False
        over = not thread.running  # read first: an ended run's outcomes are all gathered then
        for run, outcome in thread.take():
            number = self._rows_of[run][outcome.index]
            current = self._pending.get(number) or self.model.row_at(number)
            self._pending[number] = current.answered(outcome)
        if thread.history_written.is_set():  # the history panel refreshes on this thread
            thread.history_written.clear()
            self._engine.history_error = thread.engine.history_error
            for listener in self._engine.history_listeners:
                listener()
        if thread.failure is not None:
            self._tasks.report(thread.failure, "bulk run")
            thread.failure = None
        if over:
            thread.close()
            self._thread = None
        return over

    def _finished(self) -> None:
        counts = {state: 0 for state in BulkState}
        for row in self.model.rows():
            counts[row.state] += 1
        self._say(
            f"Bulk lookup {'cancelled' if self._cancelled() else 'done'}: "
            f"{counts[BulkState.FOUND]:,} found, {counts[BulkState.NOT_FOUND]:,} not found, "
            f"{counts[BulkState.ERROR]:,} failed, of {self._done:,} looked up."
        )
        self._update_buttons()

    def _cancelled(self) -> bool:
        return any(run.cancelled for run in self._rows_of)

    def _show_rows(self, changes: dict[int, BulkRow]) -> None:
        row_at = self.model.row_at
        for number, row in changes.items():  # the count of final rows follows the changes
            self._done += (row.state in _FINAL) - (row_at(number).state in _FINAL)
        # The progress first: QProgressBar.setValue repaints at once, and with the table's
        # changes pending that paint would take the whole window into this same callback.
        self._show_progress()
        self.model.update_rows(changes, self._shown_rows())

    def _shown_rows(self) -> range:
        """The table's rows in sight (some may be only partly)."""
        first = self.table.rowAt(0)
        if first < 0:
            return range(0)
        last = self.table.rowAt(self._table_viewport.height() - 1)
        return range(first, (last if last >= 0 else self.model.rowCount() - 1) + 1)

    def _flush(self) -> None:
        """Gathered outcomes to the progress, rate and time left, then to the table."""
        over = self._gather()
        changes, self._pending = self._pending, {}
        self._show_rows(changes)
        if changes:
            # The answers just shown live as long as the table: out of the cyclic collector's
            # reach too (after a young pass, so that no short-lived garbage is kept with them).
            gc.collect(1)
            gc.freeze()
        if not self._fitted_to_answers and self._first_rows_answered(over):
            # Once, when the rows the widths are measured on hold their answers (their state
            # words and the vendor's columns): fitted to 'asking', 'not found' was elided. A
            # moment later, so that the table's repaint for these widths and the one for the
            # rows just changed do not both fall on one turn of the event loop (~25 ms each).
            self._fit_timer.start()
            self._fitted_to_answers = True
        if over:
            self._flush_timer.stop()
            self._finished()

    def _first_rows_answered(self, over: bool) -> bool:
        first = range(min(self.model.rowCount(), FIT_FROM_ROWS))
        return over or all(self.model.row_at(number).state.is_final for number in first)

    def _show_progress(self) -> None:
        total = self.model.rowCount()
        done = self._done
        # QProgressBar repaints at once when its value changes: with the table's changes (or
        # its first paint after Start) pending, that took the whole window into this callback.
        # With updates off it asks for an ordinary paint instead, with the window's next one.
        self.progress.setUpdatesEnabled(False)
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)
        self.progress.setUpdatesEnabled(True)
        paused = self._paused_seconds + (time.monotonic() - self._paused_at
                                         if self._paused_at is not None else 0.0)  # fmt: skip
        elapsed = time.monotonic() - self._started - paused
        answered = done - self._done_at_start
        if self._paused_at is not None:
            self.rate_label.setText("Paused.")
        elif answered and elapsed > 0 and self.running:
            rate = answered / elapsed
            left = (total - done) / rate
            self.rate_label.setText(f"{rate:.1f} IDs/s · about {duration_words(left)} left")
        elif not self.running:
            self.rate_label.setText(f"{done:,} of {total:,} looked up.")

    def toggle_pause(self) -> None:
        if self._thread is None:
            return
        if self._paused_at is None:
            self._paused_at = time.monotonic()
            for run in self._rows_of:
                self._thread.pause(run)
        else:
            self._paused_seconds += time.monotonic() - self._paused_at
            self._paused_at = None
            for run in self._rows_of:
                self._thread.resume(run)
        self._flush()
        self._update_buttons()

    def cancel(self) -> None:
        if self._thread is None:
            return
        for run in self._rows_of:
            self._thread.cancel(run)
        if self._paused_at is not None:
            self._paused_seconds += time.monotonic() - self._paused_at
            self._paused_at = None

    def retry_failed(self) -> None:
        """Ask again the IDs that ended in error (and those a cancel left unanswered)."""
        if self.running:
            return
        rows = self.model.rows()
        again = [number for number, row in enumerate(rows) if row.state in _ASKED_AGAIN]
        if not again:
            self._say("Nothing failed: nothing to retry.")
            return
        jobs = {(run.job.vendor.key, run.job.profile): run.job for run in self._rows_of}
        by_job: dict[tuple[str, str], list[int]] = {}
        queued = {}
        for number in again:  # 10,000 of them must not hold the window up (~40 ms, not ~130)
            row = rows[number]
            by_job.setdefault((row.vendor, row.profile), []).append(number)
            # None of these has an answer to keep: a fresh queued row.
            queued[number] = BulkRow(row.id, row.vendor, row.vendor_title, row.profile)
        self._show_rows(queued)
        for key, numbers in by_job.items():
            self._launch(jobs[key], [rows[n].id for n in numbers], numbers)

    def _update_buttons(self) -> None:
        running = self.running
        self.start_button.setEnabled(not running)
        self.pause_button.setEnabled(running)
        self.pause_button.setText("&Resume" if self._paused_at is not None else "&Pause")
        self.cancel_button.setEnabled(running)
        has_rows = self.model.rowCount() > 0
        self.retry_button.setEnabled(not running and has_rows)
        self.xlsx_button.setEnabled(has_rows)

    # -- export ----------------------------------------------------------------------------
    def export_xlsx_with_dialog(self) -> None:
        folder = preferences().get(EXPORT_FOLDER) or str(Path.home())
        path, _chosen = QFileDialog.getSaveFileName(
            self, "Export results", folder, "Excel workbook (*.xlsx)"
        )
        if path:
            if not path.lower().endswith(".xlsx"):
                path += ".xlsx"
            remember(EXPORT_FOLDER, str(Path(path).parent))
            self._tasks.start(self.export_xlsx(Path(path)), "bulk-xlsx")

    async def export_xlsx(self, path: Path) -> None:
        """The table's rows with every record field, typed, written off the event loop."""
        rows = [row.export_row() for row in self.model.rows()]
        columns = headers_of(rows)
        try:
            await run_blocking(write_xlsx, path, columns, rows)
        except OSError as error:
            self._say(f"Export failed: {error.strerror or error}")
            return
        self._say(f"Exported {len(rows):,} rows to {path}.")
