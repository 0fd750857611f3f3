"""Table models: one column declaration per table kind, one model class that serves them all.

Roles: DisplayRole shows text, SORT_ROLE gives native values for sorting, CLIPBOARD_ROLE the raw
value to copy (a full URL, an ID), OBJECT_ROLE the row's record, ToolTipRole extra detail.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from desktop.core.export import CopyValue, masked_url
from desktop.core.models import (
    AttemptOutcome,
    DetailField,
    EscalationAttempt,
    Record,
    RecordingLink,
)
from desktop.core.timefmt import screen_time, utc_text, zone_caption
from desktop.ui.theme import Tone, status_colours
from desktop.vendors import REGISTRY

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CLIPBOARD_ROLE = Qt.ItemDataRole.UserRole + 2
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 3

RowT = TypeVar("RowT")
AnyIndex = QModelIndex | QPersistentModelIndex


def plain_tooltip(text: str) -> str:
    """Vendor text for a tooltip, shown literally: Qt would render text that merely looks like
    HTML as rich text, so it is escaped inside an explicit rich-text paragraph."""
    return f"<p style='white-space:pre-wrap'>{html.escape(text)}</p>"


@dataclass(frozen=True)
class Column(Generic[RowT]):
    header: str
    display: Callable[[RowT], str]
    #: Native value for sorting; defaults to the display text.
    sort_value: Callable[[RowT], Any] | None = None
    #: The value a copy takes (e.g. the unmasked URL, a number in the unit ``copy_header``
    #: names, a datetime); defaults to the display text.
    clipboard: Callable[[RowT], CopyValue] | None = None
    tooltip: Callable[[RowT], str | None] | None = None
    #: The tone that colours the cell; the text still says the same thing, so colour is never
    #: the only signal.
    state: Callable[[RowT], Tone | None] | None = None
    #: The header a copy takes when the copied values need their unit said (local times).
    copy_header: str | None = None
    #: For a column of times: the words before the zone the header names, which cells never
    #: repeat ("" gives 'Started (Europe/Berlin)'; "times: " gives 'Value (times: UTC)').
    zone_label: str | None = None
    #: For a column that mixes times with other values (details): whether a row holds a time
    #: in a known zone; the header names the zone only when one does.
    zoned_row: Callable[[RowT], bool] | None = None

    def shown_header(self, rows: Sequence[RowT]) -> str:
        """The header on screen: with the zone of the times in the column, said once."""
        if self.zone_label is None:
            return self.header
        if self.zoned_row is not None and not any(self.zoned_row(row) for row in rows):
            return self.header
        return f"{self.header} ({self.zone_label}{zone_caption()})"

    @property
    def clipboard_header(self) -> str:
        return self.copy_header or self.header

    #: Numbers line up on the right, as in a spreadsheet.
    numeric: bool = False
    #: The record attribute a vendor may sort by on the server (``AttemptSource.
    #: sortable_fields``) when not every row is loaded; None: the column sorts loaded rows only.
    server_sort: str | None = None


class RecordTableModel(QAbstractTableModel, Generic[RowT]):
    """A read-only table over a list of records, described by a tuple of columns."""

    def __init__(
        self,
        columns: Sequence[Column[RowT]],
        parent: Any = None,
        *,
        record_of: Callable[[RowT], Record] | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        #: A row as the machine formats carry it (the vendor's names, typed), for Copy as
        #: JSON/CSV and export; without it those take the columns' clipboard values.
        self.record_of = record_of
        self._rows: list[RowT] = []
        #: Each column's clipboard value. Copies are made from the rows when copied, a column
        #: at a time (``copy_columns``), not kept per row: for 100,000 loaded attempts a kept
        #: copy cost 40 MB, ~70 % of the attempts themselves.
        self._copy_getters = tuple(column.clipboard or column.display for column in self._columns)

    # -- content ---------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[RowT]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def append_rows(self, rows: Sequence[RowT]) -> None:
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows.extend(rows)
        self.endInsertRows()

    def rows(self) -> list[RowT]:
        return list(self._rows)

    def copy_columns(self, rows: Sequence[int], columns: Sequence[int]) -> list[list[CopyValue]]:
        """The rows' clipboard values, a list per column: each column's getter runs over every
        row at once (pure Python: safe in a worker thread)."""
        records = list(map(self._rows.__getitem__, rows))
        return [list(map(self._copy_getters[column], records)) for column in columns]

    def row_at(self, row: int) -> RowT:
        return self._rows[row]

    @property
    def columns(self) -> tuple[Column[RowT], ...]:
        return self._columns

    # -- Qt model interface ----------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._columns[section].shown_header(self._rows)
        return str(section + 1)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        record = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(record)
        if role == SORT_ROLE:
            return (column.sort_value or column.display)(record)
        if role == CLIPBOARD_ROLE:
            return (column.clipboard or column.display)(record)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = column.tooltip(record) if column.tooltip else None
            return plain_tooltip(tip) if tip else None
        if role == OBJECT_ROLE:
            return record
        if role == Qt.ItemDataRole.TextAlignmentRole and column.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            state = column.state(record) if column.state else None
            colours = status_colours(state) if state else None
            if colours is None:
                return None
            foreground, background = colours
            return QColor(background if role == Qt.ItemDataRole.BackgroundRole else foreground)
        return None


def _detail_label(field: DetailField) -> str:
    """The row's label; a time in a zone the vendor did not name says so here, once."""
    naive = field.moment is not None and not field.zone_known
    return f"{field.label} (zone not given)" if naive else field.label


