"""Attached documents (the Biblioteca de documentos of an Entidad) and the blobs they point at."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from secop_desktop.store.models import Document, Entity


def of_entity(s: Session, entity_id: int) -> list[Document]:
    return list(s.scalars(select(Document).where(Document.entity_id == entity_id).order_by(Document.id)))


def in_slot(s: Session, entity_id: int, tipo: str) -> list[Document]:
    """The document of one slot (more than one only in a store written by an older version)."""
    return list(s.scalars(select(Document).where(Document.entity_id == entity_id, Document.tipo == tipo)
                          .order_by(Document.id)))


def is_referenced(s: Session, sha256: str) -> bool:
    return bool(s.scalar(select(func.count()).select_from(Document).where(Document.sha256 == sha256)))


def referenced_hashes(s: Session) -> set[str]:
    return set(s.scalars(select(Document.sha256).distinct()))


def without_entity(s: Session) -> list[Document]:
    """Rows no Entidad owns: documents of registrations that were never finished (older versions)."""
    return list(s.scalars(select(Document).where(Document.entity_id.is_(None))))


def with_deadline(s: Session, first_day: date | None = None, last_day: date | None = None, *,
                  entity_id: int | None = None) -> list[tuple[Document, str]]:
    """(document, Entidad name) of the documents with a valido_hasta (within the days given), soonest first."""
    query = (select(Document, Entity.nombre).join(Entity, Entity.id == Document.entity_id)
             .where(Document.valido_hasta.is_not(None)).order_by(Document.valido_hasta, Document.id))
    if first_day is not None:
        query = query.where(Document.valido_hasta >= first_day)
    if last_day is not None:
        query = query.where(Document.valido_hasta <= last_day)
    if entity_id is not None:
        query = query.where(Document.entity_id == entity_id)
    return [(d, nombre) for d, nombre in s.execute(query)]


def claim_reminder(s: Session, document_id: int, deadline: date) -> bool:
    """Marks the deadline as reminded unless it already is: of two agents racing, exactly one gets True."""
    result = s.execute(update(Document).where(
        Document.id == document_id, Document.valido_hasta == deadline,
        or_(Document.recordatorio_para.is_(None), Document.recordatorio_para != deadline),
    ).values(recordatorio_para=deadline).execution_options(synchronize_session=False))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
