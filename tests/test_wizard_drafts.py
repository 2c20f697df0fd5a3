"""Drafts survive a crash: saved within a second of typing, restored fully, never with passwords."""

from __future__ import annotations

import json

import pytest
import shiboken6
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QListWidget, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from secop_desktop.core.registration import flow
from secop_desktop.core.registration.drafts import current_agent
from secop_desktop.core.services import Services
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from tests.wizard_fixtures import (
    PASSWORD,
    by_name,
    choose,
    click,
    field,
    page,
    signed_in_wizard,
    to_entity_form,
    type_in,
)


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


def crash(*widgets: object) -> None:
    """What a kill leaves behind: the C++ objects are gone; no close, reject or save ran."""
    for widget in widgets:
        shiboken6.delete(widget)


def saved_data(services: Services) -> dict:
    drafts = services.drafts.list(current_agent())
    assert len(drafts) == 1
    return drafts[0].datos


def new_start_window(qtbot: QtBot, services: Services, *, crashes: bool = False) -> StartWindow:
    window = StartWindow(services, ask=lambda _: True)
    if not crashes:  # a window this test destroys by hand is not closed again at teardown
        qtbot.addWidget(window)
    window.show()
    return window


def test_step1_draft_restored_after_a_crash(qtbot: QtBot, sqlite_services: Services) -> None:
    window = new_start_window(qtbot, sqlite_services, crashes=True)
    assert not window.pendientes_box.isVisible()
    click(qtbot, by_name(window, QPushButton, "Registrarse"))
    wizard = window.wizards[-1]
    type_in(qtbot, field(wizard, "Nombre y apellido"), "Víctor Alfonso")
    choose(qtbot, field(wizard, "País", QComboBox), "ESPAÑA")
    type_in(qtbot, field(wizard, "Correo electrónico"), "victor@example.com")
    type_in(qtbot, field(wizard, "Elige tu usuario"), "victor_2018")
    type_in(qtbot, field(wizard, "Contraseña"), PASSWORD)
    type_in(qtbot, field(wizard, "Confirmar contraseña"), PASSWORD)
    choose(qtbot, field(wizard, "Pregunta de seguridad", QComboBox), "¿Cuál es su comida favorita?")
    type_in(qtbot, field(wizard, "Respuesta de seguridad"), "ajiaco")
    choose(qtbot, field(wizard, "Zona horaria", QComboBox), "(UTC-03:00) Buenos Aires")
    click(qtbot, field(wizard, "Acepto los términos y condiciones de uso", QAbstractButton))
    type_in(qtbot, field(wizard, "Nombre de la entidad"), "F&F asociados")
    # Within a second of the last keystroke the draft holds it.
    qtbot.waitUntil(lambda: bool(sqlite_services.drafts.list(current_agent())) and
                    saved_data(sqlite_services)["usuario"]["nombre_entidad"] == "F&F asociados", timeout=5000)
    crash(wizard, window)

    stored = json.dumps(saved_data(sqlite_services), ensure_ascii=False)
    assert PASSWORD not in stored and "ajiaco" not in stored

    window = new_start_window(qtbot, sqlite_services)
    pendientes = by_name(window, QListWidget, "Registros pendientes")
    assert pendientes.count() == 1
    assert pendientes.item(0).text().startswith("Víctor Alfonso · F&F asociados\nRegistrar usuario")
    assert pendientes.item(0).text().endswith("· guardado hace un momento")  # never «hace 0 minutos»
    click(qtbot, by_name(window, QPushButton, "Continuar registro pendiente"))
    wizard = window.wizards[-1]
    assert wizard.currentPage() is wizard.pages[flow.USUARIO]
    assert field(wizard, "Nombre y apellido").text() == "Víctor Alfonso"
    assert field(wizard, "País", QComboBox).currentText() == "ESPAÑA"
    assert field(wizard, "Elige tu usuario").text() == "victor_2018"
    assert field(wizard, "Pregunta de seguridad", QComboBox).currentText() == "¿Cuál es su comida favorita?"
    assert field(wizard, "Zona horaria", QComboBox).currentText() == "(UTC-03:00) Buenos Aires"
    assert field(wizard, "Acepto los términos y condiciones de uso", QAbstractButton).isChecked()
    assert field(wizard, "Contraseña").text() == "" and field(wizard, "Respuesta de seguridad").text() == ""
    assert not by_name(window, QListWidget, "Registros pendientes", visible=False).isVisible()  # it is open