DETAIL_COLUMNS: tuple[Column[DetailField], ...] = (
    Column("Field", _detail_label, tooltip=lambda field: f"API name: {field.key}"),
    # A copy takes the vendor module's text, times with their zone, as copies always did.
    Column(
        "Value",
        lambda field: field.screen_text,
        clipboard=lambda field: field.value,
        tooltip=lambda field: field.note or (field.value if len(field.value) > 60 else None),
        zone_label="times: ",
        zoned_row=lambda field: field.zone_known,
    ),
)


def _expiry_text(link: RecordingLink) -> str:
    if link.expires_at is None:
        return "—"
    state = "expired" if link.is_expired() else "valid until"
    return f"{state} {screen_time(link.expires_at)}"


def vendor_title(key: str) -> str:
    """The vendor's name for people ('Huawei CC-iSales'), not its key."""
    return next((entry.title for entry in REGISTRY if entry.key == key), key)


RECORDING_COLUMNS: tuple[Column[RecordingLink], ...] = (
    Column("Vendor", lambda link: vendor_title(link.vendor), clipboard=lambda link: link.vendor),
    Column("Call ID", lambda link: link.call_id),
    Column("Kind", lambda link: link.label),
    Column(
        "Expires",
        _expiry_text,
        sort_value=lambda link: link.expires_at.timestamp() if link.expires_at else 0.0,
        clipboard=lambda link: link.expires_at,
        copy_header="Expires (local time)",
        zone_label="",
    ),
    # Last, so it takes the remaining width and long signed URLs elide instead of pushing
    # the other columns out of view.
    # Signature-like parameters are masked on screen; copy and open use the whole link.
    Column(
        "Link",
        lambda link: masked_url(link.url),
        clipboard=lambda link: link.url,
        tooltip=lambda link: masked_url(link.url),
    ),
)


def _detail_record(field: DetailField) -> Record:
    """A details row for Copy as JSON/CSV and export: the vendor's field name and the value as
    the vendor sent it (not the words shown beside a code)."""
    return {"field": field.key, "value": field.raw}


def details_model(parent: Any = None) -> RecordTableModel[DetailField]:
    return RecordTableModel(DETAIL_COLUMNS, parent, record_of=_detail_record)


def recordings_model(parent: Any = None) -> RecordTableModel[RecordingLink]:
    return RecordTableModel(RECORDING_COLUMNS, parent)


#: How each outcome is marked: a theme state for the colours and a symbol, so the meaning
#: never rests on colour alone.
OUTCOME_MARKS: dict[AttemptOutcome, tuple[Tone, str]] = {
    AttemptOutcome.ANSWERED: ("success", "✓"),
    AttemptOutcome.NOT_ANSWERED: ("failure", "✗"),
    AttemptOutcome.IN_PROGRESS: ("pending", "…"),
}


def outcome_state(outcome: AttemptOutcome | None) -> Tone | None:
    return OUTCOME_MARKS[outcome][0] if outcome is not None else None


