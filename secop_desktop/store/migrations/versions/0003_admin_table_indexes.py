"""Indexes for sorting the Administración de usuarios table in SQL.

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_users_nombre_lower", "users", [sa.text("lower(nombre)")])
    op.create_index("ix_users_correo_lower", "users", [sa.text("lower(correo)")])
    op.create_index("ix_users_creado_en", "users", ["creado_en"])
    op.create_index("ix_memberships_entity_actualizado", "memberships", ["entity_id", "actualizado_en"])
    op.create_index("ix_memberships_entity_activo", "memberships", ["entity_id", "activo"])
    op.create_index("ix_memberships_entity_rol", "memberships", ["entity_id", "es_administrador", "es_proveedor"])


def downgrade() -> None:
    for name, table in (("ix_memberships_entity_rol", "memberships"), ("ix_memberships_entity_activo", "memberships"),
                        ("ix_memberships_entity_actualizado", "memberships"), ("ix_users_creado_en", "users"),
                        ("ix_users_correo_lower", "users"), ("ix_users_nombre_lower", "users")):
        op.drop_index(name, table_name=table)
