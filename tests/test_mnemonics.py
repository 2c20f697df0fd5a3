"""Alt+letter reaches one thing per window: no two visible, enabled mnemonics of a window share a letter.

Walks every main window and dialog as the app shows them (menus included, as the launcher adds them),
and every page of the registration wizard, collecting the clashes of all of them before failing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QDialog, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from secop_desktop.core.registration import flow
from secop_desktop.core.services import Services
from secop_desktop.views import launcher
from secop_desktop.views.admin_window import AdminWindow
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from tests.admin_fixtures import admin_account
from tests.conftest import as_actor
from tests.mnemonics import clashes, mnemonic
from tests.wizard_fixtures import (
    Chooser,
    attach_all,
    choose,
    click,
    confirm_and_sign_in,
    field,
    fill_step1,
    shown_errors,
    type_in,
    wizard_button,
    write_pdfs,
)


@pytest.fixture(autouse=True)
def spanish() -> None:
    application()


class Walk:
    """Collects each window's clashes under a name saying where they were seen."""

    def __init__(self, qtbot: QtBot) -> None:
        self.qtbot = qtbot
        self.found: dict[str, dict[str, list[str]]] = {}

    def show(self, window: QWidget) -> None:
        self.qtbot.addWidget(window)
        window.show()
        self.qtbot.waitExposed(window)

    def check(self, where: str, window: QWidget) -> None:
        QApplication.processEvents()
        found = clashes(window)
        if found:
            self.found[where] = found

    def report(self) -> str:
        return "\n".join(f"{where}: Alt+{letter.upper()} → {', '.join(what)}"
                         for where, found in self.found.items() for letter, what in found.items())


@pytest.fixture
def walk(qtbot: QtBot) -> Iterator[Walk]:
    yield Walk(qtbot)


def test_mnemonic_reads_the_letter_after_a_single_ampersand() -> None:
    assert mnemonic("Ane&xar documento") == "x"
    assert mnemonic("H&&H Asociados") is None
    assert mnemonic("F&&F &asociados") == "a"
    assert mnemonic("Siguiente") is None


