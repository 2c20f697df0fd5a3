"""The confirmation seam: windows take a Callable[[str], bool]; this is the real QMessageBox behind it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

Confirm = Callable[[str], bool]


def ask_with_message_box(parent: QWidget | None) -> Confirm:
    def confirm(question: str) -> bool:
        answer = QMessageBox.question(parent, "Confirmar", question,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    return confirm
