"""Guards against a Qt binding that corrupts reference counts (PySide6 6.12.0 did: every call
into Qt dropped a reference to None, and the app crashed after a few thousand calls)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QPushButton, QWidget


def test_calls_into_qt_keep_reference_counts(qapp) -> None:
    widget = QWidget()
    button = QPushButton()
    button.clicked.connect(lambda: None)
    none_before = sys.getrefcount(None)
    false_before = sys.getrefcount(False)
    for _ in range(2000):
        widget.setEnabled(False)
        button.click()
    assert abs(sys.getrefcount(None) - none_before) < 50
    assert abs(sys.getrefcount(False) - false_before) < 50
