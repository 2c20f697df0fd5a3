"""Enter everywhere as in a dialog: it presses the focused button, and in a field the window's default button.

Qt gives main windows neither: a QPushButton answers Enter only when it is "auto default", which
Qt turns on for buttons in dialogs alone, and only QDialog looks for a default button. An agent on
the phone never leaves the keyboard, so one application-wide filter gives every window both.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QDialog, QLineEdit, QPushButton, QWidget

_ENTER = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
# The keypad's Enter arrives with KeypadModifier: still a plain Enter.
_PLAIN = (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier)


def default_button(window: QWidget) -> QPushButton | None:
    """The window's default button (QPushButton.setDefault) that can be pressed now, if any."""
    for button in window.findChildren(QPushButton):
        if button.isDefault() and button.isVisible() and button.isEnabled() and button.window() is window:
            return button
    return None


def _has_own_enter(edit: QLineEdit) -> bool:
    """A field whose returnPressed does something (Validar, Buscar) runs only that."""
    return edit.receivers("2returnPressed()") > 0


class EnterPresses(QObject):
    """Installed on the QApplication by views.qt_app.application()."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # The field an Enter was typed in, and that key's time stamp: the window sees the same event later,
        # when nobody took it. Only a reference: by then the field may have been deleted.
        self._field: tuple[QWidget, int] | None = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if event.key() not in _ENTER or event.modifiers() not in _PLAIN or event.isAutoRepeat():
            return False
        if isinstance(watched, (QLineEdit, QAbstractSpinBox, QComboBox)):
            self._field = (watched, event.timestamp())
            return False
        if isinstance(watched, QPushButton):
            # Dialog buttons (auto default) and default buttons already answer Enter themselves.
            if watched.hasFocus() and watched.isEnabled() and not watched.autoDefault() and not watched.isDefault():
                watched.click()
                return True
            return False
        if isinstance(watched, QWidget) and watched.isWindow() and not isinstance(watched, QDialog):
            # Enter nobody took reaches the window: from a field, it presses the default button.
            origin, self._field = self._field, None
            if origin is None or origin[1] != event.timestamp() or not shiboken6.isValid(origin[0]):
                return False
            focus = origin[0]
            if focus.window() is not watched:
                return False
            if QApplication.focusWidget() not in (None, focus):
                return False  # a field's Enter that something else took: this one came from a list or a view
            if isinstance(focus, QLineEdit) and _has_own_enter(focus):
                return False
            button = default_button(watched)
            if button is not None:
                button.click()
                return True
        return False


_installed: list[EnterPresses] = []


def install_enter_presses(app: QApplication) -> None:
    if not _installed:
        keeper = EnterPresses(app)
        app.installEventFilter(keeper)
        _installed.append(keeper)
