"""Every "Menu → Item" the README mentions exists in a real window's menus, spelled the same."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QMenu

README = Path(__file__).resolve().parents[2] / "README.md"
#: "File → Preferences…", bold or not; the item runs to the closing ** or the end of the words.
MENTION = re.compile(r"\*\*([A-Z][a-z]+) → ([^*]+?)\*\*|(?<!\*)\b([A-Z][a-z]+) → ([A-Z][\w …]+)")


def _plain(text: str) -> str:
    return text.replace("&", "").split("\t")[0].strip()


def _menus(window) -> dict[str, set[str]]:
    menus: dict[str, set[str]] = {}
    for action in window.menuBar().actions():
        menu = action.menu()
        assert isinstance(menu, QMenu)
        menus[_plain(action.text())] = {_plain(item.text()) for item in menu.actions()}
    return menus


def test_readme_names_the_menus_as_they_are(window) -> None:
    menus = _menus(window)
    assert {"File", "Lookup", "View", "Help"} <= set(menus)
    text = " ".join(README.read_text(encoding="utf-8").split())
    mentions = [
        (match[0] or match[2], (match[1] or match[3]).strip()) for match in MENTION.findall(text)
    ]
    checked = [(menu, item) for menu, item in mentions if menu in menus]
    assert ("File", "Profiles and credentials…") in checked  # the one that was wrong
    for menu, item in checked:
        assert item in menus[menu], f"README says '{menu} → {item}'; {menu} has {menus[menu]}"
