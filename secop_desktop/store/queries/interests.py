"""Áreas de interés of an Entidad (UNSPSC codes)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from secop_desktop.store.models import AreaInteres


def of_entity(s: Session, entity_id: int) -> list[AreaInteres]:
    """The Entidad's areas, by code."""
    return list(s.scalars(select(AreaInteres).where(AreaInteres.entity_id == entity_id).order_by(AreaInteres.codigo)))


def code_taken(s: Session, entity_id: int, codigo: str) -> bool:
    return s.scalar(select(AreaInteres.id).where(AreaInteres.entity_id == entity_id,
                                                 AreaInteres.codigo == codigo)) is not None
