"""Paso 3, Anexar documentos: the attachment panel, the Términos y condiciones and Finalizar."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QWizard

from secop_desktop.core.registration import flow
from secop_desktop.views.attachments_panel import AttachmentsPanel
from secop_desktop.views.widgets import ErrorLabel
from secop_desktop.wizard.common import TERMINOS, TERMINOS_TITULO, FlowPage, paragraph

if TYPE_CHECKING:
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

AGREEMENT = f'Pulsando en Finalizar está de acuerdo con <a href="#terminos">{TERMINOS_TITULO}</a>.'


class AttachmentsPage(FlowPage):
    VIEW = flow.DOCUMENTOS

    def __init__(self, wizard: RegistrationWizard) -> None:
        super().__init__(wizard)
        # After Finalizar the registration is complete: Atrás must not reopen it.
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, wizard.buttonText(QWizard.WizardButton.FinishButton))
        self.panel: AttachmentsPanel | None = None
        self._panel_for: tuple[int, bool, bool] | None = None
        self.agreement = paragraph(AGREEMENT)
        self.agreement.setTextFormat(Qt.TextFormat.RichText)
        self.agreement.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.agreement.setAccessibleName("Términos y condiciones")
        self.terms = paragraph(TERMINOS)
        self.terms.setAccessibleName(TERMINOS_TITULO)
        self.terms.setVisible(False)
        self.agreement.linkActivated.connect(lambda _: self.terms.setVisible(not self.terms.isVisible()))
        self.body.addWidget(self.agreement)
        self.body.addWidget(self.terms)
        self.error = ErrorLabel("Finalizar", self)
        self.errors.general = self.error
        self.body.addWidget(self.error)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        entity_id = self.flow.entity_id
        assert entity_id is not None  # the form's accept created the Entidad
        form = self.flow.entity_form()
        key = (entity_id, self.flow.persona_natural, form.obligado_contabilidad)
        if self.panel is None:
            self.panel = self.wiz.attachments_panel(entity_id, persona_natural=key[1], obligado_contabilidad=key[2])
            self.panel.completeChanged.connect(lambda _: self.completeChanged.emit())
            self.panel.set_finish_button(self.wiz.button(QWizard.WizardButton.CommitButton))
            self.body.insertWidget(0, self.panel, 1)
        elif key != self._panel_for:
            self.panel.set_owner(entity_id)
            self.panel.set_variant(key[1], key[2])
        self._panel_for = key
        self.panel.refresh()
        self.completeChanged.emit()
        # After QWizard's own focus on the page: the first Anexar documento still needed (or Finalizar).
        QTimer.singleShot(0, self.panel, self.panel.focus_next)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.panel is not None and self.panel.is_complete()

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        """Finalizar: the flow checks the mandatory documents and closes the registration."""
        return self.isComplete() and super().validatePage()

    def cleanupPage(self) -> None:  # noqa: N802 - Qt override
        # Atrás to the form: copies still running are cancelled rather than left behind.
        if self.panel is not None:
            self.panel.cancel_all()
