"""Memberships: who belongs to which Entidad, with which role and Acceso a la cuenta."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from secop_desktop.store.models import Entity, Membership, User
from secop_desktop.vocab import Acceso, EstadoUsuario


def of_user_in_entity(s: Session, user_id: int, entity_id: int) -> Membership | None:
    return s.scalar(select(Membership).where(Membership.user_id == user_id, Membership.entity_id == entity_id))


def is_accepted_active(m: Membership | None) -> bool:
    return bool(m and m.acceso == Acceso.ACEPTADO.value and m.activo)


def is_active_admin(m: Membership | None) -> bool:
    return bool(m and m.es_administrador and is_accepted_active(m))


def _accepted_active_admins() -> tuple[ColumnElement[bool], ...]:
    return (Membership.es_administrador.is_(True), Membership.acceso == Acceso.ACEPTADO.value,
            Membership.activo.is_(True))


def active_admin_count(s: Session, entity_id: int) -> int:
    return int(s.scalar(select(func.count(Membership.id)).join(User).where(
        Membership.entity_id == entity_id, *_accepted_active_admins(),
        User.estado == EstadoUsuario.ACTIVO.value)) or 0)


def admin_entity_ids(s: Session, user_id: int) -> list[int]:
    """Entities where the user is an accepted, active administrator."""
    return list(s.scalars(select(Membership.entity_id).where(
        Membership.user_id == user_id, *_accepted_active_admins())))


def admin_entities(s: Session, user_id: int) -> list[tuple[int, str]]:
    """(id, nombre) of the entities the user administers (accepted, active), by name."""
    rows = s.execute(select(Entity.id, Entity.nombre).join(Membership).where(
        Membership.user_id == user_id, *_accepted_active_admins()).order_by(Entity.nombre))
    return [(i, n) for i, n in rows]


def entity_ids_of_user(s: Session, user_id: int) -> list[int]:
    """Every Entidad the user has a membership in, whatever its state."""
    return list(s.scalars(select(Membership.entity_id).where(Membership.user_id == user_id)))


def active_admins(s: Session, entity_id: int) -> list[User]:
    """The users who administer the Entidad (accepted, active membership): who receives access requests."""
    return list(s.scalars(select(User).join(Membership).where(
        Membership.entity_id == entity_id, *_accepted_active_admins())))


def of_user(s: Session, user_id: int) -> list[tuple[Membership, Entity]]:
    """The user's memberships with their Entidad, oldest request first ("Mis registros")."""
    rows = s.execute(select(Membership, Entity).join(Entity).where(Membership.user_id == user_id)
                     .order_by(Membership.fecha_solicitud))
    return [(m, e) for m, e in rows]


def members_of_entity(s: Session, entity_id: int) -> list[tuple[Membership, User]]:
    """Every membership of the Entidad with its user, in the order they were created."""
    rows = s.execute(select(Membership, User).join(User).where(Membership.entity_id == entity_id)
                     .order_by(Membership.id))
    return [(m, u) for m, u in rows]


def member_names(s: Session, membership_ids: Iterable[int]) -> dict[int, str]:
    """membership id -> the member's name (the audit log names whom a change was about)."""
    ids = list(membership_ids)
    if not ids:
        return {}
    return {mid: nombre for mid, nombre in s.execute(
        select(Membership.id, User.nombre).join(User).where(Membership.id.in_(ids)))}


def mark_pending(s: Session, user_id: int, entity_id: int, now: datetime) -> tuple[Membership, str | None]:
    """A (new or renewed) access request: Pendiente from now on. Returns it and the state before."""
    m = of_user_in_entity(s, user_id, entity_id)
    if m is None:
        m = Membership(user_id=user_id, entity_id=entity_id, es_administrador=False, es_proveedor=True,
                       activo=True)
        s.add(m)
    before = m.acceso
    m.acceso = Acceso.PENDIENTE.value
    m.fecha_solicitud = now
    m.fecha_aceptacion = None
    m.actualizado_en = now
    s.flush()
    return m, before
