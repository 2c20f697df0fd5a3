"""Configuración de correo: the SMTP server that also sends the Buzón messages by e-mail."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.mail import settings as mail_settings
from secop_desktop.core.mail.settings import SmtpSettings
from secop_desktop.core.mail.smtp import test_settings
from secop_desktop.errors import ValidationError
from secop_desktop.views.connection_dialog import (
    ERROR_STYLE,
    OK_STYLE,
    WARNING_STYLE,
    FieldErrors,
    ProbeMixin,
)
from secop_desktop.views.widgets.forms import add_row

SmtpTester = Callable[[SmtpSettings, str | None], tuple[bool, str]]


class SmtpDialog(ProbeMixin, QDialog):
    """Servidor SMTP, Puerto, Seguridad, Usuario, Contraseña, Correo del remitente."""

    saved = Signal(object)  # SmtpSettings, or None when e-mail was switched off

    def __init__(self, base: Path | None = None, parent: QWidget | None = None, *,
                 tester: SmtpTester = test_settings) -> None:
        super().__init__(parent)
        self.base = base
        self.tester = tester
        self.session_password: str | None = None
        self.last_result: tuple[bool, str] | None = None
        self._probe = None
        self.setWindowTitle("Configuración de correo")
        layout = QVBoxLayout(self)
        intro = QLabel("Todos los mensajes llegan siempre al Buzón. Si configura un servidor de correo, "
                       "también se envían por correo electrónico; cada mensaje muestra su estado: "
                       "pendiente, enviado o error (con el motivo).")
        intro.setWordWrap(True)
        layout.addWidget(intro)

        form = QFormLayout()
        self.errors = FieldErrors()
        self.host = QLineEdit()
        self.host.setPlaceholderText("Ej.: smtp.entidad.gov.co")
        add_row(form, "Servidor SMTP", self.host, required=True)
        self.errors.add(form, "host")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(mail_settings.DEFAULT_PORTS[mail_settings.STARTTLS])
        add_row(form, "Puerto", self.port, required=True)
        self.errors.add(form, "port")
        self.seguridad = QComboBox()
        self.seguridad.addItems(list(mail_settings.SEGURIDAD))
        self.seguridad.currentTextChanged.connect(self._security_changed)
        add_row(form, "Seguridad", self.seguridad, required=True)
        self.errors.add(form, "seguridad")
        self.usuario = QLineEdit()
        add_row(form, "Usuario", self.usuario)
        self.errors.add(form, "usuario")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        add_row(form, "Contraseña", self.password)
        self.errors.add(form, "password")
        self.remitente = QLineEdit()
        self.remitente.setPlaceholderText("Ej.: notificaciones@entidad.gov.co")
        add_row(form, "Correo del remitente", self.remitente, required=True)
        self.errors.add(form, "remitente")
        layout.addLayout(form)

        self.off_button = QPushButton("&Desactivar correo")
        self.off_button.clicked.connect(self.switch_off)
        self._add_footer(layout, self.off_button)
        self._load()

    def _security_changed(self, seguridad: str) -> None:
        # Follow the usual port of each mode unless the user typed another one.
        if self.port.value() in mail_settings.DEFAULT_PORTS.values():
            self.port.setValue(mail_settings.DEFAULT_PORTS.get(seguridad, self.port.value()))

    def _load(self) -> None:
        settings = mail_settings.load_settings(self.base)
        if settings is None:
            return
        self.host.setText(settings.host)
        self.seguridad.setCurrentText(settings.seguridad)
        self.port.setValue(settings.port)
        self.usuario.setText(settings.usuario)
        self.remitente.setText(settings.remitente)
        if settings.usuario and mail_settings.stored_password(settings) is not None:
            self.password.setPlaceholderText("(guardada en el llavero del sistema)")

    def settings(self) -> SmtpSettings:
        return mail_settings.normalized(SmtpSettings(host=self.host.text(), port=self.port.value(),
                                              seguridad=self.seguridad.currentText(), usuario=self.usuario.text(),
                                              remitente=self.remitente.text()))

    def _password(self, settings: SmtpSettings) -> str | None:
        return self.password.text() or mail_settings.stored_password(settings) or self.session_password

    def _valid_settings(self) -> SmtpSettings | None:
        settings = self.settings()
        errors = mail_settings.validate(settings)
        self.errors.show(errors)
        if errors:
            self._show_status("Revise los campos marcados.", ERROR_STYLE)
            return None
        return settings

    def probe(self) -> None:
        settings = self._valid_settings()
        if settings is None:
            return
        password = self._password(settings)
        self._start_probe(lambda: self.tester(settings, password),
                          f"Probando el servidor de correo {settings.host}:{settings.port}…")

    def save(self) -> None:
        settings = self._valid_settings()
        if settings is None:
            return
        try:
            mail_settings.save_settings(settings, self.base)
        except (ValidationError, OSError) as exc:
            self._show_status(f"No se pudo guardar la configuración: {exc}", ERROR_STYLE)
            return
        typed = self.password.text()
        if typed and mail_settings.remember_password(settings, typed):
            self.session_password = None
            self._show_status("Configuración de correo guardada. La contraseña quedó en el llavero del sistema.",
                              OK_STYLE)
        elif typed:
            self.session_password = typed
            self.keyring_warning.setVisible(True)
            self._show_status("Configuración de correo guardada sin la contraseña: el llavero del sistema no es "
                              "seguro y se le pedirá cada vez que inicie la aplicación.", WARNING_STYLE)
        else:
            self._show_status("Configuración de correo guardada.", OK_STYLE)
        self.password.clear()
        self.saved.emit(settings)

    def switch_off(self) -> None:
        mail_settings.clear_settings(self.base)
        self.session_password = None
        self._show_status("Correo desactivado: los mensajes quedan solo en el Buzón.", OK_STYLE)
        self.saved.emit(None)
