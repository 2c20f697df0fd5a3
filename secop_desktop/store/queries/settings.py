"""Shared key/value rows of the `settings` table (data of the database, not of one user)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from secop_desktop.store.database import flush
from secop_desktop.store.models import Setting


def value(s: Session, key: str) -> str | None:
    row = s.get(Setting, key)
    return None if row is None else row.valor


def insert(s: Session, key: str, valor: str) -> None:
    """A new row; AlreadyExists when another connection inserted the key first."""
    s.add(Setting(clave=key, valor=valor))
    flush(s)


def put(s: Session, key: str, valor: str) -> None:
    row = s.get(Setting, key)
    if row is None:
        s.add(Setting(clave=key, valor=valor))
    else:
        row.valor = valor


def compare_and_set(s: Session, key: str, expected: str, valor: str) -> bool:
    """Changes the row only if it still holds `expected`: one writer wins a race, the others see False."""
    result = s.execute(update(Setting).where(Setting.clave == key, Setting.valor == expected)
                       .values(valor=valor).execution_options(synchronize_session=False))
    s.expire_all()
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def with_prefix(s: Session, prefix: str) -> list[tuple[str, str]]:
    """(key, value) of every row whose key starts with prefix (the per-Entidad variants of a setting)."""
    query = select(Setting.clave, Setting.valor).where(Setting.clave.startswith(prefix, autoescape=True))
    return [(clave, valor) for clave, valor in s.execute(query)]
