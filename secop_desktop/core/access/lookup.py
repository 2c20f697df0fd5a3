"""Búsqueda de la mesa de ayuda: one box takes a NIT, a name, a username or an e-mail and shows the supplier.

A caller gives whatever they have; the lookup tells which kind it is and answers, on one screen,
with the Entidad, its users and their Acceso a la cuenta, the mandatory documents still missing,
the pending Solicitudes de acceso and the last actions of the audit log.

Who may look: a user with the «Agente de mesa de ayuda» role (every Entidad, read-only) and the
administrator of an Entidad (their own Entidades, where they may also act). The role is granted
and revoked only by whoever can open the database from the command line (a System actor), and
every change of it is in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from secop_desktop import nit as nits
from secop_desktop.core import validators
from secop_desktop.core.access import audit, authorize
from secop_desktop.core.access.authorize import HelpDeskScope
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.documents.service import missing_slots
from secop_desktop.core.entities import duplicates
from secop_desktop.core.entities.service import EntitySummary, form_of, summary
from secop_desktop.core.identity import Actor
from secop_desktop.core.text import search_needle
from secop_desktop.errors import PermissionDenied, ServiceError
from secop_desktop.store.database import Database, UnitOfWork
from secop_desktop.store.models import Entity, User
from secop_desktop.store.queries import lookup as queries
from secop_desktop.vocab import Acceso

if TYPE_CHECKING:
    from secop_desktop.core.registration.checklist import Checklist

ROL = "Agente de mesa de ayuda"
NIT, NOMBRE, USUARIO, CORREO = "NIT", "nombre", "usuario", "correo electrónico"

# What one screen shows: enough to answer a call, never a whole table.
MAX_PROVEEDORES = 10
# Suppliers answered in full at once; the others come with card() when the agent picks them.
CARDS_AT_ONCE = 3
MAX_USUARIOS = 50
MAX_PENDIENTES = 20
MAX_ACCIONES = 10

SOLO_LECTURA = "Solo lectura: usted no es administrador de esta Entidad."
NO_SUCH_USER = "No existe el usuario «{usuario}»."


@dataclass(frozen=True)
class UserAccess:
    """A user of the Entidad as the help desk sees them: their state and their Acceso a la cuenta."""

    user_id: int
    usuario: str
    nombre: str
    correo: str
    estado_usuario: str
    acceso: str
    rol: str
    activo: bool


@dataclass(frozen=True)
class LastAction:
    ocurrido_en: datetime
    actor: str
    accion: str
    objeto: str


@dataclass(frozen=True)
class SupplierCard:
    entidad: EntitySummary
    usuarios: tuple[UserAccess, ...]
    total_usuarios: int
    documentos_faltantes: tuple[str, ...]  # the guide's short names of the mandatory documents missing
    solicitudes_pendientes: tuple[UserAccess, ...]
    total_pendientes: int
    ultimas_acciones: tuple[LastAction, ...]
    puede_administrar: bool
    motivo_solo_lectura: str  # why the agent may only look ("" when they may act)


@dataclass(frozen=True)
class FoundUser:
    """The user a username or e-mail named, even with no Entidad yet (a caller stuck at activation)."""

    user_id: int
    usuario: str
    nombre: str
    correo: str
    estado_usuario: str


@dataclass(frozen=True)
class LookupResult:
    consulta: str
    tipo: str  # NIT, NOMBRE, USUARIO or CORREO: what the text was taken for
    proveedores: tuple[SupplierCard, ...]  # the first CARDS_AT_ONCE matches in full
    usuarios: tuple[FoundUser, ...] = ()
    mas: bool = False  # more suppliers matched than the screen shows
    encontrados: tuple[EntitySummary, ...] = ()  # every match shown (at most MAX_PROVEEDORES), in order


@dataclass(frozen=True)
class Agent:
    usuario: str
    nombre: str
    concedido_en: datetime
    concedido_por: str


def kind_of(texto: str) -> str:
    """What the box's text looks like: an e-mail, a NIT (any canonical form), else a name or username."""
    if "@" in texto:
        return CORREO
    if nits.parse(texto) is not None:
        return NIT
    return NOMBRE


def _rol(m: Any) -> str:
    if m.es_administrador and m.es_proveedor:
        return "Administrador y Proveedor"
    return "Administrador" if m.es_administrador else "Proveedor"


