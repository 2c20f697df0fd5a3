"""Window sizes that fit the screen (a 1366x768 laptop less its taskbar), remembered per operating-system user."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QPoint, QRect, QSettings, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from secop_desktop import paths

SETTINGS_FILE = "ventanas.ini"
GROUP = "ventanas"
# Room for what the window manager adds around the window (title bar, borders), unknown before show().
FRAME_WIDTH = 16
FRAME_HEIGHT = 40


def settings() -> QSettings:
    """Per-user window settings in the config folder (never in the registry or ~/.config of another app)."""
    return QSettings(str(paths.config_dir() / SETTINGS_FILE), QSettings.Format.IniFormat)


def available(widget: QWidget | None = None) -> QRect:
    """The screen area windows may use: the screen less taskbars and docks."""
    screen = widget.screen() if widget is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    return screen.availableGeometry() if screen is not None else QRect(0, 0, 1366, 728)


def usable_size(widget: QWidget | None = None) -> QSize:
    """The largest client size whose frame still fits the available area."""
    area = available(widget)
    return QSize(area.width() - FRAME_WIDTH, area.height() - FRAME_HEIGHT)


def _fit_rect(size: QSize, area: QRect, top_left: QPoint | None = None) -> QRect:
    width = min(size.width(), area.width() - FRAME_WIDTH)
    height = min(size.height(), area.height() - FRAME_HEIGHT)
    if top_left is None:
        top_left = QPoint(area.x() + (area.width() - width - FRAME_WIDTH) // 2,
                          area.y() + (area.height() - height - FRAME_HEIGHT) // 2)
    x = max(area.x(), min(top_left.x(), area.right() + 1 - width - FRAME_WIDTH))
    y = max(area.y(), min(top_left.y(), area.bottom() + 1 - height - FRAME_HEIGHT))
    return QRect(x, y, width, height)


class _Remember(QObject):
    """Saves the window's geometry when it closes or hides."""

    def __init__(self, window: QWidget, key: str) -> None:
        super().__init__(window)
        self.key = key
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in (QEvent.Type.Close, QEvent.Type.Hide) and isinstance(watched, QWidget) \
                and watched.isWindow():
            save(watched, self.key)
        return False


def save(window: QWidget, key: str) -> None:
    try:
        store = settings()
        store.setValue(f"{GROUP}/{key}", window.saveGeometry())
        store.sync()
    except OSError:
        pass  # a read-only config folder costs the remembered size, never the window


def fit(window: QWidget, width: int, height: int, key: str | None = None, *, remember: bool = True) -> None:
    """Sizes a top-level window: its remembered geometry, else (width, height); never larger than the screen.

    A key makes the window remember its geometry for this operating-system user (unless remember=False:
    it only takes the geometry remembered under that key).
    """
    area = available(window)
    restored = False
    if key is not None:
        saved = settings().value(f"{GROUP}/{key}")
        if isinstance(saved, QByteArray | bytes) and saved:
            restored = window.restoreGeometry(QByteArray(saved))
    if restored:
        # Remembered on a bigger monitor, or one since unplugged: bring it back whole onto this screen.
        geometry = window.geometry()
        target = _fit_rect(geometry.size(), area, geometry.topLeft())
        if target != geometry:
            window.setGeometry(target)
    else:
        window.setGeometry(_fit_rect(QSize(width, height), area))
    if key is not None and remember:
        _Remember(window, key)
