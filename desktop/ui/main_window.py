"""The main window: one tab per registered vendor, menus with shortcuts, a status bar.

The window comes up in two steps so that it paints before the heavy part of the app loads:
``MainWindow()`` builds the frame (tab bar from the vendor registry, theme, text size, geometry)
with Qt alone; ``attach`` then builds the vendor tabs, docks and menus on the engine. Given an
engine, the constructor does both at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QMenu,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop import APP_NAME
from desktop.core.settings import FONT_SCALE, THEME
from desktop.ui.resources import app_icon
from desktop.ui.settings import preferences, remember, ui_settings
from desktop.ui.theme import ThemeChoice, apply_theme, set_point_size
from desktop.vendors import REGISTRY, vendor_keys

if TYPE_CHECKING:
    from desktop.core.models import LookupResult
    from desktop.engine import LookupEngine
    from desktop.ui.bulk_window import BulkWindow
    from desktop.ui.credentials import CredentialsWindow
    from desktop.ui.history_panel import HistoryPanel
    from desktop.ui.log_panel import LogPanel
    from desktop.ui.preferences import PreferencesDialog
    from desktop.ui.review_view import ReviewView
    from desktop.ui.search_panel import SearchPanel
    from desktop.ui.shortcuts import ShortcutSheet
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.vendor_tab import VendorTab

_BASE_POINT_SIZE = "calllookupBasePointSize"
FONT_SCALE_STEP = 0.1
FONT_SCALE_MIN = 0.7
FONT_SCALE_MAX = 2.0


BADGE_MAX_CHARS = 60


def _badge_text(banner: str) -> str:
    """The banner's first clause for the badge beside the tabs; the tooltip has it all."""
    first = re.split(r"(?<=[.:])\s", banner, maxsplit=1)[0].rstrip(".:")
    return first if len(first) <= BADGE_MAX_CHARS else first[: BADGE_MAX_CHARS - 1] + "…"


class VendorTabs(Mapping[str, "VendorTab"]):
    """The vendor tabs by key, each built the first time it is asked for (shown, switched to,
    or sent a result): five tabs cost ~80 ms and ~10 MiB, and most sessions use one or two."""

    def __init__(self, build: Callable[[str], VendorTab]) -> None:
        self._build = build
        self._built: dict[str, VendorTab] = {}

    def __getitem__(self, key: str) -> VendorTab:
        if key not in self._built:
            if key not in vendor_keys():
                raise KeyError(key)
            self._built[key] = self._build(key)
        return self._built[key]

    def __iter__(self) -> Iterator[str]:
        return iter(vendor_keys())

    def __len__(self) -> int:
        return len(vendor_keys())

    def built(self) -> dict[str, VendorTab]:
        """Only the tabs built so far (what saving state or cancelling needs)."""
        return dict(self._built)


