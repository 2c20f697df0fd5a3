"""Store: migrations match the models, SQLite pragmas, optimistic locking, refusal of newer schemas."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from secop_desktop import paths
from secop_desktop.core.services import Services
from secop_desktop.store.database import Database, SchemaTooNewError, head_revision
from secop_desktop.store.migrations.env_filters import include_name
from secop_desktop.store.models import Base, Entity
from tests.conftest import active_user, as_actor
from tests.factories import company_form


def test_migrated_schema_equals_models(db_url: str) -> None:
    db = Database(db_url)
    try:
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": include_name})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        db.dispose()


def _schema(url: str) -> dict[str, object]:
    engine = create_engine(url)
    insp = inspect(engine)
    result: dict[str, object] = {}
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version" or table.startswith("entities_fts"):
            continue
        result[table] = (
            sorted((c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)),
            sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in insp.get_indexes(table)),
            sorted((u["name"], tuple(u["column_names"])) for u in insp.get_unique_constraints(table)),
            sorted((f["name"], f["referred_table"]) for f in insp.get_foreign_keys(table)),
        )
    engine.dispose()
    return result


def test_fresh_and_migrated_sqlite_have_same_schema(tmp_path: Path) -> None:
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    engine = create_engine(fresh)
    Base.metadata.create_all(engine)
    engine.dispose()
    migrated = f"sqlite:///{tmp_path / 'migrated.db'}"
    Database(migrated).dispose()
    assert _schema(fresh) == _schema(migrated)


def test_sqlite_pragmas_and_default_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECOP_DESKTOP_HOME", str(tmp_path / "casa"))
    url = paths.database_url()
    assert url == f"sqlite:///{tmp_path / 'casa' / 'secop-desktop.sqlite3'}"
    db = Database(url)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    db.dispose()
    assert {p.name for p in (tmp_path / "casa").iterdir()} <= {"secop-desktop.sqlite3", "secop-desktop.sqlite3-wal",
                                                               "secop-desktop.sqlite3-shm"}


def test_sqlite_ddl_is_transactional(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'ddl.db'}")
    with pytest.raises(RuntimeError):
        with db.session() as s:
            s.execute(text("CREATE TABLE scratch (x INTEGER)"))
            raise RuntimeError("abort")
    assert "scratch" not in inspect(db.engine).get_table_names()
    db.dispose()


def test_env_url_overrides(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SECOP_DESKTOP_DB_URL", f"sqlite:///{tmp_path / 'otra.db'}")
    assert paths.database_url() == f"sqlite:///{tmp_path / 'otra.db'}"


def test_newer_schema_refused(db_url: str) -> None:
    Database(db_url).dispose()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_futuro'"))
    engine.dispose()
    with pytest.raises(SchemaTooNewError, match="versión más reciente"):
        Database(db_url)


def test_head_revision_recorded(db_url: str) -> None:
    db = Database(db_url)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    db.dispose()


def test_version_column_refuses_stale_write(services: Services) -> None:
    uid = active_user(services)
    record = services.entities.create(as_actor(services, uid), company_form())
    # Two agents load the form, each in its own short transaction (as the GUI does).
    with Session(services.db.engine, expire_on_commit=False) as first, \
            Session(services.db.engine, expire_on_commit=False) as second:
        a = first.get_one(Entity, record.id)
        first.commit()
        b = second.get_one(Entity, record.id)
        second.commit()
        a.direccion = "Calle 1"
        first.commit()
        b.direccion = "Calle 2"
        with pytest.raises(StaleDataError):
            second.commit()


def test_sqlite_statistics_refreshed_when_stale(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'stats.db'}"
    Database(url).dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM sqlite_stat1"))
        now = "2017-01-23 20:41:30"
        conn.execute(text(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
            "INSERT INTO users (version, nombre, pais, nombre_entidad, correo, tipo_registro, usuario, "
            "usuario_normalizado, password_hash, pregunta_seguridad, respuesta_hash, telefono_movil, zona_horaria, "
            "estado, intentos_fallidos, creado_en, actualizado_en) "
            "SELECT 1, 'n' || i, 'COLOMBIA', 'e', 'u' || i || '@x.co', 'Manual', 'u' || i, 'u' || i, 'h', 'p', 'h', "
            f"'+57', 'z', 'activo', 0, '{now}', '{now}' FROM n"))
    engine.dispose()
    Database(url).dispose()  # opening refreshes the statistics the sort indexes depend on
    engine = create_engine(url)
    with engine.connect() as conn:
        stat = conn.execute(text("SELECT stat FROM sqlite_stat1 WHERE tbl = 'users' LIMIT 1")).scalar()
    engine.dispose()
    assert stat is not None and int(stat.split()[0]) == 3000


def test_a_data_folder_with_percent_signs_migrates(tmp_path: Path) -> None:
    """Alembic gets the open connection, never the URL: `%` in a path is not configparser syntax."""
    folder = tmp_path / "Datos 100% Ñandú:(prueba)"
    db = Database(f"sqlite:///{folder / 'secop.sqlite3'}")
    try:
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == head_revision()
    finally:
        db.dispose()


def test_an_unreachable_or_invalid_url_is_a_spanish_store_error(tmp_path: Path) -> None:
    from secop_desktop.errors import StoreUnavailable
    from tests.smtp_fixtures import free_port

    with pytest.raises(StoreUnavailable, match="La dirección de la base de datos no es válida"):
        Database("esto no es una url")
    port = free_port()
    with pytest.raises(StoreUnavailable) as caught:
        Database(f"postgresql+psycopg://agente:Cl%40ve%25Secreta@127.0.0.1:{port}/secop?connect_timeout=5")
    assert caught.value.message == (f"No se pudo conectar con el servidor 127.0.0.1:{port}: no responde o rechazó "
                                    "la conexión. Revise Host y Puerto.")
    chain: BaseException | None = caught.value
    while chain is not None:  # every exception text a traceback in the log would show
        assert "Secreta" not in str(chain) and "Secreta" not in str(getattr(chain, "orig", ""))
        chain = chain.__cause__ or (None if chain.__suppress_context__ else chain.__context__)
