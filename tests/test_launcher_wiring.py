"""Start-up wiring: the saved Configuración de conexión and Configuración de correo are really used."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import select

from secop_desktop import paths
from secop_desktop.core import connection
from secop_desktop.core.mail import mailer
from secop_desktop.store.models import User
from secop_desktop.views import launcher
from secop_desktop.vocab import EstadoEnvio
from tests.conftest import registration
from tests.memory_keyring import MemoryKeyring
from tests.pg_server import PostgresServer
from tests.smtp_fixtures import start_server


def test_saved_connection_opens_the_shared_postgresql(pg_server: PostgresServer, memory_keyring: MemoryKeyring,
                                                       monkeypatch) -> None:  # type: ignore[no-untyped-def]
    database = pg_server.create_database()
    connection.save_settings(connection.ConnectionSettings(host="127.0.0.1", port=pg_server.port,
                                                           database=database, user="postgres",
                                                           sslmode="disable"))
    asked: list[str] = []
    monkeypatch.setattr(launcher, "ask_database_password",
                        lambda settings: asked.append(settings.describe()) or "sin-uso")
    services = launcher.open_shared_services()
    try:
        assert services.db.dialect == "postgresql"
        assert services.db.engine.url.database == database
        # No password in the keyring: asked once, for this session only, and never written to disk.
        assert len(asked) == 1
        assert all("sin-uso" not in p.read_text(errors="ignore") for p in paths.data_dir().rglob("*")
                   if p.is_file())
    finally:
        services.close()


def test_without_settings_the_local_sqlite_is_used() -> None:
    services = launcher.open_shared_services()
    try:
        assert services.db.dialect == "sqlite"
        assert Path(services.db.engine.url.database or "").parent == paths.data_dir()
    finally:
        services.close()


def test_configured_smtp_sends_in_the_background(memory_keyring: MemoryKeyring) -> None:
    server = start_server()
    services = launcher.open_shared_services()
    try:
        assert launcher.start_mail(services) is None  # nothing configured yet: Buzón only
        mailer.save_settings(mailer.SmtpSettings(host="127.0.0.1", port=server.port, seguridad=mailer.NINGUNA,
                                                 remitente="mesa@example.com"))
        scheduler = launcher.start_mail(services)
        assert scheduler is not None
        try:
            services.users.register(registration("victor_2018", nombre="Víctor Núñez"))
            deadline = time.monotonic() + 20
            while not server.received and time.monotonic() < deadline:
                scheduler.wake()
                time.sleep(0.1)
        finally:
            scheduler.stop()
        assert [m.message["Subject"] for m in server.received] == ["Activación de su registro en SECOP"]
        with services.db.session() as s:
            from secop_desktop.core.accounts import mailbox as outbox

            [message] = [m for uid in s.scalars(select(User.id)) for m in outbox.inbox(s, uid)]
        assert message.envio_estado == EstadoEnvio.ENVIADO.value
    finally:
        mailer.disable(services)
        services.close()
        server.stop()
