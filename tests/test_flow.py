"""The registration flow without Qt: navigation, draft data without secrets, resume, form round trip."""

from __future__ import annotations

import json
from decimal import Decimal

from secop_desktop.core.accounts.users import UserInfo
from secop_desktop.core.entities.service import EntitySummary
from secop_desktop.core.registration import flow
from secop_desktop.core.registration.flow import RegistrationFlow, form_from_dict, form_to_dict
from secop_desktop.core.services import Services
from tests.conftest import registration
from tests.factories import company_form, persona_natural_form

USER = UserInfo(7, "Víctor Alfonso Medina", "victor_2018", "v@example.com", "activo", "(UTC-05:00) Bogotá, Lima, Quito")


def test_navmap_follows_the_guide() -> None:
    f = RegistrationFlow()
    assert f.current == flow.USUARIO
    assert f.next_of(flow.USUARIO) == flow.CONFIRMAR
    assert f.next_of(flow.CONFIRMAR) == flow.BUSCAR_ENTIDAD
    assert f.next_of(flow.BUSCAR_ENTIDAD) == flow.TIPO_ENTIDAD
    assert [f.next_of(v) for v in (flow.TIPO_ENTIDAD, flow.FORMULARIO, flow.DOCUMENTOS)] == [
        flow.FORMULARIO, flow.DOCUMENTOS, flow.FELICITACIONES]
    assert f.next_of(flow.FELICITACIONES) is None and f.is_last(flow.FELICITACIONES)
    assert not f.is_last(flow.BUSCAR_ENTIDAD)


def test_access_request_ends_the_flow_on_the_search_view() -> None:
    f = RegistrationFlow()
    f.access_requested(EntitySummary(3, "H&H Asociados", "COLOMBIA", "Bogotá", "800111202", "1"), "Pendiente")
    assert f.next_of(flow.BUSCAR_ENTIDAD) is None
    assert f.is_last(flow.BUSCAR_ENTIDAD)
    assert f.data["solicitud"]["linea"] == "COLOMBIA | Bogotá NIT: 800111202"


def test_step_indicator_marks_done_current_pending() -> None:
    f = RegistrationFlow()
    assert f.step_labels(flow.CONFIRMAR) == [("1. Registrar usuario", "hecho"), ("2. Confirmar registro", "actual"),
                                             ("3. Crear o solicitar acceso a una Entidad", "pendiente")]
    assert [s for _, s in f.step_labels(flow.FORMULARIO)] == ["hecho", "hecho", "actual"]


def test_draft_never_holds_secrets_and_is_json() -> None:
    f = RegistrationFlow()
    f.set_registration(registration(respuesta="mi perro Toby"))
    f.data["login_contrasena"] = "otra-clave-1"
    draft = f.draft()
    text = json.dumps(draft, ensure_ascii=False)
    for secret in ("Secop2018x", "mi perro Toby", "otra-clave-1"):
        assert secret not in text
    assert draft["usuario"]["usuario"] == "victor_2018"
    assert f.data["usuario"]["contrasena"] == "Secop2018x"  # still in memory for Continuar


def test_untouched_flow_has_no_input_and_titles_name_the_caller() -> None:
    f = RegistrationFlow()
    assert not f.has_input()
    f.set_registration(registration())
    assert f.has_input()
    f.registered(USER)
    assert f.title() == "Víctor Alfonso Medina (victor_2018) · F&F asociados"


def test_entity_form_round_trips_through_json() -> None:
    form = company_form()
    data = json.loads(json.dumps(form_to_dict(form)))
    back = form_from_dict(data)
    assert back == form
    assert back.financials[0].patrimonio == Decimal("1234567.89")
    assert form_from_dict({"financials": [{"anio": "x"}], "desconocido": 1}).financials == []


def test_restored_draft_resumes_where_it_was_after_signing_in_again() -> None:
    f = RegistrationFlow()
    f.set_registration(registration())
    f.registered(USER)
    f.enter(flow.FORMULARIO)
    restored = RegistrationFlow(f.draft())
    assert restored.resume_view() == flow.CONFIRMAR
    assert restored.next_of(flow.CONFIRMAR) == flow.FORMULARIO
    restored.enter(flow.FORMULARIO)
    assert restored.data["reanudar"] is None
    assert restored.next_of(flow.CONFIRMAR) == flow.BUSCAR_ENTIDAD


def test_unregistered_draft_resumes_on_step_one() -> None:
    f = RegistrationFlow()
    f.set_registration(registration())
    restored = RegistrationFlow(f.draft())
    assert restored.resume_view() == flow.USUARIO
    assert restored.registration().usuario == "victor_2018"
    assert restored.registration().contrasena == ""


def test_register_prefills_from_search_and_persona_natural_is_her_own_representative() -> None:
    f = RegistrationFlow()
    f.set_registration(registration(nombre="Jonathan Felipe Ruiz", nombre_entidad="Jonathan Felipe Ruiz"))
    f.searched("COLOMBIA", "", "1032387714")
    f.choose_register()
    assert f.data["modo"] == "registrar"
    form = f.entity_form()
    assert (form.nombre, form.nit) == ("Jonathan Felipe Ruiz", "1032387714")
    form.tipo_organizacion = persona_natural_form().tipo_organizacion
    f.set_entity_form(form)
    f.generate_form()
    form = f.entity_form()
    assert f.persona_natural
    assert (form.representante_nombre, form.representante_numero_documento) == ("Jonathan Felipe Ruiz", "1032387714")
    assert form.representante_telefono == "+57 3102585654"


def test_the_flow_drives_the_services_without_widgets(services: Services) -> None:
    """The flow's data is enough to register a user and an entity: what the wizard pages do."""
    f = RegistrationFlow()
    f.set_registration(registration())
    info = services.users.register(f.registration())
    f.registered(info)
    assert f.data["confirmado"] is False
    f.set_entity_form(company_form(nombre="F&F asociados", nit="900373913"))
    f.data["user_id"] = info.id
    restored = RegistrationFlow(json.loads(json.dumps(f.draft())))
    assert restored.entity_form() == f.entity_form()
    draft_id = services.drafts.save("agente", None, restored.current, restored.draft(), restored.title())
    loaded = services.drafts.load("agente", draft_id)
    assert loaded is not None and RegistrationFlow(loaded.datos).entity_form() == f.entity_form()
