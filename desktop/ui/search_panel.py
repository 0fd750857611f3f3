"""Search everywhere (Ctrl+L), a dock of the main window: one value asked of every vendor
that takes it at once, each answer a row as it arrives.

A row's result goes to the vendor's tab to show it, as it arrived.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.models import LookupResult
from desktop.core.outcome import Outcome
from desktop.engine import LookupEngine
from desktop.search import SearchOutcome, SearchRun, classify, plan_search
from desktop.ui.outcome_marks import outcome_tone, outcome_words
from desktop.ui.table_actions import TableCopier
from desktop.ui.table_models import Column, RecordTableModel, fit_columns, make_table, show_rows
from desktop.ui.tasks import TaskRunner
from desktop.ui.theme import fit_wrapped

ShowResult = Callable[[str, LookupResult], None]

#: Found first, then those still asking, then the other answers; not asked last.
_STATE_RANK = {Outcome.FOUND: 0, Outcome.ASKING: 1, Outcome.SKIPPED: 3}

SEARCH_COLUMNS: tuple[Column[SearchOutcome], ...] = (
    Column("Vendor", lambda o: o.vendor_title),
    Column("Profile", lambda o: o.profile),
    Column("Outcome", lambda o: outcome_words(o.state), lambda o: _STATE_RANK.get(o.state, 2),
           clipboard=lambda o: o.state, state=lambda o: outcome_tone(o.state)),
    Column("Time", lambda o: o.elapsed_text, lambda o: -1.0 if o.elapsed is None else o.elapsed),
    Column("Answer", lambda o: o.message, tooltip=lambda o: o.message),
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
                p.vendor.key, p.vendor.title, p.profile.name, Outcome.ASKING, "asking…", None
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
            found = sum(o.state is Outcome.FOUND for o in answered)
            cancelled = sum(o.state is Outcome.CANCELLED for o in answered)
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
