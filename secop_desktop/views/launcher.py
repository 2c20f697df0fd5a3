"""Opens the services and the first window, and reports start-up errors in Spanish."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMainWindow, QMessageBox, QProgressDialog

from secop_desktop.core.services import Services
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


def add_registro_menu(window: QMainWindow, services: Services, current_user: dict[str, Any]) -> None:
    """Menu "Registro": Importar registro (help desk) and Exportar registro (the signed-in user's accounts)."""
    from secop_desktop.views.package_dialogs import ExportDialog, ImportDialog

    menu = window.menuBar().addMenu("&Registro")
    importar = QAction("&Importar registro…", window)
    importar.triggered.connect(lambda: ImportDialog(services, parent=window).exec())
    menu.addAction(importar)
    exportar = QAction("&Exportar registro…", window)
    exportar.setEnabled(False)
    exportar.setToolTip("Entre con su usuario para exportar el registro de sus Entidades.")

    def open_export() -> None:
        user = current_user.get("user")
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
    current_user["exportar"] = exportar


def launch(*, admin: bool = False, capacitacion: bool = False) -> int:
    app = application()
    try:
        services = _open_training() if capacitacion else Services.open()
    except SchemaTooNewError as exc:
        QMessageBox.critical(None, "SECOP II", str(exc))
        return 2
    # Temp files and unreferenced blobs left by a crash during an earlier copy.
    services.documents.clean_orphans()
    current_user: dict[str, Any] = {}
    if admin:
        from secop_desktop.views.admin_window import open_admin_window

        window = open_admin_window(services)
    else:
        from secop_desktop.views.start_window import StartWindow

        window = StartWindow(services)
        add_registro_menu(window, services, current_user)

        def signed_in(user: Any) -> None:
            current_user["user"] = user
            current_user["exportar"].setEnabled(True)

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
            current_user.pop("user", None)
            if "exportar" in current_user:
                current_user["exportar"].setEnabled(False)

        mode.reset_done.connect(after_reset)
        window.resize(1200, 760)
    else:
        from secop_desktop.views.training import open_training_action

        window.menuBar().addMenu("&Capacitación").addAction(open_training_action(window))
    window.show()
    code = app.exec()
    services.close()
    return code
