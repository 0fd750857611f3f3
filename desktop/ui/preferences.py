"""Preferences: a manual proxy (URL and user in the settings, password in the keyring)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import CredentialStoreError
from desktop.core.proxy import PROXY_SECRET, check_proxy_url, proxy_with_credentials
from desktop.engine import LookupEngine
from desktop.ui.settings import ui_settings


def _manual_proxy_on() -> bool:
    # INI files store booleans as text: read it back as such.
    return str(ui_settings().value("proxy/manual", "false")).lower() == "true"


def apply_proxy(engine: LookupEngine) -> str | None:
    """Point the engine's HTTP clients at the saved manual proxy, or at the system's."""
    settings = ui_settings()
    url = str(settings.value("proxy/url", "") or "")
    if not _manual_proxy_on() or not url:
        engine.http_pool.proxy = None
        return None
    user = str(settings.value("proxy/user", "") or "") or None
    try:
        password = engine.secrets.get(*PROXY_SECRET)
    except CredentialStoreError:
        password = None
    engine.http_pool.proxy = proxy_with_credentials(url, user, password)
    return url


class PreferencesDialog(QDialog):
    def __init__(self, engine: LookupEngine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferencesDialog")
        self.setWindowTitle("Preferences")
        self._engine = engine
        settings = ui_settings()
        self.manual = QCheckBox("Use this proxy instead of the system's")
        self.manual.setObjectName("manualProxy")
        self.manual.setChecked(_manual_proxy_on())
        self.url = QLineEdit(str(settings.value("proxy/url", "") or ""))
        self.url.setObjectName("proxyUrl")
        self.url.setPlaceholderText("http://proxy.example.com:3128")
        self.url.setAccessibleName("Proxy URL")
        self.user = QLineEdit(str(settings.value("proxy/user", "") or ""))
        self.user.setObjectName("proxyUser")
        self.user.setAccessibleName("Proxy user")
        self.password = QLineEdit()
        self.password.setObjectName("proxyPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Proxy password")
        try:
            stored = engine.secrets.get(*PROXY_SECRET)
        except CredentialStoreError:
            stored = None
        self.password.setPlaceholderText("set: leave empty to keep" if stored else "")
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
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        note = QLabel(
            "Without a manual proxy the system's (HTTP_PROXY, HTTPS_PROXY, NO_PROXY) is used. "
            "The password is kept in the OS keyring, never in a file."
        )
        note.setWordWrap(True)
        note.setProperty("role", "muted")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(480, self.sizeHint().height())

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
        settings = ui_settings()
        settings.setValue("proxy/manual", self.manual.isChecked())
        settings.setValue("proxy/url", url)
        settings.setValue("proxy/user", self.user.text().strip())
        settings.sync()
        apply_proxy(self._engine)
        self.accept()
        return True
