"""WCAG contrast of both themes, computed from the colours the app really applies (the palette
and the stylesheet's colours): text 4.5:1, control borders 3:1, disabled state included, and
disabled text visibly fainter than enabled text."""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from desktop.ui.theme import ThemeChoice, apply_theme, contrast_ratio

Role = QPalette.ColorRole
Group = QPalette.ColorGroup


def _hex(palette: QPalette, role: Role, group: Group = Group.Active) -> str:
    return palette.color(group, role).name()


def _stylesheet_colour(sheet: str, selector: str, prop: str) -> str:
    """The colour ``prop`` of the first rule whose selector list holds ``selector``."""
    sheet = re.sub(r"/\*.*?\*/", "", sheet, flags=re.DOTALL)
    for selectors, body in re.findall(r"([^{}]+)\{([^}]*)\}", sheet):
        if selector in [part.strip() for part in selectors.split(",")]:
            found = re.search(rf"(?:^|;|\s){prop}\s*:[^;#]*(#[0-9a-fA-F]{{6}})", body)
            if found:
                return found.group(1)
    raise AssertionError(f"no {prop} colour for {selector}")


def _app_stylesheet() -> str:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return app.styleSheet()


@pytest.fixture(params=["light", "dark"])
def scheme(request, qapp: QApplication):
    choice = ThemeChoice(request.param)
    assert apply_theme(choice) == request.param
    yield request.param
    apply_theme(ThemeChoice.LIGHT)


def test_text_meets_aa_in_every_state(scheme) -> None:
    palette = QApplication.palette()
    pairs = {
        "text on base": (Role.Text, Role.Base),
        "text on alternate rows": (Role.Text, Role.AlternateBase),
        "window text": (Role.WindowText, Role.Window),
        "button text": (Role.ButtonText, Role.Button),
        "placeholder": (Role.PlaceholderText, Role.Base),
        "muted labels": (Role.PlaceholderText, Role.Window),
        "selection": (Role.HighlightedText, Role.Highlight),
        "links": (Role.Link, Role.Window),
    }
    for name, (fg, bg) in pairs.items():
        ratio = contrast_ratio(_hex(palette, fg), _hex(palette, bg))
        assert ratio >= 4.5, (scheme, name, round(ratio, 2))
    for fg, bg in ((Role.Text, Role.Base), (Role.ButtonText, Role.Button),
                   (Role.WindowText, Role.Window)):  # fmt: skip
        disabled = _hex(palette, fg, Group.Disabled)
        ratio = contrast_ratio(disabled, _hex(palette, bg, Group.Disabled))
        assert ratio >= 4.5, (scheme, "disabled", fg, round(ratio, 2))
        # Fainter than enabled text, so a disabled "Load all" does not look enabled.
        assert contrast_ratio(disabled, _hex(palette, fg)) >= 1.4, (scheme, fg)


def test_control_borders_meet_three_to_one(scheme) -> None:
    palette = QApplication.palette()
    sheet = _app_stylesheet()
    border = _stylesheet_colour(sheet, "QLineEdit", "border")
    disabled_border = _stylesheet_colour(sheet, "QLineEdit:disabled", "border")
    disabled_text = _stylesheet_colour(sheet, "QPushButton:disabled", "color")
    for background in (Role.Window, Role.Base, Role.Button):
        colour = _hex(palette, background)
        assert contrast_ratio(border, colour) >= 3, (scheme, background)
        assert contrast_ratio(disabled_border, colour) >= 3, (scheme, "disabled", background)
        assert contrast_ratio(disabled_text, colour) >= 4.5, (scheme, "disabled text", background)
    mid = _hex(palette, Role.Mid)  # the banners' and chips' borders
    assert contrast_ratio(mid, _hex(palette, Role.Window)) >= 3, scheme


def test_disabled_controls_are_drawn_with_the_checked_colours(scheme, qtbot) -> None:
    """The colours above are those Qt resolves for real widgets, not only the declared ones."""
    button = QPushButton("Load all")
    field = QLineEdit()
    for widget in (button, field):
        qtbot.addWidget(widget)
        widget.setEnabled(False)
        widget.ensurePolished()
    sheet = _app_stylesheet()
    expected = _stylesheet_colour(sheet, "QPushButton:disabled", "color")
    assert button.palette().color(Group.Disabled, Role.ButtonText).name() == expected
