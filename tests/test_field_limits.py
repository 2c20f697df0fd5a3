"""One source for field limits: what a validator accepts, both databases store; one more is refused in Spanish.

The limits live in the model columns (store.limits reads them). Two walks prove it on SQLite and on
the real PostgreSQL of the test setup:
- every String and Numeric column of every model stores its longest/largest value exactly, and a
  character/cent more is refused before any SQL with a Spanish message naming the column;
- every free-text field of the forms accepts exactly up to its column's limit through the real
  services, and refuses one character more with a Spanish message on that field.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import JSON, BigInteger, Boolean, DateTime, Integer, Numeric, String, Text, select
from sqlalchemy.orm import Session

from secop_desktop.core import validators
from secop_desktop.core.entities.service import EntityForm
from secop_desktop.core.services import Services
from secop_desktop.errors import ValidationError
from secop_desktop.store import limits
from secop_desktop.store.database import Database
from secop_desktop.store.models import Base
from tests.conftest import active_user, as_actor, registration
from tests.factories import company_form

NOW = datetime(2017, 1, 23, 20, 41, 30, tzinfo=UTC)
# A two-byte character: PostgreSQL's VARCHAR(n) counts characters, and so must the limits.
WIDE = "ñ"


def _base(type_: Any) -> Any:
    return getattr(type_, "impl_instance", type_)


def _sized_columns() -> list[tuple[str, str]]:
    found = []
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            base = _base(col.type)
            if (isinstance(base, String) and base.length is not None) or isinstance(base, Numeric):
                found.append((table.name, col.name))
    return found


def _plain_row(table_name: str, parents: dict[str, int], tag: str) -> dict[str, Any]:
    """A storable row: every column with a plain value of its type, foreign keys to the parent rows."""
    table = Base.metadata.tables[table_name]
    values: dict[str, Any] = {}
    for col in table.columns:
        if col.primary_key and isinstance(_base(col.type), Integer):
            continue
        fks = list(col.foreign_keys)
        base = _base(col.type)
        if fks:
            values[col.name] = parents[fks[0].column.table.name]
        elif isinstance(base, Boolean):
            values[col.name] = False
        elif isinstance(base, Integer | BigInteger):
            values[col.name] = 1
        elif isinstance(base, DateTime):
            values[col.name] = NOW
        elif isinstance(base, JSON):
            values[col.name] = {}
        elif isinstance(base, Numeric):
            values[col.name] = Decimal("1.00")
        elif isinstance(base, String | Text):
            length = getattr(base, "length", None) or 100
            values[col.name] = tag[:length]
    return values


def _model(table_name: str) -> Any:
    return next(m.class_ for m in Base.registry.mappers if m.local_table.name == table_name)


def _parents(db: Database) -> dict[str, int]:
    ids: dict[str, int] = {}
    with Session(db.engine) as s, s.begin():
        for name in ("users", "entities", "drafts"):
            obj = _model(name)(**_plain_row(name, ids, "p"))
            s.add(obj)
            s.flush()
            ids[name] = obj.id
    return ids


def _biggest(table: str, column: str) -> tuple[Any, Any, str]:
    """(the longest/largest storable value, one more, the Spanish refusal of one more)."""
    base = _base(limits.column(table, column).type)
    if isinstance(base, Numeric):
        top, scale = limits.money_limit(table, column)
        return top, top + Decimal(1).scaleb(-scale), limits.money_too_large(top)
    n = limits.max_length(table, column)
    return WIDE * n, WIDE * (n + 1), f"Escriba como máximo {n} caracteres."


def test_every_sized_column_is_walked() -> None:
    walked = _sized_columns()
    assert ("users", "nombre") in walked and ("financial_rows", "patrimonio") in walked
    assert ("entities", "banco_numero_cuenta") in walked and ("financial_rows", "anio_fiscal") in walked
    assert len(walked) >= 75


def test_every_column_stores_its_limit_and_refuses_one_more(db_url: str) -> None:
    db = Database(db_url)
    try:
        parents = _parents(db)
        for table, column in _sized_columns():
            biggest, too_big, message = _biggest(table, column)
            model = _model(table)
            for value in (biggest, -biggest) if isinstance(biggest, Decimal) else (biggest,):
                with Session(db.engine) as s:
                    s.begin()
                    row = model(**{**_plain_row(table, parents, "x"), column: value})
                    s.add(row)
                    s.flush()
                    key = limits.column(table, column).table.primary_key.columns.values()[0]
                    pk = getattr(row, key.name)
                    s.expire_all()
                    stored = s.scalar(select(getattr(model, column)).where(getattr(model, key.name) == pk))
                    assert stored == value, (table, column)
                    s.rollback()
            with Session(db.engine) as s:
                s.begin()
                s.add(model(**{**_plain_row(table, parents, "x"), column: too_big}))
                with pytest.raises(ValidationError) as err:
                    s.flush()
                assert [(e.field, e.message) for e in err.value.errors] == [(column, message)], (table, column)
                s.rollback()
    finally:
        db.dispose()


def test_unstorable_characters_are_refused_in_spanish(db_url: str) -> None:
    db = Database(db_url)
    try:
        parents = _parents(db)
        for bad in ("a\x00b", "a\ud800b"):
            with Session(db.engine) as s:
                s.begin()
                s.add(_model("drafts")(**{**_plain_row("drafts", parents, "x"), "titulo": bad}))
                with pytest.raises(ValidationError) as err:
                    s.flush()
                assert err.value.errors[0].message == "El texto contiene caracteres no permitidos."
                s.rollback()
    finally:
        db.dispose()


# --- the forms: the longest value each validator accepts is the column's limit -------------------

def _who(services: Services, method: Any, user_id: int) -> Any:
    first = next(iter(inspect.signature(method).parameters))
    return as_actor(services, user_id) if first == "actor" else user_id


def _url(n: int) -> str:
    head = "https://www.empresa.com.co/"
    return head + "a" * (n - len(head))


# field -> (column, value of n characters the field's rules accept)
ENTITY_TEXT: dict[str, tuple[str, Callable[[int], str]]] = {
    "nombre": ("nombre", lambda n: "Ñ" + "a" * (n - 1)),
    "nombre_abreviado": ("nombre_abreviado", lambda n: "A" * n),
    "direccion": ("direccion", lambda n: "Calle " + "9" * (n - 6)),
    "banco_nombre": ("banco_nombre", lambda n: "Banco " + "ñ" * (n - 6)),
    "banco_numero_cuenta": ("banco_numero_cuenta", lambda n: "1" * n),
    "representante_nombre": ("representante_nombre", lambda n: "Ana " + "á" * (n - 4)),
    "pagina_web": ("pagina_web", _url),
    "link_facebook": ("link_facebook", _url),
}


@pytest.mark.parametrize("field", sorted(ENTITY_TEXT))
def test_entity_fields_accept_exactly_their_column(services: Services, field: str) -> None:
    column, make = ENTITY_TEXT[field]
    n = validators.field_max("entities", column)
    uid = active_user(services)
    create = services.entities.create
    record = create(_who(services, create, uid), company_form(**{field: make(n)}))
    assert len(getattr(record.form, field)) == n
    with pytest.raises(ValidationError) as err:
        create(_who(services, create, uid), company_form(**{"nombre": "Otra", "nit": "900123456", field: make(n + 1)}))
    messages = err.value.by_field()
    assert list(messages) == [field]
    assert messages[field] in (f"Escriba como máximo {n} caracteres.",
                               "Escriba una dirección web válida, por ejemplo https://www.empresa.com.co.")


def test_representante_documento_is_stricter_than_its_column(services: Services) -> None:
    # The rule (20 characters) is below the column (30): what it accepts is stored.
    assert validators.field_max("entities", "representante_numero_documento") >= 20
    uid = active_user(services)
    record = services.entities.create(_who(services, services.entities.create, uid),
                                      company_form(representante_numero_documento="9" * 20))
    assert record.form.representante_numero_documento == "9" * 20


def test_financial_year_text_and_money_accept_exactly_their_column(services: Services) -> None:
    uid = active_user(services)
    n = validators.field_max("financial_rows", "anio_fiscal")
    top, _ = limits.money_limit("financial_rows", "activo_total")
    form = company_form()
    form.financials[0].anio_fiscal = "2" * n
    form.financials[0].activo_total = top
    record = services.entities.create(_who(services, services.entities.create, uid), form)
    assert (record.form.financials[0].anio_fiscal, record.form.financials[0].activo_total) == ("2" * n, top)
    form = company_form(nombre="Otra", nit="900123456")
    form.financials[0].anio_fiscal = "2" * (n + 1)
    with pytest.raises(ValidationError) as err:
        services.entities.create(_who(services, services.entities.create, uid), form)
    assert err.value.by_field() == {"financials": f"2016: Año fiscal: Escriba como máximo {n} caracteres."}


@pytest.mark.parametrize("field", ["nombre", "nombre_entidad"])
def test_user_fields_accept_exactly_their_column(services: Services, field: str) -> None:
    n = validators.field_max("users", field)
    info = services.users.register(registration("limite_1", **{field: "Víctor " + "ñ" * (n - 7)}))
    with services.db.session() as s:
        stored = s.scalar(select(limits.column("users", field)).where(limits.column("users", "id") == info.id))
    assert stored is not None and len(stored) == n
    with pytest.raises(ValidationError) as err:
        services.users.register(registration("limite_2", **{field: "Víctor " + "ñ" * (n - 6)}))
    assert err.value.by_field() == {field: f"Escriba como máximo {n} caracteres."}


def test_form_defaults_fit_their_columns() -> None:
    form = EntityForm()
    assert validators.check_columns("entities", vars(form), {}) == []
