"""Confirmación de registro de la Entidad: the guide's Felicitaciones, then the Escritorio."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from secop_desktop.core.registration import flow
from secop_desktop.wizard.common import FlowPage, heading, paragraph

if TYPE_CHECKING:
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

CONTINUAR = "Haga clic aquí para &continuar >"
ACTUALIZAR = "Para actualizar el registro concluya la sesión."


class FinishPage(FlowPage):
    VIEW = flow.FELICITACIONES

    def __init__(self, wizard: RegistrationWizard) -> None:
        super().__init__(wizard)
        self.setButtonText(QWizard.WizardButton.FinishButton, CONTINUAR)
        self.body.addWidget(heading("Confirmación de registro de la Entidad"))
        update_note = paragraph(ACTUALIZAR)
        update_note.setAccessibleName(ACTUALIZAR)
        self.body.addWidget(update_note)
        self.message = paragraph()
        self.message.setAccessibleName("Felicitaciones")
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.body.addWidget(self.message)
        self.body.addSpacing(16)
        self.body.addWidget(heading("Lo que necesita saber"))
        self.body.addWidget(paragraph(
            "• Desde el Escritorio puede ver sus Mensajes, sus registros y las oportunidades de negocio.\n"
            "• Como usuario administrador, acepte en «Administración de usuarios» las solicitudes de acceso "
            "de los usuarios de su empresa.\n"
            "• Si tiene alguna duda, consulte a la Mesa de servicio: Bogotá 7456788, Nacional 018000 520808."))
        self.body.addStretch(1)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        text = self.flow.congratulations()
        first, rest = text.split("\n", 1)
        self.message.setText(f"<p style='font-size:large'><b>{html.escape(first)}</b><br>"
                             + html.escape(rest).replace("\n", "<br>") + "</p>")
        self.message.setProperty("plain_text", text)
        self.wiz.button(QWizard.WizardButton.FinishButton).setFocus()
