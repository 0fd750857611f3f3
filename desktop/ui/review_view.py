"""Escalation review: every OneUptime attempt of a period, aggregated per user, rule, status,
call, hour and day, with charts; each figure drills down to its attempts and one call's attempts
open in the supervisor view.

Loading and aggregation run off the UI thread (the loader on the event loop with its requests,
SQL in the blocking pool); only finished figures reach the widgets. A newer request supersedes
an older one, so an old answer never replaces a newer one on screen.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.analytics.cache import AttemptCache, CachedAttempt, Filters
from desktop.analytics.figures import (
    CallRow,
    GroupBy,
    GroupFigures,
    Report,
    call_rows,
    cell_group,
    day_text,
    drill_attempts,
    full_report,
)
from desktop.analytics.loader import VENDOR_KEY, LoadOutcome, PeriodLoader, call_attempts_params
from desktop.analytics.period import Period, Preset, days, preset_period
from desktop.core.blocking import run_blocking
from desktop.core.errors import CallLookupError
from desktop.core.timefmt import hms, screen_time
from desktop.engine import LookupEngine
from desktop.ui.charts import Bar, BarChart, DayPoint, HeatmapChart, TrendChart
from desktop.ui.table_actions import TableCopier
from desktop.ui.table_models import Column, RecordTableModel, fit_columns, make_table
from desktop.ui.tasks import TaskRunner
from desktop.ui.theme import Tone, show_banner

ALL = "(all)"
_V = TypeVar("_V", int, float)
#: A table's row: figures of a group, or a call's tuple.
_R = TypeVar("_R")


def _duration(value: float | None) -> str:
    """A duration on screen, as h:mm:ss (copies carry the seconds)."""
    return "–" if value is None else hms(value)


def _sort_seconds(value: float | None) -> float:
    return -1.0 if value is None else value


def _cost(cents: float) -> str:
    return f"${cents / 100:,.2f}"


def total_columns(
    dial: Callable[[_R], float], cost: Callable[[_R], float]
) -> tuple[Column[_R], ...]:
    """The totals every figures table ends with; cost sorts by its amount, not its text."""
    return (
        Column("Dial time", lambda r: hms(dial(r)), sort_value=dial,
               clipboard=lambda r: _number(dial(r)), copy_header="Dial time (s)"),
        Column("Cost (USD)", lambda r: _cost(cost(r)), sort_value=cost,
               clipboard=lambda r: f"{cost(r) / 100:.2f}"),
    )  # fmt: skip


def figure_columns(first: str, name: Callable[[GroupFigures], str]) -> list[Column[GroupFigures]]:
    return [
        Column(first, name, clipboard=lambda f: f.group),
        Column("Attempts", lambda f: f"{f.attempts:,}", sort_value=lambda f: f.attempts,
               clipboard=lambda f: str(f.attempts)),
        Column("Answered", lambda f: f"{f.answered:,}", sort_value=lambda f: f.answered,
               clipboard=lambda f: str(f.answered)),
        Column("Missed", lambda f: f"{f.not_answered:,}", sort_value=lambda f: f.not_answered,
               clipboard=lambda f: str(f.not_answered)),
        Column("Answer rate", lambda f: f"{f.answer_rate:.0%}", sort_value=lambda f: f.answer_rate,
               clipboard=lambda f: f"{f.answer_rate:.4f}"),
        Column("Calls", lambda f: f"{f.calls:,}", sort_value=lambda f: f.calls,
               clipboard=lambda f: str(f.calls)),
        Column("Median dial", lambda f: _duration(f.median_dial_seconds),
               sort_value=lambda f: _sort_seconds(f.median_dial_seconds),
               clipboard=lambda f: _number(f.median_dial_seconds),
               copy_header="Median dial (s)"),
        Column("90th percentile dial", lambda f: _duration(f.p90_dial_seconds),
               sort_value=lambda f: _sort_seconds(f.p90_dial_seconds),
               clipboard=lambda f: _number(f.p90_dial_seconds),
               copy_header="90th percentile dial (s)"),
        *total_columns(lambda f: f.total_dial_seconds, lambda f: f.total_cost_usd_cents),
    ]  # fmt: skip


def _group_text(figure: GroupFigures) -> str:
    return figure.group or "(none)"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


#: The per-call list's columns over ``CallRow`` tuples (call, attempts, answered, dial, median,
#: 90th percentile, cost, attempts until answered, first ring to answer): a third of a million
#: rows for a million attempts, held as tuples the garbage collector does not walk.
CALL_COLUMNS: list[Column[CallRow]] = [
    Column("Incoming call", lambda c: c[0]),
    Column("Attempts", lambda c: f"{c[1]:,}", clipboard=lambda c: str(c[1])),
    Column("Attempts until answered", lambda c: _never(c[7], str),
           clipboard=lambda c: _number(c[7])),
    Column("First ring to answer", lambda c: _never(c[8], hms),
           sort_value=lambda c: math.inf if c[8] is None else c[8],
           clipboard=lambda c: _number(c[8]), copy_header="First ring to answer (s)"),
    *total_columns(lambda c: c[3], lambda c: c[6]),
]  # fmt: skip


def _never(value: _V | None, text: Callable[[_V], str]) -> str:
    return "never" if value is None else text(value)


_W = TypeVar("_W", bound=QWidget)


def named(widget: _W, name: str) -> _W:
    widget.setObjectName(name)
    return widget


def buddy_label(text: str, widget: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def _moment(seconds: float | None) -> str:
    return "" if seconds is None else screen_time(datetime.fromtimestamp(seconds, UTC))


class ReviewView(QWidget):
    """The review window. ``open_call`` asks for one call's attempts in the supervisor view: it
    carries the vendor key and the lookup parameters that list them."""

    open_call = Signal(str, dict)

    def __init__(
        self, engine: LookupEngine, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("reviewView")
        self.setWindowTitle("Escalation review — OneUptime")
        self.engine = engine
        self.tasks = tasks
        self.cache: AttemptCache | None = None
        self.source: str | None = None
        self.period: Period | None = None
        self.report: Report | None = None
        self.names: dict[str, str] = {}
        #: Bumped by every load and refresh: an answer for an older one is dropped.
        self._generation = 0
        self.current_task: asyncio.Task[None] | None = None
        self.resize(1180, 820)
        self._build_controls()
        self._build_pages()

    # -- building --------------------------------------------------------------------------
    def _build_controls(self) -> None:
        self._build_period()
        self.user_filter = self._filter_combo("reviewUserFilter", "User")
        self.rule_filter = self._filter_combo("reviewRuleFilter", "Escalation rule")
        self.status_filter = self._filter_combo("reviewStatusFilter", "Status")
        self._build_buttons()
        self.status = named(QLabel(), "reviewStatus")
        self.status.setWordWrap(True)
        self.summary = named(QLabel(), "reviewSummary")
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        for label, widget in (("Profile", self.profile_combo), ("Period", self.period_combo),
                              ("From", self.from_date), ("To", self.to_date)):  # fmt: skip
            row.addWidget(buddy_label(label, widget))
            row.addWidget(widget)
        row.addStretch(1)
        for button in (self.load_button, self.reload_button, self.cancel_button):
            row.addWidget(button)
        filters = QHBoxLayout()
        for label, widget in (("User", self.user_filter), ("Escalation rule", self.rule_filter),
                              ("Status", self.status_filter)):  # fmt: skip
            filters.addWidget(buddy_label(label, widget))
            filters.addWidget(widget, 1)
        layout = QVBoxLayout(self)
        self._layout = layout
        layout.addLayout(row)
        layout.addLayout(filters)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.summary)

    def _build_period(self) -> None:
        self.profile_combo = named(QComboBox(), "reviewProfile")
        self.profile_combo.addItems([p.name for p in self.engine.profiles.list()
                                     if p.vendor == VENDOR_KEY])  # fmt: skip
        self.period_combo = named(QComboBox(), "reviewPeriod")
        self.period_combo.addItems([preset.value for preset in Preset])
        self.period_combo.setCurrentText(Preset.LAST_7_DAYS.value)
        today = QDate.currentDate()
        self.from_date = named(QDateEdit(today.addDays(-6)), "reviewFrom")
        self.to_date = named(QDateEdit(today), "reviewTo")
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.period_combo.currentTextChanged.connect(self._period_changed)
        self._period_changed(self.period_combo.currentText())

    def _build_buttons(self) -> None:
        self.load_button = named(QPushButton("&Load"), "reviewLoad")
        self.load_button.setDefault(True)
        self.load_button.clicked.connect(self._load_clicked)
        self.reload_button = named(QPushButton("Reload &all"), "reviewReload")
        self.reload_button.setToolTip("Fetch every attempt of the period again, not only changes")
        self.reload_button.clicked.connect(lambda: self.start_load(full=True))
        self.cancel_button = named(QPushButton("Cancel"), "reviewCancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = named(QProgressBar(), "reviewProgress")
        self.cancel_button.setEnabled(False)
        self.progress.setVisible(False)

    def _filter_combo(self, name: str, accessible: str) -> QComboBox:
        combo = named(QComboBox(), name)
        combo.setAccessibleName(accessible)
        combo.addItem(ALL, None)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(14)
        combo.activated.connect(lambda _index: self.start_refresh())
        return combo

    def _table(self, name: str, columns: list[Column[_R]], accessible: str,
               drill: Callable[[_R], object]) -> QTableView:  # fmt: skip
        model: RecordTableModel[_R] = RecordTableModel(columns, self)
        table = make_table(name, model, accessible)
        TableCopier(table, self.tasks, self._report_status)
        table.doubleClicked.connect(lambda index: drill(model.row_at(index.row())))
        return table

    def _build_pages(self) -> None:
        self.pages = named(QTabWidget(), "reviewPages")
        self.user_table = self._table("reviewUsers", figure_columns("User", self._user_label),
                                      "Figures per on-call user", self._drill_user)  # fmt: skip
        self.user_bars = BarChart()
        self.user_bars.activated.connect(self._bar_clicked)
        users = QSplitter(Qt.Orientation.Vertical)
        users.addWidget(self.user_table)
        users.addWidget(self.user_bars)
        self.pages.addTab(users, "&Users")
        self.rule_table = self._table(
            "reviewRules", figure_columns("Escalation rule", _group_text),
            "Figures per escalation rule",
            lambda f: self.drill(GroupBy.RULE, f.group, f"escalation rule {f.group}"),
        )  # fmt: skip
        self.pages.addTab(self.rule_table, "Escalation &rules")
        self.status_table = self._table(
            "reviewStatuses", figure_columns("Status", _group_text), "Figures per status",
            lambda f: self.drill(GroupBy.STATUS, f.group, f"status {f.group}"),
        )  # fmt: skip
        self.pages.addTab(self.status_table, "&Statuses")
        self.call_table = self._table("reviewCalls", CALL_COLUMNS, "Figures per incoming call",
                                      lambda call: self._open_call(call[0]))  # fmt: skip
        self._calls_tab = self.pages.addTab(self.call_table, "&Calls")
        self.attempts_heatmap = HeatmapChart("attemptsHeatmap",
                                             "Attempts by weekday and hour (local time)",
                                             "heat")  # fmt: skip
        self.missed_heatmap = HeatmapChart("missedHeatmap",
                                           "Missed attempts by weekday and hour (local time)",
                                           "missed")  # fmt: skip
        hours = QSplitter(Qt.Orientation.Vertical)
        for chart in (self.attempts_heatmap, self.missed_heatmap):
            chart.activated.connect(self._cell_clicked)
            hours.addWidget(chart)
        self.pages.addTab(hours, "&Hours")
        self.trend = TrendChart()
        self.trend.activated.connect(self._day_clicked)
        day_columns = figure_columns("Day", lambda f: day_text(f.group))
        self.day_table = self._table("reviewDays", day_columns,
                                     "Figures per day", lambda f: self.drill(
                                         GroupBy.DAY, f.group, day_text(f.group)))  # fmt: skip
        trend = QSplitter(Qt.Orientation.Vertical)
        trend.addWidget(self.trend)
        trend.addWidget(self.day_table)
        self.pages.addTab(trend, "&Days")
        self.attempts_label = QLabel("Double-click a figure to list its attempts here.")
        self.attempt_model: RecordTableModel[CachedAttempt] = RecordTableModel(
            self._attempt_columns(), self
        )
        self.attempt_table = make_table("reviewAttempts", self.attempt_model, "Attempts")
        TableCopier(self.attempt_table, self.tasks, self._report_status)
        self.attempt_table.doubleClicked.connect(self._attempt_chosen)
        attempts = QWidget()
        column = QVBoxLayout(attempts)
        column.addWidget(self.attempts_label)
        column.addWidget(self.attempt_table)
        self.pages.addTab(attempts, "&Attempts")
        self._layout.addWidget(self.pages)

    def _attempt_columns(self) -> list[Column[CachedAttempt]]:
        return [
            Column("Started", lambda a: _moment(a.started), sort_value=lambda a: a.started or 0,
                   zone_label="",
                   clipboard=lambda a: "" if a.started is None else
                   datetime.fromtimestamp(a.started).astimezone().isoformat()),
            Column("Incoming call", lambda a: a.call_id or ""),
            Column("User", lambda a: self.names.get(a.user_id or "", a.user_id or ""),
                   clipboard=lambda a: a.user_id or ""),
            Column("Escalation rule", lambda a: a.rule_id or ""),
            Column("Status", lambda a: a.status or ""),
            Column("Answered", lambda a: "yes" if a.answered else "no",
                   clipboard=lambda a: "true" if a.answered else "false"),
            Column("Dial (s)", lambda a: _number(a.dial_seconds)),
            Column("Cost (USD cents)", lambda a: _number(a.cost_usd_cents)),
            Column("Attempt ID", lambda a: a.attempt_id),
        ]  # fmt: skip

    # -- period and filters ----------------------------------------------------------------
    def _period_changed(self, text: str) -> None:
        custom = text == Preset.CUSTOM.value
        self.from_date.setEnabled(custom)
        self.to_date.setEnabled(custom)
        if not custom:
            chosen = preset_period(Preset(text))
            self.from_date.setDate(qdate(chosen.start.date()))
            self.to_date.setDate(qdate(chosen.end.date()))

    def chosen_period(self) -> Period:
        return days(pydate(self.from_date.date()), pydate(self.to_date.date()))

    def filters(self) -> Filters:
        return Filters(
            user_id=self.user_filter.currentData(),
            rule_id=self.rule_filter.currentData(),
            status=self.status_filter.currentData(),
        )

    def _user_label(self, figure: GroupFigures) -> str:
        return figure.user_name or figure.group or "(none)"

    # -- loading ---------------------------------------------------------------------------
    def _load_clicked(self) -> None:
        self.start_load()

    def start_load(self, *, full: bool = False) -> asyncio.Task[None] | None:
        try:
            period = self.chosen_period()
        except CallLookupError as error:
            self._report_status(error.message, "failure")
            return None
        self.cancel()
        self._generation += 1
        self._clear()
        self.current_task = self.tasks.start(self._load(period, full, self._generation), "review")
        return self.current_task

    def cancel(self) -> None:
        if self.current_task is not None and not self.current_task.done():
            self.current_task.cancel()

    def _busy(self, busy: bool) -> None:
        self.cancel_button.setEnabled(busy)
        self.load_button.setEnabled(not busy)
        self.reload_button.setEnabled(not busy)
        self.progress.setVisible(busy)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{done:,} of {total:,} attempts")

    async def _load(self, period: Period, full: bool, generation: int) -> None:
        self._busy(True)
        self._report_status(f"Loading the attempts of {period.text()}…", "pending")
        try:
            if self.cache is None:
                self.cache = await run_blocking(AttemptCache)
            loader = PeriodLoader(self.engine, self.cache, self.profile_combo.currentText() or None)
            outcome: LoadOutcome = await loader.load(period, self._progress, full=full)
        except asyncio.CancelledError:
            self._report_status("Loading cancelled: the figures below are not shown.", "failure")
            raise
        except CallLookupError as error:
            self._report_status(error.message, "failure")
            return
        finally:
            self._busy(False)
        self.source, self.period = loader.source, period
        self._report_status(outcome.text(), "success")
        await self._refresh(generation)

    def start_refresh(self) -> asyncio.Task[None] | None:
        """New figures from the cache for changed filters (nothing is fetched)."""
        if self.source is None:
            return None
        self._generation += 1
        self.current_task = self.tasks.start(self._refresh(self._generation), "review figures")
        return self.current_task

    async def _refresh(self, generation: int) -> None:
        cache, source, period = self.cache, self.source, self.period
        if cache is None or source is None or period is None:
            return
        filters = self.filters()
        report = await run_blocking(full_report, cache, source, period, filters)
        names = await run_blocking(cache.user_names, source)
        if generation != self._generation:
            return  # a newer load or refresh is under way: its figures will show
        self.report, self.names = report, names
        self._show(report)
        self._model(self.call_table).set_rows([])
        self.pages.setTabText(self._calls_tab, "&Calls (counting…)")
        try:
            calls = await run_blocking(call_rows, cache, source, period, filters)
        finally:  # counted, failed or cancelled: the tab no longer says it is counting
            if generation == self._generation:
                self.pages.setTabText(self._calls_tab, "&Calls")
        if generation != self._generation:
            return
        self._model(self.call_table).set_rows(calls)
        fit_columns(self.call_table)

    # -- showing ---------------------------------------------------------------------------
    def _clear(self) -> None:
        self.report = None
        self.summary.setText("")
        for table in (self.user_table, self.rule_table, self.status_table, self.call_table,
                      self.day_table):  # fmt: skip
            self._model(table).set_rows([])
        self.attempt_model.set_rows([])
        self.user_bars.set_bars([])
        self.trend.set_points([])
        empty = tuple((0,) * 24 for _ in range(7))
        self.attempts_heatmap.set_cells(empty)
        self.missed_heatmap.set_cells(empty)

    @staticmethod
    def _model(table: QTableView) -> RecordTableModel[Any]:
        model = table.model()
        assert isinstance(model, RecordTableModel)
        return model

    def _show(self, report: Report) -> None:
        total = report.total
        self.summary.setText(
            f"{report.period.text()}: {total.attempts:,} attempts · {total.answered:,} answered "
            f"({total.answer_rate:.0%}) · {total.calls:,} calls · median dial "
            f"{_duration(total.median_dial_seconds)} · dial time "
            f"{hms(total.total_dial_seconds)} · cost {_cost(total.total_cost_usd_cents)}"
        )
        groups = report.groups
        for table, by in ((self.user_table, GroupBy.USER), (self.rule_table, GroupBy.RULE),
                          (self.status_table, GroupBy.STATUS),
                          (self.day_table, GroupBy.DAY)):  # fmt: skip
            self._model(table).set_rows(groups[by])
            fit_columns(table)
        self.user_bars.set_bars([Bar(self._user_label(f), f.answered, f.not_answered)
                                 for f in groups[GroupBy.USER]])  # fmt: skip
        self.trend.set_points([DayPoint(day_text(f.group), f.attempts, f.not_answered)
                               for f in groups[GroupBy.DAY]])  # fmt: skip
        if report.heatmap is not None:
            self.attempts_heatmap.set_cells(report.heatmap.attempts)
            self.missed_heatmap.set_cells(report.heatmap.missed)
        self._fill_filter(self.user_filter, [(self._user_label(f), f.group)
                                             for f in groups[GroupBy.USER] if f.group])  # fmt: skip
        self._fill_filter(self.rule_filter, [(f.group, f.group) for f in groups[GroupBy.RULE]
                                             if f.group])  # fmt: skip
        self._fill_filter(self.status_filter, [(f.group, f.group) for f in groups[GroupBy.STATUS]
                                               if f.group])  # fmt: skip

    @staticmethod
    def _fill_filter(combo: QComboBox, choices: list[tuple[str, str]]) -> None:
        """Offer the period's values; a chosen one stays chosen (and offered)."""
        chosen = combo.currentData()
        if chosen is not None:
            return  # narrowed: the other values are not in this report, keep the list
        combo.clear()
        combo.addItem(ALL, None)
        for text, value in sorted(choices, key=lambda choice: choice[0].lower()):
            combo.addItem(text, value)

    def _report_status(self, text: str, state: Tone) -> None:
        show_banner(self.status, text, state)

    # -- drill-down ------------------------------------------------------------------------
    def _drill_user(self, figure: GroupFigures) -> None:
        self.drill(GroupBy.USER, figure.group, f"user {self._user_label(figure)}")

    def _bar_clicked(self, index: int) -> None:
        if self.report is not None and index < len(self.report.groups[GroupBy.USER]):
            self._drill_user(self.report.groups[GroupBy.USER][index])

    def _day_clicked(self, index: int) -> None:
        if self.report is not None and index < len(self.report.groups[GroupBy.DAY]):
            group = self.report.groups[GroupBy.DAY][index].group
            self.drill(GroupBy.DAY, group, day_text(group))

    def _cell_clicked(self, index: int) -> None:
        weekday, hour = divmod(index, 24)
        names = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays",
                 "Sundays")  # fmt: skip
        what = f"{names[weekday]} {hour:02d}:00–{hour:02d}:59"
        self.drill("cell", cell_group(weekday, hour), what)

    def drill(self, by: GroupBy | str, group: str, what: str) -> asyncio.Task[None] | None:
        cache, source, period = self.cache, self.source, self.period
        if cache is None or source is None or period is None:
            return None
        filters = self.filters()

        async def go() -> None:
            attempts = await run_blocking(
                drill_attempts, cache, source, period, filters, by=by, group=group
            )
            self.attempt_model.set_rows(attempts)
            fit_columns(self.attempt_table)
            self.attempts_label.setText(
                f"{len(attempts):,} attempts of {what} in {period.text()}. Double-click one to "
                "see its call's attempts in the OneUptime tab."
            )
            self.pages.setCurrentIndex(self.pages.count() - 1)

        return self.tasks.start(go(), "review drill-down")

    def _attempt_chosen(self, index: QModelIndex) -> None:
        attempt = self.attempt_model.row_at(index.row())
        if attempt.call_id:
            self._open_call(attempt.call_id)

    def _open_call(self, call_id: str) -> None:
        self.open_call.emit(VENDOR_KEY, call_attempts_params(call_id))

    def closeEvent(self, event: object) -> None:
        self.cancel()
        if self.cache is not None:
            self.cache.close()
            self.cache = None
        super().closeEvent(event)  # type: ignore[arg-type]
