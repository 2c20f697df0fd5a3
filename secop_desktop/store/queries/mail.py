"""Buzón messages as e-mail: which are due, what to send, the outcome of each attempt."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Engine, event, func, select
from sqlalchemy.orm import Session

from secop_desktop.store.database import Database
from secop_desktop.store.models import Message, User
from secop_desktop.vocab import EstadoEnvio


@dataclass(frozen=True)
class Outgoing:
    """What one e-mail needs, read in one unit of work."""

    id: int
    destinatario: str
    nombre: str
    asunto: str
    cuerpo: str
    enlace: str | None
    creado_en: datetime


def _due(max_attempts: int) -> ColumnElement[bool]:
    return (Message.envio_estado == EstadoEnvio.PENDIENTE.value) | (
        (Message.envio_estado == EstadoEnvio.ERROR.value) & (Message.envio_intentos < max_attempts))


def due_count(s: Session, max_attempts: int) -> int:
    return int(s.scalar(select(func.count(Message.id)).where(_due(max_attempts))) or 0)


def due_ids(s: Session, max_attempts: int) -> list[int]:
    return list(s.scalars(select(Message.id).where(_due(max_attempts)).order_by(Message.id)))


def due_message(s: Session, message_id: int, max_attempts: int) -> Outgoing | None:
    """The message if it is still due (another app may have sent or retired it meanwhile)."""
    m = s.scalar(select(Message).where(Message.id == message_id, _due(max_attempts)))
    if m is None:
        return None
    nombre = ""
    if m.user_id is not None and (user := s.get(User, m.user_id)) is not None:
        nombre = user.nombre
    return Outgoing(m.id, m.destinatario, nombre, m.asunto, m.cuerpo, m.enlace, m.creado_en)


def record_attempt(s: Session, message_id: int, error: str | None) -> None:
    """One more attempt counted: sent, or in error with the Spanish reason."""
    m = s.get(Message, message_id)
    if m is None:
        return
    m.envio_intentos = (m.envio_intentos or 0) + 1
    if error is None:
        m.envio_estado = EstadoEnvio.ENVIADO.value
        m.envio_error = None
    else:
        m.envio_estado = EstadoEnvio.ERROR.value
        m.envio_error = error


def retry_errors(s: Session, message_ids: list[int], user_id: int | None = None) -> int:
    """Messages in error back to pendiente; only the user's own when user_id is given."""
    query = select(Message).where(Message.id.in_(message_ids), Message.envio_estado == EstadoEnvio.ERROR.value)
    if user_id is not None:
        query = query.where(Message.user_id == user_id)
    count = 0
    for m in s.scalars(query):
        m.envio_estado = EstadoEnvio.PENDIENTE.value
        count += 1
    return count


# --- newly posted messages are marked pendiente while e-mail is on for an engine --------------------

_queueing: weakref.WeakSet[Engine] = weakref.WeakSet()
_listening = False


def mark_new_messages_pending(session: Session) -> int:
    """Marks the Buzón messages about to be inserted as pendiente (to be sent)."""
    marked = 0
    for obj in session.new:
        if isinstance(obj, Message) and obj.envio_estado in (None, EstadoEnvio.NO_CONFIGURADO.value):
            obj.envio_estado = EstadoEnvio.PENDIENTE.value
            marked += 1
    return marked


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    if session.get_bind() in _queueing:
        mark_new_messages_pending(session)


def queue_new_messages(db: Database, on: bool) -> None:
    """From now on (or no longer) messages posted in this database wait to be e-mailed."""
    global _listening
    if not on:
        _queueing.discard(db.engine)
        return
    if not _listening:
        event.listen(Session, "before_flush", _before_flush)
        _listening = True
    _queueing.add(db.engine)


def is_queueing(db: Database) -> bool:
    return db.engine in _queueing
