"""UI preferences (window state, theme, font scale) in an INI file beside the profiles.

Not QSettings' default location: the config dir honours CALLLOOKUP_CONFIG_DIR like every other
file of the app, so tests and portable installs stay self-contained.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from desktop.core.paths import config_dir

UI_SETTINGS_FILE = "ui.ini"


def ui_settings() -> QSettings:
    return QSettings(str(config_dir() / UI_SETTINGS_FILE), QSettings.Format.IniFormat)
