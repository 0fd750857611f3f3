"""The main window: one tab per registered vendor, menus with shortcuts, a status bar."""

from __future__ import annotations

import platform

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_NAME, __version__
from desktop.engine import LookupEngine
from desktop.ui.log_panel import LogPanel
from desktop.ui.resources import app_icon
from desktop.ui.tasks import TaskRunner
from desktop.ui.vendor_tab import VendorTab
from desktop.vendors import VENDORS


class MainWindow(QMainWindow):
    closing = Signal()

    def __init__(
        self,
        engine: LookupEngine,
        tasks: TaskRunner,
        *,
        banner: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME + (" — demo" if banner else ""))
        self.setWindowIcon(app_icon())
        self.engine = engine
        self.tasks = tasks

        self.tabs = QTabWidget()
        self.tabs.setObjectName("vendorTabs")
        self.tabs.setDocumentMode(True)
        self.vendor_tabs: dict[str, VendorTab] = {}
        for vendor in VENDORS:
            tab = VendorTab(vendor, engine, tasks)
            tab.finished.connect(self._show_status)
            self.tabs.addTab(tab, vendor.title)
            self.vendor_tabs[vendor.key] = tab
        self.tabs.currentChanged.connect(self._tab_changed)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 4)
        self.banner = QLabel(banner or "")
        self.banner.setObjectName("appBanner")
        self.banner.setProperty("role", "banner")
        self.banner.setProperty("state", "pending")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setVisible(bool(banner))
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.log_panel = LogPanel(self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.log_panel)
        self.log_panel.hide()
        self._build_menus()
        self.statusBar().setObjectName("statusBar")
        self.statusBar().showMessage("Ready. Paste an ID and press Enter.")
        self.resize(1100, 760)

    # -- menus -----------------------------------------------------------------------------
    def _action(
        self,
        text: str,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
        slot: object,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        menu_bar = self.menuBar()
        file_menu = menu_bar.addMenu("&File")
        file_menu.addAction(self._action("&Quit", QKeySequence.StandardKey.Quit, self.close))

        lookup_menu = menu_bar.addMenu("&Lookup")
        self.run_action = self._action("&Run lookup", "Ctrl+Return", self._run_current)
        self.cancel_action = self._action("&Cancel lookup", "Esc", self._cancel_current)
        lookup_menu.addAction(self.run_action)
        lookup_menu.addAction(self.cancel_action)
        lookup_menu.addSeparator()
        for number, tab in enumerate(self.vendor_tabs.values(), start=1):
            action = self._action(
                f"&{number} {tab.vendor.title}",
                f"Ctrl+{number}" if number <= 9 else None,
                lambda _=False, target=tab: self.tabs.setCurrentWidget(target),
            )
            lookup_menu.addAction(action)

        view_menu = menu_bar.addMenu("&View")
        log_action = self.log_panel.toggleViewAction()
        log_action.setText("&Log")
        log_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        view_menu.addAction(log_action)

        help_menu = menu_bar.addMenu("&Help")
        help_menu.addAction(self._action("&About CallLookup", None, self._about))

    # -- behaviour -------------------------------------------------------------------------
    def current_tab(self) -> VendorTab:
        tab = self.tabs.currentWidget()
        assert isinstance(tab, VendorTab)
        return tab

    def _run_current(self) -> None:
        tab = self.current_tab()
        if not tab.is_running:
            tab.start_lookup()

    def _cancel_current(self) -> None:
        self.current_tab().cancel()

    def _tab_changed(self, _index: int) -> None:
        self.current_tab().focus_first_field()

    def _show_status(self, text: str) -> None:
        self.statusBar().showMessage(text)

    def _about(self) -> None:
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        box = QMessageBox(self)
        box.setObjectName("aboutBox")
        box.setWindowTitle(f"About {APP_NAME}")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(
            f"{APP_NAME} {__version__}\n\n"
            f"Qt {qVersion()} · PySide6 {pyside_version} · Python {platform.python_version()}\n"
            f"Secrets: {self.engine.secrets.description}"
        )
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        for tab in self.vendor_tabs.values():
            tab.cancel()
        self.closing.emit()
        super().closeEvent(event)
