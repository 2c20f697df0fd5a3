"""Configuración de conexión: settings without the password, the real test, the effective URL, the dialog."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPushButton, QSpinBox
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from secop_desktop import paths
from secop_desktop.core import connection
from secop_desktop.core.connection import ConnectionSettings
from secop_desktop.core.services import Services
from secop_desktop.errors import ValidationError
from secop_desktop.store.database import head_revision
from secop_desktop.views.connection_dialog import ConnectionDialog
from tests.memory_keyring import MemoryKeyring
from tests.pg_server import PostgresServer
from tests.smtp_fixtures import free_port
from tests.test_secrets import PlaintextKeyring, plaintext  # noqa: F401 - fixture
from tests.test_start_window import by_name


def pg_settings(server: PostgresServer, database: str, **overrides: object) -> ConnectionSettings:
    values: dict[str, object] = {"host": "127.0.0.1", "port": server.port, "database": database,
                                 "user": "postgres", "sslmode": "disable"}
    values.update(overrides)
    return ConnectionSettings(**values)  # type: ignore[arg-type]


def test_url_carries_the_password_but_the_description_does_not() -> None:
    settings = ConnectionSettings(host="bd.mesa.local", port=6432, database="secop", user="agente1",
                                  sslmode="verify-full")
    url = make_url(settings.to_url("p@ss:wörd/1"))
    assert (url.drivername, url.username, url.password, url.host, url.port, url.database) == (
        "postgresql+psycopg", "agente1", "p@ss:wörd/1", "bd.mesa.local", 6432, "secop")
    assert url.query == {"sslmode": "verify-full"}
    assert make_url(settings.to_url(None)).password is None
    assert settings.describe() == "agente1@bd.mesa.local:6432/secop (SSL: verify-full)"


def test_settings_round_trip_through_conexion_json() -> None:
    settings = ConnectionSettings(host=" bd.mesa.local ", port=5433, database="secop_mesa", user="agente1")
    path = connection.save_settings(settings)
    assert path == paths.data_dir() / "conexion.json"
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "host": "bd.mesa.local", "port": 5433, "database": "secop_mesa", "user": "agente1", "sslmode": "prefer"}
    assert connection.load_settings() == ConnectionSettings("bd.mesa.local", 5433, "secop_mesa", "agente1")
    path.write_text("{roto", encoding="utf-8")
    assert connection.load_settings() is None  # a damaged file means "not configured", never a crash


def test_invalid_settings_are_refused_field_by_field_in_spanish() -> None:
    with pytest.raises(ValidationError) as caught:
        connection.save_settings(ConnectionSettings(host="mal host", port=0, database=" ", user="", sslmode="x"))
    assert caught.value.by_field() == {
        "host": "El host no puede tener espacios ni los caracteres / @ ? #.",
        "port": "El puerto debe ser un número entre 1 y 65535.",
        "database": "Escriba el nombre de la base de datos.",
        "user": "Escriba el usuario de la base de datos.",
        "sslmode": "Seleccione un modo SSL de la lista.",
    }
    assert not (paths.data_dir() / "conexion.json").exists()


def test_effective_url_environment_then_settings_then_local(monkeypatch: pytest.MonkeyPatch,
                                                            memory_keyring: MemoryKeyring) -> None:
    local = connection.effective_database()
    assert (local.origen, local.url) == ("base local", paths.database_url())
    settings = ConnectionSettings(host="bd.mesa.local", user="agente1")
    connection.save_settings(settings)
    assert make_url(connection.effective_url()).password is None  # trust/.pgpass may still work
    assert connection.remember_password(settings, "Clave-1")
    shared = connection.effective_database()
    assert shared.origen == "configuración de conexión"
    assert make_url(shared.url).password == "Clave-1"
    assert "Clave-1" not in shared.describe()
    assert "Clave-1" not in repr(shared)  # what a log line or a traceback's locals would show
    monkeypatch.setenv(paths.DB_URL_ENV, "postgresql+psycopg://otro@bd2/secop")
    assert connection.effective_database().url == "postgresql+psycopg://otro@bd2/secop"


def test_missing_password_is_asked_and_a_cancelled_prompt_is_refused() -> None:
    connection.save_settings(ConnectionSettings(host="bd.mesa.local", user="agente1"))
    assert make_url(connection.effective_url(prompt=lambda _s: "tecleada-1")).password == "tecleada-1"
    with pytest.raises(connection.PasswordRequired) as caught:
        connection.effective_url(prompt=lambda _s: None)
    assert caught.value.message == ("Se necesita la contraseña de agente1@bd.mesa.local:5432/secop (SSL: prefer) "
                                    "para abrir la base de datos compartida.")


@pytest.mark.postgres
def test_probe_reports_state_of_the_real_server(pg_server: PostgresServer) -> None:
    migrated = pg_server.create_database(template="secop_template")
    ok, message = connection.test_connection(pg_settings(pg_server, migrated), None)
    assert ok, message
    assert message.splitlines() == [message.splitlines()[0], "Esquema: la base de datos está al día.",
                                    "Extensión pg_trgm: instalada.",
                                    "Extensión unaccent: disponible en el servidor; se instalará al abrir la "
                                    "base de datos."]
    assert message.startswith("Conexión correcta con PostgreSQL ")

    empty = pg_server.create_database()
    assert connection.test_connection(pg_settings(pg_server, empty), None)[1].splitlines()[1] == (
        "Esquema: la base de datos está vacía; el esquema se creará al abrirla.")

    assert connection.test_connection(pg_settings(pg_server, "no_existe"), None) == (
        False, f"La base de datos «no_existe» no existe en el servidor 127.0.0.1:{pg_server.port}.")

    port = free_port()
    assert connection.test_connection(pg_settings(pg_server, migrated, port=port), None) == (
        False, (f"No se pudo conectar con el servidor 127.0.0.1:{port}: no responde o rechazó la conexión. "
                "Revise Host y Puerto."))


@pytest.mark.postgres
def test_a_schema_from_a_newer_app_is_refused_by_the_probe(pg_server: PostgresServer) -> None:
    name = pg_server.create_database(template="secop_template")
    with psycopg.connect(host="127.0.0.1", port=pg_server.port, user="postgres", dbname=name,
                         autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    ok, message = connection.test_connection(pg_settings(pg_server, name), None)
    assert not ok
    assert message.splitlines()[1] == ("La base de datos fue actualizada por una versión más reciente de "
                                       "secop-desktop (revisión 9999). Actualice la aplicación antes de usarla.")


@pytest.mark.postgres
def test_saved_settings_open_and_migrate_the_shared_database(pg_server: PostgresServer, tmp_path: Path) -> None:
    name = pg_server.create_database()
    connection.save_settings(pg_settings(pg_server, name))
    services = Services.open(connection.effective_url(), tmp_path / "datos")
    try:
        assert services.db.dialect == "postgresql"
        with services.db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == head_revision()
            assert conn.exec_driver_sql("SELECT count(*) FROM pg_indexes WHERE indexname = "
                                        "'ix_entities_nombre_busqueda_trgm'").scalar() == 1
    finally:
        services.close()


# --- the dialog -----------------------------------------------------------------------------------


def fill(qtbot: QtBot, dialog: ConnectionDialog, *, host: str, port: int, database: str, user: str,
         password: str = "", sslmode: str = "disable") -> None:
    for name, value in (("Host", host), ("Base de datos", database), ("Usuario", user), ("Contraseña", password)):
        field = by_name(dialog, QLineEdit, name)
        field.clear()
        qtbot.keyClicks(field, value)
    spin = by_name(dialog, QSpinBox, "Puerto")
    spin.setValue(port)
    combo = by_name(dialog, QComboBox, "Modo SSL")
    combo.setCurrentIndex(combo.findData(sslmode))


def result_text(dialog: ConnectionDialog) -> str:
    return by_name(dialog, QLabel, "Resultado").text()


@pytest.mark.postgres
def test_dialog_probe_succeeds_against_the_real_server_and_saves(
        qtbot: QtBot, pg_server: PostgresServer, memory_keyring: MemoryKeyring) -> None:
    name = pg_server.create_database(template="secop_template")
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Configuración de conexión"
    assert not dialog.keyring_warning.isVisible()
    fill(qtbot, dialog, host="127.0.0.1", port=pg_server.port, database=name, user="postgres",
         password="Clave-BD-2018")
    qtbot.mouseClick(by_name(dialog, QPushButton, "Probar conexión"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=20_000)
    assert dialog.last_result is not None and dialog.last_result[0]
    assert result_text(dialog).startswith("Conexión correcta con PostgreSQL")
    assert not dialog.progress.isVisible()

    qtbot.mouseClick(by_name(dialog, QPushButton, "Guardar"), Qt.MouseButton.LeftButton)
    assert result_text(dialog).startswith("Configuración guardada. La contraseña quedó en el llavero del sistema.")
    assert connection.load_settings() == pg_settings(pg_server, name)
    assert memory_keyring.store == {
        ("secop-desktop", f"db:postgres@127.0.0.1:{pg_server.port}/{name}"): "Clave-BD-2018"}
    assert b"Clave-BD-2018" not in (paths.data_dir() / "conexion.json").read_bytes()


def test_dialog_wrong_port_shows_a_spanish_error_and_keeps_the_typed_text(qtbot: QtBot) -> None:
    port = free_port()
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog, host="127.0.0.1", port=port, database="secop", user="agente1")
    qtbot.mouseClick(by_name(dialog, QPushButton, "Probar conexión"), Qt.MouseButton.LeftButton)
    assert dialog.progress.isVisible()
    qtbot.waitUntil(lambda: dialog.last_result is not None, timeout=20_000)
    assert result_text(dialog) == (f"No se pudo conectar con el servidor 127.0.0.1:{port}: no responde o "
                                   "rechazó la conexión. Revise Host y Puerto.")
    assert by_name(dialog, QLineEdit, "Host").text() == "127.0.0.1"
    assert by_name(dialog, QLineEdit, "Usuario").text() == "agente1"
    assert connection.load_settings() is None  # probing saves nothing


def test_dialog_shows_field_errors_next_to_the_fields(qtbot: QtBot) -> None:
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog, host="", port=5432, database="secop", user="")
    qtbot.mouseClick(by_name(dialog, QPushButton, "Guardar"), Qt.MouseButton.LeftButton)
    assert dialog.errors.text("host") == "Escriba el nombre o la dirección IP del servidor."
    assert dialog.errors.text("user") == "Escriba el usuario de la base de datos."
    assert dialog.errors.text("database") == ""
    assert result_text(dialog) == "Revise los campos marcados."
    assert connection.load_settings() is None


def test_dialog_with_plaintext_keyring_warns_and_keeps_the_password_in_memory_only(
        qtbot: QtBot, plaintext: PlaintextKeyring) -> None:  # noqa: F811
    dialog = ConnectionDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.keyring_warning.isVisible()
    assert "keyrings.alt.file.PlaintextKeyring" in dialog.keyring_warning.text()
    fill(qtbot, dialog, host="bd.mesa.local", port=5432, database="secop", user="agente1",
         password="Clave-BD-2018")
    qtbot.mouseClick(by_name(dialog, QPushButton, "Guardar"), Qt.MouseButton.LeftButton)
    assert result_text(dialog).startswith("Configuración guardada sin la contraseña: el llavero del sistema no es "
                                          "seguro y se le pedirá la contraseña cada vez que inicie la aplicación.")
    assert dialog.session_password == "Clave-BD-2018"
    assert plaintext.store == {}
    assert all(b"Clave-BD-2018" not in p.read_bytes() for p in paths.data_dir().rglob("*") if p.is_file())
    # Back to the local database.
    qtbot.mouseClick(by_name(dialog, QPushButton, "Usar base de datos local"), Qt.MouseButton.LeftButton)
    assert connection.load_settings() is None
    assert connection.effective_database().origen == "base local"


def test_dialog_probe_runs_as_a_job_and_a_cancelled_result_is_ignored(qtbot: QtBot) -> None:
    import threading

    from PySide6.QtCore import QThreadPool

    release = threading.Event()
    calls: list[str] = []

    def slow_tester(settings: ConnectionSettings, password: str | None) -> tuple[bool, str]:
        calls.append(threading.current_thread().name)
        release.wait(10)
        return True, "Conexión correcta (tarde)."

    dialog = ConnectionDialog(tester=slow_tester)
    qtbot.addWidget(dialog)
    dialog.show()
    fill(qtbot, dialog, host="127.0.0.1", port=5432, database="secop", user="agente1")
    qtbot.mouseClick(by_name(dialog, QPushButton, "Probar conexión"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(calls))
    assert calls[0] != threading.main_thread().name  # off the GUI thread
    assert not dialog.probe_button.isEnabled() and dialog.cancel_probe.isVisible()
    qtbot.mouseClick(dialog.cancel_probe, Qt.MouseButton.LeftButton)
    assert result_text(dialog) == "Prueba cancelada."
    assert dialog.probe_button.isEnabled()
    release.set()
    QThreadPool.globalInstance().waitForDone(10_000)
    qtbot.wait(50)  # the late result's queued signal is delivered, and ignored
    assert dialog.last_result is None
    assert result_text(dialog) == "Prueba cancelada."


def test_probe_of_a_local_url_changes_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nueva.sqlite3'}"
    assert connection.probe_url(url) == (True, "La base de datos local aún no existe; se creará al abrirla.")
    assert not (tmp_path / "nueva.sqlite3").exists()
    Services.open(url, tmp_path).close()
    ok, message = connection.probe_url(url)
    assert ok
    assert message.splitlines() == ["Conexión correcta con la base de datos local (SQLite).",
                                    "Esquema: la base de datos está al día."]
