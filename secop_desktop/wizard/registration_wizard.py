"""The registration QWizard: renders the flow's views and autosaves its data as a draft.

The wizard is the only module here that holds the ``Services`` bundle: it builds the flow on it,
and hands it to the two views the pages embed (the Buzón and the attachments panel). Pages reach
the services only through the flow.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import QPushButton, QWidget, QWizard

from secop_desktop.core.identity import SignedIn
from secop_desktop.core.registration import flow
from secop_desktop.core.registration.checklist import Missing
from secop_desktop.core.registration.drafts import DraftInfo
from secop_desktop.core.services import Services
from secop_desktop.errors import FieldError, ServiceError
from secop_desktop.views import geometry
from secop_desktop.views.attachments_panel import AttachmentsPanel
from secop_desktop.views.buzon import BuzonDialog
from secop_desktop.views.checklist_panel import GO_KEY, ChecklistPanel
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
# The Lista de verificación follows typing at this pace; on Anexar documentos it also rereads the
# documents this often (an attach finishes in the background).
CHECKLIST_MS = 250
DOCUMENTS_POLL_MS = 1500
# Wide enough for "✗ Información Financiera" and a short reason; 980 + this fits a 1366-pixel screen.
CHECKLIST_WIDTH = 300
COLLAPSED_WIDTH = 150


class RegistrationWizard(QWizard):
    """Registrar usuario -> Confirmar registro -> Crear o solicitar acceso a una Entidad."""

    completed = Signal(object)  # UserInfo: the registration ended (Felicitaciones, or access requested)
    draft_saved = Signal(int)

    def __init__(self, services: Services, *, draft: DraftInfo | None = None, agent: str | None = None,
                 file_chooser: Callable[[], Path | None] | None = None,
                 confirm: Callable[[str], bool] | None = None, start_user: SignedIn | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self.file_chooser = file_chooser
        self.confirm = confirm
        self.flow = (flow.RegistrationFlow.from_draft(services, draft, agent=agent) if draft
                     else flow.RegistrationFlow(services, agent=agent))
        self.save_error = ""
        self._dirty_since: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(AUTOSAVE_MS)
        self._timer.timeout.connect(self.save_draft_now)

        self.setWindowTitle("Registro")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        geometry.fit(self, 980 + CHECKLIST_WIDTH, 780, "asistente")
        self.pages: dict[str, FlowPage] = {}
        for page_class in (UserPage, ConfirmPage, EntitySearchPage, EntityTypePage, EntityFormPage,
                           AttachmentsPage, FinishPage):
            page = page_class(self)
            self.setPage(PAGE_IDS[page.VIEW], page)
            self.pages[page.VIEW] = page

        # Made after the pages, so it comes after them in the Tab order (no stops between form fields).
        self.checklist = ChecklistPanel(collapsible=True)
        self.checklist.setFixedWidth(CHECKLIST_WIDTH)
        self.checklist.go_to.connect(self.go_to)
        self.checklist.toggle.clicked.connect(self._checklist_toggled)
        self.setSideWidget(self.checklist)
        self._documents: list[str] = []
        self._checklist_timer = QTimer(self)
        self._checklist_timer.setSingleShot(True)
        self._checklist_timer.setInterval(CHECKLIST_MS)
        self._checklist_timer.timeout.connect(self.refresh_checklist)
        self._documents_timer = QTimer(self)
        self._documents_timer.setInterval(DOCUMENTS_POLL_MS)
        self._documents_timer.timeout.connect(lambda: self.refresh_checklist(documents=True))
        go_first = QShortcut(GO_KEY, self)
        go_first.setContext(Qt.ShortcutContext.WindowShortcut)
        go_first.activated.connect(self.checklist.go_to_first)

        if start_user is not None:
            # Signed in elsewhere with no Entity yet: straight to the third section of the guide.
            resumable = draft is not None and self.flow.user_id in (None, start_user.user_id)
            self.flow.start_signed_in(start_user)
            self.touch()
            start = flow.BUSCAR_ENTIDAD
            # The signed-in user's own draft (opened from the Escritorio) reopens where it was, no second sign-in.
            if draft is not None and resumable and (
                    draft.paso in (flow.TIPO_ENTIDAD, flow.FORMULARIO)
                    or (draft.paso == flow.DOCUMENTOS and self.flow.entity_id is not None)):
                start = draft.paso
        elif draft is not None:
            start = self.flow.resume_view()
        else:
            start = flow.USUARIO
        self.setStartId(PAGE_IDS[start])

        self.currentIdChanged.connect(self._page_changed)
        self.refresh_checklist(documents=True)

    @property
    def agent(self) -> str:
        return self.flow.agent

    @property
    def draft_id(self) -> int | None:
        return self.flow.draft_id

    # --- the views the pages embed -----------------------------------------------------------
    def buzon_dialog(self) -> BuzonDialog:
        """The registration that just created the user shows its activation message; a resumed draft asks
        for the password chosen in step 1, as the Buzón does for anybody."""
        dialog = BuzonDialog(self._services, registered=self.flow.receipt, parent=self)
        if self.flow.receipt is None:
            dialog.ask_for(self.flow.login or "")
        return dialog

    def attachments_panel(self, entity_id: int, *, persona_natural: bool, obligado_contabilidad: bool) -> AttachmentsPanel:
        actor = self.flow.actor
        # The Entidad was created by this signed-in user in the previous step.
        assert actor is not None
        return AttachmentsPanel(self._services, actor, owner_entity_id=entity_id, persona_natural=persona_natural,
                                obligado_contabilidad=obligado_contabilidad,
                                file_chooser=self.file_chooser, confirm=self.confirm)

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
            # Nothing is missing any more; the focus belongs to «Haga clic aquí para continuar».
            self.checklist.setVisible(False)
            self._timer.stop()
            self._say("")
        self.setWindowTitle(f"Registro - {self.flow.step_title(name)}")
        self.save_draft_now()
        self.refresh_checklist(documents=True)
        if name == flow.DOCUMENTOS and not self.flow.finished:
            self._documents_timer.start()
        else:
            self._documents_timer.stop()

    # --- Lista de verificación -----------------------------------------------------------------
    def refresh_checklist(self, documents: bool = False) -> None:
        """Recomputes the list from the flow's data; `documents` rereads what is attached (one query)."""
        self._checklist_timer.stop()
        if documents:
            self._documents = self.flow.attached_documents()
        self.checklist.set_checklist(self.flow.checklist(self._documents))

    def _checklist_toggled(self) -> None:
        self.checklist.setFixedWidth(COLLAPSED_WIDTH if self.checklist.collapsed else CHECKLIST_WIDTH)

    def go_to(self, missing: Missing) -> None:
        """Ir al primer faltante: back to a page already passed, or forward through Siguiente (whose checks may
        stop on the way, showing why), then the missing field with its reason and the focus."""
        target = PAGE_IDS.get(missing.vista)
        if target is None or self.flow.finished:
            return
        while self.currentId() != target and target in self.visitedIds()[:-1]:
            self.back()
        while self.currentId() != target and self.currentId() < target:
            before = self.currentId()
            self.next()
            if self.currentId() == before:
                return  # refused: the page shows why, that is what is missing first
        if self.currentId() != target:
            return
        page = self.pages[missing.vista]
        self._show_missing(page, missing)

    def _show_missing(self, page: FlowPage, missing: Missing) -> None:
        if missing.vista == flow.DOCUMENTOS:
            # The row's own «Anexar documento»: Space or Enter on it opens the file chooser.
            for button in page.findChildren(QPushButton):
                if button.accessibleDescription() == missing.etiqueta and button.text().replace("&", "") \
                        == "Anexar documento" and button.isVisibleTo(page):
                    button.setFocus(Qt.FocusReason.OtherFocusReason)
                    return
            return
        if not missing.campo:
            return
        form_widget = getattr(page, "form_widget", None)
        widget = form_widget.field_widget(missing.campo) if form_widget is not None else page.errors.widget(missing.campo)
        if widget is None:
            return
        if widget.isEnabled():
            page.show_errors([FieldError(missing.campo, missing.etiqueta, missing.mensaje)])
        widget.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- drafts ----------------------------------------------------------------------------
    def touch(self) -> None:
        """Something was typed: write the draft soon (debounced), and never later than a second."""
        if self.flow.finished:
            return
        self._checklist_timer.start()
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
        try:
            draft_id = self.flow.save_draft()
        except (ServiceError, OSError) as exc:
            # Typing goes on; the next keystroke retries. The header says the draft is not safe.
            self.save_error = f"No se pudo guardar el borrador: {exc.__class__.__name__}"
            self._say(self.save_error)
            return
        if draft_id is None:
            return
        self.save_error = ""
        self._say(f"Borrador guardado {datetime.now():%I:%M:%S %p}")
        self.draft_saved.emit(draft_id)

    def _say(self, text: str) -> None:
        for page in self.pages.values():
            page.header.saved.setText(text)

    # --- ending ----------------------------------------------------------------------------
    def accept(self) -> None:
        if not self.flow.finished:
            page = self.currentPage()
            if isinstance(page, FlowPage) and page.attempt(self.flow.finish) is None:
                return
        self._documents_timer.stop()
        self._timer.stop()
        account = self.flow.account()
        if account is not None:
            self.completed.emit(account)
        super().accept()

    def reject(self) -> None:
        self._documents_timer.stop()
        # Cancelar keeps the registration as a pending draft, with what was typed up to now.
        if not self.flow.finished and self._timer.isActive():
            self.save_draft_now()
        attachments = self.pages.get(flow.DOCUMENTOS)
        if isinstance(attachments, AttachmentsPage) and attachments.panel is not None:
            attachments.panel.cancel_all()
        super().reject()
