"""Start-up in two steps: the frame paints with Qt alone; vendor tabs are built when needed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from desktop.ui.main_window import MainWindow
from desktop.ui.settings import ui_settings
from desktop.vendors import REGISTRY

REPO_ROOT = Path(__file__).resolve().parents[2]

#: What the first paint must not wait for.
DEFERRED = (
    "asyncio", "pydantic", "httpx", "qasync", "keyring", "desktop.engine", "desktop.simulator",
)  # fmt: skip


def test_the_frame_paints_without_the_engine_pydantic_httpx_or_the_simulator(tmp_path) -> None:
    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        "from desktop.app import paint_until_idle\n"
        "from desktop.ui.main_window import MainWindow\n"
        "window = MainWindow()\n"
        "window.show()\n"
        "paint_until_idle()\n"
        "print(window.statusBar().currentMessage())\n"
        f"print(sorted(m for m in sys.modules if m.startswith({DEFERRED!r})))\n"
        "for vendor in __import__('desktop.vendors').vendors.REGISTRY:\n"
        "    print(vendor.implementation.split(':')[0] in sys.modules)\n"
    )
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        PYTHONPATH=str(REPO_ROOT),
        CALLLOOKUP_CONFIG_DIR=str(tmp_path / "config"),
        CALLLOOKUP_DATA_DIR=str(tmp_path / "data"),
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60,
        check=True,
    )  # fmt: skip
    status, loaded, *vendor_modules = done.stdout.splitlines()
    assert status == "Starting…"
    assert loaded == "[]"
    assert vendor_modules == ["False"] * len(REGISTRY)


def test_the_frame_shows_every_vendor_tab_and_menu_before_attach(qtbot) -> None:
    frame = MainWindow()
    qtbot.addWidget(frame)
    assert not frame.is_attached
    assert [frame.tabs.tabText(i) for i in range(frame.tabs.count())] == [
        entry.title for entry in REGISTRY
    ]
    pages = [frame.tabs.widget(i) for i in range(frame.tabs.count())]
    assert [page.objectName() for page in pages if page is not None] == [
        entry.key for entry in REGISTRY
    ]
    page = frame.tabs.widget(0)
    assert isinstance(page, QLabel)
    assert page.text() == f"Loading {REGISTRY[0].title}…"
    titles = [action.text() for action in frame.menuBar().actions()]
    assert titles == ["&File", "&Lookup", "&View", "&Help"]


def test_only_the_tab_in_view_is_built_and_a_switch_builds_the_next(window, qtbot) -> None:
    current = REGISTRY[window.tabs.currentIndex()].key
    assert list(window.vendor_tabs.built()) == [current]
    other = next(entry for entry in REGISTRY if entry.key != current)
    number = REGISTRY.index(other) + 1
    qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0 + number), Qt.KeyboardModifier.ControlModifier)
    assert set(window.vendor_tabs.built()) == {current, other.key}
    page = window.tabs.currentWidget()
    assert page is window.vendor_tabs[other.key]
    assert page.objectName() == other.key
    assert page.findChild(QLineEdit) is not None  # the vendor's form, not the loading page
    assert len(window.vendor_tabs) == len(REGISTRY)


def test_closing_keeps_what_was_saved_for_tabs_never_built(window) -> None:
    current = REGISTRY[window.tabs.currentIndex()].key
    never_built = next(entry.key for entry in REGISTRY if entry.key != current)
    settings: QSettings = ui_settings()
    settings.setValue(f"last_profile/{never_built}", "kept-from-last-time")
    window.close()
    assert never_built not in window.vendor_tabs.built()
    assert ui_settings().value(f"last_profile/{never_built}") == "kept-from-last-time"
