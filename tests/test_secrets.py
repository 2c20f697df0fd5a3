"""Passwords live only in a real keyring: plaintext, file, fail and null backends are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail, null
from keyring.backends.chainer import ChainerBackend
from sqlalchemy.engine import make_url

from secop_desktop import paths
from secop_desktop.core import connection, secrets
from secop_desktop.core.connection import ConnectionSettings
from secop_desktop.core.mail import settings as mailer
from tests.memory_keyring import MemoryKeyring

SECRET = "Clave-BD-2018*"


class PlaintextKeyring(MemoryKeyring):
    """Named and placed like keyrings.alt.file.PlaintextKeyring: it would write secrets to a file."""

    priority = 5  # type: ignore[assignment]


PlaintextKeyring.__module__ = "keyrings.alt.file"


class EncryptedKeyring(PlaintextKeyring):
    """keyrings.alt's "encrypted" file backend is still a file next to the data."""


EncryptedKeyring.__module__ = "keyrings.alt.file"


class SecretServiceKeyring(MemoryKeyring):
    """A safe backend under an ordinary name (stands in for the desktop's Secret Service)."""


class LocalFileStore(MemoryKeyring):
    """Not from keyrings.alt, but its name says it keeps secrets in a file."""


@pytest.fixture
def plaintext() -> PlaintextKeyring:
    backend = PlaintextKeyring()
    keyring.set_keyring(backend)  # conftest's memory_keyring fixture restores the previous one
    return backend


def test_memory_backend_stores_gets_and_deletes(memory_keyring: MemoryKeyring) -> None:
    assert secrets.status().usable
    secrets.store_db_password("ana@db:5432/secop", SECRET)
    assert memory_keyring.store == {("secop-desktop", "db:ana@db:5432/secop"): SECRET}
    assert secrets.get_db_password("ana@db:5432/secop") == SECRET
    assert secrets.get_smtp_password("ana@db:5432/secop") is None  # a different secret
    secrets.delete_db_password("ana@db:5432/secop")
    secrets.delete_db_password("ana@db:5432/secop")  # already gone: not an error
    assert memory_keyring.store == {}


def test_plaintext_backend_is_refused_and_nothing_is_written(plaintext: PlaintextKeyring) -> None:
    status = secrets.status()
    assert not status.usable
    assert status.backend == "keyrings.alt.file.PlaintextKeyring"
    assert status.message == (
        "No hay un llavero del sistema seguro disponible (se encontró «keyrings.alt.file.PlaintextKeyring», "
        "que no protege las contraseñas). La contraseña no se guardará: se pedirá cada vez que inicie la "
        "aplicación.")
    with pytest.raises(secrets.KeyringUnavailable) as caught:
        secrets.store_smtp_password("mesa@smtp:587", SECRET)
    assert caught.value.message == status.message
    assert plaintext.store == {}
    plaintext.store[("secop-desktop", "smtp:mesa@smtp:587")] = "planted"
    assert secrets.get_smtp_password("mesa@smtp:587") is None  # never read back from it either


@pytest.mark.parametrize("backend", [fail.Keyring(), null.Keyring(), EncryptedKeyring(), LocalFileStore()],
                         ids=["fail", "null", "keyrings.alt.file.EncryptedKeyring", "LocalFileStore"])
def test_fail_null_and_file_backends_are_refused(backend: KeyringBackend) -> None:
    keyring.set_keyring(backend)
    assert not secrets.status().usable
    with pytest.raises(secrets.KeyringUnavailable):
        secrets.store_db_password("x@y:1/z", SECRET)


def test_a_safe_backend_with_an_ordinary_name_is_used() -> None:
    backend = SecretServiceKeyring()
    keyring.set_keyring(backend)
    secrets.store_db_password("x@y:1/z", SECRET)
    assert backend.store == {("secop-desktop", "db:x@y:1/z"): SECRET}


def test_a_chain_skips_its_plaintext_member_even_when_it_ranks_first() -> None:
    unsafe, safe = PlaintextKeyring(), SecretServiceKeyring()

    class Chain(ChainerBackend):
        backends: ClassVar[list[KeyringBackend]] = [unsafe, safe]  # type: ignore[misc]

    keyring.set_keyring(Chain())
    assert secrets.status() == secrets.KeyringStatus(True, f"{__name__}.SecretServiceKeyring", "")
    secrets.store_db_password("x@y:1/z", SECRET)
    assert unsafe.store == {}
    assert safe.store == {("secop-desktop", "db:x@y:1/z"): SECRET}


def test_keyrings_alt_is_no_dependency() -> None:
    root = Path(secrets.__file__).resolve().parents[1]
    sources = [p.read_text(encoding="utf-8") for p in root.rglob("*.py")]
    assert not any("import keyrings" in s or "from keyrings" in s for s in sources)


def _files_containing(root: Path, needle: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle.encode() in p.read_bytes()]


def test_with_plaintext_keyring_the_password_lands_in_no_file(plaintext: PlaintextKeyring) -> None:
    settings = ConnectionSettings(host="bd.mesa.local", port=5432, database="secop", user="agente1",
                                  sslmode="require")
    path = connection.save_settings(settings)
    assert not connection.remember_password(settings, SECRET)
    smtp = mailer.SmtpSettings(host="smtp.mesa.local", port=587, usuario="mesa", remitente="mesa@entidad.gov.co")
    mailer.save_settings(smtp)
    assert not mailer.remember_password(smtp, SECRET)
    assert path == paths.data_dir() / "conexion.json"
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "host": "bd.mesa.local", "port": 5432, "database": "secop", "user": "agente1", "sslmode": "require"}
    assert _files_containing(paths.data_dir(), SECRET) == []
    assert plaintext.store == {}
    # Nothing stored, so the app asks at start; the typed password is used only in memory.
    asked: list[ConnectionSettings] = []
    url = connection.effective_url(prompt=lambda s: asked.append(s) or SECRET)
    assert asked == [settings]
    assert make_url(url).password == SECRET
    assert _files_containing(paths.data_dir(), SECRET) == []


def test_with_a_real_keyring_the_password_is_there_and_not_in_the_data_dir(memory_keyring: MemoryKeyring) -> None:
    settings = ConnectionSettings(host="bd.mesa.local", user="agente1")
    connection.save_settings(settings)
    assert connection.remember_password(settings, SECRET)
    assert memory_keyring.store == {("secop-desktop", "db:agente1@bd.mesa.local:5432/secop"): SECRET}
    assert _files_containing(paths.data_dir(), SECRET) == []
    assert connection.effective_url(prompt=lambda _s: pytest.fail("no prompt: the keyring has it")) == (
        f"postgresql+psycopg://agente1:{SECRET.replace('*', '%2A')}@bd.mesa.local:5432/secop?sslmode=prefer")
