"""Administración de usuarios through the real window; its windowed queries on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPushButton, QTabBar, QTableView, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.access import audit
from secop_desktop.core.access.service import LAST_ADMIN, Accion
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.dates import format_elapsed
from secop_desktop.core.services import Services
from secop_desktop.core.text import fold
from secop_desktop.errors import PermissionDenied
from secop_desktop.store.models import Membership
from secop_desktop.views.admin_window import AdminWindow, open_admin_for, open_admin_window
from secop_desktop.views.user_admin_panel import UserAdminPanel
from tests.admin_fixtures import Account, admin_account, bulk_members, requester
from tests.conftest import FakeClock, active_user, as_actor
from tests.factories import company_form


class Confirmations:
    """The confirm seam: records every question and answers as told."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.questions: list[str] = []

    def __call__(self, question: str) -> bool:
        self.questions.append(question)
        return self.answer


def by_name(widget: QWidget, cls: type, name: str):  # type: ignore[no-untyped-def]
    found = [w for w in widget.findChildren(cls) if w.isVisibleTo(widget) and (
        w.accessibleName() == name or (isinstance(w, QPushButton) and w.text().replace("&", "") == name))]
    assert len(found) == 1, f"{name!r}: {len(found)} widgets"
    return found[0]


def click(qtbot: QtBot, window: QWidget, text: str) -> None:
    qtbot.mouseClick(by_name(window, QPushButton, text), Qt.MouseButton.LeftButton)


def sign_in(qtbot: QtBot, window: AdminWindow, usuario: str, contrasena: str = "Secop2018x") -> None:
    qtbot.keyClicks(by_name(window, QLineEdit, "Usuario"), usuario)
    qtbot.keyClicks(by_name(window, QLineEdit, "Contraseña"), contrasena)
    click(qtbot, window, "Entrar")


def table_texts(panel: UserAdminPanel, column: int) -> list[str]:
    model = panel.model
    return [model.data(model.index(r, column)) for r in range(model.rowCount())]


def click_row(qtbot: QtBot, panel: UserAdminPanel, nombre: str,
              modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    row = table_texts(panel, 0).index(nombre)
    panel.table.scrollTo(panel.model.index(row, 0))
    rect = panel.table.visualRect(panel.model.index(row, 0))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def message_text(window: QWidget) -> str:
    return " ".join(label.text() for label in window.findChildren(QLabel)
                    if label.accessibleName() == "Mensaje" and label.isVisibleTo(window))


def acceso_of(services: Services, membership_id: int) -> str:
    with services.db.session() as s:
        return s.get_one(Membership, membership_id).acceso


@pytest.fixture
def account(sqlite_services: Services) -> Account:
    return admin_account(sqlite_services)


@pytest.fixture
def open_window(qtbot: QtBot, sqlite_services: Services) -> Callable[..., AdminWindow]:
    def factory(usuario: str = "admin_hh", confirm: Confirmations | None = None,
                contrasena: str = "Secop2018x") -> AdminWindow:
        window = open_admin_window(sqlite_services, confirm=confirm or Confirmations())
        qtbot.addWidget(window)
        window.show()
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow)  # keyboard shortcuts only reach the active window
        sign_in(qtbot, window, usuario, contrasena)
        return window
    return factory


# --- the window ------------------------------------------------------------------------------

