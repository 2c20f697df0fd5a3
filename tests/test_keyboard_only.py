"""A help-desk agent on the phone registers a persona natural and a company with the keyboard alone.

Key events only, always to the focused widget (QApplication.focusWidget()), as a keyboard sends them:
no mouse, no widget method called, no text set. The start window is the launcher's, menus included;
the file dialog is the app's own (Qt's, in Spanish): the path is typed into its file name field.

What counts against the budget (at most 25 for the company, from «Registrarse» to «Felicitaciones»):
every key that is neither data nor the Tab that moves to the next field. Data is what the caller
dictates: text typed, the beginning of a list item typed on a closed list, and Space on a check box or
an option (the caller's «sí»), listed apart in the printout. A Tab is free when it lands on a field
(an input, check box or option); a Tab that lands on a button, a section header or a link counts, and
so do Enter, Escape, Home, arrows and Alt+letter.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QTextBrowser,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.registration import flow
from secop_desktop.core.services import Services
from secop_desktop.store.models import Document, Entity
from secop_desktop.views import launcher
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from tests.wizard_fixtures import PASSWORD, write_pdfs

COMPANY_BUDGET = 25
# What a Tab may land on for free: an input of the form (a check box or an option is one too).
FIELDS = (QLineEdit, QComboBox, QAbstractSpinBox, QTextEdit, QPlainTextEdit, QCheckBox, QRadioButton)


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The agent's Documents folder (the scanned papers the caller sent are there)."""
    home = tmp_path / "agente"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    (home / "Documents").mkdir(parents=True)
    return home / "Documents"


