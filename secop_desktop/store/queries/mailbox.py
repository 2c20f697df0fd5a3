"""The Buzón's messages and the notification subscriptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secop_desktop.store.models import Message, Subscription


def add(s: Session, message: Message) -> Message:
    s.add(message)
    return message


def of_user(s: Session, user_id: int, *, limit: int = 200, clase: str | None = None) -> list[Message]:
    query = select(Message).where(Message.user_id == user_id).order_by(Message.id.desc()).limit(limit)
    if clase is not None:
        query = query.where(Message.clase == clase)
    return list(s.scalars(query))


def unread_count(s: Session, user_id: int) -> int:
    return int(s.scalar(select(func.count()).select_from(Message).where(
        Message.user_id == user_id, Message.leido_en.is_(None))) or 0)


def own_message(s: Session, user_id: int, message_id: int) -> Message | None:
    """The message only when it belongs to that user."""
    return s.scalar(select(Message).where(Message.id == message_id, Message.user_id == user_id))


def subscription(s: Session, user_id: int, clase: str) -> Subscription | None:
    return s.scalar(select(Subscription).where(Subscription.user_id == user_id, Subscription.clase == clase))


def add_subscription(s: Session, user_id: int, clase: str, activa: bool) -> Subscription:
    sub = Subscription(user_id=user_id, clase=clase, activa=activa)
    s.add(sub)
    return sub


def mark_read(message: Message, moment: datetime) -> None:
    if message.leido_en is None:
        message.leido_en = moment