def test_admin_accepts_a_pending_user(qtbot: QtBot, sqlite_services: Services, account: Account,
                                      clock: FakeClock, open_window: Callable[..., AdminWindow]) -> None:
    uid, mid = requester(sqlite_services, account, "felipe", "Jonathan Felipe Ruiz Fernández")
    clock.advance(days=15)
    window = open_window()
    panel = window.panel
    assert panel is not None
    tabs = by_name(window, QTabBar, "Acceso a la cuenta")
    assert tabs.tabText(tabs.currentIndex()) == "Pendiente (1)"  # Pendiente first, with its badge
    assert table_texts(panel, 0) == ["Jonathan Felipe Ruiz Fernández"]
    assert table_texts(panel, 4) == [
        "15 días de tiempo transcurrido (23/01/2017 03:41:30 PM(UTC-05:00) Bogotá, Lima, Quito)"]
    accept = by_name(window, QPushButton, "Aceptar acceso")
    assert not accept.isEnabled()  # nothing selected yet
    click_row(qtbot, panel, "Jonathan Felipe Ruiz Fernández")
    assert accept.isEnabled()
    qtbot.mouseClick(accept, Qt.MouseButton.LeftButton)

    # The accepted member leaves «Pendiente (0)» at once and is found under «Aceptado».
    assert table_texts(panel, 0) == []
    assert by_name(window, QLabel, "Usuarios mostrados").text() == "No hay usuarios con este filtro."
    assert "Se aceptó el acceso de Jonathan Felipe Ruiz Fernández" in message_text(window)
    assert tabs.tabText(0) == "Pendiente (0)" and tabs.tabText(1) == "Aceptado (2)"
    tabs.setCurrentIndex(1)
    assert "Jonathan Felipe Ruiz Fernández" in table_texts(panel, 0)
    row = table_texts(panel, 0).index("Jonathan Felipe Ruiz Fernández")
    assert table_texts(panel, 3)[row] == "Aceptado"
    assert table_texts(panel, 4)[row] == format_elapsed(clock(), clock())
    [registration] = sqlite_services.entities.my_registrations(as_actor(sqlite_services, uid))
    assert registration.estado == "Aceptado" and registration.fecha_aceptacion == clock()
    with sqlite_services.db.session() as s:
        [message] = [m for m in outbox.inbox(s, uid) if m.clase == "acceso"]
        [entry] = audit.entries(s, entity_id=account.entity_id, accion="aceptar")
    assert message.asunto == "Su solicitud de acceso fue aceptada"
    assert "H&H Asociados" in message.cuerpo
    assert entry.actor == "admin_hh" and entry.objeto_id == mid


def test_reject_then_revert(qtbot: QtBot, sqlite_services: Services, account: Account,
                            open_window: Callable[..., AdminWindow]) -> None:
    _, mid = requester(sqlite_services, account, "leonardo", "Leonardo Neira")
    confirm = Confirmations(answer=False)
    window = open_window(confirm=confirm)
    panel = window.panel
    assert panel is not None
    click_row(qtbot, panel, "Leonardo Neira")
    click(qtbot, window, "Rechazar acceso")
    assert confirm.questions == ["¿Rechazar la solicitud de acceso de Leonardo Neira?"]
    assert acceso_of(sqlite_services, mid) == "Pendiente"  # answered No: nothing changed
    assert table_texts(panel, 3) == ["Pendiente"]

    confirm.answer = True
    click(qtbot, window, "Rechazar acceso")
    assert table_texts(panel, 3) == []  # it left «Pendiente»
    assert acceso_of(sqlite_services, mid) == "Rechazado"
    tabs = by_name(window, QTabBar, "Acceso a la cuenta")
    assert tabs.tabText(2) == "Rechazado (1)"
    tabs.setCurrentIndex(2)
    assert table_texts(panel, 3) == ["Rechazado"]
    click_row(qtbot, panel, "Leonardo Neira")
    revert = by_name(window, QPushButton, "Revertir rechazo del acceso")
    assert revert.isEnabled() and not by_name(window, QPushButton, "Aceptar acceso").isEnabled()
    qtbot.mouseClick(revert, Qt.MouseButton.LeftButton)
    assert len(confirm.questions) == 2  # reverting is not destructive: no question
    assert table_texts(panel, 3) == []  # back to «Pendiente», so no longer under «Rechazado»
    assert acceso_of(sqlite_services, mid) == "Pendiente"
    assert "la solicitud está Pendiente" in message_text(window)


