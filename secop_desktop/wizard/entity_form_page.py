"""Paso 3, the full entity form; leaving it creates the Entity (or updates it on a second pass)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWizard,
)

from secop_desktop.core.registration import flow
from secop_desktop.errors import FieldError, ServiceError
from secop_desktop.views.entity_form import EntityFormWidget
from secop_desktop.views.widgets import ErrorLabel
from secop_desktop.wizard.common import FlowPage, different_checkbox, fit_rows, heading, on_enter, paragraph
from secop_desktop.wizard.entity_search_page import EntitySearchPage

if TYPE_CHECKING:
    from secop_desktop.wizard.registration_wizard import RegistrationWizard


class EntityFormPage(FlowPage):
    VIEW = flow.FORMULARIO

    def __init__(self, wizard: RegistrationWizard) -> None:
        super().__init__(wizard)
        self._loading = False
        self.body.addWidget(heading("Formulario de registro de una nueva Entidad"))
        self.body.addWidget(paragraph(
            "Diligencie los datos generales y la información de contacto de la cuenta del Proveedor. "
            "La información financiera es opcional; los datos del representante legal son obligatorios."))
        self.form_widget = EntityFormWidget()
        self.form_widget.changed.connect(self._changed)
        self.body.addWidget(self.form_widget, 1)
        # After the form in the Tab order too: it appears only when saving found probable duplicates.
        self.duplicates = DuplicatesBox(self)
        self.body.addWidget(self.duplicates)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self._loading = True
        try:
            self.form_widget.set_form(self.flow.entity_form())
        finally:
            self._loading = False
        self.form_widget.scroll_area.verticalScrollBar().setValue(0)
        first = self.form_widget.field_widget("nombre")
        if first is not None:
            self.focus_later(first)
        self.duplicates.refresh()

    def apply(self) -> None:
        self.flow.set_entity_form(self.form_widget.form())

    def _changed(self) -> None:
        if self._loading:
            return
        self.apply()
        self.touch()

    def show_errors(self, errors: list[FieldError]) -> None:
        self.duplicates.refresh()
        self.form_widget.show_errors(errors)

    def show_refusal(self, message: str, field: str | None = None) -> None:
        self.form_widget.general_error.show_message(message)
        self.form_widget.scroll_area.ensureWidgetVisible(self.form_widget.general_error)

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """Siguiente: the flow creates the Entidad (or updates it on a second pass)."""
        self.apply()
        typing = self.form_widget.input_errors()
        if typing:
            # Money or years that do not parse never reach the flow: shown with the guide's rules.
            self.show_errors(typing + self.flow.entity_errors())
            return False
        return super().validatePage()

    def accepted(self) -> None:
        self.form_widget.clear_errors()
        self.duplicates.refresh()

    def request_access(self, entity_id: int) -> None:
        """Solicitud de acceso instead of a new Entidad: back to the search page, which now ends with Finalizar."""
        self.flow.choose_entity(entity_id)
        if self.duplicates.attempt_request() is None:
            return
        self.wiz.save_draft_now()
        search = self.wiz.pages[flow.BUSCAR_ENTIDAD]
        while self.wiz.currentPage() is not search and self.wiz.currentId() != -1:
            self.wiz.back()
        if isinstance(search, EntitySearchPage):
            search.refresh_results()
        self.wiz.button(QWizard.WizardButton.FinishButton).setFocus()


class DuplicatesBox(QFrame):
    """¿Su Entidad es alguna de estas?, on the form: the same choices as on the search page."""

    def __init__(self, page: EntityFormPage) -> None:
        super().__init__()
        self.page = page
        self.setFrameShape(QFrame.Shape.StyledPanel)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 4, 6, 4)
        self.title = paragraph(
            f"<b>{flow.DUPLICATES_TITLE}</b> Con el nombre y la ciudad del formulario, estas Entidades ya "
            "registradas probablemente son la suya.")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.title)
        self.list = QListWidget()
        self.list.setAccessibleName("Entidades parecidas")
        self.list.itemActivated.connect(lambda _: self._request())
        on_enter(self.list, self._request)
        column.addWidget(self.list)
        row = QHBoxLayout()
        self.solicitar = QPushButton("Solicitud de a&cceso")
        self.solicitar.clicked.connect(self._request)
        row.addWidget(self.solicitar)
        self.different = different_checkbox("guardar la Entidad")
        self.different.toggled.connect(self._toggled)
        row.addWidget(self.different)
        row.addStretch(1)
        column.addLayout(row)
        self.error = ErrorLabel("Solicitud de acceso", self)
        column.addWidget(self.error)
        self._loading = False
        self.setVisible(False)

    def refresh(self) -> None:
        flow_ = self.page.flow
        pending = flow_.duplicates if flow_.current == flow.FORMULARIO else []
        self.list.clear()
        for d in pending:
            item = QListWidgetItem(flow.duplicate_line(d))
            item.setData(Qt.ItemDataRole.UserRole, d.entidad.id)
            self.list.addItem(item)
        if pending:
            self.list.setCurrentRow(0)
            fit_rows(self.list, 3, 8)
        # Once the Entidad exists, asking for access to another one is no longer this registration's way out.
        self.solicitar.setVisible(flow_.entity_id is None)
        self._loading = True
        try:
            self.different.setChecked(bool(pending) and flow_.declared_different)
        finally:
            self._loading = False
        self.error.show_message("")
        self.setVisible(bool(pending))

    def _toggled(self, checked: bool) -> None:
        if not self._loading:
            self.page.flow.set_different(checked)
            self.page.touch()

    def _request(self) -> None:
        item = self.list.currentItem()
        if item is not None and self.solicitar.isVisible():
            self.page.request_access(int(item.data(Qt.ItemDataRole.UserRole)))

    def attempt_request(self) -> object | None:
        try:
            return self.page.flow.request_access()
        except ServiceError as exc:
            self.error.show_message(exc.message)
            return None

