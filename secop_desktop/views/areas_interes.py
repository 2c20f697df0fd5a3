"""Áreas de interés: the account's UNSPSC codes; administrators add, activate, deactivate and delete them."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGroupBox,
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

from secop_desktop.core.entities.interests import LABELS, AreaView, InterestService
from secop_desktop.core.identity import SignedIn
from secop_desktop.errors import ServiceError, ValidationError
from secop_desktop.views.widgets.confirm import Confirm
from secop_desktop.views.widgets.forms import add_row
from secop_desktop.views.widgets.messages import ERROR_STYLE, MessageLabel

HEADERS = ("Código UNSPSC", "Nombre", "Estado")


class AreasInteresPage(QWidget):
    def __init__(self, interests: InterestService, actor: SignedIn, entity_id: int, *, editable: bool,
                 confirm: Confirm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.interests = interests
        self.actor = actor
        self.entity_id = entity_id
        self.confirm = confirm
        self.areas: list[AreaView] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Áreas de interés</h2>"))
        intro = QLabel("Los códigos del Clasificador de Bienes y Servicios (UNSPSC) de su interés. SECOP II le "
                       "avisa de las oportunidades de negocio de las áreas activas.")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        self.table = QTableWidget(0, len(HEADERS))
        self.table.setAccessibleName("Áreas de interés")
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 140)
        layout.addWidget(self.table, 1)

        buttons = QHBoxLayout()
        self.activar = QPushButton("Acti&var")
        self.desactivar = QPushButton("&Desactivar")
        self.borrar = QPushButton("&Borrar")
        for button in (self.activar, self.desactivar, self.borrar):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        self.add_box = QGroupBox("Agregar un área de interés")
        form = QFormLayout(self.add_box)
        self.codigo = QLineEdit()
        self.codigo.setPlaceholderText("8 dígitos, ej.: 43211500")
        self.codigo.setMaxLength(11)  # 8 digits plus the separators people paste
        add_row(form, LABELS["codigo"], self.codigo, required=True)
        self.codigo_error = self._error_label(form, LABELS["codigo"])
        self.nombre = QLineEdit()
        self.nombre.setPlaceholderText("Ej.: Computadores")
        add_row(form, LABELS["nombre"], self.nombre, required=True)
        self.nombre_error = self._error_label(form, LABELS["nombre"])
        self.agregar = QPushButton("&Agregar")
        add_line = QHBoxLayout()
        add_line.addWidget(self.agregar)
        add_line.addStretch(1)
        form.addRow("", add_line)
        layout.addWidget(self.add_box)
        self.read_only_note = QLabel("Solo los administradores de la cuenta pueden modificar las áreas de interés.")
        self.read_only_note.setWordWrap(True)
        layout.addWidget(self.read_only_note)
        self.message = MessageLabel()
        layout.addWidget(self.message)

        self.agregar.clicked.connect(self.add)
        self.nombre.returnPressed.connect(self.add)
        self.activar.clicked.connect(lambda: self._set_active(True))
        self.desactivar.clicked.connect(lambda: self._set_active(False))
        self.borrar.clicked.connect(self.delete)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.editable = editable
        self.add_box.setVisible(editable)
        self.read_only_note.setVisible(not editable)
        for button in (self.activar, self.desactivar, self.borrar):
            button.setVisible(editable)
        self.refresh()

    @staticmethod
    def _error_label(form: QFormLayout, label: str) -> QLabel:
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.setAccessibleName(f"Error en {label}")
        error.hide()
        form.addRow("", error)
        return error

    def refresh(self, select_id: int | None = None) -> None:
        self.areas = self.interests.list(self.actor, self.entity_id)
        self.table.setRowCount(len(self.areas))
        for number, area in enumerate(self.areas):
            for column, text in enumerate((area.codigo, area.nombre, area.estado)):
                self.table.setItem(number, column, QTableWidgetItem(text))
            if area.id == select_id:
                self.table.selectRow(number)
        self._update_buttons()

    def selected(self) -> AreaView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.areas[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        area = self.selected()
        self.activar.setEnabled(area is not None and not area.activo)
        self.desactivar.setEnabled(area is not None and area.activo)
        self.borrar.setEnabled(area is not None)

    def _show_errors(self, errors: dict[str, str]) -> None:
        for name, label in (("codigo", self.codigo_error), ("nombre", self.nombre_error)):
            label.setText(errors.get(name, ""))
            label.setVisible(name in errors)

    def add(self) -> None:
        try:
            area = self.interests.add(self.actor, self.entity_id, self.codigo.text(), self.nombre.text())
        except ValidationError as exc:
            errors = exc.by_field()
            self._show_errors(errors)
            self.message.show_error("Revise los campos marcados.")
            (self.codigo if "codigo" in errors else self.nombre).setFocus()
            return
        except ServiceError as exc:
            self.message.show_error(exc.message)
            return
        self._show_errors({})
        self.codigo.clear()
        self.nombre.clear()
        self.codigo.setFocus()
        self.refresh(select_id=area.id)
        self.message.show_info(f"Se agregó el área {area.codigo} {area.nombre}.")

    def _set_active(self, activo: bool) -> None:
        area = self.selected()
        if area is None:
            return
        try:
            changed = self.interests.set_active(self.actor, self.entity_id, area.id, activo)
        except ServiceError as exc:
            self.refresh()
            self.message.show_error(exc.message)
            return
        self.refresh(select_id=changed.id)
        self.message.show_info(f"El área {changed.codigo} quedó {changed.estado.lower()}.")

    def delete(self) -> None:
        area = self.selected()
        if area is None or not self.confirm(f"¿Borrar el área de interés {area.codigo} {area.nombre}?"):
            return
        try:
            self.interests.delete(self.actor, self.entity_id, area.id)
        except ServiceError as exc:
            self.refresh()
            self.message.show_error(exc.message)
            return
        self.refresh()
        self.message.show_info(f"Se borró el área {area.codigo} {area.nombre}.")
