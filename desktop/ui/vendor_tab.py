"""One vendor's tab: profile choice, the form, Lookup/Cancel, and the result tables.

The tab talks to the engine only; it knows the vendor through its declaration, never by name.
"""

from __future__ import annotations

import asyncio
import time

from PySide6.QtCore import QModelIndex, QPoint, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import (
    CallLookupError,
    ConfigurationError,
    CredentialStoreError,
    InvalidInputsError,
    VendorError,
)
from desktop.core.export import openable_url, summary_text
from desktop.core.models import LookupResult, RecordingLink, TaskState
from desktop.core.outcome import Outcome
from desktop.engine import LookupEngine, PreparedLookup
from desktop.ui.attempts_view import AttemptsPanel
from desktop.ui.call_card import CallCard, CardContent, card_content
from desktop.ui.form import VendorForm
from desktop.ui.table_actions import TableCopier
from desktop.ui.table_models import (
    details_model,
    fit_columns,
    fit_rows,
    make_table,
    recordings_model,
)
from desktop.ui.tasks import TaskRunner
from desktop.vendors.base import AttemptSource, Vendor, indented

_LOOKUP_TEXT = "&Lookup"
_CANCEL_TEXT = "&Cancel"


def _plain_label(object_name: str) -> QLabel:
    label = QLabel()
    label.setObjectName(object_name)
    label.setTextFormat(Qt.TextFormat.PlainText)  # vendor text is never rich text
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class VendorTab(QWidget):
    """Emits ``finished`` with a one-line outcome for the status bar."""

    finished = Signal(str)

    def __init__(
        self,
        vendor: Vendor,
        engine: LookupEngine,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.vendor = vendor
        self.setObjectName(vendor.key)
        self._engine = engine
        self._tasks = tasks
        self._task: asyncio.Task[None] | None = None
        self.last_result: LookupResult | None = None
        #: The last result is an attempts list, whose figures the attempts panel keeps.
        self._attempts_listed = False
        self._elapsed_ms = 0.0
        #: How the last thing shown ended: 'success', 'failure', 'pending', 'error', 'muted'.
        self.outcome_state = ""
        #: The error the last lookup ended with (None after a success or a cancel).
        self.last_error: CallLookupError | None = None

        profile_row = self._build_profile_row()
        form_row = self._build_form_row()
        self.outcome = _plain_label("outcomeBanner")
        self.outcome.setProperty("role", "banner")
        self.outcome.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.outcome.hide()
        self.call_card = CallCard(self.open_recording)

        self._build_results()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 2)
        layout.setSpacing(4)
        layout.addLayout(profile_row)
        layout.addWidget(self.description)
        layout.addWidget(self.input_hint)
        layout.addLayout(form_row)
        layout.addWidget(self.outcome)
        layout.addWidget(self.call_card)
        layout.addWidget(self.results, 1)
        self.reload_profiles()

    def _build_profile_row(self) -> QHBoxLayout:
        """The vendor's title beside the profile chosen and where it points; the vendor's
        description below them until the first answer needs the room."""
        vendor = self.vendor
        title = QLabel(vendor.title)
        title.setObjectName("vendorTitle")
        title.setProperty("role", "title")
        description = _plain_label("vendorDescription")
        description.setText(vendor.description)
        description.setProperty("role", "muted")

        self.profile_combo = QComboBox()
        self.profile_combo.setObjectName("profileCombo")
        self.profile_combo.setAccessibleName("Profile")
        self.profile_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.profile_combo.currentTextChanged.connect(self._profile_changed)
        self.profile_target = _plain_label("profileTarget")
        self.profile_target.setProperty("role", "muted")
        # One row for the title and the profile: the results keep the height.
        profile_row = QHBoxLayout()
        profile_row.addWidget(title)
        profile_row.addSpacing(16)
        profile_label = QLabel("&Profile:")
        profile_label.setBuddy(self.profile_combo)
        profile_row.addWidget(profile_label)
        profile_row.addWidget(self.profile_combo)
        profile_row.addWidget(self.profile_target, 1)

        title.setToolTip(vendor.description)
        #: The introduction, until the first answer needs the room.
        self.description = description
        return profile_row

    def _build_form_row(self) -> QHBoxLayout:
        """The vendor's form with the Lookup button, the filters' toggle and the busy bar."""
        vendor = self.vendor
        #: Which inputs go together, when the vendor's are alternatives (objectName identifyHint).
        self.input_hint = _plain_label("identifyHint")
        self.input_hint.setText(vendor.input_hint)
        self.input_hint.setVisible(bool(vendor.input_hint))
        self.form = VendorForm(vendor.input_fields)
        self.form.submitted.connect(self.trigger)

        self.lookup_button = QPushButton(_LOOKUP_TEXT)
        self.lookup_button.setObjectName("lookupButton")
        self.lookup_button.setDefault(True)
        self.lookup_button.setAccessibleName("Lookup")
        self.lookup_button.setToolTip("Run the lookup (Enter); while it runs: cancel it (Esc)")
        self.lookup_button.clicked.connect(self.trigger)
        self.busy_indicator = QProgressBar()
        self.busy_indicator.setObjectName("busyIndicator")
        self.busy_indicator.setRange(0, 0)  # indeterminate
        self.busy_indicator.setMaximumWidth(160)
        self.busy_indicator.setTextVisible(False)
        self.busy_indicator.setAccessibleName("Lookup running")
        self.busy_indicator.hide()
        #: Opens the folded filter form again (Ctrl+F while it is folded does too).
        self.form_toggle = QPushButton()
        self.form_toggle.setObjectName("formToggle")
        self.form_toggle.setCheckable(True)
        self.form_toggle.setVisible(self.form.foldable)
        self.form_toggle.toggled.connect(self._fold_form)
        self.form_toggle.setChecked(self.form.foldable)  # open until a lookup has answered
        buttons = QHBoxLayout()
        buttons.addWidget(self.lookup_button)
        buttons.addWidget(self.form_toggle)
        buttons.addWidget(self.busy_indicator)
        form_row = QHBoxLayout()
        form_row.addWidget(self.form, 1)
        form_row.addLayout(buttons)
        form_row.setAlignment(buttons, Qt.AlignmentFlag.AlignTop)

        return form_row

    def _build_results(self) -> None:
        """The result views as tabs: attempts (a vendor that lists them), details, recordings
        and the raw response."""
        vendor, engine, tasks = self.vendor, self._engine, self._tasks
        self.details = details_model(self)
        self.recordings = recordings_model(self)
        self.details_table = make_table("detailsTable", self.details, "Call details")
        self.recordings_table = make_table("recordingsTable", self.recordings, "Recording links")
        self.raw_view = QPlainTextEdit()
        self.raw_view.setObjectName("rawView")
        self.raw_view.setReadOnly(True)
        self.raw_view.setAccessibleName("Raw response")
        self.raw_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.raw_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.results = QTabWidget()
        self.results.setObjectName("resultTabs")
        self.attempts: AttemptsPanel | None = None
        if isinstance(vendor, AttemptSource):
            self.attempts = AttemptsPanel(
                vendor, engine, tasks, self._panel_report, show_details=self._show_attempt
            )
            self.attempts.figures_changed.connect(self._show_figures)
            self.results.addTab(self.attempts, "Attempts")
        self.results.addTab(self.details_table, "Details")
        self.copiers = {
            table: TableCopier(table, tasks, self._show_outcome, context_menu=menu)
            for table, menu in ((self.details_table, True), (self.recordings_table, False))
        }
        self.recordings_table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.recordings_table.customContextMenuRequested.connect(self._recordings_menu)
        self.recordings_table.doubleClicked.connect(self._open_recording_index)
        if self.attempts is not None:
            self.copiers[self.attempts.table] = self.attempts.copier
        self.results.addTab(self.recordings_table, "Recordings")
        self.results.addTab(self.raw_view, "Raw response")
        # A new result's views are laid out when each is shown (the raw text of 100 attempts is
        # ~50 KB; sizing a column reads its cells), not all of them on every lookup.
        self._layout_pending: set[QWidget] = set()
        #: The field labels the details' first column was last sized for: a vendor's next
        #: answer usually has the same ones, and sizing reads every cell of the column.
        self._details_sized_for: list[str] = []
        self.results.currentChanged.connect(self._lay_out_shown_view)

    # -- the form ----------------------------------------------------------------------------
    def _fold_form(self, opened: bool) -> None:
        self.form.set_folded(not opened)
        if self.form.foldable and not opened:
            count = self.form.filters_set()
            self.form_toggle.setText(f"&Filters ({count} set)…" if count else "&Filters…")
            self.form_toggle.setToolTip("Show every filter of the search (Ctrl+F)")
        else:
            self.form_toggle.setText("Fewer &filters")
            self.form_toggle.setToolTip("Fold the form to its first field")

    def open_form(self) -> bool:
        """Unfold the filters; False when they were open already."""
        if not self.form.folded:
            return False
        self.form_toggle.setChecked(True)
        self.form.input(self.vendor.input_fields[1].name).setFocus()
        return True

    def focus_filter(self) -> None:
        """Ctrl+F: the search's filters when they are folded, else the attempts' filter of the
        loaded rows."""
        if self.open_form() or self.attempts is None:
            return
        self.results.setCurrentWidget(self.attempts)
        self.attempts.filter.setFocus()
        self.attempts.filter.selectAll()

    def fold_form(self) -> None:
        if self.form.foldable:
            self.form_toggle.setChecked(False)
            self._fold_form(False)

    # -- profiles --------------------------------------------------------------------------
    def reload_profiles(self) -> None:
        current = self.profile_combo.currentText()
        names = [profile.name for profile in self._engine.profiles.list(self.vendor.key)]
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self.profile_combo.addItems(names)
        if current in names:
            self.profile_combo.setCurrentText(current)
        self.profile_combo.blockSignals(False)
        self._profile_changed(self.profile_combo.currentText())

    def _profile_changed(self, name: str) -> None:
        profile = self._engine.profiles.get(self.vendor.key, name) if name else None
        if profile is None:
            self.profile_target.setText(
                f"No {self.vendor.title} profile yet: add one with "
                f"'calllookup-cli profile set {self.vendor.key} NAME --base-url URL'."
            )
        else:
            warning = "  ⚠ TLS verification is OFF for this profile" if not profile.verify else ""
            self.profile_target.setText(f"{profile.base_url}{warning}")
        self.form.show_profile_defaults(profile)

    # -- running ---------------------------------------------------------------------------
    @property
    def current_task(self) -> asyncio.Task[None] | None:
        return self._task

    @property
    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    def trigger(self) -> None:
        """Lookup when idle, Cancel while running (the button's two faces)."""
        if self.is_running:
            self.cancel()
        else:
            self.start_lookup()

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def start_lookup(self) -> asyncio.Task[None] | None:
        self.clear_answer()  # what is shown is current: the last answer goes, whatever comes
        self.form.clear_errors()
        profile_name = self.profile_combo.currentText() or None
        entered = self.form.values()
        try:
            prepared = self._engine.prepare(self.vendor.key, entered, profile_name)
        except InvalidInputsError as error:
            self.form.show_errors(error.problems)
            self._show_outcome("Nothing was sent: correct the marked fields.", "error")
            self.finished.emit(f"{self.vendor.title}: input needs correcting")
            return None
        except ConfigurationError as error:
            self._show_outcome(error.message, "error")
            self.finished.emit(f"{self.vendor.title}: {error.message}")
            return None
        # Show the entered values as sent (trimmed); profile defaults stay placeholders, so a
        # switch of profile never carries the last profile's tenant or VDN into the next lookup.
        self.form.set_values({name: prepared.params[name] for name in entered
                              if name in prepared.params})  # fmt: skip
        self._show_outcome("Looking up…", "pending")
        self._task = self._tasks.start(self._run(prepared), name=f"lookup:{self.vendor.key}")
        return self._task

    async def _run(self, prepared: PreparedLookup) -> None:
        self.last_error = None
        self._set_busy(True)
        started = time.monotonic()
        try:
            result = await self._engine.run(prepared)
        except asyncio.CancelledError:
            self._show_outcome("Lookup cancelled.", "muted")
            self.finished.emit(f"{self.vendor.title}: cancelled")
            raise
        except (VendorError, ConfigurationError, CredentialStoreError) as error:
            self._show_error(error, time.monotonic() - started)
        else:
            self.show_result(result, prepared)
        finally:
            self._set_busy(False)
            focus = QApplication.focusWidget()
            # Only when the user is still here: the focus is not taken from another panel.
            if self.isVisible() and (focus is None or self.isAncestorOf(focus)):
                self.focus_paste_field()

    def _set_busy(self, busy: bool) -> None:
        self.lookup_button.setText(_CANCEL_TEXT if busy else _LOOKUP_TEXT)
        self.lookup_button.setAccessibleName("Cancel" if busy else "Lookup")
        self.busy_indicator.setVisible(busy)
        self.form.setEnabled(not busy)
        self.profile_combo.setEnabled(not busy)

    # -- showing ---------------------------------------------------------------------------
    def _show_outcome(self, text: str, state: str) -> None:
        self.outcome_state = state
        self.outcome.setText(text)
        if self.outcome.property("state") != state:  # re-polishing restyles the whole label
            self.outcome.setProperty("state", state)
            self.outcome.style().unpolish(self.outcome)
            self.outcome.style().polish(self.outcome)
        self.outcome.show()

    def clear_answer(self) -> None:
        """Nothing of the last answer stays on screen or within reach of a copy."""
        self.last_result = None
        self._attempts_listed = False
        self.call_card.clear()
        self.outcome.clear()
        self.outcome.hide()
        self.details.set_rows([])
        self.recordings.set_rows([])
        self.raw_view.clear()
        self._layout_pending = set()
        self.results.setTabText(self.results.indexOf(self.details_table), "Details")
        self.results.setTabText(self.results.indexOf(self.recordings_table), "Recordings")
        if self.attempts is not None:
            self.attempts.clear()

    def _show_error(self, error: CallLookupError, elapsed: float) -> None:
        self.clear_answer()
        self.last_error = error
        text = error.describe() if isinstance(error, VendorError) else error.message
        kind = error.kind if isinstance(error, VendorError) else Outcome.ERROR
        self._show_outcome(f"{kind.capitalize()}: {text}", "error")
        self.finished.emit(f"{self.vendor.title}: {kind} after {elapsed * 1000:.0f} ms")

    def show_result(self, result: LookupResult, prepared: PreparedLookup | None = None) -> None:
        self.clear_answer()
        self.last_result = result
        self.details.set_rows([field for call in result.calls for field in call.fields])
        self.recordings.set_rows(result.recordings)
        self._layout_pending = {self.details_table, self.recordings_table, self.raw_view}
        details_at = self.results.indexOf(self.details_table)
        recordings_at = self.results.indexOf(self.recordings_table)
        self.results.setTabText(details_at, f"Details ({self.details.rowCount()})")
        self.results.setTabText(recordings_at, f"Recordings ({self.recordings.rowCount()})")
        self.details_table.setAccessibleDescription(f"{self.details.rowCount()} rows")
        self.recordings_table.setAccessibleDescription(f"{self.recordings.rowCount()} rows")
        state = "success"
        if result.task is not None:
            state = {
                TaskState.SUCCESS: "success",
                TaskState.FAILURE: "failure",
                TaskState.PENDING: "pending",
            }[result.task.state]
        self._elapsed_ms = (result.elapsed_seconds or 0.0) * 1000
        self.outcome_state = state  # also when the card says it all and the banner stays hidden
        self.description.hide()
        if self.attempts is not None and result.attempts and not result.calls:
            # The list's figures come from the panel (one source for banner, status bar,
            # card, summary and copy), and change as pages arrive.
            self._attempts_listed = True
            if result.notices:
                self._show_outcome("\n".join(result.notices), state)
            self.attempts.show_first_page(prepared, result)
            self.results.setCurrentWidget(self.attempts)
            self.fold_form()
        else:
            # The card says what the summary said; the banner is for what needs attention.
            lines = [result.summary] if result.summary and state != "success" else []
            lines.extend(result.notices)
            if lines:
                self._show_outcome("\n".join(lines), state)
            self.finished.emit(
                f"{self.vendor.title} · {result.profile}: {result.summary or 'found'} "
                f"— {self._elapsed_ms:.0f} ms"
            )
            self.call_card.show_content(card_content(result, self.vendor.title))
            self.results.setCurrentWidget(self.details_table)
            self._lay_out_shown_view()  # when it was in view already, no change was signalled

    def _panel_report(self, text: str, state: str) -> None:
        """What the attempts panel says: trouble in the banner, the rest in the status bar
        (the banner's row belongs to the table once the figures are in the card)."""
        if state in ("error", "pending"):
            self._show_outcome(text, state)
        else:
            self.finished.emit(f"{self.vendor.title}: {text}")

    def _show_figures(self) -> None:
        """The attempts' figures, the same words in the card and the status bar."""
        if not self._attempts_listed or self.attempts is None or self.last_result is None:
            return
        figures = self.attempts.figures()
        line = figures.line()
        paste_field = self.form.paste_field()
        name = paste_field.objectName() if paste_field is not None else ""
        call = self.last_result.params.get(name, "")
        scope = [] if figures.complete else [("Figures", figures.scope())]
        self.call_card.show_content(
            CardContent(f"{self.vendor.title} call {call}: {line}" if call else line, scope)
        )
        self.finished.emit(
            f"{self.vendor.title} · {self.last_result.profile}: {line} — {self._elapsed_ms:.0f} ms"
        )

    def show_times_again(self) -> None:
        """The card once more, in the time display now chosen (the tables read it as they
        paint); nothing when the card shows no answer."""
        if self.call_card.isHidden() or self.last_result is None:
            return
        if self._attempts_listed:
            self._show_figures()
        else:
            self.call_card.show_content(card_content(self.last_result, self.vendor.title))

    def _lay_out_shown_view(self) -> None:
        view = self.results.currentWidget()
        if view not in self._layout_pending or self.last_result is None:
            return
        self._layout_pending.discard(view)
        if view is self.raw_view:
            self.raw_view.setPlainText(indented(self.last_result.raw_text))
        elif view is self.details_table:
            self._size_label_column()
        elif view is self.recordings_table:
            for column in range(self.recordings.columnCount() - 1):
                self.recordings_table.resizeColumnToContents(column)

    def _size_label_column(self) -> None:
        """The details' label column as wide as its labels, unless it already is."""
        labels = [field.label for field in self.details.rows()]
        if labels != self._details_sized_for:
            self.details_table.resizeColumnToContents(0)
            self._details_sized_for = labels

    def refit_tables(self) -> None:
        """Rows and columns fitted to the text again (after the text size changed)."""
        for table in self.copiers:
            fit_rows(table)
        self._details_sized_for = []
        if self.details.rowCount():
            self._size_label_column()
        for column in range(self.recordings.columnCount() - 1):
            self.recordings_table.resizeColumnToContents(column)
        if self.attempts is not None:
            fit_columns(self.attempts.table)

    def rerun(self, profile: str, params: dict[str, str]) -> None:
        """The same lookup again (from the history): same profile, same parameters."""
        if self.profile_combo.findText(profile) >= 0:
            self.profile_combo.setCurrentText(profile)
        self.form.set_values(params)
        if not self.is_running:
            self.start_lookup()

    def _show_attempt(self, result: LookupResult) -> None:
        """One attempt's fields (get-item) in the details table, the list left as it is."""
        self.details.set_rows([field for call in result.calls for field in call.fields])
        details_at = self.results.indexOf(self.details_table)
        self.results.setTabText(details_at, f"Details ({self.details.rowCount()})")
        self._size_label_column()
        self.results.setCurrentWidget(self.details_table)
        self._show_outcome(result.summary, "success")

    # -- copy and links ----------------------------------------------------------------------
    def current_table(self) -> QTableView | None:
        """The table the user is looking at in the results, if any."""
        widget = self.results.currentWidget()
        if widget is self.attempts and self.attempts is not None:
            return self.attempts.table
        return widget if isinstance(widget, QTableView) else None

    def copy_current_table(self) -> None:
        table = self.current_table()
        if table is not None:
            self.copiers[table].copy_all()

    def copy_summary(self) -> None:
        if self.last_result is None:
            if self.last_error is None:
                self.finished.emit(f"{self.vendor.title}: no answer to summarize (nothing copied)")
                return
            # The failure is the current answer: a ticket gets that, never an older call.
            QApplication.clipboard().setText(f"{self.vendor.title}: {self.outcome.text()}\n")
            self.finished.emit(f"{self.vendor.title}: the failure copied for a ticket")
            return
        if self._attempts_listed and self.attempts is not None:
            result = self.last_result
            text = (
                f"{self.vendor.title} ({result.profile}): {self.attempts.figures().ticket_text()}\n"
            )
        else:
            text = summary_text(self.last_result)
        QApplication.clipboard().setText(text)
        self.finished.emit(f"{self.vendor.title}: summary copied for a ticket")

    def open_recording(self, link: RecordingLink) -> bool:
        """Open an http(s) link in the default browser; any other scheme is refused."""
        refusal = openable_url(link.url)
        if refusal:
            self._show_outcome(f"Not opened: {refusal}", "error")
            return False
        QDesktopServices.openUrl(QUrl(link.url))
        return True

    def _open_recording_index(self, index: QModelIndex) -> None:
        self.open_recording(self.recordings.row_at(index.row()))

    def _recordings_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        index = self.recordings_table.indexAt(position)
        if index.isValid():
            link = self.recordings.row_at(index.row())
            open_link = QAction("&Open link", menu)
            open_link.triggered.connect(lambda: self.open_recording(link))
            copy_link = QAction("Copy &link", menu)
            copy_link.triggered.connect(lambda: QApplication.clipboard().setText(link.url))
            menu.addAction(open_link)
            menu.addAction(copy_link)
            menu.addSeparator()
        self.copiers[self.recordings_table].populate(menu)
        menu.popup(self.recordings_table.viewport().mapToGlobal(position))

    def focus_paste_field(self) -> None:
        """The focus where the next ID will be pasted, its text selected so a paste replaces
        it (after a tab switch, a lookup or a failure)."""
        target = self.form.paste_field()
        if isinstance(target, QLineEdit):
            target.setFocus()
            target.selectAll()
