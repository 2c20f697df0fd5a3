"""¿Su Entidad es alguna de estas?: the flow finds probable duplicates at the search and again before saving,
and goes on past them only when the user declares the Entidad different (written to the audit log)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from secop_desktop.core.access.service import AuditRow
from secop_desktop.core.registration import flow
from secop_desktop.core.registration.flow import RegistrationFlow
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError, ValidationError
from secop_desktop.store.models import AuditEntry, Entity
from secop_desktop.views.audit_view import action_label, describe
from secop_desktop.vocab import CONSORCIO
from tests.conftest import active_user, as_actor
from tests.factories import company_form


def _existing(services: Services, usuario: str, nombre: str, nit: str, **overrides: object) -> int:
    actor = as_actor(services, active_user(services, usuario))
    return services.entities.create(actor, company_form(nombre, nit, **overrides)).id


def _signed_in_flow(services: Services) -> RegistrationFlow:
    f = RegistrationFlow(services, agent="agente")
    f.start_signed_in(as_actor(services, active_user(services, "nuevo", nombre="Nuevo Proveedor")))
    return f


def _declarations(services: Services) -> list[AuditEntry]:
    with services.db.session() as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.accion == "entidad_declarada_diferente")
                              .order_by(AuditEntry.id)))
        s.expunge_all()
        return rows


def test_registering_past_a_probable_duplicate_needs_the_declaration(services: Services) -> None:
    andina = _existing(services, "andina", "Ferretería Andina S.A.S.", "800111202")
    f = _signed_in_flow(services)
    f.set_search("COLOMBIA", "FERRETERIA ANDINA SAS", "")
    f.search()
    assert [d.entidad.id for d in f.duplicates] == [andina] and f.duplicates[0].motivo == "nombre"
    assert f.found()[0].id == andina
    assert "mismo nombre" in flow.duplicate_line(f.duplicates[0])
    with pytest.raises(ServiceError, match="Mi Entidad es diferente de las anteriores"):
        f.choose_register()
    assert not f.registering_entity and _declarations(services) == []

    f.set_different(True)
    assert f.declared_different
    f.set_different(False)
    with pytest.raises(ServiceError):
        f.choose_register()
    f.set_different(True)
    f.choose_register()
    assert f.registering_entity and f.duplicates == [] and f.data["diferentes"] == [andina]
    [entry] = _declarations(services)
    assert entry.actor == "nuevo" and entry.entity_id is None
    assert entry.despues == {"entidad_nueva": "FERRETERIA ANDINA SAS",
                             "diferente_de": "Ferretería Andina S.A.S. (NIT 800111202) de Bogotá, D.C."}
    # Read in the audit view as words, not codes.
    row = AuditRow(entry.id, entry.ocurrido_en, entry.actor, entry.accion, entry.objeto, entry.objeto_id,
                   entry.antes, entry.despues)
    assert action_label(row.accion) == "Declaró su Entidad diferente de las existentes"
    assert describe(row) == ("Entidad que registra: FERRETERIA ANDINA SAS; "
                             "Diferente de: Ferretería Andina S.A.S. (NIT 800111202) de Bogotá, D.C.")
    # The declaration travels with the draft, so a restored registration does not ask again.
    assert f.draft()["diferentes"] == [andina]

    # Searching again shows nothing new to declare: the declared Entidad is not a duplicate any more.
    f.search()
    assert f.duplicates == [] and [e.id for e in f.found()] == [andina]


def test_a_new_search_unticks_the_box(services: Services) -> None:
    _existing(services, "andina", "Ferretería Andina S.A.S.", "800111202")
    _existing(services, "estudiante", "Papelería El Estudiante Ltda.", "830050000")
    f = _signed_in_flow(services)
    f.set_search("COLOMBIA", "Ferreteria Andina", "")
    f.search()
    f.set_different(True)
    f.set_search("COLOMBIA", "Papeleria el Estudiante", "")
    f.search()
    assert not f.declared_different
    with pytest.raises(ServiceError):
        f.choose_register()


def test_an_exact_nit_still_offers_only_the_access_request(services: Services) -> None:
    andina = _existing(services, "andina", "Ferretería Andina S.A.S.", "800111202")
    f = _signed_in_flow(services)
    f.set_search("COLOMBIA", "", "800.111.202")
    f.search()
    assert f.nit_registered() is not None and [d.motivo for d in f.duplicates] == ["nit"]
    f.set_different(True)
    with pytest.raises(ServiceError, match="No puede registrarla"):
        f.choose_register()
    f.choose_entity(andina)
    assert f.request_access().estado == "Pendiente"


def test_the_form_is_checked_again_before_the_entity_is_saved(services: Services) -> None:
    # A Consorcio has no NIT of its own, so only its name tells it apart.
    consorcio = _existing(services, "vias", "Consorcio Vías del Norte", "", tipo_organizacion=CONSORCIO)
    f = _signed_in_flow(services)
    f.set_search("COLOMBIA", "Nueva Empresa de Prueba", "")
    f.search()
    assert f.duplicates == []
    f.choose_register()
    f.accept(flow.BUSCAR_ENTIDAD)
    f.set_entity_type({"tipo_organizacion": CONSORCIO})
    f.accept(flow.TIPO_ENTIDAD)
    # In the form the user typed the name of an Entidad that exists, spelled another way.
    f.set_entity_form(company_form("CONSORCIO VIAS DEL NORTE", "", tipo_organizacion=CONSORCIO))
    with pytest.raises(ValidationError) as refused:
        f.accept(flow.FORMULARIO)
    message = refused.value.by_field()["nombre"]
    assert "Consorcio Vías del Norte" in message and "Mi Entidad es diferente de las anteriores" in message
    assert [d.entidad.id for d in f.duplicates] == [consorcio] and f.entity_id is None

    # A box ticked for other Entities does not cover this one.
    f.data["declara_diferente"] = [consorcio + 1000]
    with pytest.raises(ValidationError):
        f.accept(flow.FORMULARIO)
    f.set_different(True)
    f.accept(flow.FORMULARIO)
    assert f.entity_id is not None and f.duplicates == []
    [entry] = _declarations(services)
    assert entry.despues == {"entidad_nueva": "CONSORCIO VIAS DEL NORTE",
                             "diferente_de": "Consorcio Vías del Norte de Bogotá, D.C."}

    # A second pass over the form (an update) neither finds the Entidad itself nor asks again.
    f.set_entity_form(company_form("CONSORCIO VIAS DEL NORTE", "", tipo_organizacion=CONSORCIO,
                                   telefono_oficina="+57 601 7000000"))
    f.accept(flow.FORMULARIO)
    assert len(_declarations(services)) == 1
    with services.db.session() as s:
        assert len(s.scalars(select(Entity)).all()) == 2


def test_the_same_nit_in_the_form_is_refused_beside_the_nit_not_declared(services: Services) -> None:
    _existing(services, "andina", "Ferretería Andina S.A.S.", "800111202")
    f = _signed_in_flow(services)
    f.set_search("COLOMBIA", "Otra", "")
    f.search()
    f.choose_register()
    f.set_entity_form(company_form("Otra", "800111202"))
    with pytest.raises(ValidationError) as refused:
        f.save_entity()
    assert set(refused.value.by_field()) == {"nit"} and f.duplicates == []


def test_access_can_be_requested_from_the_duplicates_the_form_found(services: Services) -> None:
    andina = _existing(services, "vias", "Consorcio Vías del Norte", "", tipo_organizacion=CONSORCIO)
    f = _signed_in_flow(services)
    f.set_search("COLOMBIA", "Otra", "")
    f.search()
    f.choose_register()
    f.set_entity_form(company_form("Consorcio Vías del Norte", "", tipo_organizacion=CONSORCIO))
    with pytest.raises(ValidationError):
        f.save_entity()
    f.choose_entity(andina)
    assert f.request_access().estado == "Pendiente"
    request = f.access_request()
    assert request is not None and request.entity_id == andina and not f.registering_entity