def test_form_draft_restored_at_its_step_after_signing_in(qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = signed_in_wizard(qtbot, sqlite_services, track=False)
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), "F&F asociados")
    to_entity_form(qtbot, wizard, "Sociedad de responsabilidad limitada (Ltda.)")
    type_in(qtbot, field(wizard, "Nombre abreviado"), "fyf")
    type_in(qtbot, field(wizard, "NIT"), "900373913")
    click(qtbot, field(wizard, "Mipyme: No", QAbstractButton))
    choose(qtbot, field(wizard, "Departamento", QComboBox), "Antioquia")
    choose(qtbot, field(wizard, "Municipio", QComboBox), "Envigado")
    click(qtbot, field(wizard, "Agregar", QPushButton))
    field(wizard, "Información financiera", QTableWidget).item(0, 2).setText("1.500.000,50")
    type_in(qtbot, field(wizard, "Dirección"), "Calle 10 # 43-20")
    qtbot.waitUntil(lambda: saved_data(sqlite_services)["entidad"]["direccion"] == "Calle 10 # 43-20",
                    timeout=5000)
    assert saved_data(sqlite_services)["paso"] == flow.FORMULARIO
    crash(wizard)

    window = new_start_window(qtbot, sqlite_services)
    click(qtbot, by_name(window, QPushButton, "Continuar registro pendiente"))
    wizard = window.wizards[-1]
    assert wizard.currentPage() is wizard.pages[flow.CONFIRMAR]
    assert "Este registro quedó pendiente" in field(wizard, "Dónde está el mensaje de activación", QLabel).text()
    assert field(wizard, "Usuario").text() == "victor_2018"
    type_in(qtbot, field(wizard, "Contraseña"), PASSWORD)
    click(qtbot, field(wizard, "Entrar", QPushButton))  # straight back to the form, no «Siguiente»

    assert wizard.currentPage() is wizard.pages[flow.FORMULARIO]
    form = page(wizard).form_widget.form()
    assert form.tipo_organizacion == "Sociedad de responsabilidad limitada (Ltda.)"
    assert (form.nombre, form.nombre_abreviado, form.nit, form.mipyme) == ("F&F asociados", "FYF", "900373913",
                                                                           False)
    assert (form.departamento_codigo, form.municipio_codigo) == ("05", "05266")
    assert field(wizard, "Municipio", QComboBox).currentText() == "Envigado"
    assert form.direccion == "Calle 10 # 43-20"
    assert str(form.financials[0].patrimonio) == "1500000.50"
    assert field(wizard, "Dígito de verificación").text() == "4"


def test_typing_without_pause_is_saved_while_typing(qtbot: QtBot, sqlite_services: Services) -> None:
    window = new_start_window(qtbot, sqlite_services)
    click(qtbot, by_name(window, QPushButton, "Registrarse"))
    wizard = window.wizards[-1]
    nombre = field(wizard, "Nombre y apellido")
    text = "Ana Maria Rojas Perez " * 2
    saved_while_typing = False
    for ch in text:  # one key each 60 ms: the debounce alone would never fire
        qtbot.keyClicks(nombre, ch)
        qtbot.wait(60)
        saved_while_typing = saved_while_typing or bool(sqlite_services.drafts.list(current_agent()))
    assert saved_while_typing, "nothing saved during 2.6 s of continuous typing"
