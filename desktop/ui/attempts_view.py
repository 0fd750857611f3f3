"""The supervisor view: every escalation attempt of a call, page by page, with a summary,
a filter, sorting, details of one attempt, and edits for keys that may write.

Shown in the tab of any vendor that is an AttemptSource; edits appear when it is also an
AttemptEditor. Everything vendor-specific comes from those declarations: which lookup shows one
attempt, which columns the server sorts, which fields an edit or a new attempt takes. Nothing in
the table changes until the vendor has confirmed a change.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from PySide6.QtCore import QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.attempts import AttemptTally
from desktop.core.errors import CallLookupError, VendorError
from desktop.core.models import EscalationAttempt, LookupResult
from desktop.engine import LookupEngine, PreparedLookup
from desktop.ui.attempt_dialogs import AttemptEditDialog, confirm_delete
from desktop.ui.attempt_filter import AttemptFilterProxy
from desktop.ui.attempt_summary import AttemptFigures, AttemptSummaryView
from desktop.ui.table_actions import TableCopier
from desktop.ui.table_models import OBJECT_ROLE, AttemptTableModel, fit_columns, make_table
from desktop.ui.tasks import TaskRunner
from desktop.vendors.base import AttemptEditor, AttemptSort, Vendor

OutcomeReporter = Callable[[str, str], None]

_T = TypeVar("_T")

#: How often the count, summary and progress may change while pages stream in, and how often
#: Load all's pages join the table: each insertion repaints the table's rows in view (~15 ms
#: of the window's time a page, measured: more than reading the page), so a page that comes
#: sooner waits with the next ones.
LABELS_EVERY_MS = 250


class AttemptsPanel(QWidget):
    #: The figures changed (a page arrived, all loaded, an edit): banner, status bar and card
    #: show ``figures()`` again, so every place says the same.
    figures_changed = Signal()

    def __init__(
        self,
        vendor: Vendor,
        engine: LookupEngine,
        tasks: TaskRunner,
        report: OutcomeReporter,
        *,
        show_details: Callable[[LookupResult], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attemptsPanel")
        self._vendor = vendor
        self._engine = engine
        self._tasks = tasks
        self._report = report
        self._show_details = show_details
        self._prepared: PreparedLookup | None = None
        self._sort: AttemptSort | None = None
        self._tally = AttemptTally()
        #: Attempts in the tally: the first ones in the vendor's order, or all of them.
        self._tallied = 0
        self._page_task: asyncio.Task[bool] | None = None
        #: Attempts that arrived during Load all and join the table with the next ones.
        self._held: list[EscalationAttempt] = []
        #: When held attempts are shown next (time.monotonic()).
        self._held_due = 0.0
        self._load_all_task: asyncio.Task[None] | None = None
        self._source = engine.attempts.source(vendor)
        self._editor = vendor if isinstance(vendor, AttemptEditor) else None
        self._build_tools()
        self._build_table()
        self._build_layout()

    def _build_tools(self) -> None:
        self.summary = AttemptSummaryView()
        self.filter = QLineEdit()
        self.filter.setObjectName("attemptsFilter")
        self.filter.setPlaceholderText("Filter loaded attempts (Ctrl+F)")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter attempts")
        self.filter.textChanged.connect(self._filter_changed)
        self.count_label = QLabel("0 of 0 loaded")
        self.count_label.setObjectName("attemptsCount")
        self.load_all_button = QPushButton("Load &all")
        self.load_all_button.setObjectName("loadAllButton")
        self.load_all_button.setAccessibleName("Load all attempts")
        self.load_all_button.clicked.connect(self._toggle_load_all)
        # While pages stream in, the count, summary and progress change at most every 250 ms:
        # each change re-lays out and repaints the whole window (~15 ms a page, measured),
        # which halved how fast Load all went. The last page always shows at once.
        self._labels_timer = QTimer(self)
        self._labels_timer.setSingleShot(True)
        self._labels_timer.setInterval(LABELS_EVERY_MS)
        self._labels_timer.timeout.connect(self._labels_timer_fired)
        self._labels_stale = False
        self.progress = QProgressBar()
        self.progress.setObjectName("attemptsProgress")
        self.progress.setMaximumWidth(200)
        self.progress.hide()
        self.new_button = QPushButton("&New attempt…")
        self.new_button.setObjectName("newAttemptButton")
        self.new_button.setVisible(self._editor is not None)
        self.new_button.clicked.connect(self.create_attempt)

    def _build_table(self) -> None:
        self.model = AttemptTableModel(self)
        self.model.more_wanted.connect(self._load_next_page)
        self.proxy = AttemptFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table: QTableView = make_table("attemptsTable", self.model, "Escalation attempts")
        self.table.setModel(self.proxy)
        # IDs keep their start, which is what people compare; the tooltip has the whole ID.
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self._sort_changed)
        self.table.doubleClicked.connect(self._open_index)
        self.copier = TableCopier(self.table, self._tasks, self._report, context_menu=False)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)

    def _build_layout(self) -> None:
        tools = QHBoxLayout()
        tools.addWidget(self.summary)
        tools.addWidget(self.filter, 1)
        tools.addWidget(self.count_label)
        tools.addWidget(self.load_all_button)
        tools.addWidget(self.progress)
        tools.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 2)
        layout.setSpacing(4)
        layout.addLayout(tools)
        layout.addWidget(self.table, 1)

    async def _guarded(self, work: Awaitable[_T], failed: str = "") -> _T | None:
        """What ``work`` returns, or None once what went wrong is said: a vendor's refusal, a
        network failure or bad input is a message in the tab (prefixed with ``failed``, e.g.
        "Not saved"), never a crash report. Every vendor operation of the panel runs in here."""
        try:
            return await work
        except CallLookupError as error:
            text = error.describe() if isinstance(error, VendorError) else error.message
            self._report(f"{failed + ': ' if failed else ''}{text}", "error")
            return None

    # -- loading ----------------------------------------------------------------------------
    def show_first_page(self, prepared: PreparedLookup | None, result: LookupResult) -> None:
        """The first page of a lookup; with no ``prepared`` (a stored snapshot) no more pages
        are asked for."""
        self.cancel()
        self._prepared = prepared
        self._reset_sort()
        self._tally = AttemptTally()
        self._tally.add(result.attempts)
        self._tallied = len(result.attempts)
        self.proxy.forget()
        self.model.total = (
            result.attempts_total or len(result.attempts) if prepared else len(result.attempts)
        )
        self.model.loading = False
        self.model.set_rows(result.attempts)
        fit_columns(self.table, once=True)  # to the first list; later ones keep the widths
        self._update_labels()

    def clear(self) -> None:
        self.cancel()
        self._prepared = None
        self._tally = AttemptTally()
        self._tallied = 0
        self.model.total = 0
        self.model.set_rows([])
        self._update_labels()

    def cancel(self) -> None:
        """Stop asking for pages; attempts held for the table are dropped (the list they
        belong to is going: a new one, or the same in another order)."""
        for task in (self._page_task, self._load_all_task):
            if task is not None and not task.done():
                task.cancel()
        self._held.clear()

    @property
    def _fetched(self) -> int:
        """Attempts fetched so far: in the table, or held for it."""
        return self.model.rowCount() + len(self._held)

    @property
    def fully_loaded(self) -> bool:
        return self._fetched >= self.model.total

    def _refresh_labels(self) -> None:
        """The labels now, or at the end of the current 250 ms if they changed within it."""
        if self._labels_timer.isActive() and not self.fully_loaded:
            self._labels_stale = True
            return
        self._update_labels()
        self._labels_timer.start()

    def _labels_timer_fired(self) -> None:
        if self._labels_stale:
            self._update_labels()

    def figures(self) -> AttemptFigures:
        """The figures of the call as far as they are known, whatever the table's sort."""
        return AttemptFigures(self._tally.summary(), self._tallied, self.model.total)

    def _update_labels(self) -> None:
        self._labels_stale = False
        if self._load_all_task is not None:
            self.progress.setValue(self.model.rowCount())
        loaded, total = self.model.rowCount(), self.model.total
        self._show_count()
        self.table.setAccessibleDescription(f"{loaded} of {total} attempts loaded")
        self.summary.show_summary(self.figures())
        self.load_all_button.setEnabled(loaded < total or self._load_all_task is not None)
        self.figures_changed.emit()

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_needle(text)
        self._show_count()

    def _show_count(self) -> None:
        """'100 of 250 loaded', or while the filter box holds text '12 of 100 match'."""
        loaded, total = self.model.rowCount(), self.model.total
        if self.filter.text().strip():
            self.count_label.setText(f"{self.proxy.rowCount():,} of {loaded:,} match")
        else:
            self.count_label.setText(f"{loaded:,} of {total:,} loaded")

    def _load_next_page(self) -> None:
        if self._prepared is None or (self._page_task and not self._page_task.done()):
            self.model.loading = False
            return
        self._page_task = self._tasks.start(self._append_page(), name="attempts:page")

    async def _append_page(self, *, hold: bool = False) -> bool:
        """The next page appended; False (and the error shown) when the vendor refused. With
        ``hold`` (Load all), it joins the table with the pages that come within the next
        LABELS_EVERY_MS; the last page, and any page asked for without, shows at once."""
        assert self._prepared is not None
        try:
            page = await self._guarded(
                self._engine.attempts.page(self._prepared, skip=self._fetched, sort=self._sort)
            )
        finally:
            self.model.loading = False
        if page is None:
            return False
        self.model.total = page.total
        self._held.extend(page.attempts)
        if not hold or self.fully_loaded or time.monotonic() >= self._held_due:
            self._show_held()
        return bool(page.attempts)

    def _show_held(self) -> None:
        """The attempts held for the table appended to it, counted and summarized."""
        attempts, self._held = self._held, []
        self._held_due = time.monotonic() + LABELS_EVERY_MS / 1000
        if not attempts:
            return
        self.model.append_rows(attempts)
        if self._sort is None:  # the vendor's order: the pages add up to the first N
            self._tally.add(attempts)
            self._tallied += len(attempts)
        elif self.fully_loaded:  # every attempt is here, in whatever order: the whole call
            self._retally()
        self._refresh_labels()
        # Loaded attempts live as long as the list: move them out of the cyclic collector's
        # reach, or its full passes over 100,000 of them stall the window for 200 ms.
        gc.freeze()

    def _toggle_load_all(self) -> None:
        if self._load_all_task is not None and not self._load_all_task.done():
            self._load_all_task.cancel()
            return
        self._load_all_task = self._tasks.start(self.load_all(), name="attempts:all")

    async def load_all(self) -> None:
        """Every remaining page, with progress; the button turns into Cancel meanwhile."""
        self.load_all_button.setText("&Cancel loading")
        self.progress.setRange(0, max(1, self.model.total))
        self.progress.setValue(self.model.rowCount())
        self.progress.show()
        said: tuple[str, str] | None = None
        try:
            while self._prepared is not None and not self.fully_loaded:
                if self._page_task is not None and not self._page_task.done():
                    await self._page_task
                    continue
                self.model.loading = True
                self._page_task = self._tasks.start(
                    self._append_page(hold=True), name="attempts:page"
                )
                # A refused or empty page ends the run: asking again would only repeat it.
                if not await self._page_task:
                    break
            if self.fully_loaded:
                said = (f"All {self.model.total:,} attempts loaded: {{figures}}", "success")
        except asyncio.CancelledError:
            said = ("Loading stopped: the attempts loaded so far stay.", "muted")
            raise
        finally:
            self._show_held()  # what arrived stays, also when the user stopped the run
            self._finish_load_all()
            if said is not None:
                self._report(said[0].format(figures=self.figures().line()), said[1])

    def _finish_load_all(self) -> None:
        """The button and progress back, and the figures said (before the last word)."""
        self.progress.hide()
        self.load_all_button.setText("Load &all")
        self._load_all_task = None
        self._update_labels()

    # -- sorting ----------------------------------------------------------------------------
    def _reset_sort(self) -> None:
        """A new list starts in the vendor's order: a server-side order kept from the last list
        would make its later pages disagree with the first one."""
        self._sort = None
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)

    def _sort_changed(self, column: int, order: Qt.SortOrder) -> None:
        """Loaded rows sort in place; while more exist, the vendor sorts and pages anew, so
        the rows shown are the top of the whole list in that order."""
        if self.fully_loaded or self._prepared is None or column < 0 or self._source is None:
            return
        key = self.model.columns[column].server_sort
        if key is None or key not in self._source.sortable_fields:
            return
        self._sort = AttemptSort(key, order == Qt.SortOrder.DescendingOrder)
        self.cancel()
        # The figures stay those of the vendor's order: the re-paged rows are the top of the
        # call by this column, not a sample of it.
        self.model.set_rows([])
        self.proxy.forget()
        self.model.loading = True
        self._page_task = self._tasks.start(self._append_page(), name="attempts:sort")

    # -- one attempt ------------------------------------------------------------------------
    def attempt_at(self, view_row: int) -> EscalationAttempt:
        attempt = self.proxy.index(view_row, 0).data(OBJECT_ROLE)
        assert isinstance(attempt, EscalationAttempt)
        return attempt

    def selected_attempt(self) -> EscalationAttempt | None:
        rows = (
            self.table.selectionModel().selectedRows()
            or self.table.selectionModel().selectedIndexes()
        )
        return self.attempt_at(rows[0].row()) if rows else None

    def _open_index(self, index: QModelIndex) -> None:
        self.open_attempt(self.attempt_at(index.row()))

    def open_attempt(self, attempt: EscalationAttempt) -> asyncio.Task[None]:
        """Fetch every field of one attempt (the vendor's lookup of one) into the details."""
        return self._tasks.start(self._guarded(self._open(attempt)), name="attempts:open")

    async def _open(self, attempt: EscalationAttempt) -> None:
        self._show_details(await self._engine.run(self._one_attempt(attempt.attempt_id)))

    def _one_attempt(self, attempt_id: str) -> PreparedLookup:
        """The lookup that fetches one attempt; raises InvalidInputError before sending."""
        assert self._source is not None  # the panel is made for AttemptSource vendors only
        return self._engine.prepare(
            self._vendor.key, self._source.attempt_params(attempt_id), self._profile_name()
        )

    def _profile_name(self) -> str | None:
        return self._prepared.profile.name if self._prepared else None

    def _context_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        menu = QMenu(self)
        if index.isValid():
            attempt = self.attempt_at(index.row())
            open_action = QAction("&Open details", menu)
            open_action.triggered.connect(lambda: self.open_attempt(attempt))
            menu.addAction(open_action)
            if self._editor is not None:
                edit = QAction("&Edit attempt…", menu)
                edit.triggered.connect(lambda: self.edit_attempt(attempt))
                delete = QAction("&Delete attempt…", menu)
                delete.triggered.connect(lambda: self.delete_attempt(attempt))
                menu.addAction(edit)
                menu.addAction(delete)
        if self._editor is not None:
            new = QAction("&New attempt…", menu)
            new.triggered.connect(self.create_attempt)
            menu.addAction(new)
        menu.addSeparator()
        self.copier.populate(menu)
        menu.popup(self.table.viewport().mapToGlobal(position))

    # -- edits: the table changes only after the vendor confirms -----------------------------
    def edit_attempt(self, attempt: EscalationAttempt) -> AttemptEditDialog | None:
        if self._editor is None:
            return None
        editor = self._editor
        before = editor.edit_values(attempt)
        dialog = AttemptEditDialog(
            f"Edit attempt {attempt.attempt_id}", editor.editable_fields, before, self
        )

        def save() -> None:
            changes = {
                name: value
                for name, value in dialog.form.values().items()
                if value != before.get(name, "")
            }
            self._run_guarded(self._apply_edit(attempt, changes), "Not saved", "attempts:edit")

        dialog.accepted.connect(save)
        dialog.open()
        return dialog

    def _run_guarded(self, work: Awaitable[None], failed: str, name: str) -> None:
        self._tasks.start(self._guarded(work, failed), name=name)

    async def _apply_edit(self, attempt: EscalationAttempt, changes: dict[str, str]) -> None:
        await self._engine.attempts.update(
            self._vendor.key, self._profile_name(), attempt.attempt_id, changes
        )
        saved = f"Saved attempt {attempt.attempt_id}"
        fresh = await self._guarded(
            self._engine.run(self._one_attempt(attempt.attempt_id)),
            f"{saved}, but its new values could not be fetched",
        )
        if fresh is None:
            return
        if fresh.attempts:
            self.model.replace_row(fresh.attempts[0])
            self._rebuild_tally()
        self._report(f"{saved}.", "success")

    def delete_attempt(self, attempt: EscalationAttempt) -> QMessageBox:
        return confirm_delete(
            attempt,
            lambda: self._run_guarded(
                self._apply_delete(attempt), "Not deleted", "attempts:delete"
            ),
            self,
        )

    async def _apply_delete(self, attempt: EscalationAttempt) -> None:
        await self._engine.attempts.delete(
            self._vendor.key, self._profile_name(), attempt.attempt_id
        )
        self.model.remove_attempt(attempt.attempt_id)
        self._rebuild_tally()
        self._report(f"Deleted attempt {attempt.attempt_id}.", "success")

    def create_attempt(self) -> AttemptEditDialog | None:
        if self._editor is None:
            return None
        editor = self._editor
        dialog = AttemptEditDialog(
            "New escalation attempt",
            editor.creation_fields + editor.editable_fields,
            editor.creation_values(self._prepared.params if self._prepared else {}),
            self,
        )
        dialog.accepted.connect(
            lambda: self._run_guarded(
                self._apply_create(dialog.form.values()), "Not created", "attempts:new"
            )
        )
        dialog.open()
        return dialog

    async def _apply_create(self, values: dict[str, str]) -> None:
        created = await self._engine.attempts.create(self._vendor.key, self._profile_name(), values)
        prepared = self._prepared
        if prepared is not None:
            result = await self._guarded(
                self._engine.run(prepared),
                f"Created attempt {created}, but the list could not be loaded again",
            )
            if result is None:
                return
            self.show_first_page(prepared, result)
        self._report(f"Created attempt {created}.", "success")

    def _retally(self) -> None:
        self._tally = AttemptTally()
        self._tally.add(self.model.rows())
        self._tallied = self.model.rowCount()

    def _rebuild_tally(self) -> None:
        """After an edit or delete: counted again from the rows when they are the vendor's
        first ones or all of them (a server-sorted part of the call is neither)."""
        if self._sort is None or self.fully_loaded:
            self._retally()
        self.proxy.forget()
        self._update_labels()
