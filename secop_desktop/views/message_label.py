"""A visible message line: refusals in red, confirmations in green, read by screen readers."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

ERROR_STYLE = "color: #b00020; font-weight: bold;"
INFO_STYLE = "color: #1b5e20;"


class MessageLabel(QLabel):
    def __init__(self, name: str = "Mensaje", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName(name)
        self.is_error = False

    def show_error(self, text: str) -> None:
        self.is_error = True
        self.setStyleSheet(ERROR_STYLE)
        self.setText(text)
        self.setAccessibleDescription(text)

    def show_info(self, text: str) -> None:
        self.is_error = False
        self.setStyleSheet(INFO_STYLE)
        self.setText(text)
        self.setAccessibleDescription(text)

    def clear(self) -> None:
        self.is_error = False
        super().clear()
        self.setAccessibleDescription("")
