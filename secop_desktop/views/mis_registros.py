"""Configuraciones del usuario > Mis registros: the user's memberships and "Nuevo registro" (Buscar, Solicitar)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.dates import format_elapsed
from secop_desktop.core.entities.service import EntitySummary, Registration
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from secop_desktop.views.widgets.forms import add_row
from secop_desktop.views.widgets.messages import MessageLabel
from secop_desktop.vocab import PAISES, ZONA_HORARIA_BOGOTA

HEADERS = ("NIT", "Entidad Estatal/Proveedor", "Fecha de solicitud", "Fecha de aceptación", "Estado")
NOTA = "NOTA: Recuerde que sólo tendrá acceso a la cuenta hasta que el usuario administrador acepte su solicitud."


def registration_cells(reg: Registration, now: datetime, zona: str) -> tuple[str, ...]:
    """NIT, entidad and the guide's elapsed-time dates; no acceptance date until accepted."""
    aceptacion = format_elapsed(reg.fecha_aceptacion, now, zona) if reg.fecha_aceptacion else ""
    return (reg.nit or "", reg.entidad, format_elapsed(reg.fecha_solicitud, now, zona), aceptacion, reg.estado)


class MisRegistrosPage(QWidget):
    requested = Signal(int)  # entity id of a new Solicitud de acceso

    def __init__(self, services: Services, actor: SignedIn, *, zona: str = ZONA_HORARIA_BOGOTA,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.zona = zona
        self.results: list[EntitySummary] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Estado de las solicitudes de registro</h2>"))
        intro = QLabel("A continuación está la lista de todos sus registros y su estado.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setAccessibleName("Mis registros")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((110, 220, 330, 330)):
            self.table.setColumnWidth(column, width)
        layout.addWidget(self.table, 1)

        self.nuevo = QPushButton("&Nuevo registro")
        self.nuevo.clicked.connect(self.show_new_registration)
        row = QHBoxLayout()
        row.addWidget(self.nuevo)
        row.addStretch(1)
        layout.addLayout(row)

        self.box = QGroupBox("Nuevo registro")
        box_layout = QVBoxLayout(self.box)
        hint = QLabel("Escriba el nombre completo de la cuenta del Proveedor, haga clic en «Buscar» y luego "
                      "en «Solicitar».")
        hint.setWordWrap(True)
        box_layout.addWidget(hint)
        form = QFormLayout()
        self.pais = QComboBox()
        self.pais.addItems(list(PAISES))
        add_row(form, "&País", self.pais)
        search_row = QHBoxLayout()
        self.nombre = QLineEdit()
        self.nombre.setPlaceholderText("Nombre de la Entidad Estatal o del Proveedor")
        self.buscar = QPushButton("&Buscar")
        search_row.addWidget(self.nombre, 1)
        search_row.addWidget(self.buscar)
        caption = QLabel("Entidad Estatal/Pr&oveedor")
        caption.setBuddy(self.nombre)
        self.nombre.setAccessibleName("Entidad Estatal/Proveedor")
        form.addRow(caption, search_row)
        box_layout.addLayout(form)
        self.found = QListWidget()
        self.found.setAccessibleName("Entidades encontradas")
        self.found.setMaximumHeight(130)
        box_layout.addWidget(self.found)
        actions = QHBoxLayout()
        self.solicitar = QPushButton("&Solicitar")
        self.solicitar.setEnabled(False)
        actions.addWidget(self.solicitar)
        actions.addStretch(1)
        box_layout.addLayout(actions)
        nota = QLabel(NOTA)
        nota.setWordWrap(True)
        box_layout.addWidget(nota)
        self.box.hide()
        layout.addWidget(self.box)
        self.message = MessageLabel()
        layout.addWidget(self.message)

        self.buscar.clicked.connect(self.search)
        self.nombre.returnPressed.connect(self.search)
        self.found.currentRowChanged.connect(lambda r: self.solicitar.setEnabled(r >= 0))
        self.found.itemDoubleClicked.connect(lambda _: self.request())
        self.solicitar.clicked.connect(self.request)
        self.refresh()

    def refresh(self) -> None:
        registrations = self.services.entities.my_registrations(self.actor)
        now = self.services.clock()
        self.table.setRowCount(len(registrations))
        for number, reg in enumerate(registrations):
            for column, text in enumerate(registration_cells(reg, now, self.zona)):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(number, column, item)
        self.table.resizeRowsToContents()

    def show_new_registration(self) -> None:
        self.box.show()
        self.nombre.setFocus()

    def search(self) -> None:
        self.message.clear()
        nombre = self.nombre.text()
        if not nombre.strip():
            self.message.show_error("Escriba el nombre de la Entidad que busca.")
            return
        self.results = self.services.entities.search(pais=self.pais.currentText(), nombre=nombre)
        self.found.clear()
        for entity in self.results:
            item = QListWidgetItem(f"{entity.nombre}\n{entity.linea}")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{entity.nombre}, {entity.linea}")
            self.found.addItem(item)
        if not self.results:
            self.message.show_error("No se encontró ninguna Entidad con ese nombre. Revise el nombre completo "
                                    "de la cuenta.")
        else:
            self.message.show_info("Han sido encontradas en el sistema las siguientes Entidades:")
            self.found.setCurrentRow(0)
            self.found.setFocus()

    def request(self) -> None:
        row = self.found.currentRow()
        if not 0 <= row < len(self.results):
            return
        entity = self.results[row]
        try:
            self.services.entities.request_access(self.actor, entity.id)
        except ServiceError as exc:
            self.message.show_error(exc.message)
            return
        self.refresh()
        self.message.show_info(f"Se envió su solicitud de acceso a {entity.nombre}. El usuario administrador "
                               "de la cuenta debe aceptarla; verá el resultado en su Buzón.")
        self.requested.emit(entity.id)
