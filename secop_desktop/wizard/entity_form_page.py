"""Paso 3, the full entity form; leaving it creates the Entity (or updates it on a second pass)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from secop_desktop.core.entities.service import validate_entity
from secop_desktop.core.registration import flow
from secop_desktop.errors import ServiceError, ValidationError
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

    def _changed(self) -> None:
        if self._loading:
            return
        self.flow.set_entity_form(self.form_widget.form())
        self.touch()

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        form = self.form_widget.form()
        self.flow.set_entity_form(form)
        errors = self.form_widget.input_errors() + validate_entity(form)
        if errors:
            self.form_widget.show_errors(errors)
            return False
        user = self.wiz.user
        if user is None:
            return False
        entity_id = self.flow.data.get("entity_id")
        try:
            if entity_id is None:
                record = self.wiz.services.entities.create(user.id, form)
            else:
                record = self.wiz.services.entities.update(user.id, int(entity_id),
                                                           int(self.flow.data["entity_version"]), form)
        except ValidationError as exc:
            self.form_widget.show_errors(exc.errors)
            return False
        except ServiceError as exc:
            self.form_widget.general_error.show_message(exc.message)
            self.form_widget.scroll_area.ensureWidgetVisible(self.form_widget.general_error)
            return False
        self.flow.entity_saved(record)
        self.form_widget.clear_errors()
        self.wiz.save_draft_now()
        return True
