"""Engine set-up for SQLite and PostgreSQL, sessions, and migrations on open."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from secop_desktop.errors import AlreadyExists, ConflictError, InvalidValue, ServiceError, StoreUnavailable
from secop_desktop.store import limits, probe

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory
from secop_desktop.resources import package_dir

MIGRATIONS_DIR = package_dir("secop_desktop.store", "migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000


class SchemaTooNewError(ServiceError):
    """The database was migrated by a newer secop-desktop than this one."""

    def __init__(self, revision: str) -> None:
        super().__init__(probe.too_new_message(revision))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling skips BEGIN before DDL; take it over so
        # migrations and every unit of work are really transactional.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: two agents never both read-then-write
        # the same row and deadlock on the upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _private_sqlite_file(path: Path) -> None:
    """The database file exists and is 0600 before SQLite opens it (its -wal/-shm copy the mode)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    if os.name == "posix" and path.stat().st_mode & 0o077:
        path.chmod(0o600)


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            _private_sqlite_file(Path(database))
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config() -> Config:
    """Alembic's configuration: only the script location.

    The database URL never goes through it: configparser reads `%` as interpolation, so a URL-encoded
    password (or a socket directory such as `?host=%2Fvar%2Frun%2Fpostgresql`) would break it and
    end up in the error text. `migrate` hands Alembic an open connection instead.
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


# `revision = "0003"` / `down_revision: str | None = ("0001", "0002")` in a migration file.
_REVISION_LINE = re.compile(r"^(?P<key>down_revision|revision)\b[^=\n]*=(?P<value>[^\n]*)$", re.MULTILINE)


def head_revision() -> str:
    """This app's newest migration, read from the migration files without importing Alembic (~0.3 s)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (Path(MIGRATIONS_DIR) / "versions").glob("*.py"):
        for match in _REVISION_LINE.finditer(path.read_text(encoding="utf-8")):
            ids = set(re.findall(r"""["']([^"']+)["']""", match["value"]))
            (revisions if match["key"] == "revision" else parents).update(ids)
    heads = revisions - parents
    assert len(heads) == 1, f"one migration head expected, found {sorted(heads)}"
    return heads.pop()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def schema_is_current(engine: Engine) -> bool:
    """One cheap query: is the database already at this app's head? (Most starts: yes.)"""
    try:
        with engine.connect() as conn:
            rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    except DBAPIError:
        return False  # a new database (no table yet), or one Alembic must look at
    return [row[0] for row in rows] == [head_revision()]


def migrate(engine: Engine) -> None:
    """Bring the schema to this app's head; refuse a schema from the future or a server without the extensions.

    These are the checks "Probar conexión" reports (store.probe), so a passing test means this opens.
    Alembic is imported only when there is something to do.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            missing = [c for c in probe.extension_checks(conn) if not c.ok]
        if missing:
            raise StoreUnavailable(" ".join(c.mensaje for c in missing))
    if schema_is_current(engine):
        if engine.dialect.name == "sqlite":
            refresh_statistics(engine)
        return
    from alembic import command
    from alembic.util import CommandError

    script = script_directory()
    current = current_revision(engine)
    if current is not None:
        try:
            known = script.get_revision(current) is not None
        except CommandError:
            known = False
        if not known:
            raise SchemaTooNewError(current)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    if engine.dialect.name == "sqlite":
        refresh_statistics(engine)


def refresh_statistics(engine: Engine) -> None:
    """SQLite ignores the sort indexes until it has statistics: ANALYZE when they are missing or stale.

    PostgreSQL's autovacuum keeps its own statistics.
    """
    with engine.begin() as conn:
        rows = conn.exec_driver_sql("SELECT count(*) FROM users").scalar() or 0
        known: int | None = None
        if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first():
            stat = conn.exec_driver_sql("SELECT stat FROM sqlite_stat1 WHERE tbl = 'users' LIMIT 1").scalar()
            known = int(str(stat).split()[0]) if stat else None
        if known is None or abs(rows - known) > max(1000, known // 4):
            conn.exec_driver_sql("ANALYZE")


@contextmanager
def translated_errors() -> Iterator[None]:
    """Turns SQLAlchemy's exceptions into the project's own (messages never carry SQL or URLs)."""
    try:
        yield
    except IntegrityError as exc:
        raise AlreadyExists() from exc
    except StaleDataError as exc:
        raise ConflictError() from exc
    except DataError as exc:
        raise InvalidValue() from exc
    except OperationalError as exc:
        if "pattern too complex" in str(exc.orig):  # SQLite's LIKE stops at 50,000 characters
            raise InvalidValue("El texto de búsqueda es demasiado largo.") from exc
        raise StoreUnavailable() from exc
    except InterfaceError as exc:
        raise StoreUnavailable() from exc
    except DBAPIError as exc:  # e.g. a trigger's refusal
        raise InvalidValue("La base de datos rechazó la operación.") from exc
    except UnicodeError as exc:  # a lone surrogate (argv that was not UTF-8) reached a query
        raise InvalidValue(limits.NOT_ALLOWED) from exc


def flush(session: Session) -> None:
    """Flushes pending changes, raising the project's errors (e.g. AlreadyExists) on the spot."""
    with translated_errors():
        session.flush()


def _scrubbed(exc: BaseException, url: str) -> BaseException | None:
    """The cause to chain, or None when its text would show the password (tracebacks reach the log)."""
    text = f"{exc} {getattr(exc, 'orig', '')}"
    return None if any(form in text for form in probe.password_forms(url)) else exc


UnitOfWork = Session
"""What `Database.session()` yields; core names it in type hints without importing SQLAlchemy."""


class Database:
    """One database: the engine, a session factory and units of work."""

    def __init__(self, url: str, *, run_migrations: bool = True, **engine_kwargs: Any) -> None:
        self.url = url  # may carry the password: memory only, never in a message or a log
        try:
            self.engine = create_db_engine(url, **engine_kwargs)
        except (ArgumentError, ValueError) as exc:
            raise StoreUnavailable("La dirección de la base de datos no es válida. Revise la Configuración "
                                   "de conexión o la variable SECOP_DESKTOP_DB_URL.") from _scrubbed(exc, url)
        if run_migrations:
            try:
                migrate(self.engine)
            except ServiceError:
                self.engine.dispose()
                raise
            except (DBAPIError, OSError) as exc:
                self.engine.dispose()
                raise StoreUnavailable(probe.explain(exc, url)) from _scrubbed(exc, url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def describe(self) -> str:
        """Where this database is, without the password."""
        return probe.describe_url(self.url)

    def __repr__(self) -> str:
        return f"Database({self.describe()!r})"

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error.

        The database's own exceptions leave as the project's errors, so no caller above the
        store needs to know SQLAlchemy.
        """
        session = self._sessions()
        try:
            with translated_errors(), session.begin():
                yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
