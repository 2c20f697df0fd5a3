"""Administración de usuarios: aceptar, rechazar, cancelar, revertir, roles, activación."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from secop_desktop.core.access import audit
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.users import UserRegistration, UserService
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.entities.service import active_admin_count, is_admin
from secop_desktop.errors import ConflictError, PermissionDenied, ServiceError
from secop_desktop.store.database import Database
from secop_desktop.store.models import AuditEntry, Entity, Membership, User
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
    # Set only by create_user: the new user's activation code, for the administrator to hand over once.
    codigo_activacion: str = field(default="", repr=False, compare=False)

    @property
    def rol(self) -> str:
        if self.es_administrador and self.es_proveedor:
            return "Administrador y Proveedor"
        return "Administrador" if self.es_administrador else "Proveedor"



# Sortable columns of the admin table; each maps to one SQL expression so sorting
# happens in the database, never over rows loaded into memory.
SORT_KEYS: tuple[str, ...] = ("nombre", "correo", "fecha_registro", "acceso", "actualizado_en", "activo", "rol")

# Pendiente first: the order an administrator works through requests.
ACCESO_ORDER: dict[str, int] = {Acceso.PENDIENTE.value: 0, Acceso.ACEPTADO.value: 1,
                                Acceso.RECHAZADO.value: 2, Acceso.CANCELADO.value: 3}


USER_SORTS = frozenset({"nombre", "correo", "fecha_registro"})

# Sort columns with a handful of values, each value a condition, in ascending order: Acceso a la
# cuenta in the order an administrator works (Pendiente first), the others as their text reads
# (Activo, Inactivo; Administrador, Administrador y Proveedor, Proveedor).
BUCKETS: dict[str, tuple[ColumnElement[bool], ...]] = {
    "acceso": tuple(Membership.acceso == value for value in ACCESO_ORDER),
    "activo": (Membership.activo.is_(True), Membership.activo.is_(False)),
    "rol": (and_(Membership.es_administrador.is_(True), Membership.es_proveedor.is_(False)),
            and_(Membership.es_administrador.is_(True), Membership.es_proveedor.is_(True)),
            Membership.es_administrador.is_(False)),
}


def _after(query: Any, key: ColumnElement[Any], tiebreak: ColumnElement[int], after: PageCursor | None,
           descending: bool) -> Any:
    """Keyset continuation and ordering: rows strictly after the cursor, in (key, tiebreak) order."""
    if after is not None:
        if descending:
            query = query.where(or_(key < after.sort_value, and_(key == after.sort_value, tiebreak < after.tiebreak)))
        else:
            query = query.where(or_(key > after.sort_value, and_(key == after.sort_value, tiebreak > after.tiebreak)))
    return query.order_by(*((key.desc(), tiebreak.desc()) if descending else (key.asc(), tiebreak.asc())))


def _sort_expression(key: str) -> ColumnElement[Any]:
    if key == "nombre":
        return func.lower(User.nombre)
    if key == "correo":
        return func.lower(User.correo)
    if key == "fecha_registro":
        return User.creado_en
    if key == "actualizado_en":
        return Membership.actualizado_en
    raise ValueError(f"columna de orden desconocida: {key}")


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


# MemberRow's fields, in order, as columns (for the windowed query).
MEMBER_COLUMNS = (Membership.id, User.id, User.nombre, User.correo, User.creado_en, Membership.acceso,
                  Membership.actualizado_en, Membership.activo, Membership.es_administrador, Membership.es_proveedor,
                  Membership.version)


def member_row(m: Membership, u: User) -> MemberRow:
    return MemberRow(m.id, u.id, u.nombre, u.correo, u.creado_en, m.acceso, m.actualizado_en, m.activo,
                     m.es_administrador, m.es_proveedor, m.version)


class AccessService:
    def __init__(self, db: Database, users: UserService, clock: Clock = utcnow) -> None:
        self.db = db
        self.users = users
        self.clock = clock

    def _require_admin(self, s: Session, actor_id: int, entity_id: int, what: str) -> User:
        actor = s.get_one(User, actor_id)
        if not is_admin(s, actor_id, entity_id):
            raise PermissionDenied("Solo un administrador de la Entidad puede " + what + ".")
        return actor

    def check_admin(self, actor_id: int, entity_id: int) -> None:
        """Refuses (and records the attempt) when the user is not an administrator of the entity."""
        denied = False
        with self.db.session() as s:
            actor = s.get_one(User, actor_id)
            if not is_admin(s, actor_id, entity_id):
                audit.record(s, self.clock(), audit.Actor(actor.id, actor.usuario), "acceso_admin_denegado",
                             "entidad", entity_id, entity_id=entity_id)
                denied = True
        if denied:
            raise PermissionDenied("Solo los administradores de la Entidad pueden abrir la Administración "
                                   "de usuarios.")

    def members(self, entity_id: int, *, acceso: str | None = None, texto: str = "") -> list[MemberRow]:
        with self.db.session() as s:
            query = select(Membership, User).join(User).where(Membership.entity_id == entity_id)
            if acceso:
                query = query.where(Membership.acceso == acceso)
            if texto.strip():
                like = f"%{texto.strip().lower()}%"
                query = query.where(func.lower(User.nombre).like(like) | func.lower(User.correo).like(like))
            return [member_row(m, u) for m, u in s.execute(query.order_by(Membership.id))]

    def counts(self, entity_id: int) -> dict[str, int]:
        with self.db.session() as s:
            rows = s.execute(select(Membership.acceso, func.count()).where(Membership.entity_id == entity_id)
                             .group_by(Membership.acceso)).all()
        result = {a.value: 0 for a in Acceso}
        result.update({acceso: n for acceso, n in rows})
        return result

    # --- windowed reads for the admin table ----------------------------------------
    @staticmethod
    def _filtered(query: Any, entity_id: int, acceso: str | None, texto: str) -> Any:
        query = query.where(Membership.entity_id == entity_id)
        if acceso:
            query = query.where(Membership.acceso == acceso)
        needle = texto.strip().lower()
        if "@" in needle and not needle.startswith("@"):
            # An address is typed from its start: a range on the lower(correo) index, not a scan
            # ("@dominio" alone still searches every address).
            lowered = func.lower(User.correo)
            query = query.where(lowered >= needle, lowered < needle + "\U0010ffff")
        elif needle:
            escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            like = f"%{escaped}%"
            query = query.where(func.lower(User.nombre).like(like, escape="\\")
                                | func.lower(User.correo).like(like, escape="\\"))
        return query

    def page(self, entity_id: int, *, limit: int = 200, after: PageCursor | None = None, sort: str = "acceso",
             descending: bool = False, acceso: str | None = None, texto: str = "") -> MemberPage:
        """One window of the member table, sorted and filtered in SQL, continuing after `after`."""
        if sort in BUCKETS:
            return self._bucket_page(entity_id, limit, after, sort, descending, acceso, texto)
        key = _sort_expression(sort)
        if sort in USER_SORTS or texto.strip():
            # Ties broken by the user's id: with an index on the sort column the database can walk
            # users in order and stop after one window.
            tiebreak = User.id if sort in USER_SORTS else Membership.id
            query = self._filtered(select(*MEMBER_COLUMNS, key.label("sort_value"), tiebreak.label("tiebreak"))
                                   .select_from(Membership).join(User), entity_id, acceso, texto)
            query = _after(query, key, tiebreak, after, descending).limit(limit + 1)
        else:
            # Sorting by a membership column: find the window in the narrow memberships table
            # first, then read only those users.
            inner = select(Membership.id.label("mid"), key.label("sort_value")).where(
                Membership.entity_id == entity_id)
            if acceso:
                inner = inner.where(Membership.acceso == acceso)
            window = _after(inner, key, Membership.id, after, descending).limit(limit + 1).subquery()
            query = (select(*MEMBER_COLUMNS, window.c.sort_value, window.c.mid.label("tiebreak"))
                     .select_from(window).join(Membership, Membership.id == window.c.mid).join(User))
            query = query.order_by(*((window.c.sort_value.desc(), window.c.mid.desc()) if descending
                                     else (window.c.sort_value.asc(), window.c.mid.asc())))
        with self.db.session() as s:
            result = s.execute(query).all()
        rows = [MemberRow(*values[:-2]) for values in result[:limit]]
        cursor = PageCursor(result[len(rows) - 1][-2], result[len(rows) - 1][-1]) if rows else None
        return MemberPage(rows, cursor, complete=len(result) <= limit)

    def _bucket_page(self, entity_id: int, limit: int, after: PageCursor | None, sort: str, descending: bool,
                     acceso: str | None, texto: str) -> MemberPage:
        """Columns with a few values (acceso, activo, rol): one query per value, in the column's order.

        Inside one value rows follow the membership id, which the (entity_id, acceso) index already
        keeps in order, so each query stops after the window instead of sorting the whole account.
        """
        buckets = list(enumerate(BUCKETS[sort]))
        if descending:
            buckets.reverse()
        found: list[tuple[int, Any]] = []
        with self.db.session() as s:
            for number, condition in buckets:
                if after is not None and (number < after.sort_value if not descending
                                          else number > after.sort_value):
                    continue  # a value the previous windows already finished
                query = self._filtered(select(*MEMBER_COLUMNS).select_from(Membership).join(User),
                                       entity_id, acceso, texto).where(condition)
                if after is not None and number == after.sort_value:
                    query = query.where(Membership.id < after.tiebreak if descending
                                        else Membership.id > after.tiebreak)
                query = query.order_by(Membership.id.desc() if descending else Membership.id.asc())
                found += [(number, values) for values in s.execute(query.limit(limit + 1 - len(found)))]
                if len(found) > limit:
                    break
        rows = [MemberRow(*values) for _, values in found[:limit]]
        cursor = PageCursor(found[len(rows) - 1][0], rows[-1].membership_id) if rows else None
        return MemberPage(rows, cursor, complete=len(found) <= limit)

    def count(self, entity_id: int, *, acceso: str | None = None, texto: str = "") -> int:
        query = self._filtered(select(func.count()).select_from(Membership).join(User), entity_id, acceso, texto)
        with self.db.session() as s:
            return s.scalar(query) or 0

    def require_any_admin(self, actor_id: int) -> list[tuple[int, str]]:
        """The accounts the user administers; none is a refusal, recorded in every account they belong to."""
        accounts = self.admin_entities(actor_id)
        if accounts:
            return accounts
        with self.db.session() as s:
            actor = s.get_one(User, actor_id)
            entity_ids = list(s.scalars(select(Membership.entity_id).where(Membership.user_id == actor_id))) or [None]
            for entity_id in entity_ids:
                audit.record(s, self.clock(), audit.Actor(actor.id, actor.usuario), "acceso_admin_denegado",
                             "entidad", entity_id, entity_id=entity_id)
        raise PermissionDenied("Solo los administradores de la Entidad pueden abrir la Administración "
                               "de usuarios. Su usuario no es administrador de ninguna cuenta.")

    def audit_log(self, entity_id: int, *, accion: str | None = None, actor: str = "",
                  limit: int = 500) -> list[AuditRow]:
        """Últimas modificaciones of an account, newest first, filtered by action and by who did it."""
        query = select(AuditEntry).where(AuditEntry.entity_id == entity_id)
        if accion:
            query = query.where(AuditEntry.accion == accion)
        if actor.strip():
            query = query.where(func.lower(AuditEntry.actor).like(f"%{actor.strip().lower()}%"))
        with self.db.session() as s:
            entries = list(s.scalars(query.order_by(AuditEntry.id.desc()).limit(limit)))
            ids = {e.objeto_id for e in entries if e.objeto == "membresia" and e.objeto_id is not None}
            names = {mid: nombre for mid, nombre in s.execute(
                select(Membership.id, User.nombre).join(User).where(Membership.id.in_(ids)))} if ids else {}
            return [AuditRow(e.id, e.ocurrido_en, e.actor, e.accion, e.objeto, e.objeto_id, e.antes, e.despues,
                             names.get(e.objeto_id) if e.objeto == "membresia" else None)
                    for e in entries]

    def audit_actions(self, entity_id: int) -> list[str]:
        with self.db.session() as s:
            return sorted(s.scalars(select(AuditEntry.accion).where(AuditEntry.entity_id == entity_id).distinct()))

    def apply(self, actor_id: int, entity_id: int, accion: Accion, membership_ids: Iterable[int],
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
                entity = s.get_one(Entity, entity_id, with_for_update=True)
                actor = self._require_admin(s, actor_id, entity_id, "administrar usuarios")
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
                    audit.record(s, now, audit.Actor(actor.id, actor.usuario), accion.name.lower(), "membresia",
                                 m.id, entity_id=entity_id, antes=before, despues=after)
                    subject, body = MESSAGES[accion]
                    outbox.post(s, now, user, "acceso", subject, body.format(entidad=entity.nombre))
                    changed.append(member_row(m, user))
                if active_admin_count(s, entity_id) == 0:
                    raise ServiceError(LAST_ADMIN)
                return changed
        except ConflictError as exc:
            if exc.message != ConflictError().message:
                raise
            raise ConflictError("Otro administrador cambió esta solicitud al mismo tiempo. "
                                "Se muestran los datos actuales.") from exc

    def create_user(self, actor_id: int, entity_id: int, form: UserRegistration,
                    *, administrador: bool = False) -> MemberRow:
        """Crear usuarios: the new user gets an activation message and access already accepted."""
        with self.db.session() as s:
            actor = self._require_admin(s, actor_id, entity_id, "crear usuarios")
            actor_ref = audit.Actor(actor.id, actor.usuario)
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

    def admin_entities(self, user_id: int) -> list[tuple[int, str]]:
        """Accounts this user administers (for the admin window's account picker)."""
        with self.db.session() as s:
            rows = s.execute(select(Entity.id, Entity.nombre).join(Membership).where(
                Membership.user_id == user_id, Membership.es_administrador.is_(True),
                Membership.acceso == Acceso.ACEPTADO.value, Membership.activo.is_(True)).order_by(Entity.nombre))
            return [(i, n) for i, n in rows]
