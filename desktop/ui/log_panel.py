"""A dock with the app's recent log lines (already redacted), for support and diagnostics."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QDockWidget, QPlainTextEdit, QWidget

from desktop.core.logs import recent_log_lines

_REFRESH_MS = 500


class LogPanel(QDockWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Log", parent)
        self.setObjectName("logPanel")
        self._lines = recent_log_lines()
        self._shown_serial = -1
        self.view = QPlainTextEdit()
        self.view.setObjectName("logView")
        self.view.setReadOnly(True)
        self.view.setAccessibleName("Application log")
        self.view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.view.setMaximumBlockCount(self._lines.lines.maxlen or 2000)
        self.setWidget(self.view)
        self.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea)
        self._timer = QTimer(self)
        self._timer.setInterval(_REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self.visibilityChanged.connect(self._visibility_changed)

    def _visibility_changed(self, visible: bool) -> None:
        if visible:
            self.refresh()
            self._timer.start()
        else:
            self._timer.stop()

    def refresh(self) -> None:
        if self._lines.serial == self._shown_serial:
            return
        self._shown_serial = self._lines.serial
        self.view.setPlainText("\n".join(self._lines.lines))
        bar = self.view.verticalScrollBar()
        bar.setValue(bar.maximum())
