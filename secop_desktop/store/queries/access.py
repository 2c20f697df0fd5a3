"""The Administración de usuarios table: members of an Entidad, filtered, counted and paged in SQL.

Rows come back as tuples in MEMBER_COLUMNS order (core turns them into its MemberRow); sorting and
paging happen in the database, never over rows loaded into memory.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import QueryableAttribute, Session

from secop_desktop.errors import InvalidValue
from secop_desktop.store.models import Membership, User
from secop_desktop.vocab import Acceso

# A sort key or tiebreak: a mapped column or an expression over columns.
SortKey = ColumnElement[Any] | QueryableAttribute[Any]

# The member table's fields, in order (core's MemberRow follows this order).
MEMBER_COLUMNS = (Membership.id, User.id, User.nombre, User.correo, User.creado_en, Membership.acceso,
                  Membership.actualizado_en, Membership.activo, Membership.es_administrador, Membership.es_proveedor,
                  Membership.version, User.usuario, User.estado)

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


def _after(query: Any, key: SortKey, tiebreak: SortKey, after: tuple[Any, int] | None,
           descending: bool) -> Any:
    """Keyset continuation and ordering: rows strictly after the cursor, in (key, tiebreak) order."""
    if after is not None:
        value, last = after
        if descending:
            query = query.where(or_(key < value, and_(key == value, tiebreak < last)))
        else:
            query = query.where(or_(key > value, and_(key == value, tiebreak > last)))
    return query.order_by(*((key.desc(), tiebreak.desc()) if descending else (key.asc(), tiebreak.asc())))


def _sort_expression(key: str) -> SortKey:
    if key == "nombre":
        return func.lower(User.nombre)
    if key == "correo":
        return func.lower(User.correo)
    if key == "fecha_registro":
        return User.creado_en
    if key == "actualizado_en":
        return Membership.actualizado_en
    raise InvalidValue(f"No se puede ordenar por «{key}».")


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


def members(s: Session, entity_id: int, *, acceso: str | None = None, texto: str = "") -> list[tuple[Any, ...]]:
    """Every member of the Entidad (optionally one Acceso and a name/address needle), oldest first."""
    query = select(*MEMBER_COLUMNS).select_from(Membership).join(User).where(Membership.entity_id == entity_id)
    if acceso:
        query = query.where(Membership.acceso == acceso)
    if texto.strip():
        like = f"%{texto.strip().lower()}%"
        query = query.where(func.lower(User.nombre).like(like) | func.lower(User.correo).like(like))
    return [tuple(r) for r in s.execute(query.order_by(Membership.id))]


def acceso_counts(s: Session, entity_id: int) -> dict[str, int]:
    """How many members the Entidad has in each Acceso a la cuenta (states with none are absent)."""
    rows = s.execute(select(Membership.acceso, func.count()).where(Membership.entity_id == entity_id)
                     .group_by(Membership.acceso)).all()
    return {acceso: int(n) for acceso, n in rows}


def member_count(s: Session, entity_id: int, *, acceso: str | None = None, texto: str = "") -> int:
    query = _filtered(select(func.count()).select_from(Membership).join(User), entity_id, acceso, texto)
    return int(s.scalar(query) or 0)


def member_window(s: Session, entity_id: int, *, limit: int, after: tuple[Any, int] | None, sort: str,
                  descending: bool, acceso: str | None, texto: str) -> list[tuple[Any, ...]]:
    """Up to limit + 1 rows after `after` (sort value, tiebreak), each a MEMBER_COLUMNS tuple plus both keys."""
    if sort in BUCKETS:
        return _bucket_window(s, entity_id, limit, after, sort, descending, acceso, texto)
    key = _sort_expression(sort)
    if sort in USER_SORTS or texto.strip():
        # Ties broken by the user's id: with an index on the sort column the database can walk
        # users in order and stop after one window.
        tiebreak = User.id if sort in USER_SORTS else Membership.id
        query = _filtered(select(*MEMBER_COLUMNS, key.label("sort_value"), tiebreak.label("tiebreak"))
                          .select_from(Membership).join(User), entity_id, acceso, texto)
        query = _after(query, key, tiebreak, after, descending).limit(limit + 1)
    else:
        # Sorting by a membership column: find the window in the narrow memberships table
        # first, then read only those users.
        inner = select(Membership.id.label("mid"), key.label("sort_value")).where(Membership.entity_id == entity_id)
        if acceso:
            inner = inner.where(Membership.acceso == acceso)
        window = _after(inner, key, Membership.id, after, descending).limit(limit + 1).subquery()
        query = (select(*MEMBER_COLUMNS, window.c.sort_value, window.c.mid.label("tiebreak"))
                 .select_from(window).join(Membership, Membership.id == window.c.mid).join(User))
        query = query.order_by(*((window.c.sort_value.desc(), window.c.mid.desc()) if descending
                                 else (window.c.sort_value.asc(), window.c.mid.asc())))
    return [tuple(r) for r in s.execute(query).all()]


def _bucket_window(s: Session, entity_id: int, limit: int, after: tuple[Any, int] | None, sort: str,
                   descending: bool, acceso: str | None, texto: str) -> list[tuple[Any, ...]]:
    """Columns with a few values (acceso, activo, rol): one query per value, in the column's order.

    Inside one value rows follow the membership id, which the (entity_id, acceso) index already
    keeps in order, so each query stops after the window instead of sorting the whole account.
    The sort value of a row is the number of its value; the tiebreak its membership id.
    """
    buckets = list(enumerate(BUCKETS[sort]))
    if descending:
        buckets.reverse()
    found: list[tuple[Any, ...]] = []
    for number, condition in buckets:
        if after is not None and (number < after[0] if not descending else number > after[0]):
            continue  # a value the previous windows already finished
        query = _filtered(select(*MEMBER_COLUMNS).select_from(Membership).join(User),
                          entity_id, acceso, texto).where(condition)
        if after is not None and number == after[0]:
            query = query.where(Membership.id < after[1] if descending else Membership.id > after[1])
        query = query.order_by(Membership.id.desc() if descending else Membership.id.asc())
        found += [(*values, number, values[0]) for values in s.execute(query.limit(limit + 1 - len(found)))]
        if len(found) > limit:
            break
    return found
