"""Section VI: a user finds the existing entity by NIT and requests access (Pendiente)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QListWidget, QPushButton, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.registration.drafts import current_agent
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from secop_desktop.store.models import Membership
from secop_desktop.views.qt_app import application
from secop_desktop.wizard.registration_wizard import RegistrationWizard
from tests.conftest import active_user, as_actor
from tests.factories import company_form
from tests.wizard_fixtures import by_name, click, field, type_in, wizard_button


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


def test_find_by_nit_and_request_access(qtbot: QtBot, sqlite_services: Services) -> None:
    admin = active_user(sqlite_services, "admin_hh")
    entity = sqlite_services.entities.create(as_actor(sqlite_services, admin), company_form("H&H Asociados", "800111202"))
    leonardo = active_user(sqlite_services, "leonardo", nombre="Leonardo Neira")
    wizard = RegistrationWizard(sqlite_services, start_user=as_actor(sqlite_services, leonardo))
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)

    field(wizard, "Nombre de la Entidad").clear()
    type_in(qtbot, field(wizard, "NIT"), "800111202")
    click(qtbot, field(wizard, "Validar", QPushButton))
    results = field(wizard, "Entidades encontradas", QListWidget)
    assert [results.item(i).text() for i in range(results.count())] == [
        "H&H Asociados\nCOLOMBIA | Bogotá, D.C. NIT: 800111202"]
    assert "Han sido encontradas en el sistema las siguientes Entidades:" in [
        lbl.text() for lbl in wizard.currentPage().findChildren(QLabel) if lbl.isVisible()]
    assert not wizard.button(QWizard.WizardButton.FinishButton).isVisible()
    # The exact NIT is that very Entidad: no Registrar Entidad, and the page says why.
    assert not by_name(wizard.currentPage(), QPushButton, "Registrar Entidad", visible=False).isVisible()
    assert field(wizard, "Entidad ya registrada", QLabel).text() == (
        "Ya existe una Entidad registrada con el NIT 800111202: H&H Asociados. No puede registrarla de nuevo; "
        "haga clic en «Solicitud de acceso» para pedir acceso a ella.")
    with pytest.raises(ServiceError):
        wizard.flow.choose_register()

    click(qtbot, field(wizard, "Solicitud de acceso", QPushButton))
    estado = field(wizard, "Estado de la solicitud de acceso", QLabel).text()
    assert "Pendiente" in estado and "administrador" in estado
    with qtbot.waitSignal(wizard.completed) as done:
        click(qtbot, wizard_button(wizard, "Finalizar"))
    assert done.args[0].id == leonardo

    with sqlite_services.db.session() as s:
        m = s.scalars(select(Membership).where(Membership.user_id == leonardo)).one()
        assert (m.entity_id, m.acceso, m.es_administrador) == (entity.id, "Pendiente", False)
        assert any(msg.asunto == "Solicitud de acceso" for msg in outbox.inbox(s, admin))
    assert sqlite_services.drafts.list(current_agent()) == []


def test_a_second_request_is_refused_with_its_reason(qtbot: QtBot, sqlite_services: Services) -> None:
    admin = active_user(sqlite_services, "admin_hh")
    entity = sqlite_services.entities.create(as_actor(sqlite_services, admin), company_form("H&H Asociados", "800111202"))
    leonardo = active_user(sqlite_services, "leonardo")
    sqlite_services.entities.request_access(as_actor(sqlite_services, leonardo), entity.id)
    wizard = RegistrationWizard(sqlite_services, start_user=as_actor(sqlite_services, leonardo))
    qtbot.addWidget(wizard)
    wizard.show()
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), "h&h asoc")
    click(qtbot, field(wizard, "Validar", QPushButton))
    click(qtbot, field(wizard, "Solicitud de acceso", QPushButton))
    assert field(wizard, "Error en Solicitud de acceso", QLabel).text() == \
        "Ya tiene una solicitud pendiente para H&H Asociados."
    assert not wizard.button(QWizard.WizardButton.FinishButton).isVisible()


def test_a_near_match_by_name_offers_both_choices(qtbot: QtBot, sqlite_services: Services) -> None:
    admin = active_user(sqlite_services, "admin_hh")
    sqlite_services.entities.create(as_actor(sqlite_services, admin), company_form("H&H Asociados", "800111202"))
    leonardo = active_user(sqlite_services, "leonardo")
    wizard = RegistrationWizard(sqlite_services, start_user=as_actor(sqlite_services, leonardo))
    qtbot.addWidget(wizard)
    wizard.show()
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), "h&h asoc")
    type_in(qtbot, field(wizard, "NIT"), "900373913")  # another NIT: not the same Entidad
    click(qtbot, field(wizard, "Validar", QPushButton))
    assert field(wizard, "Entidades encontradas", QListWidget).count() == 1
    assert field(wizard, "Solicitud de acceso", QPushButton).isVisible()
    assert field(wizard, "Registrar Entidad", QPushButton).isVisible()
    assert not by_name(wizard.currentPage(), QLabel, "Entidad ya registrada", visible=False).isVisible()
