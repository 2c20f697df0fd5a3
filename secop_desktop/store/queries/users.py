"""Users, their one-time codes and their failed attempts."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from secop_desktop.store.database import flush
from secop_desktop.store.models import ConfirmationToken, LoginFailure, Membership, User


def by_id(s: Session, user_id: int) -> User | None:
    return s.get(User, user_id)


def by_username(s: Session, usuario_normalizado: str) -> User | None:
    return s.scalar(select(User).where(User.usuario_normalizado == usuario_normalizado))


def with_email(s: Session, correo: str) -> list[User]:
    return list(s.scalars(select(User).where(func.lower(User.correo) == correo.lower()).order_by(User.id)))


def add(s: Session, user: User) -> User:
    s.add(user)
    flush(s)
    return user


def entity_ids(s: Session, user_id: int) -> list[int]:
    """Entities where the user has any membership (an administrator of one of them may help)."""
    return list(s.scalars(select(Membership.entity_id).where(Membership.user_id == user_id)))


# The table, not the mapped class: a Core UPDATE leaves the optimistic `version` column alone.
_USERS = cast(Table, User.__table__)


# --- failed attempts -----------------------------------------------------------------------
# Counters change with plain UPDATE ... SET n = n + 1, never through the ORM: the optimistic
# `version` column would turn simultaneous failures into StaleDataError and roll them back.

# A wrong password ("ingreso") and an attempt refused during the growing delay ("ingreso_espera").
SIGN_IN_KINDS = ("ingreso", "ingreso_espera")


def _kinds(tipo: str | tuple[str, ...]) -> tuple[str, ...]:
    return (tipo,) if isinstance(tipo, str) else tipo


def record_failure(s: Session, usuario_normalizado: str, tipo: str, moment: datetime, user_id: int | None) -> None:
    """Records one failed attempt of a kind (ingreso, respuesta, codigo) for the typed username."""
    s.add(LoginFailure(user_id=user_id, usuario_normalizado=usuario_normalizado, tipo=tipo, ocurrido_en=moment))
    if user_id is not None and tipo in SIGN_IN_KINDS:
        s.execute(update(_USERS).where(_USERS.c.id == user_id).values(
            intentos_fallidos=_USERS.c.intentos_fallidos + 1, ultimo_intento_fallido=moment))
    flush(s)


def failures_since(s: Session, usuario_normalizado: str, tipo: str | tuple[str, ...], since: datetime) -> int:
    return int(s.scalar(select(func.count(LoginFailure.id)).where(
        LoginFailure.usuario_normalizado == usuario_normalizado, LoginFailure.tipo.in_(_kinds(tipo)),
        LoginFailure.ocurrido_en > since)) or 0)


def last_failure(s: Session, usuario_normalizado: str, tipo: str | tuple[str, ...], since: datetime) -> datetime | None:
    return s.scalar(select(func.max(LoginFailure.ocurrido_en)).where(
        LoginFailure.usuario_normalizado == usuario_normalizado, LoginFailure.tipo.in_(_kinds(tipo)),
        LoginFailure.ocurrido_en > since))


def first_failure(s: Session, usuario_normalizado: str, tipo: str | tuple[str, ...], since: datetime) -> datetime | None:
    return s.scalar(select(func.min(LoginFailure.ocurrido_en)).where(
        LoginFailure.usuario_normalizado == usuario_normalizado, LoginFailure.tipo.in_(_kinds(tipo)),
        LoginFailure.ocurrido_en > since))


def clear_failures(s: Session, user_id: int) -> None:
    s.execute(update(_USERS).where(_USERS.c.id == user_id).values(
        intentos_fallidos=0, ultimo_intento_fallido=None))


def set_password_hash(s: Session, user_id: int, password_hash: str) -> None:
    """A new hash for the same password (argon2 parameters upgraded): not an edit of the user's data."""
    s.execute(update(_USERS).where(_USERS.c.id == user_id).values(password_hash=password_hash))


# --- one-time codes ------------------------------------------------------------------------

def add_token(s: Session, token: ConfirmationToken) -> ConfirmationToken:
    s.add(token)
    flush(s)
    return token


def token_by_guid_hash(s: Session, guid_hash: str) -> ConfirmationToken | None:
    return s.scalar(select(ConfirmationToken).where(ConfirmationToken.guid_hash == guid_hash))


def live_token(s: Session, user_id: int, proposito: str, now: datetime) -> ConfirmationToken | None:
    """The user's usable code of this kind (issuing a new one voids the others, so at most one)."""
    return s.scalars(select(ConfirmationToken).where(
        ConfirmationToken.user_id == user_id, ConfirmationToken.proposito == proposito,
        ConfirmationToken.usado_en.is_(None), ConfirmationToken.anulado_en.is_(None),
        ConfirmationToken.expira_en > now).order_by(ConfirmationToken.id.desc())).first()


def void_tokens(s: Session, user_id: int, proposito: str, moment: datetime) -> int:
    result = s.execute(update(ConfirmationToken).where(
        ConfirmationToken.user_id == user_id, ConfirmationToken.proposito == proposito,
        ConfirmationToken.usado_en.is_(None), ConfirmationToken.anulado_en.is_(None)).values(
        anulado_en=moment).execution_options(synchronize_session="fetch"))
    return int(getattr(result, "rowcount", 0) or 0)


def count_wrong_try(s: Session, token_id: int) -> int:
    """One more wrong try at this code, counted atomically; returns the new count."""
    s.execute(update(ConfirmationToken).where(ConfirmationToken.id == token_id).values(
        intentos=ConfirmationToken.intentos + 1).execution_options(synchronize_session=False))
    return int(s.scalar(select(ConfirmationToken.intentos).where(ConfirmationToken.id == token_id)) or 0)


def mark_token_used(s: Session, token_id: int, moment: datetime) -> None:
    s.execute(update(ConfirmationToken).where(ConfirmationToken.id == token_id).values(
        usado_en=moment).execution_options(synchronize_session="fetch"))