def spelled(word: str) -> str:
    """A vendor's CamelCase token as words for people: 'NoAnswer' -> 'No answer'."""
    if not word.isalpha() or word.isupper() or word.islower():
        return word
    parts = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", word)
    if "".join(parts) != word:
        return word
    return " ".join([parts[0], *(part.lower() for part in parts[1:])])


def outcome_label(status: str, outcome: AttemptOutcome | None) -> str:
    """'✗ No answer': the vendor's word spelled for people, with its meaning's symbol; unknown
    words as they came."""
    return f"{OUTCOME_MARKS[outcome][1]} {spelled(status)}" if outcome is not None else status


def _moment(value: datetime | None) -> str:
    return screen_time(value) if value else ""


def _moment_tip(value: datetime | None) -> str | None:
    return utc_text(value) if value else None


def _timestamp(value: datetime | None) -> float:
    return value.timestamp() if value else 0.0


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _answered_text(attempt: EscalationAttempt) -> str:
    if attempt.is_answered is None:
        return ""
    return "yes" if attempt.is_answered else "no"


#: A copy reads every loaded row through the clipboard getters: a plain attribute is read by an
#: attrgetter (C, no Python frame per row).
ATTEMPT_COLUMNS: tuple[Column[EscalationAttempt], ...] = (
    Column("Started", lambda a: _moment(a.started_at), lambda a: _timestamp(a.started_at),
           tooltip=lambda a: _moment_tip(a.started_at), clipboard=attrgetter("started_at"),
           copy_header="Started (local time)", zone_label="", server_sort="started_at"),
    Column("Ended", lambda a: _moment(a.ended_at), lambda a: _timestamp(a.ended_at),
           tooltip=lambda a: _moment_tip(a.ended_at), clipboard=attrgetter("ended_at"),
           copy_header="Ended (local time)", zone_label="", server_sort="ended_at"),
    Column("User", lambda a: a.user_id or "", tooltip=lambda a: a.user_id,
           server_sort="user_id"),
    Column("Phone number", lambda a: a.user_phone_number or "", server_sort="user_phone_number"),
    Column("Escalation rule", lambda a: a.escalation_rule_id or "",
           tooltip=lambda a: a.escalation_rule_id, server_sort="escalation_rule_id"),
    Column("Status", lambda a: outcome_label(a.status or "", a.outcome),
           lambda a: a.status or "", clipboard=lambda a: a.status or "",
           state=lambda a: outcome_state(a.outcome),
           tooltip=lambda a: f"{a.status}: {a.outcome.value}" if a.outcome else None,
           server_sort="status"),
    Column("Status message", lambda a: a.status_message or "",
           tooltip=lambda a: a.status_message, server_sort="status_message"),
    Column("Dial (s)", lambda a: _number_text(a.dial_duration_seconds),
           lambda a: a.dial_duration_seconds or 0.0, clipboard=attrgetter("dial_duration_seconds"),
           numeric=True, server_sort="dial_duration_seconds"),
    # The clipboard holds what the header and the screen say: dollars (0.04), not cents.
    Column("Cost (USD)", lambda a: "" if a.cost_usd_cents is None
           else f"${a.cost_usd_cents / 100:,.2f}", lambda a: a.cost_usd_cents or 0.0,
           clipboard=lambda a: None if a.cost_usd_cents is None
           else round(a.cost_usd_cents / 100, 6), numeric=True,
           server_sort="cost_usd_cents"),
    Column("Answered", _answered_text, lambda a: int(bool(a.is_answered)),
           state=lambda a: "success" if a.is_answered else None,
           clipboard=attrgetter("is_answered"), server_sort="is_answered"),
    Column("Attempt ID", attrgetter("attempt_id"), tooltip=lambda a: a.attempt_id),
)  # fmt: skip


class AttemptTableModel(RecordTableModel[EscalationAttempt]):
    """Attempts that arrive page by page: Qt asks for more as the user scrolls."""

    #: Emitted when the view wants the next page; the panel loads it and appends.
    more_wanted = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(ATTEMPT_COLUMNS, parent, record_of=EscalationAttempt.record)
        self.total = 0
        self.loading = False

    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self.loading and self.rowCount() < self.total

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self.loading = True
            self.more_wanted.emit()

    def replace_row(self, attempt: EscalationAttempt) -> bool:
        for row, existing in enumerate(self._rows):
            if existing.attempt_id == attempt.attempt_id:
                self._rows[row] = attempt
                self.dataChanged.emit(self.index(row, 0), self.index(row, self.columnCount() - 1))
                return True
        return False

    def remove_attempt(self, attempt_id: str) -> bool:
        for row, existing in enumerate(self._rows):
            if existing.attempt_id == attempt_id:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                self.total = max(0, self.total - 1)
                return True
        return False


