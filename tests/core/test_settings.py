"""The settings file: typed values with defaults, all-or-none changes, shared safely by
processes, and never a crash on a damaged or unwritable file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.core.errors import ConfigurationError
from desktop.core.settings import (
    FONT_SCALE,
    MANUAL_PROXY,
    PROXY_URL,
    SETTINGS_FILE_NAME,
    THEME,
    Settings,
)
from tests.support.filesystems import read_only_dir


def test_defaults_then_typed_values_from_the_config_dir(isolated_dirs: Path) -> None:
    settings = Settings()
    assert settings.path == isolated_dirs / "config" / SETTINGS_FILE_NAME
    assert (settings.get(MANUAL_PROXY), settings.get(PROXY_URL)) == (False, "")
    settings.update({MANUAL_PROXY: True, PROXY_URL: "http://proxy.example:3128/"})
    reread = Settings()
    assert reread.get(MANUAL_PROXY) is True
    assert reread.get(PROXY_URL) == "http://proxy.example:3128"  # checked, then stored
    assert json.loads(reread.path.read_text())["proxy.manual"] is True


def test_a_bad_value_changes_nothing() -> None:
    settings = Settings()
    with pytest.raises(ValueError, match=r"proxy\.url"):
        settings.update({THEME: "dark", PROXY_URL: "socks5://x:1"})
    assert not settings.path.exists()
    with pytest.raises(ValueError, match="font_scale"):
        settings.update({FONT_SCALE: 9.0})


def test_values_edited_by_hand_fall_back_to_their_default(isolated_dirs: Path) -> None:
    path = isolated_dirs / "config" / SETTINGS_FILE_NAME
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"theme": "purple", "font_scale": "big", "proxy.manual": 1}))
    settings = Settings()
    assert (settings.get(THEME), settings.get(FONT_SCALE)) == ("system", 1.0)
    assert settings.get(MANUAL_PROXY) is False
    assert settings.problem is None


def test_a_damaged_file_gives_defaults_and_a_sentence_then_is_replaced(
    isolated_dirs: Path,
) -> None:
    path = isolated_dirs / "config" / SETTINGS_FILE_NAME
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    settings = Settings()
    assert settings.get(THEME) == "system"
    assert settings.problem is not None and "cannot be read" in settings.problem
    settings.update({THEME: "light"})
    assert Settings().get(THEME) == "light"


def test_two_writers_keep_each_others_changes() -> None:
    first, second = Settings(), Settings()
    first.update({THEME: "dark"})
    second.update({FONT_SCALE: 1.5})
    both = Settings()
    assert (both.get(THEME), both.get(FONT_SCALE)) == ("dark", 1.5)


def test_an_unwritable_config_dir_is_one_sentence(tmp_path: Path) -> None:
    with read_only_dir(tmp_path / "ro") as config:
        settings = Settings(config / SETTINGS_FILE_NAME)
        with pytest.raises(ConfigurationError) as caught:
            settings.update({THEME: "dark"})
    assert caught.value.message == (
        f"cannot write {config / SETTINGS_FILE_NAME}: permission denied"
    )
