"""The credential manager driven like a user, for every registered vendor."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QTreeWidgetItem, QWidget

from desktop.app import build_services
from desktop.core.credentials import KeyringOrSessionStore
from desktop.core.paths import config_dir
from desktop.core.profiles import PROFILE_FILE_NAME, ProfileStore
from desktop.engine import LookupEngine
from desktop.simulator.registry import DEMO_PROFILE_NAME
from desktop.simulator.server import Simulator
from desktop.ui.credentials import CredentialsWindow, ProfileEditor
from desktop.ui.main_window import MainWindow
from desktop.ui.tasks import TaskRunner
from desktop.vendors import VENDORS
from tests.support.secret_service import SecretServiceSession, app_keyring_usernames

#: Where screenshots go when asked (CALLLOOKUP_SCREENSHOT_DIR); otherwise the test's tmp dir.
SCREENSHOT_ENV = "CALLLOOKUP_SCREENSHOT_DIR"


def screenshot(widget, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path)
    path = folder / f"cred-{name}.png"
    assert widget.grab().save(str(path))
    return path


def label(parent: QWidget, name: str) -> QLabel:
    found = parent.findChild(QLabel, name)
    assert found is not None, name
    return found


def profile_item(
    credentials: CredentialsWindow, vendor_index: int, row: int = 0
) -> QTreeWidgetItem:
    group = credentials.tree.topLevelItem(vendor_index)
    assert group is not None
    item = group.child(row)
    assert item is not None
    return item


def select_profile(credentials: CredentialsWindow, vendor_index: int, row: int = 0) -> None:
    credentials.tree.setCurrentItem(profile_item(credentials, vendor_index, row))


def fill_editor(
    editor: ProfileEditor, simulator: Simulator, name: str, secret_suffix: str = ""
) -> None:
    """Type a complete profile pointing at the simulator, the way a user would."""
    demo = simulator.vendors[editor.vendor.key].demo
    editor.name_edit.setText(name)
    editor.base_url_edit.setText(simulator.base_url(editor.vendor.key))
    for field_name, widget in editor.settings.items():
        value = demo.settings.get(field_name, "")
        if isinstance(widget, QComboBox):
            widget.setCurrentText(value)
        elif isinstance(widget, QCheckBox):
            widget.setChecked(value == "true")
        else:
            widget.setText(value)
    for field_name, secret in editor.secrets.items():
        if field_name in demo.secrets:
            secret.start_replacing()
            secret.input.setText(demo.secrets[field_name] + secret_suffix)


def manager(window: MainWindow) -> CredentialsWindow:
    credentials = window.open_credentials()
    credentials.resize(1000, 640)
    return credentials


def test_shortcut_opens_one_manager_listing_profiles_by_vendor(
    window: MainWindow, qtbot, tmp_path
) -> None:
    assert window.credentials_action.shortcut() == QKeySequence("Ctrl+,")
    window.credentials_action.trigger()
    credentials = window.credentials_window
    assert credentials is not None and credentials.isVisible()
    assert window.open_credentials() is credentials
    tree = credentials.tree
    assert tree.topLevelItemCount() == len(VENDORS)
    for index, vendor in enumerate(VENDORS):
        item = profile_item(credentials, index)
        assert item.data(0, Qt.ItemDataRole.UserRole) == (vendor.key, "demo")
        group = tree.topLevelItem(index)
        assert group is not None and group.childCount() == 1
    select_profile(credentials, 0)
    screenshot(credentials, "profile-list", tmp_path)


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.key)
def test_add_a_profile_and_its_secret_is_never_shown_again(
    window: MainWindow, simulator: Simulator, vendor, qtbot, tmp_path
) -> None:
    credentials = manager(window)
    editor = credentials.add_profile(vendor.key)
    fill_editor(editor, simulator, "prod")
    qtbot.mouseClick(credentials.save_button, Qt.MouseButton.LeftButton)

    assert window.engine.profiles.get(vendor.key, "prod") is not None
    assert credentials.selected() == (vendor.key, "prod")
    shown = credentials.editor
    assert shown is not None and shown.original_name == "prod"
    for spec in vendor.secret_fields:
        secret = shown.secrets[spec.name]
        assert label(shown, f"{spec.name}State").text() == "set"
        assert not secret.input.isVisible() and secret.input.text() == ""
        assert secret.replace_button.text() == "Replace" and secret.clear_button.isEnabled()
    # The open tab offers the new profile at once.
    combo = window.vendor_tabs[vendor.key].profile_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["demo", "prod"]
    if vendor is VENDORS[0]:
        screenshot(credentials, "secret-set", tmp_path)


def test_validation_messages_appear_beside_the_fields(window: MainWindow, simulator) -> None:
    credentials = manager(window)
    vendor = VENDORS[0]
    editor = credentials.add_profile(vendor.key)
    fill_editor(editor, simulator, "bad")
    editor.base_url_edit.setText("ftp://example.com")
    editor.timeout_edit.setText("0")
    secret = editor.secrets[vendor.secret_fields[0].name]
    secret.input.setText("")
    assert credentials.save_current() is None
    assert "https" in label(editor, "base_urlError").text()
    assert label(editor, "timeoutError").isVisible()
    assert "required" in label(editor, f"{secret.spec.name}Error").text()
    assert editor.base_url_edit.property("invalid") is True
    assert window.engine.profiles.get(vendor.key, "bad") is None
    assert "Not saved" in credentials.status.text()


def test_rename_updates_the_open_tab_and_delete_removes_the_profile(window: MainWindow) -> None:
    vendor = VENDORS[0]
    tab = window.vendor_tabs[vendor.key]
    assert tab.profile_combo.currentText() == "demo"
    credentials = manager(window)
    select_profile(credentials, 0)
    assert credentials.rename_selected("renamed")
    assert tab.profile_combo.currentText() == "renamed"
    assert window.engine.secrets.get(vendor.key, "renamed", vendor.secret_fields[0].name)
    assert window.engine.secrets.get(vendor.key, "demo", vendor.secret_fields[0].name) is None

    assert credentials.duplicate_selected("copy")
    assert credentials.selected() == (vendor.key, "copy")
    assert credentials.delete_selected(confirm=False)
    assert credentials.selected() is None
    assert [tab.profile_combo.itemText(i) for i in range(tab.profile_combo.count())] == ["renamed"]
    assert window.engine.secrets.get(vendor.key, "copy", vendor.secret_fields[0].name) is None


def test_replace_and_clear_change_the_secret_only_on_save(window: MainWindow) -> None:
    vendor = VENDORS[0]
    spec = vendor.secret_fields[0]
    credentials = manager(window)
    select_profile(credentials, 0)
    editor = credentials.editor
    assert editor is not None
    secret = editor.secrets[spec.name]
    old = window.engine.secrets.get(vendor.key, "demo", spec.name)
    secret.replace_button.click()
    assert secret.input.isVisible() and secret.input.text() == ""
    secret.input.setText("new-value-123")
    assert window.engine.secrets.get(vendor.key, "demo", spec.name) == old
    assert credentials.save_current() is not None
    assert window.engine.secrets.get(vendor.key, "demo", spec.name) == "new-value-123"
    if not spec.required:
        return
    editor = credentials.editor
    assert editor is not None
    editor.secrets[spec.name].clear_button.click()
    assert label(editor, f"{spec.name}State").text() == "will be cleared"
    assert credentials.save_current() is None  # a required secret cannot be cleared
    assert window.engine.secrets.get(vendor.key, "demo", spec.name) == "new-value-123"


@pytest.mark.parametrize("vendor", VENDORS, ids=lambda v: v.key)
def test_connection_test_reports_success_and_the_vendors_refusal(
    window: MainWindow, simulator: Simulator, vendor, run_async
) -> None:
    credentials = manager(window)
    select_profile(credentials, VENDORS.index(vendor))
    task = credentials.test_connection()
    assert task is not None
    # Not blocking: the call is under way while the window stays responsive.
    assert not task.done() and not credentials.test_button.isEnabled()
    assert "Testing" in credentials.connection_result.text()
    run_async(task)
    assert credentials.connection_result.property("state") == "success", (
        credentials.connection_result.text()
    )

    editor = credentials.add_profile(vendor.key)
    fill_editor(editor, simulator, "wrong-key", secret_suffix="-wrong")
    assert credentials.save_current() is not None
    run_async(credentials.test_connection())
    result = credentials.connection_result
    assert result.property("state") == "error"
    assert "bad credentials" in result.text() or "forbidden" in result.text(), result.text()


def test_connection_test_asks_to_save_edits_first(window: MainWindow) -> None:
    credentials = manager(window)
    select_profile(credentials, 0)
    assert credentials.editor is not None
    credentials.editor.timeout_edit.textEdited.emit("31")
    assert credentials.test_connection() is None
    assert "Save the changes first" in credentials.connection_result.text()


def test_import_and_export_through_the_window(window: MainWindow, tmp_path: Path) -> None:
    credentials = manager(window)
    shared = tmp_path / "shared.json"
    assert credentials.export_file(shared) == len(VENDORS)
    select_profile(credentials, 0)
    assert credentials.editor is not None
    credentials.editor.timeout_edit.setText("44")
    credentials.save_current()
    assert credentials.import_file(shared, overwrite=False)
    assert "kept 1 existing" in credentials.status.text()
    assert window.engine.profiles.resolve(VENDORS[0].key, "demo").timeout == 44
    assert credentials.import_file(shared, overwrite=True)
    assert "overwrote 1" in credentials.status.text()
    assert window.engine.profiles.resolve(VENDORS[0].key, "demo").timeout != 44


def save_choosing_session_only(
    qtbot, main: MainWindow, simulator: Simulator, vendor_key: str, screenshot_to: Path
) -> CredentialsWindow:
    """Without a keyring the manager says so and offers the session: a new 'prod' profile is
    refused until the user chooses it (nothing saved), then saved."""
    credentials = manager(main)
    credentials.show()
    banner = label(credentials, "keyringBanner")
    button = credentials.session_button
    assert banner.isVisible() and "No OS keyring is available" in banner.text()
    assert "never writes them to a file" in banner.text()
    assert button.isVisible()
    assert "nowhere yet" in label(credentials, "secretStoreNote").text()
    editor = credentials.add_profile(vendor_key)
    fill_editor(editor, simulator, "prod")
    screenshot(credentials, f"keyring-unavailable-{screenshot_to.name}", screenshot_to)

    assert credentials.save_current() is None  # refused until the user chooses
    assert "session only" in credentials.status.text()
    assert main.engine.profiles.get(vendor_key, "prod") is None

    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not button.isVisible() and "this session only" in banner.text()
    assert "session memory" in label(credentials, "secretStoreNote").text()
    assert credentials.save_current() is not None, credentials.status.text()
    return credentials


def test_unavailable_keyring_banner_and_session_only_choice(
    no_keyring: None,
    qtbot,
    simulator: Simulator,
    qt_loop,
    failures,
    tmp_path: Path,
) -> None:
    profiles = ProfileStore.default()
    store = KeyringOrSessionStore()
    engine = LookupEngine(profiles, store)
    main = MainWindow(engine, TaskRunner(failures.append))
    qtbot.addWidget(main)
    vendor = VENDORS[0]
    save_choosing_session_only(qtbot, main, simulator, vendor.key, tmp_path)
    assert store.get(vendor.key, "prod", vendor.secret_fields[0].name)
    qt_loop.run_until_complete(engine.aclose())


@pytest.mark.keyring
def test_every_vendor_through_the_real_keyring_across_a_restart(
    real_keyring: SecretServiceSession,
    qtbot,
    simulator: Simulator,
    qt_loop,
    run_async,
    failures,
) -> None:
    """The issue's 'must show': profiles with secrets for every vendor, a restart, a lookup
    through each, then deleting them all leaves no item of the app in the keyring."""

    def start_app() -> MainWindow:
        engine = LookupEngine(ProfileStore.default(), KeyringOrSessionStore())
        main = MainWindow(engine, TaskRunner(failures.append))
        qtbot.addWidget(main)
        return main

    first = start_app()
    credentials = manager(first)
    assert not label(credentials, "keyringBanner").isVisible()
    for vendor in VENDORS:
        fill_editor(credentials.add_profile(vendor.key), simulator, "prod")
        assert credentials.save_current() is not None, credentials.status.text()
    expected = {f"{v.key}/prod/{s.name}" for v in VENDORS for s in v.secret_fields}
    assert app_keyring_usernames() >= {
        f"{v.key}/prod/{name}" for v in VENDORS for name in simulator.vendors[v.key].demo.secrets
    }
    assert app_keyring_usernames() <= expected
    first.close()
    qt_loop.run_until_complete(first.engine.aclose())

    second = start_app()
    for vendor in VENDORS:
        tab = second.vendor_tabs[vendor.key]
        assert tab.profile_combo.currentText() == "prod"
        tab.form.set_values(simulator.vendors[vendor.key].demo.sample_inputs)
        task = tab.start_lookup()
        assert task is not None, tab.outcome.text()
        run_async(task)
        assert tab.last_result is not None and tab.last_error is None, tab.outcome.text()

    credentials = manager(second)
    for index in range(len(VENDORS)):
        select_profile(credentials, index)
        assert credentials.delete_selected(confirm=False)
    assert second.engine.profiles.list() == []
    assert app_keyring_usernames() == set()
    qt_loop.run_until_complete(second.engine.aclose())


def test_first_start_demo_without_a_keyring_offers_session_only_secrets(
    no_keyring: None, qtbot, qt_loop, failures, tmp_path: Path
) -> None:
    """A first start (no profiles) on a machine without a keyring: the demo runs with its
    secrets in memory, and an account the user adds may keep its secrets for the session."""
    services = build_services(demo=False)
    assert services.simulator is not None  # the demo, beside the user's own (empty) file
    try:
        engine = services.engine
        main = MainWindow(engine, TaskRunner(failures.append), banner=services.banner)
        qtbot.addWidget(main)
        vendor = VENDORS[0]
        save_choosing_session_only(qtbot, main, services.simulator, vendor.key, tmp_path)
        secret_name = vendor.secret_fields[0].name
        typed = services.simulator.vendors[vendor.key].demo.secrets[secret_name]
        assert engine.secrets.get(vendor.key, "prod", secret_name) == typed
        # The demo profiles keep their own in-memory secrets.
        assert engine.secrets.get(vendor.key, DEMO_PROFILE_NAME, secret_name)
        saved = (config_dir() / PROFILE_FILE_NAME).read_text()
        assert '"prod"' in saved and typed not in saved  # the account, never its secret
        qt_loop.run_until_complete(engine.aclose())
    finally:
        services.simulator.stop()
