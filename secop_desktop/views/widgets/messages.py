"""The one kind of message label: errors (and confirmations) in colours readable in high contrast too."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QWidget

# Only for the few views that still colour a label of their own; new code uses the labels below.
ERROR_STYLE = "color: #b00020; font-weight: bold;"
INFO_STYLE = "color: #1b5e20;"

# (on a light window, on a dark one): the high-contrast palette is white on black.
ERROR_COLORS = ("#b00020", "#ff8a80")
INFO_COLORS = ("#1b5e20", "#a5d6a7")


class _ToneLabel(QLabel):
    """A word-wrapped label whose text colour follows the window: red or green that stays readable."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._tone = ERROR_COLORS
        self._recolor()

    def _set_tone(self, tone: tuple[str, str]) -> None:
        self._tone = tone
        self._recolor()

    def _recolor(self) -> None:
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        color = QColor(self._tone[1] if dark else self._tone[0])
        if self.palette().color(QPalette.ColorRole.WindowText) != color:
            palette = self.palette()
            palette.setColor(QPalette.ColorRole.WindowText, color)
            self.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ParentChange):
            self._recolor()

    def _relayout(self) -> None:
        # Word-wrapped labels appearing inside form rows: with a style sheet (high contrast) Qt keeps
        # the old row heights unless the layouts up the chain are told to recompute.
        widget = self.parentWidget()
        while widget is not None and not widget.isWindow():
            layout = widget.layout()
            if layout is not None:
                layout.invalidate()
            widget = widget.parentWidget()


class ErrorLabel(_ToneLabel):
    """The Spanish message shown right under a field (or a form); hidden while there is none."""

    def __init__(self, field_label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(f"Error en {field_label}")
        self.setVisible(False)

    def show_message(self, message: str) -> None:
        if message == self.text() and self.isVisibleTo(self.parentWidget() or self) == bool(message):
            return
        self.setText(message)
        self.setVisible(bool(message))
        self._relayout()


class MessageLabel(_ToneLabel):
    """A visible message line: refusals as errors, confirmations in green, read by screen readers."""

    def __init__(self, name: str = "Mensaje", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.is_error = False

    def _show(self, text: str, error: bool) -> None:
        self.is_error = error
        font = self.font()
        font.setBold(error)
        self.setFont(font)
        self._set_tone(ERROR_COLORS if error else INFO_COLORS)
        self.setText(text)
        self.setAccessibleDescription(text)
        self._relayout()

    def show_error(self, text: str) -> None:
        self._show(text, True)

    def show_info(self, text: str) -> None:
        self._show(text, False)

    def clear(self) -> None:
        self.is_error = False
        super().clear()
        self.setAccessibleDescription("")
