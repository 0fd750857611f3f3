"""The attempts panel's dialogs: edit or create an attempt (the fields its vendor declares), and
confirm a deletion. They only collect and check input; the panel sends it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout, QWidget

from desktop.core.models import EscalationAttempt
from desktop.core.timefmt import screen_time, zone_of
from desktop.ui.form import VendorForm
from desktop.ui.table_models import spelled
from desktop.vendors.base import InputField


class AttemptEditDialog(QDialog):
    """The fields an edit may change (or a new attempt needs), prefilled, validated beside
    each field."""

    def __init__(
        self,
        title: str,
        fields: tuple[InputField, ...],
        values: dict[str, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("attemptEditDialog")
        self.setWindowTitle(title)
        self.form = VendorForm(fields, object_name="attemptEditForm")
        self.form.set_values(values)
        self.error = self._build_error_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addWidget(self.error)
        layout.addWidget(self._build_buttons())
        self.resize(460, self.sizeHint().height())

    @staticmethod
    def _build_error_label() -> QLabel:
        error = QLabel()
        error.setObjectName("attemptEditError")
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.setWordWrap(True)
        error.setProperty("role", "fieldError")
        return error

    def _build_buttons(self) -> QDialogButtonBox:
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        return buttons


def describe_attempt(attempt: EscalationAttempt) -> str:
    """A line that names an attempt for a person: who, when, which ID."""
    moment = attempt.started_at
    started = f"{screen_time(moment)} ({zone_of(moment)})" if moment else "unknown time"
    who = attempt.user_id or attempt.user_phone_number or "unknown user"
    status = spelled(attempt.status) if attempt.status else "no status"
    return f"{who} rung at {started} — {status}, ID {attempt.attempt_id}"


def confirm_delete(
    attempt: EscalationAttempt, confirmed: Callable[[], None], parent: QWidget
) -> QMessageBox:
    """Ask before deleting (Cancel is the default); ``confirmed`` runs on Yes only."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        "Delete attempt",
        f"Delete this escalation attempt?\n\n{describe_attempt(attempt)}\n\n"
        "It is removed on the server and cannot be restored from here.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setObjectName("deleteAttemptBox")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.finished.connect(
        lambda result: confirmed() if result == QMessageBox.StandardButton.Yes else None
    )
    box.open()
    return box
