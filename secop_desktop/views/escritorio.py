"""The Escritorio after signing in: account switcher, menus of the guide, the account's configuration pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.entities.service import Registration
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.registration import flow
from secop_desktop.core.registration.checklist import Checklist, Missing, checklist
from secop_desktop.core.registration.drafts import DraftInfo, current_agent
from secop_desktop.core.services import Services
from secop_desktop.errors import FieldError, PermissionDenied, ServiceError
from secop_desktop.views import contrast, geometry
from secop_desktop.views.admin_window import AdminWindow, open_admin_for
from secop_desktop.views.areas_interes import AreasInteresPage
from secop_desktop.views.buzon import BuzonWidget
from secop_desktop.views.checklist_panel import GO_FIRST, ChecklistPanel
from secop_desktop.views.datos_entidad import DatosEntidadPage
from secop_desktop.views.escritorio_inicio import Cuenta, InicioPage
from secop_desktop.views.mis_registros import MisRegistrosPage
from secop_desktop.views.suscripciones import SuscripcionesPage
from secop_desktop.views.widgets.confirm import Confirm, ask_with_message_box
from secop_desktop.views.widgets.messages import MessageLabel
from secop_desktop.vocab import MESA_DE_SERVICIO, TIPOS_PLURALES, ZONA_IANA, Acceso

INICIO = "Escritorio"
MIS_REGISTROS = "Mis registros"
DATOS = "Datos de la Entidad"
AREAS = "Áreas de interés"
ADMINISTRACION = "Administración de usuarios"
RECOMENDACIONES = "Recomendaciones (no disponible)"
BIBLIOTECA = "Biblioteca de documentos"
SUSCRIPCIONES = "Suscripción a notificaciones"
BUZON = "Buzón"
MESA = "Mesa de servicio"

# The guide's "Configuración de la Entidad Estatal/Proveedor" side menu, in its order.
ENTITY_MENU = (DATOS, AREAS, ADMINISTRACION, RECOMENDACIONES, BIBLIOTECA, SUSCRIPCIONES)
ENTITY_PAGES = frozenset({DATOS, AREAS, BIBLIOTECA, SUSCRIPCIONES})
CRUMBS = {
    INICIO: "Escritorio",
    MIS_REGISTROS: "Escritorio → Configuraciones del usuario → Mis registros",
    BUZON: "Escritorio → Buzón",
    MESA: "Escritorio → Mesa de servicio",
}
REFRESH_MS = 30_000
PENDIENTE = "Registro sin terminar"


def account_label(cuenta: Cuenta) -> str:
    if cuenta.tipo_organizacion in TIPOS_PLURALES:
        return f"{cuenta.nombre} ({cuenta.tipo_organizacion})"
    if cuenta.persona_natural:
        return f"{cuenta.nombre} (Persona natural)"
    return cuenta.nombre


class Escritorio(QMainWindow):
    signed_out = Signal()

    def __init__(self, services: Services, actor: SignedIn, *, confirm: Confirm | None = None,
                 file_chooser: Callable[[], Path | None] | None = None,
                 open_url: Callable[[QUrl], object] | None = None, agent: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.agent = agent or current_agent()  # the desk's drafts belong to the operating-system user
        self.actor = actor  # who signed in: every service call below acts as this user
        self.user = services.users.profile(actor)  # name and time zone to show
        self.confirm = confirm or ask_with_message_box(self)
        self.file_chooser = file_chooser
        self.interests = services.interests
        self.cuentas: list[Cuenta] = []
        self.cuenta: Cuenta | None = None
        self.registrations: list[Registration] = []
        self.admin_window: AdminWindow | None = None
        self._entity_pages: dict[str, QWidget] = {}
        self.current_page = INICIO
        geometry.fit(self, 1240, 820, "escritorio")

        central = QWidget()
        outer = QVBoxLayout(central)
        outer.addLayout(self._header())
        self.crumb = QLabel()
        self.crumb.setAccessibleName("Ubicación")
        outer.addWidget(self.crumb)
        body = QHBoxLayout()
        self.side = QListWidget()
        self.side.setAccessibleName("Configuración de la Entidad")
        self.side.setMaximumWidth(230)
        for name in ENTITY_MENU:
            item = QListWidgetItem(name)
            if name == RECOMENDACIONES:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.side.addItem(item)
        self.side.itemActivated.connect(lambda item: self.show_page(item.text()))
        self.side.itemClicked.connect(lambda item: self.show_page(item.text()))
        body.addWidget(self.side)
        self.stack = QStackedWidget()
        body.addWidget(self.stack, 1)
        body.addWidget(self._pending_box())
        outer.addLayout(body, 1)
        self.message = MessageLabel()
        outer.addWidget(self.message)
        self.setCentralWidget(central)

        self.inicio = InicioPage(services, actor)
        self.inicio.accept_users.connect(lambda: self.open_admin(Acceso.PENDIENTE.value))
        self.inicio.open_buzon.connect(lambda: self.show_page(BUZON))
        self.inicio.open_registros.connect(lambda: self.show_page(MIS_REGISTROS))
        self.mis_registros = MisRegistrosPage(services, actor, zona=self.user.zona_horaria)
        self.mis_registros.requested.connect(lambda _: self.refresh())
        self.buzon = BuzonWidget(services, self.actor, open_url=open_url)
        self.buzon.unread_changed.connect(self._show_unread)
        self.mesa = QLabel(f"<h2>Mesa de servicio</h2><p>Es la puerta de entrada a Colombia Compra Eficiente donde "
                           f"podrá consultar y obtener información sobre todo el portafolio de nuestros servicios."
                           f"</p><p>{MESA_DE_SERVICIO.replace(chr(10), '<br>')}</p>")
        self.mesa.setWordWrap(True)
        self.mesa.setAccessibleName("Mesa de servicio")
        self.pages: dict[str, QWidget] = {INICIO: self.inicio, MIS_REGISTROS: self.mis_registros,
                                          BUZON: self.buzon, MESA: self.mesa}
        for page in self.pages.values():
            self.stack.addWidget(page)
        self._menus()

        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()
        self._clock_timer = QTimer(self)
        self._clock_timer.setInterval(1000)
        self._clock_timer.timeout.connect(self._show_clock)
        self._clock_timer.start()
        self.load_accounts()
        self.show_page(INICIO)

    # --- construction ------------------------------------------------------------------
    def _header(self) -> QHBoxLayout:
        header = QHBoxLayout()
        brand = QLabel("<b>Colombia Compra Eficiente</b> · SECOP II")
        header.addWidget(brand)
        header.addStretch(1)
        self.contraste = QCheckBox("Aumentar el &contraste")
        self.contraste.setAccessibleName(contrast.LABEL)
        self.contraste.setChecked(contrast.is_enabled())
        self.contraste.toggled.connect(contrast.toggle)
        header.addWidget(self.contraste)
        self.clock = QLabel()
        self.clock.setAccessibleName("Hora")
        header.addWidget(self.clock)
        caption = QLabel("Cuen&ta:")
        self.account = QComboBox()
        self.account.setAccessibleName("Cuenta")
        self.account.setMinimumWidth(260)
        caption.setBuddy(self.account)
        header.addWidget(caption)
        header.addWidget(self.account)
        self.rol = QLabel()
        self.rol.setAccessibleName("Rol")
        header.addWidget(self.rol)
        self.buzon_button = QPushButton("Buzón")
        self.buzon_button.setAccessibleName("Buzón")
        self.buzon_button.clicked.connect(lambda: self.show_page(BUZON))
        header.addWidget(self.buzon_button)
        self.user_label = QLabel(f"{self.user.nombre} ({self.user.usuario})")
        self.user_label.setAccessibleName("Usuario")
        header.addWidget(self.user_label)
        self.account.currentIndexChanged.connect(self._account_changed)
        return header

    def _pending_box(self) -> QGroupBox:
        """Lista de verificación of the user's unfinished registration, beside the Escritorio's first page."""
        self.pending = QGroupBox(PENDIENTE)
        self.pending.setAccessibleName(PENDIENTE)
        layout = QVBoxLayout(self.pending)
        self.pending_title = QLabel()
        self.pending_title.setWordWrap(True)
        self.pending_title.setAccessibleName(PENDIENTE)
        layout.addWidget(self.pending_title)
        self.checklist = ChecklistPanel()
        self.checklist.go_to.connect(self.go_to_missing)
        layout.addWidget(self.checklist, 1)
        self.pending.setFixedWidth(300)
        self.pending.setVisible(False)
        self.pending_draft: DraftInfo | None = None
        self.pending_entity: int | None = None
        self.wizard: QWidget | None = None
        return self.pending

    def _menus(self) -> None:
        bar = self.menuBar()
        escritorio = bar.addMenu("&Escritorio")
        self._action(escritorio, "Ir al escritorio", lambda: self.show_page(INICIO), "Ctrl+Home")
        self._action(escritorio, f"Lista de verificación: {GO_FIRST}", self.go_to_first_missing, "F8")
        self._action(escritorio, "Buzón", lambda: self.show_page(BUZON), "Ctrl+B")
        escritorio.addSeparator()
        self._action(escritorio, "Cerrar sesión", self.sign_out, "Ctrl+Q")
        usuario = bar.addMenu("Configuraciones del &usuario")
        self._action(usuario, MIS_REGISTROS, lambda: self.show_page(MIS_REGISTROS), "Ctrl+R")
        self.entity_menu = bar.addMenu("Con&figuración de la Entidad")
        self.entity_actions: dict[str, QAction] = {}
        for name in ENTITY_MENU:
            action = self._action(self.entity_menu, name, partial(self.show_page, name))
            action.setEnabled(name != RECOMENDACIONES)
            self.entity_actions[name] = action
        ayuda = bar.addMenu("A&yuda")
        self._action(ayuda, MESA, lambda: self.show_page(MESA), "F1")
        from secop_desktop.views.lookup_window import add_lookup_action  # «Buscar proveedor», Ctrl+F

        self.lookup = add_lookup_action(self, self.services, lambda: self.actor)

    def _action(self, menu: QMenu, text: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        return action

    # --- accounts ----------------------------------------------------------------------
    def load_accounts(self, keep: int | None = None) -> None:
        """Accounts where the user's access is Aceptado and active; a user may have several."""
        self.registrations = self.services.entities.my_registrations(self.actor)
        cuentas = []
        for reg in self.registrations:
            if reg.estado != Acceso.ACEPTADO.value or not reg.activo:
                continue
            record = self.services.entities.get(self.actor, reg.entity_id)
            cuentas.append(Cuenta(reg.entity_id, reg.entidad, reg.nit, record.form.tipo_organizacion,
                                  record.persona_natural, reg.es_administrador, reg.es_proveedor))
        self.cuentas = cuentas
        current = keep if keep is not None else (self.cuenta.entity_id if self.cuenta else None)
        self.account.blockSignals(True)
        self.account.clear()
        for cuenta in cuentas:
            self.account.addItem(account_label(cuenta), cuenta.entity_id)
        if not cuentas:
            self.account.addItem("Sin cuenta asociada", None)
        index = max(self.account.findData(current), 0) if current is not None else 0
        self.account.setCurrentIndex(index)
        self.account.setEnabled(len(cuentas) > 1)
        self.account.blockSignals(False)
        self._account_changed(index)

    def _account_changed(self, index: int) -> None:
        entity_id = self.account.itemData(index)
        cuenta = next((c for c in self.cuentas if c.entity_id == entity_id), None)
        changed = cuenta != self.cuenta
        on_entity_page = self.stack.currentWidget() in self._entity_pages.values()
        self.cuenta = cuenta
        if changed:
            self._drop_entity_pages()
        self.rol.setText(f"Rol: {cuenta.rol}" if cuenta else "")
        self.entity_menu.setEnabled(cuenta is not None)
        self.side.setEnabled(cuenta is not None)
        self.entity_actions[ADMINISTRACION].setEnabled(bool(cuenta and cuenta.es_administrador))
        self.setWindowTitle(f"Escritorio - {cuenta.nombre}" if cuenta else "Escritorio")
        self._show_clock()
        self.refresh()
        if changed and on_entity_page:
            self.show_page(INICIO)  # the page belonged to the previous account

    def _drop_entity_pages(self) -> None:
        for page in self._entity_pages.values():
            self.stack.removeWidget(page)
            page.deleteLater()
        self._entity_pages = {}

    # --- pages -------------------------------------------------------------------------
    def show_page(self, name: str) -> None:
        if name == ADMINISTRACION:
            self.open_admin()
            return
        if name == RECOMENDACIONES:
            return
        if name in ENTITY_PAGES:
            if self.cuenta is None:
                self.message.show_error("Primero debe tener acceso aceptado a una cuenta. Vaya a "
                                        "'Configuraciones del Usuario > Mis registros'.")
                return
            page = self.entity_page(name)
        else:
            page = self.pages[name]
        self.message.clear()
        if name == MIS_REGISTROS:
            self.mis_registros.refresh()
        elif name == BUZON:
            self.buzon.refresh()
        elif name == INICIO:
            self.refresh()
        self.stack.setCurrentWidget(page)
        self.pending.setVisible(name == INICIO and self.checklist.checklist is not None)
        self.side.setVisible(name in ENTITY_PAGES)
        if name in ENTITY_PAGES:
            self.side.setCurrentRow(ENTITY_MENU.index(name))
            self.crumb.setText(f"Escritorio → Configuración Entidad Estatal/Proveedor → {name}")
        else:
            self.crumb.setText(CRUMBS[name])
        self.current_page = name

    def entity_page(self, name: str) -> QWidget:
        """Built on first use for the current account (the entity form and documents are heavy)."""
        assert self.cuenta is not None
        page = self._entity_pages.get(name)
        if page is not None:
            return page
        cuenta = self.cuenta
        if name == DATOS:
            page = DatosEntidadPage(self.services, self.actor, cuenta.entity_id, editable=cuenta.es_administrador)
            page.saved.connect(lambda _: self.load_accounts())
        elif name == AREAS:
            page = AreasInteresPage(self.interests, self.actor, cuenta.entity_id,
                                    editable=cuenta.es_administrador, confirm=self.confirm)
        elif name == BIBLIOTECA:
            page = self._biblioteca(cuenta)
        else:
            page = SuscripcionesPage(self.services, self.actor)
            page.changed.connect(self.refresh)
        self._entity_pages[name] = page
        self.stack.addWidget(page)
        return page

    def _biblioteca(self, cuenta: Cuenta) -> QWidget:
        from secop_desktop.views.attachments_panel import AttachmentsPanel

        record = self.services.entities.get(self.actor, cuenta.entity_id)
        wrapper = QWidget()
        layout = QVBoxLayout(wrapper)
        layout.addWidget(QLabel("<h2>Biblioteca de documentos</h2>"))
        kwargs: dict[str, object] = {}
        if self.file_chooser is not None:
            kwargs["file_chooser"] = self.file_chooser
        panel = AttachmentsPanel(self.services, self.actor, owner_entity_id=cuenta.entity_id,
                                 persona_natural=record.persona_natural,
                                 obligado_contabilidad=record.form.obligado_contabilidad,
                                 confirm=self.confirm, **kwargs)  # type: ignore[arg-type]
        if not cuenta.es_administrador:
            note = QLabel("Solo los administradores de la cuenta pueden anexar o borrar documentos.")
            note.setWordWrap(True)
            layout.addWidget(note)
            panel.setEnabled(False)
        layout.addWidget(panel, 1)
        wrapper.setAccessibleName(BIBLIOTECA)
        self.attachments = panel
        return wrapper

    # --- refresh -----------------------------------------------------------------------
    def refresh(self) -> None:
        self.registrations = self.services.entities.my_registrations(self.actor)
        subscriptions = sum(self.services.mailbox.subscriptions(self.actor).values())
        areas = sum(a.activo for a in self.interests.list(self.actor, self.cuenta.entity_id)) if self.cuenta else 0
        self.inicio.refresh(self.cuenta, self.registrations, subscriptions=subscriptions, areas=areas)
        self._show_unread(self.buzon.unread_count())
        self.refresh_pending()

    # --- the unfinished registration ---------------------------------------------------------
    def _unfinished(self) -> tuple[str, Checklist, DraftInfo | None, int | None] | None:
        """This user's draft on this computer, else the current account while the user administers it and
        something is missing (a mandatory document, usually)."""
        mine = [d for d in self.services.drafts.list(self.agent) if d.datos.get("user_id") == self.actor.user_id]
        for draft in sorted(mine, key=lambda d: d.actualizado_en, reverse=True):
            entity_id = draft.datos.get("entity_id")
            try:
                lista = (checklist(draft.datos) if entity_id is None
                         else self.services.entities.checklist(self.actor, int(entity_id), draft.datos))
            except ServiceError:
                continue
            if not lista.completa:
                return f"Borrador: {draft.titulo}", lista, draft, None
        cuenta = self.cuenta
        if cuenta is not None and cuenta.es_administrador:
            lista = self.services.entities.checklist(self.actor, cuenta.entity_id)
            if not lista.completa:
                return cuenta.nombre, lista, None, cuenta.entity_id
        return None

    def refresh_pending(self) -> None:
        found = self._unfinished()
        if found is None:
            self.pending_draft = self.pending_entity = None
            self.checklist.clear()
            self.pending.setVisible(False)
            return
        titulo, lista, self.pending_draft, self.pending_entity = found
        self.pending_title.setText(f"{titulo}: {lista.porcentaje} % completa")
        self.checklist.set_checklist(lista)
        self.pending.setVisible(self.stack.currentWidget() is self.inicio)

    def go_to_first_missing(self) -> None:
        if self.checklist.checklist is None:
            self.refresh_pending()
        self.checklist.go_to_first()

    def go_to_missing(self, missing: Missing) -> None:
        """Where the missing thing is completed: the wizard for a draft; Biblioteca de documentos or Datos de
        la Entidad for an account already registered."""
        if self.pending_draft is not None:
            self._open_wizard(self.pending_draft, missing)
            return
        if self.pending_entity is None or self.cuenta is None or self.cuenta.entity_id != self.pending_entity:
            return
        if missing.vista == flow.DOCUMENTOS:
            self.show_page(BIBLIOTECA)
            page = self._entity_pages.get(BIBLIOTECA)
            if page is None:
                return
            for button in page.findChildren(QPushButton):
                if button.accessibleDescription() == missing.etiqueta and \
                        button.text().replace("&", "") == "Anexar documento" and button.isVisibleTo(page):
                    button.setFocus(Qt.FocusReason.OtherFocusReason)
                    break
        elif missing.vista in (flow.FORMULARIO, flow.TIPO_ENTIDAD):
            self.show_page(DATOS)
            page = self._entity_pages.get(DATOS)
            if isinstance(page, DatosEntidadPage) and missing.campo:
                page.form.show_errors([FieldError(missing.campo, missing.etiqueta, missing.mensaje)])

    def _open_wizard(self, draft: DraftInfo, missing: Missing) -> None:
        from secop_desktop.wizard.registration_wizard import RegistrationWizard

        # The signed-in user's own draft: no second sign-in; it opens where the missing thing is.
        wizard = RegistrationWizard(self.services, draft=draft, agent=self.agent, start_user=self.actor,
                                    file_chooser=self.file_chooser, parent=self)
        wizard.finished.connect(lambda _=0: self.refresh())
        wizard.show()
        wizard.go_to(missing)
        self.wizard = wizard

    def _tick(self) -> None:
        if self.stack.currentWidget() is self.inicio:
            self.refresh()
        else:
            self._show_unread(self.buzon.unread_count())

    def _show_unread(self, count: int) -> None:
        self.buzon_button.setText(f"Buzón ({count})" if count else "Buzón")
        self.buzon_button.setAccessibleDescription(f"{count} mensajes sin leer")

    def _show_clock(self) -> None:
        zone = ZoneInfo(ZONA_IANA.get(self.user.zona_horaria, "America/Bogota"))
        local = self.services.clock().astimezone(zone)
        offset = local.utcoffset()
        hours = int(offset.total_seconds() // 3600) if offset is not None else 0
        self.clock.setText(f"UTC {hours:+d} {local:%H:%M:%S}")

    # --- the admin window --------------------------------------------------------------
    def open_admin(self, initial_filter: str | None = Acceso.PENDIENTE.value) -> AdminWindow | None:
        if self.cuenta is None:
            return None
        try:
            # Refused here (and recorded) rather than opening a window that only says no.
            self.services.access.check_admin(self.actor, self.cuenta.entity_id)
        except PermissionDenied as exc:
            self.message.show_error(exc.message)
            return None
        window = open_admin_for(self.services, self.actor, self.cuenta.entity_id, confirm=self.confirm,
                                initial_filter=initial_filter)
        if window.panel is not None:
            window.panel.changed.connect(lambda: self.load_accounts())  # roles may have changed
        self.admin_window = window
        window.show()
        window.raise_()
        return window

    def sign_out(self) -> None:
        if self.admin_window is not None:
            self.admin_window.close()
        self.signed_out.emit()
        self.close()


def open_escritorio(services: Services, actor: SignedIn, **seams: object) -> Escritorio:
    """What signing in leads to: the signed-in user's Escritorio, shown."""
    window = Escritorio(services, actor, **seams)  # type: ignore[arg-type]
    window.show()
    return window
