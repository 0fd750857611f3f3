"""Window state (geometry, docks, column widths, last tab, last profile per tab) in an INI file
beside the profiles, and the way to the user's settings (``desktop.core.settings``).

Not QSettings' default location: the config dir honours CALLLOOKUP_CONFIG_DIR like every other
file of the app, so tests and portable installs stay self-contained.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QSettings

from desktop.core.errors import ConfigurationError
from desktop.core.paths import config_dir
from desktop.core.settings import (
    EXPORT_FOLDER,
    FONT_SCALE,
    MANUAL_PROXY,
    PROXY_URL,
    PROXY_USER,
    THEME,
    Setting,
    Settings,
)

log = logging.getLogger(__name__)

UI_SETTINGS_FILE = "ui.ini"

#: Preferences earlier versions kept in ui.ini, by their key there. They live in the settings
#: file now (the CLI reads the proxy from it) and move there the first time it is opened.
_MOVED_TO_SETTINGS_FILE: dict[str, Setting[Any]] = {
    "proxy/manual": MANUAL_PROXY,
    "proxy/url": PROXY_URL,
    "proxy/user": PROXY_USER,
    "theme": THEME,
    "font_scale": FONT_SCALE,
    "export_folder": EXPORT_FOLDER,
}


def ui_settings() -> QSettings:
    """The window's state (never a preference: those are ``preferences()``)."""
    return QSettings(str(config_dir() / UI_SETTINGS_FILE), QSettings.Format.IniFormat)


def _from_ini(setting: Setting[Any], stored: object) -> object:
    """A value as QSettings' INI format gives it back (text) in its setting's type."""
    if isinstance(setting.default, bool):
        return str(stored).lower() == "true"
    if isinstance(setting.default, float):
        return float(str(stored))
    return str(stored)


def preferences() -> Settings:
    """The user's settings, shared with the CLI; what an earlier version kept in ui.ini moves
    into them once (a value already in the settings file wins)."""
    settings = Settings()
    legacy = ui_settings()
    found = [key for key in _MOVED_TO_SETTINGS_FILE if legacy.contains(key)]
    if not found:
        return settings
    moved: dict[Setting[Any], object] = {}
    for key in found:
        setting = _MOVED_TO_SETTINGS_FILE[key]
        if settings.contains(setting):
            continue
        try:
            moved[setting] = setting.check(_from_ini(setting, legacy.value(key)))
        except ValueError:  # edited by hand into something unusable: the default applies
            continue
    try:
        settings.update(moved)
    except ConfigurationError as error:  # kept in ui.ini until the settings file can be written
        log.warning("Preferences were not moved to the settings file: %s", error.message)
        return settings
    for key in found:
        legacy.remove(key)
    legacy.sync()
    return settings


def remember(setting: Setting[Any], value: object) -> None:
    """Store one preference as the user changes it (theme, text size, export folder). One that
    cannot be written is logged: it applies for this session all the same."""
    try:
        preferences().update({setting: value})
    except (ConfigurationError, ValueError) as error:
        log.warning("The preference %s was not saved: %s", setting.key, error)
