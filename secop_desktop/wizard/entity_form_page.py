"""Paso 3, the full entity form; leaving it creates the Entity (or updates it on a second pass)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from secop_desktop.core.registration import flow
from secop_desktop.errors import FieldError
from secop_desktop.views.entity_form import EntityFormWidget
from secop_desktop.wizard.common import FlowPage, heading, paragraph

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

    def apply(self) -> None:
        self.flow.set_entity_form(self.form_widget.form())

    def _changed(self) -> None:
        if self._loading:
            return
        self.apply()
        self.touch()

    def show_errors(self, errors: list[FieldError]) -> None:
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
