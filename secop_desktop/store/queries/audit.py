"""The audit log (append-only): Últimas modificaciones of an account, newest first."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secop_desktop.store.models import AuditEntry


def entries(s: Session, *, entity_id: int | None = None, accion: str | None = None, actor: str | None = None,
            limit: int = 500) -> list[AuditEntry]:
    """Newest first; `actor` matches part of the actor's name, in any case."""
    query = select(AuditEntry)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    if accion:
        query = query.where(AuditEntry.accion == accion)
    if actor and actor.strip():
        query = query.where(func.lower(AuditEntry.actor).like(f"%{actor.strip().lower()}%"))
    return list(s.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))


def actions_of_entity(s: Session, entity_id: int) -> list[str]:
    """The distinct actions recorded for an Entidad, alphabetically (the audit view's filter)."""
    return sorted(s.scalars(select(AuditEntry.accion).where(AuditEntry.entity_id == entity_id).distinct()))
