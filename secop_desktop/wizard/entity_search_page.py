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
from secop_desktop.views.entity_form import DvQuestion
from secop_desktop.views.widgets import ErrorLabel, add_field, insert_hint
from secop_desktop.vocab import PAISES
from secop_desktop.wizard.common import FlowPage, different_checkbox, fit_rows, heading, on_enter, paragraph

if TYPE_CHECKING:
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

FOUND = "Han sido encontradas en el sistema las siguientes Entidades:"
NOT_FOUND = ("No ha sido encontrada ninguna Entidad que corresponda a sus criterios de búsqueda. "
             "<b>Puede registrar la entidad</b>")
DUPLICATES = (f"<b>{flow.DUPLICATES_TITLE}</b> Estas Entidades ya registradas probablemente son la suya "
              "(el mismo NIT, el mismo nombre o uno muy parecido). Si es una de ellas, selecciónela y haga clic en "
              f"«Solicitud de acceso» (o pulse Intro). Si no, marque «{flow.DIFFERENT}» para registrar la suya.")
LABELS = flow.SEARCH_LABELS


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
        nit_error = add_field(form, LABELS["nit"], self.nit)
        self.errors.register("nit", self.nit, nit_error)
        # A check digit glued on is asked about; «Separar» drops it (the search needs no DV).
        self.dv_question = DvQuestion(self.nit)
        insert_hint(nit_error, self.dv_question)
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
        self.found.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.found)
        self.results = QListWidget()
        self.results.setAccessibleName("Entidades encontradas")

        self.results.itemActivated.connect(lambda _: self.request_access())
        # Enter requests access and stops there: unconsumed, it would also press the wizard's default button.
        on_enter(self.results, self.request_access)
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
        self.nit_taken = paragraph()
        self.nit_taken.setAccessibleName("Entidad ya registrada")
        column.addWidget(self.nit_taken)
        # Registrar Entidad past probable duplicates only by saying so (the flow records it in the audit log).
        self.different = different_checkbox("registrar una Entidad nueva")
        self.different.toggled.connect(self._different_toggled)
        column.addWidget(self.different)
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
        self.errors.general = self.error
        column.addWidget(self.error)
        column.addStretch(1)
        self.scrolled(content)
        self._show_results(None)

    # --- binding ---------------------------------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802 - Qt override
        criteria = self.flow.search_criteria()
        self._loading = True
        try:
            self.pais.setCurrentIndex(max(self.pais.findText(criteria.pais), 0))
            self.nombre.setText(criteria.nombre)
            self.nit.setText(criteria.nit)
        finally:
            self._loading = False
        self.apply()
        if criteria.validada:
            self.search(record=False)
        else:
            self._show_results(None)
        self.focus_later(self.nombre)

    def apply(self) -> None:
        self.flow.set_search(self.pais.currentText(), self.nombre.text(), self.nit.text())
        if self.different.isVisibleTo(self):
            self.flow.set_different(self.different.isChecked())
        item = self.results.currentItem()
        if item is not None and self.results.isVisibleTo(self):
            self.flow.choose_entity(int(item.data(Qt.ItemDataRole.UserRole)))

    def _changed(self, *_: object) -> None:
        if self._loading:
            return
        self.apply()
        self.touch()

    def _different_toggled(self, checked: bool) -> None:
        if self._loading:
            return
        self.flow.set_different(checked)
        self.registrar.setEnabled(checked)
        self.touch()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.flow.access_request() is not None or self.flow.registering_entity

    # --- Validar ---------------------------------------------------------------------------
    def search(self, record: bool = True) -> None:
        self.apply()
        results = self.attempt(self.flow.search)
        if results is None:
            return
        if record:
            self.touch()
        shown = self._show_results(results)
        self.validar.setText("&Validar de nuevo")
        if record:
            (self.results if shown else self.registrar).setFocus()

    def _show_results(self, results: list[EntitySummary] | None) -> list[EntitySummary]:
        """Shows the search's answer; returns the Entities listed (the probable duplicates first)."""
        solicitud = self.flow.access_request()
        searched = results is not None
        # An exact NIT match is that very Entidad: the guide offers only Solicitud de acceso.
        taken = self.flow.nit_registered() if searched else None
        pending = self.flow.duplicates if searched and taken is None and not solicitud else []
        reasons = {d.entidad.id: flow.REASONS.get(d.motivo, d.motivo) for d in pending}
        results = self.flow.found() if searched else None
        self.results.clear()
        for entity in results or []:
            reason = f" — {reasons[entity.id]}" if entity.id in reasons else ""
            item = QListWidgetItem(f"{entity.nombre}\n{entity.linea}{reason}")
            item.setData(Qt.ItemDataRole.UserRole, entity.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{entity.nombre}, {entity.linea}{reason}")
            self.results.addItem(item)
        self.found.setText(DUPLICATES if pending else FOUND)
        if results:
            self.results.setCurrentRow(0)
            fit_rows(self.results, 5, 4)
        self.found.setVisible(bool(results))
        self.results.setVisible(bool(results))
        self.solicitar.setVisible(bool(results) and not solicitud)
        self.not_found.setVisible(searched and not results)
        self.registrar.setVisible(searched and not solicitud and taken is None)
        self._loading = True
        try:
            self.different.setChecked(bool(pending) and self.flow.declared_different)
        finally:
            self._loading = False
        self.different.setVisible(bool(pending))
        self.registrar.setEnabled(not pending or self.different.isChecked())
        self.nit_taken.setVisible(taken is not None and not solicitud)
        self.nit_taken.setText(flow.nit_registered_text(taken) if taken is not None else "")
        self.solicitud.setVisible(bool(solicitud))
        if solicitud:
            self.solicitud.setText(pending_text(html.escape(solicitud.nombre)))
        # isFinalPage() follows the flow; setFinalPage() is what makes QWizard re-lay its buttons.
        self.setFinalPage(bool(solicitud))
        self.completeChanged.emit()
        return results or []

    def refresh_results(self) -> None:
        """After a Solicitud de acceso made elsewhere (the form's probable duplicates): show where it stands."""
        self._show_results(self.flow.results if self.flow.search_criteria().validada else None)

    # --- the two ways on -------------------------------------------------------------------
    def request_access(self) -> None:
        if self.flow.access_request() is not None:
            return
        item = self.results.currentItem()
        if item is None:
            return
        self.flow.choose_entity(int(item.data(Qt.ItemDataRole.UserRole)))
        if self.attempt(self.flow.request_access) is None:
            return
        self.wiz.save_draft_now()
        self._show_results(self.flow.results)
        self.wiz.button(QWizard.WizardButton.FinishButton).setFocus()

    def register_entity(self) -> None:
        def choose() -> bool:
            self.flow.choose_register()
            return True

        if self.attempt(choose) is None:
            return
        self.touch()
        self.completeChanged.emit()
        self.wiz.next()
