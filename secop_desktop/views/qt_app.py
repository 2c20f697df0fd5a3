"""QApplication set-up: Spanish translations, the name Qt adds to window titles, where file dialogs start,
Enter pressing buttons in every window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QStandardPaths, QTranslator
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from secop_desktop import APP_NAME, __version__
from secop_desktop.resources import data_path, icon_paths
from secop_desktop.views.widgets.keys import install_enter_presses
from secop_desktop.views.widgets.style import install_style

DISPLAY_NAME = "SECOP II"
_translators: list[QTranslator] = []


def documents_folder() -> str:
    """Where file dialogs start: the user's Documents folder (never the program's), else the home folder.

    Nothing is created: the app writes only into its own data, config and log folders.
    """
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return documents
    return str(Path.home())


# What Qt's Spanish catalogue leaves in English, and Spain's "fichero" where Colombia says "archivo".
MISSING: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): "&Buscar en:",
    ("QFileDialog", "Files of &type:"): "&Tipo de archivo:",
    ("QFileDialog", "File &name:"): "&Nombre del archivo:",
    ("QFileDialog", "Show &hidden files"): "Mostrar los arc&hivos ocultos",
    ("QFileSystemModel", "File Folder"): "Carpeta",
}
_ARCHIVO = (("ficheros", "archivos"), ("Ficheros", "Archivos"), ("fichero", "archivo"), ("Fichero", "Archivo"))


class ColombianSpanish(QTranslator):
    """Asked before Qt's catalogue: fills its gaps and uses the words of Colombia."""

    def __init__(self, catalogue: QTranslator, parent: QApplication) -> None:
        super().__init__(parent)
        self.catalogue = catalogue

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        if (context, source) in MISSING:
            return MISSING[(context, source)]
        text = self.catalogue.translate(context, source, disambiguation, n) or ""
        for spain, colombia in _ARCHIVO:
            text = text.replace(spain, colombia)
        return text


def install_spanish(app: QApplication) -> bool:
    """Loads Qt's own Spanish catalogue so standard buttons and the file dialog read Atrás, Cancelar, Abrir."""
    QLocale.setDefault(QLocale(QLocale.Language.Spanish, QLocale.Country.Colombia))
    if _translators:
        return True
    for directory in (QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath),
                      str(data_path("translations"))):
        translator = QTranslator(app)
        if translator.load("qtbase_es", directory):
            app.installTranslator(translator)
            overrides = ColombianSpanish(translator, app)
            app.installTranslator(overrides)  # the last installed is asked first
            _translators.extend((translator, overrides))
            return True
    return False


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
    # Qt appends it to every window title ("Escritorio — SECOP II"): titles themselves leave it out.
    app.setApplicationDisplayName(DISPLAY_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_NAME)
    # Matches packaging/secop-desktop.desktop, so docks and Wayland show the installed icon and name.
    app.setDesktopFileName(APP_NAME)
    app.setWindowIcon(app_icon())
    install_spanish(app)
    install_enter_presses(app)
    install_style(app)
    return app
