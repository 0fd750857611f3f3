"""Docks never make the window larger than the screen's available area, and the search and
history panels share one place as tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt


def test_search_and_history_are_tabs_of_one_place(window) -> None:
    window.focus_search()
    window.history_panel.show()
    window.log_panel.show()
    assert window.history_panel in window.tabifiedDockWidgets(window.search_panel)
    assert window.log_panel in window.tabifiedDockWidgets(window.search_panel)
    area = window.dockWidgetArea(window.search_panel)
    assert (
        area
        == window.dockWidgetArea(window.history_panel)
        == Qt.DockWidgetArea.BottomDockWidgetArea
    )


def test_docks_keep_the_window_inside_the_screen(window, qtbot) -> None:
    available = window.screen().availableGeometry()
    window.resize(available.width() - 10, available.height() - 40)
    window.move(available.topLeft())
    qtbot.wait(20)
    window.focus_search()
    window.history_panel.show()
    window.log_panel.show()
    window.history_panel.setFloating(False)
    qtbot.wait(50)
    frame = window.frameGeometry()
    assert frame.height() <= available.height(), (frame, available)
    assert frame.width() <= available.width(), (frame, available)
    assert available.contains(frame), (frame, available)
    # What Qt grows a window to when a dock shows: inside a 1024x700 screen's available area
    # (its panels take ~60 px), whatever the panels say (a history note adds a few lines).
    assert window.minimumSizeHint().height() <= 620, window.minimumSizeHint()
    assert window.minimumSizeHint().width() <= 1000, window.minimumSizeHint()
    # The search is in front, ready for a paste.
    assert not window.search_panel.visibleRegion().isEmpty()


def test_a_window_restored_too_big_is_brought_back(window, qtbot) -> None:
    available = window.screen().availableGeometry()
    window.resize(available.width() + 300, available.height() + 300)
    window.keep_on_screen()
    assert available.contains(window.frameGeometry())
