"""The NIT's one canonical form: typed variants are one Entity, found by any of them; migration 0005."""

from __future__ import annotations

import inspect
import logging
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from secop_desktop import nit
from secop_desktop.core import validators
from secop_desktop.core.services import Services
from secop_desktop.errors import ValidationError
from secop_desktop.store.database import Database, alembic_config, current_revision
from tests.conftest import active_user, as_actor
from tests.factories import company_form

VARIANTS = ["800111202", "0800111202", "00800111202", "800.111.202", " 800 111 202 ",
            "８００１１１２０２", "٨٠٠١١١٢٠٢", "۸۰۰۱۱۱۲۰۲", "\u200f800111202"]


def who(services: Services, method: Any, user_id: int) -> Any:
    """The first argument the method wants: the signed-in actor (new API) or the user's id (old API)."""
    first = next(iter(inspect.signature(method).parameters))
    return as_actor(services, user_id) if first == "actor" else user_id


@pytest.mark.parametrize("typed", VARIANTS)
def test_every_variant_has_one_canonical_form(typed: str) -> None:
    assert nit.canonical(typed) == "800111202"
    assert validators.check_nit(typed) is None
    assert validators.nit_check_digit(typed) == "1"


def test_dv_after_a_hyphen_is_kept_apart() -> None:
    assert nit.parse("0800.111.202-1") == nit.ParsedNit("800111202", "1")
    assert nit.canonical("800111202-9") == "800111202"
    # The form still asks for the NIT without its DV, as the guide says.
    assert validators.check_nit("800111202-9") == "Escriba el NIT sin el dígito de verificación (sin guion)."


@pytest.mark.parametrize("typed", ["", "abc", "800111202-", "800111202-99", "8001-1-1", "1" * 100, "²³", "\x00"])
def test_what_is_not_a_nit(typed: str) -> None:
    assert nit.canonical(typed) == ""


def test_check_nit_counts_the_canonical_digits() -> None:
    assert validators.check_nit("000000000001234") == "El NIT debe tener entre 5 y 15 dígitos."
    assert validators.check_nit("0000") == "El NIT no puede ser cero."
    assert validators.check_nit("0" * 10 + "800111202") is None


def test_variants_are_one_entity_and_search_finds_it(services: Services) -> None:
    uid = active_user(services)
    record = services.entities.create(who(services, services.entities.create, uid), company_form(nit="0800111202"))
    assert (record.form.nit, record.form.dv) == ("800111202", "1")
    for i, typed in enumerate(VARIANTS[1:]):
        with pytest.raises(ValidationError) as err:
            services.entities.create(who(services, services.entities.create, uid),
                                     company_form(nombre=f"Copia {i}", nit=typed))
        assert "Ya existe una Entidad registrada con este NIT" in err.value.message
    for typed in [*VARIANTS, "800111202-1", "800.111.202-1"]:
        assert [e.id for e in services.entities.search(nit=typed)] == [record.id], typed


def _fill(table: sa.Table, **values: object) -> dict[str, object]:
    """Every NOT NULL column of the table as it is at that revision, with plain values."""
    row: dict[str, object] = {}
    for col in table.columns:
        if col.primary_key or col.nullable:
            continue
        if isinstance(col.type, sa.Boolean):
            row[col.name] = False
        elif isinstance(col.type, sa.Integer):
            row[col.name] = 1
        elif isinstance(col.type, sa.DateTime):
            row[col.name] = datetime(2017, 1, 23, tzinfo=UTC)
        else:
            row[col.name] = "x"
    row.update(values)
    return row


def test_migration_canonicalises_nits_and_reports_clashes(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    db = Database(db_url, run_migrations=False)
    try:
        cfg = alembic_config()
        fresh = current_revision(db.engine) is None
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            # The PostgreSQL test databases are copies of a migrated template: go back to 0003.
            if fresh:
                command.upgrade(cfg, "0003")
            else:
                command.downgrade(cfg, "0003")
        with db.engine.begin() as conn:
            entities = sa.Table("entities", sa.MetaData(), autoload_with=conn)
            rows = sa.Table("financial_rows", sa.MetaData(), autoload_with=conn)
            ids = {}
            for key, value in (("arabic", "٨٠٠١١١٢٠٢"), ("zeros", "00800111202"), ("other", "0900123456"),
                               ("plain", "860000001")):
                ids[key] = conn.execute(entities.insert().values(**_fill(
                    entities, pais="COLOMBIA", nombre=key, nombre_busqueda=key, nit=value, dv="0"))).inserted_primary_key[0]
            conn.execute(rows.insert().values(**_fill(rows, entity_id=ids["plain"], anio=2016, anio_fiscal="2016"),
                                              patrimonio=Decimal("1234567.89"), activo_total=Decimal("-0.5")))
        with caplog.at_level(logging.WARNING, logger="secop_desktop.store.migrations"):
            with db.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        with db.engine.connect() as conn:
            stored = dict(conn.execute(sa.text("SELECT nombre, nit || '-' || dv FROM entities")).all())
            money = conn.execute(sa.text("SELECT patrimonio, activo_total FROM financial_rows")).one()
        assert stored == {"arabic": "800111202-1", "zeros": "00800111202-0", "other": "900123456-8",
                          "plain": "860000001-0"}
        # The clash is named in the log, with both rows, and left for a person to decide.
        assert any(f"La Entidad {ids['zeros']} tiene el NIT «00800111202»" in r.getMessage()
                   and f"Entidad {ids['arabic']}" in r.getMessage() for r in caplog.records)
        assert [str(v) for v in money] == ["1234567.89", "-0.50"]
    finally:
        db.dispose()
    services = Services.open(db_url, None)
    try:
        assert [e.nombre for e in services.entities.search(nit="800111202")] == ["arabic"]
        assert [e.nombre for e in services.entities.search(nit="900.123.456")] == ["other"]
    finally:
        services.close()
