"""The application's style: the platform's own, with room for the accents of capitals on tabs."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOption, QWidget

# Above the font's ascent: the acute of a capital (Ú, É) reaches one or two pixels past it.
ACCENT_ROOM = 4


class SpanishTabs(QProxyStyle):
    """Fusion (and Qt's common style under it) clips a tab's text to one line of the font's height, which
    cuts off the acute of «Últimas modificaciones»: the text gets a few pixels more above and below."""

    def subElementRect(self, element: QStyle.SubElement, option: QStyleOption,  # noqa: N802 - Qt override
                       widget: QWidget | None = None) -> QRect:
        # QProxyStyle's stub wants a widget; Qt itself passes None for a style option alone.
        rect = super().subElementRect(element, option, widget)  # type: ignore[arg-type]
        if element == QStyle.SubElement.SE_TabBarTabText:
            rect = rect.adjusted(0, -ACCENT_ROOM, 0, ACCENT_ROOM)
        return rect


def install_style(app: QApplication) -> None:
    if not isinstance(app.style(), SpanishTabs):
        app.setStyle(SpanishTabs())
