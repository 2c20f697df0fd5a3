"""Validators, dates, money and DIVIPOLA: edges, plus random text that must never crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secop_desktop.core import validators
from secop_desktop.core.accounts.users import validate_registration
from secop_desktop.core.dates import elapsed_words, format_elapsed, format_fecha
from secop_desktop.core.entities.divipola import divipola
from secop_desktop.core.entities.service import validate_entity
from secop_desktop.core.money import MoneyError, format_money, parse_money
from secop_desktop.vocab import ZONA_HORARIA_BOGOTA
from tests.conftest import registration
from tests.factories import company_form

GUIDE_MOMENT = datetime(2017, 1, 23, 20, 41, 30, tzinfo=UTC)  # 03:41:30 PM in Bogotá


def test_guide_date_format_exactly() -> None:
    now = GUIDE_MOMENT + timedelta(days=15, hours=2)
    assert format_elapsed(GUIDE_MOMENT, now) == (
        "15 días de tiempo transcurrido (23/01/2017 03:41:30 PM(UTC-05:00) Bogotá, Lima, Quito)")
    assert format_fecha(GUIDE_MOMENT) == "23/01/2017 03:41:30 PM (UTC-05:00) Bogotá, Lima, Quito"


@pytest.mark.parametrize(("delta", "words"), [
    (timedelta(0), "0 minutos"),
    (timedelta(seconds=59), "0 minutos"),
    (timedelta(minutes=1), "1 minuto"),
    (timedelta(hours=1), "1 hora"),
    (timedelta(hours=19), "19 horas"),
    (timedelta(hours=23, minutes=59), "23 horas"),
    (timedelta(days=1), "1 día"),
    (timedelta(days=29), "29 días"),
    (timedelta(days=30), "1 mes"),
    (timedelta(days=95), "3 meses"),
    (timedelta(days=365), "1 año"),
    (timedelta(days=800), "2 años"),
    (timedelta(days=-3), "0 minutos"),
])
def test_elapsed_edges(delta: timedelta, words: str) -> None:
    assert elapsed_words(GUIDE_MOMENT, GUIDE_MOMENT + delta) == words


def test_morning_and_noon() -> None:
    morning = datetime(2016, 4, 6, 14, 2, 21, tzinfo=UTC)
    assert format_fecha(morning) == "06/04/2016 09:02:21 AM (UTC-05:00) Bogotá, Lima, Quito"
    noon = datetime(2016, 4, 6, 17, 0, 0, tzinfo=UTC)
    assert format_fecha(noon, ZONA_HORARIA_BOGOTA).startswith("06/04/2016 12:00:00 PM")


def test_money_es_co() -> None:
    assert parse_money("1.234.567,89") == Decimal("1234567.89")
    assert parse_money("$ 2.000") == Decimal("2000.00")
    assert parse_money("") is None
    assert format_money(Decimal("1234567.8")) == "1.234.567,80"
    for bad in ("1,2,3", "abc", "1.234,567", "1e400"):
        with pytest.raises(MoneyError):
            parse_money(bad)


def test_divipola_loaded() -> None:
    data = divipola()
    assert len(data.departamentos()) == 33
    assert data.municipio("05001").nombre == "MEDELLÍN"  # type: ignore[union-attr]
    assert data.municipio("11001").nombre == "BOGOTÁ, D.C."  # type: ignore[union-attr]
    assert sum(len(data.municipios(d.codigo)) for d in data.departamentos()) == 1122
    assert all(m.codigo.startswith(m.departamento_codigo) for d in data.departamentos()
               for m in data.municipios(d.codigo))
    assert [m.codigo for m in data.buscar_municipios("medellin")] == ["05001"]


def test_nit_rules() -> None:
    assert validators.nit_check_digit("800111202") == "1"
    assert validators.nit_check_digit("900123456") == "8"
    assert validators.check_nit("800.111.202") is None
    assert validators.check_nit("800111202-1") == "Escriba el NIT sin el dígito de verificación (sin guion)."
    assert validators.check_nit("12") == "El NIT debe tener entre 5 y 15 dígitos."
    assert validators.check_nit("") == "Este campo es obligatorio."


def test_mobile_and_email() -> None:
    assert validators.check_mobile("+57 3102585654") is None
    assert validators.check_mobile("3102585654") is None
    assert validators.check_mobile("6017456788") is not None  # a Bogotá landline is not a mobile
    assert validators.check_email("victorsecop2+22@gmail.com") is None
    assert validators.check_email("victor@") is not None


hostile_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(blacklist_categories=())),
    st.just(""),
    st.just("'; DROP TABLE users; --"),
    st.just("\x00\x1b[31m"),
    st.just("😀" * 500),
    st.text(min_size=1000, max_size=5000),
)


@settings(max_examples=150, deadline=None)
@given(hostile_text)
def test_validators_never_raise(value: str) -> None:
    for check in (validators.check_text, validators.check_email, validators.check_password, validators.check_usuario,
                  validators.check_mobile, validators.check_phone, validators.check_nit, validators.check_url):
        result = check(value)
        assert result is None or (isinstance(result, str) and result)
    assert validators.check_codigo_postal(value, "11") is None or True
    try:
        parse_money(value)
    except MoneyError as exc:
        assert str(exc)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["nombre", "correo", "usuario", "telefono", "respuesta", "nombre_entidad",
                                        "contrasena", "confirmar", "pais", "zona_horaria", "pregunta"]), hostile_text))
def test_registration_validation_never_raises(values: dict[str, str]) -> None:
    errors = validate_registration(registration(**values))
    assert all(e.message and e.label for e in errors)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["nombre", "nombre_abreviado", "nit", "dv", "direccion", "codigo_postal",
                                        "correo_oficina", "telefono_oficina", "fax_oficina", "pagina_web",
                                        "departamento_codigo", "municipio_codigo", "representante_numero_documento",
                                        "banco_numero_cuenta", "link_twitter"]), hostile_text))
def test_entity_validation_never_raises(values: dict[str, str]) -> None:
    errors = validate_entity(company_form(**values))
    assert all(e.message and e.label for e in errors)