class Keyboard:
    """The agent's keyboard. type() is data, tab() onto the next field is free, everything else counts."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.counted: list[str] = []  # each counted key, with where it was pressed
        self.free_tabs = 0
        self.checked: list[str] = []  # check boxes and options answered with Space

    # --- what the agent sees -----------------------------------------------------------------
    def focus(self) -> QWidget:
        widget = QApplication.focusWidget()
        assert widget is not None, "nothing has the keyboard focus"
        return widget

    def name(self) -> str:
        w = self.focus()
        return (w.accessibleName() or (w.text().replace("&", "") if isinstance(w, QAbstractButton) else "")
                or w.objectName())

    # --- the keys ----------------------------------------------------------------------------
    def _key(self, key: Qt.Key | str, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.qtbot.keyClick(self.focus(), key, modifier)

    def type(self, text: str) -> None:
        """Data: what the caller dictates. QTest only knows ASCII; 'ó' or '¿' go as a Spanish keyboard sends them."""
        for ch in text:
            if ch.isascii():
                self.qtbot.keyClicks(self.focus(), ch)
            else:
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(self.focus(), QKeyEvent(kind, Qt.Key.Key_unknown,
                                                                   Qt.KeyboardModifier.NoModifier, ch))

    def tab(self) -> None:
        """Tab: free when it lands on the next field; a Tab that lands on anything else counts."""
        before = self.name()
        self._key(Qt.Key.Key_Tab)
        if isinstance(self.focus(), FIELDS):
            self.free_tabs += 1
        else:
            self.counted.append(f"Tab from {before!r} to {self.name()!r}")

    def nav(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        """Any other key: Enter, Space, Escape, arrows, Shift+Tab. Counted."""
        where = self.name()
        self._key(key, modifier)
        shift = "Shift+" if modifier & Qt.KeyboardModifier.ShiftModifier else ""
        self.counted.append(f"{shift}{key.name.removeprefix('Key_')} on {where!r}")

    def alt(self, letter: str) -> None:
        """A mnemonic, counted: Qt answers with animateClick(), so the click lands a moment later."""
        where = self.name()
        self._key(letter, Qt.KeyboardModifier.AltModifier)
        self.qtbot.wait(250)
        self.counted.append(f"Alt+{letter.upper()} on {where!r}")

    # --- the moves an agent makes ----------------------------------------------------------
    def to(self, name: str, limit: int = 60) -> None:
        """Tab on until the focused field announces `name` (what a screen-reader user listens for)."""
        for _ in range(limit):
            if self.name() == name:
                return
            self.tab()
        raise AssertionError(f"Tab never reached {name!r}; last: {self.name()!r}")

    def fill(self, name: str, text: str) -> None:
        self.to(name)
        assert isinstance(self.focus(), QLineEdit) and not self.focus().text(), f"{name!r} is not an empty field"
        self.type(text)

    def check(self) -> None:
        """Space on a check box or an option: the caller's answer, data like a typed one (listed apart)."""
        assert isinstance(self.focus(), (QCheckBox, QRadioButton))
        self.checked.append(self.name())
        self._key(Qt.Key.Key_Space)

    def pick(self, prefix: str, expected: str) -> None:
        """A closed list selects the item whose beginning is typed (Space would open it: none typed)."""
        combo = self.focus()
        assert isinstance(combo, QComboBox) and " " not in prefix
        if combo.currentText() == expected:
            return  # already showing it: the agent types nothing
        self.type(prefix)
        assert combo.currentText() == expected, combo.currentText()

    def answer_questions(self, within_ms: int = 2000) -> None:
        """A question the app may ask once the file is chosen (a modal dialog of its own, opened with
        exec(), such as the document's validity dates): Enter takes its proposal, counted like any Enter.
        Watched from a timer while a modal dialog is open, since exec() does not return to the test until
        it is answered."""
        deadline = QElapsedTimer()
        deadline.start()

        def look() -> None:
            modal = QApplication.activeModalWidget()
            if modal is None:
                return  # the file dialog closed with nothing asked: no watching into the next document
            if isinstance(modal, QDialog) and not isinstance(modal, QFileDialog):
                focus = QApplication.focusWidget()
                if focus is not None and focus.window() is modal:
                    self.nav(Qt.Key.Key_Return)
                    return
            if deadline.elapsed() < within_ms:
                QTimer.singleShot(50, look)

        QTimer.singleShot(50, look)

    def report(self) -> str:
        return f"{len(self.counted)} counted keys:\n  " + "\n  ".join(self.counted)

    def summary(self) -> str:
        return (f"{len(self.counted)} teclas de navegación\n  " + "\n  ".join(self.counted)
                + f"\n({self.free_tabs} Tab de un campo al siguiente; respuestas con Espacio: "
                + ", ".join(self.checked) + ")")


def start(qtbot: QtBot, services: Services) -> tuple[StartWindow, Keyboard]:
    """The start window as the launcher opens it, with its menus (Alt+R must still be Registrarse)."""
    window = launcher._main_window(services, launcher._Started(), admin=False, capacitacion=False)
    assert isinstance(window, StartWindow)
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window, Keyboard(qtbot)


