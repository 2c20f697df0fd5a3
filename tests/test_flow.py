"""The registration flow without Qt: navigation, drafts without secrets, and the whole registration
driven through the flow's accept steps against the real services (what the wizard pages do)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.users import UserInfo
from secop_desktop.core.documents.service import slots
from secop_desktop.core.entities.service import EntitySummary
from secop_desktop.core.registration import flow
from secop_desktop.core.registration.flow import RegistrationFlow, form_from_dict, form_to_dict
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError, StoreUnavailable, ValidationError
from secop_desktop.store.models import Draft, Entity, Membership, User
from secop_desktop.vocab import EstadoUsuario
from tests.conftest import active_user, as_actor, registration
from tests.factories import company_form, persona_natural_form

USER = UserInfo(7, "Víctor Alfonso Medina", "victor_2018", "v@example.com", "activo", "(UTC-05:00) Bogotá, Lima, Quito")
PDF = b"%PDF-1.7\n" + b"contenido del documento de prueba " * 64


@pytest.fixture
def sv(sqlite_services: Services) -> Iterator[Services]:
    """For the navigation tests: the flow needs its services, these never reach the database."""
    yield sqlite_services


def activation_code(services: Services, user_id: int) -> str:
    with services.db.session() as s:
        message = next(m for m in outbox.inbox(s, user_id) if m.clase == "activacion")
    return message.cuerpo.split("código de activación: ")[1].split()[0]


# --- navigation and data ------------------------------------------------------------------
def test_navmap_follows_the_guide(sv: Services) -> None:
    f = RegistrationFlow(sv)
    assert f.current == flow.USUARIO
    assert f.next_of(flow.USUARIO) == flow.CONFIRMAR
    assert f.next_of(flow.CONFIRMAR) == flow.BUSCAR_ENTIDAD
    assert f.next_of(flow.BUSCAR_ENTIDAD) == flow.TIPO_ENTIDAD
    assert [f.next_of(v) for v in (flow.TIPO_ENTIDAD, flow.FORMULARIO, flow.DOCUMENTOS)] == [
        flow.FORMULARIO, flow.DOCUMENTOS, flow.FELICITACIONES]
    assert f.next_of(flow.FELICITACIONES) is None and f.is_last(flow.FELICITACIONES)
    assert not f.is_last(flow.BUSCAR_ENTIDAD)


def test_every_view_but_the_last_has_an_accept_step() -> None:
    assert [name for name, view in flow.NAVMAP.items() if view.accept is None] == [flow.FELICITACIONES]


def test_access_request_ends_the_flow_on_the_search_view(sv: Services) -> None:
    f = RegistrationFlow(sv)
    f.access_requested(EntitySummary(3, "H&H Asociados", "COLOMBIA", "Bogotá", "800111202", "1"), "Pendiente")
    assert f.next_of(flow.BUSCAR_ENTIDAD) is None
    assert f.is_last(flow.BUSCAR_ENTIDAD)
    request = f.access_request()
    assert request is not None and request.linea == "COLOMBIA | Bogotá NIT: 800111202"


def test_step_indicator_marks_done_current_pending(sv: Services) -> None:
    f = RegistrationFlow(sv)
    assert f.step_labels(flow.CONFIRMAR) == [("1. Registrar usuario", "hecho"), ("2. Confirmar registro", "actual"),
                                             ("3. Crear o solicitar acceso a una Entidad", "pendiente")]
    assert [s for _, s in flow.step_labels(flow.FORMULARIO)] == ["hecho", "hecho", "actual"]


def test_draft_never_holds_secrets_and_is_json(sv: Services) -> None:
    f = RegistrationFlow(sv)
    f.set_registration(registration(respuesta="mi perro Toby"))
    f.set_credentials("victor_2018", "otra-clave-1")
    f.data["login_contrasena"] = "otra-clave-1"
    draft = f.draft()
    text = json.dumps(draft, ensure_ascii=False)
    for secret in ("Secop2018x", "mi perro Toby", "otra-clave-1"):
        assert secret not in text
    assert draft["usuario"]["usuario"] == "victor_2018"
    assert f.registration().contrasena == "Secop2018x"  # still in memory for Continuar


def test_untouched_flow_has_no_input_and_titles_name_the_caller(sv: Services) -> None:
    f = RegistrationFlow(sv)
    assert not f.has_input()
    assert f.save_draft() is None  # an untouched wizard leaves no draft behind
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


def test_restored_draft_resumes_where_it_was_after_signing_in_again(sv: Services) -> None:
    f = RegistrationFlow(sv)
    f.set_registration(registration())
    f.registered(USER)
    f.enter(flow.FORMULARIO)
    restored = RegistrationFlow(sv, f.draft())
    assert restored.resume_view() == flow.CONFIRMAR
    assert restored.resuming
    assert restored.next_of(flow.CONFIRMAR) == flow.FORMULARIO
    restored.enter(flow.FORMULARIO)
    assert not restored.resuming
    assert restored.next_of(flow.CONFIRMAR) == flow.BUSCAR_ENTIDAD


def test_unregistered_draft_resumes_on_step_one(sv: Services) -> None:
    f = RegistrationFlow(sv)
    f.set_registration(registration())
    restored = RegistrationFlow(sv, f.draft())
    assert restored.resume_view() == flow.USUARIO
    assert restored.registration().usuario == "victor_2018"
    assert restored.registration().contrasena == ""


def test_register_prefills_from_search_and_persona_natural_is_her_own_representative(sv: Services) -> None:
    f = RegistrationFlow(sv)
    f.set_registration(registration(nombre="Jonathan Felipe Ruiz", nombre_entidad="Jonathan Felipe Ruiz"))
    f.searched("COLOMBIA", "", "1032387714")
    f.choose_register()
    assert f.registering_entity
    form = f.entity_form()
    assert (form.nombre, form.nit) == ("Jonathan Felipe Ruiz", "1032387714")
    f.set_entity_type({"tipo_organizacion": persona_natural_form().tipo_organizacion})
    f.accept(flow.TIPO_ENTIDAD)  # Generar formulario
    form = f.entity_form()
    assert f.persona_natural
    assert (form.representante_nombre, form.representante_numero_documento) == ("Jonathan Felipe Ruiz", "1032387714")
    assert form.representante_telefono == "+57 3102585654"


def test_the_search_defaults_to_the_entity_named_at_registration(sv: Services) -> None:
    f = RegistrationFlow(sv)
    f.set_registration(registration(nombre_entidad="F&F asociados"))
    assert f.search_criteria().nombre == "F&F asociados" and not f.search_criteria().validada
    f.set_search("COLOMBIA", "", "")
    with pytest.raises(ValidationError) as refused:
        f.search()
    assert refused.value.by_field() == {"nombre": "Escriba el nombre o el NIT de la Entidad."}
    f.set_search("COLOMBIA", "", "80A")
    with pytest.raises(ValidationError) as refused:
        f.search()
    assert set(refused.value.by_field()) == {"nit"}


# --- the registration through the flow's accept steps -----------------------------------------
def test_the_whole_registration_through_the_flow(services: Services, tmp_path: Path) -> None:
    """register -> confirm -> sign in -> search -> create entity -> documents -> finish, no widgets."""
    f = RegistrationFlow(services, agent="agente")
    f.set_registration(registration())
    f.accept(flow.USUARIO)
    user_id = f.user_id
    assert user_id is not None and not f.is_confirmed
    with services.db.session() as s:
        user = s.get_one(User, user_id)
        assert (user.usuario, user.estado) == ("victor_2018", EstadoUsuario.PENDIENTE)
        draft = s.scalars(select(Draft)).one()
        # Written with the user, in the same unit of work: it already names the user, without secrets.
        assert draft.id == f.draft_id and draft.datos["user_id"] == user_id and draft.paso == flow.CONFIRMAR
        assert "Secop2018x" not in json.dumps(draft.datos)
    assert f.registration().contrasena == "" and f.registration().respuesta == ""  # not kept in memory either

    # Paso 2: a wrong code is refused with its reason; the right one activates; nothing moves on unsigned.
    f.enter(flow.CONFIRMAR)
    f.set_activation_code("ZZZZZZZZ")
    with pytest.raises(ServiceError, match="no es válido"):
        f.confirm()
    f.set_activation_code(activation_code(services, user_id))
    assert f.confirm().estado == "activo" and f.is_confirmed
    with pytest.raises(ServiceError, match="Entre con su usuario"):
        f.accept(flow.CONFIRMAR)
    f.set_credentials("victor_2018", "equivocada-1")
    with pytest.raises(ServiceError, match="incorrectos"):
        f.sign_in()
    assert f.actor is None
    f.set_credentials("victor_2018", "Secop2018x")
    actor = f.sign_in()
    assert (actor.user_id, actor.usuario) == (user_id, "victor_2018") and f.actor == actor
    f.accept(flow.CONFIRMAR)

    # Paso 3: nothing found -> Registrar Entidad -> type -> form -> the Entidad is created on leaving the form.
    f.enter(flow.BUSCAR_ENTIDAD)
    f.set_search("COLOMBIA", "F&F asociados", "")
    assert f.search() == []
    with pytest.raises(ServiceError, match="Seleccione una Entidad"):
        f.accept(flow.BUSCAR_ENTIDAD)
    f.choose_register()
    f.accept(flow.BUSCAR_ENTIDAD)
    assert f.next_of(flow.BUSCAR_ENTIDAD) == flow.TIPO_ENTIDAD
    f.set_entity_type({"tipo_organizacion": "Sociedad Anónima Abierta colombiana"})
    f.accept(flow.TIPO_ENTIDAD)
    bad = company_form("F&F asociados", "900373913")
    bad.correo_oficina = "no es un correo"
    f.set_entity_form(bad)
    with pytest.raises(ValidationError) as refused:
        f.accept(flow.FORMULARIO)
    assert "correo_oficina" in refused.value.by_field()
    assert f.entity_id is None
    f.set_entity_form(company_form("F&F asociados", "900373913"))
    f.accept(flow.FORMULARIO)
    entity_id = f.entity_id
    assert entity_id is not None
    # Back to the form and forward again: the same Entidad is updated, not a second one created.
    f.set_entity_form(company_form("F&F Asociados S.A.S.", "900373913"))
    f.accept(flow.FORMULARIO)
    assert f.entity_id == entity_id

    # Anexar documentos: Finalizar is refused while a mandatory document is missing.
    f.enter(flow.DOCUMENTOS)
    with pytest.raises(ServiceError, match="Faltan documentos obligatorios"):
        f.accept(flow.DOCUMENTOS)
    assert not f.finished
    for slot in slots(persona_natural=False, obligado_contabilidad=True):
        if slot.obligatorio:
            source = tmp_path / f"{slot.tipo}.pdf"
            source.write_bytes(PDF + slot.tipo.encode())
            services.documents.attach(as_actor(services, user_id), slot.tipo, source, entity_id=entity_id)
    f.accept(flow.DOCUMENTOS)
    assert f.finished
    assert "F&F Asociados S.A.S. con el NIT 900373913 creada" in f.congratulations()
    account = f.account()
    assert account is not None and account.id == user_id

    with services.db.session() as s:
        entity = s.get_one(Entity, entity_id)
        assert (entity.nombre, entity.nit, entity.version) == ("F&F Asociados S.A.S.", "900373913", 2)
        m = s.scalars(select(Membership).where(Membership.user_id == user_id)).one()
        assert (m.entity_id, m.es_administrador, m.acceso) == (entity_id, True, "Aceptado")
        assert s.scalars(select(Entity)).all() == [entity]
        assert s.scalars(select(Draft)).all() == []  # a finished registration leaves no draft
    assert f.save_draft() is None


def test_the_request_access_branch_through_the_flow(services: Services) -> None:
    admin = active_user(services, "admin_hh")
    from tests.conftest import as_actor

    entity = services.entities.create(as_actor(services, admin), company_form("H&H Asociados", "800111202"))
    f = RegistrationFlow(services, agent="agente")
    f.set_registration(registration("leonardo", nombre="Leonardo Neira", nombre_entidad="H&H Asociados"))
    f.register()
    user_id = f.user_id
    assert user_id is not None
    f.set_activation_code(activation_code(services, user_id))
    f.confirm()
    f.set_search("COLOMBIA", "", "800.111.202")
    f.set_credentials("leonardo", "Secop2018x")
    with pytest.raises(ServiceError, match="Entre con su usuario"):
        f.request_access()  # not signed in yet
    f.sign_in()
    found = f.search()
    assert [e.id for e in found] == [entity.id]
    f.choose_entity(entity.id)
    registration_row = f.request_access()
    assert registration_row.estado == "Pendiente"
    request = f.access_request()
    assert request is not None and (request.entity_id, request.estado) == (entity.id, "Pendiente")
    assert f.is_last(flow.BUSCAR_ENTIDAD)
    f.accept(flow.BUSCAR_ENTIDAD)  # Finalizar on the search view
    assert f.finished

    with services.db.session() as s:
        m = s.scalars(select(Membership).where(Membership.user_id == user_id)).one()
        assert (m.entity_id, m.acceso, m.es_administrador) == (entity.id, "Pendiente", False)
        assert any(msg.asunto == "Solicitud de acceso" for msg in outbox.inbox(s, admin))
        assert s.scalars(select(Draft)).all() == []
    with pytest.raises(ServiceError, match="Ya tiene una solicitud pendiente"):
        f.request_access()


def test_user_and_draft_are_written_together_or_not_at_all(services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    f = RegistrationFlow(services, agent="agente")
    f.set_registration(registration())

    def broken(*_: object, **__: object) -> int:
        raise StoreUnavailable()

    monkeypatch.setattr(services.drafts, "save_in", broken)
    with pytest.raises(StoreUnavailable):
        f.register()
    assert services.users.is_available("victor_2018")  # the user row was rolled back with the draft
    assert f.user_id is None and f.draft_id is None
    assert services.drafts.list("agente") == []
    monkeypatch.undo()
    f.register()
    assert not services.users.is_available("victor_2018")
    assert [d.id for d in services.drafts.list("agente")] == [f.draft_id]


def test_a_refused_registration_changes_nothing(services: Services) -> None:
    f = RegistrationFlow(services, agent="agente")
    f.set_registration(registration(correo="no-es-correo", acepta_terminos=False))
    with pytest.raises(ValidationError) as refused:
        f.accept(flow.USUARIO)
    assert {"correo", "acepta_terminos"} <= set(refused.value.by_field())
    assert f.user_id is None and f.draft_id is None and services.drafts.list("agente") == []


def test_signing_in_as_somebody_else_is_refused(services: Services) -> None:
    active_user(services, "otra_persona")
    f = RegistrationFlow(services)
    f.set_registration(registration())
    f.register()
    f.set_credentials("otra_persona", "Secop2018x")
    with pytest.raises(ServiceError, match="Entre con el usuario de este registro"):
        f.sign_in()
    assert f.actor is None
    with pytest.raises(ServiceError, match="Entre con su usuario"):
        f.save_entity()


def test_a_signed_in_user_starts_in_the_third_section(services: Services) -> None:
    from tests.conftest import as_actor

    uid = active_user(services, "leonardo", nombre="Leonardo Neira")
    f = RegistrationFlow(services)
    f.start_signed_in(as_actor(services, uid))
    assert f.actor is not None and f.actor.user_id == uid and f.is_confirmed
    assert f.registration().nombre == "Leonardo Neira"
    f.accept(flow.CONFIRMAR)


def test_persona_natural_representative_is_the_person_not_the_name_searched(sv: Services) -> None:
    """The name typed on the search page is the Entidad's; the representante legal is the person herself."""
    f = RegistrationFlow(sv)
    f.set_registration(registration(nombre="Jonathan Felipe Ruiz", nombre_entidad="Ferretería El Tornillo"))
    f.searched("COLOMBIA", "Ferretería El Tornillo", "1032387714")
    f.choose_register()
    f.set_entity_type({"tipo_organizacion": persona_natural_form().tipo_organizacion})
    f.accept(flow.TIPO_ENTIDAD)
    form = f.entity_form()
    assert form.nombre == "Ferretería El Tornillo"
    assert form.representante_nombre == "Jonathan Felipe Ruiz"
