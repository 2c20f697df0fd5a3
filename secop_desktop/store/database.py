"""Engine set-up for SQLite and PostgreSQL, sessions, and migrations on open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from secop_desktop.errors import AlreadyExists, ConflictError, InvalidValue, ServiceError, StoreUnavailable
from secop_desktop.resources import package_dir

MIGRATIONS_DIR = package_dir("secop_desktop.store", "migrations")
SQLITE_BUSY_TIMEOUT_MS = 10_000


class SchemaTooNewError(ServiceError):
    """The database was migrated by a newer secop-desktop than this one."""

    def __init__(self, revision: str) -> None:
        super().__init__(
            "La base de datos fue actualizada por una versión más reciente de secop-desktop "
            f"(revisión {revision}). Actualice la aplicación antes de usarla."
        )


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


def create_db_engine(url: str, **kwargs: Any) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine) -> None:
    """Bring the schema to this app's head; refuse a schema from the future."""
    script = ScriptDirectory.from_config(alembic_config())
    current = current_revision(engine)
    if current is not None:
        try:
            known = script.get_revision(current) is not None
        except CommandError:
            known = False
        if not known:
            raise SchemaTooNewError(current)
    cfg = alembic_config(engine)
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
    except (OperationalError, InterfaceError) as exc:
        raise StoreUnavailable() from exc
    except DBAPIError as exc:  # e.g. a trigger's refusal
        raise InvalidValue("La base de datos rechazó la operación.") from exc


def flush(session: Session) -> None:
    """Flushes pending changes, raising the project's errors (e.g. AlreadyExists) on the spot."""
    with translated_errors():
        session.flush()


UnitOfWork = Session
"""What `Database.session()` yields; core names it in type hints without importing SQLAlchemy."""


class Database:
    """One database: the engine, a session factory and units of work."""

    def __init__(self, url: str, *, run_migrations: bool = True, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_db_engine(url, **engine_kwargs)
        if run_migrations:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

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
