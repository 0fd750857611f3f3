"""A keyring backend for CLI subprocess tests only: a JSON file named by an environment variable.

Subprocesses cannot share an in-memory keyring, and the real Secret Service is exercised by the
credential tests. Selected with PYTHON_KEYRING_BACKEND; never used by the application itself.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from desktop.core.paths import locked, write_text_atomically

FILE_ENV = "CALLLOOKUP_TEST_KEYRING_FILE"


class FileKeyring(KeyringBackend):
    priority = 1

    def _path(self) -> Path:
        return Path(os.environ[FILE_ENV])

    def _load(self) -> dict[str, str]:
        path = self._path()
        return json.loads(path.read_text()) if path.exists() else {}

    def _store(self, items: dict[str, str]) -> None:
        write_text_atomically(self._path(), json.dumps(items))

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        # Locked like the app's own files: concurrent CLI runs each keep their secret.
        with locked(self._path()):
            items = self._load()
            items[f"{service}\0{username}"] = password
            self._store(items)

    def delete_password(self, service: str, username: str) -> None:
        with locked(self._path()):
            items = self._load()
            if items.pop(f"{service}\0{username}", None) is None:
                raise PasswordDeleteError(username)
            self._store(items)
