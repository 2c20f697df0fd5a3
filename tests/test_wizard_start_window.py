"""The start window around the wizard: Olvidé mi usuario/contraseña, Buzón, contraste, Mesa de servicio."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListWidget, QPushButton, QTextBrowser
from pytestqt.qtbot import QtBot

from secop_desktop.core.services import Services
from secop_desktop.views import contrast
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from tests.conftest import active_user, registration
from tests.wizard_fixtures import by_name, click, click_link, error_beside, type_in


@pytest.fixture(autouse=True)
def spanish() -> Iterator[None]:
    app = application()
    yield
    contrast.apply(False, app)  # the palette is application-wide: leave it as found


def window_for(qtbot: QtBot, services: Services) -> StartWindow:
    window = StartWindow(services)
    qtbot.addWidget(window)
    window.show()
    return window


def test_olvide_mi_usuario_sends_it_to_the_buzon(qtbot: QtBot, sqlite_services: Services) -> None:
    active_user(sqlite_services)
    window = window_for(qtbot, sqlite_services)
    click(qtbot, by_name(window, QPushButton, "Olvidé mi usuario"))
    dialog = window.dialog
    correo = by_name(dialog, QLineEdit, "Correo electrónico")
    type_in(qtbot, correo, "no es correo")
    click(qtbot, by_name(dialog, QPushButton, "Enviar"))
    assert error_beside(correo) == "Escriba un correo electrónico válido."
    type_in(qtbot, correo, "victor_2018@example.com")
    click(qtbot, by_name(dialog, QPushButton, "Enviar"))
    assert "su usuario ya está en el Buzón" in by_name(dialog, QLabel, "Resultado").text()

    type_in(qtbot, by_name(window, QLineEdit, "Nombre de usuario"), "victor_2018")
    click(qtbot, by_name(window, QPushButton, "Buzón"))
    buzon = window.buzon.widget
    assert by_name(window.buzon, QLineEdit, "Usuario").text() == "victor_2018"
    type_in(qtbot, by_name(window.buzon, QLineEdit, "Contraseña"), "Secop2018x")
    click(qtbot, by_name(window.buzon, QPushButton, "Abrir buzón"))
    assert buzon.open_message("Recordatorio")
    assert "Su usuario es: victor_2018" in by_name(window.buzon, QTextBrowser, "Mensaje").toPlainText()


def test_olvide_mi_contrasena_question_then_new_password_in_the_same_dialog(qtbot: QtBot,
                                                                            sqlite_services: Services) -> None:
    active_user(sqlite_services)
    window = window_for(qtbot, sqlite_services)
    type_in(qtbot, by_name(window, QLineEdit, "Nombre de usuario"), "victor_2018")
    click(qtbot, by_name(window, QPushButton, "Olvidé mi contraseña"))
    dialog = window.dialog
    assert by_name(dialog, QLineEdit, "Usuario").text() == "victor_2018"
    click(qtbot, by_name(dialog, QPushButton, "Continuar"))
    assert by_name(dialog, QLabel, "Pregunta de seguridad").text() == "¿Cuál es el nombre de su primera mascota?"
    assert not by_name(dialog, QPushButton, "Enviar código", visible=False).isVisible()  # no e-mail: no code to wait for
    respuesta = by_name(dialog, QLineEdit, "Respuesta de seguridad")
    nueva = by_name(dialog, QLineEdit, "Nueva contraseña")
    confirmar = by_name(dialog, QLineEdit, "Confirmar contraseña")
    assert nueva.isVisible() and not by_name(dialog, QLineEdit, "Código", visible=False).isVisible()
    type_in(qtbot, respuesta, "otra cosa")
    type_in(qtbot, nueva, "Nueva2024x")
    type_in(qtbot, confirmar, "Nueva2024x")
    click(qtbot, by_name(dialog, QPushButton, "Restablecer contraseña"))
    assert error_beside(respuesta) == "La respuesta de seguridad no es correcta."
    type_in(qtbot, respuesta, "Firulais")
    type_in(qtbot, confirmar, "Nueva2024y")
    click(qtbot, by_name(dialog, QPushButton, "Restablecer contraseña"))
    assert error_beside(confirmar) == "Las contraseñas no coinciden."
    type_in(qtbot, confirmar, "Nueva2024x")
    click(qtbot, by_name(dialog, QPushButton, "Restablecer contraseña"))
    assert by_name(dialog, QLabel, "Resultado").text().startswith("Su contraseña fue restablecida.")

    type_in(qtbot, by_name(window, QLineEdit, "Contraseña"), "Nueva2024x")
    with qtbot.waitSignal(window.signed_in):
        click(qtbot, by_name(window, QPushButton, "Entrar"))


def test_olvide_mi_contrasena_with_email_sends_a_code(qtbot: QtBot, sqlite_services: Services) -> None:
    from secop_desktop.core.accounts import mailbox as outbox

    uid = active_user(sqlite_services)
    sqlite_services.users.email_delivery = lambda: True
    window = window_for(qtbot, sqlite_services)
    type_in(qtbot, by_name(window, QLineEdit, "Nombre de usuario"), "victor_2018")
    click(qtbot, by_name(window, QPushButton, "Olvidé mi contraseña"))
    dialog = window.dialog
    click(qtbot, by_name(dialog, QPushButton, "Continuar"))
    assert not by_name(dialog, QLineEdit, "Nueva contraseña", visible=False).isVisible()
    type_in(qtbot, by_name(dialog, QLineEdit, "Respuesta de seguridad"), "firulais")
    click(qtbot, by_name(dialog, QPushButton, "Enviar código"))
    assert "correo electrónico" in by_name(dialog, QLabel, "Código enviado").text()
    with sqlite_services.db.session() as s:
        copy = next(m for m in outbox.inbox(s, uid) if m.clase == "restablecer")
    assert "use este código" not in copy.cuerpo and "victor_2018@example.com" in copy.cuerpo  # the Buzón copy
    text, _ = outbox.email_content(copy.id, copy.destinatario, copy.cuerpo, copy.enlace)  # what the e-mail carries
    code = re.search(r"use este código: (\w+)", text).group(1)
    type_in(qtbot, by_name(dialog, QLineEdit, "Código"), code)
    type_in(qtbot, by_name(dialog, QLineEdit, "Nueva contraseña"), "Nueva2024x")
    type_in(qtbot, by_name(dialog, QLineEdit, "Confirmar contraseña"), "Nueva2024x")
    click(qtbot, by_name(dialog, QPushButton, "Restablecer contraseña"))
    assert by_name(dialog, QLabel, "Resultado").text().startswith("Su contraseña fue restablecida.")
    assert sqlite_services.users.sign_in("victor_2018", "Nueva2024x")


def test_buzon_unread_count_and_activation_link(qtbot: QtBot, sqlite_services: Services) -> None:
    sqlite_services.users.register(registration())
    window = window_for(qtbot, sqlite_services)
    click(qtbot, by_name(window, QPushButton, "Buzón"))
    dialog = window.buzon
    contrasena = by_name(dialog, QLineEdit, "Contraseña")
    type_in(qtbot, by_name(dialog, QLineEdit, "Usuario"), "nadie")
    type_in(qtbot, contrasena, "Secop2018x")
    click(qtbot, by_name(dialog, QPushButton, "Abrir buzón"))
    assert error_beside(contrasena) == "Usuario o contraseña incorrectos."
    type_in(qtbot, by_name(dialog, QLineEdit, "Usuario"), "victor_2018")
    type_in(qtbot, contrasena, "Secop2018x")  # the pending user's password from step 1
    click(qtbot, by_name(dialog, QPushButton, "Abrir buzón"))
    assert by_name(dialog, QLabel, "Mensajes sin leer").text() == "1 mensaje sin leer"
    assert dialog.windowTitle() == "Buzón (1 sin leer)"
    messages = by_name(dialog, QListWidget, "Mensajes")
    messages.setCurrentRow(0)
    assert by_name(dialog, QLabel, "Mensajes sin leer").text() == "No tiene mensajes sin leer"
    with qtbot.waitSignal(dialog.widget.confirmed):
        click_link(qtbot, by_name(dialog, QTextBrowser, "Mensaje"), "secop://confirmar")
    assert sqlite_services.users.get(1).estado == "activo"
    assert by_name(dialog, QLabel, "Resultado").text().startswith("Su cuenta quedó activada.")
    click_link(qtbot, by_name(dialog, QTextBrowser, "Mensaje"), "secop://confirmar")
    assert by_name(dialog, QLabel, "Estado del buzón").text() == (
        "Este enlace de activación ya fue usado. Ingrese con su usuario y contraseña.")


def test_aumentar_el_contraste_persists(qtbot: QtBot, sqlite_services: Services) -> None:
    window = window_for(qtbot, sqlite_services)
    button = by_name(window, QPushButton, "Aumentar el contraste")
    assert not button.isChecked()
    click(qtbot, button)
    window_color = QApplication.palette().color(QPalette.ColorRole.Window)
    assert window_color.name() == "#000000"
    assert QApplication.palette().color(QPalette.ColorRole.WindowText).name() == "#ffffff"
    assert contrast.is_enabled()

    contrast.apply(False)  # a new session starts with the standard palette...
    again = window_for(qtbot, sqlite_services)
    assert by_name(again, QPushButton, "Aumentar el contraste").isChecked()  # ...and restores the choice
    assert QApplication.palette().color(QPalette.ColorRole.Window).name() == "#000000"
    click(qtbot, by_name(again, QPushButton, "Aumentar el contraste"))
    assert not contrast.is_enabled()
    assert QApplication.palette().color(QPalette.ColorRole.Window).name() != "#000000"


def test_mesa_de_servicio_and_registrarse(qtbot: QtBot, sqlite_services: Services) -> None:
    window = window_for(qtbot, sqlite_services)
    mesa = by_name(window, QLabel, "Mesa de servicio").text()
    assert "Bogotá: 7456788" in mesa and "018000 520808" in mesa
    click(qtbot, by_name(window, QPushButton, "Registrarse"))
    assert len(window.wizards) == 1 and window.wizards[0].isVisible()
    assert window.wizards[0].currentPage() is window.wizards[0].pages["usuario"]
