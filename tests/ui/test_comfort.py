"""Keyboard-first work, the shortcut sheet, text size, themes and window state."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTableView

from desktop.engine import LookupEngine
from desktop.simulator import leadsquared as sim
from desktop.ui.main_window import MainWindow
from desktop.ui.shortcuts import shortcut_rows
from desktop.ui.tasks import TaskRunner
from desktop.ui.theme import STATUS_COLOURS, ThemeChoice, contrast_ratio
from tests.support.waiting import until


def test_shortcut_sheet_lists_every_action_with_a_shortcut(window, qtbot) -> None:
    sheet = window.show_shortcuts()
    listed = {
        (sheet.table.item(row, 0).text(), sheet.table.item(row, 1).text())
        for row in range(sheet.table.rowCount())
    }
    with_shortcuts = [a for a in window.findChildren(QAction) if not a.shortcut().isEmpty()]
    assert with_shortcuts
    for action in with_shortcuts:
        assert any(text == action.text().replace("&", "") for text, _keys in listed), action.text()
    assert ("Keyboard shortcuts", "F1") in listed
    assert set(shortcut_rows(window)) == listed
    sheet.close()


def test_a_whole_lookup_and_a_cancel_by_keyboard_only(window, qtbot, simulator, qt_loop) -> None:
    tab = window.vendor_tabs["leadsquared"]
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is tab
    field = tab.findChild(QLineEdit, "RequestId")
    field.setFocus()
    qtbot.keyClicks(field, sim.SUCCESS_ID)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qt_loop.run_until_complete(asyncio.wait_for(tab.current_task, 30))
    assert tab.findChild(QTableView, "detailsTable").model().rowCount() > 10
    QApplication.clipboard().clear()
    qtbot.keyClick(
        window,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert "Source number\t8077128602" in QApplication.clipboard().text()  # copied by keys

    simulator.add_fault("leadsquared", "delay:3")
    field.setFocus()
    qtbot.keyClick(field, Qt.Key.Key_Return)
    task = tab.current_task

    async def escape_soon() -> None:
        await until(lambda: simulator.request_counts.get("leadsquared", 0) >= 2)
        qtbot.keyClick(window, Qt.Key.Key_Escape)
        await asyncio.gather(task, return_exceptions=True)

    qt_loop.run_until_complete(escape_soon())
    assert task.cancelled()
    assert tab.outcome.text() == "Lookup cancelled."


def test_text_size_scales_resets_and_is_remembered(window, qtbot, engine, failures) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    base = app.font().pointSizeF()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    window.scale_font(0.1)  # Ctrl+= and Ctrl++ differ by keyboard layout; the action is the same
    assert window.font_scale > 1.0
    scaled = app.font().pointSizeF()
    assert scaled > base
    window.close()
    again = MainWindow(engine, TaskRunner(failures.append))
    qtbot.addWidget(again)
    again.show()
    assert again.font_scale == window.font_scale
    normal = next(a for a in again.findChildren(QAction) if a.text() == "&Normal text size")
    assert normal.shortcut().toString() == "Ctrl+0"
    normal.trigger()
    assert again.font_scale == 1.0
    assert app.font().pointSizeF() == pytest.approx(base)


def test_last_tab_and_window_size_come_back(window, qtbot, engine: LookupEngine, failures) -> None:
    window.resize(700, 500)  # the offscreen screen is 800 x 600
    columns = window.vendor_tabs["oneuptime"].recordings_table.horizontalHeader()
    columns.resizeSection(0, 234)
    columns.moveSection(2, 0)
    window.close()
    again = MainWindow(engine, TaskRunner(failures.append))
    qtbot.addWidget(again)
    assert again.size().width() == 700
    restored = again.vendor_tabs["oneuptime"].recordings_table.horizontalHeader()
    assert restored.sectionSize(0) == 234
    assert restored.visualIndex(2) == 0
    assert again.current_tab().vendor.key == window.current_tab().vendor.key


@pytest.mark.parametrize("scheme", sorted(STATUS_COLOURS))
def test_status_colours_meet_wcag_aa(scheme: str) -> None:
    for role, (foreground, background) in STATUS_COLOURS[scheme].items():
        assert contrast_ratio(foreground, background) >= 4.5, (scheme, role)


def test_theme_choice_applies_and_is_remembered(window, qtbot, engine, failures) -> None:
    window.set_theme(ThemeChoice.DARK)
    assert window.scheme == "dark"
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert STATUS_COLOURS["dark"]["success"][1] in app.styleSheet()
    window.close()
    again = MainWindow(engine, TaskRunner(failures.append))
    qtbot.addWidget(again)
    assert again.theme_choice is ThemeChoice.DARK
    again.set_theme(ThemeChoice.LIGHT)
    assert again.scheme == "light"


def test_diagnostics_are_redacted(window) -> None:
    import logging

    logging.getLogger("test").warning("using key %s", sim.DEMO_API_KEY)
    window.engine.context_for(
        window.vendor_tabs["leadsquared"].vendor,
        window.engine.profiles.resolve("leadsquared"),
    )  # reads the secret, which registers it for masking
    report = window.diagnostics()
    assert "CallLookup" in report
    assert sim.DEMO_API_KEY not in report


def test_every_input_button_and_table_has_an_accessible_name(window) -> None:
    from PySide6.QtWidgets import QAbstractButton, QComboBox

    for widget_type in (QLineEdit, QTableView, QComboBox):
        for widget in window.findChildren(widget_type):
            if widget.isVisibleTo(window) and widget.objectName():
                assert widget.accessibleName(), widget.objectName()
    for button in window.findChildren(QAbstractButton):
        if button.objectName() == "lookupButton":
            assert button.accessibleName()


def test_a_pasted_link_offers_the_id_it_carries(window, qtbot) -> None:
    from PySide6.QtWidgets import QPushButton

    tab = window.vendor_tabs["leadsquared"]
    field = tab.findChild(QLineEdit, "RequestId")
    suggestion = tab.findChild(QPushButton, "RequestIdSuggestion")
    assert suggestion is not None
    field.setText(f"https://console.example/logs?RequestID={sim.SUCCESS_ID}&view=full")
    assert suggestion.isVisibleTo(tab)
    assert suggestion.text() == f"Use {sim.SUCCESS_ID}"
    qtbot.mouseClick(suggestion, Qt.MouseButton.LeftButton)
    assert field.text() == sim.SUCCESS_ID
    assert not suggestion.isVisibleTo(tab)


@pytest.mark.parametrize(
    ("link", "field", "expected"),
    [
        ("https://sr.knowlarity.com/vr/fetchsound/?callid=61df8827-63d1", "CallSessionId",
         "61df8827-63d1"),
        ("https://rec.example/verba/gwtCallDetail.do?ccdrId=a8343631", "callId", "a8343631"),
        ("https://x.example/calls/6697028b-01a1-4f71-9afc-7b4723eb9d02/view", "RequestId",
         "6697028b-01a1-4f71-9afc-7b4723eb9d02"),
        ("file:///etc/passwd?callid=1", "callId", None),
        ("https://x.example/nothing", "callId", None),
    ],
)  # fmt: skip
def test_id_from_link(link, field, expected) -> None:
    from desktop.core.paste import id_from_link

    assert id_from_link(link, field) == expected


def test_text_scaling_refits_columns_and_keeps_the_heading_larger(window, run_async) -> None:
    from desktop.simulator import oneuptime as sim

    tab = window.vendor_tabs["oneuptime"]
    window.tabs.setCurrentWidget(tab)
    tab.form.set_values({"incomingCallLogId": sim.CALL_250})
    run_async(tab.start_lookup())
    table = tab.attempts.table
    user = next(i for i, c in enumerate(tab.attempts.model.columns) if c.header == "Phone number")
    width, row = table.columnWidth(user), table.verticalHeader().defaultSectionSize()
    window.set_font_scale(1.5)
    assert table.columnWidth(user) > width * 1.3  # '+15550100003' still whole, not '+1…03'
    assert table.verticalHeader().defaultSectionSize() > row
    text = table.fontMetrics().horizontalAdvance("+15550100003")
    assert table.columnWidth(user) > text
    title = tab.findChild(QLabel, "vendorTitle")
    for scale in (1.5, 1.0):  # Ctrl+0 goes back to 1.0
        window.set_font_scale(scale)
        body = tab.findChild(QLabel, "vendorDescription").font().pointSizeF()
        assert title.font().pointSizeF() == pytest.approx(body * 1.3, rel=0.05), scale
