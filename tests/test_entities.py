"""Validar si mi entidad ya existe, Registrar Entidad, Solicitud de acceso, Mis registros."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.services import Services
from secop_desktop.errors import ConflictError, PermissionDenied, ServiceError, ValidationError
from secop_desktop.store.models import Entity, Membership
from tests.conftest import FakeClock, active_user, as_actor
from tests.factories import company_form, persona_natural_form


def test_create_company_makes_creator_admin(services: Services) -> None:
    uid = active_user(services)
    record = services.entities.create(as_actor(services, uid), company_form())
    assert record.form.nit == "800111202"
    assert record.form.nombre_abreviado == "HH"  # upper-cased as the guide recommends
    with services.db.session() as s:
        entity = s.get_one(Entity, record.id)
        # DIAN weights 3,7,13,17,19,23,29,37,41 from the right: 419 mod 11 = 1 -> DV 1.
        assert entity.dv == "1"
        assert entity.financials[0].patrimonio == Decimal("1234567.89")
        m = s.scalars(select(Membership)).one()
        assert (m.es_administrador, m.es_proveedor, m.acceso) == (True, False, "Aceptado")
        felicitaciones = next(x for x in outbox.inbox(s, uid) if x.clase == "registro_entidad")
    assert "Felicitaciones Víctor Alfonso Medina" in felicitaciones.cuerpo
    assert "H&H Asociados con el NIT 800111202 creada" in felicitaciones.cuerpo


def test_persona_natural_is_admin_and_proveedor(services: Services) -> None:
    uid = active_user(services)
    record = services.entities.create(as_actor(services, uid), persona_natural_form())
    assert record.persona_natural
    regs = services.entities.my_registrations(as_actor(services, uid))
    assert [(r.es_administrador, r.es_proveedor, r.estado) for r in regs] == [(True, True, "Aceptado")]


def test_entity_form_errors_name_guide_labels(services: Services) -> None:
    uid = active_user(services)
    bad = company_form(nit="80011-1202", codigo_postal="050001", correo_notificaciones="x",
                       municipio_codigo="05001", representante_nombre="", mipyme=None, pagina_web="no es url")
    with pytest.raises(ValidationError) as err:
        services.entities.create(as_actor(services, uid), bad)
    errors = {e.field: (e.label, e.message) for e in err.value.errors}
    assert errors["nit"] == ("NIT", "Escriba el NIT sin el dígito de verificación (sin guion).")
    assert errors["municipio_codigo"][0] == "Municipio"
    assert errors["codigo_postal"][1] == "El código postal de este departamento empieza por 11."
    assert errors["correo_notificaciones"][0] == "Correo electrónico para notificaciones SECOPII"
    assert errors["representante_nombre"][1] == "Este campo es obligatorio."
    assert "mipyme" in errors and "pagina_web" in errors
    with services.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Entity)) == 0


def test_wrong_dv_refused(services: Services) -> None:
    uid = active_user(services)
    with pytest.raises(ValidationError) as err:
        services.entities.create(as_actor(services, uid), company_form(dv="7"))
    assert err.value.by_field() == {"dv": "El dígito de verificación no corresponde al NIT."}


def test_duplicate_nit_is_refused_by_the_database(services: Services) -> None:
    uid = active_user(services)
    services.entities.create(as_actor(services, uid), company_form())
    with pytest.raises(ValidationError, match="Ya existe una Entidad registrada con este NIT"):
        services.entities.create(as_actor(services, uid), company_form(nombre="Otra razón social"))


def test_search_by_name_accents_case_and_nit(services: Services) -> None:
    uid = active_user(services)
    services.entities.create(as_actor(services, uid), company_form("Agencia del Espectro Bogotá", "900123456"))
    services.entities.create(as_actor(services, uid), company_form("H&H Asociados", "800111202"))
    found = services.entities.search(nombre="espectro BOGOTA")
    assert [e.nombre for e in found] == ["Agencia del Espectro Bogotá"]
    assert found[0].linea == "COLOMBIA | Bogotá, D.C. NIT: 900123456"
    assert [e.nit for e in services.entities.search(nit="800.111.202")] == ["800111202"]
    assert services.entities.search(nombre="100%") == []
    assert services.entities.search(nombre="h&h", pais="PERÚ") == []
    assert services.entities.search() == []


def test_request_access_pending_and_admin_notified(services: Services) -> None:
    admin = active_user(services, "admin_hh")
    entity = services.entities.create(as_actor(services, admin), company_form())
    proveedor = active_user(services, "felipe", nombre="Jonathan Felipe Ruiz Fernández")
    reg = services.entities.request_access(as_actor(services, proveedor), entity.id)
    assert reg.estado == "Pendiente" and reg.fecha_aceptacion is None
    with pytest.raises(ServiceError, match="Ya tiene una solicitud pendiente"):
        services.entities.request_access(as_actor(services, proveedor), entity.id)
    with services.db.session() as s:
        notice = next(m for m in outbox.inbox(s, admin) if m.clase == "solicitud_acceso")
    assert "El usuario Jonathan Felipe Ruiz Fernández (felipe@example.com) está solicitando acceso" in notice.cuerpo


def test_update_requires_admin_and_current_version(services: Services) -> None:
    admin = active_user(services, "admin_hh")
    record = services.entities.create(as_actor(services, admin), company_form())
    other = active_user(services, "otro")
    form = record.form
    form.direccion = "Carrera 7 # 26-20"
    with pytest.raises(PermissionDenied):
        services.entities.update(as_actor(services, other), record.id, record.version, form)
    updated = services.entities.update(as_actor(services, admin), record.id, record.version, form)
    assert updated.version == record.version + 1
    with pytest.raises(ConflictError, match="Otro usuario modificó"):
        services.entities.update(as_actor(services, admin), record.id, record.version, form)


def test_my_registrations_dates(services: Services, clock: FakeClock) -> None:
    admin = active_user(services, "admin_hh")
    entity = services.entities.create(as_actor(services, admin), company_form())
    user = active_user(services, "felipe")
    requested_at = clock()
    services.entities.request_access(as_actor(services, user), entity.id)
    reg = services.entities.my_registrations(as_actor(services, user))[0]
    assert (reg.nit, reg.entidad, reg.fecha_solicitud, reg.estado) == ("800111202", "H&H Asociados",
                                                                        requested_at, "Pendiente")
