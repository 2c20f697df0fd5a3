"""Alembic environment: batch mode on SQLite, the models' naming convention.

The connection always comes from `store.database.migrate` through `config.attributes`: the URL is
never put in Alembic's configparser-based config, where `%` in an encoded password breaks it.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from secop_desktop.store.migrations.env_filters import include_name
from secop_desktop.store.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
        transactional_ddl=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():  # pragma: no cover - offline SQL generation is not used
    raise RuntimeError("secop-desktop migrates only with an open connection (store.database.migrate).")
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - every caller passes one
    raise RuntimeError("store.database.migrate passes the connection in config.attributes['connection'].")
_run(connection)
