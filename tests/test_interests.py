"""Áreas de interés: UNSPSC codes per account, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from secop_desktop.core.access import audit
from secop_desktop.core.access.service import Accion
from secop_desktop.core.entities.interests import InterestService, check_codigo, normalize_codigo
from secop_desktop.core.services import Services
from secop_desktop.errors import PermissionDenied, ServiceError, ValidationError
from tests.admin_fixtures import Account, admin_account, requester
from tests.conftest import as_actor


@pytest.fixture
def account(services: Services) -> Account:
    return admin_account(services)


@pytest.fixture
def interests(services: Services) -> InterestService:
    return services.interests


def test_add_activate_deactivate_delete(services: Services, account: Account, interests: InterestService) -> None:
    admin = as_actor(services, account.admin_id)
    area = interests.add(admin, account.entity_id, "43 21 15 00", "  Computadores   personales ")
    assert (area.codigo, area.nombre, area.activo, area.estado) == ("43211500", "Computadores personales", True,
                                                                    "Activo")
    interests.add(admin, account.entity_id, "81112000", "Servicios de datos")
    assert [a.codigo for a in interests.list(admin, account.entity_id)] == ["43211500", "81112000"]
    assert interests.deactivate(admin, account.entity_id, area.id).estado == "Inactivo"
    assert [a.activo for a in interests.list(admin, account.entity_id)] == [False, True]
    assert interests.activate(admin, account.entity_id, area.id).activo
    interests.delete(admin, account.entity_id, area.id)
    assert [a.codigo for a in interests.list(admin, account.entity_id)] == ["81112000"]
    with services.db.session() as s:
        actions = [e.accion for e in audit.entries(s, entity_id=account.entity_id) if e.objeto == "area_interes"]
    assert actions == ["area_interes_borrada", "area_interes_activada", "area_interes_desactivada",
                       "area_interes_agregada", "area_interes_agregada"]


@pytest.mark.parametrize(("codigo", "message"), [
    ("", "Este campo es obligatorio."),
    ("4321150", "El código UNSPSC tiene 8 dígitos, por ejemplo 43211500."),
    ("432115001", "El código UNSPSC tiene 8 dígitos, por ejemplo 43211500."),
    ("4321A500", "El código UNSPSC tiene 8 dígitos, por ejemplo 43211500."),
    ("09211500", "El código UNSPSC empieza por un segmento entre 10 y 95."),
    ("99211500", "El código UNSPSC empieza por un segmento entre 10 y 95."),
])
def test_bad_codes_are_refused_with_their_reason(services: Services, account: Account, interests: InterestService,
                                                 codigo: str, message: str) -> None:
    admin = as_actor(services, account.admin_id)
    with pytest.raises(ValidationError) as caught:
        interests.add(admin, account.entity_id, codigo, "Nombre")
    assert caught.value.by_field() == {"codigo": message}
    assert caught.value.errors[0].label == "Código UNSPSC"
    assert interests.list(admin, account.entity_id) == []


def test_name_is_required_and_codes_are_unique_per_account(services: Services, account: Account,
                                                           interests: InterestService) -> None:
    admin = as_actor(services, account.admin_id)
    with pytest.raises(ValidationError) as caught:
        interests.add(admin, account.entity_id, "43211500", "   ")
    assert caught.value.by_field() == {"nombre": "Este campo es obligatorio."}
    interests.add(admin, account.entity_id, "43211500", "Computadores")
    with pytest.raises(ValidationError, match="ya está en sus áreas de interés"):
        interests.add(admin, account.entity_id, "43.21.15.00", "Otra vez")
    other = admin_account(services, "admin_ut", "UT 2017", "900123456")
    interests.add(as_actor(services, other.admin_id), other.entity_id, "43211500", "Computadores")  # another account may
    assert len(interests.list(as_actor(services, other.admin_id), other.entity_id)) == 1


def test_only_administrators_change_areas(services: Services, account: Account, interests: InterestService) -> None:
    admin = as_actor(services, account.admin_id)
    uid, mid = requester(services, account, "felipe", "Jonathan Felipe Ruiz Fernández")
    services.access.apply(admin, account.entity_id, Accion.ACEPTAR, [mid])
    area = interests.add(admin, account.entity_id, "43211500", "Computadores")
    with pytest.raises(PermissionDenied, match="Solo un administrador"):
        interests.add(as_actor(services, uid), account.entity_id, "81112000", "Servicios")
    with pytest.raises(PermissionDenied):
        interests.deactivate(as_actor(services, uid), account.entity_id, area.id)
    with pytest.raises(PermissionDenied):
        interests.delete(as_actor(services, uid), account.entity_id, area.id)
    assert [(a.codigo, a.activo) for a in interests.list(admin, account.entity_id)] == [("43211500", True)]


def test_an_area_of_another_account_is_not_reachable(services: Services, account: Account,
                                                     interests: InterestService) -> None:
    admin = as_actor(services, account.admin_id)
    other = admin_account(services, "admin_ut", "UT 2017", "900123456")
    theirs = interests.add(as_actor(services, other.admin_id), other.entity_id, "43211500", "Computadores")
    with pytest.raises(PermissionDenied):
        interests.delete(admin, other.entity_id, theirs.id)
    with pytest.raises(ServiceError, match="ya no existe"):
        interests.delete(admin, account.entity_id, theirs.id)
    assert len(interests.list(as_actor(services, other.admin_id), other.entity_id)) == 1


def test_code_helpers() -> None:
    assert normalize_codigo(" 43-21-15-00 ") == "43211500"
    assert check_codigo("43211500") is None
    assert check_codigo("95000000") is None
