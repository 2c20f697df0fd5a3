"""Ayuda > Acerca de: version, folders, database (no credentials), keyring backend and licence."""

from __future__ import annotations

import platform
from dataclasses import dataclass
from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from secop_desktop import APP_NAME, __version__, paths
from secop_desktop.views import crash

TITLE = "Acerca de secop-desktop"
DEFAULT_LICENCE = "MIT"


def licence() -> str:
    """The SPDX licence declared in the installed package's metadata."""
    from importlib import metadata

    try:
        meta = metadata.metadata(APP_NAME)
    except metadata.PackageNotFoundError:
        return DEFAULT_LICENCE
    for key in ("License-Expression", "License"):
        values = meta.get_all(key) or []
        if values and values[0].strip():
            return str(values[0]).strip()
    return DEFAULT_LICENCE


def keyring_backend() -> str:
    from secop_desktop.core import secrets

    status = secrets.status()
    if status.usable:
        return status.backend
    return f"{status.backend} (no es seguro: las contraseñas se piden en cada inicio)"


@dataclass(frozen=True)
class AboutInfo:
    version: str
    datos: str
    registros: str
    base_de_datos: str
    llavero: str
    licencia: str
    qt: str
    python: str

    def rows(self) -> list[tuple[str, str]]:
        return [("Versión", self.version), ("Carpeta de datos", self.datos),
                ("Carpeta de registros", self.registros), ("Base de datos", self.base_de_datos),
                ("Llavero del sistema", self.llavero), ("Licencia", self.licencia), ("Qt", self.qt),
                ("Python", self.python)]

    def text(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows())


def about_info(data_dir: Path) -> AboutInfo:
    return AboutInfo(
        version=__version__,
        datos=str(data_dir),
        registros=str(paths.log_dir()),
        base_de_datos=crash.context.get("Base de datos", "sin abrir"),
        llavero=keyring_backend(),
        licencia=licence(),
        qt=crash.qt_versions(),
        python=platform.python_version(),
    )


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.info = about_info(data_dir)
        layout = QVBoxLayout(self)
        heading = QLabel(f"<h2>secop-desktop {escape(self.info.version)}</h2>"
                         "<p>Registro de proveedores del SECOP II en una aplicación de escritorio.</p>")
        heading.setWordWrap(True)
        layout.addWidget(heading)
        form = QFormLayout()
        self.values: dict[str, QLabel] = {}
        for label, value in self.info.rows():
            field = QLabel(value)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setAccessibleName(label)
            form.addRow(f"{label}:", field)
            self.values[label] = field
        layout.addLayout(form)
        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Copiar")
        self.copy_button.setToolTip("Copia estos datos para enviarlos a la Mesa de servicio.")
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.info.text()))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton("C&errar", QDialogButtonBox.ButtonRole.RejectRole)
        close.setDefault(True)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
