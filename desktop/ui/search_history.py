"""Search everywhere (Ctrl+L) and the lookup history, as docks of the main window.

Both hand a result to the vendor's tab to show it: a search outcome as it arrived, a history
entry from its stored snapshot (offline), or again by re-running the same parameters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.blocking import run_blocking
from desktop.core.history import (
    DEFAULT_MAX_AGE_DAYS,
    DEFAULT_MAX_ENTRIES,
    HistoryEntry,
    HistoryQuery,
)
from desktop.core.models import LookupResult
from desktop.core.timefmt import local_text
from desktop.engine import LookupEngine
from desktop.search import SearchOutcome, classify, clean_value, plan_search, search_everywhere
from desktop.ui.settings import ui_settings
from desktop.ui.table_models import Column, RecordTableModel, fit_columns, make_table, show_rows
from desktop.ui.tasks import TaskRunner

ShowResult = Callable[[str, LookupResult], None]
RerunLookup = Callable[[str, str, dict[str, str]], None]

_STATE_COLOURS = {"found": "success", "not found": "pending"}

SEARCH_COLUMNS: tuple[Column[SearchOutcome], ...] = (
    Column("Vendor", lambda o: o.vendor_title),
    Column("Profile", lambda o: o.profile),
    Column("Outcome", lambda o: o.state, state=lambda o: _STATE_COLOURS.get(o.state, "failure")),
    Column("Time", lambda o: f"{o.elapsed * 1000:.0f} ms", lambda o: o.elapsed),
    Column("Answer", lambda o: o.message, tooltip=lambda o: o.message),
)
HISTORY_COLUMNS: tuple[Column[HistoryEntry], ...] = (
    Column("When", lambda e: local_text(e.at), lambda e: e.at.timestamp()),
    Column("Vendor", lambda e: e.vendor),
    Column("Profile", lambda e: e.profile),
    Column("Parameters", lambda e: " ".join(f"{k}={v}" for k, v in e.params.items())),
    Column("Outcome", lambda e: e.outcome,
           state=lambda e: _STATE_COLOURS.get(e.outcome, "failure")),
    Column("Time", lambda e: f"{e.duration * 1000:.0f} ms", lambda e: e.duration),
    Column("Answer", lambda e: e.message, tooltip=lambda e: e.message),
)  # fmt: skip


class SearchPanel(QDockWidget):
    def __init__(
        self, engine: LookupEngine, tasks: TaskRunner, show_result: ShowResult,
        parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__("Search everywhere", parent)
        self.setObjectName("searchPanel")
        self._engine = engine
        self._tasks = tasks
        self._show_result = show_result
        self._task: asyncio.Task[None] | None = None
        self.box = QLineEdit()
        self.box.setObjectName("searchBox")
        self.box.setPlaceholderText("Paste a call ID, request ID, extension or phone number")
        self.box.setAccessibleName("Search everywhere")
        self.box.setClearButtonEnabled(True)
        self.box.returnPressed.connect(self.trigger)
        self.button = QPushButton("&Search")
        self.button.setObjectName("searchButton")
        self.button.clicked.connect(self.trigger)
        self.state = QLabel("Every configured vendor that takes the value is asked at once.")
        self.state.setObjectName("searchState")
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.state.setWordWrap(True)
        self.model: RecordTableModel[SearchOutcome] = RecordTableModel(SEARCH_COLUMNS, self)
        self.table = make_table("searchResultsTable", self.model, "Search results")
        show_rows(self.table, 5)
        self.table.doubleClicked.connect(self._open)
        row = QHBoxLayout()
        row.addWidget(self.box, 1)
        row.addWidget(self.button)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(row)
        layout.addWidget(self.state)
        layout.addWidget(self.table, 1)
        self.setWidget(body)

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def trigger(self) -> asyncio.Task[None] | None:
        if self.running:
            assert self._task is not None
            self._task.cancel()
            return None
        value = clean_value(self.box.text())
        if not classify(value):
            self.state.setText("This looks like no call ID, request ID, extension or number.")
            return None
        if not plan_search(self._engine, value):
            self.state.setText("No configured profile takes this kind of value.")
            return None
        self.box.setText(value)
        self.model.set_rows([])
        self._task = self._tasks.start(self._run(value), name="search")
        return self._task

    async def _run(self, value: str) -> None:
        self.button.setText("&Cancel")
        self.state.setText(f"Searching for {value}…")
        stream = search_everywhere(self._engine, value)
        try:
            async for outcome in stream:
                self.model.append_rows([outcome])
                fit_columns(self.table)
            found = sum(o.state == "found" for o in self.model.rows())
            self.state.setText(f"{found} of {self.model.rowCount()} vendors found {value}.")
        except asyncio.CancelledError:
            self.state.setText("Search cancelled: the answers so far stay.")
            raise
        finally:
            await stream.aclose()
            self.button.setText("&Search")

    def _open(self, index: QModelIndex) -> None:
        outcome = self.model.row_at(index.row())
        if outcome.result is not None:
            self._show_result(outcome.vendor, outcome.result)


class HistoryPanel(QDockWidget):
    def __init__(
        self, engine: LookupEngine, tasks: TaskRunner, show_result: ShowResult,
        rerun: RerunLookup, parent: QWidget | None = None,
    ) -> None:  # fmt: skip
        super().__init__("History", parent)
        self.setObjectName("historyPanel")
        self._engine = engine
        self._tasks = tasks
        self._show_result = show_result
        self._rerun = rerun
        self.filter = QLineEdit()
        self.filter.setObjectName("historyFilter")
        self.filter.setPlaceholderText("Search the history (parameters, answers, vendors)")
        self.filter.setAccessibleName("Search history")
        self.filter.textChanged.connect(lambda _text: self.refresh())
        self.model: RecordTableModel[HistoryEntry] = RecordTableModel(HISTORY_COLUMNS, self)
        self.table = make_table("historyTable", self.model, "Lookup history")
        show_rows(self.table, 6)
        self.table.doubleClicked.connect(self._open)
        self.note = QLabel()
        self.note.setObjectName("historyNote")
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        buttons = QHBoxLayout()
        for name, text, slot in (
            ("rerunButton", "&Re-run", self.rerun_selected),
            ("deleteHistoryButton", "&Delete", self.delete_selected),
            ("clearHistoryButton", "C&lear all", self.clear),
        ):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        settings = ui_settings()
        self.max_entries = QSpinBox()
        self.max_entries.setObjectName("historyMaxEntries")
        self.max_entries.setRange(10, 1_000_000)
        self.max_entries.setValue(int(str(settings.value("history_max_entries",
                                                          DEFAULT_MAX_ENTRIES))))  # fmt: skip
        self.max_days = QSpinBox()
        self.max_days.setObjectName("historyMaxAgeDays")
        self.max_days.setRange(1, 3650)
        self.max_days.setValue(int(str(settings.value("history_max_age_days",
                                                       DEFAULT_MAX_AGE_DAYS))))  # fmt: skip
        for spin, suffix in ((self.max_entries, " entries"), (self.max_days, " days")):
            spin.setSuffix(suffix)
            spin.editingFinished.connect(self.apply_retention)
        buttons.addWidget(QLabel("Keep at most"))
        buttons.addWidget(self.max_entries)
        buttons.addWidget(QLabel("for"))
        buttons.addWidget(self.max_days)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(self.filter)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.setWidget(body)
        history = engine.history
        if history is None:
            self.note.setText("History is off for this session.")
        elif history.recovery_message:
            self.note.setText(history.recovery_message)
        self.note.setVisible(bool(self.note.text()))
        self.visibilityChanged.connect(self._visibility_changed)

    def _visibility_changed(self, visible: bool) -> None:
        if visible:
            self.refresh()

    def refresh(self) -> None:
        history = self._engine.history
        self.model.set_rows(
            history.list(HistoryQuery(text=self.filter.text().strip())) if history else []
        )
        fit_columns(self.table)

    def apply_retention(self) -> int:
        settings = ui_settings()
        settings.setValue("history_max_entries", self.max_entries.value())
        settings.setValue("history_max_age_days", self.max_days.value())
        history = self._engine.history
        removed = 0
        if history is not None:
            _, removed = history.set_retention(
                max_entries=self.max_entries.value(), max_age_days=self.max_days.value()
            )
        self.refresh()
        return removed

    def selected(self) -> HistoryEntry | None:
        rows = self.table.selectionModel().selectedIndexes()
        return self.model.row_at(rows[0].row()) if rows else None

    def _open(self, index: QModelIndex) -> None:
        entry = self.model.row_at(index.row())
        if entry.snapshot is not None:
            self._show_result(entry.vendor, entry.snapshot)

    def rerun_selected(self) -> None:
        entry = self.selected()
        if entry is not None:
            self._rerun(entry.vendor, entry.profile, entry.params)

    def delete_selected(self) -> None:
        entry = self.selected()
        history = self._engine.history
        if entry is not None and history is not None:
            self._tasks.start(self._delete(entry.id), name="history:delete")

    async def _delete(self, entry_id: int) -> None:
        history = self._engine.history
        assert history is not None
        await run_blocking(history.delete, entry_id)
        self.refresh()

    def clear(self) -> None:
        history = self._engine.history
        if history is not None:
            history.clear()
        self.refresh()
