"""The Escritorio through its real widgets: accounts, Mis registros, the entity's pages, Buzón, admin window."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QWidget,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.access import audit
from secop_desktop.core.access.service import Accion
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.dates import format_elapsed
from secop_desktop.core.services import Services
from secop_desktop.store.models import Setting
from secop_desktop.views import contrast
from secop_desktop.views.attachments_panel import AttachmentsPanel
from secop_desktop.views.escritorio import Escritorio, open_escritorio
from secop_desktop.views.escritorio_inicio import PERSONA_NATURAL, SIN_ASOCIAR, YA_ASOCIADO
from tests.admin_fixtures import Account, admin_account, requester
from tests.conftest import FakeClock, active_user, as_actor
from tests.factories import company_form, persona_natural_form
from tests.test_admin_window import Confirmations, by_name, click, click_row, message_text, table_texts


@pytest.fixture
def account(sqlite_services: Services) -> Account:
    return admin_account(sqlite_services)


@pytest.fixture
def escritorio(qtbot: QtBot, sqlite_services: Services) -> Callable[..., Escritorio]:
    def factory(user_id: int, confirm: Confirmations | None = None, **seams: object) -> Escritorio:
        window = open_escritorio(sqlite_services, as_actor(sqlite_services, user_id),
                                 confirm=confirm or Confirmations(), **seams)
        qtbot.addWidget(window)
        qtbot.waitExposed(window)
        return window
    return factory


def menu(window: Escritorio, text: str) -> QAction:
    found = [a for m in window.menuBar().actions() if m.menu() for a in m.menu().actions()
             if a.text() == text]
    assert len(found) == 1, text
    return found[0]


def rows(table: QTableWidget) -> list[list[str]]:
    return [[table.item(r, c).text() if table.item(r, c) else "" for c in range(table.columnCount())]
            for r in range(table.rowCount())]


def shown(window: QWidget, name: str) -> str:
    return by_name(window, QLabel, name).text()


# --- access: request, accept, see it --------------------------------------------------------------

def test_request_accept_and_see_it_in_mis_registros_and_buzon(
        qtbot: QtBot, sqlite_services: Services, account: Account, clock: FakeClock,
        escritorio: Callable[..., Escritorio]) -> None:
    felipe = active_user(sqlite_services, "felipe", nombre="Jonathan Felipe Ruiz Fernandez")
    mine = escritorio(felipe)
    assert SIN_ASOCIAR in shown(mine, "Sugerencias SECOP")
    assert not mine.entity_menu.isEnabled()
    menu(mine, "Mis registros").trigger()
    click(qtbot, mine, "Nuevo registro")
    qtbot.keyClicks(by_name(mine, QLineEdit, "Entidad Estatal/Proveedor"), "h&h asoc")
    click(qtbot, mine, "Buscar")
    found = by_name(mine, QListWidget, "Entidades encontradas")
    assert found.count() == 1 and found.item(0).text() == "H&H Asociados\nCOLOMBIA | Bogotá, D.C. NIT: 800111202"
    click(qtbot, mine, "Solicitar")
    assert "Se envió su solicitud de acceso a H&H Asociados" in message_text(mine)
    table = by_name(mine, QTableWidget, "Mis registros")
    requested = format_elapsed(clock(), clock())
    assert rows(table) == [["800111202", "H&H Asociados", requested, "", "Pendiente"]]
    click(qtbot, mine, "Solicitar")
    assert "Ya tiene una solicitud pendiente para H&H Asociados." in message_text(mine)

    clock.advance(days=15)
    admin = escritorio(account.admin_id)
    notice = shown(admin, "Solicitudes de acceso")
    assert notice == ("El usuario Jonathan Felipe Ruiz Fernandez (felipe@example.com) está solicitando acceso")
    click(qtbot, admin, "Aceptar usuarios")
    window = admin.admin_window
    assert window is not None and window.panel is not None and window.isVisible()
    click_row(qtbot, window.panel, "Jonathan Felipe Ruiz Fernandez")
    click(qtbot, window, "Aceptar acceso")
    assert table_texts(window.panel, 0) == []  # accepted: out of «Pendiente»
    assert not admin.inicio.requests_box.isVisibleTo(admin)  # the Escritorio follows the admin window

    menu(mine, "Mis registros").trigger()
    accepted = format_elapsed(clock(), clock())
    assert rows(table) == [["800111202", "H&H Asociados",
                            "15 días de tiempo transcurrido (23/01/2017 03:41:30 PM(UTC-05:00) Bogotá, Lima, Quito)",
                            accepted, "Aceptado"]]
    menu(mine, "Buzón").trigger()
    inbox = by_name(mine, QListWidget, "Mensajes")
    assert inbox.item(0).text().startswith("Su solicitud de acceso fue aceptada")
    mine.load_accounts()
    assert by_name(mine, QComboBox, "Cuenta").currentText() == "H&H Asociados"
    assert shown(mine, "Rol") == "Rol: Proveedor"
    menu(mine, "Ir al escritorio").trigger()
    assert YA_ASOCIADO in shown(mine, "Sugerencias SECOP")


def test_buzon_unread_count_follows_reading(qtbot: QtBot, sqlite_services: Services, account: Account,
                                           escritorio: Callable[..., Escritorio]) -> None:
    requester(sqlite_services, account, "felipe", "Jonathan Felipe Ruiz Fernandez")
    window = escritorio(account.admin_id)
    with sqlite_services.db.session() as s:
        unread = outbox.unread_count(s, account.admin_id)
    assert unread == 3  # activation, entity confirmation, the access request
    button = by_name(window, QPushButton, "Buzón")
    assert button.text() == "Buzón (3)"
    assert window.inicio.tiles["Mensajes sin leer"].accessibleDescription() == "3 Mensajes sin leer"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    inbox = by_name(window, QListWidget, "Mensajes")
    inbox.setCurrentRow(0)
    assert button.text() == "Buzón (2)"
    with sqlite_services.db.session() as s:
        assert outbox.unread_count(s, account.admin_id) == 2


# --- several accounts ----------------------------------------------------------------------------

def test_account_switcher_with_a_union_temporal(qtbot: QtBot, sqlite_services: Services, account: Account,
                                                escritorio: Callable[..., Escritorio]) -> None:
    other = admin_account(sqlite_services, "admin_ut", "UT 2017", "", admin_nombre="Ana Rojas",
                          tipo_organizacion="Unión temporal", nombre_abreviado="UT")
    uid, hh = requester(sqlite_services, account, "felipe", "Jonathan Felipe Ruiz Fernandez")
    ut = sqlite_services.entities.request_access(as_actor(sqlite_services, uid), other.entity_id).membership_id
    sqlite_services.access.apply(as_actor(sqlite_services, account.admin_id), account.entity_id, Accion.ACEPTAR, [hh])
    sqlite_services.access.apply(as_actor(sqlite_services, other.admin_id), other.entity_id, Accion.ACEPTAR, [ut])
    sqlite_services.access.apply(as_actor(sqlite_services, other.admin_id), other.entity_id, Accion.HACER_ADMIN, [ut])
    window = escritorio(uid)
    combo = by_name(window, QComboBox, "Cuenta")
    assert [combo.itemText(i) for i in range(combo.count())] == ["H&H Asociados", "UT 2017 (Unión temporal)"]
    assert shown(window, "Rol") == "Rol: Proveedor"
    assert not menu(window, "Administración de usuarios").isEnabled()
    menu(window, "Datos de la Entidad").trigger()
    assert by_name(window, QLineEdit, "Nombre de la Entidad").text() == "H&H Asociados"
    assert by_name(window, QLineEdit, "Nombre de la Entidad").isReadOnly()
    combo.setCurrentIndex(1)
    assert shown(window, "Rol") == "Rol: Administrador y Proveedor"
    assert "UT 2017" in window.windowTitle()
    assert menu(window, "Administración de usuarios").isEnabled()
    menu(window, "Datos de la Entidad").trigger()
    name = by_name(window, QLineEdit, "Nombre de la Entidad")
    assert name.text() == "UT 2017" and not name.isReadOnly()


def test_persona_natural_is_administrator_and_proveedor(qtbot: QtBot, sqlite_services: Services,
                                                        escritorio: Callable[..., Escritorio]) -> None:
    uid = active_user(sqlite_services, "jonathan")
    sqlite_services.entities.create(as_actor(sqlite_services, uid), persona_natural_form())
    window = escritorio(uid)
    assert shown(window, "Rol") == "Rol: Administrador y Proveedor"
    assert by_name(window, QComboBox, "Cuenta").currentText() == \
        "Jonathan Felipe Ruiz Fernández (Persona natural)"
    assert PERSONA_NATURAL in shown(window, "Sugerencias SECOP")


# --- Datos de la Entidad ---------------------------------------------------------------------------

def test_admin_edits_datos_de_la_entidad(qtbot: QtBot, sqlite_services: Services, account: Account,
                                         escritorio: Callable[..., Escritorio]) -> None:
    window = escritorio(account.admin_id)
    menu(window, "Datos de la Entidad").trigger()
    guardar = by_name(window, QPushButton, "Guardar")
    assert not guardar.isEnabled()
    direccion = by_name(window, QLineEdit, "Dirección")
    direccion.clear()
    assert guardar.isEnabled()
    click(qtbot, window, "Guardar")
    assert "Revise los campos marcados." in message_text(window)
    assert sqlite_services.entities.get(window.actor, account.entity_id).form.direccion == "Calle 26 # 69-76"
    qtbot.keyClicks(direccion, "Carrera 7 # 26-20")
    click(qtbot, window, "Guardar")
    assert "Se guardaron los datos de la Entidad." in message_text(window)
    record = sqlite_services.entities.get(window.actor, account.entity_id)
    assert record.form.direccion == "Carrera 7 # 26-20" and record.version == 2
    with sqlite_services.db.session() as s:
        assert audit.entries(s, entity_id=account.entity_id, accion="entidad_actualizada")[0].actor == "admin_hh"


def test_a_conflicting_save_shows_the_fresh_data(qtbot: QtBot, sqlite_services: Services, account: Account,
                                                 escritorio: Callable[..., Escritorio]) -> None:
    window = escritorio(account.admin_id)
    menu(window, "Datos de la Entidad").trigger()
    direccion = by_name(window, QLineEdit, "Dirección")
    direccion.clear()
    qtbot.keyClicks(direccion, "Mi cambio")
    # Another administrator saves first.
    sqlite_services.entities.update(as_actor(sqlite_services, account.admin_id), account.entity_id, 1,
                                    company_form(direccion="Avenida El Dorado # 68-51"))
    click(qtbot, window, "Guardar")
    assert "Otro usuario modificó estos datos" in message_text(window)
    assert direccion.text() == "Avenida El Dorado # 68-51"
    assert sqlite_services.entities.get(window.actor, account.entity_id).form.direccion == "Avenida El Dorado # 68-51"


# --- Áreas de interés, suscripciones, biblioteca -------------------------------------------------

def test_areas_de_interes_page(qtbot: QtBot, sqlite_services: Services, account: Account,
                               escritorio: Callable[..., Escritorio]) -> None:
    confirm = Confirmations()
    window = escritorio(account.admin_id, confirm=confirm)
    menu(window, "Áreas de interés").trigger()
    codigo = by_name(window, QLineEdit, "Código UNSPSC")
    nombre = by_name(window, QLineEdit, "Nombre")
    qtbot.keyClicks(codigo, "4321150")
    qtbot.keyClicks(nombre, "Computadores")
    click(qtbot, window, "Agregar")
    assert shown(window, "Error en Código UNSPSC") == "El código UNSPSC tiene 8 dígitos, por ejemplo 43211500."
    assert codigo.text() == "4321150" and nombre.text() == "Computadores"
    qtbot.keyClicks(codigo, "0")
    click(qtbot, window, "Agregar")
    table = by_name(window, QTableWidget, "Áreas de interés")
    assert rows(table) == [["43211500", "Computadores", "Activo"]]
    assert codigo.text() == ""
    click(qtbot, window, "Desactivar")
    assert rows(table) == [["43211500", "Computadores", "Inactivo"]]
    click(qtbot, window, "Activar")
    assert rows(table)[0][2] == "Activo"
    confirm.answer = False
    click(qtbot, window, "Borrar")
    assert rows(table) == [["43211500", "Computadores", "Activo"]]
    confirm.answer = True
    click(qtbot, window, "Borrar")
    assert confirm.questions[-1] == "¿Borrar el área de interés 43211500 Computadores?"
    assert rows(table) == []
    assert window.interests.list(window.actor, account.entity_id) == []


def test_a_proveedor_sees_areas_read_only(qtbot: QtBot, sqlite_services: Services, account: Account,
                                          escritorio: Callable[..., Escritorio]) -> None:
    window_admin = escritorio(account.admin_id)
    window_admin.interests.add(window_admin.actor, account.entity_id, "43211500", "Computadores")
    uid, mid = requester(sqlite_services, account, "felipe", "Jonathan Felipe Ruiz Fernandez")
    sqlite_services.access.apply(as_actor(sqlite_services, account.admin_id), account.entity_id, Accion.ACEPTAR, [mid])
    window = escritorio(uid)
    menu(window, "Áreas de interés").trigger()
    assert rows(by_name(window, QTableWidget, "Áreas de interés")) == [["43211500", "Computadores", "Activo"]]
    page = window.entity_page("Áreas de interés")
    assert not [b for b in page.findChildren(QPushButton) if b.isVisibleTo(page)]
    assert "Solo los administradores" in " ".join(
        label.text() for label in page.findChildren(QLabel) if label.isVisibleTo(page))


def test_suscripcion_a_notificaciones_is_stored_and_obeyed(
        qtbot: QtBot, sqlite_services: Services, account: Account, escritorio: Callable[..., Escritorio]) -> None:
    window = escritorio(account.admin_id)
    menu(window, "Suscripción a notificaciones").trigger()
    box = by_name(window, QCheckBox, "Solicitudes de acceso a mi cuenta (administradores)")
    assert box.isChecked()
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert not box.isChecked()
    assert "Se guardó su preferencia" in message_text(window)
    with sqlite_services.db.session() as s:
        assert outbox.subscriptions(s, account.admin_id)["solicitud_acceso"] is False
    requester(sqlite_services, account, "felipe", "Jonathan Felipe Ruiz Fernandez")
    with sqlite_services.db.session() as s:
        assert [m for m in outbox.inbox(s, account.admin_id) if m.clase == "solicitud_acceso"] == []
    # Cambios and Documentos remain; Oportunidades needs an área de interés.
    assert window.inicio.tiles["Suscripciones"].accessibleDescription() == "2 Suscripciones"


def test_biblioteca_de_documentos_shows_the_accounts_documents(
        qtbot: QtBot, sqlite_services: Services, account: Account, tmp_path: Path,
        escritorio: Callable[..., Escritorio]) -> None:
    source = tmp_path / "CERTIFICADO DE EXPERIENCIA.pdf"
    source.write_bytes(b"%PDF-1.7\n" + b"experiencia " * 200)
    sqlite_services.documents.attach(as_actor(sqlite_services, account.admin_id), "experiencia", source,
                                     entity_id=account.entity_id)
    window = escritorio(account.admin_id, file_chooser=lambda: None)
    menu(window, "Biblioteca de documentos").trigger()
    panel = window.findChild(AttachmentsPanel)
    assert panel is not None and panel.isVisibleTo(window) and panel.isEnabled()
    assert "CERTIFICADO DE EXPERIENCIA.pdf" in [label.text() for label in panel.findChildren(QLabel)]


# --- the admin window from the Escritorio ------------------------------------------------------

def test_a_proveedor_is_refused_administracion_de_usuarios(
        qtbot: QtBot, sqlite_services: Services, account: Account, escritorio: Callable[..., Escritorio]) -> None:
    uid, mid = requester(sqlite_services, account, "felipe", "Jonathan Felipe Ruiz Fernandez")
    sqlite_services.access.apply(as_actor(sqlite_services, account.admin_id), account.entity_id, Accion.ACEPTAR, [mid])
    window = escritorio(uid)
    assert window.open_admin() is None
    assert "Solo los administradores de la Entidad pueden abrir la Administración de usuarios." in \
        message_text(window)
    with sqlite_services.db.session() as s:
        [entry] = s.scalars(select(audit.AuditEntry).where(audit.AuditEntry.accion == "acceso_admin_denegado"))
    assert entry.actor == "felipe" and entry.entity_id == account.entity_id


def test_contrast_and_mesa_de_servicio(qtbot: QtBot, sqlite_services: Services, account: Account,
                                       escritorio: Callable[..., Escritorio]) -> None:
    window = escritorio(account.admin_id)
    box = by_name(window, QCheckBox, "Aumentar el contraste")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    try:
        assert contrast.is_enabled()
        with sqlite_services.db.session() as s:
            assert s.get(Setting, "alto_contraste") is None  # kept with the operating-system user
    finally:
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert not contrast.is_enabled()
    menu(window, "Mesa de servicio").trigger()
    assert "Nacional: 018000 520808" in shown(window, "Mesa de servicio")
    assert shown(window, "Hora") == "UTC -5 15:41:30"
