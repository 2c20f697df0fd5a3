"""Drafts: the registration flow's data dict, saved as typed, never with secrets."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.errors import PermissionDenied
from secop_desktop.store.database import Database, UnitOfWork, flush
from secop_desktop.store.models import Draft
from secop_desktop.store.queries import drafts as draft_queries

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


NOT_YOURS = "Este borrador es de otro agente; ábralo desde su propia sesión del equipo."


def _info(d: Draft) -> DraftInfo:
    return DraftInfo(d.id, d.agente, d.titulo, d.paso, d.actualizado_en, dict(d.datos or {}))


class DraftService:
    """Unfinished registrations, owned by the desk agent who typed them.

    The owner is the operating-system user (``current_agent()``), not a signed-in SECOP user: a draft
    starts before the person at the desk has any user, so that is the one identity there is. Each
    method takes it first and refuses another agent's draft.
    """

    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    @staticmethod
    def _own(s: UnitOfWork, agente: str, draft_id: int) -> Draft | None:
        draft = s.get(Draft, draft_id)
        if draft is not None and draft.agente != agente:
            raise PermissionDenied(NOT_YOURS)
        return draft

    def save(self, agente: str, draft_id: int | None, paso: str, datos: dict[str, Any], titulo: str = "") -> int:
        with self.db.session() as s:
            return self.save_in(s, agente, draft_id, paso, datos, titulo)

    def save_in(self, s: UnitOfWork, agente: str, draft_id: int | None, paso: str, datos: dict[str, Any],
                titulo: str = "") -> int:
        """The same write inside the caller's unit of work (the registration commits user and draft together)."""
        now = self.clock()
        draft = self._own(s, agente, draft_id) if draft_id is not None else None
        if draft is None:
            draft = Draft(agente=agente, creado_en=now)
            s.add(draft)
        draft.paso = paso
        draft.datos = strip_secrets(datos)
        draft.titulo = titulo[:300]
        draft.actualizado_en = now
        flush(s)
        return draft.id

    def list(self, agente: str) -> list[DraftInfo]:
        with self.db.session() as s:
            return [_info(d) for d in draft_queries.of_agent(s, agente)]

    def load(self, agente: str, draft_id: int) -> DraftInfo | None:
        with self.db.session() as s:
            d = self._own(s, agente, draft_id)
            return None if d is None else _info(d)

    def discard(self, agente: str, draft_id: int) -> None:
        with self.db.session() as s:
            d = self._own(s, agente, draft_id)
            if d is not None:
                s.delete(d)
