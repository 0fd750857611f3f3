"""Where the application keeps its files. Environment variables win, for tests and portable use."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

CONFIG_DIR_ENV = "CALLLOOKUP_CONFIG_DIR"
DATA_DIR_ENV = "CALLLOOKUP_DATA_DIR"
_APP_DIR_NAME = "calllookup"


def config_dir() -> Path:
    """Profiles and settings (never secrets). ``CALLLOOKUP_CONFIG_DIR`` overrides."""
    override = os.environ.get(CONFIG_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_config_dir(_APP_DIR_NAME))


def data_dir() -> Path:
    """History, logs and other data. ``CALLLOOKUP_DATA_DIR`` overrides."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else Path(platformdirs.user_data_dir(_APP_DIR_NAME))


def write_text_atomically(path: Path, text: str) -> None:
    """Write a whole file or nothing: a crash mid-write never leaves half a file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
