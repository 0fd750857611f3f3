"""Help -> About names the version from pyproject.toml and the Qt and Python it runs on."""

from __future__ import annotations

import platform
import tomllib
from pathlib import Path

from PySide6.QtCore import qVersion
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from desktop import __version__
from desktop.ui.main_window import MainWindow

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_about_shows_pyprojects_version_with_qt_and_python(qtbot, window: MainWindow) -> None:
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        version = tomllib.load(file)["project"]["version"]
    assert __version__ == version
    (about,) = [a for a in window.findChildren(QAction) if a.text() == "&About CallLookup"]
    about.trigger()
    box = window.findChild(QMessageBox, "aboutBox")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    first_line, _, versions, *_ = box.text().splitlines()
    assert first_line == f"CallLookup {version}"
    assert f"Qt {qVersion()}" in versions
    assert f"Python {platform.python_version()}" in versions
    box.close()
