"""QApplication set-up: Spanish translations, style, the services the windows share."""

from __future__ import annotations

import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from secop_desktop import APP_NAME, __version__
from secop_desktop.resources import data_path, icon_paths

_translators: list[QTranslator] = []


def install_spanish(app: QApplication) -> bool:
    """Loads Qt's own Spanish catalogue so standard buttons read Atrás, Siguiente, Cancelar."""
    QLocale.setDefault(QLocale(QLocale.Language.Spanish, QLocale.Country.Colombia))
    loaded = False
    for directory in (QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
                      str(data_path("translations"))):
        translator = QTranslator(app)
        if translator.load("qtbase_es", directory):
            app.installTranslator(translator)
            _translators.append(translator)
            loaded = True
            break
    return loaded


def app_icon() -> QIcon:
    icon = QIcon()
    for path in icon_paths():
        icon.addFile(str(path))
    return icon


def application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName("SECOP II - Registro de Proveedores")
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    # Matches packaging/secop-desktop.desktop, so docks and Wayland show the installed icon and name.
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(app_icon())
    install_spanish(app)
    return app
