"""The freedesktop files: the .desktop entry and the AppStream metainfo validate and agree with
the app, and the icons come out of the SVG at the usual sizes."""

from __future__ import annotations

import sys
from pathlib import Path

import defusedxml.ElementTree as SafeElementTree
import pytest
from PySide6.QtGui import QImage

from desktop import APP_ID
from tests.packaging.conftest import PACKAGING, pyproject_version, require_commands, run

pytestmark = pytest.mark.packaging

LINUX = PACKAGING / "linux"
DESKTOP_ENTRY = LINUX / f"{APP_ID}.desktop"
METAINFO = LINUX / f"{APP_ID}.metainfo.xml"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256)


def desktop_entry() -> dict[str, str]:
    lines = DESKTOP_ENTRY.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


def test_desktop_entry_validates_and_starts_the_app_with_its_icon() -> None:
    require_commands("desktop-file-validate")
    validated = run(["desktop-file-validate", DESKTOP_ENTRY], cwd=LINUX)
    assert not validated.stdout.strip(), validated.stdout  # not even a hint
    entry = desktop_entry()
    assert entry["Exec"] == "calllookup"  # install.sh makes it an absolute path
    assert entry["Icon"] == APP_ID
    assert entry["StartupWMClass"] == "calllookup"  # Qt's WM_CLASS: the executable's name


def test_metainfo_validates_and_its_newest_release_is_pyprojects_version() -> None:
    require_commands("appstreamcli")
    run(["appstreamcli", "validate", "--no-net", METAINFO], cwd=LINUX)
    component = SafeElementTree.parse(METAINFO).getroot()
    assert component.findtext("id") == APP_ID
    assert component.findtext("launchable") == DESKTOP_ENTRY.name
    newest = component.find("releases/release")
    assert newest is not None
    assert newest.get("version") == pyproject_version(), (
        "add a <release> for the new version to the metainfo file"
    )


def test_icons_are_rendered_from_the_svg_at_every_usual_size(tmp_path: Path) -> None:
    out = tmp_path / "icons"
    run([sys.executable, PACKAGING / "make_icons.py", out], cwd=tmp_path)
    for size in ICON_SIZES:
        image = QImage(str(out / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"))
        assert (image.width(), image.height()) == (size, size)
        # Drawn, not blank: the middle pixel is the icon's opaque background.
        assert image.pixelColor(size // 2, size // 2).alpha() == 255
    assert (out / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    assert QImage(str(out / "calllookup.ico")).width() == 256
    assert QImage(str(out / "calllookup.icns")).width() == 256
