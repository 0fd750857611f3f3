"""Light and dark themes: the palette follows the OS unless the user picks one, and the app's
status colours are chosen per theme to keep WCAG AA contrast (checked by a test)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel

from desktop.ui.resources import read_text, resource_root


class ThemeChoice(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


#: Colours by theme and role: (foreground, background) pairs for banners, plain colours else.
#: How a status looks, whatever it says (the words are always there too): the ``state`` property
#: the stylesheet colours banners, chips, badges and table cells by. 'error' looks as 'failure'
#: does; 'muted' is plain; 'unknown' (a chip) is drawn dashed.
Tone = Literal["success", "failure", "error", "pending", "muted", "unknown"]

STATUS_COLOURS: dict[str, dict[str, tuple[str, str]]] = {
    "light": {
        "success": ("#14532d", "#e3f4e8"),
        "failure": ("#7f1d1d", "#fde8e8"),
        "pending": ("#5c3d00", "#fff4d6"),
        "fieldError": ("#b42318", "#ffffff"),
    },
    "dark": {
        "success": ("#b7f0c8", "#12351f"),
        "failure": ("#ffc9c9", "#3d1414"),
        "pending": ("#ffe29a", "#3a2c05"),
        "fieldError": ("#ff8a80", "#2b2b2b"),
    },
}


def effective_scheme(choice: ThemeChoice) -> str:
    if choice is ThemeChoice.LIGHT:
        return "light"
    if choice is ThemeChoice.DARK:
        return "dark"
    scheme = QGuiApplication.styleHints().colorScheme()
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


#: How much larger a heading is than the text.
TITLE_SCALE = 1.3

_state: dict[str, object] = {"choice": None, "following": False, "point_size": None}

#: Colours of borders and of disabled text, per theme, chosen for WCAG: a control's border
#: (check boxes' included) at least 3:1 against what it sits on. Disabled text stays legible
#: (3:1 or more) but has at most half the contrast enabled text has, so a disabled button reads
#: as disabled at a glance; its dashed border and flat fill are the other signs (a test computes
#: the ratios).
CONTROL_COLOURS: dict[str, dict[str, str]] = {
    "light": {"border": "#767676", "disabled-fg": "#595959", "disabled-border": "#858585"},
    "dark": {"border": "#8c8c8c", "disabled-fg": "#949494", "disabled-border": "#858585"},
}

#: The light palette's colours the ratios are computed against (Fusion's standard ones).
LIGHT_PALETTE = {
    QPalette.ColorRole.Window: "#efefef",
    QPalette.ColorRole.WindowText: "#000000",
    QPalette.ColorRole.Base: "#ffffff",
    QPalette.ColorRole.AlternateBase: "#f7f7f7",
    QPalette.ColorRole.Text: "#000000",
    QPalette.ColorRole.Button: "#efefef",
    QPalette.ColorRole.ButtonText: "#000000",
    QPalette.ColorRole.PlaceholderText: "#6b6b6b",
    QPalette.ColorRole.Highlight: "#2f6fb0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#1a55a8",
    QPalette.ColorRole.Mid: "#767676",
}

#: A dark palette for Qt's Fusion style (which does not darken itself on every platform).
DARK_PALETTE = {
    QPalette.ColorRole.Window: "#2b2b2b",
    QPalette.ColorRole.WindowText: "#e6e6e6",
    QPalette.ColorRole.Base: "#1f1f1f",
    QPalette.ColorRole.AlternateBase: "#292929",
    QPalette.ColorRole.Text: "#e6e6e6",
    QPalette.ColorRole.Button: "#353535",
    QPalette.ColorRole.ButtonText: "#e6e6e6",
    QPalette.ColorRole.ToolTipBase: "#353535",
    QPalette.ColorRole.ToolTipText: "#e6e6e6",
    QPalette.ColorRole.PlaceholderText: "#a0a0a0",
    QPalette.ColorRole.Highlight: "#2f6fb0",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#8ab4f8",
    QPalette.ColorRole.Mid: "#8c8c8c",
}

PALETTES = {"light": LIGHT_PALETTE, "dark": DARK_PALETTE}


def _apply_palette(scheme: str) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")  # the same look, light or dark, on every platform
    palette = app.style().standardPalette()
    for role, colour in PALETTES[scheme].items():
        palette.setColor(role, QColor(colour))
    disabled = QColor(CONTROL_COLOURS[scheme]["disabled-fg"])
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):  # fmt: skip
        palette.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    # A disabled button is flat: the window's colour, not the raised button's.
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Button,
                     QColor(PALETTES[scheme][QPalette.ColorRole.Window]))  # fmt: skip
    app.setPalette(palette)


def set_point_size(points: float) -> None:
    """The whole UI's text size. Set in the stylesheet: with an application stylesheet in
    use, QApplication.setFont does not reach the widgets it styles."""
    _state["point_size"] = points
    choice = _state["choice"] if isinstance(_state["choice"], ThemeChoice) else ThemeChoice.SYSTEM
    _apply_stylesheet(effective_scheme(choice))


def _system_scheme_changed(_scheme: Qt.ColorScheme) -> None:
    if _state["choice"] is ThemeChoice.SYSTEM:
        scheme = effective_scheme(ThemeChoice.SYSTEM)
        _apply_palette(scheme)
        _apply_stylesheet(scheme)


def apply_theme(choice: ThemeChoice) -> str:
    """Set Qt's colour scheme and the app stylesheet for ``choice``; returns 'light'/'dark'.

    With SYSTEM the app follows the OS live. The follower is connected once per process to a
    plain function: a slot on a window would outlive the window and crash on the next change."""
    hints = QGuiApplication.styleHints()
    if not _state["following"]:
        hints.colorSchemeChanged.connect(_system_scheme_changed)
        _state["following"] = True
    if _state["choice"] is not choice:
        _state["choice"] = choice
        hints.setColorScheme(
            {
                ThemeChoice.SYSTEM: Qt.ColorScheme.Unknown,
                ThemeChoice.LIGHT: Qt.ColorScheme.Light,
                ThemeChoice.DARK: Qt.ColorScheme.Dark,
            }[choice]
        )
    scheme = effective_scheme(choice)
    _apply_palette(scheme)
    _apply_stylesheet(scheme)
    return scheme


def status_colours(tone: Tone) -> tuple[str, str] | None:
    """(foreground, background) of a tone in the theme in use."""
    choice = _state["choice"] if isinstance(_state["choice"], ThemeChoice) else ThemeChoice.SYSTEM
    return STATUS_COLOURS[effective_scheme(choice)].get(tone)


def _apply_stylesheet(scheme: str) -> None:
    app = QGuiApplication.instance()
    assert isinstance(app, QGuiApplication)
    colours = STATUS_COLOURS[scheme]
    stylesheet = read_text("style.qss")
    for role, (foreground, background) in colours.items():
        stylesheet = stylesheet.replace(f"@{role}-fg", foreground).replace(
            f"@{role}-bg", background
        )
    for name, colour in sorted(CONTROL_COLOURS[scheme].items(), key=lambda i: -len(i[0])):
        stylesheet = stylesheet.replace(f"@{name}", colour)
    icons = Path(str(resource_root() / "icons")).as_posix()
    stylesheet = stylesheet.replace("@icons", icons).replace("@scheme", scheme)
    points = _state["point_size"]
    if isinstance(points, float):
        stylesheet = f"QWidget {{ font-size: {points:.1f}pt; }}\n" + stylesheet
    else:
        points = QApplication.font().pointSizeF()
    # Headings keep their size at every text scale (a later font-size rule would shrink them).
    stylesheet += f'\nQLabel[role="title"] {{ font-size: {points * TITLE_SCALE:.1f}pt; }}\n'
    if app.styleSheet() != stylesheet:  # type: ignore[attr-defined]
        app.setStyleSheet(stylesheet)  # type: ignore[attr-defined]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def banner_label(object_name: str) -> QLabel:
    """A hidden, word-wrapped plain-text banner; ``show_banner`` fills and colours it."""
    label = QLabel()
    label.setObjectName(object_name)
    label.setProperty("role", "banner")
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.hide()
    return label


def show_banner(label: QLabel, text: str, tone: Tone) -> None:
    """Set a banner's text and tone; hidden when empty."""
    label.setText(text)
    label.setProperty("state", tone)
    label.style().unpolish(label)
    label.style().polish(label)
    label.setVisible(bool(text))


def fit_wrapped(dock: QDockWidget, label: QLabel) -> None:
    """Reserve a word-wrapped label's whole height at the dock's width: a dock's layout does
    not ask the label for it, and the widgets below would cover part of the table."""
    width = dock.widget().contentsRect().width() if dock.widget() else 0
    needed = label.heightForWidth(width) if label.text() and width > 0 else 0
    label.setMinimumHeight(max(needed, 0))
