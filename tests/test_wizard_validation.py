"""Every validation error appears beside its field, in Spanish, and nothing typed is cleared."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot

from secop_desktop.core.accounts.users import CODE_INVALID, LABELS, validate_registration
from secop_desktop.core.entities.service import ENTITY_LABELS, validate_entity
from secop_desktop.core.registration import flow
from secop_desktop.core.services import Services
from secop_desktop.views.qt_app import application
from secop_desktop.wizard.registration_wizard import RegistrationWizard
from tests.conftest import active_user, as_actor, registration
from tests.factories import company_form
from tests.wizard_fixtures import (
    activation_code,
    by_name,
    choose,
    click,
    error_beside,
    field,
    page,
    shown_errors,
    signed_in_wizard,
    to_entity_form,
    type_in,
    wizard_button,
)


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


def test_step1_errors_beside_each_field_and_text_kept(qtbot: QtBot, sqlite_services: Services) -> None:
    active_user(sqlite_services, "tomado")
    wizard = RegistrationWizard(sqlite_services)
    qtbot.addWidget(wizard)
    wizard.show()
    typed = {"correo": "no-es-correo", "usuario": "x", "contrasena": "corta", "confirmar": "otra",
             "telefono": "123", "nombre_entidad": "F&F asociados"}
    for name, text in typed.items():
        type_in(qtbot, field(wizard, LABELS[name]), text)
    reglas = field(wizard, "Reglas de la contraseña", QLabel).text()
    assert "✗ Por lo menos 8 caracteres" in reglas and "✓ Incluye letras" in reglas
    assert field(wizard, "Coincidencia de la contraseña", QLabel).text() == "✗ Las contraseñas no coinciden"
    click(qtbot, wizard_button(wizard, "Continuar"))

    expected = {e.field: e.message for e in validate_registration(registration(
        nombre="", pregunta="", respuesta="", acepta_terminos=False, **typed))}
    assert set(expected) == {"nombre", "correo", "usuario", "contrasena", "confirmar", "pregunta", "respuesta",
                             "telefono", "acepta_terminos"}
    for name, message in expected.items():
        cls = {"acepta_terminos": QAbstractButton, "pregunta": QComboBox}.get(name, QLineEdit)
        assert error_beside(field(wizard, LABELS[name], cls)) == message, name
    for name, text in typed.items():
        assert field(wizard, LABELS[name]).text() == text  # nothing cleared
    assert wizard.focusWidget() is field(wizard, LABELS["nombre"])  # the first invalid field
    assert wizard.currentPage() is wizard.pages["usuario"]

    # Live availability: a taken user is said as it is typed.
    type_in(qtbot, field(wizard, LABELS["usuario"]), "TOMADO")
    qtbot.waitUntil(lambda: field(wizard, "Disponibilidad del usuario", QLabel).text() ==
                    "✗ Este usuario ya existe. Elija otro.")
    mostrar = field(wizard, "Mostrar contraseña", QPushButton)
    click(qtbot, mostrar)
    assert field(wizard, LABELS["contrasena"]).echoMode() == QLineEdit.EchoMode.Normal
    assert mostrar.text() == "&Ocultar"

    # Fixing everything but the taken usuario: only that error remains.
    for name, text in {"nombre": "Víctor Alfonso", "correo": "victor@example.com", "contrasena": "Secop2018x",
                       "confirmar": "Secop2018x", "respuesta": "Firulais", "telefono": "+57 3102585654"}.items():
        type_in(qtbot, field(wizard, LABELS[name]), text)
    choose(qtbot, field(wizard, LABELS["pregunta"], QComboBox), "¿Cuál es su comida favorita?")
    click(qtbot, field(wizard, LABELS["acepta_terminos"], QAbstractButton))
    click(qtbot, wizard_button(wizard, "Continuar"))
    assert shown_errors(wizard) == {"Elige tu usuario": "Este usuario ya existe. Elija otro."}
    type_in(qtbot, field(wizard, LABELS["usuario"]), "victor_2018")
    click(qtbot, wizard_button(wizard, "Continuar"))
    assert wizard.currentPage() is wizard.pages["confirmar"]


def test_confirm_page_says_why_a_code_fails(qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = RegistrationWizard(sqlite_services)
    qtbot.addWidget(wizard)
    wizard.show()
    info = sqlite_services.users.register(registration())
    wizard.flow.set_registration(registration())
    wizard.flow.registered(info)
    wizard.setStartId(1)
    wizard.restart()
    codigo = field(wizard, "Enlace o código de activación")
    type_in(qtbot, codigo, "ZZZZZZZZ")
    qtbot.keyClick(codigo, Qt.Key.Key_Return)
    assert error_beside(codigo) == CODE_INVALID
    assert codigo.text() == "ZZZZZZZZ"
    old = activation_code(sqlite_services, "victor_2018")
    click(qtbot, field(wizard, "Reenviar", QPushButton))
    assert "nuevo mensaje de activación" in field(wizard, "Estado de la activación", QLabel).text()
    type_in(qtbot, codigo, old)
    click(qtbot, field(wizard, "Confirmar", QPushButton))
    assert error_beside(codigo) == CODE_INVALID  # Reenviar voided the older code
    type_in(qtbot, codigo, activation_code(sqlite_services, "victor_2018"))
    click(qtbot, field(wizard, "Confirmar", QPushButton))
    assert error_beside(codigo) == ""
    contrasena = field(wizard, "Contraseña")
    type_in(qtbot, contrasena, "equivocada1")
    click(qtbot, field(wizard, "Entrar", QPushButton))
    assert error_beside(contrasena) == "Usuario o contraseña incorrectos."
    assert not wizard_button(wizard, "Siguiente").isEnabled()


def test_search_needs_a_name_or_a_nit(qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = signed_in_wizard(qtbot, sqlite_services)
    field(wizard, "Nombre de la Entidad").clear()
    click(qtbot, field(wizard, "Validar", QPushButton))
    assert error_beside(field(wizard, "Nombre de la Entidad")) == "Escriba el nombre o el NIT de la Entidad."
    type_in(qtbot, field(wizard, "NIT"), "80011-1202")
    click(qtbot, field(wizard, "Validar", QPushButton))
    assert error_beside(field(wizard, "NIT")) == ("Escriba el NIT solo con números, sin el dígito de "
                                                  "verificación.")
    assert field(wizard, "NIT").text() == "80011-1202"


def test_entity_form_errors_beside_fields_first_one_focused(qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = signed_in_wizard(qtbot, sqlite_services)
    field(wizard, "Nombre de la Entidad").clear()
    type_in(qtbot, field(wizard, "NIT"), "1")
    to_entity_form(qtbot, wizard, "Sociedad Anónima Abierta colombiana")
    type_in(qtbot, field(wizard, "Correo electrónico de la oficina"), "oficina(at)fyf")
    type_in(qtbot, field(wizard, "Código postal"), "99")
    form_widget = page(wizard).form_widget
    form_widget.sections["Identificación de la Entidad"].set_expanded(False)  # folded: must reopen
    click(qtbot, field(wizard, "Agregar", QPushButton))
    table = field(wizard, "Información financiera", QTableWidget)
    table.item(0, 2).setText("doce millones")
    click(qtbot, wizard_button(wizard, "Siguiente"))

    errors = validate_entity(form_widget.form())
    assert len(errors) >= 12
    for e in errors:
        if e.field in ("financials", "dv"):
            continue
        widget = form_widget.field_widget(e.field)
        assert widget is not None, e.field
        assert e.message in error_beside(widget), e.field
    assert error_beside(field(wizard, "NIT")) == "El NIT debe tener entre 5 y 15 dígitos."
    assert "Fila 1, Patrimonio: Escriba un valor en pesos, por ejemplo 1.234.567,89." in \
        error_beside(table)
    assert form_widget.sections["Identificación de la Entidad"].is_expanded()
    assert wizard.focusWidget() is field(wizard, ENTITY_LABELS["nombre"])
    assert field(wizard, "Correo electrónico de la oficina").text() == "oficina(at)fyf"
    assert field(wizard, "Código postal").text() == "99"
    assert wizard.currentPage() is wizard.pages["formulario"]


def test_duplicate_nit_is_refused_beside_the_nit(qtbot: QtBot, sqlite_services: Services) -> None:
    other = active_user(sqlite_services, "otro_admin")
    sqlite_services.entities.create(as_actor(sqlite_services, other), company_form("H&H Asociados", "800111202"))
    wizard = signed_in_wizard(qtbot, sqlite_services)
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), "Otra empresa")
    to_entity_form(qtbot, wizard, "Sociedad Anónima Abierta colombiana")
    form_widget = page(wizard).form_widget
    form_widget.set_form(company_form("Otra empresa", "800111202", tipo_organizacion=form_widget.form()
                                      .tipo_organizacion))
    click(qtbot, wizard_button(wizard, "Siguiente"))
    assert error_beside(field(wizard, "NIT")) == ("Ya existe una Entidad registrada con este NIT. "
                                                  "Use «Solicitud de acceso».")
    assert wizard.currentPage() is wizard.pages["formulario"]


def _looks_like_data(hint: str) -> bool:
    """A hint that could pass for a typed value: digits, an e-mail, a web address, or a bare name."""
    return any(c.isdigit() for c in hint) or "@" in hint or "://" in hint or hint.isupper() or "_" in hint


def _placeholders(wizard: RegistrationWizard) -> dict[str, str]:
    return {e.accessibleName(): e.placeholderText() for e in page(wizard).findChildren(QLineEdit)
            if e.placeholderText() and e.isVisibleTo(page(wizard))}


def test_placeholders_are_hints_that_cannot_pass_for_values(qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = RegistrationWizard(sqlite_services)
    qtbot.addWidget(wizard)
    wizard.show()
    step1 = _placeholders(wizard)
    assert step1["Nombre y apellido"].startswith("Ej.: ") and step1["Elige tu usuario"] == "Ej.: victor_2018"
    signed = signed_in_wizard(qtbot, sqlite_services)
    to_entity_form(qtbot, signed, "Sociedad por acciones simplificada (S.A.S.)")
    form = _placeholders(signed)
    assert form["Dirección"] == "Ej.: Calle 26 # 69-76"
    for name, hint in (step1 | form).items():
        assert not _looks_like_data(hint) or hint.startswith("Ej.: "), (name, hint)
    palette = page(wizard).palette()
    assert palette.color(QPalette.ColorRole.PlaceholderText) != palette.color(QPalette.ColorRole.Text)  # grey


def test_one_message_under_elige_tu_usuario_and_confirmar(qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = RegistrationWizard(sqlite_services)
    qtbot.addWidget(wizard)
    wizard.show()
    usuario, confirmar = field(wizard, LABELS["usuario"]), field(wizard, LABELS["confirmar"])
    disponible = by_name(page(wizard), QLabel, "Disponibilidad del usuario", visible=False)
    coinciden = by_name(page(wizard), QLabel, "Coincidencia de la contraseña", visible=False)
    type_in(qtbot, usuario, "x")
    type_in(qtbot, field(wizard, LABELS["contrasena"]), "Secop2018x")
    type_in(qtbot, confirmar, "Secop2018y")
    qtbot.waitUntil(lambda: disponible.text().startswith("✗"))
    assert coinciden.text() == "✗ Las contraseñas no coinciden"
    click(qtbot, wizard_button(wizard, "Continuar"))

    for edit, live in ((usuario, disponible), (confirmar, coinciden)):
        assert error_beside(edit) != "", edit.accessibleName()
        assert not live.isVisible(), (edit.accessibleName(), live.text())  # said once, in red
    # Typing again: the live line takes over and the old red error goes.
    type_in(qtbot, confirmar, "Secop2018x")
    assert error_beside(confirmar) == "" and coinciden.isVisible()
    assert coinciden.text() == "✓ Las contraseñas coinciden"
    assert error_beside(usuario) != "" and not disponible.isVisible()


def test_text_longer_than_a_field_allows_is_refused_with_a_message_not_cut(qtbot: QtBot,
                                                                           sqlite_services: Services) -> None:
    wizard = RegistrationWizard(sqlite_services)
    qtbot.addWidget(wizard)
    wizard.show()
    usuario = field(wizard, LABELS["usuario"])
    type_in(qtbot, usuario, "v" * 61)
    assert usuario.text() == "v" * 61  # nothing cut
    assert error_beside(usuario) == "Escriba como máximo 60 caracteres (lleva 61)."
    assert "Escriba como máximo 60 caracteres" in usuario.accessibleDescription()
    qtbot.keyClick(usuario, Qt.Key.Key_Backspace)
    assert error_beside(usuario) == ""

    signed = signed_in_wizard(qtbot, sqlite_services)
    to_entity_form(qtbot, signed, "Sociedad por acciones simplificada (S.A.S.)")
    postal = field(signed, ENTITY_LABELS["codigo_postal"])
    postal.setFocus()
    postal.insert("1" * 13)  # pasted
    assert postal.text() == "1" * 13
    assert error_beside(postal) == "Escriba como máximo 12 caracteres (lleva 13)."
    click(qtbot, wizard_button(signed, "Siguiente"))
    assert signed.currentPage() is signed.pages[flow.FORMULARIO] and postal.text() == "1" * 13
    assert error_beside(postal) != ""  # the form is refused, the text still there
