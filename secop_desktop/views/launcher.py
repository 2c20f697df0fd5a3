"""Opens the services and the first window, and reports start-up errors in Spanish."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QProgressDialog

from secop_desktop.core.services import Services
from secop_desktop.core.users import UserInfo
from secop_desktop.store.database import SchemaTooNewError
from secop_desktop.views.qt_app import application


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


def launch(*, admin: bool = False, capacitacion: bool = False) -> int:
    app = application()
    try:
        services = _open_training() if capacitacion else Services.open()
    except SchemaTooNewError as exc:
        QMessageBox.critical(None, "SECOP II", str(exc))
        return 2
    escritorios: list[QMainWindow] = []  # kept alive while shown
    if admin:
        from secop_desktop.views.admin_window import open_admin_window

        window: QMainWindow = open_admin_window(services)
    else:
        from secop_desktop.views.escritorio import open_escritorio
        from secop_desktop.views.start_window import StartWindow

        window = StartWindow(services)
        add_registro_menu(window, services)

        def signed_in(user: UserInfo) -> None:
            escritorio = open_escritorio(services, user)
            add_registro_menu(escritorio, services, user)
            escritorios.append(escritorio)
            escritorio.signed_out.connect(lambda: escritorio in escritorios and escritorios.remove(escritorio))

        window.signed_in.connect(signed_in)
    if capacitacion:
        from secop_desktop.views.training import TrainingMode

        mode = TrainingMode(services, parent=window)
        mode.install(window)

        def after_reset() -> None:
            # Windows opened before the reset show data that no longer exists.
            for other in QApplication.topLevelWidgets():
                if other is not window and other.isVisible():
                    other.close()
            escritorios.clear()

        mode.reset_done.connect(after_reset)
        window.resize(1200, 760)
    else:
        from secop_desktop.views.training import open_training_action

        window.menuBar().addMenu("&Capacitación").addAction(open_training_action(window))
    window.show()
    code = app.exec()
    services.close()
    return code
