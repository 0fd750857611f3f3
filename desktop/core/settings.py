"""The user's settings, shared by the app and the CLI: each declared once with its type and default
(like electrum's ``ConfigVar``), kept in ``settings.json`` in the config dir.

Window state (geometry, docks, column widths, last tab) is not here: it belongs to the window and
stays in Qt's own file (``desktop.ui.settings``). Secrets are not here either: the proxy password
lives in the keyring (``desktop.core.proxy.PROXY_SECRET``).

Writers take the same file lock as the profiles and write atomically, so two windows and a CLI
run never lose each other's changes. A file that cannot be read gives the defaults (and says so
in ``problem``); a value that does not fit its declaration is its setting's default.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from desktop.core.credentials import SecretStore
from desktop.core.errors import ConfigurationError, CredentialStoreError
from desktop.core.paths import config_dir, file_error_reason, locked, write_text_atomically
from desktop.core.proxy import PROXY_SECRET, check_proxy_url, proxy_with_credentials

SETTINGS_FILE_NAME = "settings.json"

_T = TypeVar("_T")


@dataclass(frozen=True)
class Setting(Generic[_T]):
    """One user setting: its key in the file, its default, and how a stored value is checked
    (``check`` returns the value as typed, or raises ValueError saying what is wrong)."""

    key: str
    default: _T
    check: Callable[[object], _T]


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("must be text")
    return value.strip()


def _proxy_url(value: object) -> str:
    text = _text(value)
    return check_proxy_url(text) if text else ""


def _choice(*choices: str) -> Callable[[object], str]:
    def check(value: object) -> str:
        if value not in choices:
            raise ValueError("must be one of: " + ", ".join(choices))
        return str(value)

    return check


def _number_between(low: float, high: float) -> Callable[[object], float]:
    def check(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            raise ValueError("must be a number")
        if not low <= value <= high:
            raise ValueError(f"must be from {low:g} to {high:g}")
        return float(value)

    return check


#: Use the proxy below for every vendor, not the system's (HTTP(S)_PROXY, NO_PROXY).
MANUAL_PROXY = Setting("proxy.manual", False, _boolean)
#: http(s)://host:port of the manual proxy; its user beside it, its password in the keyring.
PROXY_URL = Setting("proxy.url", "", _proxy_url)
PROXY_USER = Setting("proxy.user", "", _text)
#: The window's colours: the system's, or always light or dark.
THEME = Setting("theme", "system", _choice("system", "light", "dark"))
#: Text size as a share of the system's.
FONT_SCALE = Setting("font_scale", 1.0, _number_between(0.7, 2.0))
#: The folder an export is offered in first (the last one used); empty: the home folder.
EXPORT_FOLDER = Setting("export_folder", "", _text)
#: How times are shown on screen and in text output: the machine's local time, UTC, or the
#: vendor's own text (where one is kept). Machine formats always carry the vendor's value.
TIME_DISPLAY = Setting("time_display", "local", _choice("local", "utc", "vendor"))

#: Every setting, by key (a key in the file that is not here is kept as it is, never used).
SETTINGS: Mapping[str, Setting[Any]] = {
    setting.key: setting
    for setting in (
        MANUAL_PROXY,
        PROXY_URL,
        PROXY_USER,
        THEME,
        FONT_SCALE,
        EXPORT_FOLDER,
        TIME_DISPLAY,
    )
}


class Settings:
    """The settings file: read when made, changed under the file lock."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / SETTINGS_FILE_NAME
        #: Why the file could not be read (its settings are the defaults meanwhile), or None.
        self.problem: str | None = None
        self._stored = self._read()

    def _read(self) -> dict[str, object]:
        try:
            document = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            reason = file_error_reason(error) if isinstance(error, OSError) else error
            self.problem = (
                f"The settings file {self.path} cannot be read ({reason}): defaults apply."
            )
            return {}
        if not isinstance(document, dict):
            self.problem = f"The settings file {self.path} holds no settings: defaults apply."
            return {}
        return document

    def get(self, setting: Setting[_T]) -> _T:
        """The stored value, or the default when there is none or it does not fit."""
        if setting.key not in self._stored:
            return setting.default
        try:
            return setting.check(self._stored[setting.key])
        except ValueError:
            return setting.default

    def contains(self, setting: Setting[Any]) -> bool:
        return setting.key in self._stored

    def update(self, changes: Mapping[Setting[Any], object]) -> None:
        """Check every value, then store them in one write: all or none. Raises ValueError
        naming the setting that does not fit, ConfigurationError when the file cannot be
        written (one sentence)."""
        checked: dict[str, object] = {}
        for setting, value in changes.items():
            try:
                checked[setting.key] = setting.check(value)
            except ValueError as error:
                raise ValueError(f"{setting.key}: {error}") from error
        try:
            with locked(self.path):
                self.problem = None
                # What another process saved meanwhile stays; a damaged file is replaced.
                stored = self._read()
                stored.update(checked)
                write_text_atomically(self.path, json.dumps(stored, indent=2) + "\n")
        except OSError as error:
            reason = file_error_reason(error)
            raise ConfigurationError(f"cannot write {self.path}: {reason}") from error
        self._stored = stored


def manual_proxy(settings: Settings, secrets: SecretStore) -> str | None:
    """The proxy URL httpx takes (credentials inside) when a manual proxy is on, else None (the
    system's proxy applies). The app and the CLI both take it from here."""
    url = settings.get(PROXY_URL)
    if not settings.get(MANUAL_PROXY) or not url:
        return None
    try:
        password = secrets.get(*PROXY_SECRET)
    except CredentialStoreError:  # the proxy then asks for credentials (407): said clearly
        password = None
    return proxy_with_credentials(url, settings.get(PROXY_USER) or None, password)
