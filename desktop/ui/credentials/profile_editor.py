"""One profile's form, built from its vendor's declaration."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.profile_service import ProfileDraft
from desktop.core.profiles import DEFAULT_TIMEOUT_SECONDS, Profile
from desktop.ui.credentials.secret_field import SecretField
from desktop.ui.field_widgets import FieldWidget, field_value, field_widget, on_edited, show_value
from desktop.ui.form import FieldErrors
from desktop.vendors.base import ProfileField, Vendor


class ProfileEditor(QWidget):
    """One profile's form. ``original_name`` is None while the profile is new."""

    edited = Signal()

    def __init__(self, vendor: Vendor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileEditor")
        self.vendor = vendor
        self.original_name: str | None = None
        #: Edited since loaded: the connection test would not test what the form shows.
        self.dirty = False
        self._errors = FieldErrors()
        self.heading = self._build_heading()
        self.name_edit = QLineEdit()
        self.base_url_edit = self._build_base_url_edit()
        self.timeout_edit = QLineEdit()
        self.verify_check = QCheckBox("Verify the server's TLS certificate")
        self.ca_bundle_edit = QLineEdit()
        self.ca_bundle_edit.setPlaceholderText("system trust store")
        self.settings: dict[str, FieldWidget] = {}
        self.secrets: dict[str, SecretField] = {}
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._build_rows()
        for line_edit in (self.name_edit, self.base_url_edit, self.timeout_edit):
            line_edit.textEdited.connect(self.edited)
        self.ca_bundle_edit.textEdited.connect(self.edited)
        self.verify_check.toggled.connect(self.edited)

        self.edited.connect(self._mark_dirty)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addStretch(1)

    def _build_heading(self) -> QLabel:
        heading = QLabel()
        heading.setObjectName("editorHeading")
        heading.setProperty("role", "title")
        font = heading.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        heading.setFont(font)
        return heading

    def _build_base_url_edit(self) -> QLineEdit:
        examples = self.vendor.base_url_examples
        edit = QLineEdit()
        edit.setPlaceholderText(examples[0] if examples else "https://")
        if examples:
            edit.setCompleter(QCompleter(list(examples), self))
        return edit

    def _build_rows(self) -> None:
        vendor = self.vendor
        self._row("name", "Profile name *", self.name_edit, "A name you choose, e.g. prod-india.")
        url_help = vendor.base_url_help or "The vendor API's address."
        if vendor.base_url_examples:
            url_help += " Examples: " + ", ".join(vendor.base_url_examples)
        self._row("base_url", "Base URL *", self.base_url_edit, url_help)
        for spec in vendor.setting_fields:
            widget = self._setting_widget(spec)
            self.settings[spec.name] = widget
            self._row(spec.name, spec.label + (" *" if spec.required else ""), widget, spec.help)
        for spec in vendor.secret_fields:
            secret = SecretField(spec)
            secret.changed.connect(self.edited)
            self.secrets[spec.name] = secret
            label = spec.label + (" *" if spec.required else "") + " (secret)"
            self._row(spec.name, label, secret, spec.help)
        self._row("timeout", "Timeout (s)", self.timeout_edit, "Seconds to wait, 1 to 600.")
        self._row("verify", "TLS", self.verify_check, "Turn off only for a test server.")
        self._row(
            "ca_bundle",
            "CA bundle",
            self.ca_bundle_edit,
            "A PEM file of extra certificate authorities (a company proxy); empty for the "
            "system's trust store.",
        )

    def _mark_dirty(self) -> None:
        self.dirty = True

    def _setting_widget(self, spec: ProfileField) -> FieldWidget:
        choices = list(spec.choices) if spec.required else ["", *spec.choices]
        widget = field_widget(spec.kind, choices)
        if isinstance(widget, QCheckBox):
            widget.setText(spec.help)
        elif isinstance(widget, QLineEdit) and spec.default:
            widget.setPlaceholderText(spec.default)
        on_edited(widget, self.edited.emit)
        return widget

    def _row(self, name: str, label_text: str, widget: QWidget, help_text: str) -> None:
        if not widget.objectName():
            widget.setObjectName("profileName" if name == "name" else name)
        widget.setToolTip(help_text)
        widget.setAccessibleName(label_text.rstrip(" *"))
        widget.setAccessibleDescription(help_text)
        # A secret's masked input is what gets marked and focused, not the whole row.
        target = widget.input if isinstance(widget, SecretField) else widget
        cell = self._errors.add(widget, name, target)
        label = QLabel(label_text)
        label.setBuddy(widget)
        label.setToolTip(help_text)
        self.form.addRow(label, cell)

    def load(self, profile: Profile | None, secrets_set: dict[str, bool]) -> None:
        self.original_name = profile.name if profile else None
        self.heading.setText(
            f"{self.vendor.title} profile '{profile.name}'"
            if profile
            else f"New {self.vendor.title} profile"
        )
        self.name_edit.setText(profile.name if profile else "")
        self.name_edit.setReadOnly(profile is not None)  # renaming has its own button
        self.base_url_edit.setText(profile.base_url if profile else "")
        timeout = profile.timeout if profile else DEFAULT_TIMEOUT_SECONDS
        self.timeout_edit.setText(f"{timeout:g}")
        self.verify_check.setChecked(profile.verify if profile else True)
        self.ca_bundle_edit.setText((profile.ca_bundle or "") if profile else "")
        for spec in self.vendor.setting_fields:
            value = (profile.settings.get(spec.name) if profile else None) or spec.default or ""
            widget = self.settings[spec.name]
            # A new profile's text shows the default as a placeholder, not as its value.
            show_value(widget, "" if profile is None and isinstance(widget, QLineEdit) else value)
        for name, secret in self.secrets.items():
            secret.reset(secrets_set.get(name, False))
        self.clear_errors()
        self.dirty = False

    def draft(self) -> ProfileDraft:
        settings = {name: field_value(widget) for name, widget in self.settings.items()}
        secrets: dict[str, str | None] = {}
        for name, secret in self.secrets.items():
            changed, value = secret.change()
            if changed:
                secrets[name] = value
        return ProfileDraft(
            vendor=self.vendor.key,
            name=self.name_edit.text(),
            base_url=self.base_url_edit.text(),
            timeout=self.timeout_edit.text(),
            verify=self.verify_check.isChecked(),
            ca_bundle=self.ca_bundle_edit.text(),
            settings=settings,
            secrets=secrets,
        )

    def show_errors(self, problems: dict[str, str]) -> None:
        self._errors.show(problems)

    def clear_errors(self) -> None:
        self._errors.clear()
