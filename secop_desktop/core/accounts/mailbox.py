"""The Buzón: every message a user should get is stored here first, and read by its owner only.

The module functions taking a unit of work are for other core services posting messages inside
their own transaction; views and the CLI read through `Services.mailbox`, as the signed-in owner.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from secop_desktop.core.access import authorize
from secop_desktop.core.clock import Clock
from secop_desktop.core.identity import Actor
from secop_desktop.errors import InvalidValue
from secop_desktop.store.database import Database, UnitOfWork, flush
from secop_desktop.store.models import Message, User
from secop_desktop.store.queries import mailbox as q

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


def wants(session: UnitOfWork, user_id: int, clase: str) -> bool:
    if clase not in CLASES_OPCIONALES:
        return True
    sub = q.subscription(session, user_id, clase)
    return sub is None or sub.activa


def post(
    session: UnitOfWork,
    moment: datetime,
    user: User,
    clase: str,
    asunto: str,
    cuerpo: str,
    enlace: str | None = None,
) -> Message | None:
    if not wants(session, user.id, clase):
        return None
    return q.add(session, Message(
        user_id=user.id,
        destinatario=user.correo,
        clase=clase,
        asunto=asunto,
        cuerpo=cuerpo,
        enlace=enlace,
        creado_en=moment,
    ))


# With e-mail delivery, a message carrying a code leaves by e-mail with the code while the Buzón
# keeps a copy that only says where it went. The e-mail text lives in this process's memory until
# it is sent (never in the database); after a restart the owner asks again with «Reenviar».
_EMAIL_ONLY: dict[tuple[int, str], tuple[str, str | None]] = {}
_EMAIL_ONLY_LOCK = threading.Lock()


def post_by_email(
    session: UnitOfWork,
    moment: datetime,
    user: User,
    clase: str,
    asunto: str,
    cuerpo: str,
    enlace: str | None,
    buzon_cuerpo: str,
) -> Message | None:
    """Posts the Buzón copy (`buzon_cuerpo`, no link) and keeps the e-mail text (`cuerpo`, `enlace`) for the mailer."""
    message = post(session, moment, user, clase, asunto, buzon_cuerpo, None)
    if message is not None:
        flush(session)
        with _EMAIL_ONLY_LOCK:
            # Keyed by id and recipient too: an id reused after a rollback never gets another's text.
            _EMAIL_ONLY[(message.id, message.destinatario)] = (cuerpo, enlace)
    return message


def email_content(message_id: int, destinatario: str, cuerpo: str, enlace: str | None) -> tuple[str, str | None]:
    """What the e-mail of a Buzón message says: the text kept for e-mail, or the Buzón text."""
    with _EMAIL_ONLY_LOCK:
        return _EMAIL_ONLY.get((message_id, destinatario), (cuerpo, enlace))


def email_sent(message_id: int, destinatario: str) -> None:
    with _EMAIL_ONLY_LOCK:
        _EMAIL_ONLY.pop((message_id, destinatario), None)


def inbox(session: UnitOfWork, user_id: int, *, limit: int = 200, clase: str | None = None) -> list[MessageView]:
    return [_view(m) for m in q.of_user(session, user_id, limit=limit, clase=clase)]


def unread_count(session: UnitOfWork, user_id: int) -> int:
    return q.unread_count(session, user_id)


def subscriptions(session: UnitOfWork, user_id: int) -> dict[str, bool]:
    return {clase: wants(session, user_id, clase) for clase in CLASES_OPCIONALES}


def subscriptions_in_effect(chosen: Mapping[str, bool], *, administrador: bool, con_cuenta: bool,
                            areas: int) -> int:
    """The Escritorio's «Suscripciones»: the subscriptions on that can bring this user a message.

    Every optional class is on until switched off, so counting the switches alone said 4 on a
    brand-new user with no account; a class counts only for whom it is meant.
    """
    applies = {
        "solicitud_acceso": administrador,
        "entidad_actualizada": con_cuenta,
        "documentos": con_cuenta,
        "oportunidades": areas > 0,
    }
    return sum(1 for clase, on in chosen.items() if on and applies.get(clase, False))


class Mailbox:
    """The signed-in user's own Buzón and subscriptions, one unit of work per call.

    A pending user may read it too (signed in with the password chosen in step 1), so activation
    works offline; nobody reads another user's messages.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def messages(self, actor: Actor, *, limit: int = 200) -> list[MessageView]:
        with self.db.session() as s:
            return inbox(s, authorize.user_or_pending(s, actor).id, limit=limit)

    def unread(self, actor: Actor) -> int:
        with self.db.session() as s:
            return unread_count(s, authorize.user_or_pending(s, actor).id)

    def mark_read(self, actor: Actor, message_id: int) -> None:
        with self.db.session() as s:
            message = q.own_message(s, authorize.user_or_pending(s, actor).id, message_id)
            if message is not None:
                q.mark_read(message, self.clock())

    def subscriptions(self, actor: Actor) -> dict[str, bool]:
        with self.db.session() as s:
            return subscriptions(s, authorize.user_or_pending(s, actor).id)

    def set_subscription(self, actor: Actor, clase: str, activa: bool) -> None:
        if clase not in CLASES_OPCIONALES:
            raise InvalidValue("Esa clase de mensajes no se puede apagar.")
        with self.db.session() as s:
            user = authorize.user_or_pending(s, actor)
            sub = q.subscription(s, user.id, clase)
            if sub is None:
                q.add_subscription(s, user.id, clase, activa)
            else:
                sub.activa = activa
