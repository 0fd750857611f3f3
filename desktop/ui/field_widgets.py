"""One widget per declared field, and its value as text: the lookup form and the profile editor
build, read and fill their fields here.

A field's kind decides the widget (a choice a combo box, a boolean a check box, anything else a
line edit); its value is the text the declaration speaks: a choice's value, ``true``/``false``,
or what was typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit

from desktop.vendors.base import FieldKind

FieldWidget = QLineEdit | QComboBox | QCheckBox


def field_widget(
    kind: FieldKind,
    choices: Sequence[str] = (),
    empty_choice: str = "",
    words: Callable[[str], str] = str,
) -> FieldWidget:
    """The widget for a field of ``kind``; a choice's items carry their value as data and show
    its ``words``, the empty value shown as ``empty_choice``."""
    if kind is FieldKind.CHOICE:
        box = QComboBox()
        for choice in choices:
            box.addItem(words(choice) if choice else empty_choice, choice)
        return box
    if kind is FieldKind.BOOLEAN:
        return QCheckBox()
    return QLineEdit()


def on_edited(widget: FieldWidget, slot: Callable[[], object]) -> None:
    """Call ``slot`` when the user changes the widget's value."""
    if isinstance(widget, QComboBox):
        widget.currentTextChanged.connect(lambda _text: slot())
    elif isinstance(widget, QCheckBox):
        widget.toggled.connect(lambda _checked: slot())
    else:
        widget.textEdited.connect(lambda _text: slot())


def field_value(widget: FieldWidget) -> str:
    """The widget's value as the field's text."""
    if isinstance(widget, QComboBox):
        data = widget.currentData()
        return data if isinstance(data, str) else widget.currentText()
    if isinstance(widget, QCheckBox):
        return "true" if widget.isChecked() else "false"
    return widget.text()


def show_value(widget: FieldWidget, value: str, checked: bool | None = None) -> None:
    """Show ``value`` in the widget; a check box is ticked when ``checked`` says (default: the
    value is ``true``)."""
    if isinstance(widget, QComboBox):
        found = widget.findData(value)
        widget.setCurrentIndex(found if found >= 0 else widget.findText(value))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(value == "true" if checked is None else checked)
    else:
        widget.setText(value)