def test_cancel_access(qtbot: QtBot, sqlite_services: Services, account: Account,
                       open_window: Callable[..., AdminWindow]) -> None:
    uid, mid = requester(sqlite_services, account, "leonardo", "Leonardo Neira")
    sqlite_services.access.apply(as_actor(sqlite_services, account.admin_id), account.entity_id, Accion.ACEPTAR, [mid])
    confirm = Confirmations()
    window = open_window(confirm=confirm)
    panel = window.panel
    assert panel is not None
    tabs = by_name(window, QTabBar, "Acceso a la cuenta")
    assert tabs.tabText(tabs.currentIndex()) == "Todos (2)"  # nothing pending: everybody is shown
    click_row(qtbot, panel, "Leonardo Neira")
    click(qtbot, window, "Cancelar acceso")
    assert "¿Cancelar el acceso a la cuenta de Leonardo Neira?" in confirm.questions[0]
    assert acceso_of(sqlite_services, mid) == "Cancelado"
    assert table_texts(panel, 3)[table_texts(panel, 0).index("Leonardo Neira")] == "Cancelado"
    assert sqlite_services.entities.my_registrations(as_actor(sqlite_services, uid))[0].estado == "Cancelado"
    with sqlite_services.db.session() as s:
        assert [m.asunto for m in outbox.inbox(s, uid) if m.clase == "acceso"][0] == "Su acceso fue cancelado"


def test_last_administrator_cannot_be_removed(qtbot: QtBot, sqlite_services: Services, account: Account,
                                              open_window: Callable[..., AdminWindow]) -> None:
    window = open_window()
    panel = window.panel
    assert panel is not None
    click_row(qtbot, panel, "Sebastián Ostor")
    assert not by_name(window, QPushButton, "Rechazar acceso").isEnabled()  # rejecting applies to Pendiente only
    for button in ("Cancelar acceso", "Desactivar usuario", "Hacer proveedor"):
        click(qtbot, window, button)
        assert LAST_ADMIN in message_text(window), button
        assert by_name(window, QLabel, "Mensaje").is_error
    assert table_texts(panel, 3) == ["Aceptado"] and table_texts(panel, 5) == ["Activo"]
    assert table_texts(panel, 6) == ["Administrador"]
    [row] = sqlite_services.access.members(as_actor(sqlite_services, account.admin_id), account.entity_id)
    assert (row.acceso, row.activo, row.es_administrador) == ("Aceptado", True, True)


def test_a_proveedor_cannot_open_the_window(qtbot: QtBot, sqlite_services: Services, account: Account,
                                            open_window: Callable[..., AdminWindow]) -> None:
    uid, mid = requester(sqlite_services, account, "felipe", "Jonathan Felipe Ruiz Fernández")
    sqlite_services.access.apply(as_actor(sqlite_services, account.admin_id), account.entity_id, Accion.ACEPTAR, [mid])
    window = open_window("felipe")
    assert window.panel is None
    assert "Solo los administradores de la Entidad pueden abrir la Administración de usuarios" in \
        message_text(window)
    assert by_name(window, QLineEdit, "Usuario").text() == "felipe"
    assert by_name(window, QLineEdit, "Contraseña").text() == ""
    with sqlite_services.db.session() as s:
        [entry] = audit.entries(s, accion="acceso_admin_denegado")
    assert (entry.actor_id, entry.entity_id) == (uid, account.entity_id)
    # From the Escritorio the same refusal applies to the account itself.
    other = open_admin_for(sqlite_services, as_actor(sqlite_services, uid), account.entity_id,
                           confirm=Confirmations())
    qtbot.addWidget(other)
    assert other.panel is None and "Solo los administradores" in message_text(other)
    with sqlite_services.db.session() as s:
        assert len(audit.entries(s, accion="acceso_admin_denegado")) == 2


def test_wrong_password_is_refused_without_crash(qtbot: QtBot, account: Account,
                                                 open_window: Callable[..., AdminWindow]) -> None:
    window = open_window(contrasena="equivocada1")
    assert window.panel is None
    assert "Usuario o contraseña incorrectos." in message_text(window)


