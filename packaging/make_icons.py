"""Render the app icon (resources/icons/calllookup.svg) for desktops, with Qt.

``python packaging/make_icons.py OUT_DIR`` writes

- ``OUT_DIR/hicolor/NxN/apps/APP_ID.png`` for every size in ``SIZES`` and
  ``OUT_DIR/hicolor/scalable/apps/APP_ID.svg`` (the freedesktop icon theme layout),
- ``OUT_DIR/calllookup.ico`` (Windows) and ``OUT_DIR/calllookup.icns`` (macOS), 256 px.

The PyInstaller spec calls ``make_icons`` itself; the command is for looking at the result.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

from desktop import APP_ID

SIZES = (16, 24, 32, 48, 64, 128, 256)
SOURCE_SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "calllookup.svg"


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def save(image: QImage, path: Path, image_format: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = QImageWriter(str(path), image_format.encode("ascii"))
    if not writer.write(image):
        raise RuntimeError(f"cannot write {path}: {writer.errorString()}")


def make_icons(out_dir: Path, source: Path = SOURCE_SVG) -> list[Path]:
    """Write the icons (see the module's doc) and return their paths."""
    if QGuiApplication.instance() is None:
        # Painting on a QImage needs no window system: the offscreen platform is enough.
        _app = QGuiApplication(["make_icons", "-platform", "offscreen"])
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise RuntimeError(f"{source} is not an SVG that Qt can render")
    written: list[Path] = []
    for size in SIZES:
        png = out_dir / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        save(render(renderer, size), png, "png")
        written.append(png)
    scalable = out_dir / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, scalable)
    written.append(scalable)
    largest = render(renderer, max(SIZES))
    for suffix in ("ico", "icns"):
        path = out_dir / f"calllookup.{suffix}"
        save(largest, path, suffix)
        written.append(path)
    return written


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(f"usage: {sys.argv[0]} OUT_DIR")
    for written_path in make_icons(Path(sys.argv[1])):
        print(written_path)
