"""The one place that decides whether an actor may touch a user's or an Entidad's data."""

from __future__ import annotations

from dataclasses import dataclass

from secop_desktop.core.identity import Actor, SignedIn, System
from secop_desktop.errors import PermissionDenied
from secop_desktop.store.database import UnitOfWork
from secop_desktop.store.models import Membership, User
from secop_desktop.store.queries import lookup as lookup_queries
from secop_desktop.store.queries import memberships
from secop_desktop.vocab import EstadoUsuario

NOT_SIGNED_IN = "Ingrese con su usuario y contraseña para continuar."
INACTIVE = "Su usuario no está activo. Active su registro o comuníquese con el administrador."
NOT_MEMBER = "Usted no tiene acceso a la cuenta de esta Entidad."
NOT_ADMIN = "Solo un administrador de la Entidad puede hacer esto."
NOT_HELP_DESK = ("Solo un «Agente de mesa de ayuda» o el administrador de una Entidad puede buscar proveedores.")


def signed_in(actor: Actor) -> SignedIn:
    if not isinstance(actor, SignedIn):
        raise PermissionDenied(NOT_SIGNED_IN)
    return actor


def active_user(s: UnitOfWork, actor: Actor) -> User:
    """The actor's row, refused when it is not a signed-in, active user."""
    who = signed_in(actor)
    user = s.get(User, who.user_id)
    if user is None or user.estado != EstadoUsuario.ACTIVO.value:
        raise PermissionDenied(INACTIVE)
    return user


def user_or_pending(s: UnitOfWork, actor: Actor) -> User:
    """The actor's row whatever its state (a pending user may still read their own Buzón)."""
    who = signed_in(actor)
    user = s.get(User, who.user_id)
    if user is None or user.estado == EstadoUsuario.BLOQUEADO.value:
        raise PermissionDenied(INACTIVE)
    return user


def member(s: UnitOfWork, actor: Actor, entity_id: int) -> tuple[User, Membership]:
    """An active user with accepted, active access to the Entidad."""
    user = active_user(s, actor)
    m = memberships.of_user_in_entity(s, user.id, entity_id)
    if not memberships.is_accepted_active(m):
        raise PermissionDenied(NOT_MEMBER)
    assert m is not None
    return user, m


def admin(s: UnitOfWork, actor: Actor, entity_id: int, *, que: str = "") -> tuple[User, Membership]:
    """An active user who is an accepted, active Administrador of the Entidad.

    `que` names what was refused ("modificar sus datos") so the message says it.
    """
    user, m = member(s, actor, entity_id)
    if not m.es_administrador:
        raise PermissionDenied(f"Solo un administrador de la Entidad puede {que}." if que else NOT_ADMIN)
    return user, m


def system(actor: Actor) -> System:
    if not isinstance(actor, System):
        raise PermissionDenied("Esta operación solo la hace la aplicación.")
    return actor


@dataclass(frozen=True)
class HelpDeskScope:
    """What a help desk lookup may show: every Entidad for an agent, else the ones the user administers."""

    user: User
    agente: bool
    administra: frozenset[int]

    def sees(self, entity_id: int) -> bool:
        return self.agente or entity_id in self.administra

    def may_act(self, entity_id: int) -> bool:
        """Read-only unless the user administers the Entidad, whatever their role."""
        return entity_id in self.administra


def help_desk(s: UnitOfWork, actor: Actor) -> HelpDeskScope:
    """An active user who holds the «Agente de mesa de ayuda» role or administers at least one Entidad."""
    user = active_user(s, actor)
    agente = lookup_queries.is_agent(s, user.id)
    administra = frozenset(memberships.admin_entity_ids(s, user.id))
    if not agente and not administra:
        raise PermissionDenied(NOT_HELP_DESK)
    return HelpDeskScope(user, agente, administra)
