"""Buscar proveedor: the help desk's one box and one screen (Entidad, users, documents, requests, audit).

Opened from the start window and the Escritorio (Ctrl+F) by a signed-in user who holds the
«Agente de mesa de ayuda» role or administers an Entidad. Everything shown is read-only; the
«Administración de usuarios» button is enabled only for an administrator of that Entidad.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.access.lookup import LookupResult, SupplierCard, UserAccess
from secop_desktop.core.dates import format_fecha
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.registration.checklist import Checklist
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from secop_desktop.views import geometry
from secop_desktop.views.jobs import Job
from secop_desktop.views.widgets.forms import add_field
from secop_desktop.views.widgets.messages import MessageLabel
from secop_desktop.vocab import ZONA_HORARIA_BOGOTA

TITLE = "Buscar proveedor"
HINT = "Escriba un NIT (con o sin dígito de verificación), el nombre de la Entidad, un usuario o un correo electrónico."
USER_COLUMNS = ("Usuario", "Nombre", "Correo electrónico", "Estado", "Acceso a la cuenta", "Rol")
PENDING_COLUMNS = ("Usuario", "Nombre", "Correo electrónico")
ACTION_COLUMNS = ("Fecha", "Usuario", "Acción")
NO_RESULTS = "No se encontró ningún proveedor para «{consulta}»."


def _table(name: str, columns: tuple[str, ...]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, ...]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(value))
    table.resizeColumnsToContents()


def _user_row(u: UserAccess) -> tuple[str, ...]:
    acceso = u.acceso if u.activo else f"{u.acceso} (desactivado)"
    return (u.usuario, u.nombre, u.correo, u.estado_usuario, acceso, u.rol)


def _accion(code: str) -> str:
    """'acceso_solicitado' -> 'Acceso solicitado': the audit codes read as words."""
    return code.replace("_", " ").capitalize()


class ChecklistDialog(QDialog):
    """The Lista de verificación of one Entidad's registration, read-only."""

    def __init__(self, nombre: str, checklist: Checklist, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Lista de verificación - {nombre}")
        layout = QVBoxLayout(self)
        title = QLabel(f"<b>{nombre}</b>: lista de verificación {checklist.porcentaje} % completa")
        title.setAccessibleName("Completitud")
        layout.addWidget(title)
        self.items = QListWidget()
        self.items.setAccessibleName("Lista de verificación")
        for item in checklist.items:
            self.items.addItem(QListWidgetItem(item.linea))
        layout.addWidget(self.items, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("&Cerrar")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        geometry.fit(self, 680, 420)


class LookupWindow(QMainWindow):
    search_done = Signal()  # a search finished, found or failed (tests and screen readers wait for it)

    def __init__(self, services: Services, actor: SignedIn, *, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.result: LookupResult | None = None
        self.cards: dict[int, SupplierCard] = {}
        self.job: Job | None = None
        self.dialogs: list[QWidget] = []  # kept alive while shown
        try:
            self.zona = services.users.profile(actor).zona_horaria
        except ServiceError:
            self.zona = ZONA_HORARIA_BOGOTA
        self.setWindowTitle(TITLE)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.addWidget(QLabel(f"<h2>{TITLE}</h2>"))

        form = QFormLayout()
        line = QWidget()
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        self.box = QLineEdit()
        self.box.setPlaceholderText("NIT, nombre, usuario o correo electrónico")
        self.buscar = QPushButton("&Buscar")
        self.error = add_field(form, "Buscar &proveedor:", self.box, extra=[self.buscar], hint=HINT)
        self.box.returnPressed.connect(self.search)
        self.buscar.clicked.connect(self.search)
        outer.addLayout(form)
        self.status = MessageLabel("Resultado de la búsqueda")
        outer.addWidget(self.status)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        caption = QLabel("Pro&veedores encontrados")
        self.suppliers = QListWidget()
        self.suppliers.setAccessibleName("Proveedores encontrados")
        caption.setBuddy(self.suppliers)
        self.suppliers.currentRowChanged.connect(self._show_card)
        left_layout.addWidget(caption)
        left_layout.addWidget(self.suppliers, 2)
        users_caption = QLabel("Usuarios encontrados")
        self.found_users = QListWidget()
        self.found_users.setAccessibleName("Usuarios encontrados")
        users_caption.setBuddy(self.found_users)
        left_layout.addWidget(users_caption)
        left_layout.addWidget(self.found_users, 1)
        splitter.addWidget(left)
        splitter.addWidget(self._card_panel())
        splitter.setSizes([240, 1100])
        outer.addWidget(splitter, 1)
        self.setCentralWidget(central)
        geometry.fit(self, 1340, 720, "buscar_proveedor")
        self._show_card(-1)
        self.box.setFocus()

    def _card_panel(self) -> QWidget:
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(0, 0, 0, 0)
        header = QHBoxLayout()
        self.entidad = QLabel()
        self.entidad.setAccessibleName("Entidad")
        self.entidad.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.entidad.setWordWrap(True)
        header.addWidget(self.entidad, 1)
        self.checklist_button = QPushButton("&Lista de verificación")
        self.checklist_button.clicked.connect(self.open_checklist)
        self.admin_button = QPushButton("&Administración de usuarios")
        self.admin_button.clicked.connect(self.open_admin)
        header.addWidget(self.checklist_button)
        header.addWidget(self.admin_button)
        layout.addLayout(header)
        self.solo_lectura = QLabel()
        self.solo_lectura.setAccessibleName("Permisos")
        self.solo_lectura.setWordWrap(True)
        layout.addWidget(self.solo_lectura)

        self.users_box = QGroupBox("Usuarios y acceso a la cuenta")
        self.users = _table("Usuarios y acceso a la cuenta", USER_COLUMNS)
        QVBoxLayout(self.users_box).addWidget(self.users)
        self.pending_box = QGroupBox("Solicitudes de acceso pendientes")
        self.pending = _table("Solicitudes de acceso pendientes", PENDING_COLUMNS)
        QVBoxLayout(self.pending_box).addWidget(self.pending)
        self.docs_box = QGroupBox("Documentos obligatorios faltantes")
        self.documents = QListWidget()
        self.documents.setAccessibleName("Documentos obligatorios faltantes")
        QVBoxLayout(self.docs_box).addWidget(self.documents)
        self.last_actions_box = QGroupBox("Últimas acciones")
        self.last_actions = _table("Últimas acciones", ACTION_COLUMNS)
        QVBoxLayout(self.last_actions_box).addWidget(self.last_actions)
        # Two rows sized for their content: the six user columns beside the short document list,
        # then the requests beside the audit lines.
        top, bottom = QHBoxLayout(), QHBoxLayout()
        top.addWidget(self.users_box, 3)
        top.addWidget(self.docs_box, 1)
        bottom.addWidget(self.pending_box, 1)
        bottom.addWidget(self.last_actions_box, 1)
        layout.addLayout(top, 1)
        layout.addLayout(bottom, 1)
        return panel

    # --- searching ------------------------------------------------------------------------------
    def search(self) -> Job | None:
        texto = self.box.text()
        self.error.show_message("")
        if not texto.strip():
            self.error.show_message("Escriba un NIT, un nombre, un usuario o un correo electrónico.")
            return None
        self.buscar.setEnabled(False)
        self.status.show_info("Buscando…")
        actor, lookup = self.actor, self.services.lookup
        job = Job(lambda _p, _c: lookup.search(actor, texto), name="buscar proveedor")
        job.signals.finished.connect(self._found)
        job.signals.failed.connect(self._failed)
        self.job = job.start()
        return job

    def _failed(self, message: str) -> None:
        self.buscar.setEnabled(True)
        self.status.clear()
        self.error.show_message(message)  # what was typed stays in the box
        self.search_done.emit()

    def _found(self, result: LookupResult) -> None:
        self.buscar.setEnabled(True)
        self.result = result
        self.cards = {card.entidad.id: card for card in result.proveedores}
        self.suppliers.clear()
        for entidad in result.encontrados:
            nit = f" · NIT {entidad.nit}" if entidad.nit else ""
            item = QListWidgetItem(f"{entidad.nombre}{nit}")
            item.setToolTip(item.text())
            self.suppliers.addItem(item)
        self.found_users.clear()
        for u in result.usuarios:
            self.found_users.addItem(QListWidgetItem(f"{u.usuario} · {u.nombre} · {u.correo} · {u.estado_usuario}"))
        n = len(result.encontrados)
        if n == 0 and not result.usuarios:
            self.status.show_error(NO_RESULTS.format(consulta=result.consulta))
        else:
            more = " (hay más: escriba más del nombre para acotar)" if result.mas else ""
            self.status.show_info(f"Buscado como {result.tipo}: {n} proveedor{'es' if n != 1 else ''}"
                                  f"{more}.")
        if n:
            self.suppliers.setCurrentRow(0)
        else:
            self._show_card(-1)
        self.search_done.emit()

    # --- one supplier ---------------------------------------------------------------------------
    def current(self) -> SupplierCard | None:
        row = self.suppliers.currentRow()
        if self.result is None or not 0 <= row < len(self.result.encontrados):
            return None
        entity_id = self.result.encontrados[row].id
        if entity_id not in self.cards:
            # Beyond the first matches: a few indexed queries, quick enough to run here.
            try:
                self.cards[entity_id] = self.services.lookup.card(self.actor, entity_id)
            except ServiceError as exc:
                self.status.show_error(exc.message)
                return None
        return self.cards[entity_id]

    def _show_card(self, _row: int) -> None:
        card = self.current()
        self.checklist_button.setEnabled(card is not None)
        self.admin_button.setEnabled(card is not None and card.puede_administrar)
        if card is None:
            self.entidad.setText("")
            self.solo_lectura.setText("")
            for table in (self.users, self.pending, self.last_actions):
                table.setRowCount(0)
            self.documents.clear()
            return
        e = card.entidad
        nit = f"NIT {e.nit}-{e.dv}" if e.nit and e.dv else (f"NIT {e.nit}" if e.nit else "sin NIT")
        self.entidad.setText(f"<b>{e.nombre}</b><br>{nit} · {e.ciudad or 'sin municipio'} · {e.pais}")
        self.solo_lectura.setText(card.motivo_solo_lectura or "Usted es administrador de esta Entidad.")
        self.admin_button.setToolTip(card.motivo_solo_lectura)
        self.admin_button.setAccessibleDescription(card.motivo_solo_lectura)
        self.users_box.setTitle(f"Usuarios y acceso a la cuenta ({card.total_usuarios})")
        _fill(self.users, [_user_row(u) for u in card.usuarios])
        self.pending_box.setTitle(f"Solicitudes de acceso pendientes ({card.total_pendientes})")
        _fill(self.pending, [(u.usuario, u.nombre, u.correo) for u in card.solicitudes_pendientes])
        self.documents.clear()
        for nombre in card.documentos_faltantes or ("Ninguno: están todos anexados.",):
            self.documents.addItem(QListWidgetItem(nombre))
        # The zone is the agent's own for every row: said once in the tooltip, not on each line.
        self.last_actions.setToolTip(f"Horas en {self.zona}")
        _fill(self.last_actions, [(format_fecha(a.ocurrido_en, self.zona, compact=True).removesuffix(self.zona),
                                   a.actor, _accion(a.accion)) for a in card.ultimas_acciones])

    def open_checklist(self) -> ChecklistDialog | None:
        card = self.current()
        if card is None:
            return None
        try:
            checklist = self.services.lookup.checklist(self.actor, card.entidad.id)
        except ServiceError as exc:
            self.status.show_error(exc.message)
            return None
        dialog = ChecklistDialog(card.entidad.nombre, checklist, self)
        self.dialogs.append(dialog)
        dialog.show()
        return dialog

    def open_admin(self) -> QMainWindow | None:
        card = self.current()
        if card is None or not card.puede_administrar:
            return None
        from secop_desktop.views.admin_window import open_admin_for

        window = open_admin_for(self.services, self.actor, card.entidad.id)
        self.dialogs.append(window)
        window.show()
        return window


class LookupLauncher(QObject):
    """«Buscar proveedor» (Ctrl+F) in a «Mesa de ayuda» menu, shown only to a signed-in user who may look up."""

    def __init__(self, window: QMainWindow, services: Services, actor: Callable[[], SignedIn | None]) -> None:
        super().__init__(window)
        self.services = services
        self.actor = actor
        self.menu = window.menuBar().addMenu("&Mesa de ayuda")
        self.action = QAction(TITLE, window)
        self.action.setShortcut(QKeySequence("Ctrl+F"))
        self.action.triggered.connect(lambda _=False: self.open_window())
        self.menu.addAction(self.action)
        self.opened: list[LookupWindow] = []  # kept alive while shown
        self.refresh()

    def allowed(self) -> SignedIn | None:
        who = self.actor()
        try:
            return who if who is not None and self.services.lookup.available(who) else None
        except ServiceError:  # signed out, blocked since: simply not offered
            return None

    def refresh(self, *_: object) -> None:
        visible = self.allowed() is not None
        self.menu.menuAction().setVisible(visible)
        self.action.setEnabled(visible)

    def open_window(self) -> LookupWindow | None:
        who = self.allowed()
        if who is None:
            return None
        window = LookupWindow(self.services, who)
        self.opened = [w for w in self.opened if w.isVisible()] + [window]
        window.show()
        return window


def add_lookup_action(window: QMainWindow, services: Services, actor: Callable[[], SignedIn | None],
                      signed_in: SignalInstance | None = None) -> LookupLauncher:
    """The hook for the start window and the Escritorio; `signed_in` re-checks the user after each sign-in."""
    launcher = LookupLauncher(window, services, actor)
    if signed_in is not None:
        signed_in.connect(launcher.refresh)
    return launcher
