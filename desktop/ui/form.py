"""A form built from InputField declarations: a vendor's lookup, or an attempt edit.

Each input's objectName is its API parameter name; each has an error label beside it
(objectName ``<name>Error``) where validation messages appear, so bad input never needs a popup.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import InvalidInputsError
from desktop.core.paste import id_from_link
from desktop.core.profiles import Profile
from desktop.ui.field_widgets import FieldWidget, field_value, field_widget, show_value
from desktop.vendors.base import FieldKind, InputField, is_checked, validate_fields

MAX_ROWS_IN_ONE_COLUMN = 4
ANY_CHOICE_TEXT = "(any)"


def cell_with_error(widget: QWidget, name: str) -> tuple[QWidget, QLabel]:
    """The widget with its (hidden) error label below it, objectName ``<name>Error``."""
    error = QLabel()
    error.setObjectName(f"{name}Error")
    error.setTextFormat(Qt.TextFormat.PlainText)
    error.setWordWrap(True)
    error.setProperty("role", "fieldError")
    error.hide()
    cell = QWidget()
    cell_layout = QVBoxLayout(cell)
    cell_layout.setContentsMargins(0, 0, 0, 0)
    cell_layout.setSpacing(2)
    cell_layout.addWidget(widget)
    cell_layout.addWidget(error)
    return cell, error


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Set the ``invalid`` property the stylesheet draws a red border for."""
    if bool(widget.property("invalid")) != invalid:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def _fits(spec: InputField, text: str) -> bool:
    try:
        validate_fields((spec,), {spec.name: text})
    except InvalidInputsError:
        return False
    return True


class FieldErrors:
    """The error labels of one form by field name: messages appear beside their field, the
    field is marked, and the first one gets the focus."""

    def __init__(self) -> None:
        self._labels: dict[str, QLabel] = {}
        self._targets: dict[str, QWidget] = {}

    def add(self, widget: QWidget, name: str, target: QWidget | None = None) -> QWidget:
        """The cell to put in the form; ``target`` is what gets marked (default: the widget)."""
        cell, label = cell_with_error(widget, name)
        self._labels[name] = label
        self._targets[name] = target or widget
        return cell

    def show(self, problems: dict[str, str]) -> None:
        self.clear()
        first: QWidget | None = None
        for name, message in problems.items():
            label = self._labels.get(name)
            if label is None:
                continue
            label.setText(message)
            label.show()
            mark_invalid(self._targets[name], True)
            first = first or self._targets[name]
        if first is not None:
            first.setFocus()

    def clear(self) -> None:
        for name, label in self._labels.items():
            label.clear()
            label.hide()
            mark_invalid(self._targets[name], False)


