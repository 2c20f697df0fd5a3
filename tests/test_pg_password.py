"""A shared PostgreSQL opened with a password full of URL and configparser syntax, by TCP and by socket.

The role below authenticates with scram-sha-256 (the rest of the test server trusts everybody), so a
wrong password is really refused; nothing the user sees, nor the log, ever carries the password.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from secop_desktop.core import connection
from secop_desktop.core.connection import ConnectionSettings
from secop_desktop.core.services import Services
from secop_desktop.errors import StoreUnavailable
from secop_desktop.store.database import alembic_config, head_revision
from secop_desktop.store.probe import password_forms
from secop_desktop.views.connection_dialog import ConnectionDialog
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from tests.memory_keyring import MemoryKeyring
from tests.pg_server import PostgresServer
from tests.wizard_fixtures import (
    Chooser,
    attach_all,
    by_name,
    choose,
    click,
    confirm_and_sign_in,
    field,
    fill_step1,
    keys,
    page,
    shown_errors,
    type_in,
    wizard_button,
    write_pdfs,
)

PASSWORD = "Cl@ve!Segura#%:/?&$ñ"
ROLE = "agente_clave"

pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class Role:
    server: PostgresServer
    database: str

    def settings(self, **overrides: object) -> ConnectionSettings:
        values: dict[str, object] = {"host": "127.0.0.1", "port": self.server.port, "database": self.database,
                                     "user": ROLE, "sslmode": "disable"}
        values.update(overrides)
        return ConnectionSettings(**values)  # type: ignore[arg-type]

    def tcp_url(self, password: str = PASSWORD) -> str:
        return (f"postgresql+psycopg://{ROLE}:{quote(password, safe='')}@127.0.0.1:{self.server.port}/"
                f"{self.database}")

    def socket_url(self, password: str = PASSWORD) -> str:
        return (f"postgresql+psycopg://{ROLE}:{quote(password, safe='')}@:{self.server.port}/{self.database}"
                f"?host={quote(str(self.server.sockets), safe='')}")


_roles: dict[int, str] = {}


@pytest.fixture
def role(pg_server: PostgresServer) -> Iterator[Role]:
    """A login role with the hard password and its own empty database, checked by password."""
    if id(pg_server) not in _roles:
        hba = pg_server.data / "pg_hba.conf"
        rules = (f"host all {ROLE} 127.0.0.1/32 scram-sha-256\n"
                 f"local all {ROLE} scram-sha-256\n")
        hba.write_text(rules + hba.read_text())
        pg_server.admin_execute("SET password_encryption = 'scram-sha-256'")
        pg_server.admin_execute(f"CREATE ROLE {ROLE} LOGIN PASSWORD '{PASSWORD}'")
        pg_server.admin_execute("SELECT pg_reload_conf()")
        _roles[id(pg_server)] = ROLE
    database = pg_server.create_database()
    pg_server.admin_execute(f'ALTER DATABASE "{database}" OWNER TO {ROLE}')
    yield Role(pg_server, database)


def assert_no_password(text: str) -> None:
    for form in password_forms(f"postgresql://u:{quote(PASSWORD, safe='')}@h/d") | {PASSWORD, "Segura"}:
        assert form not in text, text


def test_alembic_never_receives_the_url() -> None:
    assert alembic_config().get_main_option("sqlalchemy.url") is None


def test_services_open_and_migrate_with_the_encoded_password(role: Role) -> None:
    services = Services.open(role.tcp_url(), None)
    try:
        assert services.db.dialect == "postgresql"
        with services.db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
            assert conn.exec_driver_sql("SELECT current_user").scalar() == ROLE
        assert_no_password(services.db.describe())
        assert_no_password(repr(services.db))
        assert_no_password(repr(services))
        assert_no_password(str(services.db.engine.url))
    finally:
        services.close()
    # Opening again (schema at head) works the same.
    Services.open(role.tcp_url(), None).close()


def test_a_socket_directory_url_opens_too(role: Role) -> None:
    services = Services.open(role.socket_url(), None)
    try:
        with services.db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
            assert conn.exec_driver_sql("SELECT inet_server_addr()").scalar() is None  # really the socket
    finally:
        services.close()


def test_saved_settings_with_the_keyring_password_open_the_database(role: Role,
                                                                    memory_keyring: MemoryKeyring) -> None:
    settings = role.settings()
    connection.save_settings(settings)
    assert connection.remember_password(settings, PASSWORD)
    services = Services.open(connection.effective_url(), None)
    try:
        assert services.db.dialect == "postgresql"
    finally:
        services.close()
    # The socket folder as Host works as well.
    socket_settings = role.settings(host=str(role.server.sockets))
    assert connection.validate(socket_settings) == []
    ok, message = connection.test_connection(socket_settings, PASSWORD)
    assert ok, message


def test_wrong_password_is_refused_in_spanish_without_the_password(role: Role, caplog: pytest.LogCaptureFixture
                                                                   ) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = PASSWORD + "x"
    with pytest.raises(StoreUnavailable) as caught:
        Services.open(role.tcp_url(wrong), None)
    assert caught.value.message == "El servidor rechazó el usuario o la contraseña. Revise Usuario y Contraseña."
    shown = "".join(traceback.format_exception(caught.value))
    for text in (shown, caplog.text):
        assert_no_password(text)
        assert "Segurax" not in text


def test_probe_reports_each_check_in_spanish(role: Role) -> None:
    ok, message = connection.test_connection(role.settings(), PASSWORD)
    assert ok, message
    lines = message.splitlines()
    assert lines[0].startswith("Conexión correcta con PostgreSQL ")
    assert lines[1] == "Esquema: la base de datos está vacía; el esquema se creará al abrirla."
    assert lines[2] == "Extensión pg_trgm: disponible en el servidor; se instalará al abrir la base de datos."
    assert lines[3] == "Extensión unaccent: disponible en el servidor; se instalará al abrir la base de datos."
    Services.open(role.tcp_url(), None).close()
    ok, message = connection.test_connection(role.settings(), PASSWORD)
    assert ok
    assert message.splitlines()[1:3] == ["Esquema: la base de datos está al día.", "Extensión pg_trgm: instalada."]

    ok, message = connection.test_connection(role.settings(), PASSWORD + "x")
    assert (ok, message) == (False, "El servidor rechazó el usuario o la contraseña. Revise Usuario y Contraseña.")
    ok, message = connection.probe_url(role.tcp_url("otra" + PASSWORD))
    assert not ok
    assert_no_password(message)


def test_dialog_probe_with_a_wrong_password_says_so_without_it(qtbot: QtBot, role: Role) -> None:
    from tests.test_connection import fill, result_text

    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog, host="127.0.0.1", port=role.server.port, database=role.database, user=ROLE,
         password="Cl@ve!Equivocada#%")
    qtbot.mouseClick(dialog.probe_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=20_000)
    assert dialog.last_result == (False, "El servidor rechazó el usuario o la contraseña. Revise Usuario y "
                                         "Contraseña.")
    assert result_text(dialog) == dialog.last_result[1]
    texts = " ".join(w.text() for w in dialog.findChildren(QLabel))
    assert "Equivocada" not in texts

    # The right password: each check on its own line.
    dialog.password.clear()
    keys(qtbot, dialog.password, PASSWORD)
    dialog.last_result = None
    qtbot.mouseClick(dialog.probe_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=20_000)
    assert dialog.last_result is not None and dialog.last_result[0], dialog.last_result
    assert "Extensión unaccent:" in result_text(dialog)
    assert PASSWORD not in result_text(dialog)


def test_company_registration_of_the_guide_on_the_password_protected_server(
        qtbot: QtBot, role: Role, tmp_path: Path) -> None:
    """Section III of the guide (register, confirm, validate, Registrar Entidad, form, documents) on that server."""
    application()
    services = Services.open(role.tcp_url(), tmp_path / "datos")
    try:
        window = StartWindow(services, file_chooser=Chooser(write_pdfs(tmp_path / "docs")), ask=lambda _: True)
        qtbot.addWidget(window)
        window.show()
        click(qtbot, by_name(window, QPushButton, "Registrarse"))
        wizard = window.wizards[-1]
        qtbot.waitExposed(wizard)
        fill_step1(qtbot, wizard, nombre="Víctor Alfonso Medina", usuario="victor_2018", entidad="F&F asociados")
        click(qtbot, wizard_button(wizard, "Continuar"))
        confirm_and_sign_in(qtbot, wizard)

        click(qtbot, field(wizard, "Validar", QPushButton))
        click(qtbot, field(wizard, "Registrar Entidad", QPushButton))
        choose(qtbot, field(wizard, "Tipo de organización", QComboBox), "Sociedad por acciones simplificada (S.A.S.)")
        click(qtbot, field(wizard, "Generar formulario", QPushButton))
        type_in(qtbot, field(wizard, "Nombre abreviado"), "fyf")
        type_in(qtbot, field(wizard, "NIT"), "900373913")
        assert field(wizard, "Dígito de verificación").text() == "4"
        click(qtbot, field(wizard, "Mipyme: Sí", QAbstractButton))
        choose(qtbot, field(wizard, "Régimen tributario", QComboBox), "Responsable de IVA")
        choose(qtbot, field(wizard, "Departamento", QComboBox), "Bogotá, D.C.")
        texts = {
            "Dirección": "Calle 26 # 69-76", "Código postal": "111321",
            "Correo electrónico de la oficina": "oficina@fyf.com.co", "Teléfono de oficina": "+57 601 7456788",
            "Correo electrónico para notificaciones SECOPII": "secop@fyf.com.co",
            "Nombre del representante legal": "Ana María Rojas",
            "Número de documento del representante legal": "52123456",
            "Correo electrónico del representante legal": "ana.rojas@fyf.com.co",
            "Teléfono del representante legal": "+57 3102585654",
        }
        for label, text in texts.items():
            type_in(qtbot, field(wizard, label), text)
        assert page(wizard).form_widget.input_errors() == []
        click(qtbot, wizard_button(wizard, "Siguiente"))
        assert shown_errors(wizard) == {}
        attach_all(qtbot, wizard)
        click(qtbot, wizard_button(wizard, "Finalizar"))
        assert "F&F asociados con el NIT 900373913 creada" in field(wizard, "Felicitaciones", QLabel).property(
            "plain_text")
        click(qtbot, wizard_button(wizard, "Haga clic aquí para continuar"))

        found = services.entities.search(nit="900373913")
        assert [e.nombre for e in found] == ["F&F asociados"]
        with services.db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM documents").scalar() >= 4
            assert conn.exec_driver_sql("SELECT current_user").scalar() == ROLE
    finally:
        services.close()
