"""The Administración de usuarios window: sign in as an administrator, pick the account, manage its users."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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

from secop_desktop.core.accounts.users import UserInfo
from secop_desktop.core.services import Services
from secop_desktop.errors import PermissionDenied, ServiceError
from secop_desktop.views.audit_view import AuditView
from secop_desktop.views.confirm_dialog import Confirm, ask_with_message_box
from secop_desktop.views.forms import add_row
from secop_desktop.views.message_label import MessageLabel
from secop_desktop.views.user_admin_panel import UserAdminPanel
from secop_desktop.vocab import MESA_DE_SERVICIO, Acceso

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
        add_row(form, "&Contraseña", self.contrasena)
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
        layout.addStretch(1)
        layout.addWidget(column, 0, Qt.AlignmentFlag.AlignHCenter)
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

    def __init__(self, services: Services, *, confirm: Confirm | None = None, user: UserInfo | None = None,
                 entity_id: int | None = None, batch_size: int = 200, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.confirm = confirm or ask_with_message_box(self)
        self.batch_size = batch_size
        self.user: UserInfo | None = None
        self.accounts: list[tuple[int, str]] = []
        self.entity_id: int | None = None
        self.panel: UserAdminPanel | None = None
        self.audit: AuditView | None = None
        self.setWindowTitle(f"{TITLE} - SECOP II")
        self.resize(1400, 760)

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
        if user is not None:
            self.enter(user, entity_id)

    # --- sign in -----------------------------------------------------------------------
    def _sign_in(self) -> None:
        try:
            users = self.services.users
            user = users.profile(users.sign_in(self.sign_in.usuario.text(), self.sign_in.contrasena.text()))
        except ServiceError as exc:
            self.sign_in.message.show_error(exc.message)
            return
        finally:
            self.sign_in.contrasena.clear()
        self.enter(user)

    def enter(self, user: UserInfo, entity_id: int | None = None) -> None:
        """A signed-in user: refused unless administrator; several accounts ask which one."""
        if entity_id is not None:
            self.user = user
            self.accounts = self.services.access.admin_entities(user.id)
            self.open_account(entity_id)
            return
        try:
            self.accounts = self.services.access.require_any_admin(user.id)
        except PermissionDenied as exc:
            self._refuse(exc.message)
            return
        self.user = user
        self.sign_in.message.clear()
        if len(self.accounts) == 1:
            self.open_account(self.accounts[0][0])
        else:
            self._fill_accounts()
            self.stack.setCurrentWidget(self.account_page)
            self.account_page.cuenta.setFocus()

    def _refuse(self, message: str) -> None:
        self.user = None
        self.stack.setCurrentWidget(self.sign_in)
        self.sign_in.message.show_error(message)
        self.sign_in.usuario.setFocus()

    # --- the account -------------------------------------------------------------------
    def open_account(self, entity_id: int, *, initial_filter: str | None = Acceso.PENDIENTE.value) -> None:
        assert self.user is not None
        try:
            self.services.access.check_admin(self.user.id, entity_id)
        except PermissionDenied as exc:
            self._refuse(exc.message)
            return
        self.sign_in.message.clear()
        names = dict(self.accounts)
        nombre = names.get(entity_id) or self.services.entities.get(entity_id).form.nombre
        self.entity_id = entity_id
        page = QWidget()
        layout = QVBoxLayout(page)
        header = QHBoxLayout()
        title = QLabel(f"<h2>{TITLE}</h2>")
        header.addWidget(title)
        header.addStretch(1)
        self.account_label = QLabel(f"<b>{nombre}</b> · {self.user.nombre} ({self.user.usuario})")
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
        self.panel = UserAdminPanel(self.services.access, self.user.id, entity_id, nombre, clock, self.confirm,
                                    zona=self.user.zona_horaria, batch_size=self.batch_size,
                                    initial_filter=initial_filter)
        self.audit = AuditView(self.services.access, entity_id, clock, zona=self.user.zona_horaria)
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
        self.setWindowTitle(f"{TITLE} - {nombre} - SECOP II")
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


def open_admin_for(services: Services, user: UserInfo, entity_id: int, *, confirm: Confirm | None = None,
                   initial_filter: str | None = Acceso.PENDIENTE.value) -> AdminWindow:
    """From the Escritorio: the user is already signed in; still refused unless administrator of the account."""
    window = AdminWindow(services, confirm=confirm, user=user, entity_id=entity_id)
    if window.panel is not None and initial_filter != Acceso.PENDIENTE.value:
        window.panel.set_filter(initial_filter)
    return window
