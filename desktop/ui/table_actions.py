"""Copy and export for every table: selected cells, the whole table, JSON/CSV/Markdown, files.

The clipboard always carries text/plain (tab-separated, with the header: a spreadsheet fills
its cells) and text/html (a real, escaped table: a rich e-mail keeps the shape). Values come
from each column's clipboard form, so a masked link is copied whole. Big tables are rendered
in a worker thread: the window never freezes on a 100,000-row copy or export.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from PySide6.QtCore import QMimeData, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QTableView

from desktop.core.blocking import run_blocking
from desktop.core.export import (
    ExportFormat,
    Row,
    copy_payload,
    machine_value,
    render,
    to_markdown,
)
from desktop.core.settings import EXPORT_FOLDER
from desktop.ui.settings import preferences, remember
from desktop.ui.table_models import RecordTableModel
from desktop.ui.tasks import TaskRunner
from desktop.ui.theme import Tone

#: Tables up to this many rows are rendered on the spot; larger ones in a worker thread.
RENDER_IN_THREAD_ABOVE = 5_000


def _source(table: QTableView) -> tuple[RecordTableModel[Any], QSortFilterProxyModel | None]:
    model = table.model()
    if isinstance(model, QSortFilterProxyModel):
        source = model.sourceModel()
        assert isinstance(source, RecordTableModel)
        return source, model
    assert isinstance(model, RecordTableModel)
    return model, None


def table_snapshot(
    table: QTableView, *, selected_only: bool
) -> tuple[list[str], list[int], list[int]]:
    """(headers, source row numbers, column numbers) in the order the view shows them;
    cheap, so the rendering can happen elsewhere."""
    source, proxy = _source(table)
    columns = list(range(source.columnCount()))
    view_rows: Sequence[int]
    if selected_only:
        indexes = table.selectionModel().selectedIndexes()
        if not indexes:
            return [], [], []
        view_rows = sorted({index.row() for index in indexes})
        columns = sorted({index.column() for index in indexes})
    else:
        view_rows = range(table.model().rowCount())
    if proxy is None:
        source_rows = list(view_rows)
    else:
        source_rows = [proxy.mapToSource(proxy.index(row, 0)).row() for row in view_rows]
    headers = [source.columns[column].clipboard_header for column in columns]
    return headers, source_rows, columns


def render_rows(source: RecordTableModel[Any], rows: list[int], columns: list[int]) -> list[Row]:
    """The rows for the keyed formats (JSON, CSV, export): the records the machine formats
    carry (the vendor's names, typed) where the model has them, else header -> clipboard value."""
    if source.record_of is not None:
        return [source.record_of(source.row_at(row)) for row in rows]
    headers = [source.columns[c].clipboard_header for c in columns]
    return [
        {header: machine_value(value) for header, value in zip(headers, row, strict=True)}
        for row in zip(*source.copy_columns(rows, columns), strict=True)
    ]


def clipboard_payload(
    source: RecordTableModel[Any], headers: list[str], rows: list[int], columns: list[int]
) -> tuple[str, str]:
    """(TSV, HTML) of the rows."""
    return copy_payload(headers, source.copy_columns(rows, columns))


def put_on_clipboard(text: str, html: str) -> None:
    data = QMimeData()
    data.setText(text)
    data.setHtml(html)
    QApplication.clipboard().setMimeData(data)


class TableCopier(QObject):
    """Copy/export actions installed on one table view, with its context menu."""

    def __init__(
        self,
        table: QTableView,
        tasks: TaskRunner,
        report: Callable[[str, Tone], None],
        *,
        context_menu: bool = True,
    ) -> None:
        super().__init__(table)
        self._table = table
        self._tasks = tasks
        self._report = report
        self.copy_action = self._action("&Copy", QKeySequence.StandardKey.Copy, self.copy_selection)
        self.copy_all_action = self._action("Copy &all", None, self.copy_all)
        self.json_action = self._action("Copy as &JSON", None, lambda: self.copy_as("json"))
        self.csv_action = self._action("Copy as C&SV", None, lambda: self.copy_as("csv"))
        self.markdown_action = self._action(
            "Copy as &Markdown", None, lambda: self.copy_as("markdown")
        )
        self.export_action = self._action("&Export to file…", None, self.export_with_dialog)
        if context_menu:
            table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
            table.customContextMenuRequested.connect(self._menu)

    def _action(self, text: str, keys: Any, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self._table)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self._table.addAction(action)
        action.triggered.connect(slot)
        return action

    def populate(self, menu: QMenu) -> None:
        for action in (self.copy_action, self.copy_all_action, self.json_action,
                       self.csv_action, self.markdown_action):  # fmt: skip
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.export_action)

    def _menu(self, position: Any) -> None:
        menu = QMenu(self._table)
        self.populate(menu)
        menu.popup(self._table.viewport().mapToGlobal(position))

    # -- copy ------------------------------------------------------------------------------
    def copy_selection(self) -> asyncio.Task[None] | None:
        return self._copy(selected_only=True)

    def copy_all(self) -> asyncio.Task[None] | None:
        return self._copy(selected_only=False)

    def _copy(self, *, selected_only: bool) -> asyncio.Task[None] | None:
        headers, rows_wanted, columns = table_snapshot(self._table, selected_only=selected_only)
        if not rows_wanted:
            self._report("Nothing selected to copy.", "muted")
            return None
        source, _proxy = _source(self._table)
        if len(rows_wanted) <= RENDER_IN_THREAD_ABOVE:
            put_on_clipboard(*clipboard_payload(source, headers, rows_wanted, columns))
            self._report(f"Copied {len(rows_wanted):,} rows with their header.", "success")
            return None
        return self._tasks.start(self._copy_big(source, headers, rows_wanted, columns), "copy")

    async def _copy_big(
        self, source: RecordTableModel[Any], headers: list[str], rows_wanted: list[int],
        columns: list[int],
    ) -> None:  # fmt: skip
        self._report(f"Copying {len(rows_wanted):,} rows…", "pending")

        def build() -> tuple[str, str]:
            return clipboard_payload(source, headers, rows_wanted, columns)

        text, html = await run_blocking(build)
        put_on_clipboard(text, html)
        self._report(f"Copied {len(rows_wanted):,} rows with their header.", "success")

    def copy_as(self, fmt: ExportFormat | Literal["markdown"]) -> None:
        _headers, rows_wanted, columns = table_snapshot(self._table, selected_only=False)
        source, _proxy = _source(self._table)
        rows = render_rows(source, rows_wanted, columns)
        text = to_markdown(rows) if fmt == "markdown" else render(rows, fmt)
        QApplication.clipboard().setText(text)
        self._report(f"Copied {len(rows):,} rows as {fmt.upper()}.", "success")

    # -- files -----------------------------------------------------------------------------
    def export_with_dialog(self) -> None:
        folder = preferences().get(EXPORT_FOLDER) or str(Path.home())
        path, chosen = QFileDialog.getSaveFileName(
            self._table, "Export table", folder, "CSV (*.csv);;JSON (*.json)"
        )
        if not path:
            return
        fmt: ExportFormat = "json" if path.lower().endswith(".json") or "JSON" in chosen else "csv"
        remember(EXPORT_FOLDER, str(Path(path).parent))
        self._tasks.start(self.export_to(Path(path), fmt), name="export")

    async def export_to(self, path: Path, fmt: ExportFormat) -> None:
        """Render and write in a worker thread; the window stays responsive meanwhile."""
        _headers, rows_wanted, columns = table_snapshot(self._table, selected_only=False)
        source, _proxy = _source(self._table)
        self._report(f"Exporting {len(rows_wanted):,} rows to {path.name}…", "pending")

        def write() -> None:
            rows = render_rows(source, rows_wanted, columns)
            path.write_text(render(rows, fmt), encoding="utf-8")

        try:
            await run_blocking(write)
        except OSError as error:
            self._report(f"Export failed: {error.strerror or error}", "error")
            return
        self._report(f"Exported {len(rows_wanted):,} rows to {path}.", "success")
