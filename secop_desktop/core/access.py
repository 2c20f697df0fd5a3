"""Administración de usuarios: aceptar, rechazar, cancelar, revertir, roles, activación."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from secop_desktop.core import audit, outbox
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.entities import active_admin_count, is_admin
from secop_desktop.core.errors import ConflictError, PermissionDenied, ServiceError
from secop_desktop.core.users import UserRegistration, UserService
from secop_desktop.core.vocab import Acceso
from secop_desktop.store.database import Database
from secop_desktop.store.models import Entity, Membership, User

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

    @property
    def rol(self) -> str:
        if self.es_administrador and self.es_proveedor:
            return "Administrador y Proveedor"
        return "Administrador" if self.es_administrador else "Proveedor"


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

    def apply(self, actor_id: int, entity_id: int, accion: Accion, membership_ids: Iterable[int],
              expected_versions: dict[int, int] | None = None) -> list[MemberRow]:
        """Applies one action to several rows atomically: all change, or none and a Spanish reason."""
        now = self.clock()
        ids = list(dict.fromkeys(membership_ids))
        if not ids:
            raise ServiceError("Seleccione por lo menos un usuario.")
        try:
            with self.db.session() as s:
                actor = self._require_admin(s, actor_id, entity_id, "administrar usuarios")
                entity = s.get_one(Entity, entity_id)
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
        except StaleDataError as exc:
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
            return member_row(m, s.get_one(User, info.id))

    def admin_entities(self, user_id: int) -> list[tuple[int, str]]:
        """Accounts this user administers (for the admin window's account picker)."""
        with self.db.session() as s:
            rows = s.execute(select(Entity.id, Entity.nombre).join(Membership).where(
                Membership.user_id == user_id, Membership.es_administrador.is_(True),
                Membership.acceso == Acceso.ACEPTADO.value, Membership.activo.is_(True)).order_by(Entity.nombre))
            return [(i, n) for i, n in rows]
