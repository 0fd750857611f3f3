"""Table models: one column declaration per table kind, one model class that serves them all.

Roles: DisplayRole shows text, SORT_ROLE gives native values for sorting, CLIPBOARD_ROLE the raw
value to copy (a full URL, an ID), OBJECT_ROLE the row's record, ToolTipRole extra detail.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop.core.models import DetailField, RecordingLink
from desktop.core.timefmt import local_text

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
CLIPBOARD_ROLE = Qt.ItemDataRole.UserRole + 2
OBJECT_ROLE = Qt.ItemDataRole.UserRole + 3

RowT = TypeVar("RowT")
AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column(Generic[RowT]):
    header: str
    display: Callable[[RowT], str]
    #: Native value for sorting; defaults to the display text.
    sort_value: Callable[[RowT], Any] | None = None
    #: The value a copy takes (e.g. the unmasked URL); defaults to the display text.
    clipboard: Callable[[RowT], str] | None = None
    tooltip: Callable[[RowT], str | None] | None = None


class RecordTableModel(QAbstractTableModel, Generic[RowT]):
    """A read-only table over a list of records, described by a tuple of columns."""

    def __init__(self, columns: Sequence[Column[RowT]], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._rows: list[RowT] = []

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
            return self._columns[section].header
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
            return column.tooltip(record) if column.tooltip else None
        if role == OBJECT_ROLE:
            return record
        return None


DETAIL_COLUMNS: tuple[Column[DetailField], ...] = (
    Column("Field", lambda field: field.label, tooltip=lambda field: f"API name: {field.key}"),
    Column(
        "Value",
        lambda field: field.value,
        tooltip=lambda field: field.note or (field.value if len(field.value) > 60 else None),
    ),
)


def _expiry_text(link: RecordingLink) -> str:
    if link.expires_at is None:
        return "—"
    state = "expired" if link.is_expired() else "valid until"
    return f"{state} {local_text(link.expires_at)}"


RECORDING_COLUMNS: tuple[Column[RecordingLink], ...] = (
    Column("Vendor", lambda link: link.vendor),
    Column("Call ID", lambda link: link.call_id),
    Column("Kind", lambda link: link.label),
    Column(
        "Expires",
        _expiry_text,
        sort_value=lambda link: link.expires_at.timestamp() if link.expires_at else 0.0,
    ),
    # Last, so it takes the remaining width and long signed URLs elide instead of pushing
    # the other columns out of view.
    Column("Link", lambda link: link.url, tooltip=lambda link: link.url),
)


def details_model(parent: Any = None) -> RecordTableModel[DetailField]:
    return RecordTableModel(DETAIL_COLUMNS, parent)


def recordings_model(parent: Any = None) -> RecordTableModel[RecordingLink]:
    return RecordTableModel(RECORDING_COLUMNS, parent)
