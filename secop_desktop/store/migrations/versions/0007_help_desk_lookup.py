"""help desk lookup: the «Agente de mesa de ayuda» role and the indexes the lookup and the duplicate check need

Revision ID: 0007
Revises: 0006

- agentes_mesa_ayuda: who holds the help desk role (granted from the command line only).
- entities.nombre_normalizado: secop_desktop.names.normalise(nombre), computed here for existing
  rows, with a (pais, nombre_normalizado) index for the exact normalised match.
- A word index over nombre_normalizado for the duplicate check's candidates: SQLite gets an
  external-content FTS5 table (unicode61 words, 3-letter prefixes) kept in step by triggers, like
  migration 0002's (a later batch migration that rebuilds `entities` must recreate them);
  PostgreSQL a GIN index over the words and their 3-letter prefixes as a text array
  (store.entity_search.PG_WORDS_EXPRESSION).
- entities(nit) for a NIT lookup without the country, and audit_log(entity_id, id) for an
  Entidad's last actions without a sort.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from secop_desktop import names
from secop_desktop.store.entity_search import PG_WORDS_EXPRESSION
from secop_desktop.store.types import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SQLITE_WORDS = (
    "CREATE VIRTUAL TABLE entities_fts_nombre USING fts5(nombre_normalizado, content='entities', "
    "content_rowid='id', tokenize='unicode61', prefix='3')"
)
SQLITE_WORD_TRIGGERS = (
    ("CREATE TRIGGER entities_nombre_fts_ai AFTER INSERT ON entities BEGIN "
     "INSERT INTO entities_fts_nombre(rowid, nombre_normalizado) VALUES (new.id, new.nombre_normalizado); END"),
    ("CREATE TRIGGER entities_nombre_fts_ad AFTER DELETE ON entities BEGIN "
     "INSERT INTO entities_fts_nombre(entities_fts_nombre, rowid, nombre_normalizado) "
     "VALUES ('delete', old.id, old.nombre_normalizado); END"),
    ("CREATE TRIGGER entities_nombre_fts_au AFTER UPDATE OF nombre_normalizado ON entities BEGIN "
     "INSERT INTO entities_fts_nombre(entities_fts_nombre, rowid, nombre_normalizado) "
     "VALUES ('delete', old.id, old.nombre_normalizado); "
     "INSERT INTO entities_fts_nombre(rowid, nombre_normalizado) VALUES (new.id, new.nombre_normalizado); END"),
)
PG_WORDS = "ix_entities_nombre_palabras"
BATCH = 5000


def _backfill() -> None:
    bind = op.get_bind()
    entities = sa.table("entities", sa.column("id", sa.Integer), sa.column("nombre", sa.String),
                        sa.column("nombre_normalizado", sa.String))
    last = 0
    while True:
        rows = bind.execute(sa.select(entities.c.id, entities.c.nombre).where(entities.c.id > last)
                            .order_by(entities.c.id).limit(BATCH)).all()
        if not rows:
            return
        bind.execute(entities.update().where(entities.c.id == sa.bindparam("rid"))
                     .values(nombre_normalizado=sa.bindparam("n")),
                     [{"rid": r.id, "n": names.normalise(r.nombre)[:300]} for r in rows])
        last = rows[-1].id


def upgrade() -> None:
    op.create_table(
        "agentes_mesa_ayuda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("concedido_en", UTCDateTime(), nullable=False),
        sa.Column("concedido_por", sa.String(length=120), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_agentes_mesa_ayuda_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agentes_mesa_ayuda")),
        sa.UniqueConstraint("user_id", name=op.f("uq_agentes_mesa_ayuda_user_id")),
    )
    # A plain ADD COLUMN (no batch rebuild), so migration 0002's triggers stay.
    op.add_column("entities", sa.Column("nombre_normalizado", sa.String(length=300), nullable=False,
                                        server_default=""))
    _backfill()
    op.create_index("ix_entities_pais_nombre_normalizado", "entities", ["pais", "nombre_normalizado"])
    op.create_index("ix_entities_nit", "entities", ["nit"])
    op.create_index("ix_audit_log_entity_id_id", "audit_log", ["entity_id", "id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(SQLITE_WORDS)
        for statement in SQLITE_WORD_TRIGGERS:
            op.execute(statement)
        op.execute("INSERT INTO entities_fts_nombre(entities_fts_nombre) VALUES ('rebuild')")
        op.execute("INSERT INTO entities_fts_nombre(entities_fts_nombre) VALUES ('optimize')")
    elif dialect == "postgresql":
        op.execute(f"CREATE INDEX IF NOT EXISTS {PG_WORDS} ON entities USING gin (({PG_WORDS_EXPRESSION}))")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("entities_nombre_fts_au", "entities_nombre_fts_ad", "entities_nombre_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS entities_fts_nombre")
    elif dialect == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {PG_WORDS}")
    op.drop_index("ix_audit_log_entity_id_id", table_name="audit_log")
    op.drop_index("ix_entities_nit", table_name="entities")
    op.drop_index("ix_entities_pais_nombre_normalizado", table_name="entities")
    # A plain DROP COLUMN (SQLite 3.35+), never a batch rebuild: dropping the old entities table
    # would cascade to every row that refers to it (financial rows, documents, memberships) and
    # lose migration 0002's triggers.
    op.drop_column("entities", "nombre_normalizado")
    op.drop_table("agentes_mesa_ayuda")