def register_user(qtbot: QtBot, window: StartWindow, kb: Keyboard, *, nombre: str, entidad: str,
                  usuario: str) -> None:
    """Registrarse, Paso 1 and Paso 2 (the code read in the Buzón), up to the third section."""
    kb.alt("r")  # Registrarse
    qtbot.waitUntil(lambda: bool(window.wizards) and QApplication.activeWindow() is window.wizards[-1])
    wizard = window.wizards[-1]
    qtbot.waitUntil(lambda: kb.name() == "Nombre y apellido")
    kb.type(nombre)
    for name, text in (("Nombre de la entidad", entidad), ("Correo electrónico", f"{usuario}@example.com"),
                       ("Elige tu usuario", usuario), ("Contraseña", PASSWORD),
                       ("Confirmar contraseña", PASSWORD)):
        kb.fill(name, text)
    kb.to("Pregunta de seguridad")
    kb.pick("¿Cuál", "¿Cuál es el nombre de su primera mascota?")
    for name, text in (("Respuesta de seguridad", "Firulais"), ("Teléfono móvil de seguridad", "+57 3102585654")):
        kb.fill(name, text)
    kb.to("Acepto los términos y condiciones de uso")
    kb.check()
    kb.nav(Qt.Key.Key_Return)  # Continuar
    assert wizard.current_view() == flow.CONFIRMAR, kb.report()

    # Paso 2: the Buzón shows the activation message; the agent reads the code out and types it.
    kb.alt("b")  # Abrir Buzón
    buzon = wizard.currentPage().buzon
    qtbot.waitUntil(lambda: QApplication.activeWindow() is buzon)
    code = buzon.findChild(QTextBrowser).toPlainText().split("código de activación: ")[1].split()[0]
    kb.nav(Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard)
    kb.to("Enlace o código de activación")
    kb.type(code)
    kb.nav(Qt.Key.Key_Return)  # Confirmar
    qtbot.waitUntil(lambda: kb.name() == "Contraseña")
    kb.type(PASSWORD)
    kb.nav(Qt.Key.Key_Return)  # Entrar: straight to the third section
    assert wizard.current_view() == flow.BUSCAR_ENTIDAD, kb.report()


