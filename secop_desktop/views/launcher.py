"""Shows the first window at once, opens the services behind it, and reports start-up errors in Spanish.

Start-up order (what the user waits for): Qt and a window frame first; the database, the start window's
content and, when configured, the mail sender after that first paint. Modules only some users need
(Alembic, psycopg, training, packages, mail) are imported where they are used.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from secop_desktop import logs
from secop_desktop.core.identity import SignedIn
from secop_desktop.errors import ServiceError
from secop_desktop.views import crash, geometry
from secop_desktop.views.qt_app import application

if TYPE_CHECKING:
    from secop_desktop.core import connection
    from secop_desktop.core.accounts.users import UserInfo
    from secop_desktop.core.services import Services
    from secop_desktop.views.jobs import Job
    from secop_desktop.views.mail_sender import MailSender
    from secop_desktop.views.start_window import StartWindow
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

log = logging.getLogger("secop_desktop.launcher")

# core.mail.mailer's SETTINGS_FILE (a test keeps them equal): its presence says whether to load the mailer.
MAIL_SETTINGS_FILE = "correo.json"
OPEN_FAILED_TITLE = "No se pudo abrir la base de datos"


def _open_training() -> Services:
    """The practice store; the first time it is seeded in a Job, with a progress dialog meanwhile."""
    from secop_desktop.core import training
    from secop_desktop.views.jobs import Job

    dialog = QProgressDialog("Preparando los datos de práctica de la capacitación…", "", 0, 100)
    dialog.setWindowTitle(training.BANNER)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(300)
    loop = QEventLoop()
    problems: list[str] = []
    job = Job(lambda progress, _cancelled: training.ensure_ready(progress=progress), name="semilla de capacitación")
    job.signals.progress.connect(dialog.setValue)
    job.signals.finished.connect(lambda _folder: loop.quit())

    def failed(message: str) -> None:
        problems.append(message)
        loop.quit()

    job.signals.failed.connect(failed)
    job.start()
    loop.exec()
    dialog.close()
    if problems:
        raise ServiceError(problems[0])
    crash.context["Base de datos"] = "base de práctica del modo de capacitación (SQLite)"
    return training.open_training()  # seeded by now: only opens


def ask_database_password(settings: connection.ConnectionSettings) -> str | None:
    """The keyring could not keep the password (or holds none): ask for it, for this session only."""
    password, ok = QInputDialog.getText(
        None, "Configuración de conexión",
        f"Contraseña de {settings.describe()}:\n(no se guarda: el llavero del sistema no está disponible)",
        QLineEdit.EchoMode.Password)
    return password if ok else None


def open_shared_services() -> Services:
    """SECOP_DESKTOP_DB_URL, else the saved Configuración de conexión, else the local SQLite store."""
    from secop_desktop.core import connection
    from secop_desktop.core.services import Services

    url = connection.effective_url(prompt=ask_database_password)
    crash.context["Base de datos"] = logs.describe_database(url)
    return Services.open(url)


def clean_leftovers(services: Services) -> Job:
    """What an interrupted attach, import or export left behind goes, off the GUI thread."""
    from secop_desktop.core.identity import STARTUP
    from secop_desktop.views.jobs import Job

    def work(_progress: object, _cancelled: object) -> object:
        leftovers = services.documents.clean_leftovers(STARTUP)
        return leftovers, services.documents.send_due_reminders(STARTUP)  # documents about to expire

    job = Job(work, name="limpieza de inicio")
    job.signals.finished.connect(lambda result: log.info("Limpieza de inicio: %s", result))
    job.signals.failed.connect(lambda message: log.warning("Limpieza de inicio: %s", message))
    return job.start()


def start_mail(services: Services) -> MailSender | None:
    """When Configuración de correo exists, new Buzón messages are also sent by e-mail in the background."""
    if not (services.data_dir / MAIL_SETTINGS_FILE).exists():
        return None  # most installations: the mail modules are not even loaded
    from secop_desktop.views.mail_sender import MailSender

    sender = MailSender(services)
    if not sender.start():
        sender.deleteLater()
        return None
    return sender


def add_configuracion_menu(window: QMainWindow, services: Services) -> None:
    """Menu "Configuración": the shared database and the SMTP server of a help desk."""
    menu = window.menuBar().addMenu("Con&figuración")
    conexion = QAction("Configuración de &conexión…", window)

    def open_connection() -> None:
        from secop_desktop.views.connection_dialog import ConnectionDialog

        dialog = ConnectionDialog(services.data_dir, parent=window)
        dialog.saved.connect(lambda _settings: QMessageBox.information(
            window, "Configuración de conexión",
            "La configuración se guardó. Cierre y vuelva a abrir la aplicación para usar la nueva base de datos."))
        dialog.exec()

    conexion.triggered.connect(open_connection)
    menu.addAction(conexion)
    correo = QAction("Configuración de c&orreo…", window)

    def open_smtp() -> None:
        from secop_desktop.views.smtp_dialog import SmtpDialog

        dialog = SmtpDialog(services.data_dir, parent=window)
        dialog.saved.connect(lambda settings: services.mail.enable(settings) if settings else
                             services.mail.disable())
        dialog.exec()

    correo.triggered.connect(open_smtp)
    menu.addAction(correo)


def add_registro_menu(window: QMainWindow, services: Services, user: UserInfo | None = None) -> None:
    """Menu "Registro": Importar registro and Exportar registro, for a signed-in user."""
    actor = _signed_in(user) if user is not None else None
    menu = window.menuBar().addMenu("Reg&istro")
    importar = QAction("&Importar registro…", window)
    importar.setEnabled(actor is not None)
    importar.setToolTip("Entre con su usuario para importar un registro.")

    def open_import() -> None:
        from secop_desktop.views.package_dialogs import ImportDialog

        if actor is not None:
            ImportDialog(services, actor, parent=window).exec()

    importar.triggered.connect(open_import)
    menu.addAction(importar)
    exportar = QAction("&Exportar registro…", window)
    exportar.setEnabled(user is not None)
    exportar.setToolTip("Entre con su usuario para exportar el registro de sus Entidades.")

    def open_export() -> None:
        from secop_desktop.views.package_dialogs import ExportDialog

        if actor is None:
            return
        entities = [(r.entity_id, r.entidad) for r in services.entities.my_registrations(actor)
                    if r.es_administrador and r.estado == "Aceptado"]
        if not entities:
            QMessageBox.information(window, "Exportar registro",
                                    "Solo el administrador de una Entidad puede exportar su registro.")
            return
        ExportDialog(services, actor, entities, parent=window).exec()

    exportar.triggered.connect(open_export)
    menu.addAction(exportar)


def _signed_in(user: UserInfo) -> SignedIn:
    """The identity of a user StartWindow or the wizard has just signed in (they hand over the UserInfo)."""
    return SignedIn(user.id, user.usuario, user.nombre)


class SignInRouter:
    """Where StartWindow.signed_in leads: the Escritorio, or, for a user with no Entity at all, the third
    section of the registration («Crear o solicitar acceso a una Entidad»), as section V of the guide says."""

    def __init__(self, window: StartWindow, services: Services, *, importar: Path | None = None) -> None:
        self.window = window
        self.services = services
        self.escritorios: list[QMainWindow] = []  # kept alive while shown
        # A .secop opened from the file manager: importing acts as a user, so it waits for the sign-in.
        self.importar = importar
        self.import_dialog: QWidget | None = None
        window.signed_in.connect(self.route)
        if importar is not None:
            window.statusBar().showMessage(f"Entre con su usuario para importar «{importar.name}».")

    def route(self, user: UserInfo) -> QWidget:
        if self.services.entities.my_registrations(_signed_in(user)):
            opened: QWidget = self.open_escritorio(user)
        else:
            opened = self.open_registration(user)
        if self.importar is not None:
            self.open_import(user, self.importar)
            self.importar = None
        return opened

    def open_import(self, user: UserInfo, path: Path) -> QWidget:
        """Importar registro with the package already chosen; its preview starts at once."""
        from secop_desktop.views.package_dialogs import ImportDialog

        self.window.statusBar().clearMessage()
        dialog = ImportDialog(self.services, _signed_in(user), choose_path=lambda: path, parent=self.window)
        dialog.show()
        dialog.browse()
        self.import_dialog = dialog
        return dialog

    def open_registration(self, user: UserInfo) -> RegistrationWizard:
        for wizard in self.window.wizards:
            # Signing in again while that user's registration is open brings it back instead of a second one.
            if wizard.flow.actor is not None and wizard.flow.actor.user_id == user.id:
                wizard.raise_()
                wizard.activateWindow()
                return wizard
        return self.window.open_wizard(start_user=_signed_in(user), on_completed=self.open_escritorio)

    def open_escritorio(self, user: UserInfo) -> QMainWindow:
        from secop_desktop.views.escritorio import open_escritorio

        escritorio = open_escritorio(self.services, _signed_in(user))
        add_about_action(escritorio, self.services)
        add_registro_menu(escritorio, self.services, user)
        self.escritorios.append(escritorio)
        escritorio.signed_out.connect(lambda: self._forget(escritorio))
        return escritorio

    def _forget(self, escritorio: QMainWindow) -> None:
        if escritorio in self.escritorios:
            self.escritorios.remove(escritorio)


def add_about_action(window: QMainWindow, services: Services) -> None:
    """Ayuda > Acerca de: into the window's Ayuda menu, created when it has none."""
    bar = window.menuBar()
    menu = next((m for m in bar.findChildren(QMenu) if m.title().replace("&", "") == "Ayuda"), None)
    if menu is None:
        menu = bar.addMenu("A&yuda")
    action = QAction("&Acerca de secop-desktop…", window)

    def open_about() -> None:
        from secop_desktop.views.about import AboutDialog

        AboutDialog(services.data_dir, parent=window).exec()

    action.triggered.connect(open_about)
    menu.addAction(action)


