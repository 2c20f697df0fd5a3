"""The whole registration with the keyboard alone: Tab, typing, Space, Enter, Escape and mnemonics.

Every key goes through qtbot.keyClick(s) to whatever widget has the focus, as a keyboard does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QWidget, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.services import Services
from secop_desktop.store.models import Entity, Membership
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from tests.wizard_fixtures import PASSWORD, Chooser, by_name, shown_errors, write_pdfs


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


class Keyboard:
    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot

    def focus(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def name(self) -> str:
        w = self.focus()
        return w.accessibleName() or (w.text().replace("&", "") if isinstance(w, QAbstractButton) else "")

    def type(self, text: str) -> None:
        self.qtbot.keyClicks(self.focus(), text)

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(self.focus(), key, modifier)

    def alt(self, letter: str) -> None:
        """A mnemonic: Qt answers with animateClick(), so the click lands a moment later."""
        self.qtbot.keyClick(self.focus(), letter, Qt.KeyboardModifier.AltModifier)
        self.qtbot.wait(250)

    def tab_to(self, name: str, limit: int = 80) -> None:
        """Tab until the focused widget announces `name` (what a screen-reader user listens for)."""
        for _ in range(limit):
            if self.name() == name:
                return
            self.press(Qt.Key.Key_Tab)
        raise AssertionError(f"Tab never reached {name!r}; last: {self.name()!r}")

    def fill(self, name: str, text: str) -> None:
        self.tab_to(name)
        self.press(Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        self.type(text)


def test_keyboard_only_persona_natural(qtbot: QtBot, sqlite_services: Services, tmp_path: Path) -> None:
    window = StartWindow(sqlite_services, file_chooser=Chooser(write_pdfs(tmp_path / "docs")), ask=lambda _: True)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    kb = Keyboard(qtbot)

    kb.alt("r")  # &Registrarse
    qtbot.waitUntil(lambda: bool(window.wizards) and QApplication.activeWindow() is window.wizards[-1])
    wizard = window.wizards[-1]

    # Paso 1
    assert kb.name() == "Nombre y apellido"
    kb.type("Jonathan Ruiz")
    for name, text in (("Nombre de la entidad", "Jonathan Ruiz"), ("Correo electrónico", "jruiz@example.com"),
                       ("Elige tu usuario", "jruiz"), ("Contraseña", PASSWORD),
                       ("Confirmar contraseña", PASSWORD)):
        kb.fill(name, text)
    kb.tab_to("Pregunta de seguridad")
    kb.press(Qt.Key.Key_Down)  # none is preselected: the first question
    for name, text in (("Respuesta de seguridad", "Firulais"), ("Teléfono móvil de seguridad", "+57 3102585654")):
        kb.fill(name, text)
    kb.tab_to("Acepto los términos y condiciones de uso")
    kb.press(Qt.Key.Key_Space)
    kb.alt("c")  # &Continuar
    assert wizard.currentId() == 1, shown_errors(wizard)

    # Paso 2: the Buzón with the keyboard, the link followed with Enter, then Entrar.
    kb.alt("b")  # Abrir &Buzón
    buzon = wizard.currentPage().buzon
    qtbot.waitUntil(lambda: QApplication.activeWindow() is buzon)
    kb.tab_to("Mensaje")
    kb.press(Qt.Key.Key_Tab)  # to the activation link inside the message
    with qtbot.waitSignal(buzon.widget.confirmed, timeout=3000):
        kb.press(Qt.Key.Key_Return)
    kb.press(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    kb.tab_to("Contraseña")
    kb.type(PASSWORD)
    kb.press(Qt.Key.Key_Return)  # Entrar: straight to the third section
    assert wizard.flow.actor is not None
    assert wizard.currentId() == 2

    # Paso 3: Validar with Enter, Registrar Entidad with Space.
    kb.fill("NIT", "1032387714")
    kb.press(Qt.Key.Key_Return)
    assert kb.name() == "Registrar Entidad"
    kb.press(Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: kb.name() == "Tipo de organización")
    kb.press(Qt.Key.Key_Home)  # Persona natural colombiana heads the list
    assert isinstance(kb.focus(), QComboBox) and kb.focus().currentText() == "Persona natural colombiana"
    kb.alt("g")  # &Generar formulario
    assert wizard.currentId() == 4

    kb.tab_to("Mipyme: Sí")
    kb.press(Qt.Key.Key_Space)
    kb.tab_to("Régimen tributario")
    kb.type("No")
    kb.tab_to("Obligado a llevar contabilidad")
    kb.press(Qt.Key.Key_Space)
    kb.tab_to("Departamento")
    kb.type("Antioquia")
    kb.tab_to("Municipio")
    kb.type("Medell")
    for name, text in (("Dirección", "Carrera 43A 1-50"), ("Código postal", "050021"),
                       ("Correo electrónico de la oficina", "oficina@jruiz.co"),
                       ("Teléfono de oficina", "+57 604 4440000"),
                       ("Correo electrónico para notificaciones SECOPII", "avisos@jruiz.co")):
        kb.fill(name, text)
    kb.alt("n")  # Siguie&nte
    assert wizard.currentId() == 5, wizard.currentPage().form_widget.errors.general.text()

    # Anexar documentos: Tab to each button, Space; the file dialog is the chooser seam.
    panel = wizard.currentPage().panel

    def missing_here() -> bool:
        """The focused button is the Anexar documento of a row still reading 'Falta el documento'."""
        if kb.name() != "Anexar documento":
            return False
        row = kb.focus().parentWidget()
        while row.accessibleName() != kb.focus().accessibleDescription():
            row = row.parentWidget()
        return by_name(row, QLabel, "Nombre del documento").text() == "Falta el documento"

    while not panel.is_complete():
        kb.press(Qt.Key.Key_Tab)
        for _ in range(60):
            if missing_here():
                break
            kb.press(Qt.Key.Key_Tab)
        assert missing_here()
        kb.press(Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10000)
    kb.alt("f")  # &Finalizar
    assert wizard.currentId() == 6
    with qtbot.waitSignal(window.signed_in):
        kb.press(Qt.Key.Key_Return)  # Haga clic aquí para continuar

    with sqlite_services.db.session() as s:
        entity = s.scalars(select(Entity)).one()
        assert (entity.nombre, entity.nit, entity.municipio_codigo, entity.obligado_contabilidad) == (
            "Jonathan Ruiz", "1032387714", "05001", False)
        assert s.scalars(select(Membership)).one().es_proveedor


def test_wizard_buttons_read_in_spanish(qtbot: QtBot, sqlite_services: Services) -> None:
    from tests.wizard_fixtures import signed_in_wizard, to_entity_form

    wizard = signed_in_wizard(qtbot, sqlite_services)
    to_entity_form(qtbot, wizard, "Sociedad Anónima Abierta colombiana")
    texts = {b: wizard.button(b).text().replace("&", "") for b in QWizard.WizardButton
             if b in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                      QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton)}
    assert texts == {QWizard.WizardButton.BackButton: "< Atrás", QWizard.WizardButton.NextButton: "Siguiente >",
                     QWizard.WizardButton.FinishButton: "Finalizar", QWizard.WizardButton.CancelButton: "Cancelar"}
    shown = [wizard.button(b).text() for b in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                                               QWizard.WizardButton.CancelButton) if wizard.button(b).isVisible()]
    assert shown == ["< &Atrás", "Siguie&nte >", "Cancelar"]
