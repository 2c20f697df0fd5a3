"""The help desk's one-step lookup: who holds the role, and what one screen shows of a supplier.

Every question is answered by an index (migration 0007 adds the missing ones), and every list is
capped, so a lookup costs the same over a million entities as over ten.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from secop_desktop.store.models import AgenteMesaAyuda, AuditEntry, Document, Entity, Membership, User
from secop_desktop.vocab import Acceso


# --- the «Agente de mesa de ayuda» role -------------------------------------------------------
def is_agent(s: Session, user_id: int) -> bool:
    return s.scalar(select(AgenteMesaAyuda.user_id).where(AgenteMesaAyuda.user_id == user_id)) is not None


def grant_agent(s: Session, user_id: int, moment: datetime, por: str) -> bool:
    """Gives the role; False when the user had it already."""
    if is_agent(s, user_id):
        return False
    s.add(AgenteMesaAyuda(user_id=user_id, concedido_en=moment, concedido_por=por))
    s.flush()
    return True


def revoke_agent(s: Session, user_id: int) -> bool:
    """Takes the role away; False when the user did not have it."""
    row = s.scalar(select(AgenteMesaAyuda).where(AgenteMesaAyuda.user_id == user_id))
    if row is None:
        return False
    s.delete(row)
    s.flush()
    return True


def agents(s: Session) -> list[tuple[User, AgenteMesaAyuda]]:
    rows = s.execute(select(User, AgenteMesaAyuda).join(AgenteMesaAyuda, AgenteMesaAyuda.user_id == User.id)
                     .order_by(User.usuario_normalizado))
    return [(u, a) for u, a in rows]


# --- finding the suppliers --------------------------------------------------------------------
def entities_with_nit(s: Session, nit: str, limit: int) -> list[int]:
    """Entities with this canonical NIT in any country (ix_entities_nit)."""
    return list(s.scalars(select(Entity.id).where(Entity.nit == nit).order_by(Entity.id).limit(limit)))


def entities_with_normalised_name(s: Session, pais: str, normalised: str, limit: int) -> list[int]:
    return list(s.scalars(select(Entity.id).where(Entity.pais == pais, Entity.nombre_normalizado == normalised)
                          .order_by(Entity.id).limit(limit)))


def user_with_username(s: Session, usuario_normalizado: str) -> User | None:
    return s.scalar(select(User).where(User.usuario_normalizado == usuario_normalizado))


def users_with_email(s: Session, correo: str, limit: int) -> list[User]:
    """Users whose e-mail is this one in any case (ix_users_correo_lower)."""
    return list(s.scalars(select(User).where(func.lower(User.correo) == correo.lower()).order_by(User.id)
                          .limit(limit)))


def entities_of_users(s: Session, user_ids: Sequence[int], limit: int) -> list[int]:
    if not user_ids:
        return []
    return list(dict.fromkeys(s.scalars(select(Membership.entity_id).where(Membership.user_id.in_(list(user_ids)))
                                        .order_by(Membership.id).limit(limit))))


def entity_rows(s: Session, ids: Sequence[int]) -> dict[int, Any]:
    """Only the columns the lookup shows or decides on (a whole Entity row costs more than finding it)."""
    if not ids:
        return {}
    rows = s.execute(select(Entity.id, Entity.nombre, Entity.pais, Entity.municipio_codigo, Entity.nit, Entity.dv,
                            Entity.persona_natural, Entity.obligado_contabilidad, Entity.nombre_busqueda,
                            Entity.nombre_normalizado).where(Entity.id.in_(list(ids))))
    return {r.id: r for r in rows}


# --- what one screen shows of a supplier ------------------------------------------------------
_MEMBER_COLUMNS = (User.id.label("user_id"), User.usuario, User.nombre, User.correo, User.estado, Membership.acceso,
                   Membership.activo, Membership.es_administrador, Membership.es_proveedor)


def members(s: Session, entity_id: int, limit: int) -> list[Any]:
    """Administrators first, then by request: the people a caller is most likely to be."""
    return list(s.execute(select(*_MEMBER_COLUMNS).join(User, User.id == Membership.user_id)
                          .where(Membership.entity_id == entity_id)
                          .order_by(Membership.es_administrador.desc(), Membership.id).limit(limit)))


def member_count(s: Session, entity_id: int) -> int:
    return int(s.scalar(select(func.count()).select_from(Membership).where(Membership.entity_id == entity_id)) or 0)


def pending(s: Session, entity_id: int, limit: int) -> list[Any]:
    """Solicitudes de acceso still waiting (ix_memberships_entity_acceso), oldest first."""
    return list(s.execute(select(*_MEMBER_COLUMNS).join(User, User.id == Membership.user_id)
                          .where(Membership.entity_id == entity_id, Membership.acceso == Acceso.PENDIENTE.value)
                          .order_by(Membership.id).limit(limit)))


def pending_count(s: Session, entity_id: int) -> int:
    return int(s.scalar(select(func.count()).select_from(Membership).where(
        Membership.entity_id == entity_id, Membership.acceso == Acceso.PENDIENTE.value)) or 0)


def document_kinds(s: Session, entity_id: int) -> set[str]:
    return set(s.scalars(select(Document.tipo).where(Document.entity_id == entity_id).distinct()))


def last_actions(s: Session, entity_id: int, limit: int) -> list[Any]:
    """The newest audit entries of the Entidad (ix_audit_log_entity_id_id: no sort)."""
    return list(s.execute(select(AuditEntry.id, AuditEntry.ocurrido_en, AuditEntry.actor, AuditEntry.accion,
                                 AuditEntry.objeto).where(AuditEntry.entity_id == entity_id)
                          .order_by(AuditEntry.id.desc()).limit(limit)))
