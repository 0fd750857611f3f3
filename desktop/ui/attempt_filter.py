"""The attempts table's filter box: free text over the loaded attempts' shown columns."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel

from desktop.ui.table_models import SORT_ROLE, AttemptTableModel


class AttemptFilterProxy(QSortFilterProxyModel):
    """Case-insensitive free text over every shown column of the loaded attempts."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._haystacks: dict[str, str] = {}
        self.setSortRole(SORT_ROLE)

    def set_needle(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def forget(self) -> None:
        self._haystacks.clear()

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        if not self._needle:
            return True
        model = self.sourceModel()
        assert isinstance(model, AttemptTableModel)
        attempt = model.row_at(source_row)
        haystack = self._haystacks.get(attempt.attempt_id)
        if haystack is None:
            haystack = " ".join(column.display(attempt) for column in model.columns).casefold()
            self._haystacks[attempt.attempt_id] = haystack
        return self._needle in haystack
