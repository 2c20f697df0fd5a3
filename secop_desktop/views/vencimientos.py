"""Próximos vencimientos on the Escritorio: the account's documents with a last day, soonest first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.documents import deadlines
from secop_desktop.core.documents.service import MAX_REMINDER_DAYS, Vencimiento, fecha_corta
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from secop_desktop.views.validity_dialog import ValidityDialog
from secop_desktop.views.widgets import MessageLabel, label_field
from secop_desktop.views.widgets.messages import ERROR_COLORS

TITLE = "Próximos vencimientos"
SIN_VENCIMIENTOS = "Ningún documento de la cuenta tiene fecha de vencimiento."
DIAS = "Días de anticipación del recordatorio:"
# Orange that stays readable on white and on the high-contrast black.
SOON_COLORS = ("#8a4b00", "#ffcc80")


def describe(v: Vencimiento) -> str:
    """'RUP — H&H Asociados', then 'vence el 09/04/2026 — faltan 9 días hábiles' on a second line."""
    if v.vencido:
        left = "vencido"
    elif v.dias_habiles == 0:
        left = "vence hoy"
    elif v.dias_habiles == 1:
        left = "falta 1 día hábil"
    else:
        left = f"faltan {v.dias_habiles} días hábiles"
    return f"{v.documento} — {v.entidad}\nvence el {fecha_corta(v.vence)} — {left}"


class Vencimientos(QGroupBox):
    """The list, and for administrators how many days before a deadline the Buzón reminds it."""

    def __init__(self, services: Services, actor: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(TITLE, parent)
        self.services = services
        self.actor = actor
        layout = QVBoxLayout(self)
        self.lista = QListWidget()
        self.lista.setAccessibleName(TITLE)
        self.lista.setMaximumHeight(140)
        self.lista.setWordWrap(True)
        self.lista.setSpacing(3)
        self.lista.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.lista.itemActivated.connect(self._change_dates)
        self._shown: dict[int, Vencimiento] = {}
        self._es_administrador = False
        self._entity_id: int | None = None
        layout.addWidget(self.lista)
        self.mensaje = MessageLabel("Mensaje de vencimientos")
        layout.addWidget(self.mensaje)

        self.ajuste = QWidget()
        form = QFormLayout(self.ajuste)
        form.setContentsMargins(0, 0, 0, 0)
        line = QWidget()
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        self.dias = QSpinBox()
        self.dias.setRange(0, MAX_REMINDER_DAYS)
        self.dias.setSuffix(" días")
        self.guardar = QPushButton("&Guardar días")
        self.guardar.clicked.connect(self._save_days)
        row.addWidget(self.dias)
        row.addWidget(self.guardar)
        row.addStretch(1)
        form.addRow(label_field(DIAS, self.dias), line)
        # Said with the field: the number is this account's, not every supplier's of a shared database.
        self.dias.setAccessibleDescription("Para los administradores de esta cuenta.")
        layout.addWidget(self.ajuste)
        self.ajuste.hide()

    def refresh(self, entity_id: int | None, es_administrador: bool = False) -> None:
        self.lista.clear()
        self._shown.clear()
        self.mensaje.clear()
        self._es_administrador = es_administrador
        self._entity_id = entity_id
        # Administrators correct a document's dates from here (Enter or double-click on it).
        self.lista.setToolTip("Pulse Enter o haga doble clic en un documento para cambiar su vigencia."
                              if es_administrador else "")
        self.ajuste.setVisible(entity_id is not None and es_administrador)
        if entity_id is None:
            self.hide()
            return
        self.show()
        try:
            upcoming = self.services.documents.upcoming(self.actor, entity_id)
            days = self.services.documents.reminder_days(entity_id)
        except ServiceError as exc:
            self.mensaje.show_error(exc.message)
            return
        self.dias.setValue(days)
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        for v in upcoming:
            item = QListWidgetItem(describe(v))
            item.setData(Qt.ItemDataRole.UserRole, v.document_id)
            self._shown[v.document_id] = v
            if v.vencido or v.dias_habiles <= days:
                colors = ERROR_COLORS if v.vencido else SOON_COLORS
                item.setForeground(QColor(colors[1] if dark else colors[0]))
            self.lista.addItem(item)
        if not upcoming:
            self.lista.addItem(SIN_VENCIMIENTOS)
        self.lista.setAccessibleDescription(f"{len(upcoming)} documentos con fecha de vencimiento")

    def _change_dates(self, item: QListWidgetItem) -> None:
        v = self._shown.get(item.data(Qt.ItemDataRole.UserRole))
        if v is None or not self._es_administrador:
            return
        dialog = ValidityDialog(v.tipo, v.valido_desde or v.vence, v.vence,
                                lambda day: deadlines.default_valid_until(v.tipo, day), self)
        try:
            if dialog.exec() != ValidityDialog.DialogCode.Accepted:
                return
            chosen = dialog.validity()
        finally:
            dialog.deleteLater()
        try:
            self.services.documents.set_validity(self.actor, v.document_id, chosen.valido_desde, chosen.valido_hasta)
        except ServiceError as exc:
            self.mensaje.show_error(exc.message)
            return
        self.refresh(v.entity_id, self._es_administrador)
        self.mensaje.show_info(f"Se cambió la vigencia del documento «{v.documento}».")

    def lines(self) -> list[str]:
        return [self.lista.item(i).text() for i in range(self.lista.count())]

    def _save_days(self) -> None:
        try:
            self.services.documents.set_reminder_days(self.actor, self._entity_id, self.dias.value())
        except ServiceError as exc:
            self.mensaje.show_error(exc.message)
            return
        self.mensaje.show_info(f"Se recordará en el Buzón {self.dias.value()} días antes de cada vencimiento.")
