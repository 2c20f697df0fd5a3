"""fast entity search: trigram index over entities.nombre_busqueda

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:00:00

"Validar si mi entidad ya existe" is a substring search; a B-tree cannot serve '%x%'.
nombre_busqueda is already folded (accents and case removed by core.text.fold), so both
databases only need a trigram index over it:
- SQLite: an external-content FTS5 table with the trigram tokenizer, kept in step by
  triggers. A later batch migration that rebuilds `entities` drops these triggers with the
  old table: such a migration must recreate them (see SQLITE_TRIGGERS).
- PostgreSQL: pg_trgm and a GIN index, which LIKE '%x%' uses directly, plus a covering
  (nombre_busqueda, id) INCLUDE (pais) index so that needles matching thousands of names are
  answered by an index-only walk in name order.
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE_FTS = (
    "CREATE VIRTUAL TABLE entities_fts USING fts5("
    "nombre_busqueda, content='entities', content_rowid='id', tokenize='trigram')"
)
SQLITE_TRIGGERS = (
    ("CREATE TRIGGER entities_fts_ai AFTER INSERT ON entities BEGIN "
     "INSERT INTO entities_fts(rowid, nombre_busqueda) VALUES (new.id, new.nombre_busqueda); END"),
    ("CREATE TRIGGER entities_fts_ad AFTER DELETE ON entities BEGIN "
     "INSERT INTO entities_fts(entities_fts, rowid, nombre_busqueda) "
     "VALUES ('delete', old.id, old.nombre_busqueda); END"),
    ("CREATE TRIGGER entities_fts_au AFTER UPDATE OF nombre_busqueda ON entities BEGIN "
     "INSERT INTO entities_fts(entities_fts, rowid, nombre_busqueda) "
     "VALUES ('delete', old.id, old.nombre_busqueda); "
     "INSERT INTO entities_fts(rowid, nombre_busqueda) VALUES (new.id, new.nombre_busqueda); END"),
)
PG_INDEX = "ix_entities_nombre_busqueda_trgm"
PG_ORDER_INDEX = "ix_entities_busqueda_orden"


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(SQLITE_FTS)
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
        op.execute("INSERT INTO entities_fts(entities_fts) VALUES ('rebuild')")
        # One b-tree instead of the rebuild's many segments: queries merge fewer lists.
        op.execute("INSERT INTO entities_fts(entities_fts) VALUES ('optimize')")
    elif dialect == "postgresql":
        # pg_trgm is a trusted extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(f"CREATE INDEX IF NOT EXISTS {PG_INDEX} ON entities USING gin (nombre_busqueda gin_trgm_ops)")
        op.execute(f"CREATE INDEX IF NOT EXISTS {PG_ORDER_INDEX} ON entities (nombre_busqueda, id) INCLUDE (pais)")
        # A finer histogram lets the planner tell a common needle (walk the names in order)
        # from a rare one (ask the trigram index) before running either.
        op.execute("ALTER TABLE entities ALTER COLUMN nombre_busqueda SET STATISTICS 1000")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("entities_fts_au", "entities_fts_ad", "entities_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS entities_fts")
    elif dialect == "postgresql":
        # The extension stays: other objects of the server may use it.
        op.execute("ALTER TABLE entities ALTER COLUMN nombre_busqueda SET STATISTICS -1")
        op.execute(f"DROP INDEX IF EXISTS {PG_ORDER_INDEX}")
        op.execute(f"DROP INDEX IF EXISTS {PG_INDEX}")
