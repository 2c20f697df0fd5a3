"""Administración de usuarios: aceptar, rechazar, cancelar, revertir, roles, activación."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from secop_desktop.core.access import audit, authorize
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.users import UserRegistration, UserService
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.identity import Actor, SignedIn
from secop_desktop.errors import ConflictError, PermissionDenied, ServiceError
from secop_desktop.store.database import Database, UnitOfWork
from secop_desktop.store.models import Entity, Membership, User
from secop_desktop.store.queries import access as access_queries
from secop_desktop.store.queries import audit as audit_queries
from secop_desktop.store.queries import memberships
from secop_desktop.vocab import Acceso

LAST_ADMIN = ("La cuenta debe tener por lo menos un usuario administrador activo. "
              "Nombre otro administrador antes de hacer este cambio.")


class Accion(StrEnum):
    ACEPTAR = "Aceptar acceso"
    RECHAZAR = "Rechazar acceso"
    CANCELAR = "Cancelar acceso"
    REVERTIR = "Revertir rechazo del acceso"
    HACER_ADMIN = "Hacer administrador"
    HACER_PROVEEDOR = "Hacer proveedor"
    ACTIVAR = "Activar usuario"
    DESACTIVAR = "Desactivar usuario"


# Which access states each action applies to, and where it leads.
TRANSITIONS: dict[Accion, tuple[frozenset[str], str]] = {
    Accion.ACEPTAR: (frozenset({Acceso.PENDIENTE, Acceso.CANCELADO}), Acceso.ACEPTADO),
    Accion.RECHAZAR: (frozenset({Acceso.PENDIENTE}), Acceso.RECHAZADO),
    Accion.CANCELAR: (frozenset({Acceso.ACEPTADO, Acceso.PENDIENTE}), Acceso.CANCELADO),
    Accion.REVERTIR: (frozenset({Acceso.RECHAZADO}), Acceso.PENDIENTE),
}

DESTRUCTIVE = frozenset({Accion.RECHAZAR, Accion.CANCELAR, Accion.DESACTIVAR, Accion.HACER_PROVEEDOR})

MESSAGES: dict[Accion, tuple[str, str]] = {
    Accion.ACEPTAR: ("Su solicitud de acceso fue aceptada",
                     "El administrador aceptó su solicitud de acceso a {entidad}. Ya puede usar su usuario "
                     "y actuar como Proveedor desde la cuenta."),
    Accion.RECHAZAR: ("Su solicitud de acceso fue rechazada",
                      "El administrador rechazó su solicitud de acceso a {entidad}."),
    Accion.CANCELAR: ("Su acceso fue cancelado", "El administrador canceló su acceso a {entidad}."),
    Accion.REVERTIR: ("Se revirtió el rechazo de su solicitud",
                      "El administrador revirtió el rechazo de su solicitud de acceso a {entidad}; "
                      "la solicitud está Pendiente de nuevo."),
    Accion.HACER_ADMIN: ("Ahora es administrador", "Ahora es usuario administrador de {entidad}."),
    Accion.HACER_PROVEEDOR: ("Ya no es administrador", "Ahora es usuario Proveedor de {entidad}."),
    Accion.ACTIVAR: ("Su usuario fue activado", "Su usuario fue activado en {entidad}."),
    Accion.DESACTIVAR: ("Su usuario fue desactivado", "Su usuario fue desactivado en {entidad}."),
}


@dataclass(frozen=True)
class MemberRow:
    membership_id: int
    user_id: int
    nombre: str
    correo: str
    fecha_registro: datetime
    acceso: str
    actualizado_en: datetime
    activo: bool
    es_administrador: bool
    es_proveedor: bool
    version: int
    usuario: str = ""
    estado_usuario: str = ""
    # Set only by create_user: the new user's activation code, for the administrator to hand over once.
    codigo_activacion: str = field(default="", repr=False, compare=False)

    @property
    def rol(self) -> str:
        if self.es_administrador and self.es_proveedor:
            return "Administrador y Proveedor"
        return "Administrador" if self.es_administrador else "Proveedor"




# Sortable columns of the admin table; each is sorted in the database (store/queries/access.py),
# never over rows loaded into memory.
SORT_KEYS: tuple[str, ...] = ("nombre", "correo", "fecha_registro", "acceso", "actualizado_en", "activo", "rol")
ACCESO_ORDER = access_queries.ACCESO_ORDER


@dataclass(frozen=True)
class PageCursor:
    """Where the previous page ended (keyset pagination: no OFFSET scan over earlier rows)."""

    sort_value: Any
    tiebreak: int  # the user's id when sorting by a user column, the membership's id otherwise


@dataclass(frozen=True)
class MemberPage:
    rows: list[MemberRow]
    cursor: PageCursor | None  # None when the page is empty
    complete: bool  # no more rows after this page


@dataclass(frozen=True)
class AuditRow:
    id: int
    ocurrido_en: datetime
    actor: str
    accion: str
    objeto: str
    objeto_id: int | None
    antes: dict[str, Any] | None
    despues: dict[str, Any] | None
    afectado: str | None = None  # the member's name when the change was about a membership


def allowed(accion: Accion, row: MemberRow) -> bool:
    """Whether an action applies to a row's state (the GUI enables buttons from this)."""
    if accion in TRANSITIONS:
        return row.acceso in TRANSITIONS[accion][0]
    if accion is Accion.HACER_ADMIN:
        return not row.es_administrador and row.acceso == Acceso.ACEPTADO
    if accion is Accion.HACER_PROVEEDOR:
        return row.es_administrador
    if accion is Accion.ACTIVAR:
        return not row.activo
    return row.activo  # DESACTIVAR


