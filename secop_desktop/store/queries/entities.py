"""Entities: the rows the search shows, lookups by NIT or name, and what belongs to one Entidad."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from secop_desktop.store.models import Document, Entity


def search_lines(s: Session, ids: Sequence[int]) -> dict[int, Any]:
    """Only the columns a search result line shows (id, nombre, pais, municipio_codigo, nit, dv), by id.

    Loading fifty full entities costs more than the lookup itself.
    """
    if not ids:
        return {}
    rows = s.execute(select(Entity.id, Entity.nombre, Entity.pais, Entity.municipio_codigo, Entity.nit, Entity.dv)
                     .where(Entity.id.in_(list(ids))))
    return {r.id: r for r in rows}


def by_nit(s: Session, pais: str, nit: str) -> Entity | None:
    return s.scalar(select(Entity).where(Entity.pais == pais, Entity.nit == nit))


def by_folded_name(s: Session, pais: str, nombre_busqueda: str) -> Entity | None:
    """The first Entidad whose folded name is exactly this one (names are not unique, NITs are)."""
    return s.scalars(select(Entity).where(Entity.pais == pais, Entity.nombre_busqueda == nombre_busqueda)
                     .order_by(Entity.id)).first()


def documents(s: Session, entity_id: int) -> list[Document]:
    """The Entidad's attached documents, in the order they were attached."""
    return list(s.scalars(select(Document).where(Document.entity_id == entity_id).order_by(Document.id)))
