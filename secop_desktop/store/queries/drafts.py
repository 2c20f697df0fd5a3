"""Drafts of unfinished registrations."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from secop_desktop.store.models import Draft


def of_agent(s: Session, agente: str) -> list[Draft]:
    """The agent's drafts, most recently saved first."""
    return list(s.scalars(select(Draft).where(Draft.agente == agente).order_by(Draft.actualizado_en.desc())))