class MainWindow(QMainWindow):
    closing = Signal()

    # Set by ``attach``.
    engine: LookupEngine
    tasks: TaskRunner
    search_panel: SearchPanel
    history_panel: HistoryPanel
    log_panel: LogPanel

    def __init__(
        self,
        engine: LookupEngine | None = None,
        tasks: TaskRunner | None = None,
        *,
        banner: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self.theme_choice = ThemeChoice(preferences().get(THEME))
        self.scheme = apply_theme(self.theme_choice)
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        # The unscaled size is kept on the application: a second window must not take an
        # already scaled font for its base.
        if app.property(_BASE_POINT_SIZE) is None:
            app.setProperty(_BASE_POINT_SIZE, app.font().pointSizeF())
        self._base_point_size = float(app.property(_BASE_POINT_SIZE))
        self.font_scale = 1.0

        self._build_central()
        # The menu titles are there from the first paint; attach fills them.
        menu_bar = self.menuBar()
        self._menus: dict[str, QMenu] = {
            name: menu_bar.addMenu(name) for name in ("&File", "&Lookup", "&View", "&Help")
        }
        self.statusBar().setObjectName("statusBar")
        self.statusBar().showMessage("Starting…")
        self._restore_window()
        if engine is not None:
            if tasks is None:
                raise TypeError("MainWindow needs the task runner with the engine")
            self.attach(engine, tasks, banner=banner)

    def _build_central(self) -> None:
        """The vendor tabs (each a "Loading" page until attach builds it) and the demo badge."""
        self.tabs = QTabWidget()
        self.tabs.setObjectName("vendorTabs")
        self.tabs.setDocumentMode(True)
        self.vendor_tabs = VendorTabs(self._build_tab)
        self._attached = False
        for entry in REGISTRY:  # until attach: the tab bar, each page saying it is loading
            loading = QLabel(f"Loading {entry.title}…")
            loading.setObjectName(entry.key)  # the page is the vendor's tab until it is built
            loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(loading, entry.title)
        self.credentials_window: CredentialsWindow | None = None
        self.bulk_window: BulkWindow | None = None
        central = QWidget()
        # A small explicit minimum: the vendor tab's own (form, card, table) plus a dock's
        # would otherwise add up to more than a small screen, and Qt grows the window to fit.
        central.setMinimumSize(320, 240)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(8, 8, 8, 4)
        # Beside the vendor tabs, not above them: the rows below belong to the answer.
        self.banner = QLabel()
        self.banner.setObjectName("appBanner")
        self.banner.setProperty("role", "badge")
        self.banner.setProperty("state", "pending")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setVisible(False)
        self.tabs.setCornerWidget(self.banner, Qt.Corner.TopRightCorner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

    def _restore_window(self) -> None:
        """Size, place, tab and text scale as the user left them."""
        settings = ui_settings()
        self.resize(1100, 760)
        geometry = settings.value("geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)  # Qt moves it back onto a screen that exists
        keys = vendor_keys()
        last_tab = str(settings.value("last_tab", ""))
        self.tabs.setCurrentIndex(keys.index(last_tab) if last_tab in keys else 0)
        saved_scale = preferences().get(FONT_SCALE)
        if saved_scale != 1.0:
            self.set_font_scale(saved_scale)

    @property
    def is_attached(self) -> bool:
        return self._attached

    def attach(self, engine: LookupEngine, tasks: TaskRunner, *, banner: str | None = None) -> None:
        """Build the vendor tabs, docks and menus on the engine (once)."""
        from desktop.ui.preferences import apply_proxy

        if self.is_attached:
            raise RuntimeError("the window is attached to an engine already")
        self.engine = engine
        self.tasks = tasks
        self._attached = True
        self.setWindowTitle(APP_NAME + (" — demo" if banner else ""))
        self.banner.setText(_badge_text(banner or ""))
        self.banner.setToolTip(banner or "")
        self.banner.setAccessibleDescription(banner or "")
        self.banner.setVisible(bool(banner))
        self.current_tab()  # builds the tab in view; the others when first needed
        self.tabs.currentChanged.connect(self._tab_changed)

        self._build_docks()
        self._build_menus()
        self.statusBar().showMessage("Ready. Paste an ID and press Enter.")
        state = ui_settings().value("window_state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        apply_proxy(engine)

    def _build_docks(self) -> None:
        """Search, history and log: tabs of one dock area below the vendor tabs, hidden."""
        from desktop.ui.history_panel import HistoryPanel
        from desktop.ui.log_panel import LogPanel
        from desktop.ui.search_panel import SearchPanel

        self.search_panel = SearchPanel(self.engine, self.tasks, self.show_vendor_result, self)
        self.history_panel = HistoryPanel(
            self.engine, self.tasks, self.show_vendor_result, self.rerun_lookup, self
        )
        for panel in (self.search_panel, self.history_panel):
            panel.reported.connect(self._show_status)
        self.log_panel = LogPanel(self)
        # The panels share one place below the tabs, as tabs of their own: two stacked panels
        # left the attempts table a sliver (and made the window taller than the screen).
        docks = (self.search_panel, self.history_panel, self.log_panel)
        for dock in docks:
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.tabifyDockWidget(self.search_panel, self.history_panel)
        self.tabifyDockWidget(self.history_panel, self.log_panel)
        for dock in docks:
            dock.hide()
            dock.visibilityChanged.connect(self._keep_on_screen_soon)
            dock.topLevelChanged.connect(self._keep_on_screen_soon)

    def _build_tab(self, key: str) -> VendorTab:
        """Put the vendor's tab in place of its "Loading" page, as the user left it last."""
        from desktop.ui.table_models import settle_widths
        from desktop.ui.vendor_tab import VendorTab
        from desktop.vendors import get_vendor

        if not self.is_attached:
            raise RuntimeError("vendor tabs are built once the window is attached")
        vendor = get_vendor(key)
        tab = VendorTab(vendor, self.engine, self.tasks)
        tab.finished.connect(self._show_status)
        index = vendor_keys().index(key)
        current = self.tabs.currentIndex()
        loading = self.tabs.widget(index)
        self.tabs.blockSignals(True)  # the page is swapped, not chosen
        self.tabs.removeTab(index)
        self.tabs.insertTab(index, tab, vendor.title)
        self.tabs.setCurrentIndex(current)
        self.tabs.blockSignals(False)
        if loading is not None:
            loading.deleteLater()
        settings = ui_settings()
        profile = settings.value(f"last_profile/{key}")
        if isinstance(profile, str) and tab.profile_combo.findText(profile) >= 0:
            tab.profile_combo.setCurrentText(profile)
        for table in tab.copiers:
            columns = settings.value(f"columns/{key}/{table.objectName()}")
            if isinstance(columns, QByteArray) and table.horizontalHeader().restoreState(columns):
                settle_widths(table)  # the user's widths from last time
        return tab

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
        self._build_file_menu(self._menus["&File"])
        self._build_lookup_menu(self._menus["&Lookup"])
        self._build_view_menu(self._menus["&View"])
        self._build_help_menu(self._menus["&Help"])

    def _build_file_menu(self, file_menu: QMenu) -> None:
        self.credentials_action = self._action(
            "&Profiles and credentials…", "Ctrl+,", self.open_credentials
        )
        self.credentials_action.setObjectName("credentialsAction")
        file_menu.addAction(self.credentials_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Preferences…", "Ctrl+Shift+P", self.open_preferences))
        file_menu.addAction(self._action("&Quit", QKeySequence.StandardKey.Quit, self.close))

    def _build_lookup_menu(self, lookup_menu: QMenu) -> None:
        self.run_action = self._action("&Run lookup", "Ctrl+Return", self._run_current)
        self.cancel_action = self._action("&Cancel lookup", "Esc", self._cancel_current)
        lookup_menu.addAction(self.run_action)
        lookup_menu.addAction(self.cancel_action)
        self.bulk_action = self._action("&Bulk lookup…", "Ctrl+B", self.open_bulk)
        self.bulk_action.setObjectName("bulkAction")
        lookup_menu.addAction(self.bulk_action)
        lookup_menu.addSeparator()
        lookup_menu.addAction(self._action("Copy &table", "Ctrl+Shift+C", self.copy_table))
        self.copy_summary_action = self._action(
            "Copy &summary", "Ctrl+Alt+C", lambda: self.current_tab().copy_summary()
        )
        lookup_menu.addAction(self.copy_summary_action)
        lookup_menu.addAction(self._action("&Filter attempts", "Ctrl+F", self._focus_filter))
        lookup_menu.addSeparator()
        self._add_tab_actions(lookup_menu)

    def _add_tab_actions(self, lookup_menu: QMenu) -> None:
        """Ctrl+1…9 and a menu item for each vendor's tab."""
        # One slot per menu reads the chosen action's data: no per-action lambdas.
        tab_group = QActionGroup(self)
        tab_group.setExclusionPolicy(QActionGroup.ExclusionPolicy.None_)
        tab_group.triggered.connect(self._tab_action_triggered)
        for number, entry in enumerate(REGISTRY, start=1):
            action = QAction(f"&{number} {entry.title}", self)
            if number <= 9:
                action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.setData(entry.key)
            tab_group.addAction(action)
            self.addAction(action)
            lookup_menu.addAction(action)

    def _build_view_menu(self, view_menu: QMenu) -> None:
        view_menu.addAction(self._action("&Search everywhere", "Ctrl+L", self.focus_search))
        history_action = self.history_panel.toggleViewAction()
        history_action.setText("&History")
        history_action.setShortcut(QKeySequence("Ctrl+H"))
        view_menu.addAction(history_action)
        log_action = self.log_panel.toggleViewAction()
        log_action.setText("&Log")
        log_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        view_menu.addAction(log_action)
        view_menu.addAction(self._action("Escalation &review…", None, self.open_review))
        view_menu.addSeparator()
        self._add_text_actions(view_menu)

    def _add_text_actions(self, view_menu: QMenu) -> None:
        """Text size and theme."""
        bigger = self._action("&Bigger text", QKeySequence.StandardKey.ZoomIn, self._bigger_text)
        bigger.setShortcuts([QKeySequence("Ctrl++"), QKeySequence("Ctrl+=")])
        view_menu.addAction(bigger)
        view_menu.addAction(
            self._action("&Smaller text", QKeySequence.StandardKey.ZoomOut, self._smaller_text)
        )
        view_menu.addAction(self._action("&Normal text size", "Ctrl+0", self._normal_text))
        theme_menu = view_menu.addMenu("&Theme")
        theme_group = QActionGroup(self)
        theme_group.triggered.connect(self._theme_action_triggered)
        for choice in ThemeChoice:
            action = QAction(choice.value.capitalize(), self)
            action.setCheckable(True)
            action.setObjectName(f"theme{choice.value.capitalize()}Action")
            action.setChecked(choice is self.theme_choice)
            action.setData(choice.value)
            theme_group.addAction(action)
            theme_menu.addAction(action)

    def _build_help_menu(self, help_menu: QMenu) -> None:
        help_menu.addAction(self._action("&Keyboard shortcuts", "F1", self.show_shortcuts))
        help_menu.addAction(self._action("&Copy diagnostics", None, self.copy_diagnostics))
        help_menu.addAction(self._action("&About CallLookup", None, self._about))

    # -- behaviour -------------------------------------------------------------------------
    def open_credentials(self) -> CredentialsWindow:
        """The credential manager (one per main window); its edits reach the open tabs."""
        if self.credentials_window is None:
            from desktop.core.profile_service import ProfileService
            from desktop.ui.credentials import CredentialsWindow
            from desktop.vendors import get_vendor

            service = ProfileService(self.engine.profiles, self.engine.secrets, get_vendor)
            window = CredentialsWindow(service, self.engine, self.tasks, self)
            window.profiles_changed.connect(self._profiles_changed)
            window.profile_renamed.connect(self._profile_renamed)
            self.credentials_window = window
        self.credentials_window.show()
        self.credentials_window.raise_()
        self.credentials_window.activateWindow()
        return self.credentials_window

    def _profiles_changed(self, vendor_key: str) -> None:
        tab = self.vendor_tabs.built().get(vendor_key)  # an unbuilt tab reads them when built
        if tab is not None:
            tab.reload_profiles()

    def _profile_renamed(self, vendor_key: str, old_name: str, new_name: str) -> None:
        tab = self.vendor_tabs.built().get(vendor_key)
        if tab is not None and tab.profile_combo.currentText() == old_name:
            tab.reload_profiles()
            tab.profile_combo.setCurrentText(new_name)

    def current_tab(self) -> VendorTab:
        return self.vendor_tabs[REGISTRY[self.tabs.currentIndex()].key]

    def copy_table(self) -> None:
        """Ctrl+Shift+C: the search results or the history when the focus is in that panel,
        else the table in view in the current vendor tab."""
        focus = QApplication.focusWidget()
        for panel in (self.search_panel, self.history_panel):
            if focus is not None and panel.isAncestorOf(focus):
                panel.copier.copy_all()
                return
        self.current_tab().copy_current_table()

    def _run_current(self) -> None:
        tab = self.current_tab()
        if not tab.is_running:
            tab.start_lookup()

    def _cancel_current(self) -> None:
        self.current_tab().cancel()

    def open_bulk(self) -> BulkWindow:
        """The bulk lookup window (one per main window: a run goes on while it is closed)."""
        if self.bulk_window is None:
            from desktop.ui.bulk_window import BulkWindow

            self.bulk_window = BulkWindow(self.engine, self.tasks, self)
            self.bulk_window.reported.connect(self._show_status)
        self.bulk_window.show()
        self.bulk_window.raise_()
        self.bulk_window.activateWindow()
        return self.bulk_window

    def open_preferences(self) -> PreferencesDialog:
        from desktop.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.engine, self)
        dialog.accepted.connect(self._show_times_again)
        dialog.open()
        return dialog

    def _show_times_again(self) -> None:
        """After Preferences: every time on screen in the display now chosen, the zone in each
        header included (tables read the choice as they paint; the cards are rebuilt)."""
        for view in self.findChildren(QTableView):
            model = view.model()
            if model is not None and model.columnCount():
                model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, model.columnCount() - 1)
                view.viewport().update()
        for tab in self.vendor_tabs.values():
            tab.show_times_again()

    def open_review(self) -> ReviewView:
        """Escalation analytics in its own window; its calls open in their vendor's tab."""
        from desktop.ui.review_view import ReviewView

        view = ReviewView(self.engine, self.tasks, self)
        view.open_call.connect(self.show_lookup)
        view.show()
        return view

    def show_lookup(self, vendor_key: str, params: dict[str, str]) -> None:
        """Bring the vendor's tab forward and look up ``params`` there (a drill-down's call)."""
        tab = self.vendor_tabs[vendor_key]
        self.tabs.setCurrentWidget(tab)
        tab.form.set_values(params)
        tab.start_lookup()
        self.raise_()
        self.activateWindow()

    def focus_search(self) -> None:
        self.search_panel.show()
        self.search_panel.raise_()  # its tab in front of the history's
        self.search_panel.box.setFocus()
        self.search_panel.box.selectAll()

    def show_vendor_result(self, vendor_key: str, result: LookupResult) -> None:
        tab = self.vendor_tabs.get(vendor_key)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)
            tab.show_result(result)

    def rerun_lookup(self, vendor_key: str, profile: str, params: dict[str, str]) -> None:
        tab = self.vendor_tabs.get(vendor_key)
        if tab is not None:
            self.tabs.setCurrentWidget(tab)
            tab.rerun(profile, params)

    def _focus_filter(self) -> None:
        self.current_tab().focus_filter()

    def _tab_changed(self, _index: int) -> None:
        self.current_tab().focus_paste_field()

    def _show_status(self, text: str) -> None:
        self.statusBar().showMessage(text)

    def _about(self) -> None:
        from desktop.ui.about import show_about

        show_about(self, self.engine)

    # -- comfort: font, theme, window state, diagnostics -------------------------------------
    def set_font_scale(self, scale: float) -> None:
        self.font_scale = min(FONT_SCALE_MAX, max(FONT_SCALE_MIN, round(scale, 2)))
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        font = app.font()
        font.setPointSizeF(self._base_point_size * self.font_scale)
        app.setFont(font)
        set_point_size(self._base_point_size * self.font_scale)
        if self.is_attached:  # columns and rows fitted to the new text size (us…03 no more)
            from desktop.ui.table_models import fit_columns, fit_rows

            for tab in self.vendor_tabs.built().values():
                tab.refit_tables()
            for panel in (self.search_panel, self.history_panel):
                fit_rows(panel.table)
                fit_columns(panel.table)
        remember(FONT_SCALE, self.font_scale)
        self.statusBar().showMessage(f"Text size {self.font_scale:.0%}")

    def scale_font(self, step: float) -> None:
        self.set_font_scale(self.font_scale + step)

    def _bigger_text(self) -> None:
        self.scale_font(FONT_SCALE_STEP)

    def _smaller_text(self) -> None:
        self.scale_font(-FONT_SCALE_STEP)

    def _normal_text(self) -> None:
        self.set_font_scale(1.0)

    def _theme_action_triggered(self, action: QAction) -> None:
        self.set_theme(ThemeChoice(str(action.data())))

    def _tab_action_triggered(self, action: QAction) -> None:
        self.tabs.setCurrentWidget(self.vendor_tabs[str(action.data())])

    def set_theme(self, choice: ThemeChoice) -> None:
        self.theme_choice = choice
        self.scheme = apply_theme(choice)
        remember(THEME, choice.value)

    def show_shortcuts(self) -> ShortcutSheet:
        from desktop.ui.shortcuts import ShortcutSheet

        sheet = ShortcutSheet(self)
        sheet.open()
        return sheet

    def diagnostics(self) -> str:
        """Versions, keyring backend, profiles per vendor and recent log lines: all redacted."""
        from desktop.ui.about import diagnostics_text

        look = f"Theme: {self.theme_choice.value} ({self.scheme}), text size {self.font_scale:.0%}"
        return diagnostics_text(self.engine, list(self.vendor_tabs), look)

    def copy_diagnostics(self) -> None:
        QApplication.clipboard().setText(self.diagnostics())
        self.statusBar().showMessage("Diagnostics copied (secrets and signatures masked).")

    def _keep_on_screen_soon(self, *_args: object) -> None:
        QTimer.singleShot(0, self.keep_on_screen)

    def keep_on_screen(self) -> None:
        """Back inside the screen's available area, when a dock made the window grow past it
        (Qt grows a window to fit a shown dock's minimum size)."""
        screen = self.screen()
        if screen is None or self.isMaximized() or self.isFullScreen():
            return
        area = screen.availableGeometry()
        frame = self.frameGeometry()
        extra_w, extra_h = frame.width() - self.width(), frame.height() - self.height()
        width = min(self.width(), area.width() - extra_w)
        height = min(self.height(), area.height() - extra_h)
        if (width, height) != (self.width(), self.height()):
            self.resize(width, height)
        frame = self.frameGeometry()
        if not area.contains(frame):
            x = min(max(frame.x(), area.x()), area.right() - frame.width() + 1)
            y = min(max(frame.y(), area.y()), area.bottom() - frame.height() + 1)
            self.move(x, y)

    def _save_state(self) -> None:
        settings = ui_settings()
        settings.setValue("geometry", self.saveGeometry())
        settings.setValue("last_tab", REGISTRY[self.tabs.currentIndex()].key)
        if not self.is_attached:  # closed while starting: the docks' saved state stands
            settings.sync()
            return
        settings.setValue("window_state", self.saveState())
        for key, tab in self.vendor_tabs.built().items():  # unbuilt tabs: their saved state
            if tab.profile_combo.currentText():
                settings.setValue(f"last_profile/{key}", tab.profile_combo.currentText())
            for table in tab.copiers:  # column widths and order, per table of each tab
                settings.setValue(
                    f"columns/{key}/{table.objectName()}", table.horizontalHeader().saveState()
                )
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._save_state()
        for tab in self.vendor_tabs.built().values():
            tab.cancel()
        self.closing.emit()
        super().closeEvent(event)
