"""Start-up wiring: the saved Configuración de conexión and Configuración de correo are really used."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from secop_desktop import paths
from secop_desktop.core import connection
from secop_desktop.core.mail import settings as mailer
from secop_desktop.store.models import User
from secop_desktop.views import launcher
from secop_desktop.vocab import EstadoEnvio
from tests.conftest import registration
from tests.memory_keyring import MemoryKeyring
from tests.pg_server import PostgresServer
from tests.smtp_fixtures import start_server
from tests.training_fixtures import seeded_folder  # noqa: F401 - fixture


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


def test_configured_smtp_sends_in_the_background(qtbot, memory_keyring: MemoryKeyring) -> None:  # type: ignore[no-untyped-def]
    server = start_server()
    services = launcher.open_shared_services()
    try:
        assert launcher.start_mail(services) is None  # nothing configured yet: Buzón only
        mailer.save_settings(mailer.SmtpSettings(host="127.0.0.1", port=server.port, seguridad=mailer.NINGUNA,
                                                 remitente="mesa@example.com"))
        sender = launcher.start_mail(services)
        assert sender is not None
        try:
            services.users.register(registration("victor_2018", nombre="Víctor Núñez"))
            sender.wake()
            qtbot.waitUntil(lambda: bool(server.received), timeout=20_000)
            qtbot.waitUntil(lambda: sender.job is None, timeout=20_000)
        finally:
            sender.stop()
        assert [m.message["Subject"] for m in server.received] == ["Activación de su registro en SECOP"]
        with services.db.session() as s:
            from secop_desktop.core.accounts import mailbox as outbox

            [message] = [m for uid in s.scalars(select(User.id)) for m in outbox.inbox(s, uid)]
        assert message.envio_estado == EstadoEnvio.ENVIADO.value
    finally:
        services.mail.disable()
        services.close()
        server.stop()


def test_training_is_prepared_in_a_job_and_opened(qtbot, seeded_folder: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import threading

    from secop_desktop.core import training

    shutil.copytree(seeded_folder, paths.data_dir() / training.TRAINING_DIR, dirs_exist_ok=True)
    threads: list[str] = []
    real = training.ensure_ready

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "ensure_ready", spy)
    services = launcher._open_training()
    try:
        assert threads and threads[0] != threading.main_thread().name  # the seed check ran off the GUI thread
        assert services.training.is_training()
        assert services.data_dir == paths.data_dir() / training.TRAINING_DIR
    finally:
        services.close()
