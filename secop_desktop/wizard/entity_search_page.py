"""Paso 3, Validar si mi entidad ya existe: found -> Solicitud de acceso; not found -> Registrar Entidad."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from secop_desktop.core.entities.service import EntitySummary
from secop_desktop.core.registration import flow
from secop_desktop.errors import FieldError, ServiceError
from secop_desktop.views.widgets import ErrorLabel, FieldErrors, add_field
from secop_desktop.vocab import PAISES
from secop_desktop.wizard.common import FlowPage, heading, on_enter, paragraph

if TYPE_CHECKING:
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

FOUND = "Han sido encontradas en el sistema las siguientes Entidades:"
NOT_FOUND = ("No ha sido encontrada ninguna Entidad que corresponda a sus criterios de búsqueda. "
             "<b>Puede registrar la entidad</b>")
LABELS = {"pais": "País de mi Entidad", "nombre": "Nombre de la Entidad", "nit": "NIT"}


def pending_text(nombre: str) -> str:
    return (f"Su solicitud de acceso a «{nombre}» fue enviada y está <b>Pendiente</b>. Un usuario "
            "administrador de la cuenta debe aceptarla: cuando la acepte, recibirá un mensaje de confirmación "
            "en el Buzón indicándole que ya puede usar su usuario y actuar como Proveedor desde la cuenta. "
            "Haga clic en «Finalizar».")


class EntitySearchPage(FlowPage):
    VIEW = flow.BUSCAR_ENTIDAD

    def __init__(self, wizard: RegistrationWizard) -> None:
        super().__init__(wizard)
        self._loading = False
        self._results: list[EntitySummary] = []
        self.errors = FieldErrors()
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(heading("Validar si mi entidad ya existe"))
        column.addWidget(paragraph(
            "Ingrese el nombre o el NIT de la cuenta del Proveedor. Si ya existe, solicite acceso a ella; "
            "si no existe, regístrela: usted será su usuario administrador."))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.pais = QComboBox()
        self.pais.addItems(list(PAISES))
        self.errors.register("pais", self.pais, add_field(form, LABELS["pais"], self.pais))
        self.nombre = QLineEdit()
        self.nombre.setMaxLength(300)
        self.errors.register("nombre", self.nombre, add_field(form, LABELS["nombre"], self.nombre))
        self.nit = QLineEdit()
        self.nit.setMaxLength(20)
        self.nit.setPlaceholderText("Sin dígito de verificación")
        self.errors.register("nit", self.nit, add_field(form, LABELS["nit"], self.nit))
        column.addLayout(form)
        row = QHBoxLayout()
        self.validar = QPushButton("&Validar")
        self.validar.clicked.connect(self.search)
        row.addWidget(self.validar)
        row.addStretch(1)
        column.addLayout(row)
        for edit in (self.nombre, self.nit):
            on_enter(edit, self.search)
            edit.textChanged.connect(self._changed)
        self.pais.currentIndexChanged.connect(self._changed)

        self.found = paragraph(FOUND)
        column.addWidget(self.found)
        self.results = QListWidget()
        self.results.setAccessibleName("Entidades encontradas")

        self.results.itemActivated.connect(lambda _: self.request_access())
        column.addWidget(self.results)
        self.solicitar = QPushButton("Solicitud de a&cceso")
        self.solicitar.clicked.connect(self.request_access)
        solicitar_row = QHBoxLayout()
        solicitar_row.addWidget(self.solicitar)
        solicitar_row.addStretch(1)
        column.addLayout(solicitar_row)
        self.not_found = paragraph(NOT_FOUND)
        self.not_found.setTextFormat(Qt.TextFormat.RichText)
        self.not_found.setAccessibleName("Resultado de la búsqueda")
        column.addWidget(self.not_found)
        self.registrar = QPushButton("&Registrar Entidad")
        self.registrar.clicked.connect(self.register_entity)
        registrar_row = QHBoxLayout()
        registrar_row.addWidget(self.registrar)
        registrar_row.addStretch(1)
        column.addLayout(registrar_row)
        self.solicitud = paragraph()
        self.solicitud.setTextFormat(Qt.TextFormat.RichText)
        self.solicitud.setAccessibleName("Estado de la solicitud de acceso")
        column.addWidget(self.solicitud)
        self.error = ErrorLabel("Solicitud de acceso", content)
        column.addWidget(self.error)
        column.addStretch(1)
        self.scrolled(content)
        self._show_results(None)

    # --- binding ---------------------------------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802 - Qt override
        busqueda = self.flow.data["busqueda"]
        self._loading = True
        try:
            self.pais.setCurrentIndex(max(self.pais.findText(busqueda.get("pais") or "COLOMBIA"), 0))
            if not busqueda.get("validada") and not busqueda.get("nombre"):
                busqueda["nombre"] = self.flow.data["usuario"].get("nombre_entidad", "")
            self.nombre.setText(busqueda.get("nombre", ""))
            self.nit.setText(busqueda.get("nit", ""))
        finally:
            self._loading = False
        if busqueda.get("validada"):
            self.search(record=False)
        else:
            self._show_results(None)
        self.focus_later(self.nombre)

    def _changed(self, *_: object) -> None:
        if self._loading:
            return
        busqueda = self.flow.data["busqueda"]
        busqueda.update(pais=self.pais.currentText(), nombre=self.nombre.text(), nit=self.nit.text())
        self.touch()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return bool(self.flow.data.get("solicitud")) or self.flow.data.get("modo") == "registrar"

    # --- Validar ---------------------------------------------------------------------------
    def search(self, record: bool = True) -> None:
        nombre, nit = self.nombre.text().strip(), self.nit.text().strip()
        errors: list[FieldError] = []
        if not nombre and not nit:
            errors.append(FieldError("nombre", LABELS["nombre"], "Escriba el nombre o el NIT de la Entidad."))
        if nit and not nit.replace(".", "").replace(" ", "").isdigit():
            errors.append(FieldError("nit", LABELS["nit"], "Escriba el NIT solo con números, sin el dígito "
                                                           "de verificación."))
        if errors:
            first = self.errors.show(errors)
            if first is not None:
                first.setFocus()
            return
        self.errors.clear()
        if record:
            self.flow.searched(self.pais.currentText(), self.nombre.text(), self.nit.text())
            self.touch()
        self._results = self.wiz.services.entities.search(pais=self.pais.currentText(), nombre=nombre, nit=nit)
        self._show_results(self._results)
        self.validar.setText("&Validar de nuevo")
        if record:
            (self.results if self._results else self.registrar).setFocus()

    def _show_results(self, results: list[EntitySummary] | None) -> None:
        solicitud = self.flow.data.get("solicitud")
        searched = results is not None
        self.results.clear()
        for entity in results or []:
            item = QListWidgetItem(f"{entity.nombre}\n{entity.linea}")
            item.setData(Qt.ItemDataRole.UserRole, entity.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{entity.nombre}, {entity.linea}")
            self.results.addItem(item)
        if results:
            self.results.setCurrentRow(0)
            # As tall as the entities found (the page scrolls past a handful).
            rows = sum(self.results.sizeHintForRow(i) for i in range(min(len(results), 5)))
            self.results.setFixedHeight(rows + 2 * self.results.frameWidth() + 4)
        self.found.setVisible(bool(results))
        self.results.setVisible(bool(results))
        self.solicitar.setVisible(bool(results) and not solicitud)
        self.not_found.setVisible(searched and not results)
        self.registrar.setVisible(searched and not solicitud)
        self.solicitud.setVisible(bool(solicitud))
        if solicitud:
            self.solicitud.setText(pending_text(html.escape(solicitud["nombre"])))
        # isFinalPage() follows the flow; setFinalPage() is what makes QWizard re-lay its buttons.
        self.setFinalPage(bool(solicitud))
        self.completeChanged.emit()

    # --- the two ways on -------------------------------------------------------------------
    def request_access(self) -> None:
        if self.flow.data.get("solicitud"):
            return
        row = self.results.currentRow()
        if not 0 <= row < len(self._results) or self.wiz.user is None:
            return
        entity = self._results[row]
        try:
            registration = self.wiz.services.entities.request_access(self.wiz.user.id, entity.id)
        except ServiceError as exc:
            self.error.show_message(exc.message)
            return
        self.error.show_message("")
        self.flow.access_requested(entity, registration.estado)
        self.wiz.save_draft_now()
        self._show_results(self._results)
        self.wiz.button(QWizard.WizardButton.FinishButton).setFocus()

    def register_entity(self) -> None:
        self.flow.choose_register()
        self.touch()
        self.completeChanged.emit()
        self.wiz.next()

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        return self.isComplete()
