"""Start window: Registrarse and the Entrar box."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.errors import ServiceError
from secop_desktop.core.services import Services
from secop_desktop.core.users import UserInfo
from secop_desktop.core.vocab import MESA_DE_SERVICIO
from secop_desktop.views.forms import add_row


class StartWindow(QMainWindow):
    signed_in = Signal(object)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("SECOP II - Registro de Proveedores")
        central = QWidget()
        layout = QVBoxLayout(central)
        title = QLabel("<h1>SECOP II</h1><p>Registro de Proveedores</p>")
        layout.addWidget(title)

        box = QGroupBox("ENTRAR")
        form = QFormLayout(box)
        self.usuario = QLineEdit()
        add_row(form, "Usuario", self.usuario)
        self.contrasena = QLineEdit()
        self.contrasena.setEchoMode(QLineEdit.EchoMode.Password)
        add_row(form, "Contraseña", self.contrasena)
        self.error = QLabel()
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        buttons = QHBoxLayout()
        self.entrar = QPushButton("&Entrar")
        self.entrar.setDefault(True)
        self.entrar.clicked.connect(self._sign_in)
        self.contrasena.returnPressed.connect(self._sign_in)
        buttons.addWidget(self.entrar)
        form.addRow(buttons)
        layout.addWidget(box)

        self.registrarse = QPushButton("&Registrarse")
        layout.addWidget(self.registrarse)
        mesa = QLabel(MESA_DE_SERVICIO)
        mesa.setWordWrap(True)
        layout.addWidget(mesa)
        self.setCentralWidget(central)

    def _sign_in(self) -> None:
        try:
            info: UserInfo = self.services.users.login(self.usuario.text(), self.contrasena.text())
        except ServiceError as exc:
            self.error.setText(exc.message)
            return
        self.error.clear()
        self.contrasena.clear()
        self.signed_in.emit(info)
