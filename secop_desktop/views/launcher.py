"""Opens the services and the first window, and reports start-up errors in Spanish."""

from __future__ import annotations

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from secop_desktop.core import connection
from secop_desktop.core.accounts.users import UserInfo
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from secop_desktop.views.jobs import Job
from secop_desktop.views.mail_sender import MailSender
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from secop_desktop.wizard.registration_wizard import RegistrationWizard


def _open_training() -> Services:
    """The practice store; the first time it is seeded in a Job, with a progress dialog meanwhile."""
    from secop_desktop.core import training

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
    return Services.open(connection.effective_url(prompt=ask_database_password))


def start_mail(services: Services) -> MailSender | None:
    """When Configuración de correo exists, new Buzón messages are also sent by e-mail in the background."""
    sender = MailSender(services)
    if not sender.start():
        sender.deleteLater()
        return None
    return sender


def add_configuracion_menu(window: QMainWindow, services: Services) -> None:
    """Menu "Configuración": the shared database and the SMTP server of a help desk."""
    from secop_desktop.views.connection_dialog import ConnectionDialog
    from secop_desktop.views.smtp_dialog import SmtpDialog

    menu = window.menuBar().addMenu("Con&figuración")
    conexion = QAction("Configuración de &conexión…", window)

    def open_connection() -> None:
        dialog = ConnectionDialog(services.data_dir, parent=window)
        dialog.saved.connect(lambda _settings: QMessageBox.information(
            window, "Configuración de conexión",
            "La configuración se guardó. Cierre y vuelva a abrir la aplicación para usar la nueva base de datos."))
        dialog.exec()

    conexion.triggered.connect(open_connection)
    menu.addAction(conexion)
    correo = QAction("Configuración de c&orreo…", window)

    def open_smtp() -> None:
        dialog = SmtpDialog(services.data_dir, parent=window)
        dialog.saved.connect(lambda settings: services.mail.enable(settings) if settings else
                             services.mail.disable())
        dialog.exec()

    correo.triggered.connect(open_smtp)
    menu.addAction(correo)


def add_registro_menu(window: QMainWindow, services: Services, user: UserInfo | None = None) -> None:
    """Menu "Registro": Importar registro and Exportar registro, for a signed-in user."""
    from secop_desktop.views.package_dialogs import ExportDialog, ImportDialog

    actor = _signed_in(user) if user is not None else None
    menu = window.menuBar().addMenu("&Registro")
    importar = QAction("&Importar registro…", window)
    importar.setEnabled(actor is not None)
    importar.setToolTip("Entre con su usuario para importar un registro.")

    def open_import() -> None:
        if actor is not None:
            ImportDialog(services, actor, parent=window).exec()

    importar.triggered.connect(open_import)
    menu.addAction(importar)
    exportar = QAction("&Exportar registro…", window)
    exportar.setEnabled(user is not None)
    exportar.setToolTip("Entre con su usuario para exportar el registro de sus Entidades.")

    def open_export() -> None:
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

    def __init__(self, window: StartWindow, services: Services) -> None:
        self.window = window
        self.services = services
        self.escritorios: list[QMainWindow] = []  # kept alive while shown
        window.signed_in.connect(self.route)

    def route(self, user: UserInfo) -> QWidget:
        if self.services.entities.my_registrations(_signed_in(user)):
            return self.open_escritorio(user)
        return self.open_registration(user)

    def open_registration(self, user: UserInfo) -> RegistrationWizard:
        for wizard in self.window.wizards:
            # Signing in again while that user's registration is open brings it back instead of a second one.
            if wizard.flow.actor is not None and wizard.flow.actor.user_id == user.id:
                wizard.raise_()
                wizard.activateWindow()
                return wizard
        # The start window proved the password (login) just before emitting signed_in.
        actor = SignedIn(user.id, user.usuario, user.nombre)
        return self.window.open_wizard(start_user=actor, on_completed=self.open_escritorio)

    def open_escritorio(self, user: UserInfo) -> QMainWindow:
        from secop_desktop.views.escritorio import open_escritorio

        escritorio = open_escritorio(self.services, _signed_in(user))
        add_registro_menu(escritorio, self.services, user)
        self.escritorios.append(escritorio)
        escritorio.signed_out.connect(lambda: escritorio in self.escritorios and self.escritorios.remove(escritorio))
        return escritorio


def launch(*, admin: bool = False, capacitacion: bool = False) -> int:
    app = application()
    try:
        services = _open_training() if capacitacion else open_shared_services()
    except ServiceError as exc:
        # The store's messages are Spanish and never carry the password (store.probe.explain).
        QMessageBox.critical(None, "SECOP II", "No se pudo abrir la base de datos. Revise la Configuración de "
                             f"conexión o la variable SECOP_DESKTOP_DB_URL.\n\n{exc.message}")
        return 2
    scheduler = None if capacitacion else start_mail(services)
    router: SignInRouter | None = None
    if admin:
        from secop_desktop.views.admin_window import open_admin_window

        window: QMainWindow = open_admin_window(services)
    else:
        start = StartWindow(services)
        add_registro_menu(start, services)
        router = SignInRouter(start, services)
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
            if router is not None:
                router.escritorios.clear()

        mode.reset_done.connect(after_reset)
        window.resize(1200, 760)
    else:
        from secop_desktop.views.training import open_training_action

        window.menuBar().addMenu("&Capacitación").addAction(open_training_action(window))
    window.show()
    code = app.exec()
    if scheduler is not None:
        scheduler.stop()
    services.close()
    return code
