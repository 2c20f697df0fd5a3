"""Últimas modificaciones: who did what and when in an account, filterable by action and by user."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.access.service import AccessService, Accion, AuditRow
from secop_desktop.core.clock import Clock
from secop_desktop.core.dates import format_fecha
from secop_desktop.core.documents.file_policy import format_size
from secop_desktop.core.documents.service import all_slots
from secop_desktop.core.entities.service import ENTITY_LABELS
from secop_desktop.core.identity import SignedIn
from secop_desktop.views.widgets.forms import add_row
from secop_desktop.vocab import ZONA_HORARIA_BOGOTA

# Audit codes in the guide's words; unknown codes are shown readable rather than hidden.
ACTION_LABELS: dict[str, str] = {
    **{a.name.lower(): a.value for a in Accion},
    "usuario_creado": "Crear usuarios",
    "acceso_solicitado": "Solicitud de acceso",
    "acceso_admin_denegado": "Intento de abrir Administración de usuarios sin ser administrador",
    "entidad_registrada": "Registrar Entidad",
    "entidad_actualizada": "Datos de la Entidad modificados",
    "entidad_declarada_diferente": "Declaró su Entidad diferente de las existentes",
    "area_interes_agregada": "Área de interés agregada",
    "area_interes_activada": "Área de interés activada",
    "area_interes_desactivada": "Área de interés desactivada",
    "area_interes_borrada": "Área de interés borrada",
    "documento_anexado": "Anexar documento",
    "documento_borrado": "Borrar documento",
    "documento_reemplazado": "Reemplazar documento",
    "registro_importado": "Registro importado de un paquete",
}

HEADERS = ("Fecha", "Realizado por", "Acción", "Usuario afectado", "Detalle")
FIELD_NAMES: dict[str, str] = {
    **ENTITY_LABELS,
    "acceso": "Acceso a la cuenta",
    "es_administrador": "Administrador",
    "activo": "Activo",
    "usuario": "Usuario",
    "codigo": "Código UNSPSC",
    "nombre": "Nombre",
    # A document's audit snapshot: what the administrator recognises, not the storage keys.
    "nombre_original": "Documento",
    "tipo": "Tipo de documento",
    "tamano": "Tamaño",
    "documentos": "Documentos",
    "usuarios": "Usuarios",
    "entidad_nueva": "Entidad que registra",
    "diferente_de": "Diferente de",
}
# Bookkeeping the reader has no use for (the row version, the content hash of a stored file).
HIDDEN_FIELDS = frozenset({"version", "sha256"})
_SLOT_NAMES = {slot.tipo: slot.nombre for slot in all_slots()}


def field_name(key: str) -> str:
    return FIELD_NAMES.get(key, key.replace("_", " ").capitalize())


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code.replace("_", " ").capitalize())


def _value(value: Any, key: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if key == "tipo" and value in _SLOT_NAMES:
        return _SLOT_NAMES[value]
    if key == "tamano" and isinstance(value, int):
        return format_size(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def describe(row: AuditRow) -> str:
    """'Acceso a la cuenta: Pendiente → Aceptado' for the fields that changed."""
    antes, despues = row.antes or {}, row.despues or {}
    parts = []
    for key in dict.fromkeys([*antes, *despues]):
        if key in HIDDEN_FIELDS:
            continue
        if key in antes and key in despues:
            if antes[key] != despues[key]:
                parts.append(f"{field_name(key)}: {_value(antes[key], key)} → {_value(despues[key], key)}")
        elif key in despues:
            parts.append(f"{field_name(key)}: {_value(despues[key], key)}")
        else:
            parts.append(f"{field_name(key)} era {_value(antes[key], key)}")
    return "; ".join(parts)


class AuditView(QWidget):
    def __init__(self, access: AccessService, signed_in: SignedIn, entity_id: int, clock: Clock, *,
                 zona: str = ZONA_HORARIA_BOGOTA, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.access = access
        self.signed_in = signed_in  # the administrator reading; self.actor is the «Realizado por» filter
        self.entity_id = entity_id
        self.clock = clock
        self.zona = zona
        layout = QVBoxLayout(self)
        filters = QHBoxLayout()
        form = QFormLayout()
        self.accion = QComboBox()
        add_row(form, "Acción", self.accion)
        filters.addLayout(form)
        form2 = QFormLayout()
        self.actor = QLineEdit()
        self.actor.setPlaceholderText("Usuario que hizo el cambio")
        add_row(form2, "Realizado por", self.actor)
        filters.addLayout(form2)
        self.actualizar = QPushButton("Actuali&zar")
        self.actualizar.clicked.connect(self.refresh)
        filters.addWidget(self.actualizar)
        layout.addLayout(filters)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setAccessibleName("Últimas modificaciones")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((390, 140, 260, 220)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table)
        self.summary = QLabel()
        layout.addWidget(self.summary)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh)
        self.actor.textChanged.connect(lambda _: self._debounce.start())
        self.actor.returnPressed.connect(self.refresh)
        self.accion.currentIndexChanged.connect(lambda _: self.refresh())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        # Read when looked at, not when the window opens: the admin table paints first.
        super().showEvent(event)
        self.reload_actions()

    def reload_actions(self) -> None:
        current = self.accion.currentData()
        self.accion.blockSignals(True)
        self.accion.clear()
        self.accion.addItem("Todas", None)
        for code in self.access.audit_actions(self.signed_in, self.entity_id):
            self.accion.addItem(action_label(code), code)
        index = self.accion.findData(current)
        self.accion.setCurrentIndex(max(index, 0))
        self.accion.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        self._debounce.stop()
        rows = self.access.audit_log(self.signed_in, self.entity_id, accion=self.accion.currentData(),
                                     quien=self.actor.text())
        self.table.setRowCount(len(rows))
        for number, row in enumerate(rows):
            values = (format_fecha(row.ocurrido_en, self.zona), row.actor, action_label(row.accion),
                      row.afectado or "", describe(row))
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                item.setFlags(Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEnabled)
                self.table.setItem(number, column, item)
        self.summary.setText(f"{len(rows)} cambios" if len(rows) != 1 else "1 cambio")
