"""WCAG contrast of both themes, computed from the colours the app really applies (the palette
and the stylesheet's colours) and from real widgets drawn offscreen: text 4.5:1, control
borders 3:1 (check-box indicators and the disabled state included).

Disabled text is exempt from WCAG's 4.5:1 (1.4.3 leaves out inactive components), so the rule
here is ours: it stays legible, 3:1 or more against its background, and has at most half the
contrast enabled text has, so a disabled "Load all" does not look enabled; a disabled button is
also flat (the window's colour) with a dashed border."""

from __future__ import annotations

import re
import statistics

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QVBoxLayout,
    QWidget,
)

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
        enabled = contrast_ratio(_hex(palette, fg), _hex(palette, bg))
        disabled = contrast_ratio(_hex(palette, fg, Group.Disabled),
                                  _hex(palette, bg, Group.Disabled))  # fmt: skip
        assert disabled >= 3, (scheme, "disabled", fg, round(disabled, 2))
        assert disabled <= enabled / 2, (scheme, fg, round(disabled, 2), round(enabled, 2))


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
        assert contrast_ratio(disabled_text, colour) >= 3, (scheme, "disabled text", background)
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
    assert button.palette().color(Group.Disabled, Role.Button) == QApplication.palette().color(
        Role.Window
    )  # flat


def _line_contrast(image: QImage, points: list[tuple[int, int]], background: str) -> float:
    return statistics.median(
        contrast_ratio(image.pixelColor(x, y).name(), background) for x, y in points
    )


def _side_contrasts(image: QImage, rect: QRect, background: str) -> list[float]:
    """Each side's contrast with the background: the median along the most contrasting of the
    three pixel lines at that edge (antialiasing may put the outline one pixel in)."""
    left, top, right, bottom = rect.left(), rect.top(), rect.right(), rect.bottom()
    xs, ys = range(left + 2, right - 1), range(top + 2, bottom - 1)
    sides = [
        [[(x, top + i) for x in xs] for i in range(3)],
        [[(x, bottom - i) for x in xs] for i in range(3)],
        [[(left + i, y) for y in ys] for i in range(3)],
        [[(right - i, y) for y in ys] for i in range(3)],
    ]
    return [max(_line_contrast(image, line, background) for line in side) for side in sides]


def test_check_box_indicators_are_outlined_three_to_one(scheme, qtbot) -> None:
    """Fusion outlines a check box in a shade of the window colour: about 1:1 in the dark
    theme. Measured on the drawn pixels, checked or not, enabled or not."""
    host = QWidget()
    qtbot.addWidget(host)
    column = QVBoxLayout(host)
    boxes = []
    for checked in (False, True):
        for enabled in (True, False):
            box = QCheckBox("Verify the server's TLS certificate")
            box.setChecked(checked)
            box.setEnabled(enabled)
            column.addWidget(box)
            boxes.append(box)
    host.show()
    qtbot.waitExposed(host)
    image = host.grab().toImage()
    window = _hex(QApplication.palette(), Role.Window)
    for box in boxes:
        option = QStyleOptionButton()
        option.initFrom(box)
        indicator = box.style().subElementRect(QStyle.SubElement.SE_CheckBoxIndicator, option, box)
        indicator.translate(box.pos())
        sides = _side_contrasts(image, indicator, window)
        assert min(sides) >= 3, (scheme, box.isChecked(), box.isEnabled(), sides)
