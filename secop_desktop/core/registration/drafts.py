"""Drafts: the registration flow's data dict, saved as typed, never with secrets."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.store.database import Database, UnitOfWork, flush
from secop_desktop.store.models import Draft

SECRET_KEYS = frozenset({"contrasena", "confirmar", "respuesta", "password", "login_contrasena"})


def strip_secrets(data: Any) -> Any:
    """Removes every secret key at any depth: passwords never reach the disk."""
    if isinstance(data, dict):
        return {k: strip_secrets(v) for k, v in data.items() if k not in SECRET_KEYS}
    if isinstance(data, list):
        return [strip_secrets(v) for v in data]
    return data


def current_agent() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in containers without passwd entries
        return "agente"


@dataclass(frozen=True)
class DraftInfo:
    id: int
    agente: str
    titulo: str
    paso: str
    actualizado_en: datetime
    datos: dict[str, Any]


class DraftService:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    def save(self, draft_id: int | None, agente: str, paso: str, datos: dict[str, Any], titulo: str = "") -> int:
        with self.db.session() as s:
            return self.save_in(s, draft_id, agente, paso, datos, titulo)

    def save_in(self, s: UnitOfWork, draft_id: int | None, agente: str, paso: str, datos: dict[str, Any],
                titulo: str = "") -> int:
        """The same write inside the caller's unit of work (the registration commits user and draft together)."""
        now = self.clock()
        draft = s.get(Draft, draft_id) if draft_id is not None else None
        if draft is None:
            draft = Draft(agente=agente, creado_en=now)
            s.add(draft)
        draft.paso = paso
        draft.datos = strip_secrets(datos)
        draft.titulo = titulo[:300]
        draft.actualizado_en = now
        flush(s)
        return draft.id

    def list(self, agente: str | None = None) -> list[DraftInfo]:
        with self.db.session() as s:
            query = select(Draft).order_by(Draft.actualizado_en.desc())
            if agente is not None:
                query = query.where(Draft.agente == agente)
            return [DraftInfo(d.id, d.agente, d.titulo, d.paso, d.actualizado_en, dict(d.datos or {}))
                    for d in s.scalars(query)]

    def load(self, draft_id: int) -> DraftInfo | None:
        with self.db.session() as s:
            d = s.get(Draft, draft_id)
            return None if d is None else DraftInfo(d.id, d.agente, d.titulo, d.paso, d.actualizado_en,
                                                    dict(d.datos or {}))

    def discard(self, draft_id: int) -> None:
        with self.db.session() as s:
            d = s.get(Draft, draft_id)
            if d is not None:
                s.delete(d)
