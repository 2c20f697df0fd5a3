"""Ya tengo un código, sign-in routing to the third section, and the attachments page's mnemonics."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QLineEdit, QPushButton, QWizard
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.users import CODE_INVALID
from secop_desktop.core.identity import System
from secop_desktop.core.registration import flow
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from secop_desktop.store.models import ConfirmationToken, Membership, User
from secop_desktop.views.escritorio import Escritorio
from secop_desktop.views.launcher import SignInRouter
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import ForgotPasswordDialog, StartWindow
from tests.conftest import FakeClock, active_user, as_actor
from tests.factories import company_form
from tests.package_fixtures import export, seed_registration
from tests.wizard_fixtures import by_name, click, error_beside, field, type_in, wizard_button

NUEVA = "Nueva2024clave"


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


def start_window(qtbot: QtBot, services: Services) -> StartWindow:
    window = StartWindow(services, ask=lambda _: True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def open_forgot(qtbot: QtBot, window: StartWindow, usuario: str) -> ForgotPasswordDialog:
    type_in(qtbot, by_name(window, QLineEdit, "Nombre de usuario"), usuario)
    click(qtbot, by_name(window, QPushButton, "Olvidé mi contraseña"))
    dialog = window.dialog
    assert isinstance(dialog, ForgotPasswordDialog)
    qtbot.waitExposed(dialog)
    return dialog


def reset_message_code(services: Services, uid: int) -> str:
    """The code as the user reads it in the Buzón: the last word of the newest message that carries one."""
    with services.db.session() as s:
        bodies = [m.cuerpo for m in outbox.inbox(s, uid) if m.clase in ("restablecer", "activacion")]
    for body in bodies:
        found = re.search(r"(?:use este código|con este código): ([A-Z0-9]+)", body)
        if found:
            return found.group(1)
    raise AssertionError(f"no reset code in the Buzón: {bodies}")


# --- 1. Olvidé mi contraseña: Ya tengo un código -----------------------------------------------------

def test_ya_tengo_un_codigo_resets_with_the_code_from_the_buzon(qtbot: QtBot, sqlite_services: Services,
                                                                 clock: FakeClock) -> None:
    uid = active_user(sqlite_services)
    sqlite_services.users.request_password_reset("victor_2018", "Firulais")
    code = reset_message_code(sqlite_services, uid)
    window = start_window(qtbot, sqlite_services)
    dialog = open_forgot(qtbot, window, "victor_2018")

    codigo = by_name(dialog, QLineEdit, "Código", visible=False)
    assert not codigo.isVisible()  # only Usuario at first
    click(qtbot, by_name(dialog, QPushButton, "Ya tengo un código"))
    assert codigo.isVisible() and dialog.focusWidget() is codigo
    assert not by_name(dialog, QLineEdit, "Respuesta de seguridad", visible=False).isVisible()
    assert not by_name(dialog, QPushButton, "Ya tengo un código", visible=False).isVisible()
    nueva = by_name(dialog, QLineEdit, "Nueva contraseña")
    confirmar = by_name(dialog, QLineEdit, "Confirmar contraseña")
    restablecer = by_name(dialog, QPushButton, "Restablecer contraseña")

    click(qtbot, restablecer)  # nothing typed
    assert error_beside(codigo) == "Escriba el código que recibió."

    type_in(qtbot, codigo, "ZZZZ2222")
    type_in(qtbot, nueva, NUEVA)
    type_in(qtbot, confirmar, NUEVA)
    click(qtbot, restablecer)
    assert error_beside(codigo) == CODE_INVALID
    assert (codigo.text(), nueva.text()) == ("ZZZZ2222", NUEVA)  # typed text stays

    type_in(qtbot, codigo, code.lower())
    type_in(qtbot, confirmar, NUEVA + "x")
    click(qtbot, restablecer)
    assert error_beside(confirmar) == "Las contraseñas no coinciden."
    assert error_beside(codigo) == ""

    type_in(qtbot, nueva, "corta")
    type_in(qtbot, confirmar, "corta")
    click(qtbot, restablecer)
    assert error_beside(nueva) != "" and error_beside(confirmar) == ""

    usuario = by_name(dialog, QLineEdit, "Usuario")
    usuario.clear()
    click(qtbot, restablecer)
    assert error_beside(usuario) == "Escriba su usuario."
    type_in(qtbot, usuario, "victor_2018")

    type_in(qtbot, nueva, NUEVA)
    type_in(qtbot, confirmar, NUEVA)
    with qtbot.waitSignal(dialog.password_reset) as reset:
        qtbot.keyClick(confirmar, Qt.Key.Key_Return)
    assert reset.args == ["victor_2018"]
    assert "Su contraseña fue restablecida." in by_name(dialog, QLabel, "Resultado").text()
    assert all(error_beside(w) == "" for w in (usuario, codigo, nueva, confirmar))
    assert (nueva.text(), confirmar.text()) == ("", "")

    # Stored: the code is spent, the new password works and the old one no longer does.
    with sqlite_services.db.session() as s:
        token = s.scalars(select(ConfirmationToken).where(ConfirmationToken.user_id == uid,
                                                          ConfirmationToken.proposito == "restablecer")).one()
        assert token.usado_en == clock.now and code not in token.codigo_hash
    assert sqlite_services.users.profile(sqlite_services.users.sign_in("victor_2018", NUEVA)).id == uid
    with pytest.raises(ServiceError):
        sqlite_services.users.sign_in("victor_2018", "Secop2018x")

    # The same code a second time is refused beside Código.
    assert codigo.text() == ""  # a spent code is not left on screen
    type_in(qtbot, codigo, code)
    type_in(qtbot, nueva, NUEVA + "2")
    type_in(qtbot, confirmar, NUEVA + "2")
    click(qtbot, restablecer)
    assert error_beside(codigo) == CODE_INVALID
    dialog.close()


@pytest.fixture
def origen(tmp_path: Path, clock: FakeClock) -> Iterator[Services]:
    sv = Services.open(f"sqlite:///{tmp_path / 'origen.sqlite3'}", tmp_path / "origen", clock=clock)
    yield sv
    sv.close()


def test_imported_user_without_an_answer_resets_with_the_code_of_the_import(
        qtbot: QtBot, sqlite_services: Services, origen: Services, tmp_path: Path) -> None:
    entity_id = seed_registration(origen, tmp_path / "archivos")
    path = export(origen, entity_id, tmp_path / "registro.secop").path
    sqlite_services.packages.import_(System("prueba"), path)
    with sqlite_services.db.session() as s:
        uid = s.scalars(select(User.id).where(User.usuario == "leonardo.neira")).one()
        activation = next(m.enlace for m in outbox.inbox(s, uid) if m.clase == "activacion")
    code = reset_message_code(sqlite_services, uid)

    window = start_window(qtbot, sqlite_services)
    dialog = open_forgot(qtbot, window, "leonardo.neira")
    # The question route cannot work: no answer travelled in the package.
    click(qtbot, by_name(dialog, QPushButton, "Continuar"))
    respuesta = by_name(dialog, QLineEdit, "Respuesta de seguridad")
    type_in(qtbot, respuesta, "3102585654")
    type_in(qtbot, by_name(dialog, QLineEdit, "Nueva contraseña"), NUEVA)
    type_in(qtbot, by_name(dialog, QLineEdit, "Confirmar contraseña"), NUEVA)
    click(qtbot, by_name(dialog, QPushButton, "Restablecer contraseña"))
    assert error_beside(respuesta) == "La respuesta de seguridad no es correcta."

    click(qtbot, by_name(dialog, QPushButton, "Ya tengo un código"))
    assert not respuesta.isVisible()
    # The import's message is the owner's: the Buzón asks for a password, it never shows the code by usuario.
    click(qtbot, by_name(dialog, QPushButton, "Abrir Buzón"))
    assert dialog.buzon is not None
    assert dialog.buzon.widget.actor is None and code not in dialog.buzon.widget.reader.toPlainText()
    dialog.buzon.close()

    type_in(qtbot, by_name(dialog, QLineEdit, "Código"), code)
    type_in(qtbot, by_name(dialog, QLineEdit, "Nueva contraseña"), NUEVA)
    type_in(qtbot, by_name(dialog, QLineEdit, "Confirmar contraseña"), NUEVA)
    click(qtbot, by_name(dialog, QPushButton, "Restablecer contraseña"))
    assert "Su contraseña fue restablecida." in by_name(dialog, QLabel, "Resultado").text()
    assert window.usuario.text() == "leonardo.neira"
    dialog.close()

    # The code came by the owner's channel: choosing the password with it also activated the account,
    # and the activation link of the import is spent.
    assert sqlite_services.users.profile(sqlite_services.users.sign_in("leonardo.neira", NUEVA)).id == uid
    with pytest.raises(ServiceError, match="expiró"):
        sqlite_services.users.confirm(activation or "")


# --- 2. Entrar without an Entity: the third section ---------------------------------------------------

def sign_in(qtbot: QtBot, window: StartWindow, usuario: str) -> None:
    type_in(qtbot, by_name(window, QLineEdit, "Nombre de usuario"), usuario)
    type_in(qtbot, by_name(window, QLineEdit, "Contraseña"), "Secop2018x")
    click(qtbot, by_name(window, QPushButton, "Entrar"))


def test_user_without_entity_lands_in_the_third_section_then_the_escritorio(
        qtbot: QtBot, sqlite_services: Services) -> None:
    admin = active_user(sqlite_services, "admin_hh")
    entity = sqlite_services.entities.create(as_actor(sqlite_services, admin), company_form("H&H Asociados", "800111202"))
    leonardo = active_user(sqlite_services, "leonardo", nombre="Leonardo Neira")
    window = start_window(qtbot, sqlite_services)
    router = SignInRouter(window, sqlite_services)

    sign_in(qtbot, window, "leonardo")
    assert router.escritorios == []
    assert len(window.wizards) == 1
    wizard = window.wizards[0]
    qtbot.waitExposed(wizard)
    assert wizard.currentPage() is wizard.pages[flow.BUSCAR_ENTIDAD]
    assert wizard.flow.actor is not None and wizard.flow.actor.user_id == leonardo
    assert "Validar si mi entidad ya existe" in wizard.windowTitle()

    sign_in(qtbot, window, "leonardo")  # again: the same registration comes back, not a second one
    assert window.wizards == [wizard] and router.escritorios == []

    field(wizard, "Nombre de la Entidad").clear()
    type_in(qtbot, field(wizard, "NIT"), "800111202")
    click(qtbot, field(wizard, "Validar", QPushButton))
    click(qtbot, field(wizard, "Solicitud de acceso", QPushButton))
    click(qtbot, wizard_button(wizard, "Finalizar"))

    assert len(router.escritorios) == 1
    escritorio = router.escritorios[0]
    qtbot.addWidget(escritorio)
    assert isinstance(escritorio, Escritorio) and escritorio.isVisible()
    assert escritorio.user.id == leonardo
    assert not wizard.isVisible()
    qtbot.waitUntil(lambda: window.wizards == [])
    with sqlite_services.db.session() as s:
        m = s.scalars(select(Membership).where(Membership.user_id == leonardo)).one()
        assert (m.entity_id, m.acceso) == (entity.id, "Pendiente")


def test_user_with_entity_lands_in_the_escritorio(qtbot: QtBot, sqlite_services: Services) -> None:
    admin = active_user(sqlite_services, "admin_hh")
    sqlite_services.entities.create(as_actor(sqlite_services, admin), company_form("H&H Asociados", "800111202"))
    window = start_window(qtbot, sqlite_services)
    router = SignInRouter(window, sqlite_services)

    with qtbot.waitSignal(window.signed_in) as signed:
        sign_in(qtbot, window, "admin_hh")
    assert signed.args[0].id == admin  # the signal's contract is unchanged
    assert window.wizards == []
    assert len(router.escritorios) == 1
    escritorio = router.escritorios[0]
    qtbot.addWidget(escritorio)
    assert isinstance(escritorio, Escritorio) and escritorio.isVisible() and escritorio.user.id == admin
    assert "Registro" in [a.text().replace("&", "") for a in escritorio.menuBar().actions()]


# --- 3. Mnemonics of the Anexar documentos page -------------------------------------------------------

def mnemonic(text: str) -> str | None:
    found = re.search(r"&([^&\s])", text.replace("&&", ""))
    return found.group(1).lower() if found else None


def test_attachments_page_buttons_do_not_share_mnemonics(qtbot: QtBot, sqlite_services: Services,
                                                         tmp_path: Path) -> None:
    from tests.wizard_fixtures import page, signed_in_wizard, to_entity_form, write_pdfs

    wizard = signed_in_wizard(qtbot, sqlite_services, confirm=lambda _: True)
    to_entity_form(qtbot, wizard, "Sociedad Anónima Abierta colombiana")
    page(wizard).form_widget.set_form(company_form("F&F asociados", "900373913",
                                                   tipo_organizacion="Sociedad Anónima Abierta colombiana"))
    click(qtbot, wizard_button(wizard, "Siguiente"))
    assert wizard.currentPage() is wizard.pages[flow.DOCUMENTOS]
    panel = wizard.pages[flow.DOCUMENTOS].panel
    assert panel is not None
    # One document stored (straight through the service: no copy thread needed for this check) so that
    # Abrir and Borrar documento are shown as well.
    pdf = write_pdfs(tmp_path / "rup", 1)[0]
    assert wizard.flow.actor is not None
    sqlite_services.documents.attach(wizard.flow.actor, "rup", pdf, entity_id=int(wizard.flow.data["entity_id"]))
    panel.refresh()
    first = next(b for b in panel.findChildren(QPushButton)
                 if b.text().replace("&", "") == "Anexar documento" and b.isVisible())

    buttons = [b for b in wizard.findChildren(QAbstractButton) if b.isVisible()]
    texts = {b.text() for b in buttons}
    plain = {t.replace("&", "").strip("<> ") for t in texts}
    assert {"Atrás", "Finalizar", "Cancelar", "Anexar documento", "Abrir", "Borrar documento"} <= plain
    by_letter: dict[str, set[str]] = {}
    for text in texts:
        letter = mnemonic(text)
        if letter is not None:
            # The rows repeat the same words (Alt cycles through them); different words must not share a letter.
            by_letter.setdefault(letter, set()).add(text)
    clashes = {letter: words for letter, words in by_letter.items() if len(words) > 1}
    assert clashes == {}
    # The wizard's Cancelar shows no mnemonic, yet Alt+C stays clear for it too.
    assert mnemonic(wizard.button(QWizard.WizardButton.CancelButton).text()) is None and "c" not in by_letter

    # The panel's words stay the guide's, also for the Cancelar of a running copy.
    row_words = {b.text().replace("&", "") for b in panel.findChildren(QPushButton)}
    assert row_words == {"Anexar documento", "Abrir", "Borrar documento", "Cancelar"}
    cancelar = next(b for b in panel.findChildren(QPushButton) if b.text().replace("&", "") == "Cancelar")
    # Five rows share these words: no Alt+letter could tell them apart, the focus path does.
    assert mnemonic(cancelar.text()) is None and mnemonic(first.text()) is None

    # Alt+A is Atrás alone again: it goes back to the form instead of landing on a row's button.
    wizard.activateWindow()  # mnemonics act in the active window only
    qtbot.waitUntil(lambda: QApplication.activeWindow() is wizard, timeout=3000)
    qtbot.keyClick(QApplication.focusWidget() or wizard, "a", Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.pages[flow.FORMULARIO], timeout=3000)
    assert field(wizard, "NIT").text() == "900373913"
