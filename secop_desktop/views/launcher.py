"""Opens the services and the first window, and reports start-up errors in Spanish."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from secop_desktop.core.services import Services
from secop_desktop.store.database import SchemaTooNewError
from secop_desktop.views.qt_app import application


def launch(*, admin: bool = False) -> int:
    app = application()
    try:
        services = Services.open()
    except SchemaTooNewError as exc:
        QMessageBox.critical(None, "SECOP II", str(exc))
        return 2
    if admin:
        from secop_desktop.views.admin_window import open_admin_window

        window = open_admin_window(services)
    else:
        from secop_desktop.views.start_window import StartWindow

        window = StartWindow(services)
    window.show()
    code = app.exec()
    services.close()
    return code
