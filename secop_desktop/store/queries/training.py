"""The practice store: what the seed leaves, what the guided exercises look for, a page copy, a fingerprint."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from secop_desktop.store.database import Database
from secop_desktop.store.models import AreaInteres, AuditEntry, Base, Document, Entity, Membership, Message, User


@dataclass(frozen=True)
class Maxima:
    """The highest ids at seed time: rows above them were made by the trainee."""

    usuario: int
    entidad: int
    membresia: int
    auditoria: int


def maxima(s: Session) -> Maxima:
    return Maxima(
        usuario=s.scalar(select(func.max(User.id))) or 0,
        entidad=s.scalar(select(func.max(Entity.id))) or 0,
        membresia=s.scalar(select(func.max(Membership.id))) or 0,
        auditoria=s.scalar(select(func.max(AuditEntry.id))) or 0,
    )


# --- what the seed writes ---------------------------------------------------------------------------


def user(s: Session, user_id: int) -> User:
    return s.get_one(User, user_id)


def organisation_type(s: Session, entity_id: int) -> str:
    return s.get_one(Entity, entity_id).tipo_organizacion


def add_area(s: Session, entity_id: int, codigo: str, nombre: str) -> None:
    s.add(AreaInteres(entity_id=entity_id, codigo=codigo, nombre=nombre, activo=True))


def mark_every_third_message_read(s: Session, after: timedelta) -> None:
    """As in a Buzón in use: some messages already read, `after` their arrival."""
    for m in s.scalars(select(Message).order_by(Message.id)):
        if m.id % 3 == 0:
            m.leido_en = m.creado_en + after


# --- what the exercises look for -------------------------------------------------------------------


def users_after(s: Session, max_usuario: int) -> list[User]:
    return list(s.scalars(select(User).where(User.id > max_usuario)))


def signed_in_since(s: Session, max_auditoria: int, user_ids: list[int]) -> bool:
    """Whether any of the users signed in (an "ingreso" audit entry) after the seed."""
    if not user_ids:
        return False
    return bool(s.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.id > max_auditoria, AuditEntry.accion == "ingreso", AuditEntry.actor_id.in_(user_ids))))


def entities_after(s: Session, max_entidad: int) -> list[Entity]:
    return list(s.scalars(select(Entity).where(Entity.id > max_entidad)))


def document_types(s: Session, entity_id: int) -> set[str]:
    return set(s.scalars(select(Document.tipo).where(Document.entity_id == entity_id)))


def requests_to_seeded_entities(s: Session, max_entidad: int, max_membresia: int, since: datetime
                                ) -> list[Membership]:
    """Solicitudes de acceso to accounts that existed at seed time, made after it."""
    return list(s.scalars(select(Membership).where(
        Membership.entity_id <= max_entidad,
        (Membership.id > max_membresia) | (Membership.fecha_solicitud > since))))


def seeded_admin_ids(s: Session, entity_id: int, max_membresia: int) -> list[int]:
    return list(s.scalars(select(Membership.user_id).where(
        Membership.entity_id == entity_id, Membership.es_administrador.is_(True),
        Membership.id <= max_membresia)))


def memberships(s: Session, ids: tuple[int, ...]) -> list[Membership]:
    if not ids:
        return []
    return list(s.scalars(select(Membership).where(Membership.id.in_(ids))))


# --- the files ---------------------------------------------------------------------------------------


def sqlite_copy(source: Path, dest: Path) -> None:
    """A consistent page copy (SQLite's backup API), safe while the destination has idle connections."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(dest, timeout=10)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def fingerprint(db: Database) -> dict[str, tuple[int, str]]:
    """Row count and a content hash of every table: equal fingerprints mean equal data."""
    result: dict[str, tuple[int, str]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(table.select().order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256()
            for row in rows:
                digest.update(repr(tuple(row)).encode("utf-8"))
            result[table.name] = (len(rows), digest.hexdigest())
        result["alembic_version"] = (1, str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar()))
    return result
