"""The registration QWizard: renders the flow's views and autosaves its data as a draft."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QWidget, QWizard
from sqlalchemy.exc import SQLAlchemyError

from secop_desktop.core.accounts.users import UserInfo
from secop_desktop.core.registration import flow
from secop_desktop.core.registration.drafts import DraftInfo, current_agent
from secop_desktop.core.services import Services
from secop_desktop.views import geometry
from secop_desktop.wizard.attachments_page import AttachmentsPage
from secop_desktop.wizard.common import PAGE_IDS, FlowPage
from secop_desktop.wizard.confirm_page import ConfirmPage
from secop_desktop.wizard.entity_form_page import EntityFormPage
from secop_desktop.wizard.entity_search_page import EntitySearchPage
from secop_desktop.wizard.entity_type_page import EntityTypePage
from secop_desktop.wizard.finish_page import FinishPage
from secop_desktop.wizard.user_page import UserPage

# Typing pauses this long before the draft is written; while typing never pauses, it is written
# at least this often too. Either way a crash loses under a second of typing.
AUTOSAVE_MS = 500


class RegistrationWizard(QWizard):
    """Registrar usuario -> Confirmar registro -> Crear o solicitar acceso a una Entidad."""

    completed = Signal(object)  # UserInfo: the registration ended (Felicitaciones, or access requested)
    draft_saved = Signal(int)

    def __init__(self, services: Services, *, draft: DraftInfo | None = None, agent: str | None = None,
                 file_chooser: Callable[[], Path | None] | None = None,
                 confirm: Callable[[str], bool] | None = None, start_user: UserInfo | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.agent = agent or current_agent()
        self.file_chooser = file_chooser
        self.confirm = confirm
        self.flow = flow.RegistrationFlow(draft.datos if draft else None)
        self.draft_id: int | None = draft.id if draft else None
        self.user: UserInfo | None = None
        self.save_error = ""
        self._finished = False
        self._dirty_since: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save_draft_now)

        self.setWindowTitle("Registro")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        geometry.fit(self, 980, 780, "asistente")
        self.pages: dict[str, FlowPage] = {}
        for page_class in (UserPage, ConfirmPage, EntitySearchPage, EntityTypePage, EntityFormPage,
                           AttachmentsPage, FinishPage):
            page = page_class(self)
            self.setPage(PAGE_IDS[page.VIEW], page)
            self.pages[page.VIEW] = page

        if start_user is not None:
            # Signed in elsewhere with no Entity yet: straight to the third section of the guide.
            self.flow.start_signed_in(start_user)
            self.signed_in(start_user)
            start = flow.BUSCAR_ENTIDAD
        elif draft is not None:
            start = self.flow.resume_view()
        else:
            start = flow.USUARIO
        self.setStartId(PAGE_IDS[start])

        self.currentIdChanged.connect(self._page_changed)

    # --- navigation ------------------------------------------------------------------------
    def view_of(self, page_id: int) -> str | None:
        for name, pid in PAGE_IDS.items():
            if pid == page_id:
                return name
        return None

    def current_view(self) -> str | None:
        return self.view_of(self.currentId())

    def _page_changed(self, page_id: int) -> None:
        name = self.view_of(page_id)
        if name is None:
            return
        self.flow.enter(name)
        if name == flow.FELICITACIONES:
            # Nothing to go back to or cancel: the guide's page has only "Haga clic aquí para continuar".
            self.setButtonLayout([QWizard.WizardButton.Stretch, QWizard.WizardButton.FinishButton])
        self.setWindowTitle(f"Registro - {self.flow.step_title(name)}")
        if not self._finished:
            self.save_draft_now()

    def signed_in(self, user: UserInfo) -> None:
        self.user = user
        self.flow.confirmed(user)
        self.touch()

    # --- drafts ----------------------------------------------------------------------------
    def touch(self) -> None:
        """Something was typed: write the draft soon (debounced), and never later than a second."""
        if self._finished:
            return
        now = time.monotonic()
        if self._dirty_since is None:
            self._dirty_since = now
        if now - self._dirty_since >= AUTOSAVE_MS / 1000:
            self.save_draft_now()
        else:
            self._timer.start()

    def save_draft_now(self) -> None:
        self._timer.stop()
        self._dirty_since = None
        if self._finished or (self.draft_id is None and not self.flow.has_input()):
            return
        try:
            self.draft_id = self.services.drafts.save(self.draft_id, self.agent, self.flow.current,
                                                      self.flow.draft(), self.flow.title())
        except (SQLAlchemyError, OSError) as exc:
            # Typing goes on; the next keystroke retries. The header says the draft is not safe.
            self.save_error = f"No se pudo guardar el borrador: {exc.__class__.__name__}"
            self._say(self.save_error)
            return
        self.save_error = ""
        self._say(f"Borrador guardado {datetime.now():%I:%M:%S %p}")
        self.draft_saved.emit(self.draft_id)

    def _say(self, text: str) -> None:
        for page in self.pages.values():
            page.header.saved.setText(text)

    def registration_finished(self) -> None:
        """The registration is complete: its draft has nothing left to restore."""
        self._finished = True
        self._timer.stop()
        if self.draft_id is not None:
            self.services.drafts.discard(self.draft_id)
            self.draft_id = None
        self._say("")

    # --- ending ----------------------------------------------------------------------------
    def accept(self) -> None:
        if not self._finished:
            self.registration_finished()
        if self.user is not None:
            self.completed.emit(self.user)
        super().accept()

    def reject(self) -> None:
        # Cancelar keeps the registration as a pending draft, with what was typed up to now.
        if not self._finished and self._timer.isActive():
            self.save_draft_now()
        attachments = self.pages.get(flow.DOCUMENTOS)
        if isinstance(attachments, AttachmentsPage) and attachments.panel is not None:
            attachments.panel.cancel_all()
        super().reject()
