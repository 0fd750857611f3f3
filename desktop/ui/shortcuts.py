"""The keyboard shortcut sheet, generated from the window's own actions so it cannot go stale."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def shortcut_rows(owner: QWidget) -> list[tuple[str, str]]:
    """(what it does, keys) for every action under ``owner`` that has a shortcut."""
    rows: dict[tuple[str, str], None] = {}
    for action in owner.findChildren(QAction):
        keys = ", ".join(
            sequence.toString(QKeySequence.SequenceFormat.NativeText)
            for sequence in action.shortcuts()
        )
        if keys:
            rows.setdefault((action.text().replace("&", ""), keys), None)
    return sorted(rows)


class ShortcutSheet(QDialog):
    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.setObjectName("shortcutSheet")
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(owner)
        table = QTableWidget(len(rows), 2)
        table.setObjectName("shortcutTable")
        table.setAccessibleName("Keyboard shortcuts")
        table.setHorizontalHeaderLabels(["Action", "Keys"])
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().setVisible(False)
        for row, (text, keys) in enumerate(rows):
            table.setItem(row, 0, QTableWidgetItem(text))
            table.setItem(row, 1, QTableWidgetItem(keys))
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.resizeColumnToContents(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.table = table
        self.resize(460, 420)