def test_multi_select_accept_with_the_keyboard(qtbot: QtBot, sqlite_services: Services, account: Account,
                                               open_window: Callable[..., AdminWindow]) -> None:
    members = [requester(sqlite_services, account, u, n)[1] for u, n in
               (("leonardo", "Leonardo Neira"), ("felipe", "Jonathan Felipe Ruiz Fernández"),
                ("victor_m", "Víctor Manuel Alfonso Medina"))]
    window = open_window()
    panel = window.panel
    assert panel is not None
    click_row(qtbot, panel, "Leonardo Neira")
    click_row(qtbot, panel, "Víctor Manuel Alfonso Medina", Qt.KeyboardModifier.ControlModifier)
    assert len(panel.selected_rows()) == 2
    qtbot.keyClick(panel.table, Qt.Key.Key_A,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert [acceso_of(sqlite_services, m) for m in members] == ["Aceptado", "Pendiente", "Aceptado"]
    assert "2 usuarios (Leonardo Neira, Víctor Manuel Alfonso Medina)" in message_text(window)
    assert table_texts(panel, 0) == ["Jonathan Felipe Ruiz Fernández"]  # the accepted left «Pendiente»
    # Under «Todos», select everything with the keyboard: only actions valid for every row are enabled.
    by_name(window, QTabBar, "Acceso a la cuenta").setCurrentIndex(4)
    qtbot.keyClick(panel.table, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert not by_name(window, QPushButton, "Rechazar acceso").isEnabled()
    click_row(qtbot, panel, "Jonathan Felipe Ruiz Fernández")
    qtbot.keyClick(panel.table, Qt.Key.Key_R,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert acceso_of(sqlite_services, members[1]) == "Rechazado"


def test_only_actions_valid_for_every_selected_row_are_enabled(
        qtbot: QtBot, sqlite_services: Services, account: Account,
        open_window: Callable[..., AdminWindow]) -> None:
    _, pending = requester(sqlite_services, account, "leonardo", "Leonardo Neira")
    window = open_window()
    panel = window.panel
    assert panel is not None
    tabs = by_name(window, QTabBar, "Acceso a la cuenta")
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(4).center())
    click_row(qtbot, panel, "Leonardo Neira")
    click_row(qtbot, panel, "Sebastián Ostor", Qt.KeyboardModifier.ControlModifier)
    enabled = {b.text().replace("&", "") for b in panel.buttons.values() if b.isEnabled()}
    assert enabled == {"Cancelar acceso", "Desactivar usuario"}  # both apply to Pendiente and Aceptado
    assert by_name(window, QPushButton, "Crear usuarios").isEnabled()


def test_crear_usuarios_sends_an_activation_message(qtbot: QtBot, sqlite_services: Services, account: Account,
                                                    open_window: Callable[..., AdminWindow]) -> None:
    window = open_window()
    panel = window.panel
    assert panel is not None
    click(qtbot, window, "Crear usuarios")
    dialog = panel.create_dialog
    assert dialog is not None and dialog.isVisible()
    assert by_name(dialog, QLineEdit, "Nombre de la entidad").text() == "H&H Asociados"
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Nombre y apellido"), "Luisa Fernanda Gomez")
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Correo electrónico"), "luisa@hh.com.co")
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Elige tu usuario"), "luisa_g")
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Contraseña"), "Secop2018x")
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Confirmar contraseña"), "otra2018x")
    by_name(dialog, QComboBox, "Pregunta de seguridad").setCurrentIndex(1)
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Respuesta de seguridad"), "Ajiaco")
    qtbot.keyClicks(by_name(dialog, QLineEdit, "Teléfono móvil de seguridad"), "3102585654")
    click(qtbot, dialog, "Crear usuario")
    assert dialog.isVisible()  # bad input: the dialog stays with the message next to the field
    assert by_name(dialog, QLabel, "Error en Confirmar contraseña").text() == "Las contraseñas no coinciden."
    assert by_name(dialog, QLineEdit, "Nombre y apellido").text() == "Luisa Fernanda Gomez"
    confirmar = by_name(dialog, QLineEdit, "Confirmar contraseña")
    confirmar.clear()
    qtbot.keyClicks(confirmar, "Secop2018x")
    qtbot.mouseClick(by_name(dialog, QCheckBox, "Usuario administrador"), Qt.MouseButton.LeftButton)
    click(qtbot, dialog, "Crear usuario")
    assert not dialog.isVisible()
    assert "Se creó el usuario Luisa Fernanda Gomez" in message_text(window)
    assert "Luisa Fernanda Gomez" in table_texts(panel, 0)
    row = table_texts(panel, 0).index("Luisa Fernanda Gomez")
    assert table_texts(panel, 3)[row] == "Aceptado" and table_texts(panel, 6)[row] == "Administrador y Proveedor"
    admin = as_actor(sqlite_services, account.admin_id)
    member = next(r for r in sqlite_services.access.members(admin, account.entity_id) if r.correo == "luisa@hh.com.co")
    with sqlite_services.db.session() as s:
        [activation] = [m for m in outbox.inbox(s, member.user_id) if m.clase == "activacion"]
        [entry] = audit.entries(s, entity_id=account.entity_id, accion="usuario_creado")
    assert activation.asunto == "Activación de su registro en SECOP"
    assert entry.actor == "admin_hh"
    # The administrator was shown the activation code once, to hand over; it activates the account.
    handed = message_text(window).split("(solo se muestra ahora): ")[1].split()[0]
    assert handed not in str(entry.despues)
    sqlite_services.users.confirm(handed, usuario="luisa_g")
    assert sqlite_services.users.profile(sqlite_services.users.sign_in("luisa_g", "Secop2018x")).correo == "luisa@hh.com.co"


def test_filters_search_and_sorting(qtbot: QtBot, sqlite_services: Services, account: Account,
                                    open_window: Callable[..., AdminWindow]) -> None:
    bulk_members(sqlite_services.db, account.entity_id, 60)
    counts = sqlite_services.access.counts(as_actor(sqlite_services, account.admin_id), account.entity_id)
    window = open_window()
    panel = window.panel
    assert panel is not None
    tabs = by_name(window, QTabBar, "Acceso a la cuenta")
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        f"Pendiente ({counts['Pendiente']})", f"Aceptado ({counts['Aceptado']})",
        f"Rechazado ({counts['Rechazado']})", f"Cancelado ({counts['Cancelado']})", "Todos (61)"]
    assert set(table_texts(panel, 3)) == {"Pendiente"}
    assert len(table_texts(panel, 3)) == counts["Pendiente"]

    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(2).center())
    assert set(table_texts(panel, 3)) == {"Rechazado"} and len(table_texts(panel, 3)) == counts["Rechazado"]
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(4).center())
    assert panel.model.rowCount() == 61

    search = by_name(window, QLineEdit, "Búsqueda de usuarios")
    qtbot.keyClicks(search, "NEIRA")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    names = table_texts(panel, 0)
    admin = as_actor(sqlite_services, account.admin_id)
    expected = [r.nombre for r in sqlite_services.access.members(admin, account.entity_id, texto="neira")]
    assert names and sorted(names) == sorted(expected) and all("Neira" in n for n in names)
    assert by_name(window, QLabel, "Usuarios mostrados").text() == f"Mostrando {len(names)} de {len(names)} usuarios"
    search.clear()
    qtbot.keyClicks(search, "usuario_1_000007@")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)  # typing alone filters, after a short pause
    assert table_texts(panel, 1) == ["usuario_1_000007@example.com"]
    search.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 61)

    header = panel.table.horizontalHeader()
    for column in range(7):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=header.rect().topLeft() + _section_center(header, column))
        ascending = header.sortIndicatorOrder() == Qt.SortOrder.AscendingOrder
        texts = table_texts(panel, column)
        keys = [_sort_key(column, r) for r in panel.model.rows(range(panel.model.rowCount()))]
        assert keys == sorted(keys, reverse=not ascending), f"column {column} {texts[:5]}"
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=header.rect().topLeft() + _section_center(header, column))
        keys = [_sort_key(column, r) for r in panel.model.rows(range(panel.model.rowCount()))]
        assert keys == sorted(keys, reverse=ascending), f"column {column} reversed"