class StartingWindow(QMainWindow):
    """The first window, painted before the database is open: the start window's frame with a busy bar.

    Opening the store (SQLAlchemy, the models, a PostgreSQL server across the network) takes from a
    fraction of a second to several; the user sees the window at once instead of nothing.
    """

    def __init__(self, title: str, key: str, size: tuple[int, int], on_painted: Callable[[], None]) -> None:
        super().__init__()
        self.setWindowTitle(title)
        self._on_painted: Callable[[], None] | None = on_painted
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addStretch(1)
        self.message = QLabel("Abriendo la base de datos…")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)
        busy = QProgressBar()
        busy.setRange(0, 0)
        busy.setMaximumWidth(320)
        busy.setAccessibleName("Abriendo la base de datos")
        layout.addWidget(busy, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        self.setCentralWidget(central)
        # Where and how large the real window will appear; only the real window remembers its geometry.
        geometry.fit(self, *size, key, remember=False)
        # Never the only trigger: a minimised or hidden window may never paint.
        QTimer.singleShot(1000, self._painted)

    def event(self, event: QEvent) -> bool:
        handled = super().event(event)
        if event.type() == QEvent.Type.Paint and self._on_painted is not None:
            QTimer.singleShot(0, self._painted)  # after this paint reached the screen
        return handled

    def _painted(self) -> None:
        callback, self._on_painted = self._on_painted, None
        if callback is not None:
            callback()


class _Started(QObject):
    """What launch() opened after the first paint, kept for the clean-up once the event loop ends."""

    def __init__(self) -> None:
        super().__init__()
        self.services: Services | None = None
        self.scheduler: MailSender | None = None
        self.cleaning: Job | None = None
        self.window: QMainWindow | None = None
        self.router: SignInRouter | None = None


def _main_window(services: Services, started: _Started, *, admin: bool, capacitacion: bool,
                 importar: Path | None = None) -> QMainWindow:
    """The window the user asked for, with its menus; the training decorations when practising."""
    if admin:
        from secop_desktop.views.admin_window import open_admin_window

        window: QMainWindow = open_admin_window(services)
    else:
        from secop_desktop.views.start_window import StartWindow

        start = StartWindow(services)
        add_registro_menu(start, services)
        from secop_desktop.views.lookup_window import add_lookup_action  # «Buscar proveedor», Ctrl+F

        add_lookup_action(start, services, lambda: start.actor, start.signed_in)
        started.router = SignInRouter(start, services, importar=importar)
        if not capacitacion:
            add_configuracion_menu(start, services)
        window = start
    if capacitacion:
        from secop_desktop.views.training import TrainingMode

        mode = TrainingMode(services, parent=window)
        mode.install(window)

        def after_reset() -> None:
            # Windows opened before the reset show data that no longer exists.
            for other in QApplication.topLevelWidgets():
                if other is not window and other.isVisible():
                    other.close()
            if started.router is not None:
                started.router.escritorios.clear()

        mode.reset_done.connect(after_reset)
        geometry.fit(window, 1200, 760)
    else:
        window.menuBar().addMenu("&Capacitación").addAction(_training_action(window))
    add_about_action(window, services)
    return window


def _training_action(window: QMainWindow) -> QAction:
    """"Abrir modo de capacitación" without loading the training module until it is chosen."""
    action = QAction("Abrir &modo de capacitación", window)

    def start() -> None:
        from secop_desktop.views.training import open_training_action

        open_training_action(window).trigger()

    action.triggered.connect(start)
    return action


def _open_failed(exc: Exception, parent: QWidget | None) -> None:
    # The store's messages are Spanish and never carry the password (store.probe.explain).
    if not isinstance(exc, ServiceError):
        raise exc
    text = ("No se pudo abrir la base de datos. Revise la Configuración de conexión o la variable "
            f"SECOP_DESKTOP_DB_URL.\n\n{exc.message}")
    log.warning("No se pudo abrir la base de datos: %s", text)
    QMessageBox.critical(parent, OPEN_FAILED_TITLE, text)


def launch(*, admin: bool = False, capacitacion: bool = False, importar: Path | None = None) -> int:
    """Runs the GUI until its last window closes; returns the exit code (2: the database could not be opened)."""
    began = time.perf_counter()
    app = application()
    if isinstance(app, QApplication):
        crash.install(app)
    started = _Started()
    code_on_failure: list[int] = []

    def open_rest(parent: QWidget | None) -> bool:
        try:
            services = _open_training() if capacitacion else open_shared_services()
        except Exception as exc:  # noqa: BLE001 - _open_failed re-raises what it does not explain
            _open_failed(exc, parent)
            return False
        started.services = services
        started.cleaning = clean_leftovers(services)
        started.scheduler = None if capacitacion else start_mail(services)
        started.window = _main_window(services, started, admin=admin, capacitacion=capacitacion, importar=importar)
        return True

    if capacitacion:
        # The practice store shows its own progress dialog while it is seeded.
        if not open_rest(None):
            return 2
        assert started.window is not None
        started.window.show()
    else:
        title, key, size = (("Administración de usuarios", "administracion", (1400, 760)) if admin
                            else ("Registro de Proveedores", "inicio", (960, 640)))

        def after_first_paint() -> None:
            log.info("Inicio: primera ventana pintada a los %.0f ms", (time.perf_counter() - began) * 1000)
            try:
                opened = open_rest(starting)
            except Exception:  # noqa: BLE001 - nothing to keep running: say so, log it, exit 3
                crash.fatal(sys.exc_info(), starting)
                code_on_failure.append(3)
            else:
                if not opened:
                    code_on_failure.append(2)
            if code_on_failure:
                starting.close()
                app.exit(code_on_failure[0])
                return
            assert started.window is not None
            started.window.show()
            starting.close()
            log.info("Inicio: ventana principal lista a los %.0f ms", (time.perf_counter() - began) * 1000)

        starting = StartingWindow(title, key, size, after_first_paint)
        starting.show()
    code = app.exec()
    if started.scheduler is not None:
        started.scheduler.stop()
    if started.services is not None:
        started.services.close()
    return code_on_failure[0] if code_on_failure else code