def attach_documents(qtbot: QtBot, kb: Keyboard, folder: Path, count: int) -> None:
    """Enter on the Anexar documento the focus is on; the dialog opens in Documents, where the caller's
    files are: their name typed, Enter."""
    for path in write_pdfs(folder, count):
        assert kb.name() == "Anexar documento", kb.name()
        kb.nav(Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), QFileDialog))
        qtbot.waitUntil(lambda: kb.name() == "fileNameEdit")  # Qt's dialog names its file name field so
        kb.type(path.name)
        kb.answer_questions()
        kb.nav(Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
        # The copy runs in the background; then the focus moves on by itself.
        qtbot.waitUntil(lambda: kb.name() in ("Anexar documento", "Finalizar") and kb.focus().isEnabled(),
                        timeout=10_000)


def finish(qtbot: QtBot, kb: Keyboard, wizard: QWidget, folder: Path, documents: int) -> None:
    """Anexar documentos: the focus is on the first one missing, then the next, then Finalizar."""
    qtbot.waitUntil(lambda: kb.name() == "Anexar documento")
    attach_documents(qtbot, kb, folder, documents)
    qtbot.waitUntil(lambda: kb.name() == "Finalizar", timeout=10_000)
    kb.nav(Qt.Key.Key_Return)
    assert wizard.current_view() == flow.FELICITACIONES, kb.report()  # type: ignore[attr-defined]


def test_persona_natural_registration_by_keyboard(qtbot: QtBot, sqlite_services: Services, documents: Path) -> None:
    window, kb = start(qtbot, sqlite_services)
    register_user(qtbot, window, kb, nombre="Jonathan Ruiz", entidad="Jonathan Ruiz", usuario="jruiz")
    wizard = window.wizards[-1]
    kb.fill("NIT", "1032387714")  # her cédula
    kb.nav(Qt.Key.Key_Return)  # Validar
    assert kb.name() == "Registrar Entidad", kb.report()
    kb.nav(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kb.name() == "Tipo de organización")
    kb.nav(Qt.Key.Key_Home)  # Persona natural colombiana heads the list ("P" would find the jurídica first)
    assert kb.focus().currentText() == "Persona natural colombiana"  # type: ignore[attr-defined]
    kb.nav(Qt.Key.Key_Return)  # Generar formulario
    assert wizard.current_view() == flow.FORMULARIO, kb.report()

    # Her own name, cédula and herself as representative are filled in already.
    kb.to("Mipyme: Sí")
    kb.check()
    kb.to("Régimen tributario")
    kb.pick("No", "No responsable de IVA")
    kb.to("Obligado a llevar contabilidad")
    kb.check()  # not obliged: the constancia instead of the financial documents
    kb.to("Departamento")
    kb.pick("Antioquia", "Antioquia")
    kb.to("Municipio")
    kb.pick("Medell", "Medellín")
    for name, text in (("Dirección", "Carrera 43A 1-50"), ("Código postal", "050021"),
                       ("Correo electrónico de la oficina", "oficina@jruiz.co"),
                       ("Teléfono de oficina", "+57 604 4440000"),
                       ("Correo electrónico para notificaciones SECOPII", "avisos@jruiz.co")):
        kb.fill(name, text)
    kb.nav(Qt.Key.Key_Return)  # Siguiente
    assert wizard.current_view() == flow.DOCUMENTOS, kb.report()
    finish(qtbot, kb, wizard, documents, 3)
    print(f"\nRegistro de una persona natural con el teclado: {kb.summary()}")
    assert len(kb.counted) <= COMPANY_BUDGET, kb.report()
    with sqlite_services.db.session() as s:
        entity = s.scalars(select(Entity)).one()
        assert (entity.nombre, entity.nit, entity.municipio_codigo, entity.obligado_contabilidad) == (
            "Jonathan Ruiz", "1032387714", "05001", False)
        assert len(s.scalars(select(Document)).all()) == 3


def test_company_registration_by_keyboard(qtbot: QtBot, sqlite_services: Services, documents: Path) -> None:
    window, kb = start(qtbot, sqlite_services)
    register_user(qtbot, window, kb, nombre="Sebastián Ostor", entidad="Ostor Ingeniería S.A.", usuario="sostor")
    wizard = window.wizards[-1]

    # Paso 3: Validar with Enter in NIT; not found, the focus is on Registrar Entidad.
    kb.fill("NIT", "900373913")
    kb.nav(Qt.Key.Key_Return)  # Validar
    assert kb.name() == "Registrar Entidad", kb.report()
    kb.nav(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: kb.name() == "Tipo de organización")
    kb.pick("Sociedad", "Sociedad por acciones simplificada (S.A.S.)")
    kb.nav(Qt.Key.Key_Return)  # Generar formulario
    assert wizard.current_view() == flow.FORMULARIO, kb.report()

    # The form: the fields the guide marks with the red asterisk, one Tab each.
    kb.to("Nombre abreviado")
    kb.type("Ostor")
    kb.to("Mipyme: Sí")
    kb.check()
    kb.to("Régimen tributario")
    kb.pick("Responsable", "Responsable de IVA")
    kb.to("Departamento")
    kb.pick("Antioquia", "Antioquia")
    kb.to("Municipio")
    kb.pick("Medell", "Medellín")
    for name, text in (("Dirección", "Carrera 43A 1-50"), ("Código postal", "050021"),
                       ("Correo electrónico de la oficina", "oficina@ostor.co"),
                       ("Teléfono de oficina", "+57 604 4440000"),
                       ("Correo electrónico para notificaciones SECOPII", "avisos@ostor.co"),
                       ("Nombre del representante legal", "Ana María Rojas")):
        kb.fill(name, text)
    kb.to("Tipo de documento del representante legal")
    for name, text in (("Número de documento del representante legal", "52123456"),
                       ("Correo electrónico del representante legal", "ana.rojas@ostor.co"),
                       ("Teléfono del representante legal", "+57 3102585654")):
        kb.fill(name, text)
    kb.nav(Qt.Key.Key_Return)  # Siguiente
    assert wizard.current_view() == flow.DOCUMENTOS, kb.report()

    finish(qtbot, kb, wizard, documents, 4)
    print(f"\nRegistro de una sociedad con el teclado: {kb.summary()}")
    assert len(kb.counted) <= COMPANY_BUDGET, kb.report()
    with sqlite_services.db.session() as s:
        entity = s.scalars(select(Entity)).one()
        assert (entity.nombre, entity.nit, entity.municipio_codigo, entity.persona_natural) == (
            "Ostor Ingeniería S.A.", "900373913", "05001", False)
        assert len(s.scalars(select(Document)).all()) == 4