def _section_center(header, column):  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QPoint

    return QPoint(header.sectionViewportPosition(column) + header.sectionSize(column) // 2, header.height() // 2)


def _sort_key(column: int, row):  # type: ignore[no-untyped-def]
    return [lambda r: r.nombre.lower(), lambda r: r.correo.lower(), lambda r: r.fecha_registro,
            lambda r: ["Pendiente", "Aceptado", "Rechazado", "Cancelado"].index(r.acceso),
            lambda r: r.actualizado_en, lambda r: 0 if r.activo else 1,
            lambda r: ["Administrador", "Administrador y Proveedor", "Proveedor"].index(r.rol)][column](row)


def test_the_model_fetches_lazily_in_windows(qtbot: QtBot, sqlite_services: Services, account: Account,
                                             open_window: Callable[..., AdminWindow]) -> None:
    bulk_members(sqlite_services.db, account.entity_id, 2000)
    window = open_window()
    panel = window.panel
    assert panel is not None
    panel.set_filter(None)
    model = panel.model
    assert model.rowCount() == 200 and model.canFetchMore()  # one window, not 2,001 rows
    assert by_name(window, QLabel, "Usuarios mostrados").text() == "Mostrando 200 de 2.001 usuarios"
    table = by_name(window, QTableView, "Usuarios de la cuenta")
    table.scrollToBottom()  # the view asks the model for the next window
    qtbot.waitUntil(lambda: model.rowCount() == 400)
    assert model.fetches == 2
    while model.canFetchMore():
        model.fetchMore()
    assert model.rowCount() == 2001 and model.fetches == 11
    ids = [r.membership_id for r in model.rows(range(model.rowCount()))]
    assert len(set(ids)) == 2001  # windows neither overlap nor skip rows


def test_admin_of_several_accounts_picks_one(qtbot: QtBot, sqlite_services: Services, account: Account,
                                             open_window: Callable[..., AdminWindow]) -> None:
    sqlite_services.entities.create(as_actor(sqlite_services, account.admin_id), company_form("UT 2017", "900123456"))
    window = open_window()
    assert window.panel is None
    combo = window.account_page.cuenta
    assert [combo.itemText(i) for i in range(combo.count())] == ["H&H Asociados", "UT 2017"]
    combo.setCurrentIndex(1)
    click(qtbot, window, "Continuar")
    assert window.panel is not None and window.panel.entity_name == "UT 2017"
    assert "UT 2017" in window.windowTitle()


def test_a_stale_row_is_refused_and_reloaded(qtbot: QtBot, sqlite_services: Services, account: Account,
                                             open_window: Callable[..., AdminWindow]) -> None:
    second = active_user(sqlite_services, "admin_2")
    _, mid = requester(sqlite_services, account, "leonardo", "Leonardo Neira")
    window = open_window()
    panel = window.panel
    assert panel is not None
    click_row(qtbot, panel, "Leonardo Neira")
    with sqlite_services.db.session() as s:  # another administrator acts first
        s.get_one(Membership, mid).acceso = "Rechazado"
    click(qtbot, window, "Aceptar acceso")
    assert "Otro administrador cambió esta solicitud" in message_text(window)
    assert acceso_of(sqlite_services, mid) == "Rechazado"
    assert table_texts(panel, 3) == []  # reloaded: no longer pending
    del second


def test_audit_view_filters_by_action_and_actor(qtbot: QtBot, sqlite_services: Services, account: Account,
                                                open_window: Callable[..., AdminWindow]) -> None:
    requester(sqlite_services, account, "leonardo", "Leonardo Neira")
    window = open_window()
    panel, view = window.panel, window.audit
    assert panel is not None and view is not None
    click_row(qtbot, panel, "Leonardo Neira")
    click(qtbot, window, "Aceptar acceso")
    window.tabs.setCurrentWidget(view)
    table = by_name(window, QTableView, "Últimas modificaciones")
    actions = [table.model().index(r, 2).data() for r in range(table.model().rowCount())]
    assert actions == ["Aceptar acceso", "Solicitud de acceso", "Registrar Entidad"]
    first = [table.model().index(0, c).data() for c in range(5)]
    assert first[0] == "23/01/2017 03:41:30 PM (UTC-05:00) Bogotá, Lima, Quito"
    assert first[1:] == ["admin_hh", "Aceptar acceso", "Leonardo Neira", "Acceso a la cuenta: Pendiente → Aceptado"]
    view.accion.setCurrentIndex(view.accion.findText("Solicitud de acceso"))
    assert table.model().rowCount() == 1 and table.model().index(0, 1).data() == "leonardo"
    view.accion.setCurrentIndex(0)
    actor = by_name(window, QLineEdit, "Realizado por")
    qtbot.keyClicks(actor, "ADMIN")
    qtbot.keyClick(actor, Qt.Key.Key_Return)
    assert [table.model().index(r, 2).data() for r in range(table.model().rowCount())] == [
        "Aceptar acceso", "Registrar Entidad"]


# --- the windowed queries, on both databases ---------------------------------------------------

@pytest.mark.parametrize("sort", ["nombre", "correo", "fecha_registro", "acceso", "actualizado_en", "activo", "rol"])
def test_pages_cover_every_row_once_in_sql_order(services: Services, sort: str) -> None:
    account = admin_account(services)
    admin = as_actor(services, account.admin_id)
    bulk_members(services.db, account.entity_id, 230)
    for descending in (False, True):
        seen = []
        page = services.access.page(admin, account.entity_id, limit=50, sort=sort, descending=descending)
        seen += page.rows
        while not page.complete:
            page = services.access.page(admin, account.entity_id, limit=50, after=page.cursor, sort=sort,
                                        descending=descending)
            seen += page.rows
        assert len(seen) == 231 and len({r.membership_id for r in seen}) == 231
        column = ["nombre", "correo", "fecha_registro", "acceso", "actualizado_en", "activo", "rol"].index(sort)
        keys = [_sort_key(column, r) for r in seen]
        assert keys == sorted(keys, reverse=descending)


def test_count_and_filtered_pages(services: Services) -> None:
    account = admin_account(services)
    admin = as_actor(services, account.admin_id)
    bulk_members(services.db, account.entity_id, 120)
    every = services.access.members(admin, account.entity_id)
    neira = [r for r in every if "neira" in fold(r.nombre)]
    assert services.access.count(admin, account.entity_id, texto="Neira") == len(neira) > 0
    page = services.access.page(admin, account.entity_id, limit=500, acceso="Aceptado", texto="neira", sort="nombre")
    assert [r.membership_id for r in page.rows] == [r.membership_id for r in sorted(
        (r for r in neira if r.acceso == "Aceptado"), key=lambda r: (r.nombre.lower(), r.membership_id))]
    assert services.access.count(admin, account.entity_id, texto="100%_") == 0  # LIKE wildcards are literal
    assert services.access.count(admin, account.entity_id) == 121


def test_require_any_admin_records_the_refusal(services: Services) -> None:
    account = admin_account(services)
    uid, _ = requester(services, account, "felipe", "Jonathan Felipe Ruiz Fernández")
    loner = active_user(services, "sin_cuenta")
    assert services.access.require_any_admin(as_actor(services, account.admin_id)) == [(account.entity_id, "H&H Asociados")]
    for user_id, entity_id in ((uid, account.entity_id), (loner, None)):
        with pytest.raises(PermissionDenied, match="Solo los administradores"):
            services.access.require_any_admin(as_actor(services, user_id))
        with services.db.session() as s:
            [entry] = s.scalars(select(audit.AuditEntry).where(audit.AuditEntry.actor_id == user_id,
                                                               audit.AuditEntry.accion == "acceso_admin_denegado"))
            assert entry.entity_id == entity_id
    admin = as_actor(services, account.admin_id)
    log = services.access.audit_log(admin, account.entity_id, accion="acceso_admin_denegado")
    assert [r.actor for r in log] == ["felipe"]
    assert services.access.audit_log(admin, account.entity_id, quien="FELI", accion="acceso_solicitado")[0].afectado == \
        "Jonathan Felipe Ruiz Fernández"
