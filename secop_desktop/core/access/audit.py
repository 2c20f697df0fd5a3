"""Append-only audit log: who did what, when, with the row before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from secop_desktop.store.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    id: int | None
    nombre: str


SYSTEM = Actor(None, "sistema")


def record(
    session: Session,
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


def entries(
    session: Session,
    *,
    entity_id: int | None = None,
    accion: str | None = None,
    actor: str | None = None,
    limit: int = 500,
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if accion:
        query = query.where(AuditEntry.accion == accion)
    if actor:
        query = query.where(AuditEntry.actor.ilike(f"%{actor}%"))
    return list(session.scalars(query))
