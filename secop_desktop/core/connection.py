"""Shared PostgreSQL connection: settings on disk without the password, test, effective URL."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from secop_desktop import paths
from secop_desktop.core import json_file, secrets
from secop_desktop.errors import FieldError, ServiceError, ValidationError
from secop_desktop.store import probe

SETTINGS_FILE = "conexion.json"
DRIVER = "postgresql+psycopg"

# libpq's sslmode values, with what each means for a help-desk agent.
SSL_MODES: dict[str, str] = {
    "prefer": "Preferir SSL (usarlo si el servidor lo ofrece)",
    "require": "Exigir SSL (sin verificar el certificado)",
    "verify-ca": "Exigir SSL y verificar la autoridad del certificado",
    "verify-full": "Exigir SSL y verificar el certificado y el nombre del servidor",
    "allow": "Permitir SSL (solo si el servidor lo exige)",
    "disable": "Sin SSL",
}

LABELS: dict[str, str] = {
    "host": "Host",
    "port": "Puerto",
    "database": "Base de datos",
    "user": "Usuario",
    "password": "Contraseña",
    "sslmode": "Modo SSL",
}

PasswordPrompt = Callable[["ConnectionSettings"], "str | None"]


@dataclass(frozen=True)
class ConnectionSettings:
    host: str = ""
    port: int = 5432
    database: str = "secop"
    user: str = ""
    sslmode: str = "prefer"

    @property
    def keyring_account(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.database}"

    def to_url(self, password: str | None = None) -> str:
        """The SQLAlchemy URL with the password: keep it in memory only, never write or log it."""
        return probe.postgres_url(user=self.user, password=password, host=self.host, port=self.port,
                                  database=self.database, sslmode=self.sslmode, driver=DRIVER)

    def describe(self) -> str:
        """A safe one-line description (no password) for messages and logs."""
        return f"{self.user}@{self.host}:{self.port}/{self.database} (SSL: {self.sslmode})"


def normalized(settings: ConnectionSettings) -> ConnectionSettings:
    return replace(settings, host=settings.host.strip(), database=settings.database.strip(),
                   user=settings.user.strip(), sslmode=settings.sslmode.strip() or "prefer")


def validate(settings: ConnectionSettings) -> list[FieldError]:
    errors: list[FieldError] = []

    def err(name: str, message: str) -> None:
        errors.append(FieldError(name, LABELS[name], message))

    host = settings.host.strip()
    if not host:
        err("host", "Escriba el nombre o la dirección IP del servidor.")
    elif host.startswith("/"):  # libpq's socket directory, e.g. /var/run/postgresql
        if any(c in "?#" for c in host):
            err("host", "La carpeta del socket no puede tener los caracteres ? #.")
    elif any(c.isspace() or c in "/@?#" for c in host):
        err("host", "El host no puede tener espacios ni los caracteres / @ ? #.")
    if not 1 <= int(settings.port) <= 65535:
        err("port", "El puerto debe ser un número entre 1 y 65535.")
    if not settings.database.strip():
        err("database", "Escriba el nombre de la base de datos.")
    if not settings.user.strip():
        err("user", "Escriba el usuario de la base de datos.")
    if settings.sslmode not in SSL_MODES:
        err("sslmode", "Seleccione un modo SSL de la lista.")
    return errors


def settings_path(base: Path | None = None) -> Path:
    return (base or paths.data_dir()) / SETTINGS_FILE


def save_settings(settings: ConnectionSettings, base: Path | None = None) -> Path:
    """Writes the settings (never the password) atomically."""
    settings = normalized(settings)
    if errors := validate(settings):
        raise ValidationError(errors)
    return json_file.write_atomic(settings_path(base), asdict(settings))


def load_settings(base: Path | None = None) -> ConnectionSettings | None:
    """The saved settings, or None (no file, or a file this version cannot read)."""
    path = settings_path(base)
    try:
        raw = json_file.read(path)
        return normalized(ConnectionSettings(host=str(raw["host"]), port=int(raw["port"]),
                                             database=str(raw["database"]), user=str(raw["user"]),
                                             sslmode=str(raw.get("sslmode", "prefer"))))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def clear_settings(base: Path | None = None) -> None:
    """Back to the local SQLite database; the keyring entry goes too."""
    settings = load_settings(base)
    if settings is not None:
        secrets.delete_db_password(settings.keyring_account)
    settings_path(base).unlink(missing_ok=True)


def remember_password(settings: ConnectionSettings, password: str) -> bool:
    """Stores the password in the keyring; False (nothing written) when the keyring is not safe."""
    try:
        secrets.store_db_password(normalized(settings).keyring_account, password)
    except secrets.KeyringUnavailable:
        return False
    return True


def stored_password(settings: ConnectionSettings) -> str | None:
    return secrets.get_db_password(normalized(settings).keyring_account)


def test_connection(settings: ConnectionSettings, password: str | None) -> tuple[bool, str]:
    """Probar conexión: the checks opening runs (server, schema version, extensions), one Spanish line each.

    Returns (ok, message); never raises, and the message never carries the password.
    """
    settings = normalized(settings)
    if errors := validate(settings):
        return False, "; ".join(f"{e.label}: {e.message}" for e in errors)
    return probe_url(settings.to_url(password))


def probe_url(url: str) -> tuple[bool, str]:
    """The same checks for any database URL (e.g. SECOP_DESKTOP_DB_URL)."""
    result = probe.probe(url)
    return result.ok, probe.scrub(result.message(), url)


@dataclass(frozen=True)
class EffectiveDatabase:
    url: str = field(repr=False)  # may carry the password: memory only, and out of repr() (logs, tracebacks)
    origen: str = ""  # "variable de entorno", "configuración de conexión", "base local"
    settings: ConnectionSettings | None = None

    def describe(self) -> str:
        if self.settings is not None:
            return f"{self.origen}: {self.settings.describe()}"
        if self.origen == "base local":
            return f"{self.origen}: {self.url.removeprefix('sqlite:///')}"
        return self.origen


class PasswordRequired(ServiceError):
    """Saved settings need a password that the keyring does not hold and nobody typed."""


def effective_database(base: Path | None = None, prompt: PasswordPrompt | None = None) -> EffectiveDatabase:
    """SECOP_DESKTOP_DB_URL, else saved settings + keyring password (or prompt), else local SQLite."""
    override = os.environ.get(paths.DB_URL_ENV)
    if override:
        return EffectiveDatabase(override, "variable de entorno")
    settings = load_settings(base)
    if settings is None:
        return EffectiveDatabase(paths.database_url(base), "base local")
    password = stored_password(settings)
    if password is None and prompt is not None:
        password = prompt(settings)
        if password is None:
            raise PasswordRequired(f"Se necesita la contraseña de {settings.describe()} para abrir la base "
                                   "de datos compartida.")
    # Without a password (and no prompt) libpq may still authenticate (trust, .pgpass, certificates).
    return EffectiveDatabase(settings.to_url(password), "configuración de conexión", settings)


def effective_url(base: Path | None = None, prompt: PasswordPrompt | None = None) -> str:
    return effective_database(base, prompt).url