_SIZE_FROM_ROWS = 20  # about the rows in view at the default window size


def make_table(object_name: str, model: RecordTableModel[Any], accessible: str) -> QTableView:
    table = QTableView()
    table.setObjectName(object_name)
    table.setModel(model)
    table.setAccessibleName(accessible)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
    table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
    table.verticalHeader().setVisible(False)
    fit_rows(table)
    header = table.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionsMovable(True)  # the order is the user's, and it is remembered
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return table


def fit_rows(table: QTableView) -> None:
    """Rows as tall as the table's text needs (again after the text size changes)."""
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)


#: Set on a table's header once its column widths are settled: fitted to a first page, or
#: restored from the user's last session.
WIDTHS_SETTLED = "calllookupWidthsSettled"


def settle_widths(table: QTableView) -> None:
    """Keep the current column widths from now on (``fit_columns(..., once=True)`` skips)."""
    table.horizontalHeader().setProperty(WIDTHS_SETTLED, True)


def fit_columns(table: QTableView, max_width: int = 360, *, once: bool = False) -> None:
    """Columns as wide as their content in the first rows (those in view after a load), none
    wider than ``max_width`` (long text elides); the last column stretches. With ``once``,
    only while the widths are not settled yet: later lookups keep them, so the columns do not
    jump and a width the user chose stays.

    Qt's own ``resizeColumnsToContents`` asks every row of a table that is not on screen
    (4,400 ``data`` calls for one 100-row page), so a sample of rows is taken here.
    """
    header = table.horizontalHeader()
    if once and header.property(WIDTHS_SETTLED):
        return
    model = table.model()
    rows = range(min(model.rowCount(), _SIZE_FROM_ROWS))
    in_view = _records_in_view(model, rows)
    metrics = table.fontMetrics()
    grid = 1 if table.showGrid() else 0
    for column in range(header.count() - 1):
        wanted = header.sectionSizeHint(column)
        if rows:
            # Cells differ only in their text (no per-cell font or icon), so the delegate's
            # padding is measured on one cell and the rest is text width: a full size hint per
            # cell cost ~15 ms for a 100-row page.
            if in_view is not None:
                shown, columns = in_view
                texts = [columns[column].display(record) for record in shown]
            else:
                texts = [str(model.index(row, column).data() or "") for row in rows]
            padding = table.sizeHintForIndex(model.index(0, column)).width()
            padding -= metrics.horizontalAdvance(texts[0])
            widest = max(metrics.horizontalAdvance(text) for text in texts)
            # One character more: the style's text margins make an exact fit elide by a pixel.
            wanted = max(wanted, widest + padding + grid + metrics.averageCharWidth())
        header.resizeSection(column, min(max_width, wanted))
    if once and model.rowCount():
        settle_widths(table)


def _records_in_view(
    model: QAbstractItemModel, rows: range
) -> tuple[list[Any], tuple[Column[Any], ...]] | None:
    """The records shown in ``rows`` of a record table (or of a proxy over one), with its
    columns: their text is then read from the columns, not cell by cell through Qt (~4 ms of
    a first page's 8 ms of sizing); None for other models."""
    proxy = model if isinstance(model, QAbstractProxyModel) else None
    source = proxy.sourceModel() if proxy is not None else model
    if not isinstance(source, RecordTableModel):
        return None
    if proxy is not None:
        rows_shown = [proxy.mapToSource(proxy.index(row, 0)).row() for row in rows]
    else:
        rows_shown = list(rows)
    return [source.row_at(row) for row in rows_shown], source.columns


def show_rows(table: QTableView, rows: int) -> None:
    """Make room for at least ``rows`` rows, so a docked table never shrinks to a sliver."""
    row_height = table.verticalHeader().defaultSectionSize()
    table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + row_height * rows + 4)
