"""Form rows: every input gets a QLabel buddy, an accessibleName from the guide's label, and its
required marker and error message in its accessible description (screen readers read both with it)."""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.errors import FieldError
from secop_desktop.views.widgets.messages import ERROR_COLORS, ErrorLabel

REQUIRED = "Obligatorio"
QT_MAX_LENGTH = 32767  # QLineEdit's own default: no limit of ours


def accessible_name(label: str) -> str:
    """'Correo electrónico *:' -> 'Correo electrónico'."""
    return label.replace("&", "").rstrip(" :*").strip()


def describe(widget: QWidget, message: str = "") -> None:
    """The accessible description: the field's error, if any, then whether it is required."""
    text = message.strip()
    if text and not text.endswith((".", "?", "!")):
        text += "."
    parts = [text] if text else []
    if widget.property("form_required"):
        parts.append(REQUIRED)
    widget.setAccessibleDescription(" ".join(parts))


class FieldCaption(QLabel):
    """A field's caption; when required, 'Label *' with the asterisk in red (the guide's «asterisco
    rojo»), a red that stays readable on the high-contrast black, and words for screen readers."""

    def __init__(self, label: str, *, required: bool = False) -> None:
        super().__init__()
        self.label = label
        self.required = required
        self._render()

    def set_required(self, required: bool) -> None:
        self.required = required
        self._render()
        field = self.buddy()
        if field is not None:
            # A screen reader hears «Obligatorio» from the field's description, not the asterisk:
            # re-captioning must re-describe it too, keeping the error message it may carry.
            field.setProperty("form_required", required)
            describe(field, field.accessibleDescription().removesuffix(REQUIRED).strip())

    def asterisk_color(self) -> QColor:
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        return QColor(ERROR_COLORS[1] if dark else ERROR_COLORS[0])

    def _render(self) -> None:
        if not self.required:
            self.setTextFormat(Qt.TextFormat.AutoText)
            self.setAccessibleName("")
            self.setToolTip("")
            self.setProperty("plain_text", self.label)
            if self.text() != self.label:
                self.setText(self.label)
            return
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setAccessibleName(f"{accessible_name(self.label)} ({REQUIRED.lower()})")
        self.setToolTip(f"Campo {REQUIRED.lower()}")
        self.setProperty("plain_text", f"{self.label} *")
        text = f"{html.escape(self.label)} <span style='color:{self.asterisk_color().name()}'>*</span>"
        if self.text() != text:
            self.setText(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ParentChange):
            self._render()


def label_field(label: str, widget: QWidget, *, required: bool = False) -> QLabel:
    """The caption ('Label *' when required, red asterisk) as the field's buddy; the field named after it."""
    caption = FieldCaption(label, required=required)
    if label:
        # A blank caption (a check box that carries its own words) must not be read as the field's label.
        caption.setBuddy(widget)
        widget.setAccessibleName(accessible_name(label))
    widget.setProperty("form_required", required)
    describe(widget)
    return caption


def add_row(form: QFormLayout, label: str, widget: QWidget, *, required: bool = False) -> QLabel:
    """A plain form row: caption and field, no error line of its own."""
    caption = label_field(label, widget, required=required)
    form.addRow(caption, widget)
    return caption


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def add_field(form: QFormLayout, label: str, widget: QWidget, *, required: bool = False,
              extra: Iterable[QWidget] = (), hint: str = "") -> ErrorLabel:
    """A form row whose field carries its guide label and has its error message right below it."""
    caption = label_field(label, widget, required=required)
    cell = QWidget()
    column = QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    line = QHBoxLayout()
    line.setContentsMargins(0, 0, 0, 0)
    line.addWidget(widget, 1)
    if isinstance(widget, (QLineEdit, QComboBox)):
        # A message appearing below must push the rows down, never squeeze the field itself.
        widget.setMinimumHeight(widget.sizeHint().height())
    for item in extra:
        line.addWidget(item)
    column.addLayout(line)
    hint_widget = hint_label(hint)
    hint_widget.setVisible(bool(hint))
    column.addWidget(hint_widget)
    own_words = widget.text().replace("&", "") if isinstance(widget, QAbstractButton) else ""
    error = ErrorLabel(accessible_name(label or own_words), cell)
    column.addWidget(error)
    form.addRow(caption, cell)
    if isinstance(widget, QLineEdit) and widget.maxLength() < QT_MAX_LENGTH:
        refuse_overflow(widget, error)
    # Kept on the input so a caller can re-word its caption or hint (persona natural variant).
    widget.setProperty("form_row_caption", caption)
    widget.setProperty("form_row_hint", hint_widget)
    return error