def _access(m: Any) -> UserAccess:
    """A member row of store/queries/lookup (the user's and the membership's columns together)."""
    return UserAccess(m.user_id, m.usuario, m.nombre, m.correo, m.estado, m.acceso, _rol(m), m.activo)


def _found(u: User) -> FoundUser:
    return FoundUser(u.id, u.usuario, u.nombre, u.correo, u.estado)


class HelpDeskService:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    # --- for the signed-in agent or administrator ---------------------------------------------
    def available(self, actor: Actor) -> bool:
        """Whether «Buscar proveedor» is offered to this user (the role, or administrator of an Entidad)."""
        with self.db.session() as s:
            try:
                authorize.help_desk(s, actor)
            except PermissionDenied:
                authorize.active_user(s, actor)  # a blocked or signed-out actor is refused, not told False
                return False
            return True

    def search(self, actor: Actor, texto: str, *, pais: str = "COLOMBIA") -> LookupResult:
        """One box: NIT, name, username or e-mail; the matching suppliers the actor may see, on one screen."""
        consulta = " ".join(texto.split())
        needle = search_needle(consulta)  # refuses control characters like every search box
        with self.db.session() as s:
            scope = authorize.help_desk(s, actor)
            if not needle:
                return LookupResult(consulta, "", ())
            tipo = kind_of(consulta)
            found_users: list[User] = []
            if tipo == NIT:
                ids = queries.entities_with_nit(s, nits.canonical(consulta), MAX_PROVEEDORES + 1)
            elif tipo == CORREO:
                found_users = queries.users_with_email(s, consulta, MAX_PROVEEDORES + 1)
                ids = queries.entities_of_users(s, [u.id for u in found_users], MAX_PROVEEDORES + 1)
            else:
                user = (queries.user_with_username(s, validators.normalize_usuario(consulta))
                        if " " not in consulta else None)
                if user is not None:
                    tipo, found_users = USUARIO, [user]
                    ids = queries.entities_of_users(s, [user.id], MAX_PROVEEDORES + 1)
                else:
                    ids = self._by_name(s, scope, needle, pais)
            visible = [i for i in ids if scope.sees(i)]
            if not scope.agente:
                # An administrator learns nothing about users outside their own Entidades.
                found_users = [u for u in found_users
                               if scope.administra & set(queries.entities_of_users(s, [u.id], MAX_PROVEEDORES))]
            rows = queries.entity_rows(s, visible[:MAX_PROVEEDORES])
            shown = [rows[i] for i in visible[:MAX_PROVEEDORES] if i in rows]
            cards = tuple(self._card(s, scope, e) for e in shown[:CARDS_AT_ONCE])
            return LookupResult(consulta, tipo, cards, tuple(_found(u) for u in found_users),
                                len(visible) > MAX_PROVEEDORES, tuple(summary(e) for e in shown))

    def card(self, actor: Actor, entity_id: int) -> SupplierCard:
        """One supplier's screen, for a match beyond the first ones (or to refresh it)."""
        with self.db.session() as s:
            scope = authorize.help_desk(s, actor)
            if not scope.sees(entity_id):
                raise PermissionDenied(authorize.NOT_MEMBER)
            rows = queries.entity_rows(s, [entity_id])
            if entity_id not in rows:
                raise ServiceError("La Entidad ya no existe.")
            return self._card(s, scope, rows[entity_id])

    def _by_name(self, s: UnitOfWork, scope: HelpDeskScope, needle: str, pais: str) -> list[int]:
        """Exact normalised name first ("FERRETERIA ANDINA SAS" = "Ferretería Andina S.A.S."), then the
        folded substring search of «Validar si mi entidad ya existe», then the normalised one."""
        from secop_desktop.store.entity_search import matching_ids

        normalised = duplicates.normalise(needle)
        if not scope.agente:
            # An administrator's own few Entidades: matched here instead of searching a million rows.
            rows = queries.entity_rows(s, sorted(scope.administra))
            return [i for i, e in sorted(rows.items(), key=lambda r: (r[1].nombre_busqueda, r[0]))
                    if e.pais == pais and (needle in e.nombre_busqueda
                                           or (normalised and normalised in e.nombre_normalizado))]
        ids = dict.fromkeys(queries.entities_with_normalised_name(s, pais, normalised, MAX_PROVEEDORES + 1)
                            if normalised else [])
        ids.update(dict.fromkeys(matching_ids(s, self.db.dialect, pais=pais, needle=needle, nit="",
                                              limit=MAX_PROVEEDORES + 1)))
        if not ids and normalised and normalised != needle:  # "Andina S A S" for "Andina S.A.S."
            ids.update(dict.fromkeys(matching_ids(s, self.db.dialect, pais=pais, needle=normalised, nit="",
                                                  limit=MAX_PROVEEDORES + 1)))
        return list(ids)

    def _card(self, s: UnitOfWork, scope: HelpDeskScope, entity: Any) -> SupplierCard:
        users = queries.members(s, entity.id, MAX_USUARIOS)
        if len(users) < MAX_USUARIOS:  # every member is here: the requests are among them
            total = len(users)
            waiting = [m for m in users if m.acceso == Acceso.PENDIENTE.value][:MAX_PENDIENTES]
            total_waiting = sum(m.acceso == Acceso.PENDIENTE.value for m in users)
        else:
            total = queries.member_count(s, entity.id)
            waiting = queries.pending(s, entity.id, MAX_PENDIENTES)
            total_waiting = len(waiting) if len(waiting) < MAX_PENDIENTES else queries.pending_count(s, entity.id)
        attached = queries.document_kinds(s, entity.id)
        missing = tuple(slot.nombre for slot in missing_slots(entity.persona_natural, entity.obligado_contabilidad,
                                                              attached))
        actions = tuple(LastAction(a.ocurrido_en, a.actor, a.accion, a.objeto)
                        for a in queries.last_actions(s, entity.id, MAX_ACCIONES))
        may_act = scope.may_act(entity.id)
        return SupplierCard(summary(entity), tuple(_access(m) for m in users), total, missing,
                            tuple(_access(m) for m in waiting), total_waiting, actions, may_act,
                            "" if may_act else SOLO_LECTURA)

    def checklist(self, actor: Actor, entity_id: int) -> Checklist:
        """Lista de verificación of a stored Entidad's registration, from its form and its documents.

        A stored Entidad has passed every step before the form (user, confirmation, search), so
        those are done; what can still be missing is in the form's sections and the documents.
        """
        from secop_desktop.core.registration.checklist import checklist, entity_data

        with self.db.session() as s:
            scope = authorize.help_desk(s, actor)
            if not scope.sees(entity_id):
                raise PermissionDenied(authorize.NOT_MEMBER)
            entity = s.get(Entity, entity_id)
            if entity is None:
                raise ServiceError("La Entidad ya no existe.")
            data = entity_data(form_of(entity), entity.id, entity.creado_por_id or 0)
            return checklist(data, queries.document_kinds(s, entity.id))

    # --- the role, from the command line only -----------------------------------------------------
    def grant_agent(self, actor: Actor, usuario: str) -> bool:
        """Gives a user the «Agente de mesa de ayuda» role; False when they had it already."""
        return self._change_role(actor, usuario, grant=True)

    def revoke_agent(self, actor: Actor, usuario: str) -> bool:
        """Takes the role away; False when the user did not have it."""
        return self._change_role(actor, usuario, grant=False)

    def _change_role(self, actor: Actor, usuario: str, *, grant: bool) -> bool:
        who = authorize.system(actor)
        now = self.clock()
        with self.db.session() as s:
            user = queries.user_with_username(s, validators.normalize_usuario(usuario))
            if user is None:
                raise ServiceError(NO_SUCH_USER.format(usuario=usuario))
            por = f"{audit.SYSTEM.nombre} ({who.motivo})"
            changed = (queries.grant_agent(s, user.id, now, por) if grant else queries.revoke_agent(s, user.id))
            if changed:
                audit.record(s, now, audit.Actor(None, por), "rol_concedido" if grant else "rol_retirado", "usuario",
                             user.id, antes=None if grant else {"rol": ROL}, despues={"rol": ROL} if grant else None)
            return changed

    def agents(self, actor: Actor) -> list[Agent]:
        """Who holds the role, by username."""
        authorize.system(actor)
        with self.db.session() as s:
            return [Agent(u.usuario, u.nombre, a.concedido_en, a.concedido_por) for u, a in queries.agents(s)]

