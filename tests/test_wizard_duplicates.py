"""¿Su Entidad es alguna de estas? in the wizard, driven by accessible names and keys."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QListWidget, QPushButton, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.registration import flow
from secop_desktop.core.services import Services
from secop_desktop.store.models import AuditEntry, Membership
from secop_desktop.views.qt_app import application
from secop_desktop.vocab import CONSORCIO
from tests.conftest import active_user, as_actor
from tests.factories import company_form
from tests.wizard_fixtures import (
    by_name,
    choose,
    click,
    error_beside,
    field,
    page,
    signed_in_wizard,
    type_in,
    wizard_button,
)


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


def _existing(services: Services, usuario: str, nombre: str, nit: str, **overrides: object) -> int:
    actor = as_actor(services, active_user(services, usuario))
    return services.entities.create(actor, company_form(nombre, nit, **overrides)).id


def _declared(services: Services) -> list[dict]:
    with services.db.session() as s:
        return [e.despues for e in s.scalars(select(AuditEntry).where(
            AuditEntry.accion == "entidad_declarada_diferente"))]


def test_probable_duplicates_are_offered_and_registering_needs_the_declaration(
        qtbot: QtBot, sqlite_services: Services) -> None:
    _existing(sqlite_services, "andina", "Ferretería Andina S.A.S.", "800111202")
    wizard = signed_in_wizard(qtbot, sqlite_services, "nuevo")
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), "FERRETERIA ANDINA SAS")
    qtbot.keyClick(field(wizard, "Nombre de la Entidad"), Qt.Key.Key_Return)  # Enter in the field validates

    results = field(wizard, "Entidades encontradas", QListWidget)
    assert results.count() == 1 and results.item(0).text().endswith("— mismo nombre")
    assert wizard.focusWidget() is results
    assert any(flow.DUPLICATES_TITLE in lbl.text() for lbl in page(wizard).findChildren(QLabel) if lbl.isVisible())
    registrar = field(wizard, "Registrar Entidad", QPushButton)
    different = field(wizard, flow.DIFFERENT, QCheckBox)
    assert not registrar.isEnabled() and not different.isChecked()

    # Keyboard: Tab from the list reaches Solicitud de acceso, then the box; Space ticks it.
    results.setFocus()
    qtbot.keyClick(results, Qt.Key.Key_Tab)
    assert wizard.focusWidget() is field(wizard, "Solicitud de acceso", QPushButton)
    qtbot.keyClick(wizard.focusWidget(), Qt.Key.Key_Tab)
    assert wizard.focusWidget() is different
    qtbot.keyClick(different, Qt.Key.Key_Space)
    assert different.isChecked() and registrar.isEnabled()
    qtbot.keyClick(different, Qt.Key.Key_Tab)
    assert wizard.focusWidget() is registrar
    qtbot.keyClick(registrar, Qt.Key.Key_Space)
    assert wizard.currentPage() is wizard.pages[flow.TIPO_ENTIDAD]
    assert _declared(sqlite_services) == [{"entidad_nueva": "FERRETERIA ANDINA SAS",
                                           "diferente_de": "Ferretería Andina S.A.S. (NIT 800111202) de Bogotá, D.C."}]


def test_enter_on_a_probable_duplicate_requests_access(qtbot: QtBot, sqlite_services: Services) -> None:
    andina = _existing(sqlite_services, "andina", "Ferretería Andina S.A.S.", "800111202")
    wizard = signed_in_wizard(qtbot, sqlite_services, "nuevo")
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), "Ferreteria Andna")
    click(qtbot, field(wizard, "Validar", QPushButton))
    results = field(wizard, "Entidades encontradas", QListWidget)
    assert results.item(0).text().endswith("— nombre parecido")
    qtbot.keyClick(results, Qt.Key.Key_Return)
    assert wizard.flow.access_request() is not None
    assert wizard_button(wizard, "Finalizar").isVisible()
    with sqlite_services.db.session() as s:
        m = s.scalars(select(Membership).where(Membership.entity_id == andina, Membership.es_administrador.is_(False))).one()
        assert m.acceso == "Pendiente"
    assert _declared(sqlite_services) == []


def test_the_form_shows_new_duplicates_and_saving_needs_the_declaration(qtbot: QtBot, sqlite_services: Services) -> None:
    _existing(sqlite_services, "vias", "Consorcio Vías del Norte", "", tipo_organizacion=CONSORCIO)
    wizard = signed_in_wizard(qtbot, sqlite_services, "nuevo")
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), "Nueva Empresa")
    click(qtbot, field(wizard, "Validar", QPushButton))
    click(qtbot, field(wizard, "Registrar Entidad", QPushButton))
    choose(qtbot, field(wizard, "Tipo de organización", QComboBox), CONSORCIO)
    click(qtbot, field(wizard, "Generar formulario", QPushButton))
    form_page = page(wizard)
    assert not form_page.duplicates.isVisibleTo(form_page)  # nothing to show, nothing in the Tab order
    form_page.form_widget.set_form(company_form("CONSORCIO VIAS DEL NORTE", "", tipo_organizacion=CONSORCIO))
    click(qtbot, wizard_button(wizard, "Siguiente"))
    assert wizard.currentPage() is wizard.pages[flow.FORMULARIO]
    assert "Consorcio Vías del Norte" in error_beside(field(wizard, "Nombre de la Entidad"))
    parecidas = field(wizard, "Entidades parecidas", QListWidget)
    assert parecidas.count() == 1 and parecidas.item(0).text().startswith("Consorcio Vías del Norte")
    different = field(wizard, flow.DIFFERENT, QCheckBox)
    different.setFocus()
    qtbot.keyClick(different, Qt.Key.Key_Space)
    click(qtbot, wizard_button(wizard, "Siguiente"))
    assert wizard.currentPage() is wizard.pages[flow.DOCUMENTOS]
    assert [d["diferente_de"] for d in _declared(sqlite_services)] == ["Consorcio Vías del Norte de Bogotá, D.C."]


def test_access_can_be_requested_from_the_form_instead(qtbot: QtBot, sqlite_services: Services) -> None:
    _existing(sqlite_services, "vias", "Consorcio Vías del Norte", "", tipo_organizacion=CONSORCIO)
    wizard = signed_in_wizard(qtbot, sqlite_services, "nuevo")
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), "Nueva Empresa")
    click(qtbot, field(wizard, "Validar", QPushButton))
    click(qtbot, field(wizard, "Registrar Entidad", QPushButton))
    click(qtbot, field(wizard, "Generar formulario", QPushButton))
    page(wizard).form_widget.set_form(company_form("Consorcio Vias del Norte", "", tipo_organizacion=CONSORCIO))
    click(qtbot, wizard_button(wizard, "Siguiente"))
    parecidas = field(wizard, "Entidades parecidas", QListWidget)
    parecidas.setFocus()
    qtbot.keyClick(parecidas, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.pages[flow.BUSCAR_ENTIDAD]
    assert "Pendiente" in by_name(page(wizard), QLabel, "Estado de la solicitud de acceso").text()
    with qtbot.waitSignal(wizard.completed):
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert wizard.flow.finished
