"""The Administración de usuarios window: sign in as an administrator, pick the account, manage its users."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.identity import SignedIn
from secop_desktop.core.services import Services
from secop_desktop.errors import PermissionDenied, ServiceError
from secop_desktop.views import geometry
from secop_desktop.views.audit_view import AuditView
from secop_desktop.views.user_admin_panel import UserAdminPanel
from secop_desktop.views.widgets.confirm import Confirm, ask_with_message_box
from secop_desktop.views.widgets.forms import add_row
from secop_desktop.views.widgets.messages import MessageLabel
from secop_desktop.vocab import MESA_DE_SERVICIO, ZONA_HORARIA_BOGOTA, Acceso

TITLE = "Administración de usuarios"
BREADCRUMB = "Escritorio → Configuración Entidad Estatal/Proveedor → Administración de usuarios"


class SignInPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        # A narrow centred column: a login box stretched over a 1400 px window reads badly.
        column = QWidget()
        column.setMaximumWidth(560)
        inner = QVBoxLayout(column)
        intro = QLabel(f"<h2>{TITLE}</h2><p>Ingrese con el usuario administrador de la cuenta.</p>")
        intro.setWordWrap(True)
        inner.addWidget(intro)
        box = QGroupBox("ENTRAR")
        form = QFormLayout(box)
        self.usuario = QLineEdit()
        add_row(form, "&Usuario", self.usuario)
        self.contrasena = QLineEdit()
        self.contrasena.setEchoMode(QLineEdit.EchoMode.Password)
        add_row(form, "C&ontraseña", self.contrasena)
        self.entrar = QPushButton("&Entrar")
        self.entrar.setDefault(True)
        self.entrar.setAutoDefault(True)
        form.addRow("", self.entrar)
        self.message = MessageLabel()
        form.addRow(self.message)
        inner.addWidget(box)
        mesa = QLabel(MESA_DE_SERVICIO)
        mesa.setWordWrap(True)
        inner.addWidget(mesa)
        # Centred between stretches, not with an alignment flag: an aligned widget gets its size hint's
        # height, which leaves a refusal wrapped over two or three lines cut after the first.
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column, 3)
        row.addStretch(1)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)


class AccountPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        intro = QLabel("<h2>Seleccione la cuenta</h2><p>Usted es administrador de varias cuentas. "
                       "Elija la cuenta cuyos usuarios quiere administrar.</p>")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.cuenta = QComboBox()
        add_row(form, "Cuen&ta", self.cuenta)
        layout.addLayout(form)
        self.continuar = QPushButton("C&ontinuar")
        self.continuar.setDefault(True)
        layout.addWidget(self.continuar)
        layout.addStretch(2)


class AdminWindow(QMainWindow):
    account_opened = Signal(int)

    def __init__(self, services: Services, *, confirm: Confirm | None = None, actor: SignedIn | None = None,
                 entity_id: int | None = None, batch_size: int = 200, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.confirm = confirm or ask_with_message_box(self)
        self.batch_size = batch_size
        self.actor: SignedIn | None = None  # who signed in here (or in the Escritorio)
        self.zona = ZONA_HORARIA_BOGOTA
        self.accounts: list[tuple[int, str]] = []
        self.entity_id: int | None = None
        self.panel: UserAdminPanel | None = None
        self.audit: AuditView | None = None
        self.setWindowTitle(TITLE)
        geometry.fit(self, 1400, 760, "administracion")

        self.stack = QStackedWidget()
        self.sign_in = SignInPage()
        self.sign_in.entrar.clicked.connect(self._sign_in)
        self.sign_in.contrasena.returnPressed.connect(self._sign_in)
        self.account_page = AccountPage()
        self.account_page.continuar.clicked.connect(
            lambda: self.open_account(self.account_page.cuenta.currentData()))
        self.stack.addWidget(self.sign_in)
        self.stack.addWidget(self.account_page)
        self.setCentralWidget(self.stack)
        if actor is not None:
            self.enter(actor, entity_id)

    # --- sign in -----------------------------------------------------------------------
    def _sign_in(self) -> None:
        try:
            actor = self.services.users.sign_in(self.sign_in.usuario.text(), self.sign_in.contrasena.text())
        except ServiceError as exc:
            self.sign_in.message.show_error(exc.message)
            return
        finally:
            self.sign_in.contrasena.clear()
        self.enter(actor)

    def enter(self, actor: SignedIn, entity_id: int | None = None) -> None:
        """A signed-in user: refused unless administrator; several accounts ask which one."""
        try:
            # From the Escritorio the account is chosen already: open_account checks (and records) it.
            self.accounts = (self.services.access.admin_entities(actor) if entity_id is not None
                             else self.services.access.require_any_admin(actor))
        except PermissionDenied as exc:
            self._refuse(exc.message)
            return
        self.actor = actor
        self.zona = self.services.users.profile(actor).zona_horaria
        if entity_id is not None:
            self.open_account(entity_id)
            return
        self.sign_in.message.clear()
        if len(self.accounts) == 1:
            self.open_account(self.accounts[0][0])
        else:
            self._fill_accounts()
            self.stack.setCurrentWidget(self.account_page)
            self.account_page.cuenta.setFocus()

    def _refuse(self, message: str) -> None:
        self.actor = None
        self.stack.setCurrentWidget(self.sign_in)
        self.sign_in.message.show_error(message)
        self.sign_in.usuario.setFocus()

    # --- the account -------------------------------------------------------------------
    def open_account(self, entity_id: int, *, initial_filter: str | None = Acceso.PENDIENTE.value) -> None:
        assert self.actor is not None
        try:
            self.services.access.check_admin(self.actor, entity_id)
        except PermissionDenied as exc:
            self._refuse(exc.message)
            return
        self.sign_in.message.clear()
        names = dict(self.accounts)
        nombre = names.get(entity_id) or self.services.entities.get(self.actor, entity_id).form.nombre
        self.entity_id = entity_id
        page = QWidget()
        layout = QVBoxLayout(page)
        header = QHBoxLayout()
        title = QLabel(f"<h2>{TITLE}</h2>")
        header.addWidget(title)
        header.addStretch(1)
        self.account_label = QLabel(f"<b>{nombre}</b> · {self.actor.nombre} ({self.actor.usuario})")
        self.account_label.setAccessibleName("Cuenta")
        header.addWidget(self.account_label)
        if len(self.accounts) > 1:
            switch = QPushButton("Cambiar de cue&nta")
            switch.clicked.connect(lambda: self.stack.setCurrentWidget(self.account_page))
            self._fill_accounts()
            header.addWidget(switch)
        layout.addLayout(header)
        crumb = QLabel(BREADCRUMB)
        crumb.setStyleSheet("color: palette(mid);")
        layout.addWidget(crumb)
        tabs = QTabWidget()
        clock = self.services.clock
        self.panel = UserAdminPanel(self.services.access, self.actor, entity_id, nombre, clock, self.confirm,
                                    zona=self.zona, batch_size=self.batch_size,
                                    initial_filter=initial_filter)
        self.audit = AuditView(self.services.access, self.actor, entity_id, clock, zona=self.zona)
        tabs.addTab(self.panel, "U&suarios")
        tabs.addTab(self.audit, "Últimas &modificaciones")
        self.tabs = tabs
        layout.addWidget(tabs, 1)
        old = self.stack.widget(2)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.setWindowTitle(f"{TITLE} - {nombre}")
        self.panel.search.setFocus()
        self.account_opened.emit(entity_id)

    def _fill_accounts(self) -> None:
        combo = self.account_page.cuenta
        combo.clear()
        for account_id, nombre in self.accounts:
            combo.addItem(nombre, account_id)


def open_admin_window(services: Services, *, confirm: Confirm | None = None, batch_size: int = 200) -> AdminWindow:
    """`python -m secop_desktop admin`: the window starts at its own sign-in."""
    return AdminWindow(services, confirm=confirm, batch_size=batch_size)


def open_admin_for(services: Services, actor: SignedIn, entity_id: int, *, confirm: Confirm | None = None,
                   initial_filter: str | None = Acceso.PENDIENTE.value) -> AdminWindow:
    """From the Escritorio: the user is already signed in; still refused unless administrator of the account."""
    window = AdminWindow(services, confirm=confirm, actor=actor, entity_id=entity_id)
    if window.panel is not None and initial_filter != Acceso.PENDIENTE.value:
        window.panel.set_filter(initial_filter)
    return window
