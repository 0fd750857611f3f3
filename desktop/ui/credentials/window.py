"""The credential manager: profiles grouped by vendor, each vendor's form built from its
declaration, secrets kept in the OS keyring and never shown again.

Every action has a method tests and menus call directly (``add_profile``, ``rename_selected``
...); dialogs only ask what the method was not told.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import (
    CallLookupError,
    ConfigurationError,
    CredentialStoreError,
    InvalidInputsError,
    VendorError,
)
from desktop.core.profile_service import ProfileService
from desktop.core.profiles import Profile
from desktop.engine import LookupEngine
from desktop.ui.credentials.profile_editor import ProfileEditor
from desktop.ui.tasks import TaskRunner
from desktop.ui.theme import Tone, banner_label, show_banner
from desktop.vendors import VENDORS, get_vendor
from desktop.vendors.base import ProbeOutcome, Vendor

_ROLE = Qt.ItemDataRole.UserRole


def _no_profile_hint() -> QLabel:
    label = QLabel(
        "Choose a profile on the left, or Add one. Secrets go to the OS keyring and are never "
        "shown again."
    )
    label.setObjectName("editorPlaceholder")
    label.setWordWrap(True)
    label.setProperty("role", "muted")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class CredentialsWindow(QWidget):
    """Emits ``profiles_changed(vendor)`` after any change and ``profile_renamed(vendor, old,
    new)`` so open vendor tabs can follow."""

    profiles_changed = Signal(str)
    profile_renamed = Signal(str, str, str)

    def __init__(
        self,
        service: ProfileService,
        engine: LookupEngine,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("credentialsWindow")
        self.setWindowTitle("Profiles and credentials")
        self.service = service
        self._engine = engine
        self._tasks = tasks
        self.editor: ProfileEditor | None = None
        self.test_task: asyncio.Task[None] | None = None
        #: The open question whether to save the settings a connection test found (or None).
        self.settings_offer: QMessageBox | None = None

        banner_row = self._build_keyring_banner()
        splitter = QSplitter()
        splitter.setObjectName("credentialsSplitter")
        splitter.addWidget(self._build_profile_list())
        splitter.addWidget(self._build_editor_side())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        self.status = banner_label("credentialsStatus")
        self.store_note = QLabel()
        self.store_note.setObjectName("secretStoreNote")
        self.store_note.setProperty("role", "muted")
        self.store_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(banner_row)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        layout.addWidget(self.store_note)
        self.resize(980, 620)
        self.refresh()

    def _build_keyring_banner(self) -> QHBoxLayout:
        """Why secrets cannot be kept (if so), beside the offer to keep them for the session."""
        self.keyring_banner = banner_label("keyringBanner")
        self.session_button = QPushButton("Keep secrets for this session only")
        self.session_button.setObjectName("keepForSessionButton")
        self.session_button.setToolTip(
            "Secrets stay in memory until CallLookup exits; nothing is written to disk."
        )
        self.session_button.clicked.connect(self.keep_secrets_for_session)
        banner_row = QHBoxLayout()
        banner_row.addWidget(self.keyring_banner, 1)
        banner_row.addWidget(self.session_button, 0, Qt.AlignmentFlag.AlignTop)
        return banner_row

    def _build_profile_list(self) -> QWidget:
        """The profiles by vendor with the buttons that add, change and share them."""
        self.tree = QTreeWidget()
        self.tree.setObjectName("profileTree")
        self.tree.setAccessibleName("Profiles by vendor")
        self.tree.setHeaderLabels(["Profile", "Base URL"])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.tree.currentItemChanged.connect(self._current_changed)

        self.add_button = QPushButton("&Add")
        self.add_button.setObjectName("addProfileButton")
        add_menu = QMenu(self.add_button)
        for vendor in VENDORS:
            action = add_menu.addAction(f"{vendor.title} profile")
            action.setData(vendor.key)
        add_menu.triggered.connect(lambda action: self.add_profile(str(action.data())))
        self.add_button.setMenu(add_menu)
        self.rename_button = self._button("Re&name…", "renameProfileButton", self.rename_selected)
        self.duplicate_button = self._button(
            "D&uplicate…", "duplicateProfileButton", self.duplicate_selected
        )
        self.delete_button = self._button("&Delete…", "deleteProfileButton", self.delete_selected)
        self.import_button = self._button("&Import…", "importProfilesButton", self.import_file)
        self.export_button = self._button("&Export…", "exportProfilesButton", self.export_file)
        edit_row = QHBoxLayout()
        for button in (self.add_button, self.rename_button, self.duplicate_button):
            edit_row.addWidget(button)
        edit_row.addWidget(self.delete_button)
        share_row = QHBoxLayout()
        share_row.addWidget(self.import_button)
        share_row.addWidget(self.export_button)
        share_row.addStretch(1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.tree, 1)
        left_layout.addLayout(edit_row)
        left_layout.addLayout(share_row)
        return left

    def _build_editor_side(self) -> QWidget:
        """The selected profile's editor with Save, Revert and the connection test."""
        self.editor_area = QScrollArea()
        self.editor_area.setObjectName("editorArea")
        self.editor_area.setWidgetResizable(True)
        self.editor_area.setFrameShape(QFrame.Shape.NoFrame)
        self.editor_area.setWidget(_no_profile_hint())
        self.save_button = self._button("&Save", "saveProfileButton", self.save_current)
        self.save_button.setDefault(True)
        self.revert_button = self._button("Re&vert", "revertProfileButton", self.revert_current)
        self.test_button = self._button(
            "&Test connection", "testConnectionButton", self.test_connection
        )
        self.test_button.setToolTip("A cheap authenticated call with the saved profile.")
        action_row = QHBoxLayout()
        action_row.addWidget(self.save_button)
        action_row.addWidget(self.revert_button)
        action_row.addStretch(1)
        action_row.addWidget(self.test_button)
        self.connection_result = banner_label("connectionResult")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.editor_area, 1)
        right_layout.addLayout(action_row)
        right_layout.addWidget(self.connection_result)
        return right

    def _button(self, text: str, object_name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setObjectName(object_name)
        # Not connected directly: Qt would pass 'checked' as the slot's first argument.
        button.clicked.connect(lambda: slot())  # noqa: PLW0108
        return button

    # -- list ------------------------------------------------------------------------------
    def refresh(self, select: tuple[str, str] | None = None) -> None:
        """Rebuild the list (keeping or moving the selection) and the keyring banner."""
        if select is None:
            select = self.selected()
        self.tree.blockSignals(True)
        self.tree.clear()
        chosen: QTreeWidgetItem | None = None
        for vendor in VENDORS:
            profiles = self.service.profiles.list(vendor.key)
            group = QTreeWidgetItem([f"{vendor.title} ({len(profiles)})", ""])
            group.setData(0, _ROLE, (vendor.key, None))
            group.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.tree.addTopLevelItem(group)
            for profile in profiles:
                item = QTreeWidgetItem([profile.name, profile.base_url])
                item.setData(0, _ROLE, (vendor.key, profile.name))
                item.setToolTip(1, profile.base_url)
                group.addChild(item)
                if select == (vendor.key, profile.name):
                    chosen = item
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)
        self.tree.blockSignals(False)
        if chosen is not None:
            self.tree.setCurrentItem(chosen)
        elif self.editor is None or self.editor.original_name is not None:
            self._show_editor(None)
        self._update_actions()
        self._show_keyring_state()

    def selected(self) -> tuple[str, str] | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        vendor_key, name = item.data(0, _ROLE)
        return (vendor_key, name) if name else None

    def _current_changed(self, current: QTreeWidgetItem | None, _previous: object) -> None:
        key = current.data(0, _ROLE) if current is not None else None
        if key and key[1]:
            self._load(key[0], key[1])
        elif self.editor is not None and self.editor.original_name is not None:
            self._show_editor(None)
        self._update_actions()

    def _update_actions(self) -> None:
        has_profile = self.selected() is not None
        for button in (self.rename_button, self.duplicate_button, self.delete_button):
            button.setEnabled(has_profile)
        editing = self.editor is not None
        self.save_button.setEnabled(editing)
        self.revert_button.setEnabled(editing)
        self.test_button.setEnabled(
            editing and self.editor is not None and self.editor.original_name is not None
        )

    # -- editor ----------------------------------------------------------------------------
    def _show_editor(self, editor: ProfileEditor | None) -> None:
        self.editor = editor
        show_banner(self.connection_result, "", "muted")
        # The scroll area deletes the widget it showed before: a new hint is made each time.
        self.editor_area.setWidget(editor if editor is not None else _no_profile_hint())
        self._update_actions()

    def _secret_states(self, vendor: Vendor, name: str) -> dict[str, bool]:
        try:
            return {
                spec.name: self.service.secret_is_set(vendor.key, name, spec.name)
                for spec in vendor.secret_fields
            }
        except CredentialStoreError as error:
            self._report(error.message, "error")
            self._show_keyring_state()
            return {}

    def _load(self, vendor_key: str, name: str) -> None:
        vendor = get_vendor(vendor_key)
        editor = ProfileEditor(vendor)
        editor.load(self.service.profiles.get(vendor_key, name), self._secret_states(vendor, name))
        self._show_editor(editor)

    def add_profile(self, vendor_key: str) -> ProfileEditor:
        """A blank form for a new profile of this vendor (saved only with Save)."""
        vendor = get_vendor(vendor_key)
        editor = ProfileEditor(vendor)
        editor.load(None, {})
        editor.name_edit.setText(self.service.unused_name(vendor_key, "default"))
        self.tree.blockSignals(True)
        self.tree.setCurrentIndex(QModelIndex())
        self.tree.blockSignals(False)
        self._show_editor(editor)
        editor.name_edit.setFocus()
        editor.name_edit.selectAll()
        return editor

    def save_current(self) -> Profile | None:
        editor = self.editor
        if editor is None:
            return None
        original = editor.original_name
        try:
            profile = self.service.save(editor.draft(), original_name=original)
        except InvalidInputsError as error:
            editor.show_errors(error.problems)
            self._report("Not saved: correct the marked fields.", "error")
            return None
        except (CredentialStoreError, ConfigurationError) as error:
            self._report(f"Not saved: {error.message}", "error")
            self._show_keyring_state()
            return None
        self._report(f"Saved {editor.vendor.title} profile '{profile.name}'.", "success")
        self.refresh(select=(profile.vendor, profile.name))
        self.profiles_changed.emit(profile.vendor)
        return profile

    def revert_current(self) -> None:
        if self.editor is None:
            return
        if self.editor.original_name is None:
            self._show_editor(None)
        else:
            self._load(self.editor.vendor.key, self.editor.original_name)

    # -- rename, duplicate, delete ---------------------------------------------------------
    def _ask_name(self, title: str, prompt: str, suggestion: str) -> str | None:
        text, accepted = QInputDialog.getText(
            self, title, prompt, QLineEdit.EchoMode.Normal, suggestion
        )
        return text if accepted and text.strip() else None

    def _run_edit(self, done: str, action: Callable[[], object]) -> bool:
        try:
            action()
        except InvalidInputsError as error:
            self._report(error.first_message, "error")
            return False
        except (CredentialStoreError, ConfigurationError) as error:
            self._report(error.message, "error")
            self._show_keyring_state()
            return False
        self._report(done, "success")
        return True

    def rename_selected(self, new_name: str | None = None) -> bool:
        selected = self.selected()
        if selected is None:
            return False
        vendor_key, name = selected
        new_name = new_name or self._ask_name("Rename profile", f"New name for '{name}':", name)
        if new_name is None or new_name.strip() == name:
            return False
        target = new_name.strip()
        if not self._run_edit(
            f"Renamed '{name}' to '{target}'; its secrets moved with it.",
            lambda: self.service.rename(vendor_key, name, target),
        ):
            return False
        self.refresh(select=(vendor_key, target))
        self.profile_renamed.emit(vendor_key, name, target)
        self.profiles_changed.emit(vendor_key)
        return True

    def duplicate_selected(self, new_name: str | None = None) -> bool:
        selected = self.selected()
        if selected is None:
            return False
        vendor_key, name = selected
        suggestion = self.service.unused_name(vendor_key, f"{name} copy")
        new_name = new_name or self._ask_name(
            "Duplicate profile",
            f"Name for the copy of '{name}' (secrets are copied too):",
            suggestion,
        )
        if new_name is None:
            return False
        target = new_name.strip()
        if not self._run_edit(
            f"Copied '{name}' to '{target}', secrets included.",
            lambda: self.service.duplicate(vendor_key, name, target),
        ):
            return False
        self.refresh(select=(vendor_key, target))
        self.profiles_changed.emit(vendor_key)
        return True

    def delete_selected(self, confirm: bool = True) -> bool:
        selected = self.selected()
        if selected is None:
            return False
        vendor_key, name = selected
        if confirm:
            answer = QMessageBox.question(
                self,
                "Delete profile",
                f"Delete the {get_vendor(vendor_key).title} profile '{name}' and its secrets "
                "in the OS keyring?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        if not self._run_edit(
            f"Deleted '{name}' and its keyring entries.",
            lambda: self.service.delete(vendor_key, name),
        ):
            return False
        self.refresh(select=None)
        self._show_editor(None)
        self.profiles_changed.emit(vendor_key)
        return True

    # -- sharing ---------------------------------------------------------------------------
    def export_file(self, path: Path | None = None) -> int:
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(
                self, "Export profiles (no secrets)", "calllookup-profiles.json", "JSON (*.json)"
            )
            if not chosen:
                return 0
            path = Path(chosen)
        try:
            count = self.service.export_profiles(path)
        except OSError as error:
            self._report(f"Cannot write {path}: {error.strerror or error}", "error")
            return 0
        self._report(f"Exported {count} profiles to {path} (secrets are not included).", "success")
        return count

    def import_file(self, path: Path | None = None, overwrite: bool | None = None) -> bool:
        """Import a shared file; asks before overwriting unless ``overwrite`` says."""
        if path is None:
            chosen, _ = QFileDialog.getOpenFileName(
                self, "Import profiles", "", "JSON (*.json);;All files (*)"
            )
            if not chosen:
                return False
            path = Path(chosen)
        try:
            plan = self.service.read_import(path)
        except ConfigurationError as error:
            self._report(error.message, "error")
            return False
        if plan.conflicts and overwrite is None:
            names = "\n".join(f"  {p.vendor}: {p.name}" for p in plan.conflicts)
            answer = QMessageBox.question(
                self,
                "Overwrite profiles?",
                f"These profiles exist here with different settings:\n{names}\n\n"
                "Overwrite them with the imported ones? (Their secrets are kept.)",
                QMessageBox.StandardButton.Yes
                | QMessageBox.StandardButton.No
                | QMessageBox.StandardButton.Cancel,
            )
            if answer == QMessageBox.StandardButton.Cancel:
                return False
            overwrite = answer == QMessageBox.StandardButton.Yes
        outcome = self.service.apply_import(plan, overwrite=bool(overwrite))
        parts = [f"Imported {len(outcome.added)} new"]
        if outcome.replaced:
            parts.append(f"overwrote {len(outcome.replaced)}")
        if outcome.skipped:
            parts.append(f"kept {len(outcome.skipped)} existing unchanged")
        if plan.unchanged:
            parts.append(f"{len(plan.unchanged)} already identical")
        lines = [", ".join(parts) + ". Add their secrets here: files never carry secrets."]
        lines.extend(f"Skipped {reason}" for reason in plan.rejected)
        self._report("\n".join(lines), "pending" if plan.rejected else "success")
        self.refresh()
        for vendor_key in {p.vendor for p in (*outcome.added, *outcome.replaced)}:
            self.profiles_changed.emit(vendor_key)
        return True

    # -- connection test -------------------------------------------------------------------
    def test_connection(self) -> asyncio.Task[None] | None:
        editor = self.editor
        if editor is None or editor.original_name is None:
            return None
        if self.test_task is not None and not self.test_task.done():
            return self.test_task
        if editor.dirty:
            show_banner(
                self.connection_result,
                "Save the changes first: the test uses the saved profile.",
                "error",
            )
            return None
        self.test_button.setEnabled(False)
        show_banner(self.connection_result, f"Testing '{editor.original_name}'…", "pending")
        self.test_task = self._tasks.start(
            self._test(editor.vendor, editor.original_name), name="test-connection"
        )
        return self.test_task

    async def _test(self, vendor: Vendor, name: str) -> None:
        try:
            outcome = await self._engine.check_connection(vendor.key, name)
        except VendorError as error:
            show_banner(
                self.connection_result,
                f"{vendor.title} · {name}: {error.kind}: {error.describe()}",
                "error",
            )
        except CallLookupError as error:
            show_banner(
                self.connection_result, f"{vendor.title} · {name}: {error.message}", "error"
            )
            self._show_keyring_state()
        else:
            show_banner(
                self.connection_result, f"{vendor.title} · {name}: {outcome.message}", "success"
            )
            if outcome.settings:
                self._offer_accepted_settings(vendor, name, outcome)
        finally:
            self.test_button.setEnabled(self.editor is not None)

    def _offer_accepted_settings(self, vendor: Vendor, name: str, outcome: ProbeOutcome) -> None:
        """Asks (without blocking the window) whether to save what the server accepted."""
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Save the accepted settings?",
            f"{outcome.message}\n\nSave {outcome.changes_text()} in the profile '{name}'?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("saveAcceptedSettingsBox")
        box.setDefaultButton(QMessageBox.StandardButton.Yes)

        def answered(button: int) -> None:
            if button == QMessageBox.StandardButton.Yes:
                self._save_accepted_settings(vendor, name, outcome)

        box.finished.connect(answered)
        self.settings_offer = box
        box.open()

    def _save_accepted_settings(self, vendor: Vendor, name: str, outcome: ProbeOutcome) -> None:
        profile = self.service.profiles.get(vendor.key, name)
        if profile is None:  # deleted while the question was open
            return
        if not self._run_edit(
            f"Saved {outcome.changes_text()} in {vendor.title} profile '{name}'.",
            lambda: self.service.profiles.save(outcome.applied_to(profile)),
        ):
            return
        self.refresh(select=(vendor.key, name))
        self.profiles_changed.emit(vendor.key)

    # -- keyring ---------------------------------------------------------------------------
    def _show_keyring_state(self) -> None:
        store = self.service.secrets
        problem = store.problem
        if problem and not store.session_only:
            self.store_note.setText("Secrets are kept in: nowhere yet (see above)")
        else:
            self.store_note.setText(f"Secrets are kept in: {store.description}")
        if store.session_only:
            show_banner(
                self.keyring_banner,
                "Secrets are kept for this session only, in memory: they are forgotten when "
                "CallLookup exits, and never written to disk.",
                "pending",
            )
            self.session_button.hide()
        elif problem:
            show_banner(
                self.keyring_banner,
                f"{problem} Secrets cannot be saved; "
                "CallLookup never writes them to a file. You may keep them for this session "
                "only.",
                "error",
            )
            self.session_button.show()
        else:
            show_banner(self.keyring_banner, "", "muted")
            self.session_button.hide()

    def keep_secrets_for_session(self) -> None:
        self.service.secrets.keep_for_session()
        self._show_keyring_state()
        self._report("Secrets entered now are kept in memory until CallLookup exits.", "pending")

    def _report(self, text: str, state: Tone) -> None:
        show_banner(self.status, text, state)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.test_task is not None:
            self.test_task.cancel()
        super().closeEvent(event)
