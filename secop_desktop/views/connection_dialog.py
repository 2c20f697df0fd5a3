"""Configuración de conexión: the shared PostgreSQL of a help desk, its test and where the password goes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from secop_desktop import paths
from secop_desktop.core import connection, secrets
from secop_desktop.core.connection import ConnectionSettings
from secop_desktop.errors import FieldError, ValidationError
from secop_desktop.views.jobs import IsCancelled, Job, Progress
from secop_desktop.views.widgets.forms import add_row

ERROR_STYLE = "color: #b00020"
OK_STYLE = "color: #1b5e20"
WARNING_STYLE = "color: #8a4b00"

Tester = Callable[[ConnectionSettings, str | None], tuple[bool, str]]



class FieldErrors:
    """A red message under each field, by field name; typed text is never touched."""

    def __init__(self) -> None:
        self.labels: dict[str, QLabel] = {}

    def add(self, form: QFormLayout, name: str) -> None:
        label = QLabel()
        label.setStyleSheet(ERROR_STYLE)
        label.setWordWrap(True)
        label.setVisible(False)
        form.addRow("", label)
        self.labels[name] = label

    def show(self, errors: list[FieldError]) -> None:
        by_field = {e.field: e.message for e in errors}
        for name, label in self.labels.items():
            label.setText(by_field.get(name, ""))
            label.setVisible(name in by_field)

    def text(self, name: str) -> str:
        return self.labels[name].text()


class ProbeMixin:
    """Probar conexión with a busy bar and a way out, shared by the connection and e-mail dialogs."""

    status: QLabel
    progress: QProgressBar
    probe_button: QPushButton
    cancel_probe: QPushButton
    _probe: Job | None
    last_result: tuple[bool, str] | None

    def _add_footer(self, layout: QVBoxLayout, extra: QPushButton) -> None:
        """Keyring warning, busy bar, result line and Probar conexión / Guardar / <extra> / Cerrar."""
        keyring = secrets.status()
        self.keyring_warning = QLabel(keyring.message)
        self.keyring_warning.setWordWrap(True)
        self.keyring_warning.setStyleSheet(WARNING_STYLE)
        self.keyring_warning.setVisible(not keyring.usable)
        layout.addWidget(self.keyring_warning)
        self.progress = busy_bar()
        layout.addWidget(self.progress)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Resultado")
        layout.addWidget(self.status)

        buttons = QHBoxLayout()
        self.probe_button = QPushButton("&Probar conexión")
        self.probe_button.clicked.connect(self.probe)  # type: ignore[attr-defined]
        self.cancel_probe = QPushButton("Cancelar &prueba")
        self.cancel_probe.setVisible(False)
        self.cancel_probe.clicked.connect(self._cancel)
        self.save_button = QPushButton("&Guardar")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)  # type: ignore[attr-defined]
        self.close_button = QPushButton("&Cerrar")
        self.close_button.clicked.connect(self.reject)  # type: ignore[attr-defined]
        for button in (self.probe_button, self.cancel_probe, self.save_button, extra, self.close_button):
            buttons.addWidget(button)
        layout.addLayout(buttons)

    def _start_probe(self, work: Callable[[], tuple[bool, str]], busy_text: str) -> None:
        def run(_progress: Progress, _cancelled: IsCancelled) -> tuple[bool, str]:
            # The network round trip cannot be interrupted; a cancelled probe's result is ignored.
            return work()

        job = Job(run, name="prueba de conexión")
        # Bound methods, not lambdas: Qt drops the connection if the dialog is closed meanwhile.
        job.signals.finished.connect(self._probe_finished)
        job.signals.failed.connect(self._probe_failed)
        self._probe = job
        self.probe_button.setEnabled(False)
        self.cancel_probe.setVisible(True)
        self.progress.setVisible(True)
        self._show_status(busy_text, WARNING_STYLE)
        job.start()

    def _probe_finished(self, result: tuple[bool, str]) -> None:
        self._probe_done(*result)

    def _probe_failed(self, message: str) -> None:
        self._probe_done(False, f"No se pudo probar la conexión: {message}")

    def _probe_done(self, ok: bool, message: str) -> None:
        sender = self.sender()  # type: ignore[attr-defined]
        if self._probe is None or sender is not self._probe.signals:  # a cancelled probe finishing late
            return
        self._probe = None
        self._end_busy()
        self._show_status(message, OK_STYLE if ok else ERROR_STYLE)
        self.last_result = (ok, message)

    def _cancel(self) -> None:
        if self._probe is not None:
            self._probe.cancel.set()
        self._probe = None
        self._end_busy()
        self._show_status("Prueba cancelada.", WARNING_STYLE)

    def _end_busy(self) -> None:
        self.probe_button.setEnabled(True)
        self.cancel_probe.setVisible(False)
        self.progress.setVisible(False)

    def _show_status(self, text: str, style: str) -> None:
        self.status.setStyleSheet(style)
        self.status.setText(text)


def busy_bar() -> QProgressBar:
    bar = QProgressBar()
    bar.setRange(0, 0)  # indeterminate: a network round trip has no percentage
    bar.setAccessibleName("Probando")
    bar.setVisible(False)
    return bar


class ConnectionDialog(ProbeMixin, QDialog):
    """Host, Puerto, Base de datos, Usuario, Contraseña, Modo SSL; Probar conexión; Guardar."""

    saved = Signal(object)  # ConnectionSettings

    def __init__(self, base: Path | None = None, parent: QWidget | None = None, *,
                 tester: Tester = connection.test_connection) -> None:
        super().__init__(parent)
        self.base = base
        self.tester = tester
        self.session_password: str | None = None  # typed, but the keyring could not keep it
        self.last_result: tuple[bool, str] | None = None
        self._probe = None
        self.setWindowTitle("Configuración de conexión")
        layout = QVBoxLayout(self)

        intro = QLabel("Use una base de datos PostgreSQL compartida para que varios agentes de la mesa de "
                       "ayuda trabajen a la vez. Sin esta configuración la aplicación usa la base de datos "
                       "local de este equipo.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if os.environ.get(paths.DB_URL_ENV):
            env_note = QLabel(f"La variable {paths.DB_URL_ENV} está definida y tiene prioridad sobre esta "
                              "configuración.")
            env_note.setWordWrap(True)
            env_note.setStyleSheet(WARNING_STYLE)
            layout.addWidget(env_note)

        form = QFormLayout()
        self.errors = FieldErrors()
        self.host = QLineEdit()
        self.host.setPlaceholderText("Ej.: servidor.mesa.local")
        add_row(form, "Host", self.host, required=True)
        self.errors.add(form, "host")
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        add_row(form, "Puerto", self.port, required=True)
        self.errors.add(form, "port")
        self.database = QLineEdit("secop")
        add_row(form, "Base de datos", self.database, required=True)
        self.errors.add(form, "database")
        self.user = QLineEdit()
        add_row(form, "Usuario", self.user, required=True)
        self.errors.add(form, "user")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        add_row(form, "Contraseña", self.password)
        self.errors.add(form, "password")
        self.sslmode = QComboBox()
        for mode, description in connection.SSL_MODES.items():
            self.sslmode.addItem(f"{mode} - {description}", mode)
        add_row(form, "Modo SSL", self.sslmode, required=True)
        self.errors.add(form, "sslmode")
        layout.addLayout(form)

        self.local_button = QPushButton("Usar base de datos &local")
        self.local_button.clicked.connect(self.use_local)
        self._add_footer(layout, self.local_button)
        self._load()

    # --- values -----------------------------------------------------------------------------

    def _load(self) -> None:
        settings = connection.load_settings(self.base)
        if settings is None:
            return
        self.host.setText(settings.host)
        self.port.setValue(settings.port)
        self.database.setText(settings.database)
        self.user.setText(settings.user)
        index = self.sslmode.findData(settings.sslmode)
        self.sslmode.setCurrentIndex(max(index, 0))
        if connection.stored_password(settings) is not None:
            self.password.setPlaceholderText("(guardada en el llavero del sistema)")

    def settings(self) -> ConnectionSettings:
        return connection.normalized(ConnectionSettings(
            host=self.host.text(), port=self.port.value(), database=self.database.text(),
            user=self.user.text(), sslmode=str(self.sslmode.currentData())))

    def _password(self, settings: ConnectionSettings) -> str | None:
        typed = self.password.text()
        if typed:
            return typed
        return connection.stored_password(settings) or self.session_password

    def _valid_settings(self) -> ConnectionSettings | None:
        settings = self.settings()
        errors = connection.validate(settings)
        self.errors.show(errors)
        if errors:
            self._show_status("Revise los campos marcados.", ERROR_STYLE)
            return None
        return settings

    # --- actions ------------------------------------------------------------------------------

    def probe(self) -> None:
        """Probar conexión: off the GUI thread, with a busy bar."""
        settings = self._valid_settings()
        if settings is None:
            return
        password = self._password(settings)
        self._start_probe(lambda: self.tester(settings, password),
                          f"Probando la conexión con {settings.host}:{settings.port}…")

    def save(self) -> None:
        """Guardar: settings to disk without the password; the password to the keyring, if it is safe."""
        settings = self._valid_settings()
        if settings is None:
            return
        try:
            connection.save_settings(settings, self.base)
        except (ValidationError, OSError) as exc:
            self._show_status(f"No se pudo guardar la configuración: {exc}", ERROR_STYLE)
            return
        typed = self.password.text()
        note = "Reinicie la aplicación para usar la base de datos compartida."
        if typed and connection.remember_password(settings, typed):
            self.session_password = None
            self._show_status(f"Configuración guardada. La contraseña quedó en el llavero del sistema. {note}",
                              OK_STYLE)
        elif typed:
            self.session_password = typed
            self.keyring_warning.setVisible(True)
            self._show_status("Configuración guardada sin la contraseña: el llavero del sistema no es seguro y "
                              f"se le pedirá la contraseña cada vez que inicie la aplicación. {note}",
                              WARNING_STYLE)
        else:
            self._show_status(f"Configuración guardada. {note}", OK_STYLE)
        self.password.clear()
        self.saved.emit(settings)

    def use_local(self) -> None:
        connection.clear_settings(self.base)
        self.session_password = None
        self._show_status("Se usará la base de datos local de este equipo al reiniciar la aplicación.", OK_STYLE)
