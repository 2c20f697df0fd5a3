"""Append-only audit log: who did what, when, with the row before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from secop_desktop.store.database import UnitOfWork
from secop_desktop.store.models import AuditEntry
from secop_desktop.store.queries.audit import entries

__all__ = ["SYSTEM", "Actor", "entries", "record"]


@dataclass(frozen=True)
class Actor:
    id: int | None
    nombre: str


SYSTEM = Actor(None, "sistema")


def record(
    session: UnitOfWork,
    moment: datetime,
    actor: Actor,
    accion: str,
    objeto: str,
    objeto_id: int | None = None,
    *,
    entity_id: int | None = None,
    antes: dict[str, Any] | None = None,
    despues: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        ocurrido_en=moment,
        actor_id=actor.id,
        actor=actor.nombre,
        accion=accion,
        objeto=objeto,
        objeto_id=objeto_id,
        entity_id=entity_id,
        antes=antes,
        despues=despues,
    )
    session.add(entry)
    return entry

