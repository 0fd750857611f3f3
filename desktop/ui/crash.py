"""The second tier of errors: anything unexpected is logged and shown with a "Copy report" button.

Expected failures (vendor errors, bad input) never come here; they are shown beside the form.
"""

from __future__ import annotations

import logging
import platform
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_NAME, __version__
from desktop.core.redact import redact_text

log = logging.getLogger(__name__)


def crash_report(error: BaseException) -> str:
    """A redacted report: versions and the traceback, no secrets."""
    from PySide6 import __version__ as pyside_version

    lines = traceback.format_exception(type(error), error, error.__traceback__)
    header = (
        f"{APP_NAME} {__version__}; Python {platform.python_version()}; PySide6 {pyside_version};"
        f" {platform.platform()}\n\n"
    )
    return redact_text(header + "".join(lines))


class CrashDialog(QDialog):
    def __init__(self, error: BaseException, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("crashDialog")
        self.setWindowTitle(f"{APP_NAME}: unexpected error")
        self.report = crash_report(error)
        intro = QLabel(
            "Something went wrong that the app did not expect. Your data is safe; the lookup that "
            "was running may not have finished. Copy the report and send it to the developers."
        )
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        details = QPlainTextEdit(self.report)
        details.setObjectName("crashReport")
        details.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy report", QDialogButtonBox.ButtonRole.ActionRole)
        copy.setObjectName("copyReportButton")
        copy.clicked.connect(self._copy)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(details)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def _copy(self) -> None:
        QApplication.clipboard().setText(self.report)


class CrashReporter:
    """Installed as ``sys.excepthook`` and used by the task runner: log, then show a dialog."""

    def __init__(self, parent: QWidget | None = None, *, show_dialog: bool = True) -> None:
        self._parent = parent
        self._show_dialog = show_dialog
        self.reported: list[BaseException] = []

    def install(self) -> None:
        sys.excepthook = self._excepthook

    def _excepthook(
        self,
        error_type: type[BaseException],
        error: BaseException,
        trace: TracebackType | None,
    ) -> None:
        self.report(error.with_traceback(trace))

    def report(self, error: BaseException) -> None:
        self.reported.append(error)
        log.error("Unexpected error", exc_info=error)
        print(crash_report(error), file=sys.stderr)
        if self._show_dialog:
            CrashDialog(error, self._parent).open()
