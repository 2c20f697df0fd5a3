"""Buscar proveedor through its widgets: the box, the one screen, the checklist, the admin window, the hooks."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QMainWindow, QPushButton, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from secop_desktop.core.access.service import Accion
from secop_desktop.core.identity import SignedIn, System
from secop_desktop.core.services import Services
from secop_desktop.views.admin_window import AdminWindow
from secop_desktop.views.escritorio import open_escritorio
from secop_desktop.views.lookup_window import LookupWindow, add_lookup_action
from secop_desktop.views.start_window import StartWindow
from tests.admin_fixtures import Account, admin_account, requester
from tests.conftest import active_user, as_actor
from tests.test_admin_window import Confirmations


def by_name(widget: QWidget, cls: type, name: str):  # type: ignore[no-untyped-def]
    found = [w for w in widget.findChildren(cls) if w.isVisibleTo(widget) and (
        w.accessibleName() == name or (isinstance(w, QPushButton) and w.text().replace("&", "") == name))]
    assert len(found) == 1, f"{name!r}: {len(found)} widgets"
    return found[0]


def cells(table: QTableWidget, column: int) -> list[str]:
    return [table.item(r, column).text() for r in range(table.rowCount())]


def items(widget: QListWidget) -> list[str]:
    return [widget.item(r).text() for r in range(widget.count())]


@pytest.fixture
def andina(sqlite_services: Services, tmp_path: Path) -> Account:
    account = admin_account(sqlite_services, "admin_andina", "Ferretería Andina S.A.S.", "800111202")
    admin = as_actor(sqlite_services, account.admin_id)
    _, mid = requester(sqlite_services, account, "proveedor_andina", "Pedro Proveedor")
    sqlite_services.access.apply(admin, account.entity_id, Accion.ACEPTAR, [mid])
    requester(sqlite_services, account, "espera_andina", "Sara Solicitante")
    pdf = tmp_path / "experiencia.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b" " * 200)
    sqlite_services.documents.attach(admin, "experiencia", pdf, entity_id=account.entity_id)
    return account


@pytest.fixture
def agent(sqlite_services: Services) -> SignedIn:
    actor = as_actor(sqlite_services, active_user(sqlite_services, "agente_mesa", nombre="Marta Mesa"))
    sqlite_services.lookup.grant_agent(System("pruebas"), "agente_mesa")
    return actor


def open_window(qtbot: QtBot, services: Services, actor: SignedIn) -> LookupWindow:
    window = LookupWindow(services, actor)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def search(qtbot: QtBot, window: LookupWindow, text: str) -> None:
    box = by_name(window, QLineEdit, "Buscar proveedor")
    box.clear()
    box.setFocus()
    qtbot.keyClicks(box, text)
    with qtbot.waitSignal(window.search_done, timeout=10_000):
        qtbot.keyClick(box, Qt.Key.Key_Return)  # Enter searches


def test_the_box_is_labelled_as_the_help_desk_calls_it(qtbot: QtBot, sqlite_services: Services, agent: SignedIn) -> None:
    window = open_window(qtbot, sqlite_services, agent)
    box = by_name(window, QLineEdit, "Buscar proveedor")
    assert "Buscar proveedor" in [lbl.text().replace("&", "").rstrip(":") for lbl in window.findChildren(QLabel)
                                  if lbl.buddy() is box]
    assert window.focusWidget() is box  # typing starts at once


def test_an_agent_sees_the_supplier_on_one_screen_read_only(qtbot: QtBot, sqlite_services: Services, andina: Account,
                                                             agent: SignedIn) -> None:
    window = open_window(qtbot, sqlite_services, agent)
    search(qtbot, window, "800.111.202-9")
    assert "Buscado como NIT: 1 proveedor" in by_name(window, QLabel, "Resultado de la búsqueda").text()
    assert "Ferretería Andina S.A.S." in by_name(window, QLabel, "Entidad").text()
    users = by_name(window, QTableWidget, "Usuarios y acceso a la cuenta")
    assert sorted(zip(cells(users, 0), cells(users, 4), strict=True)) == [
        ("admin_andina", "Aceptado"), ("espera_andina", "Pendiente"), ("proveedor_andina", "Aceptado")]
    assert cells(by_name(window, QTableWidget, "Solicitudes de acceso pendientes"), 0) == ["espera_andina"]
    assert items(by_name(window, QListWidget, "Documentos obligatorios faltantes")) == [
        "Capacidad financiera y organizacional", "Estados financieros", "Existencia y representación legal"]
    assert "Entidad registrada" in cells(by_name(window, QTableWidget, "Últimas acciones"), 2)
    admin_button = by_name(window, QPushButton, "Administración de usuarios")
    assert not admin_button.isEnabled()
    assert by_name(window, QLabel, "Permisos").text() == "Solo lectura: usted no es administrador de esta Entidad."
    qtbot.mouseClick(by_name(window, QPushButton, "Lista de verificación"), Qt.MouseButton.LeftButton)
    dialog = window.dialogs[-1]
    qtbot.waitExposed(dialog)
    lines = items(by_name(dialog, QListWidget, "Lista de verificación"))
    assert "✓ Experiencia" in lines and "✗ Estados financieros: Anexe este documento." in lines


def test_a_name_typed_any_way_and_nothing_found_keeps_the_text(qtbot: QtBot, sqlite_services: Services,
                                                               andina: Account, agent: SignedIn) -> None:
    window = open_window(qtbot, sqlite_services, agent)
    search(qtbot, window, "FERRETERIA ANDINA SAS")
    assert items(by_name(window, QListWidget, "Proveedores encontrados")) == [
        "Ferretería Andina S.A.S. · NIT 800111202"]
    search(qtbot, window, "Constructora Bolivar")
    assert by_name(window, QLabel, "Resultado de la búsqueda").text() == \
        "No se encontró ningún proveedor para «Constructora Bolivar»."
    assert by_name(window, QLineEdit, "Buscar proveedor").text() == "Constructora Bolivar"
    assert not by_name(window, QPushButton, "Lista de verificación").isEnabled()


def test_an_administrator_may_open_the_admin_window_of_their_entity(qtbot: QtBot, sqlite_services: Services,
                                                                    andina: Account) -> None:
    window = open_window(qtbot, sqlite_services, as_actor(sqlite_services, andina.admin_id))
    search(qtbot, window, "espera_andina")
    assert "Buscado como usuario" in by_name(window, QLabel, "Resultado de la búsqueda").text()
    admin_button = by_name(window, QPushButton, "Administración de usuarios")
    assert admin_button.isEnabled()
    qtbot.mouseClick(admin_button, Qt.MouseButton.LeftButton)
    admin = window.dialogs[-1]
    assert isinstance(admin, AdminWindow) and admin.entity_id == andina.entity_id
    admin.close()


def menu_action(window: QMainWindow, text: str) -> QAction | None:
    found = [a for m in window.menuBar().actions() if m.menu() and m.isVisible() for a in m.menu().actions()
             if a.text() == text]
    return found[0] if found else None


def test_the_escritorio_offers_the_lookup_to_an_administrator_only(qtbot: QtBot, sqlite_services: Services,
                                                                   andina: Account) -> None:
    admin = open_escritorio(sqlite_services, as_actor(sqlite_services, andina.admin_id), confirm=Confirmations())
    qtbot.addWidget(admin)
    qtbot.waitExposed(admin)
    admin.activateWindow()
    qtbot.waitUntil(admin.isActiveWindow)  # keyboard shortcuts only reach the active window
    action = menu_action(admin, "Buscar proveedor")
    assert action is not None and action.shortcut().toString() == "Ctrl+F"
    qtbot.keyClick(admin, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert admin.lookup.opened and admin.lookup.opened[-1].isVisible()
    admin.lookup.opened[-1].close()
    requester_id, mid = requester(sqlite_services, andina, "otro_proveedor", "Otro Proveedor")
    sqlite_services.access.apply(as_actor(sqlite_services, andina.admin_id), andina.entity_id, Accion.ACEPTAR, [mid])
    plain = open_escritorio(sqlite_services, as_actor(sqlite_services, requester_id), confirm=Confirmations())
    qtbot.addWidget(plain)
    assert menu_action(plain, "Buscar proveedor") is None


def test_the_start_window_shows_the_lookup_after_an_agent_signs_in(qtbot: QtBot, sqlite_services: Services,
                                                                   agent: SignedIn) -> None:
    start = StartWindow(sqlite_services)
    qtbot.addWidget(start)
    launcher = add_lookup_action(start, sqlite_services, lambda: start.actor, start.signed_in)
    start.show()
    assert menu_action(start, "Buscar proveedor") is None  # nobody signed in yet
    qtbot.keyClicks(by_name(start, QLineEdit, "Nombre de usuario"), "agente_mesa")
    qtbot.keyClicks(by_name(start, QLineEdit, "Contraseña"), "Secop2018x")
    with qtbot.waitSignal(start.signed_in):
        qtbot.mouseClick(by_name(start, QPushButton, "Entrar"), Qt.MouseButton.LeftButton)
    action = menu_action(start, "Buscar proveedor")
    assert action is not None
    action.trigger()
    assert launcher.opened and launcher.opened[-1].actor.usuario == "agente_mesa"
    launcher.opened[-1].close()
