"""What the app says about itself: the About box and the diagnostics a user copies for support.

Both name the same versions; the diagnostics add the platform, profiles per vendor, the look and
recent log lines, every secret and signature masked.
"""

from __future__ import annotations

import platform

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

import desktop
from desktop import APP_NAME
from desktop.core.logs import recent_log_lines
from desktop.core.redact import redact_text
from desktop.engine import LookupEngine


def _versions(separator: str) -> str:
    return separator.join(
        (f"Qt {qVersion()}", f"PySide6 {pyside_version}", f"Python {platform.python_version()}")
    )


def show_about(parent: QWidget, engine: LookupEngine) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("aboutBox")
    box.setWindowTitle(f"About {APP_NAME}")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(
        f"{APP_NAME} {desktop.__version__}\n\n"
        f"{_versions(' · ')}\n"
        f"Secrets: {engine.secrets.description}"
    )
    box.open()
    return box


def diagnostics_text(
    engine: LookupEngine, vendor_keys: list[str], look: str, recent_lines: int = 50
) -> str:
    """Versions, keyring backend, profiles per vendor, ``look`` (theme and text size) and
    recent log lines: all redacted."""
    counts = ", ".join(f"{key}: {len(engine.profiles.list(key))}" for key in vendor_keys)
    lines = [
        f"{APP_NAME} {desktop.__version__}",
        _versions(", "),
        f"Platform: {platform.platform()}",
        f"Secrets: {engine.secrets.description}",
        f"Profiles: {counts}",
        look,
        "Recent log:",
        *list(recent_log_lines().lines)[-recent_lines:],
    ]
    return redact_text("\n".join(lines))
