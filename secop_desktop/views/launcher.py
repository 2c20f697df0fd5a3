"""Opens the services and the first window, and reports start-up errors in Spanish."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QProgressDialog, QWidget

from secop_desktop.core.services import Services
from secop_desktop.core.users import UserInfo
from secop_desktop.store.database import SchemaTooNewError
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from secop_desktop.wizard.registration_wizard import RegistrationWizard


def _open_training() -> Services:
    """The practice store; the first time it is seeded, with a progress dialog meanwhile."""
    from secop_desktop.core import training

    dialog = QProgressDialog("Preparando los datos de práctica de la capacitación…", "", 0, 100)
    dialog.setWindowTitle(training.BANNER)
    dialog.setCancelButton(None)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(300)

    def progress(done: int, total: int) -> None:
        dialog.setValue(done * 100 // max(total, 1))
        QApplication.processEvents()

    try:
        return training.open_training(progress=progress)
    finally:
        dialog.close()


def add_registro_menu(window: QMainWindow, services: Services, user: UserInfo | None = None) -> None:
    """Menu "Registro": Importar registro (help desk) and, for a signed-in user, Exportar registro."""
    from secop_desktop.views.package_dialogs import ExportDialog, ImportDialog

    menu = window.menuBar().addMenu("&Registro")
    importar = QAction("&Importar registro…", window)
    importar.triggered.connect(lambda: ImportDialog(services, parent=window).exec())
    menu.addAction(importar)
    exportar = QAction("&Exportar registro…", window)
    exportar.setEnabled(user is not None)
    exportar.setToolTip("Entre con su usuario para exportar el registro de sus Entidades.")

    def open_export() -> None:
        if user is None:
            return
        entities = [(r.entity_id, r.entidad) for r in services.entities.my_registrations(user.id)
                    if r.es_administrador and r.estado == "Aceptado"]
        if not entities:
            QMessageBox.information(window, "Exportar registro",
                                    "Solo el administrador de una Entidad puede exportar su registro.")
            return
        ExportDialog(services, entities, parent=window).exec()

    exportar.triggered.connect(open_export)
    menu.addAction(exportar)


class SignInRouter:
    """Where StartWindow.signed_in leads: the Escritorio, or, for a user with no Entity at all, the third
    section of the registration («Crear o solicitar acceso a una Entidad»), as section V of the guide says."""

    def __init__(self, window: StartWindow, services: Services) -> None:
        self.window = window
        self.services = services
        self.escritorios: list[QMainWindow] = []  # kept alive while shown
        window.signed_in.connect(self.route)

    def route(self, user: UserInfo) -> QWidget:
        if self.services.entities.my_registrations(user.id):
            return self.open_escritorio(user)
        return self.open_registration(user)

    def open_registration(self, user: UserInfo) -> RegistrationWizard:
        for wizard in self.window.wizards:
            # Signing in again while that user's registration is open brings it back instead of a second one.
            if wizard.user is not None and wizard.user.id == user.id:
                wizard.raise_()
                wizard.activateWindow()
                return wizard
        return self.window.open_wizard(start_user=user, on_completed=self.open_escritorio)

    def open_escritorio(self, user: UserInfo) -> QMainWindow:
        from secop_desktop.views.escritorio import open_escritorio

        escritorio = open_escritorio(self.services, user)
        add_registro_menu(escritorio, self.services, user)
        self.escritorios.append(escritorio)
        escritorio.signed_out.connect(lambda: escritorio in self.escritorios and self.escritorios.remove(escritorio))
        return escritorio


def launch(*, admin: bool = False, capacitacion: bool = False) -> int:
    app = application()
    try:
        services = _open_training() if capacitacion else Services.open()
    except SchemaTooNewError as exc:
        QMessageBox.critical(None, "SECOP II", str(exc))
        return 2
    router: SignInRouter | None = None
    if admin:
        from secop_desktop.views.admin_window import open_admin_window

        window: QMainWindow = open_admin_window(services)
    else:
        start = StartWindow(services)
        add_registro_menu(start, services)
        router = SignInRouter(start, services)
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
    services.close()
    return code
