"""Asked when a document with a life is attached: from when, and until when, it serves (defaults prefilled)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.documents import deadlines
from secop_desktop.core.documents.service import DocumentService, slot
from secop_desktop.errors import FieldError
from secop_desktop.views.widgets import FieldErrors, add_field

TITLE = "Vigencia del documento"
HASTA = "Vigente hasta:"
DATE_FORMAT = "dd/MM/yyyy"
# What "Válido desde" means for each kind of document, and how the rule sets the last day.
DESDE = {
    "rup": ("Fecha de inscripción o renovación:",
            "El RUP debe renovarse cada año a más tardar el quinto día hábil de abril."),
    "estados_financieros": ("Fecha de corte:",
                            "Los estados financieros a 31 de diciembre sirven hasta que termina el año siguiente."),
    "existencia_representacion": ("Fecha de expedición:",
                                  "El certificado suele pedirse con no más de 30 días de expedido."),
}


@dataclass(frozen=True)
class Validity:
    """The answer: both None means "the usual dates" (the service computes them)."""

    valido_desde: date | None = None
    valido_hasta: date | None = None


USUAL = Validity()
Ask = Callable[[str], "Validity | None"]  # slot tipo -> the dates, or None when the user cancelled


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


class ValidityDialog(QDialog):
    """Two dates with the rule's defaults; Enter accepts them as they are."""

    def __init__(self, tipo: str, desde: date, hasta: date, until: Callable[[date], date | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        target = slot(tipo)
        self._until = until
        self.setWindowTitle(TITLE)
        self.setAccessibleName(TITLE)
        self.setMinimumWidth(480)  # the rule's sentence on two or three lines, the dates side by side
        layout = QVBoxLayout(self)
        desde_label, regla = DESDE.get(tipo, ("Válido desde:", ""))
        intro = QLabel(f"¿Desde cuándo y hasta cuándo es válido el documento «{target.nombre}»? "
                       f"{regla} Se le recordará en el Buzón antes de que venza.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        self.errors = FieldErrors()
        self.desde = self._date_edit(desde)
        self.hasta = self._date_edit(hasta)
        self.errors.register("valido_desde", self.desde, add_field(form, desde_label, self.desde, required=True))
        self.errors.register("valido_hasta", self.hasta, add_field(
            form, HASTA, self.hasta, required=True, hint="Día/mes/año. Ej.: 07/04/2026"))
        self._previous_desde = desde
        self.desde.dateChanged.connect(self._follow_rule)

        buttons = QDialogButtonBox()
        self.aceptar = QPushButton("&Aceptar")
        self.aceptar.setDefault(True)
        self.cancelar = QPushButton("Cancelar")
        buttons.addButton(self.aceptar, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancelar, QDialogButtonBox.ButtonRole.RejectRole)
        self.aceptar.clicked.connect(self.accept)
        self.cancelar.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.desde.setFocus()

    @staticmethod
    def _date_edit(day: date) -> QDateEdit:
        edit = QDateEdit(_qdate(day))
        edit.setDisplayFormat(DATE_FORMAT)
        edit.setCalendarPopup(True)
        edit.setMinimumDate(QDate(1900, 1, 1))
        edit.setMaximumDate(QDate(2999, 12, 31))
        return edit

    def _follow_rule(self, value: QDate) -> None:
        """A new first day moves the last day with the rule, unless the last day was typed by hand."""
        previous_rule = self._until(self._previous_desde)
        self._previous_desde = _day(value)
        if previous_rule is not None and _day(self.hasta.date()) == previous_rule:
            following = self._until(self._previous_desde)
            if following is not None:
                self.hasta.setDate(_qdate(following))

    def validity(self) -> Validity:
        return Validity(_day(self.desde.date()), _day(self.hasta.date()))

    def accept(self) -> None:
        chosen = self.validity()
        assert chosen.valido_desde is not None and chosen.valido_hasta is not None
        if chosen.valido_hasta < chosen.valido_desde:
            first = self.errors.show([FieldError("valido_hasta", "Vigente hasta",
                                                 "La fecha final no puede ser anterior a la inicial.")])
            if first is not None:
                first.setFocus()
            return
        self.errors.clear()
        super().accept()


def ask(parent: QWidget | None, documents: DocumentService, tipo: str) -> Validity | None:
    """The dates for a document about to be attached; only slots with a life ask (the others: USUAL)."""
    if not deadlines.has_validity(tipo):
        return USUAL
    desde, hasta = documents.default_validity(tipo)
    assert desde is not None and hasta is not None
    dialog = ValidityDialog(tipo, desde, hasta, lambda day: deadlines.default_valid_until(tipo, day), parent)
    try:
        return dialog.validity() if dialog.exec() == QDialog.DialogCode.Accepted else None
    finally:
        dialog.deleteLater()
