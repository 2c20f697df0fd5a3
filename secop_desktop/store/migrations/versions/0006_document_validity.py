"""The days a document serves, and which deadline was already reminded.

Revision ID: 0006
Revises: 0005

documents.valido_desde / valido_hasta hold the days a document serves (the RUP until the fifth
business day of April of the next year, the financial statements through the year after their
cut, a certificado de existencia 30 days); rows attached before this version have neither, so
nothing is reminded for them until their dates are set. documents.recordatorio_para holds the
valido_hasta a reminder was posted for, so each deadline is reminded once across runs and agents.
"""
from __future__ import annotations

import warnings

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (nullable, no default) works on both backends without rebuilding the table.
    op.add_column("documents", sa.Column("valido_desde", sa.Date(), nullable=True))
    op.add_column("documents", sa.Column("valido_hasta", sa.Date(), nullable=True))
    op.add_column("documents", sa.Column("recordatorio_para", sa.Date(), nullable=True))
    op.create_index("ix_documents_valido_hasta", "documents", ["valido_hasta"])


def downgrade() -> None:
    op.drop_index("ix_documents_valido_hasta", table_name="documents")
    # SQLite drops columns only by rebuilding the table: batch mode does it there. It reflects the
    # referred users table, whose lower(...) indexes SQLite cannot describe (as in 0005).
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection", sa.exc.SAWarning)
        with op.batch_alter_table("documents") as batch:
            batch.drop_column("recordatorio_para")
            batch.drop_column("valido_hasta")
            batch.drop_column("valido_desde")
