"""Checks a database before (and while) opening it: the server, the schema version, the extensions.

"Probar conexión" and opening the store run these same checks, so a test that says the connection
works means the database will open. Every message is Spanish and never carries the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory

CONNECT_TIMEOUT_S = 5
# The extensions the PostgreSQL schema relies on: trigram search, and accent folding in SQL.
EXTENSIONS: tuple[str, ...] = ("pg_trgm", "unaccent")


@dataclass(frozen=True)
class Check:
    """One line of the probe's report: what was checked, whether it passed, and what that means."""

    nombre: str
    ok: bool
    mensaje: str


@dataclass(frozen=True)
class ProbeResult:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def message(self) -> str:
        return "\n".join(c.mensaje for c in self.checks)


# --- passwords never leave in a text ---------------------------------------------------------------


def password_forms(url: str | URL) -> set[str]:
    """The password as typed and as it may appear URL-encoded, to scrub it from any text."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError):
        return set()
    password = parsed.password
    if not password:
        return set()
    raw = str(password)
    return {form for form in (raw, quote(raw, safe=""), quote_plus(raw), quote(raw)) if form}


def scrub(message: str, url: str | URL) -> str:
    """The message with every form of the URL's password replaced by asterisks."""
    for form in sorted(password_forms(url), key=len, reverse=True):
        message = message.replace(form, "***")
    return message


