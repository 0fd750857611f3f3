"""Search everywhere (Ctrl+L) and the lookup history, as docks of the main window.

Both hand a result to the vendor's tab to show it: a search outcome as it arrived, a history
entry from its stored snapshot (offline), or again by re-running the same parameters. Every
history read and write runs in the blocking-work pool, never on the UI thread; what goes wrong
with the history file is a message in the History panel.
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
from desktop.search import (
    STATE_CANCELLED,
    STATE_FOUND,
    SearchOutcome,
    SearchRun,
    classify,
    plan_search,
)
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
from desktop.ui.theme import banner_label, show_banner
from desktop.vendors import REGISTRY

ShowResult = Callable[[str, LookupResult], None]
RerunLookup = Callable[[str, str, dict[str, str]], None]
_T = TypeVar("_T")

#: Colour by state; the word is always there too. Not asked, cancelled or not found is no fault.
_STATE_COLOURS = {"found": "success", "not found": "pending", "skipped": "pending",
                  "cancelled": "pending"}  # fmt: skip


def fit_wrapped(dock: QDockWidget, label: QLabel) -> None:
    """Reserve a word-wrapped label's whole height at the dock's width: a dock's layout does
    not ask the label for it, and the widgets below would cover part of the table."""
    width = dock.widget().contentsRect().width() if dock.widget() else 0
    needed = label.heightForWidth(width) if label.text() and width > 0 else 0
    label.setMinimumHeight(max(needed, 0))


def _state_colour(state: str) -> str:
    return _STATE_COLOURS.get(state, "failure")


#: A vendor that has not answered yet (a row from the start of the search).
STATE_ASKING = "asking"
#: Each outcome's mark: the shape tells them apart, not only the colour.
_STATE_MARKS = {STATE_FOUND: "✓", "not found": "○", "skipped": "–", STATE_ASKING: "…",
                STATE_CANCELLED: "⊘", "timeout": "⏱"}  # fmt: skip
#: Found first, then those still asking, then the other answers; not asked last.
_STATE_RANK = {STATE_FOUND: 0, STATE_ASKING: 1, "skipped": 3}


def outcome_words(state: str) -> str:
    """A mark and words for each outcome: '✓ found', '✗ error', 'skipped (not asked)'."""
    words = "skipped (not asked)" if state == "skipped" else state
    return f"{_STATE_MARKS.get(state, '✗')} {words}"


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


SEARCH_COLUMNS: tuple[Column[SearchOutcome], ...] = (
    Column("Vendor", lambda o: o.vendor_title),
    Column("Profile", lambda o: o.profile),
    Column("Outcome", lambda o: outcome_words(o.state), lambda o: _STATE_RANK.get(o.state, 2),
           clipboard=lambda o: o.state, state=lambda o: _state_colour(o.state)),
    Column("Time", lambda o: o.elapsed_text, lambda o: -1.0 if o.elapsed is None else o.elapsed),
    Column("Answer", lambda o: o.message, tooltip=lambda o: o.message),
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
           state=lambda e: _state_colour(e.outcome)),
    Column("Time", lambda e: f"{e.duration * 1000:.0f} ms", lambda e: e.duration),
    Column("Answer", lambda e: e.message, tooltip=lambda e: e.message),
)  # fmt: skip


def _in_order(outcomes: list[SearchOutcome]) -> list[SearchOutcome]:
    return sorted(outcomes, key=lambda o: _STATE_RANK.get(o.state, 2))


class SearchPanel(QDockWidget):
    #: A one-line outcome for the status bar (what a copy did).
    reported = Signal(str)

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
        self._search: SearchRun | None = None
        #: The current search's rows by (vendor, profile), "asking…" until answered.
        self._rows: dict[tuple[str, str], SearchOutcome] = {}
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
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)  # sentences keep their start
        show_rows(self.table, 4)
        self.table.doubleClicked.connect(self._open)
        #: Ctrl+C and the context menu; Ctrl+Shift+C comes through the main window.
        self.copier = TableCopier(self.table, tasks, lambda text, _state: self.reported.emit(text))
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

    def _say(self, text: str) -> None:
        self.state.setText(text)
        fit_wrapped(self, self.state)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        fit_wrapped(self, self.state)

    def trigger(self) -> asyncio.Task[None] | None:
        """Search for the box's value, or, while a search runs, cancel it: the vendors not
        answered yet are then listed as cancelled."""
        if self.running:
            assert self._search is not None
            self._search.cancel()
            return None
        plan = plan_search(self._engine, self.box.text())
        if not classify(plan.value):
            self._say("This looks like no call ID, request ID, extension or number.")
            return None
        self.box.setText(plan.value)
        # Every vendor asked has its row from the start, "asking…" until its answer takes the
        # row's place (found rows first); the profiles not asked say why.
        self._rows = {
            (p.vendor.key, p.profile.name): SearchOutcome(
                p.vendor.key, p.vendor.title, p.profile.name, STATE_ASKING, "asking…", None
            )
            for p in plan.lookups
        }
        self.model.set_rows(_in_order([*self._rows.values(), *plan.skipped]))
        fit_columns(self.table)
        if not plan.lookups:
            self._say("No configured profile takes this kind of value (see why below).")
            return None
        self._search = SearchRun(self._engine, plan)
        self._task = self._tasks.start(self._run(self._search), name="search")
        return self._task

    async def _run(self, search: SearchRun) -> None:
        value = search.plan.value
        self.button.setText("&Cancel")
        self._say(f"Searching for {value}…")
        stream = search.outcomes()
        rows = self._rows
        try:
            answered: list[SearchOutcome] = []
            async for outcome in stream:
                answered.append(outcome)
                rows[(outcome.vendor, outcome.profile)] = outcome
                self.model.set_rows(_in_order([*rows.values(), *search.plan.skipped]))
                fit_columns(self.table)
            found = sum(o.state == STATE_FOUND for o in answered)
            cancelled = sum(o.state == STATE_CANCELLED for o in answered)
            skipped = len(search.plan.skipped)
            not_asked = f" {skipped} not asked (see why below)." if skipped else ""
            if search.cancelled:
                done = len(answered) - cancelled
                self._say(
                    f"Search cancelled: {done} answered, {cancelled} cancelled; "
                    f"the answers so far stay.{not_asked}"
                )
            else:
                self._say(f"{found} of {len(answered)} profiles asked found {value}.{not_asked}")
        finally:
            await stream.aclose()
            self.button.setText("&Search")

    def _open(self, index: QModelIndex) -> None:
        outcome = self.model.row_at(index.row())
        if outcome.result is not None:
            self._show_result(outcome.vendor, outcome.result)


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
        self.model: RecordTableModel[HistoryEntry] = RecordTableModel(HISTORY_COLUMNS, self)
        self.table = make_table("historyTable", self.model, "Lookup history")
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        show_rows(self.table, 4)
        self.table.doubleClicked.connect(self._open)
        #: Ctrl+C and the context menu; Ctrl+Shift+C comes through the main window.
        self.copier = TableCopier(self.table, tasks, lambda text, _state: self.reported.emit(text))
        self.note = banner_label("historyNote")
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
        filters = QHBoxLayout()
        filters.addWidget(self.filter, 1)
        filters.addWidget(self.vendor_filter)
        filters.addWidget(self.outcome_filter)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(filters)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.setWidget(body)
        #: "N entries could not be read and were skipped", from the last listing.
        self._skipped_note: str | None = None
        self._show_problem()
        engine.history_listeners.append(self._recorded)
        self.visibilityChanged.connect(self._visibility_changed)

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
