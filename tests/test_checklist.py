"""Lista de verificación over the flow's own data, driven through the flow as the wizard drives it."""

from __future__ import annotations

from pathlib import Path

from secop_desktop.core.documents.service import slots
from secop_desktop.core.entities.service import EntitySummary
from secop_desktop.core.registration import flow
from secop_desktop.core.registration.checklist import NOT_REGISTERED, NOT_SAVED, checklist
from secop_desktop.core.registration.flow import RegistrationFlow
from secop_desktop.core.services import Services
from tests.conftest import as_actor, registration
from tests.factories import company_form, persona_natural_form
from tests.test_flow import PDF, activation_code

MANDATORY = [s.tipo for s in slots(persona_natural=False, obligado_contabilidad=True) if s.obligatorio]


def _state(f: RegistrationFlow, documentos: list[str] | None = None) -> dict[str, bool]:
    return {i.clave: i.hecho for i in checklist(f.data, documentos or []).items}


def test_an_untouched_registration_misses_everything_and_points_at_the_first_field(sqlite_services: Services) -> None:
    f = RegistrationFlow(sqlite_services)
    lista = checklist(f.data)
    assert [i.clave for i in lista.items] == [
        "usuario", "confirmacion", "entidad", "entidad.identificacion", "entidad.general", "entidad.contactos",
        "entidad.financiera", "entidad.representante", *(f"documento.{t}" for t in MANDATORY)]
    first = lista.primer_faltante
    assert first is not None and (first.vista, first.campo) == (flow.USUARIO, "nombre")
    # Bank and financial rows are optional, so that part is done before anything is typed.
    assert [i.clave for i in lista.items if i.hecho] == ["entidad.financiera"]
    assert lista.porcentaje == 100 // len(lista.items) and not lista.completa


def test_the_whole_registration_fills_the_list_part_by_part(sqlite_services: Services, tmp_path: Path) -> None:
    services = sqlite_services
    f = RegistrationFlow(services, agent="agente")
    f.set_registration(registration(correo="no es un correo"))
    first = checklist(f.data).primer_faltante
    assert first is not None and (first.vista, first.campo, first.etiqueta) == (flow.USUARIO, "correo", "Correo electrónico")
    f.set_registration(registration())
    first = checklist(f.data).primer_faltante  # all typed, not yet sent: Continuar is what is missing
    assert first is not None and (first.vista, first.mensaje) == (flow.USUARIO, NOT_REGISTERED)
    f.accept(flow.USUARIO)
    state = _state(f)
    assert state["usuario"] and not state["confirmacion"]
    first = checklist(f.draft()).primer_faltante  # the saved draft gives the same answer
    assert first is not None and first.vista == flow.CONFIRMAR

    user_id = f.user_id
    assert user_id is not None
    f.set_activation_code(activation_code(services, user_id))
    f.confirm()
    f.set_credentials("victor_2018", "Secop2018x")
    f.sign_in()
    assert _state(f)["confirmacion"] and not _state(f)["entidad"]
    first = checklist(f.data).primer_faltante
    assert first is not None and first.vista == flow.BUSCAR_ENTIDAD

    f.set_search("COLOMBIA", "F&F asociados", "")
    f.search()
    f.choose_register()
    f.accept(flow.BUSCAR_ENTIDAD)
    f.accept(flow.TIPO_ENTIDAD)
    assert _state(f)["entidad"]

    partial = company_form("F&F asociados", "900373913", representante_correo="", telefono_oficina="")
    f.set_entity_form(partial)
    lista = checklist(f.data)
    by_key = {i.clave: i for i in lista.items}
    assert by_key["entidad.identificacion"].hecho and by_key["entidad.general"].hecho
    assert [m.campo for m in by_key["entidad.contactos"].faltan] == ["telefono_oficina"]
    assert [m.campo for m in by_key["entidad.representante"].faltan] == ["representante_correo"]
    first = lista.primer_faltante
    assert first is not None and (first.vista, first.campo) == (flow.FORMULARIO, "telefono_oficina")
    # Documents cannot be attached before the Entidad is saved: the list says so.
    documento = by_key[f"documento.{MANDATORY[0]}"]
    assert documento.faltan[0].mensaje == NOT_SAVED and documento.faltan[0].vista == flow.FORMULARIO

    f.set_entity_form(company_form("F&F asociados", "900373913"))
    f.accept(flow.FORMULARIO)
    entity_id = f.entity_id
    assert entity_id is not None
    lista = checklist(f.data)
    assert [i.clave for i in lista.items if not i.hecho] == [f"documento.{t}" for t in MANDATORY]
    first = lista.primer_faltante
    assert first is not None and (first.vista, first.campo) == (flow.DOCUMENTOS, MANDATORY[0])

    actor = as_actor(services, user_id)
    for tipo in MANDATORY[:-1]:
        source = tmp_path / f"{tipo}.pdf"
        source.write_bytes(PDF + tipo.encode())
        services.documents.attach(actor, tipo, source, entity_id=entity_id)
    attached = [d.tipo for d in services.documents.list(actor, entity_id)]
    lista = checklist(f.data, attached)
    assert lista.primer_faltante is not None and lista.primer_faltante.campo == MANDATORY[-1]
    assert lista.porcentaje == (len(lista.items) - 1) * 100 // len(lista.items)
    lista = checklist(f.data, [*attached, MANDATORY[-1]])
    assert lista.completa and lista.porcentaje == 100 and lista.primer_faltante is None
    assert all(line.startswith("✓") for line in lista.lineas()[1:])


def test_an_access_request_has_no_form_and_no_documents(sqlite_services: Services) -> None:
    f = RegistrationFlow(sqlite_services)
    f.set_registration(registration())
    f.data.update(user_id=7, confirmado=True)
    f.access_requested(EntitySummary(3, "H&H Asociados", "COLOMBIA", "Bogotá", "800111202", "1"), "Pendiente")
    lista = checklist(f.data)
    assert [i.clave for i in lista.items] == ["usuario", "confirmacion", "entidad"]
    assert lista.completa and lista.lineas()[0] == "Lista de verificación: 100 % completa"


def test_a_persona_natural_not_keeping_books_is_asked_for_her_own_documents(sqlite_services: Services) -> None:
    f = RegistrationFlow(sqlite_services)
    f.data.update(user_id=7, confirmado=True, modo="registrar", entity_id=5)
    form = persona_natural_form()
    form.obligado_contabilidad = False
    f.set_entity_form(form)
    expected = [f"documento.{s.tipo}" for s in slots(persona_natural=True, obligado_contabilidad=False) if s.obligatorio]
    lista = checklist(f.data)
    assert [i.clave for i in lista.items if i.clave.startswith("documento.")] == expected
    text = "\n".join(lista.lineas())
    assert "✗ " in text and "Anexe este documento." in text
