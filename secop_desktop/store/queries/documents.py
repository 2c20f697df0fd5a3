"""Attached documents (the Biblioteca de documentos of an Entidad) and the blobs they point at."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secop_desktop.store.models import Document, Setting


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


def setting(s: Session, key: str) -> str | None:
    row = s.get(Setting, key)
    return row.valor if row is not None else None
