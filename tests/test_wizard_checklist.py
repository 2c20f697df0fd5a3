"""Lista de verificación beside the wizard: follows the typing, and F8 / Enter jump to what is missing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidget, QProgressBar, QPushButton
from pytestqt.qtbot import QtBot

from secop_desktop.core.registration import flow
from secop_desktop.core.services import Services
from secop_desktop.views.qt_app import application
from secop_desktop.wizard.registration_wizard import CHECKLIST_MS, RegistrationWizard
from tests.factories import company_form
from tests.wizard_fixtures import (
    Chooser,
    attach_all,
    by_name,
    error_beside,
    field,
    page,
    signed_in_wizard,
    to_entity_form,
    type_in,
    wizard_button,
    write_pdfs,
)


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


def _lines(wizard: RegistrationWizard) -> list[str]:
    lista = by_name(wizard, QListWidget, "Lista de verificación")
    return [lista.item(i).text() for i in range(lista.count())]


def _line(wizard: RegistrationWizard, title: str) -> str:
    return next(line for line in _lines(wizard) if line[2:].startswith(title))


def _percent(wizard: RegistrationWizard) -> int:
    return by_name(wizard, QProgressBar, "Porcentaje completo").value()


def _settle(qtbot: QtBot) -> None:
    qtbot.wait(CHECKLIST_MS + 100)


def test_the_list_follows_step_one_and_f8_goes_to_the_first_missing_field(qtbot: QtBot,
                                                                          sqlite_services: Services) -> None:
    wizard = RegistrationWizard(sqlite_services, agent="agente")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    assert _line(wizard, "Registrar usuario").startswith("✗ Registrar usuario\n    Nombre y apellido: ")
    before = _percent(wizard)
    assert 0 < before < 100  # the optional financial part is done from the start

    type_in(qtbot, field(wizard, "Nombre y apellido"), "Víctor Alfonso Medina")
    _settle(qtbot)
    assert "Nombre de la entidad: " in _line(wizard, "Registrar usuario")

    # F8 from anywhere in the window: the first missing field gets the focus and says why.
    field(wizard, "Nombre y apellido").setFocus()
    qtbot.keyClick(wizard.focusWidget(), Qt.Key.Key_F8)
    nombre_entidad = field(wizard, "Nombre de la entidad")
    assert wizard.focusWidget() is nombre_entidad
    assert error_beside(nombre_entidad) == "Este campo es obligatorio."


def test_the_panel_comes_after_the_page_in_the_tab_order(qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = signed_in_wizard(qtbot, sqlite_services)
    to_entity_form(qtbot, wizard, "Sociedad Anónima Abierta colombiana")
    first = field(wizard, "Nombre de la Entidad")
    first.setFocus()
    seen: list[str] = []
    for _ in range(200):
        qtbot.keyClick(wizard.focusWidget(), Qt.Key.Key_Tab)
        name = wizard.focusWidget().accessibleName()
        if name == "Lista de verificación":
            break
        seen.append(name)
    assert seen[0] == "Nombre abreviado"  # no stop of the panel between two form fields
    assert "Teléfono del representante legal" in seen and "Lista de verificación" not in seen


def test_enter_on_a_part_and_f8_jump_across_pages(qtbot: QtBot, sqlite_services: Services, tmp_path) -> None:
    wizard = signed_in_wizard(qtbot, sqlite_services, file_chooser=Chooser(write_pdfs(tmp_path / "docs", 6)))
    to_entity_form(qtbot, wizard, "Sociedad Anónima Abierta colombiana")
    form_widget = page(wizard).form_widget
    form_widget.set_form(company_form("F&F asociados", "900373913", telefono_oficina="",
                                      tipo_organizacion="Sociedad Anónima Abierta colombiana"))
    type_in(qtbot, field(wizard, "Nombre abreviado"), "FF")  # typing is what the list follows
    _settle(qtbot)
    assert _line(wizard, "Contactos") == "✗ Contactos\n    Teléfono de oficina: Este campo es obligatorio."
    assert _line(wizard, "Identificación de la Entidad") == "✓ Identificación de la Entidad"

    # Back on the search page, Enter on «Contactos» goes forward through Siguiente to that field.
    wizard.back()
    wizard.back()
    assert wizard.currentPage() is wizard.pages[flow.BUSCAR_ENTIDAD]
    lista = by_name(wizard, QListWidget, "Lista de verificación")
    lista.setFocus()
    lista.setCurrentRow(next(i for i, line in enumerate(_lines(wizard)) if line.startswith("✗ Contactos")))
    qtbot.keyClick(lista, Qt.Key.Key_Return)
    assert wizard.currentPage() is wizard.pages[flow.FORMULARIO]
    telefono = field(wizard, "Teléfono de oficina")
    assert wizard.focusWidget() is telefono and error_beside(telefono) == "Este campo es obligatorio."

    type_in(qtbot, telefono, "+57 601 7456788")
    _settle(qtbot)
    assert _line(wizard, "Contactos") == "✓ Contactos"
    qtbot.mouseClick(wizard_button(wizard, "Siguiente"), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.pages[flow.DOCUMENTOS]
    # The documents: F8 focuses the first missing row's «Anexar documento»; attaching ticks them off.
    first_document = next(line for line in _lines(wizard) if line.startswith("✗ "))
    qtbot.keyClick(wizard.focusWidget(), Qt.Key.Key_F8)
    focused = wizard.focusWidget()
    assert isinstance(focused, QPushButton) and focused.text().replace("&", "") == "Anexar documento"
    assert first_document.splitlines()[0] == f"✗ {focused.accessibleDescription()}"
    attach_all(qtbot, wizard)
    qtbot.waitUntil(lambda: _percent(wizard) == 100, timeout=5000)
    assert all(line.startswith("✓ ") for line in _lines(wizard))
    assert not by_name(wizard, QPushButton, "Ir al primer faltante").isEnabled()


def test_the_panel_collapses_to_give_the_page_its_width(qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = RegistrationWizard(sqlite_services, agent="agente")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    width = wizard.currentPage().width()
    hide = by_name(wizard, QPushButton, "Ocultar la lista de verificación")
    hide.setFocus()
    qtbot.keyClick(hide, Qt.Key.Key_Space)
    qtbot.wait(50)
    assert not by_name(wizard, QListWidget, "Lista de verificación", visible=False).isVisible()
    show = by_name(wizard, QPushButton, "Mostrar la lista de verificación")
    assert show.text().startswith("Mostrar (") and wizard.currentPage().width() > width
