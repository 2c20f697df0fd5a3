"""Shared PostgreSQL connection: settings on disk without the password, test, effective URL."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from secop_desktop import paths
from secop_desktop.core import json_file, secrets
from secop_desktop.errors import FieldError, ServiceError, ValidationError
from secop_desktop.store.database import SchemaTooNewError, head_revision

SETTINGS_FILE = "conexion.json"
DRIVER = "postgresql+psycopg"
CONNECT_TIMEOUT_S = 5

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
        url = URL.create(DRIVER, username=self.user, password=password or None, host=self.host,
                         port=self.port, database=self.database, query={"sslmode": self.sslmode})
        return url.render_as_string(hide_password=False)

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

    if not settings.host.strip():
        err("host", "Escriba el nombre o la dirección IP del servidor.")
    elif any(c.isspace() or c in "/@?#" for c in settings.host.strip()):
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


def _error_message(settings: ConnectionSettings, exc: BaseException) -> str:
    orig = getattr(exc, "orig", exc)
    sqlstate = getattr(orig, "sqlstate", None)
    detail = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    lowered = str(orig).lower()
    where = f"{settings.host}:{settings.port}"
    if sqlstate == "28P01" or "password authentication failed" in lowered:
        return "El servidor rechazó el usuario o la contraseña. Revise Usuario y Contraseña."
    if sqlstate == "28000" or "no pg_hba.conf entry" in lowered:
        return (f"El servidor {where} no permite la conexión de este usuario desde este equipo "
                "(revise pg_hba.conf o el Modo SSL).")
    if sqlstate == "3D000" or ("database" in lowered and "does not exist" in lowered):
        return f"La base de datos «{settings.database}» no existe en el servidor {where}."
    if "no password supplied" in lowered:
        return "El servidor pide una contraseña. Escríbala en Contraseña."
    if "timeout" in lowered or "timed out" in lowered:
        return f"El servidor {where} no respondió a tiempo. Revise Host, Puerto y la red."
    if "ssl" in lowered:
        return f"No se pudo establecer la conexión SSL con {where}: revise el Modo SSL. ({detail})"
    if ("connection refused" in lowered or "could not connect" in lowered or "connection failed" in lowered
            or "name or service not known" in lowered or "could not translate host name" in lowered):
        return (f"No se pudo conectar con el servidor {where}: no responde o rechazó la conexión. "
                "Revise Host y Puerto.")
    return f"No se pudo conectar con la base de datos: {detail}"


def test_connection(settings: ConnectionSettings, password: str | None) -> tuple[bool, str]:
    """Connects once and checks the schema; returns (ok, Spanish message). Never raises."""
    settings = normalized(settings)
    if errors := validate(settings):
        return False, "; ".join(f"{e.label}: {e.message}" for e in errors)
    engine = create_engine(settings.to_url(password), poolclass=NullPool,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT_S})
    try:
        with engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
            revision = None
            if inspect(conn).has_table("alembic_version"):
                revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError as exc:
        return False, _error_message(settings, exc)
    except (SQLAlchemyError, OSError) as exc:
        return False, _error_message(settings, exc)
    finally:
        engine.dispose()
    head = head_revision()
    server = f"PostgreSQL {str(version).split()[0]}"
    if revision is None:
        return True, (f"Conexión correcta con {server}. La base de datos está vacía: "
                      "el esquema se creará al abrirla.")
    if revision == head:
        return True, f"Conexión correcta con {server}. La base de datos está al día."
    if _known_revision(revision):
        return True, (f"Conexión correcta con {server}. La base de datos se actualizará "
                      "al abrirla (haga una copia de seguridad antes).")
    return False, str(SchemaTooNewError(revision))


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    from secop_desktop.store.database import alembic_config

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


@dataclass(frozen=True)
class EffectiveDatabase:
    url: str  # may carry the password: memory only
    origen: str  # "variable de entorno", "configuración de conexión", "base local"
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
