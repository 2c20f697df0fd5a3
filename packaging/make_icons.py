"""Renders the application icon's PNG sizes and the Windows ICO from the one SVG.

Run once after editing secop_desktop/data/icons/secop-desktop.svg, and commit what it writes:

    .venv/bin/python packaging/make_icons.py

Qt's own SVG renderer draws the PNGs (no cairo needed); Pillow, only needed here, packs the ICO.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt  # noqa: E402 - needs the environment above
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

from secop_desktop.resources import ICON_NAME, ICON_SIZES  # noqa: E402

ICONS = ROOT / "secop_desktop" / "data" / "icons"
ICO = ROOT / "packaging" / f"{ICON_NAME}.ico"
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(renderer: QSvgRenderer, size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes, the binding wants str
    return bytes(data.data())


def main() -> int:
    _app = QGuiApplication([])
    renderer = QSvgRenderer(str(ICONS / f"{ICON_NAME}.svg"))
    if not renderer.isValid():
        print("El SVG del ícono no es válido.", file=sys.stderr)
        return 1
    for size in ICON_SIZES:
        path = ICONS / f"{ICON_NAME}-{size}.png"
        path.write_bytes(png_bytes(render(renderer, size)))
        print(path.relative_to(ROOT))
    from PIL import Image

    largest = Image.open(io.BytesIO(png_bytes(render(renderer, 256))))
    largest.save(ICO, format="ICO", sizes=[(n, n) for n in ICO_SIZES])
    print(ICO.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
