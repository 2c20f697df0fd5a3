"""Passwords for the shared database and the SMTP server, kept only in the system keyring."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import keyring
from keyring.backend import KeyringBackend
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringError, PasswordDeleteError

from secop_desktop.errors import ServiceError

SERVICE = "secop-desktop"
Kind = Literal["db", "smtp"]

# Words in a backend's module or class name that mean "no real secret store": the fail and
# null backends, keyrings.alt and anything that writes a (plaintext or "encrypted") file.
UNSAFE_WORDS = frozenset({"fail", "null", "alt", "plaintext", "file"})

ASK_EACH_START = ("La contraseña no se guardará: se pedirá cada vez que inicie la aplicación.")


class KeyringUnavailable(ServiceError):
    """No secure keyring: the caller must ask for the password each start instead."""


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool
    backend: str
    message: str  # Spanish explanation when not usable; empty otherwise


def _words(text: str) -> set[str]:
    # 'keyrings.alt.file' -> {keyrings, alt, file}; 'PlaintextKeyring' -> {plaintext, keyring}
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return {w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w}


def backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_safe(backend: KeyringBackend) -> bool:
    """Whether a single backend really keeps secrets out of plain files."""
    cls = type(backend)
    module = cls.__module__ or ""
    if module == "keyrings.alt" or module.startswith("keyrings.alt."):
        return False
    name_words = _words(module) | _words(cls.__qualname__)
    if name_words & UNSAFE_WORDS:
        return False
    return "plaintext" not in cls.__qualname__.lower()


def _candidates(backend: KeyringBackend) -> list[KeyringBackend]:
    if isinstance(backend, ChainerBackend):
        return list(backend.backends)
    return [backend]


def safe_backend() -> KeyringBackend | None:
    """The backend secrets go to: the configured one, or the best safe member of a chain."""
    for candidate in _candidates(keyring.get_keyring()):
        if is_safe(candidate):
            return candidate
    return None


def status() -> KeyringStatus:
    current = keyring.get_keyring()
    chosen = safe_backend()
    if chosen is not None:
        return KeyringStatus(True, backend_name(chosen), "")
    found = ", ".join(backend_name(b) for b in _candidates(current)) or backend_name(current)
    return KeyringStatus(
        False,
        found,
        "No hay un llavero del sistema seguro disponible (se encontró «" + found + "», que no protege "
        "las contraseñas). " + ASK_EACH_START,
    )


def _username(kind: Kind, account: str) -> str:
    return f"{kind}:{account}"


def store(kind: Kind, account: str, password: str) -> None:
    """Saves a password in the keyring; refuses (KeyringUnavailable) rather than write it to a file."""
    chosen = safe_backend()
    if chosen is None:
        raise KeyringUnavailable(status().message)
    try:
        chosen.set_password(SERVICE, _username(kind, account), password)
    except (KeyringError, NotImplementedError) as exc:
        raise KeyringUnavailable("El llavero del sistema no aceptó la contraseña. " + ASK_EACH_START) from exc


def get(kind: Kind, account: str) -> str | None:
    """The stored password, or None when there is none or no safe keyring."""
    chosen = safe_backend()
    if chosen is None:
        return None
    try:
        return chosen.get_password(SERVICE, _username(kind, account))
    except (KeyringError, NotImplementedError):
        return None


def delete(kind: Kind, account: str) -> None:
    """Forgets a password; a missing one is not an error."""
    chosen = safe_backend()
    if chosen is None:
        return
    try:
        chosen.delete_password(SERVICE, _username(kind, account))
    except (PasswordDeleteError, KeyringError, NotImplementedError):
        pass


# Named helpers for the two secrets the app keeps.
def store_db_password(account: str, password: str) -> None:
    store("db", account, password)


def get_db_password(account: str) -> str | None:
    return get("db", account)


def delete_db_password(account: str) -> None:
    delete("db", account)


def store_smtp_password(account: str, password: str) -> None:
    store("smtp", account, password)


def get_smtp_password(account: str) -> str | None:
    return get("smtp", account)


def delete_smtp_password(account: str) -> None:
    delete("smtp", account)
