"""services.entities.probable_duplicates: store candidates by NIT and name words, ranked by the duplicate check."""

from __future__ import annotations

import pytest

from secop_desktop.core.identity import STARTUP
from secop_desktop.core.services import Services
from secop_desktop.errors import InvalidValue, PermissionDenied
from tests.conftest import active_user, as_actor
from tests.factories import company_form


def _register(services: Services, usuario: str, nombre: str, nit: str, municipio: str = "11001") -> int:
    actor = as_actor(services, active_user(services, usuario))
    departamento = municipio[:2]
    return services.entities.create(actor, company_form(nombre, nit, municipio_codigo=municipio, departamento_codigo=departamento,
                                                        codigo_postal=departamento + "0001")).id


@pytest.fixture
def stocked(services: Services) -> tuple[Services, dict[str, int]]:
    ids = {
        "andina": _register(services, "andina_1", "Ferretería Andina S.A.S.", "800111202"),
        "andina_medellin": _register(services, "andina_2", "Ferretería Andina S.A.S.", "811000001", "05001"),
        "andina_al_reves": _register(services, "andina_3", "Andina Ferretería S.A.S.", "900123456"),
        "otra": _register(services, "otra_1", "Papelería El Estudiante Ltda.", "830050000"),
    }
    return services, ids


def _ids(found: list) -> list[int]:
    return [d.entidad.id for d in found]


def test_the_same_supplier_written_differently_is_found(stocked: tuple[Services, dict[str, int]]) -> None:
    services, ids = stocked
    me = as_actor(services, active_user(services, "nuevo"))
    for nombre in ("FERRETERIA ANDINA SAS", "Ferreteria Andina S. A. S.", "Ferretería Andina Sociedad por Acciones Simplificada",
                   "Ferreteria Andna SAS"):
        found = services.entities.probable_duplicates(me, nombre, ciudad="Bogotá")
        assert _ids(found) == [ids["andina"]], nombre
    exact = services.entities.probable_duplicates(me, "Ferretería Andina S.A.S.", ciudad="Bogotá")
    assert exact[0].motivo == "nombre" and exact[0].score == 1.0


def test_without_a_city_both_branches_are_candidates_but_not_the_reversed_name(
        stocked: tuple[Services, dict[str, int]]) -> None:
    services, ids = stocked
    me = as_actor(services, active_user(services, "nuevo"))
    found = services.entities.probable_duplicates(me, "Ferretería Andina")
    assert sorted(_ids(found)) == sorted([ids["andina"], ids["andina_medellin"]])


def test_the_same_nit_in_any_spelling_is_found_whatever_the_name(stocked: tuple[Services, dict[str, int]]) -> None:
    services, ids = stocked
    me = as_actor(services, active_user(services, "nuevo"))
    found = services.entities.probable_duplicates(me, "Un nombre distinto", "0800.111.202-9")
    assert _ids(found) == [ids["andina"]] and found[0].motivo == "nit"


def test_a_form_brings_its_name_nit_and_city(stocked: tuple[Services, dict[str, int]]) -> None:
    services, ids = stocked
    me = as_actor(services, active_user(services, "nuevo"))
    form = company_form("FERRETERIA ANDINA LTDA", "", municipio_codigo="05001", departamento_codigo="05")
    assert _ids(services.entities.probable_duplicates(me, form)) == [ids["andina_medellin"]]
    assert services.entities.probable_duplicates(me, company_form("Constructora Bolívar", "901000009")) == []


def test_only_an_active_signed_in_user_may_look(stocked: tuple[Services, dict[str, int]]) -> None:
    services, _ = stocked
    with pytest.raises(PermissionDenied):
        services.entities.probable_duplicates(STARTUP, "Ferretería Andina")
    me = as_actor(services, active_user(services, "nuevo"))
    with pytest.raises(InvalidValue):
        services.entities.probable_duplicates(me, "Ferretería\x00Andina")
    assert services.entities.probable_duplicates(me, "") == []
