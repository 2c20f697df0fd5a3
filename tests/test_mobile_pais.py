"""The mobile number is read for the País the user chose, as the guide's form implies."""

from __future__ import annotations

import pytest

from secop_desktop.core import validators
from secop_desktop.core.accounts.users import validate_registration
from secop_desktop.vocab import PAISES
from tests.conftest import registration


def test_every_pais_of_the_app_has_its_region() -> None:
    assert {p: validators.region_of(p) for p in PAISES if validators.region_of(p) is None} == {}
    assert validators.region_of("ESPAÑA") == "ES" and validators.region_of("REINO UNIDO") == "GB"


@pytest.mark.parametrize("mobile", ["3102585654", "310 258 5654", "+57 310 2585654", "+573102585654"])
def test_colombia_takes_a_colombian_mobile_with_or_without_57(mobile: str) -> None:
    assert validators.check_mobile(mobile, "COLOMBIA") is None


@pytest.mark.parametrize("mobile", ["6017456788", "+34 612 345 678", "+1 202 555 0143", "12345"])
def test_colombia_refuses_landlines_and_foreign_numbers(mobile: str) -> None:
    message = validators.check_mobile(mobile, "COLOMBIA")
    assert message is not None and "Colombia" in message


@pytest.mark.parametrize(("pais", "mobile"), [
    ("ESPAÑA", "612 345 678"), ("ESPAÑA", "+34 612345678"), ("ESTADOS UNIDOS", "(202) 555-0143"),
    ("MÉXICO", "+52 55 1234 5678"), ("REINO UNIDO", "07400 123456"), ("ARGENTINA", "+54 9 11 2345 6789"),
])
def test_a_foreign_pais_takes_a_number_of_that_country(pais: str, mobile: str) -> None:
    assert validators.check_mobile(mobile, pais) is None


def test_a_foreign_pais_refuses_a_colombian_mobile_and_names_the_country() -> None:
    # Before, any valid number in the world (here a Colombian one) passed for a user from Spain.
    assert validators.check_mobile("+57 310 2585654", "ESPAÑA") == (
        "Escriba un número de celular válido de España, con o sin su indicativo +34.")
    assert "Perú" in (validators.check_mobile("3102585654", "PERÚ") or "")


def test_a_pais_without_region_takes_any_valid_international_number() -> None:
    assert validators.check_mobile("+34 612 345 678", "ATLÁNTIDA") is None
    assert validators.check_mobile("612 345 678", "ATLÁNTIDA") == validators.INTERNATIONAL


def test_the_registration_checks_the_mobile_for_its_pais() -> None:
    spain = registration(pais="ESPAÑA", telefono="+57 310 2585654")
    assert [e.message for e in validate_registration(spain) if e.field == "telefono"] == [
        "Escriba un número de celular válido de España, con o sin su indicativo +34."]
    assert not [e for e in validate_registration(registration(pais="ESPAÑA", telefono="612 345 678"))
                if e.field == "telefono"]
    assert validators.format_phone("612 345 678", "ESPAÑA") == "+34 612 34 56 78"
