"""The Buzón: every message a user should get is stored here first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secop_desktop.core.clock import Clock
from secop_desktop.core.validators import normalize_usuario
from secop_desktop.store.database import Database
from secop_desktop.store.models import Message, Subscription, User

# Message classes a user may switch off in "Suscripción a notificaciones"; the rest
# (activation, password reset, access decisions) always arrive.
CLASES_OPCIONALES: dict[str, str] = {
    "solicitud_acceso": "Solicitudes de acceso a mi cuenta (administradores)",
    "entidad_actualizada": "Cambios en los datos de la Entidad",
    "documentos": "Documentos anexados o borrados",
    "oportunidades": "Oportunidades de negocio en mis áreas de interés",
}


@dataclass(frozen=True)
class MessageView:
    id: int
    destinatario: str
    clase: str
    asunto: str
    cuerpo: str
    enlace: str | None
    creado_en: datetime
    leido: bool
    envio_estado: str
    envio_error: str | None


def _view(m: Message) -> MessageView:
    return MessageView(m.id, m.destinatario, m.clase, m.asunto, m.cuerpo, m.enlace, m.creado_en,
                       m.leido_en is not None, m.envio_estado, m.envio_error)


def wants(session: Session, user_id: int, clase: str) -> bool:
    if clase not in CLASES_OPCIONALES:
        return True
    sub = session.scalar(select(Subscription).where(Subscription.user_id == user_id, Subscription.clase == clase))
    return sub is None or sub.activa


def post(
    session: Session,
    moment: datetime,
    user: User,
    clase: str,
    asunto: str,
    cuerpo: str,
    enlace: str | None = None,
) -> Message | None:
    if not wants(session, user.id, clase):
        return None
    message = Message(
        user_id=user.id,
        destinatario=user.correo,
        clase=clase,
        asunto=asunto,
        cuerpo=cuerpo,
        enlace=enlace,
        creado_en=moment,
    )
    session.add(message)
    return message


def inbox(session: Session, user_id: int | None = None, *, limit: int = 200) -> list[MessageView]:
    query = select(Message).order_by(Message.id.desc()).limit(limit)
    if user_id is not None:
        query = query.where(Message.user_id == user_id)
    return [_view(m) for m in session.scalars(query)]


def unread_count(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(Message).where(Message.user_id == user_id, Message.leido_en.is_(None))
    ) or 0


def mark_read(session: Session, message_id: int, moment: datetime) -> None:
    message = session.get(Message, message_id)
    if message is not None and message.leido_en is None:
        message.leido_en = moment


def set_subscription(session: Session, user_id: int, clase: str, activa: bool) -> None:
    if clase not in CLASES_OPCIONALES:
        raise ValueError(clase)
    sub = session.scalar(select(Subscription).where(Subscription.user_id == user_id, Subscription.clase == clase))
    if sub is None:
        session.add(Subscription(user_id=user_id, clase=clase, activa=activa))
    else:
        sub.activa = activa


def subscriptions(session: Session, user_id: int) -> dict[str, bool]:
    return {clase: wants(session, user_id, clase) for clase in CLASES_OPCIONALES}


class Mailbox:
    """One user's Buzón, one unit of work per call (what the Buzón window reads)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def user_id_for(self, usuario: str) -> int | None:
        with self.db.session() as s:
            return s.scalar(select(User.id).where(User.usuario_normalizado == normalize_usuario(usuario)))

    def messages(self, user_id: int) -> list[MessageView]:
        with self.db.session() as s:
            return inbox(s, user_id)

    def unread(self, user_id: int) -> int:
        with self.db.session() as s:
            return unread_count(s, user_id)

    def subscriptions(self, user_id: int) -> dict[str, bool]:
        with self.db.session() as s:
            return subscriptions(s, user_id)

    def mark_read(self, message_id: int) -> None:
        with self.db.session() as s:
            mark_read(s, message_id, self.clock())
