"""What a registration package reads from the store and looks up before importing."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from secop_desktop.store.models import AreaInteres, Entity, Membership, User
from secop_desktop.vocab import Acceso


def members_with_users(s: Session, entity_id: int) -> list[tuple[Membership, User]]:
    rows = s.execute(select(Membership, User).join(User, Membership.user_id == User.id)
                     .where(Membership.entity_id == entity_id).order_by(Membership.id)).all()
    return [(m, u) for m, u in rows]


def areas_of_entity(s: Session, entity_id: int) -> list[AreaInteres]:
    return list(s.scalars(select(AreaInteres).where(AreaInteres.entity_id == entity_id).order_by(AreaInteres.id)))


def entity_by_nit(s: Session, pais: str, nit: str) -> Entity | None:
    return s.scalars(select(Entity).where(Entity.pais == pais, Entity.nit == nit)).first()


def entity_by_folded_name(s: Session, pais: str, nombre_busqueda: str) -> Entity | None:
    return s.scalars(select(Entity).where(Entity.pais == pais, Entity.nombre_busqueda == nombre_busqueda)).first()


def user_by_usuario_normalizado(s: Session, usuario_normalizado: str) -> User | None:
    return s.scalar(select(User).where(User.usuario_normalizado == usuario_normalizado))


def accepted_admins(s: Session, entity_id: int) -> list[User]:
    """Users an access request is announced to: the accepted, active administrators."""
    return list(s.scalars(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.entity_id == entity_id, Membership.es_administrador.is_(True),
        Membership.acceso == Acceso.ACEPTADO.value, Membership.activo.is_(True))))