def too_long(limit: int, length: int) -> str:
    return f"Escriba como máximo {limit} caracteres (lleva {length})."


def refuse_overflow(edit: QLineEdit, error: ErrorLabel) -> None:
    """QLineEdit.maxLength cuts what is typed or pasted without a word: the field keeps all of it
    instead, and says under it, while it is too long, how many characters it takes."""
    limit = edit.maxLength()
    edit.setMaxLength(QT_MAX_LENGTH)
    edit.setProperty("max_chars", limit)

    def check(text: str) -> None:
        if len(text) > limit:
            message = too_long(limit, len(text))
            error.setProperty("overflow", True)
            error.show_message(message)
            describe(edit, message)
        elif error.property("overflow"):
            error.setProperty("overflow", False)
            error.show_message("")
            describe(edit)

    edit.textChanged.connect(check)


def insert_hint(error: ErrorLabel, hint: QWidget) -> None:
    """A live hint (availability, password rules) between a field and its error message."""
    cell = error.parentWidget()
    layout = cell.layout() if cell is not None else None
    if isinstance(layout, QVBoxLayout):
        layout.insertWidget(layout.indexOf(error), hint)


class FieldErrors:
    """Field name -> (input, error label): shows a service's FieldErrors beside their inputs."""

    def __init__(self) -> None:
        self._rows: dict[str, tuple[QWidget, ErrorLabel]] = {}
        self.general: ErrorLabel | None = None

    def register(self, name: str, widget: QWidget, error: ErrorLabel) -> None:
        self._rows[name] = (widget, error)

    def widget(self, name: str) -> QWidget | None:
        row = self._rows.get(name)
        return row[0] if row else None

    def is_shown(self, name: str) -> bool:
        """Whether the field's error message is showing."""
        row = self._rows.get(name)
        return row is not None and bool(row[1].text()) and not row[1].isHidden()

    def clear(self, name: str | None = None) -> None:
        for key, (widget, error) in self._rows.items():
            if name is None or key == name:
                error.show_message("")
                describe(widget)
        if self.general is not None and name is None:
            self.general.show_message("")

    def show_one(self, name: str, message: str) -> None:
        self.clear()
        widget, error = self._rows[name]
        error.show_message(message)
        describe(widget, message)

    def show(self, errors: Iterable[FieldError]) -> QWidget | None:
        """Shows each message beside its field; returns the first invalid input in form order."""
        self.clear()
        messages: dict[str, list[str]] = {}
        leftovers: list[str] = []
        for e in errors:
            if e.field in self._rows:
                messages.setdefault(e.field, []).append(e.message)
            else:
                leftovers.append(f"{e.label}: {e.message}")
        first: QWidget | None = None
        for key, (widget, error) in self._rows.items():
            if key in messages:
                text = " ".join(dict.fromkeys(messages[key]))
                error.show_message(text)
                describe(widget, text)  # screen readers announce it with the field
                first = first or widget
        if leftovers and self.general is not None:
            self.general.show_message("\n".join(leftovers))
        return first

    def show_general(self, message: str) -> None:
        self.clear()
        if self.general is not None:
            self.general.show_message(message)
