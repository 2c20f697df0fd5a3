"""Money is exact on both backends: the extreme values of NUMERIC(20, 2) come back to the cent."""

from __future__ import annotations

import inspect
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from secop_desktop.core import money
from secop_desktop.core.services import Services
from secop_desktop.errors import ValidationError
from secop_desktop.store import limits
from secop_desktop.store.models import FinancialRow
from tests.conftest import active_user, as_actor
from tests.factories import company_form

MONEY = ("patrimonio", "activo_corriente", "activo_total", "pasivo_corriente", "pasivo_total",
         "utilidad_operacional", "gastos_intereses")
EXTREMES = [Decimal("999999999999999999.99"), Decimal("-999999999999999999.99"), Decimal("9876543210987654.32"),
            Decimal("0.01"), Decimal("-0.01"), Decimal("0.00"), Decimal("123456789012345678.9"),
            Decimal("100000000000000000.01")]


def who(services: Services, method: Any, user_id: int) -> Any:
    first = next(iter(inspect.signature(method).parameters))
    return as_actor(services, user_id) if first == "actor" else user_id


def test_the_limit_comes_from_the_column() -> None:
    assert limits.money_limit("financial_rows", "patrimonio") == (Decimal("999999999999999999.99"), 2)
    assert money.MAX_ABS == Decimal("999999999999999999.99")
    assert money.parse_money("999.999.999.999.999.999,99") == Decimal("999999999999999999.99")
    with pytest.raises(money.MoneyError):
        money.parse_money("1.000.000.000.000.000.000,00")
    with pytest.raises(money.MoneyError):
        money.parse_money("1" * 100_000)


def test_extreme_values_round_trip_through_the_service(services: Services) -> None:
    uid = active_user(services)
    form = company_form()
    form.financials[0].__dict__.update({name: EXTREMES[i] for i, name in enumerate(MONEY)})
    record = services.entities.create(who(services, services.entities.create, uid), form)
    back = services.entities.get(record.id) if "actor" not in inspect.signature(services.entities.get).parameters \
        else services.entities.get(as_actor(services, uid), record.id)
    row = back.form.financials[0]
    assert [getattr(row, name) for name in MONEY] == EXTREMES[:len(MONEY)]
    assert all(str(getattr(row, name)) == str(EXTREMES[i].quantize(Decimal("0.01"))) for i, name in enumerate(MONEY))


@pytest.mark.parametrize("value", EXTREMES)
def test_every_money_column_is_exact(services: Services, value: Decimal) -> None:
    uid = active_user(services)
    record = services.entities.create(who(services, services.entities.create, uid), company_form(financials=[]))
    with services.db.session() as s:
        s.add(FinancialRow(entity_id=record.id, anio=2016, anio_fiscal="2016", **{name: value for name in MONEY}))
    with services.db.session() as s:
        row = s.query(FinancialRow).one()
        assert [getattr(row, name) for name in MONEY] == [value] * len(MONEY)
        # Summing in Python is exact too: no float ever got in between.
        assert sum(getattr(row, name) for name in MONEY) == value * len(MONEY)


def test_sqlite_keeps_the_decimal_text(tmp_path: Any) -> None:
    services = Services.open(f"sqlite:///{tmp_path / 'm.sqlite3'}", tmp_path / "data")
    try:
        uid = active_user(services)
        record = services.entities.create(who(services, services.entities.create, uid), company_form(financials=[]))
        with services.db.session() as s:
            s.add(FinancialRow(entity_id=record.id, anio=2016, anio_fiscal="2016",
                               patrimonio=Decimal("9876543210987654.32")))
        with services.db.session() as s:
            assert s.execute(text("SELECT patrimonio, typeof(patrimonio) FROM financial_rows")).one() == \
                ("9876543210987654.32", "text")
    finally:
        services.close()


@pytest.mark.parametrize("value, message", [
    (Decimal("1000000000000000000.00"), "El valor debe estar entre -999.999.999.999.999.999,99 y 999.999.999.999.999.999,99."),
    (Decimal("-1000000000000000000"), "El valor debe estar entre -999.999.999.999.999.999,99 y 999.999.999.999.999.999,99."),
    (Decimal("0.001"), "Use como máximo 2 decimales."),
    (Decimal("NaN"), "El número está fuera del rango permitido."),
])
def test_money_beyond_the_column_is_refused_in_spanish(services: Services, value: Decimal, message: str) -> None:
    uid = active_user(services)
    form = company_form()
    form.financials[0].patrimonio = value
    with pytest.raises(ValidationError) as err:
        services.entities.create(who(services, services.entities.create, uid), form)
    assert [e.field for e in err.value.errors] == ["financials"]
    assert err.value.errors[0].message == f"2016: Patrimonio: {message}"


def test_sqlite_money_columns_go_back_and_forth(tmp_path: Any) -> None:
    import sqlalchemy as sa
    from alembic import command

    from secop_desktop.store.database import Database, alembic_config
    from tests.test_nit import _fill

    db = Database(f"sqlite:///{tmp_path / 'ida-vuelta.sqlite3'}")
    try:
        cfg = alembic_config()
        with db.engine.begin() as conn:
            entities = sa.Table("entities", sa.MetaData(), autoload_with=conn)
            conn.execute(entities.insert().values(**_fill(entities, id=1, pais="COLOMBIA", nit=None)))
            conn.execute(text("INSERT INTO financial_rows (entity_id, anio, anio_fiscal, patrimonio) "
                              "VALUES (1, 2016, '2016', '1234.50')"))
        for target in ("0003", "head"):
            with db.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                (command.downgrade if target == "0003" else command.upgrade)(cfg, target)
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT patrimonio, typeof(patrimonio) FROM financial_rows")).one() == ("1234.50", "text")
    finally:
        db.dispose()
