"""The lookup history, a dock of the main window: past lookups to filter, open offline from
their stored snapshot, re-run, delete, and a retention to keep.

Every history read and write runs in the blocking-work pool, never on the UI thread; what goes
wrong with the history file is a message in the panel.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QComboBox,
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
from desktop.core.errors import HistoryError
from desktop.core.history import (
    MAX_AGE_DAYS_RANGE,
    MAX_ENTRIES_RANGE,
    HistoryEntry,
    HistoryQuery,
    HistoryStore,
    Retention,
    known_outcomes,
)
from desktop.core.models import LookupResult
from desktop.core.timefmt import local_text, screen_time
from desktop.engine import LookupEngine
from desktop.ui.outcome_marks import outcome_tone, outcome_words
from desktop.ui.table_actions import TableCopier
from desktop.ui.table_models import (
    Column,
    RecordTableModel,
    fit_columns,
    make_table,
    show_rows,
    vendor_title,
)
from desktop.ui.tasks import TaskRunner
from desktop.ui.theme import banner_label, fit_wrapped, show_banner
from desktop.vendors import REGISTRY

ShowResult = Callable[[str, LookupResult], None]
RerunLookup = Callable[[str, str, dict[str, str]], None]
_T = TypeVar("_T")


def labelled_params(vendor_key: str, params: dict[str, str]) -> str:
    """'Request ID: 6697…' rather than 'RequestId=6697…'; yes/no rather than true/false."""
    from desktop.vendors import get_vendor

    try:
        specs = {spec.name: spec for spec in get_vendor(vendor_key).input_fields}
    except KeyError:
        specs = {}
    return " · ".join(
        f"{specs[name].label}: {specs[name].value_words(value)}" if name in specs
        else f"{name}: {value}"
        for name, value in params.items()
    )  # fmt: skip


HISTORY_COLUMNS: tuple[Column[HistoryEntry], ...] = (
    Column("When", lambda e: screen_time(e.at), lambda e: e.at.timestamp(),
           clipboard=lambda e: local_text(e.at), zone_label=""),
    Column("Vendor", lambda e: vendor_title(e.vendor), clipboard=lambda e: e.vendor),
    Column("Profile", lambda e: e.profile),
    Column("Parameters", lambda e: labelled_params(e.vendor, e.params),
           clipboard=lambda e: e.params_text,
           tooltip=lambda e: labelled_params(e.vendor, e.params)),
    Column("Outcome", lambda e: outcome_words(e.outcome), clipboard=lambda e: e.outcome,
           state=lambda e: outcome_tone(e.outcome)),
    Column("Time", lambda e: f"{e.duration * 1000:.0f} ms", lambda e: e.duration),
    Column("Answer", lambda e: e.message, tooltip=lambda e: e.message),
)  # fmt: skip


class HistoryPanel(QDockWidget):
    #: A one-line outcome for the status bar (what a copy did).
    reported = Signal(str)

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
        self._refreshing: asyncio.Task[None] | None = None
        self.model: RecordTableModel[HistoryEntry] = RecordTableModel(HISTORY_COLUMNS, self)
        self.table = make_table("historyTable", self.model, "Lookup history")
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        show_rows(self.table, 4)
        self.table.doubleClicked.connect(self._open)
        #: Ctrl+C and the context menu; Ctrl+Shift+C comes through the main window.
        self.copier = TableCopier(self.table, tasks, lambda text, _state: self.reported.emit(text))
        self.note = banner_label("historyNote")
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(self._build_filters())
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(self._build_buttons())
        self.setWidget(body)
        #: "N entries could not be read and were skipped", from the last listing.
        self._skipped_note: str | None = None
        self._show_problem()
        engine.history_listeners.append(self._recorded)
        self.visibilityChanged.connect(self._visibility_changed)

    def _build_filters(self) -> QHBoxLayout:
        """The search box and the vendor and outcome choices that narrow the list."""
        self.filter = QLineEdit()
        self.filter.setObjectName("historyFilter")
        self.filter.setPlaceholderText("Search the history (parameters, answers, vendors)")
        self.filter.setAccessibleName("Search history")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(lambda _text: self.refresh())
        self.vendor_filter = QComboBox()
        self.vendor_filter.setObjectName("historyVendorFilter")
        self.vendor_filter.setAccessibleName("Only this vendor")
        self.vendor_filter.addItem("All vendors", None)
        for entry in REGISTRY:
            self.vendor_filter.addItem(entry.title, entry.key)
        self.outcome_filter = QComboBox()
        self.outcome_filter.setObjectName("historyOutcomeFilter")
        self.outcome_filter.setAccessibleName("Only this outcome")
        self.outcome_filter.addItem("All outcomes", None)
        for outcome in known_outcomes():
            self.outcome_filter.addItem(outcome, outcome)
        for combo in (self.vendor_filter, self.outcome_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(lambda _index: self.refresh())
        filters = QHBoxLayout()
        filters.addWidget(self.filter, 1)
        filters.addWidget(self.vendor_filter)
        filters.addWidget(self.outcome_filter)
        return filters

    def _build_buttons(self) -> QHBoxLayout:
        """Re-run, delete, clear, and the retention (how many entries, how many days)."""
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
        self.max_entries = QSpinBox()
        self.max_entries.setObjectName("historyMaxEntries")
        self.max_entries.setAccessibleName("Keep at most this many entries")
        self.max_entries.setRange(*MAX_ENTRIES_RANGE)
        self.max_entries.setGroupSeparatorShown(True)
        self.max_days = QSpinBox()
        self.max_days.setObjectName("historyMaxAgeDays")
        self.max_days.setAccessibleName("Keep entries for this many days")
        self.max_days.setRange(*MAX_AGE_DAYS_RANGE)
        self._show_retention(Retention())
        for spin, suffix in ((self.max_entries, " entries"), (self.max_days, " days")):
            spin.setSuffix(suffix)
            spin.editingFinished.connect(self.apply_retention)
        buttons.addWidget(QLabel("Keep at most"))
        buttons.addWidget(self.max_entries)
        buttons.addWidget(QLabel("for"))
        buttons.addWidget(self.max_days)
        return buttons

    # -- state -------------------------------------------------------------------------------
    def _show_problem(self) -> None:
        """Say why the history is not being kept, or that a damaged one was moved aside."""
        error, history = self._engine.history_error, self._engine.history
        if error is not None:
            show_banner(self.note, error.message, "failure")
        elif history is None:
            show_banner(self.note, "History is off for this session.", "pending")
        else:
            notes = (history.recovery_message, self._skipped_note)
            show_banner(self.note, " ".join(note for note in notes if note), "pending")
        fit_wrapped(self, self.note)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        fit_wrapped(self, self.note)

    def _show_retention(self, retention: Retention) -> None:
        for spin, value in ((self.max_entries, retention.max_entries),
                            (self.max_days, retention.max_age_days)):  # fmt: skip
            if not spin.hasFocus():  # never overwrite what the user is typing
                spin.blockSignals(True)
                spin.setValue(value)
                spin.blockSignals(False)

    def _recorded(self) -> None:
        """The engine tried to record a lookup: show the problem, or the new entry."""
        if self._engine.history_error is not None:
            self._show_problem()
        elif self.isVisible():
            self.refresh()

    def _visibility_changed(self, visible: bool) -> None:
        if visible:
            self._show_problem()  # the history may have been attached since
            self.refresh()

    def query(self) -> HistoryQuery:
        return HistoryQuery(
            text=self.filter.text().strip(),
            vendor=self.vendor_filter.currentData(),
            outcome=self.outcome_filter.currentData(),
        )

    async def _in_pool(self, work: Callable[[HistoryStore], _T], *, writes: bool) -> _T | None:
        """``work`` on the history in the blocking-work pool; a HistoryError is shown in the
        panel (the result is then None). A write that works clears an earlier one (a read
        does not: it works while another program holds the file for writing)."""
        history = self._engine.history
        if history is None:
            return None
        try:
            result = await run_blocking(work, history)
        except HistoryError as error:
            self._engine.history_error = error
            self._show_problem()
            return None
        if writes and self._engine.history_error is not None:
            self._engine.history_error = None
            self._show_problem()
        return result

    # -- reading -----------------------------------------------------------------------------
    def refresh(self) -> asyncio.Task[None]:
        """Reload the entries the filters ask for (and the retention), off the UI thread; a
        newer refresh supersedes one still running."""
        if self._refreshing is not None and not self._refreshing.done():
            self._refreshing.cancel()
        self._refreshing = self._tasks.start(self._reload(self.query()), name="history:refresh")
        return self._refreshing

    async def _reload(self, query: HistoryQuery) -> None:
        loaded = await self._in_pool(
            lambda history: (history.list(query), history.retention()), writes=False
        )
        if loaded is not None:
            entries, retention = loaded
            self._skipped_note = entries.skipped_note
            self._show_problem()
            self.model.set_rows(entries)
            fit_columns(self.table)
            self._show_retention(retention)

    # -- writing -----------------------------------------------------------------------------
    def apply_retention(self) -> asyncio.Task[int | None]:
        """Store the retention in the history file (the CLI reads it too) and prune by it;
        the task's result is how many entries went."""
        entries, days = self.max_entries.value(), self.max_days.value()
        return self._tasks.start(self._apply_retention(entries, days), name="history:retention")

    async def _apply_retention(self, entries: int, days: int) -> int | None:
        changed = await self._in_pool(
            lambda history: history.set_retention(max_entries=entries, max_age_days=days),
            writes=True,
        )
        await self._refreshed()
        return None if changed is None else changed[1]

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

    def delete_selected(self) -> asyncio.Task[None] | None:
        entry = self.selected()
        if entry is None:
            return None
        return self._tasks.start(self._change(lambda h: h.delete(entry.id)), name="history:delete")

    def clear(self) -> asyncio.Task[None]:
        return self._tasks.start(self._change(HistoryStore.clear), name="history:clear")

    async def _change(self, work: Callable[[HistoryStore], None]) -> None:
        await self._in_pool(work, writes=True)
        await self._refreshed()

    async def _refreshed(self) -> None:
        """Refresh and wait for it (or for the newer refresh that superseded it)."""
        await asyncio.wait([self.refresh()])
