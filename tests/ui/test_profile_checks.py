"""The credential manager refuses what `profile set` refuses (one set of checks in core), beside
the field, and a config dir that cannot be written is a message, never a crash."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel

from desktop.core.profiles import ProfileStore
from desktop.ui.main_window import MainWindow
from desktop.vendors import get_vendor
from tests.support.filesystems import read_only_dir
from tests.ui.test_credentials_window import fill_editor, manager


def _error(editor: object, name: str) -> str:
    label = editor.findChild(QLabel, f"{name}Error")  # type: ignore[attr-defined]
    assert label is not None, name
    return str(label.text())


def test_port_hidden_characters_and_stray_spaces_are_refused_beside_the_field(
    window: MainWindow, simulator
) -> None:
    credentials = manager(window)
    editor = credentials.add_profile("leadsquared")
    fill_editor(editor, simulator, "checked")
    editor.base_url_edit.setText("https://api.example.com:99999")
    editor.timeout_edit.setText("1e-9")
    secret = editor.secrets["x-api-key"]
    secret.input.setText(" pasted-with-spaces ")
    assert credentials.save_current() is None
    assert "65535" in _error(editor, "base_url")
    assert "1 to 600" in _error(editor, "timeout")
    assert "space" in _error(editor, "x-api-key")
    assert "pasted-with-spaces" not in credentials.status.text()
    editor.base_url_edit.setText("https://api\u202e.example.com")
    secret.input.setText("ключ")
    assert credentials.save_current() is None
    assert "U+202E" in _error(editor, "base_url")
    assert "ASCII" in _error(editor, "x-api-key")
    assert window.engine.profiles.get("leadsquared", "checked") is None


def test_oneuptime_page_size_zero_is_refused(window: MainWindow, simulator) -> None:
    credentials = manager(window)
    editor = credentials.add_profile("oneuptime")
    fill_editor(editor, simulator, "paged")
    editor.settings["limit"].setText("0")  # type: ignore[union-attr]
    assert credentials.save_current() is None
    spec = next(f for f in get_vendor("oneuptime").setting_fields if f.name == "limit")
    assert f"between {spec.minimum} and {spec.maximum}" in _error(editor, "limit")


def test_a_read_only_config_dir_is_a_message_and_no_secret_stays(
    window: MainWindow, simulator, tmp_path: Path
) -> None:
    with read_only_dir(tmp_path / "ro-config") as config:
        window.engine.profiles = ProfileStore(config / "profiles.json")
        credentials = manager(window)
        credentials.service.profiles = window.engine.profiles
        editor = credentials.add_profile("leadsquared")
        fill_editor(editor, simulator, "stuck")
        assert credentials.save_current() is None
    status = credentials.status.text()
    assert status == f"Not saved: cannot write {config / 'profiles.json'}: permission denied"
    assert not credentials.service.secret_is_set("leadsquared", "stuck", "x-api-key")