def describe_url(url: str | URL) -> str:
    """user@host:port/database without the password, for messages and logs."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError):
        return "(dirección de base de datos no válida)"
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def server_name(url: URL) -> str:
    """host:port, or the socket directory when the URL names one in ?host=."""
    host = url.host or str(url.query.get("host") or "") or "localhost"
    return f"{host}:{url.port or 5432}"


# --- what an error means to the user ---------------------------------------------------------------


def explain(exc: BaseException, url: str | URL) -> str:
    """A Spanish sentence for a failed connection; the password is never part of it."""
    try:
        parsed = url if isinstance(url, URL) else make_url(url)
    except (ArgumentError, ValueError):
        return "La dirección de la base de datos no es válida. Revise la Configuración de conexión."
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None)
    raw = str(orig).strip()
    detail = scrub(raw.splitlines()[0], parsed) if raw else type(orig).__name__
    lowered = raw.lower()
    where = server_name(parsed)
    if sqlstate == "28P01" or "password authentication failed" in lowered:
        return "El servidor rechazó el usuario o la contraseña. Revise Usuario y Contraseña."
    if sqlstate == "28000" or "no pg_hba.conf entry" in lowered:
        return (f"El servidor {where} no permite la conexión de este usuario desde este equipo "
                "(revise pg_hba.conf o el Modo SSL).")
    if sqlstate == "3D000" or ("database" in lowered and "does not exist" in lowered):
        return f"La base de datos «{parsed.database}» no existe en el servidor {where}."
    if "no password supplied" in lowered:
        return "El servidor pide una contraseña. Escríbala en Contraseña."
    if "timeout" in lowered or "timed out" in lowered:
        return f"El servidor {where} no respondió a tiempo. Revise Host, Puerto y la red."
    if "ssl" in lowered:
        return f"No se pudo establecer la conexión SSL con {where}: revise el Modo SSL. ({detail})"
    if ("connection refused" in lowered or "could not connect" in lowered or "connection failed" in lowered
            or "name or service not known" in lowered or "could not translate host name" in lowered
            or "no such file or directory" in lowered):
        return (f"No se pudo conectar con el servidor {where}: no responde o rechazó la conexión. "
                "Revise Host y Puerto.")
    if sqlstate == "42501" or "permission denied" in lowered:
        return f"El usuario de la base de datos no tiene permiso para esta operación en {where}. ({detail})"
    return f"No se pudo conectar con la base de datos: {detail}"


# --- the checks ------------------------------------------------------------------------------------


def schema_check(revision: str | None, script: ScriptDirectory) -> Check:
    head = script.get_current_head()
    if revision is None:
        return Check("esquema", True, "Esquema: la base de datos está vacía; el esquema se creará al abrirla.")
    if revision == head:
        return Check("esquema", True, "Esquema: la base de datos está al día.")
    from alembic.util import CommandError

    try:
        known = script.get_revision(revision) is not None
    except CommandError:
        known = False
    if known:
        return Check("esquema", True, "Esquema: la base de datos se actualizará al abrirla "
                                      "(haga una copia de seguridad antes).")
    return Check("esquema", False, too_new_message(revision))


def too_new_message(revision: str) -> str:
    return ("La base de datos fue actualizada por una versión más reciente de secop-desktop "
            f"(revisión {revision}). Actualice la aplicación antes de usarla.")


def extension_checks(conn: Connection) -> tuple[Check, ...]:
    """Each extension installed in the database, or at least available for the schema to create."""
    installed = set(conn.execute(text("SELECT extname FROM pg_extension")).scalars())
    available = set(conn.execute(text("SELECT name FROM pg_available_extensions WHERE name = ANY(:names)"),
                                 {"names": list(EXTENSIONS)}).scalars())
    checks = []
    for name in EXTENSIONS:
        if name in installed:
            checks.append(Check(name, True, f"Extensión {name}: instalada."))
        elif name in available:
            checks.append(Check(name, True, f"Extensión {name}: disponible en el servidor; "
                                            "se instalará al abrir la base de datos."))
        else:
            checks.append(Check(name, False, f"Extensión {name}: el servidor no la tiene. Pida al administrador "
                                             "de PostgreSQL que instale el paquete de extensiones (contrib)."))
    return tuple(checks)


def current_revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table("alembic_version"):
        return None
    value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def connected_checks(conn: Connection, script: ScriptDirectory) -> tuple[Check, ...]:
    """Everything checked once connected: used by the probe and by opening the store."""
    checks = [schema_check(current_revision(conn), script)]
    if conn.dialect.name == "postgresql":
        checks.extend(extension_checks(conn))
    return tuple(checks)


def postgres_url(*, user: str, password: str | None, host: str, port: int, database: str,
                 sslmode: str, driver: str = "postgresql+psycopg") -> str:
    """A PostgreSQL URL with every part encoded; a host that is a directory is libpq's socket folder."""
    query = {"sslmode": sslmode}
    if host.startswith("/"):
        query["host"] = host
        host_part: str | None = None
    else:
        host_part = host
    url = URL.create(driver, username=user, password=password or None, host=host_part, port=port,
                     database=database, query=query)
    return url.render_as_string(hide_password=False)


def probe(url: str, script: ScriptDirectory | None = None) -> ProbeResult:
    """Connects once and runs every check; never raises, never keeps a connection."""
    if script is None:
        from secop_desktop.store.database import script_directory

        script = script_directory()
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return ProbeResult((Check("servidor", False, "La dirección de la base de datos no es válida."),))
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not Path(parsed.database or "").is_file():
        # Connecting would create the file: a probe changes nothing.
        return ProbeResult((Check("servidor", True, "La base de datos local aún no existe; se creará al abrirla."),))
    connect_args = {"connect_timeout": CONNECT_TIMEOUT_S} if parsed.get_backend_name() == "postgresql" else {}
    try:
        engine = create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        return ProbeResult((Check("servidor", False, explain(exc, parsed)),))
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                version = str(conn.execute(text("SHOW server_version")).scalar_one()).split()[0]
                reached = Check("servidor", True, f"Conexión correcta con PostgreSQL {version}.")
            else:
                reached = Check("servidor", True, "Conexión correcta con la base de datos local (SQLite).")
            return ProbeResult((reached, *connected_checks(conn, script)))
    except (SQLAlchemyError, OSError) as exc:
        return ProbeResult((Check("servidor", False, explain(exc, parsed)),))
    finally:
        engine.dispose()
