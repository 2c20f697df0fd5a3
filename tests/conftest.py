"""Test set-up: offscreen Qt, private data dir, SQLite and a real PostgreSQL server."""

from __future__ import annotations

import os
import sys

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # CI has no display; set before Qt loads

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import keyring
import pytest

from secop_desktop.core.accounts.users import UserRegistration
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.services import Services
from secop_desktop.store.database import Database
from secop_desktop.store.models import User
from tests.memory_keyring import MemoryKeyring
from tests.pg_server import PostgresServer


@dataclass
class FakeClock:
    now: datetime = datetime(2017, 1, 23, 20, 41, 30, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("SECOP_DESKTOP_HOME", str(home))
    monkeypatch.delenv("SECOP_DESKTOP_DB_URL", raising=False)
    return home


@pytest.fixture(autouse=True)
def _no_leftover_windows() -> Iterator[None]:
    """Windows a test opened indirectly (not through qtbot) must not leak into the next test."""
    yield
    if "PySide6.QtWidgets" not in sys.modules:
        return
    from PySide6.QtCore import QCoreApplication, QEvent, QThreadPool
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    # Returning from QApplication.exec() marks the application as closing; after that no QTimer
    # fires, and every later GUI test would fail for a reason that has nothing to do with it.
    assert not QCoreApplication.closingDown(), "a test ran QApplication.exec(): use a local QEventLoop"
    QThreadPool.globalInstance().waitForDone(10_000)
    for widget in QApplication.topLevelWidgets():
        widget.hide()  # hide, not close: closeEvent handlers may ask questions
        widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    backend = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server; failing to start is an error, never a skip."""
    server = PostgresServer()
    server.start()
    try:
        server.admin_execute('CREATE DATABASE "secop_template"')
        db = Database(server.url("secop_template"))
        db.dispose()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'secop.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("pg_server")
    return server.url(server.create_database(template="secop_template"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def services(db_url: str, tmp_path: Path, clock: FakeClock) -> Iterator[Services]:
    sv = Services.open(db_url, tmp_path / "data", clock=clock)
    yield sv
    sv.close()


@pytest.fixture
def sqlite_services(tmp_path: Path, clock: FakeClock) -> Iterator[Services]:
    """For GUI tests: one backend is enough there, the services are covered on both."""
    sv = Services.open(f"sqlite:///{tmp_path / 'gui.sqlite3'}", tmp_path / "data", clock=clock)
    yield sv
    sv.close()


def registration(usuario: str = "victor_2018", **overrides: object) -> UserRegistration:
    values: dict[str, object] = dict(
        nombre="Víctor Alfonso Medina",
        pais="COLOMBIA",
        nombre_entidad="F&F asociados",
        correo=f"{usuario}@example.com",
        usuario=usuario,
        contrasena="Secop2018x",
        confirmar="Secop2018x",
        pregunta="¿Cuál es el nombre de su primera mascota?",
        respuesta="Firulais",
        telefono="+57 3102585654",
        acepta_terminos=True,
    )
    values.update(overrides)
    return UserRegistration(**values)  # type: ignore[arg-type]


def active_user(services: Services, usuario: str = "victor_2018", **overrides: object) -> int:
    """Registers and confirms a user through the real services; returns its id."""
    from secop_desktop.core.accounts import mailbox as outbox

    info = services.users.register(registration(usuario, **overrides))
    with services.db.session() as s:
        m = next(m for m in outbox.inbox(s, info.id) if m.clase == "activacion")
    # With SMTP configured the link travels only in the e-mail, held in memory until it is sent.
    _, link = outbox.email_content(m.id, m.destinatario, m.cuerpo, m.enlace)
    services.users.confirm(link or "")
    return info.id


def as_actor(services: Services, user_id: int | SignedIn) -> SignedIn:
    """The identity a user gets by signing in, for tests that set users up without the GUI."""
    if isinstance(user_id, SignedIn):
        return user_id
    with services.db.session() as s:
        user = s.get_one(User, user_id)
        return SignedIn(user.id, user.usuario, user.nombre)