def test_no_window_has_two_things_on_one_alt_letter(qtbot: QtBot, sqlite_services: Services, tmp_path: Path,
                                                   walk: Walk) -> None:
    services = sqlite_services
    account = admin_account(services, "admin_hh")
    admin = as_actor(services, account.admin_id)

    # The start window with its launcher menus, and the dialogs it opens.
    started = launcher._Started()
    start = launcher._main_window(services, started, admin=False, capacitacion=False)
    walk.show(start)
    walk.check("Ventana de inicio", start)
    assert isinstance(start, StartWindow)
    olvide_usuario = start.forgot_usuario()
    walk.check("Olvidé mi usuario", olvide_usuario)
    olvide_usuario.close()
    olvide_contrasena = start.forgot_password()
    walk.check("Olvidé mi contraseña", olvide_contrasena)
    olvide_contrasena.use_code()
    walk.check("Olvidé mi contraseña (Ya tengo un código)", olvide_contrasena)
    olvide_contrasena.close()
    buzon = start.open_buzon()
    walk.check("Buzón", buzon)
    buzon.close()

    from secop_desktop.views.about import AboutDialog
    from secop_desktop.views.connection_dialog import ConnectionDialog
    from secop_desktop.views.package_dialogs import ExportDialog, ImportDialog
    from secop_desktop.views.smtp_dialog import SmtpDialog

    dialogs: list[tuple[str, QDialog]] = [
        ("Acerca de", AboutDialog(services.data_dir, parent=start)),
        ("Configuración de conexión", ConnectionDialog(tmp_path / "conexion", parent=start)),
        ("Configuración de correo", SmtpDialog(tmp_path / "correo", parent=start)),
        ("Importar registro", ImportDialog(services, admin, parent=start)),
        ("Exportar registro", ExportDialog(services, admin, [(account.entity_id, account.nombre)], parent=start)),
    ]
    for title, dialog in dialogs:
        walk.show(dialog)
        walk.check(title, dialog)
        if isinstance(dialog, ConnectionDialog):
            for index in range(dialog.findChild(QComboBox).count() if dialog.findChild(QComboBox) else 0):
                dialog.findChild(QComboBox).setCurrentIndex(index)
                walk.check(f"{title} ({dialog.findChild(QComboBox).currentText()})", dialog)
        dialog.close()

    # The Escritorio as the router opens it, on every page of its side menu.
    router = started.router
    assert router is not None
    escritorio = router.open_escritorio(services.users.profile(admin))
    walk.show(escritorio)
    from secop_desktop.views import escritorio as escritorio_module

    for name in (escritorio_module.INICIO, escritorio_module.MIS_REGISTROS, escritorio_module.BUZON,
                 escritorio_module.MESA, *sorted(escritorio_module.ENTITY_PAGES)):
        escritorio.show_page(name)
        walk.check(f"Escritorio → {name}", escritorio)
    admin_window = escritorio.open_admin()
    assert admin_window is not None
    walk.show(admin_window)
    walk.check("Administración de usuarios", admin_window)
    admin_window.tabs.setCurrentIndex(1)
    walk.check("Administración de usuarios → Últimas modificaciones", admin_window)
    from secop_desktop.views.create_user_dialog import CreateUserDialog

    crear = CreateUserDialog(services.access, admin, account.entity_id, account.nombre, admin_window)
    walk.show(crear)
    walk.check("Crear usuarios", crear)
    crear.close()
    admin_window.close()
    escritorio.close()

    # The administration window started on its own: sign-in, choice of account.
    own = launcher._main_window(services, launcher._Started(), admin=True, capacitacion=False)
    walk.show(own)
    walk.check("Administración de usuarios (entrar)", own)
    assert isinstance(own, AdminWindow)
    own.stack.setCurrentWidget(own.account_page)
    walk.check("Administración de usuarios (seleccione la cuenta)", own)
    own.close()

    # Every page of the registration wizard, persona natural and company forms.
    wizard = start.open_wizard()
    wizard.file_chooser = Chooser(write_pdfs(tmp_path / "docs"))
    walk.check("Registro → Registrar usuario", wizard)
    fill_step1(qtbot, wizard, nombre="Jonathan Ruiz", usuario="jruiz", entidad="Jonathan Ruiz")
    click(qtbot, wizard_button(wizard, "Continuar"))
    walk.check("Registro → Confirmar registro", wizard)
    confirm_and_sign_in(qtbot, wizard)
    walk.check("Registro → Validar si mi entidad ya existe", wizard)
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), account.nombre)
    click(qtbot, field(wizard, "Validar", QPushButton))
    assert field(wizard, "Solicitud de acceso", QPushButton).isVisible()
    walk.check("Registro → Validar si mi entidad ya existe (encontrada: Solicitud de acceso)", wizard)
    type_in(qtbot, field(wizard, "Nombre de la Entidad"), "Ruiz y Cía")
    click(qtbot, field(wizard, "Validar de nuevo", QPushButton))
    walk.check("Registro → Validar si mi entidad ya existe (no encontrada: Registrar Entidad)", wizard)
    click(qtbot, field(wizard, "Registrar Entidad", QPushButton))
    choose(qtbot, field(wizard, "Tipo de organización", QComboBox), "Sociedad Anónima Abierta colombiana")
    click(qtbot, field(wizard, "Generar formulario", QPushButton))
    walk.check("Registro → formulario de una sociedad", wizard)
    click(qtbot, wizard_button(wizard, "Atrás"))
    walk.check("Registro → Tipo de organización", wizard)
    choose(qtbot, field(wizard, "Tipo de organización", QComboBox), "Persona natural colombiana")
    click(qtbot, field(wizard, "Generar formulario", QPushButton))
    walk.check("Registro → formulario de persona natural", wizard)
    fill_persona_natural(qtbot, wizard)
    click(qtbot, wizard_button(wizard, "Siguiente"))
    assert wizard.current_view() == flow.DOCUMENTOS, shown_errors(wizard)
    walk.check("Registro → Anexar documentos", wizard)
    attach_all(qtbot, wizard)
    walk.check("Registro → Anexar documentos (completos)", wizard)
    click(qtbot, wizard_button(wizard, "Finalizar"))
    walk.check("Registro → Felicitaciones", wizard)
    wizard.close()
    assert not walk.found, "\n" + walk.report()


def fill_persona_natural(qtbot: QtBot, wizard: QWidget) -> None:
    type_in(qtbot, field(wizard, "NIT"), "1032387714")
    click(qtbot, field(wizard, "Mipyme: Sí", QAbstractButton))
    choose(qtbot, field(wizard, "Régimen tributario", QComboBox), "No responsable de IVA")
    choose(qtbot, field(wizard, "Departamento", QComboBox), "Antioquia")
    choose(qtbot, field(wizard, "Municipio", QComboBox), "Medellín")
    for label, text in {"Dirección": "Carrera 43A # 1-50", "Código postal": "050021",
                        "Correo electrónico de la oficina": "felipe@ruiz.co",
                        "Teléfono de oficina": "+57 604 4440000",
                        "Correo electrónico para notificaciones SECOPII": "avisos@ruiz.co"}.items():
        type_in(qtbot, field(wizard, label), text)
