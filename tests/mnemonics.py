"""What Alt+letter does in a window: every mnemonic a keyboard user can reach there, by letter."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QMainWindow, QTabBar, QWidget


def mnemonic(text: str) -> str | None:
    """'Ane&xar' -> 'x'; '&&' is a literal ampersand, not a mnemonic."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return None


def _reachable(widget: QWidget, window: QWidget) -> bool:
    return widget.window() is window and widget.isVisibleTo(window)


def mnemonics(window: QWidget) -> dict[str, list[str]]:
    """Letter -> the visible, enabled things Alt+letter reaches (menu titles, buttons, buddy labels,
    group boxes, tabs) in this window."""
    found: dict[str, list[str]] = {}

    def add(text: str, what: str) -> None:
        letter = mnemonic(text)
        if letter is not None:
            found.setdefault(letter, []).append(f"{what} «{text.replace('&&', '&')}»")

    if isinstance(window, QMainWindow) and window.menuWidget() is not None:
        for action in window.menuBar().actions():
            if action.isVisible():
                add(action.text(), "menú")
    for button in window.findChildren(QAbstractButton):
        if _reachable(button, window) and not isinstance(button.parentWidget(), QTabBar):
            add(button.text(), "botón")
    for label in window.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is not None and _reachable(label, window):
            add(label.text(), "etiqueta")
    for box in window.findChildren(QGroupBox):
        if _reachable(box, window):
            add(box.title(), "grupo")
    for bar in window.findChildren(QTabBar):
        if _reachable(bar, window):
            for index in range(bar.count()):
                if bar.isTabVisible(index):
                    add(bar.tabText(index), "pestaña")
    return found


def clashes(window: QWidget) -> dict[str, list[str]]:
    return {letter: where for letter, where in mnemonics(window).items() if len(where) > 1}
