"""A secret in the profile editor: its state, never its value."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QWidget

from desktop.vendors.base import ProfileField


class SecretField(QWidget):
    """A secret's state ('set' / 'not set'), never its value; Replace opens an empty masked
    input, Clear marks it for removal. Nothing changes in the keyring until Save."""

    changed = Signal()

    def __init__(self, spec: ProfileField, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.setObjectName(spec.name)
        self._is_set = False
        self._cleared = False
        #: The masked input is open (a flag: isVisible() is False while the window is hidden).
        self._replacing = False
        self.state = QLabel()
        self.state.setObjectName(f"{spec.name}State")
        self.state.setMinimumWidth(self.state.fontMetrics().horizontalAdvance("will be cleared"))
        self.input = QLineEdit()
        self.input.setObjectName(f"{spec.name}Input")
        self.input.setEchoMode(QLineEdit.EchoMode.Password)
        self.input.setAccessibleName(f"New {spec.label}")
        self.input.setPlaceholderText(f"paste the new {spec.label}")
        self.input.setToolTip(spec.help)
        self.input.textEdited.connect(self.changed)
        self.input.hide()
        self.replace_button = QPushButton("Replace")
        self.replace_button.setObjectName(f"{spec.name}Replace")
        self.replace_button.setAccessibleName(f"Replace {spec.label}")
        self.replace_button.clicked.connect(self.start_replacing)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName(f"{spec.name}Clear")
        self.clear_button.setAccessibleName(f"Clear {spec.label}")
        self.clear_button.clicked.connect(self.clear_secret)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.state)
        self._layout.addWidget(self.input, 1)
        self._layout.addWidget(self.replace_button)
        self._layout.addWidget(self.clear_button)
        #: Keeps the buttons beside the state while no input is shown; the input takes the room.
        self._layout.addStretch(1)

    def reset(self, is_set: bool) -> None:
        self._is_set = is_set
        self._cleared = False
        self._replacing = not is_set
        self.input.clear()
        self.input.setVisible(self._replacing)
        self._show_state()

    def _show_state(self) -> None:
        replacing = self._replacing
        if self._cleared:
            text = "will be cleared"
        elif self._is_set:
            text = "set (replacing)" if replacing else "set"
        else:
            text = "not set"
        self.state.setText(text)
        self._layout.setStretch(self._layout.count() - 1, 0 if replacing else 1)
        self.replace_button.setText("Replace" if self._is_set else "Set")
        self.replace_button.setVisible(not replacing)
        self.clear_button.setEnabled(self._is_set and not self._cleared)

    def start_replacing(self) -> None:
        self._cleared = False
        self._replacing = True
        self.input.show()
        self.input.setFocus()
        self._show_state()
        self.changed.emit()

    def clear_secret(self) -> None:
        self._cleared = True
        self._replacing = False
        self.input.clear()
        self.input.hide()
        self._show_state()
        self.changed.emit()

    def change(self) -> tuple[bool, str | None]:
        """(changed, new value); a value of None removes the secret."""
        if self._cleared:
            return True, None
        if self._replacing and self.input.text():
            return True, self.input.text()  # exactly as typed: the save refuses stray spaces
        return False, None
