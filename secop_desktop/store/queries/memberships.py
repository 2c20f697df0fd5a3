"""Memberships: who belongs to which Entidad, with which role and Acceso a la cuenta."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secop_desktop.store.models import Membership, User
from secop_desktop.vocab import Acceso, EstadoUsuario


def of_user_in_entity(s: Session, user_id: int, entity_id: int) -> Membership | None:
    return s.scalar(select(Membership).where(Membership.user_id == user_id, Membership.entity_id == entity_id))


def is_accepted_active(m: Membership | None) -> bool:
    return bool(m and m.acceso == Acceso.ACEPTADO.value and m.activo)


def is_active_admin(m: Membership | None) -> bool:
    return bool(m and m.es_administrador and is_accepted_active(m))


def active_admin_count(s: Session, entity_id: int) -> int:
    return int(s.scalar(select(func.count(Membership.id)).join(User).where(
        Membership.entity_id == entity_id, Membership.es_administrador.is_(True),
        Membership.acceso == Acceso.ACEPTADO.value, Membership.activo.is_(True),
        User.estado == EstadoUsuario.ACTIVO.value)) or 0)


def admin_entity_ids(s: Session, user_id: int) -> list[int]:
    """Entities where the user is an accepted, active administrator."""
    return list(s.scalars(select(Membership.entity_id).where(
        Membership.user_id == user_id, Membership.es_administrador.is_(True),
        Membership.acceso == Acceso.ACEPTADO.value, Membership.activo.is_(True))))
