"""Account security: codes kept only as hashes, with tries and voiding; failures keyed by username.

Live codes are rehashed in place (the clear copy stays in the owner's Buzón, so a pending user can
still activate after the upgrade); used, expired and voided codes lose their clear copy too.

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from argon2 import PasswordHasher

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# The same parameters as core.accounts.passwords (the store may not import core).
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def upgrade() -> None:
    with op.batch_alter_table("confirmation_tokens") as batch:
        batch.add_column(sa.Column("guid_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("codigo_hash", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("intentos", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("anulado_en", sa.DateTime(timezone=True), nullable=True))

    bind = op.get_bind()
    tokens = sa.table("confirmation_tokens", sa.column("id", sa.Integer), sa.column("guid", sa.String),
                      sa.column("codigo", sa.String), sa.column("usado_en", sa.DateTime(timezone=True)),
                      sa.column("expira_en", sa.DateTime(timezone=True)), sa.column("guid_hash", sa.String),
                      sa.column("codigo_hash", sa.String), sa.column("anulado_en", sa.DateTime(timezone=True)))
    now = datetime.now(UTC)
    rows = bind.execute(sa.select(tokens.c.id, tokens.c.guid, tokens.c.codigo, tokens.c.usado_en,
                                  tokens.c.expira_en)).all()
    for row in rows:
        expira = row.expira_en if row.expira_en.tzinfo else row.expira_en.replace(tzinfo=UTC)
        live = row.usado_en is None and expira > now
        # A dead code needs no verifiable hash: "!" is never a valid argon2 hash.
        codigo_hash = _HASHER.hash(row.codigo.upper()) if live else "!"
        bind.execute(tokens.update().where(tokens.c.id == row.id).values(
            guid_hash=hashlib.sha256(row.guid.lower().encode()).hexdigest(), codigo_hash=codigo_hash))

    with op.batch_alter_table("confirmation_tokens") as batch:
        batch.drop_index("ix_confirmation_tokens_codigo")
        batch.drop_constraint("uq_confirmation_tokens_guid", type_="unique")
        batch.drop_column("codigo")
        batch.drop_column("guid")
        batch.alter_column("guid_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("codigo_hash", existing_type=sa.String(length=255), nullable=False)
        batch.create_unique_constraint("uq_confirmation_tokens_guid_hash", ["guid_hash"])

    with op.batch_alter_table("login_failures") as batch:
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("usuario_normalizado", sa.String(length=60), nullable=False, server_default=""))
        batch.add_column(sa.Column("tipo", sa.String(length=20), nullable=False, server_default="ingreso"))
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("usuario_normalizado", sa.String))
    failures = sa.table("login_failures", sa.column("user_id", sa.Integer), sa.column("usuario_normalizado", sa.String))
    bind.execute(failures.update().values(usuario_normalizado=sa.select(users.c.usuario_normalizado).where(
        users.c.id == failures.c.user_id).scalar_subquery()))
    op.create_index("ix_login_failures_usuario_tipo", "login_failures", ["usuario_normalizado", "tipo", "ocurrido_en"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_usuario_tipo", table_name="login_failures")
    op.execute("DELETE FROM login_failures WHERE user_id IS NULL OR tipo <> 'ingreso'")
    with op.batch_alter_table("login_failures") as batch:
        batch.drop_column("tipo")
        batch.drop_column("usuario_normalizado")
        batch.alter_column("user_id", existing_type=sa.Integer(), nullable=False)
    # Clear codes cannot come back from hashes: the old codes are gone, users ask for new ones.
    op.execute("DELETE FROM confirmation_tokens")
    with op.batch_alter_table("confirmation_tokens") as batch:
        batch.drop_constraint("uq_confirmation_tokens_guid_hash", type_="unique")
        batch.drop_column("anulado_en")
        batch.drop_column("intentos")
        batch.drop_column("codigo_hash")
        batch.drop_column("guid_hash")
        batch.add_column(sa.Column("guid", sa.String(length=36), nullable=False))
        batch.add_column(sa.Column("codigo", sa.String(length=12), nullable=False))
        batch.create_unique_constraint("uq_confirmation_tokens_guid", ["guid"])
        batch.create_index("ix_confirmation_tokens_codigo", ["codigo"])