def member_row(m: Membership, u: User) -> MemberRow:
    return MemberRow(m.id, u.id, u.nombre, u.correo, u.creado_en, m.acceso, m.actualizado_en, m.activo,
                     m.es_administrador, m.es_proveedor, m.version, u.usuario, u.estado)


NOT_ADMIN_WINDOW = "Solo los administradores de la Entidad pueden abrir la Administración de usuarios."


class AccessService:
    """Administración de usuarios: every method takes the acting user first and checks them here."""

    def __init__(self, db: Database, users: UserService, clock: Clock = utcnow) -> None:
        self.db = db
        self.users = users
        self.clock = clock

    def check_admin(self, actor: Actor, entity_id: int) -> None:
        """Refuses (and records the attempt) when the actor is not an administrator of the entity."""
        denied = False
        with self.db.session() as s:
            try:
                authorize.admin(s, actor, entity_id)
            except PermissionDenied:
                self._record_denied(s, actor, [entity_id])
                denied = True
        if denied:
            raise PermissionDenied(NOT_ADMIN_WINDOW)

    def _record_denied(self, s: UnitOfWork, actor: Actor, entity_ids: list[int | None]) -> None:
        if not isinstance(actor, SignedIn):
            return
        user = s.get(User, actor.user_id)
        if user is None:
            return
        for entity_id in entity_ids:
            audit.record(s, self.clock(), audit.Actor(user.id, user.usuario), "acceso_admin_denegado",
                         "entidad", entity_id, entity_id=entity_id)

    def members(self, actor: Actor, entity_id: int, *, acceso: str | None = None, texto: str = "") -> list[MemberRow]:
        with self.db.session() as s:
            authorize.admin(s, actor, entity_id)
            return [MemberRow(*values) for values in access_queries.members(s, entity_id, acceso=acceso, texto=texto)]

    def counts(self, actor: Actor, entity_id: int) -> dict[str, int]:
        with self.db.session() as s:
            authorize.admin(s, actor, entity_id)
            found = access_queries.acceso_counts(s, entity_id)
        result = {a.value: 0 for a in Acceso}
        result.update(found)
        return result

    def page(self, actor: Actor, entity_id: int, *, limit: int = 200, after: PageCursor | None = None,
             sort: str = "acceso", descending: bool = False, acceso: str | None = None,
             texto: str = "") -> MemberPage:
        """One window of the member table, sorted and filtered in SQL, continuing after `after`."""
        with self.db.session() as s:
            authorize.admin(s, actor, entity_id)
            result = access_queries.member_window(
                s, entity_id, limit=limit, after=None if after is None else (after.sort_value, after.tiebreak),
                sort=sort, descending=descending, acceso=acceso, texto=texto)
        rows = [MemberRow(*values[:-2]) for values in result[:limit]]
        cursor = PageCursor(result[len(rows) - 1][-2], result[len(rows) - 1][-1]) if rows else None
        return MemberPage(rows, cursor, complete=len(result) <= limit)

    def count(self, actor: Actor, entity_id: int, *, acceso: str | None = None, texto: str = "") -> int:
        with self.db.session() as s:
            authorize.admin(s, actor, entity_id)
            return access_queries.member_count(s, entity_id, acceso=acceso, texto=texto)

    def require_any_admin(self, actor: Actor) -> list[tuple[int, str]]:
        """The accounts the user administers; none is a refusal, recorded in every account they belong to."""
        accounts = self.admin_entities(actor)
        if accounts:
            return accounts
        with self.db.session() as s:
            user = authorize.active_user(s, actor)
            entity_ids: list[int | None] = list(memberships.entity_ids_of_user(s, user.id))
            self._record_denied(s, actor, entity_ids or [None])
        raise PermissionDenied(NOT_ADMIN_WINDOW + " Su usuario no es administrador de ninguna cuenta.")

    def audit_log(self, actor: Actor, entity_id: int, *, accion: str | None = None, quien: str = "",
                  limit: int = 500) -> list[AuditRow]:
        """Últimas modificaciones of an account, newest first, filtered by action and by who did it."""
        with self.db.session() as s:
            authorize.admin(s, actor, entity_id)
            entries = audit_queries.entries(s, entity_id=entity_id, accion=accion, actor=quien, limit=limit)
            names = memberships.member_names(
                s, {e.objeto_id for e in entries if e.objeto == "membresia" and e.objeto_id is not None})
            return [AuditRow(e.id, e.ocurrido_en, e.actor, e.accion, e.objeto, e.objeto_id, e.antes, e.despues,
                             names.get(e.objeto_id) if e.objeto == "membresia" and e.objeto_id is not None else None)
                    for e in entries]

    def audit_actions(self, actor: Actor, entity_id: int) -> list[str]:
        with self.db.session() as s:
            authorize.admin(s, actor, entity_id)
            return audit_queries.actions_of_entity(s, entity_id)

    def apply(self, actor: Actor, entity_id: int, accion: Accion, membership_ids: Iterable[int],
              expected_versions: dict[int, int] | None = None) -> list[MemberRow]:
        """Applies one action to several rows atomically: all change, or none and a Spanish reason."""
        now = self.clock()
        ids = list(dict.fromkeys(membership_ids))
        if not ids:
            raise ServiceError("Seleccione por lo menos un usuario.")
        try:
            with self.db.session() as s:
                # One administrator action per account at a time: without this row lock two admins
                # demoting each other on PostgreSQL both see the other still admin and leave none.
                # Authorized after the lock, so the check sees the other administrator's committed change.
                entity = s.get(Entity, entity_id, with_for_update=True)
                admin, _ = authorize.admin(s, actor, entity_id, que="administrar usuarios")
                assert entity is not None  # a member's Entidad exists
                changed: list[MemberRow] = []
                for mid in ids:
                    m = s.get(Membership, mid)
                    if m is None or m.entity_id != entity_id:
                        raise ServiceError("El usuario seleccionado no pertenece a esta Entidad.")
                    if expected_versions and expected_versions.get(mid, m.version) != m.version:
                        raise ConflictError("Otro administrador cambió esta solicitud mientras usted la revisaba. "
                                            "Se muestran los datos actuales.")
                    user = s.get_one(User, m.user_id)
                    row = member_row(m, user)
                    if not allowed(accion, row):
                        raise ServiceError(f"«{accion.value}» no aplica a {user.nombre}: su acceso está "
                                           f"{m.acceso.lower()}.")
                    before = {"acceso": m.acceso, "es_administrador": m.es_administrador, "activo": m.activo}
                    if accion in TRANSITIONS:
                        m.acceso = TRANSITIONS[accion][1]
                        if accion is Accion.ACEPTAR:
                            m.fecha_aceptacion = now
                    elif accion is Accion.HACER_ADMIN:
                        m.es_administrador = True
                    elif accion is Accion.HACER_PROVEEDOR:
                        m.es_administrador = False
                        m.es_proveedor = True
                    else:
                        m.activo = accion is Accion.ACTIVAR
                    m.actualizado_en = now
                    s.flush()
                    after = {"acceso": m.acceso, "es_administrador": m.es_administrador, "activo": m.activo}
                    audit.record(s, now, audit.Actor(admin.id, admin.usuario), accion.name.lower(), "membresia",
                                 m.id, entity_id=entity_id, antes=before, despues=after)
                    subject, body = MESSAGES[accion]
                    outbox.post(s, now, user, "acceso", subject, body.format(entidad=entity.nombre))
                    changed.append(member_row(m, user))
                if memberships.active_admin_count(s, entity_id) == 0:
                    raise ServiceError(LAST_ADMIN)
                return changed
        except ConflictError as exc:
            if exc.message != ConflictError().message:
                raise
            raise ConflictError("Otro administrador cambió esta solicitud al mismo tiempo. "
                                "Se muestran los datos actuales.") from exc

    def create_user(self, actor: Actor, entity_id: int, form: UserRegistration,
                    *, administrador: bool = False) -> MemberRow:
        """Crear usuarios: the new user gets an activation message and access already accepted."""
        with self.db.session() as s:
            admin, _ = authorize.admin(s, actor, entity_id, que="crear usuarios")
            actor_ref = audit.Actor(admin.id, admin.usuario)
        info = self.users.register(form, require_terms=False, creado_por=actor_ref)
        now = self.clock()
        with self.db.session() as s:
            m = Membership(user_id=info.id, entity_id=entity_id, es_administrador=administrador, es_proveedor=True,
                           acceso=Acceso.ACEPTADO.value, activo=True, fecha_solicitud=now, fecha_aceptacion=now,
                           actualizado_en=now)
            s.add(m)
            s.flush()
            audit.record(s, now, actor_ref, "usuario_creado", "membresia", m.id, entity_id=entity_id,
                         despues={"usuario": info.usuario, "acceso": m.acceso})
            return replace(member_row(m, s.get_one(User, info.id)), codigo_activacion=info.codigo)

    def admin_entities(self, actor: Actor) -> list[tuple[int, str]]:
        """Accounts the signed-in user administers (for the admin window's account picker)."""
        with self.db.session() as s:
            user = authorize.active_user(s, actor)
            return memberships.admin_entities(s, user.id)
