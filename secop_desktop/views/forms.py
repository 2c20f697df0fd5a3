"""Form helpers: every input gets a QLabel buddy and an accessibleName from the guide's label."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QWidget


def accessible_name(label: str) -> str:
    """'Correo electrónico *:' -> 'Correo electrónico'."""
    return label.replace("&", "").rstrip(" :*").strip()


def add_row(form: QFormLayout, label: str, widget: QWidget, *, required: bool = False) -> QLabel:
    text = f"{label} *" if required else label
    caption = QLabel(text)
    caption.setBuddy(widget)
    widget.setAccessibleName(accessible_name(label))
    form.addRow(caption, widget)
    return caption
