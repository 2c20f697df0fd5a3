"""The Escritorio's «Registro sin terminar»: the Lista de verificación and «Ir al primer faltante» (F8)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGroupBox, QListWidget, QPushButton
from pytestqt.qtbot import QtBot

from secop_desktop.core.documents.service import slots
from secop_desktop.core.registration import flow
from secop_desktop.core.registration.flow import RegistrationFlow
from secop_desktop.core.services import Services
from secop_desktop.views.escritorio import BIBLIOTECA, PENDIENTE, Escritorio, open_escritorio
from secop_desktop.wizard.registration_wizard import RegistrationWizard
from tests.admin_fixtures import Account, admin_account, requester
from tests.conftest import as_actor
from tests.factories import company_form
from tests.test_admin_window import Confirmations, by_name

PDF = b"%PDF-1.7\n" + b"documento de prueba " * 64
MANDATORY = [s for s in slots(persona_natural=False, obligado_contabilidad=True) if s.obligatorio]


@pytest.fixture
def escritorio(qtbot: QtBot, sqlite_services: Services) -> Callable[..., Escritorio]:
    def factory(user_id: int, **seams: object) -> Escritorio:
        window = open_escritorio(sqlite_services, as_actor(sqlite_services, user_id), confirm=Confirmations(),
                                 agent="mesa", **seams)
        qtbot.addWidget(window)
        qtbot.waitExposed(window)
        return window
    return factory


def _lines(window: Escritorio) -> list[str]:
    lista = by_name(window, QListWidget, "Lista de verificación")
    return [lista.item(i).text() for i in range(lista.count())]


def test_an_account_missing_documents_shows_its_list_and_f8_opens_the_biblioteca(
        qtbot: QtBot, sqlite_services: Services, tmp_path: Path, escritorio: Callable[..., Escritorio]) -> None:
    account: Account = admin_account(sqlite_services)
    window = escritorio(account.admin_id, file_chooser=lambda: None)
    box = by_name(window, QGroupBox, PENDIENTE)
    assert box.isVisible()
    title = by_name(window, type(window.pending_title), PENDIENTE).text()
    assert title.startswith("H&H Asociados: ") and title.endswith("% completa")
    missing = [line for line in _lines(window) if line.startswith("✗ ")]
    assert [line.splitlines()[0] for line in missing] == [f"✗ {s.nombre}" for s in MANDATORY]

    # F8 anywhere in the window: the Biblioteca de documentos, on the first missing row's «Anexar documento».
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window.focusWidget() or window, Qt.Key.Key_F8)
    assert window.current_page == BIBLIOTECA and not box.isVisible()
    focused = window.focusWidget()
    assert isinstance(focused, QPushButton) and focused.text().replace("&", "") == "Anexar documento"
    assert focused.accessibleDescription() == MANDATORY[0].nombre

    actor = as_actor(sqlite_services, account.admin_id)
    for slot in MANDATORY:
        source = tmp_path / f"{slot.tipo}.pdf"
        source.write_bytes(PDF + slot.tipo.encode())
        sqlite_services.documents.attach(actor, slot.tipo, source, entity_id=account.entity_id)
    window.show_page("Escritorio")
    assert not box.isVisible()  # nothing missing: nothing to finish


def test_a_proveedor_is_not_asked_to_finish_the_accounts_registration(
        sqlite_services: Services, escritorio: Callable[..., Escritorio]) -> None:
    account = admin_account(sqlite_services)
    uid, mid = requester(sqlite_services, account, "felipe", "Felipe Ruiz")
    from secop_desktop.core.access.service import Accion

    sqlite_services.access.apply(as_actor(sqlite_services, account.admin_id), account.entity_id, Accion.ACEPTAR, [mid])
    window = escritorio(uid)
    assert not window.pending.isVisible() and window.checklist.checklist is None


def test_the_users_draft_opens_in_the_wizard_on_the_missing_field(
        qtbot: QtBot, sqlite_services: Services, escritorio: Callable[..., Escritorio]) -> None:
    # A user with a pending request elsewhere (so the Escritorio opens) who left a new Entidad half typed.
    account = admin_account(sqlite_services)
    uid, _ = requester(sqlite_services, account, "leonardo", "Leonardo Neira")
    f = RegistrationFlow(sqlite_services, agent="mesa")
    f.start_signed_in(as_actor(sqlite_services, uid))
    f.set_search("COLOMBIA", "Nueva Empresa", "")
    f.search()
    f.choose_register()
    f.set_entity_form(company_form("Nueva Empresa", "900373913", telefono_oficina=""))
    f.enter(flow.FORMULARIO)
    assert f.save_draft() is not None
    other = RegistrationFlow(sqlite_services, agent="otro_agente")  # another desk's drafts are not shown here
    other.start_signed_in(as_actor(sqlite_services, uid))
    other.save_draft()

    window = escritorio(uid)
    assert by_name(window, QGroupBox, PENDIENTE).isVisible()
    assert window.pending_title.text().startswith("Borrador: Leonardo Neira")
    assert "✗ Contactos\n    Teléfono de oficina: Este campo es obligatorio." in _lines(window)
    by_name(window, QPushButton, "Ir al primer faltante").click()
    wizard = window.findChild(RegistrationWizard)
    assert wizard is not None and wizard.isVisible()
    qtbot.addWidget(wizard)
    assert wizard.currentPage() is wizard.pages[flow.FORMULARIO]
    telefono = wizard.pages[flow.FORMULARIO].form_widget.field_widget("telefono_oficina")
    assert wizard.focusWidget() is telefono
    assert wizard.flow.actor is not None and wizard.flow.actor.user_id == uid  # no second sign-in
