"""Preferences: a manual proxy (URL and user in the settings file the CLI reads too, password
in the keyring)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import ConfigurationError, CredentialStoreError
from desktop.core.proxy import PROXY_SECRET, check_proxy_url
from desktop.core.settings import (
    MANUAL_PROXY,
    PROXY_URL,
    PROXY_USER,
    TIME_DISPLAY,
    manual_proxy,
)
from desktop.core.timefmt import TimeDisplay, set_time_display
from desktop.engine import LookupEngine
from desktop.ui.settings import preferences


def apply_proxy(engine: LookupEngine) -> None:
    """Point the engine's HTTP clients at the saved manual proxy, or at the system's, and show
    times as the settings say (both are read when the window is attached)."""
    settings = preferences()
    engine.http_pool.proxy = manual_proxy(settings, engine.secrets)
    set_time_display(settings.get(TIME_DISPLAY))


#: The choices of the Times box, in words.
TIME_CHOICES = {
    TimeDisplay.LOCAL: "Local time (this computer's zone)",
    TimeDisplay.UTC: "UTC",
    TimeDisplay.VENDOR: "As the vendor sent them",
}


class PreferencesDialog(QDialog):
    def __init__(self, engine: LookupEngine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self._engine = engine
        self._build_proxy_fields()
        settings = preferences()
        self.times = QComboBox()
        self.times.setObjectName("timeDisplay")
        for choice, words in TIME_CHOICES.items():
            self.times.addItem(words, choice.value)
        self.times.setCurrentIndex(max(self.times.findData(settings.get(TIME_DISPLAY)), 0))
        self.error = QLabel()
        self.error.setObjectName("proxyError")
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setWordWrap(True)
        self.error.setProperty("role", "fieldError")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.manual)
        form.addRow("Proxy &URL", self.url)
        form.addRow("&User", self.user)
        form.addRow("&Password", self.password)
        form.addRow("&Times", self.times)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        note = QLabel(
            "Without a manual proxy the system's (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) is used. "
            "The password is kept in the OS keyring, never in a file. calllookup-cli uses "
            "the same proxy and the same way of showing times (from the next lookup on; copies "
            "and exports always carry the vendor's own values)."
        )
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(480, self.sizeHint().height())

    def _build_proxy_fields(self) -> None:
        """The manual proxy's URL, user and password (the password only says whether it is
        set: it stays in the keyring)."""
        settings = preferences()
        self.manual = QCheckBox("Use this proxy instead of the system's")
        self.manual.setObjectName("manualProxy")
        self.manual.setChecked(settings.get(MANUAL_PROXY))
        self.url = QLineEdit(settings.get(PROXY_URL))
        self.url.setObjectName("proxyUrl")
        self.url.setPlaceholderText("http://proxy.example.com:3128")
        self.url.setAccessibleName("Proxy URL")
        self.user = QLineEdit(settings.get(PROXY_USER))
        self.user.setObjectName("proxyUser")
        self.user.setAccessibleName("Proxy user")
        self.password = QLineEdit()
        self.password.setObjectName("proxyPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Proxy password")
        try:
            stored = self._engine.secrets.get(*PROXY_SECRET)
        except CredentialStoreError:
            stored = None
        self.password.setPlaceholderText("set: leave empty to keep" if stored else "")

    def save(self) -> bool:
        url = self.url.text().strip()
        if self.manual.isChecked() or url:
            try:
                url = check_proxy_url(url)
            except ValueError as error:
                self.error.setText(f"Proxy URL: {error}")
                self.error.show()
                self.url.setFocus()
                return False
        try:
            if self.password.text():
                self._engine.secrets.set(*PROXY_SECRET, self.password.text())
            elif not self.user.text().strip():
                self._engine.secrets.delete(*PROXY_SECRET)
        except CredentialStoreError as error:
            self.error.setText(error.message)
            self.error.show()
            return False
        try:
            preferences().update(
                {
                    MANUAL_PROXY: self.manual.isChecked(),
                    PROXY_URL: url,
                    PROXY_USER: self.user.text().strip(),
                    TIME_DISPLAY: self.times.currentData(),
                }
            )
        except ConfigurationError as error:
            self.error.setText(f"Not saved: {error.message}")
            self.error.show()
            return False
        apply_proxy(self._engine)
        set_time_display(self.times.currentData())
        self.accept()
        return True
