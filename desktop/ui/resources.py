"""Icons and the stylesheet, found the same way in a source tree, a wheel and a frozen bundle."""

from __future__ import annotations

from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from PySide6.QtGui import QIcon


@cache
def resource_root() -> Traversable:
    """``desktop/resources`` inside an installed wheel; the top-level ``resources/`` in a
    checkout (the wheel build maps one onto the other)."""
    packaged = resources.files("desktop") / "resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "resources"


def read_text(name: str) -> str:
    return (resource_root() / name).read_text(encoding="utf-8")


def app_icon() -> QIcon:
    icon_file = resource_root() / "icons" / "calllookup.svg"
    return QIcon(str(icon_file)) if icon_file.is_file() else QIcon()