class VendorForm(QWidget):
    #: Enter pressed in a text field: the user wants the lookup to run.
    submitted = Signal()

    def __init__(
        self,
        fields: tuple[InputField, ...],
        parent: QWidget | None = None,
        *,
        object_name: str = "lookupForm",
    ) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._fields = fields
        self._inputs: dict[str, FieldWidget] = {}
        #: Where each field's row is, so the form can fold to its first field.
        self._rows: dict[str, tuple[QFormLayout, int]] = {}
        self.folded = False
        self._errors = FieldErrors()
        # Long forms (filters) go in two columns so the results keep most of the height.
        columns = 2 if len(fields) > MAX_ROWS_IN_ONE_COLUMN else 1
        per_column = -(-len(fields) // columns)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        layouts = []
        for _ in range(columns):
            column = QFormLayout()
            column.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
            column.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            outer.addLayout(column, 1)
            layouts.append(column)
        for position, spec in enumerate(fields):
            layout = layouts[position // per_column]
            widget = self._make_input(spec)
            shown: QWidget = widget
            if isinstance(widget, QLineEdit):
                shown = self._with_link_suggestion(spec.name, widget)
            cell = self._errors.add(shown, spec.name, target=widget)
            # A field the profile fills is not one the user must fill: no star.
            must = spec.required and not spec.profile_default
            label = QLabel(spec.label + (" *" if must else ""))
            label.setBuddy(widget)
            label.setToolTip(spec.help)
            layout.addRow(label, cell)
            self._rows[spec.name] = (layout, layout.rowCount() - 1)
            self._inputs[spec.name] = widget

    def _with_link_suggestion(self, name: str, field: QLineEdit) -> QWidget:
        """The field with a button that appears when a pasted link carries an ID for it."""
        suggestion = QPushButton()
        suggestion.setObjectName(f"{name}Suggestion")
        suggestion.setFlat(True)
        suggestion.hide()
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(field, 1)
        layout.addWidget(suggestion)

        def offer(text: str) -> None:
            found = id_from_link(text, name) if "://" in text else None
            home = self._better_field(name, text) if found is None else None
            suggestion.setVisible(found is not None or home is not None)
            suggestion.setProperty("suggested", found)
            suggestion.setProperty("moveTo", home)
            if found is not None:
                suggestion.setText(f"Use {found}")
                suggestion.setToolTip("The pasted link carries this ID: use it instead")
            elif home is not None:
                label = next(spec.label for spec in self._fields if spec.name == home)
                suggestion.setText(f"Move to {label}")
                suggestion.setToolTip(f"This looks like a {label}, not a value for this field")

        def accept() -> None:
            home = suggestion.property("moveTo")
            if isinstance(home, str):
                target = self._inputs[home]
                assert isinstance(target, QLineEdit)
                target.setText(field.text())
                field.clear()
                target.setFocus()
                return
            field.setText(str(suggestion.property("suggested")))
            field.setFocus()

        field.textChanged.connect(offer)
        suggestion.clicked.connect(accept)
        return row

    def _make_input(self, spec: InputField) -> FieldWidget:
        # The API's own spelling stays each item's data; people read its words.
        widget = field_widget(
            spec.kind, spec.choices, empty_choice=ANY_CHOICE_TEXT, words=spec.value_words
        )
        if isinstance(widget, QComboBox):
            if spec.default in spec.choices:  # "" means: no filter
                widget.setCurrentIndex(spec.choices.index(spec.default or ""))
        elif isinstance(widget, QCheckBox):
            # The row's label names it; the help (often long) is its tooltip, so the form
            # keeps a small minimum width.
            widget.setChecked(spec.default == "true")
        else:
            widget.setPlaceholderText(spec.placeholder)
            widget.setClearButtonEnabled(True)
            widget.setMaxLength(max(spec.max_length * 4, 256))  # room for a messy paste
            widget.returnPressed.connect(self.submitted)
        widget.setObjectName(spec.name)
        widget.setToolTip(spec.help)
        widget.setAccessibleName(spec.label)
        widget.setAccessibleDescription(spec.help)
        return widget

    def _better_field(self, name: str, text: str) -> str | None:
        """The empty text field a value belongs in when it does not fit this one but fits
        that one's pattern or kind (a call ID pasted into a VDN ID field)."""
        if not text.strip() or _fits(self._spec(name), text):
            return None
        for spec in self._fields:
            widget = self._inputs.get(spec.name)
            checked = spec.pattern is not None or spec.kind is not FieldKind.TEXT
            if (
                spec.name != name
                and checked
                and isinstance(widget, QLineEdit)
                and not widget.text().strip()
                and _fits(spec, text)
            ):
                return spec.name
        return None

    def _spec(self, name: str) -> InputField:
        return next(spec for spec in self._fields if spec.name == name)

    def paste_field(self) -> QWidget | None:
        """The field a person pastes into: the first text field the profile does not fill."""
        for spec in self._fields:
            widget = self._inputs[spec.name]
            if isinstance(widget, QLineEdit) and not spec.profile_default:
                return widget
        return None

    @property
    def foldable(self) -> bool:
        """A long form (filters) may fold to its first field once it has done its job."""
        return len(self._fields) > MAX_ROWS_IN_ONE_COLUMN

    def set_folded(self, folded: bool) -> None:
        """Show only the first field (the one a person pastes into), or every field again."""
        self.folded = folded and self.foldable
        for spec in self._fields[1:]:
            layout, row = self._rows[spec.name]
            layout.setRowVisible(row, not self.folded)

    def filters_set(self) -> int:
        """How many fields besides the first hold something other than their default."""
        values = self.values()
        return sum(
            1
            for spec in self._fields[1:]
            if values.get(spec.name, "") not in ("", spec.default or "")
        )

    def input(self, name: str) -> FieldWidget:
        return self._inputs[name]

    def values(self) -> dict[str, str]:
        """What the user entered, unvalidated; empty text fields are left out."""
        values: dict[str, str] = {}
        for name, widget in self._inputs.items():
            value = field_value(widget)
            if not isinstance(widget, QLineEdit) or value.strip():
                values[name] = value
        return values

    def set_values(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            widget = self._inputs.get(name)
            if isinstance(widget, QCheckBox):
                show_value(widget, value, is_checked(self._spec(name), value))
            elif widget is not None:
                show_value(widget, value)

    def show_profile_defaults(self, profile: Profile | None) -> None:
        """Placeholders say which value the profile fills in when a field is left empty."""
        for spec in self._fields:
            widget = self._inputs[spec.name]
            if not isinstance(widget, QLineEdit) or not spec.profile_default:
                continue
            default = profile.setting(spec.profile_default) if profile else None
            widget.setPlaceholderText(
                f"{default} (from the profile)" if default else spec.placeholder
            )

    def show_errors(self, problems: dict[str, str]) -> None:
        self._errors.show(problems)

    def clear_errors(self) -> None:
        self._errors.clear()
