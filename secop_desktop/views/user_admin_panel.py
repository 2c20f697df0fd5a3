"""Administración de usuarios: the members table of one account with the guide's OPCIONES."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.access.service import DESTRUCTIVE, AccessService, Accion, MemberRow, allowed
from secop_desktop.core.clock import Clock
from secop_desktop.core.identity import SignedIn
from secop_desktop.errors import ConflictError, ServiceError
from secop_desktop.views.create_user_dialog import CreateUserDialog
from secop_desktop.views.member_table_model import COLUMNS, ROW_ROLE, MemberTableModel, Query
from secop_desktop.views.widgets.confirm import Confirm
from secop_desktop.views.widgets.forms import add_row
from secop_desktop.views.widgets.messages import MessageLabel
from secop_desktop.vocab import ZONA_HORARIA_BOGOTA, Acceso

# Button text (with mnemonic) and keyboard shortcut of every action.
ACTION_BUTTONS: tuple[tuple[Accion, str, str], ...] = (
    (Accion.ACEPTAR, "&Aceptar acceso", "Ctrl+Shift+A"),
    (Accion.RECHAZAR, "&Rechazar acceso", "Ctrl+Shift+R"),
    (Accion.CANCELAR, "&Cancelar acceso", "Ctrl+Shift+C"),
    (Accion.REVERTIR, "Re&vertir rechazo del acceso", "Ctrl+Shift+V"),
    (Accion.HACER_ADMIN, "Hacer a&dministrador", "Ctrl+Shift+D"),
    (Accion.HACER_PROVEEDOR, "Hacer &proveedor", "Ctrl+Shift+P"),
    (Accion.ACTIVAR, "Ac&tivar usuario", "Ctrl+Shift+T"),
    (Accion.DESACTIVAR, "Desact&ivar usuario", "Ctrl+Shift+I"),
)

# Filter tabs: Pendiente first, the state an administrator has to act on.
FILTERS: tuple[str | None, ...] = (Acceso.PENDIENTE.value, Acceso.ACEPTADO.value, Acceso.RECHAZADO.value,
                                   Acceso.CANCELADO.value, None)

QUESTIONS: dict[Accion, str] = {
    Accion.RECHAZAR: "¿Rechazar la solicitud de acceso de {quien}?",
    Accion.CANCELAR: "¿Cancelar el acceso a la cuenta de {quien}? Dejará de poder actuar desde la cuenta.",
    Accion.DESACTIVAR: "¿Desactivar {quien}? No podrá usar la cuenta mientras esté inactivo.",
    Accion.HACER_PROVEEDOR: "¿Quitar el rol de administrador a {quien}?",
}

DONE: dict[Accion, str] = {
    Accion.ACEPTAR: "Se aceptó el acceso de {quien}.",
    Accion.RECHAZAR: "Se rechazó el acceso de {quien}.",
    Accion.CANCELAR: "Se canceló el acceso de {quien}.",
    Accion.REVERTIR: "Se revirtió el rechazo de {quien}; la solicitud está Pendiente.",
    Accion.HACER_ADMIN: "{quien} ahora es administrador.",
    Accion.HACER_PROVEEDOR: "{quien} ahora es proveedor.",
    Accion.ACTIVAR: "Se activó {quien}.",
    Accion.DESACTIVAR: "Se desactivó {quien}.",
}


# Two-line cells: the elapsed-time dates wrap instead of being cut.
COLUMN_WIDTHS: tuple[int, ...] = (170, 195, 285, 132, 285, 66)


def who(rows: list[MemberRow]) -> str:
    if len(rows) == 1:
        return rows[0].nombre
    shown = ", ".join(r.nombre for r in rows[:3])
    more = f" y {len(rows) - 3} más" if len(rows) > 3 else ""
    return f"{len(rows)} usuarios ({shown}{more})"


def filter_label(acceso: str | None, n: int) -> str:
    return f"{acceso or 'Todos'} ({n:,})".replace(",", ".")


class UserAdminPanel(QWidget):
    changed = Signal()  # after any applied action or created user

    def __init__(self, access: AccessService, actor: SignedIn, entity_id: int, entity_name: str, clock: Clock,
                 confirm: Confirm, *, zona: str = ZONA_HORARIA_BOGOTA, batch_size: int = 200,
                 initial_filter: str | None = Acceso.PENDIENTE.value, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.access = access
        self.actor = actor
        self.entity_id = entity_id
        self.entity_name = entity_name
        self.confirm = confirm
        self.create_dialog: CreateUserDialog | None = None
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        self.filters = QTabBar()
        self.filters.setAccessibleName("Acceso a la cuenta")
        self.filters.setExpanding(False)
        self.filters.setDrawBase(False)
        for acceso in FILTERS:
            self.filters.addTab(filter_label(acceso, 0))
            self.filters.setTabData(self.filters.count() - 1, acceso)
        top.addWidget(self.filters, 1)
        search_form = QFormLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Nombre o correo electrónico")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        add_row(search_form, "&Búsqueda de usuarios", self.search)
        top.addLayout(search_form)
        layout.addLayout(top)

        self.model = MemberTableModel(access, actor, entity_id, clock, zona=zona, batch_size=batch_size, parent=self)
        self.table = QTableView()
        self.table.setAccessibleName("Usuarios de la cuenta")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(True)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().hide()
        # Fixed row heights (two lines: the guide's dates are long) and fixed column widths:
        # measuring contents would touch every row.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(2 * self.table.fontMetrics().lineSpacing() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(COLUMN_WIDTHS):
            self.table.setColumnWidth(column, width)
        header.setSortIndicator(COLUMNS.index("Acceso a la cuenta"), Qt.SortOrder.AscendingOrder)
        layout.addWidget(self.table, 1)

        self.summary = QLabel()
        self.summary.setAccessibleName("Usuarios mostrados")
        layout.addWidget(self.summary)

        # OPCIONES under the table, as the guide shows them: the guide's five first, then roles and activation.
        options = QGroupBox("OPCIONES")
        grid = QGridLayout(options)
        self.crear = QPushButton("Crear &usuarios")
        self.crear.setToolTip("Crear usuarios (Ctrl+N)")
        self.crear.clicked.connect(self.open_create_dialog)
        grid.addWidget(self.crear, 0, 0)
        self.buttons: dict[Accion, QPushButton] = {}
        for number, (accion, text, shortcut) in enumerate(ACTION_BUTTONS):
            button = QPushButton(text)
            button.setToolTip(f"{accion.value} ({shortcut})")
            button.clicked.connect(lambda _=False, a=accion: self.run(a))
            row, column = (0, number + 1) if number < 4 else (1, number - 4)
            grid.addWidget(button, row, column)
            self.buttons[accion] = button
            action = QAction(accion.value, self)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _=False, a=accion: self.run(a))
            self.addAction(action)
        for shortcut, slot in (("Ctrl+N", self.open_create_dialog), ("Ctrl+F", self.search.setFocus),
                               ("F5", self.refresh)):
            action = QAction(self)
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
        tools = QLabel("HERRAMIENTAS: Ctrl+Shift+A acepta y Ctrl+Shift+R rechaza los usuarios seleccionados; "
                       "Ctrl+clic o Mayús+clic selecciona varios; F5 actualiza.")
        tools.setWordWrap(True)
        grid.addWidget(tools, 1, 4)
        layout.addWidget(options)

        self.message = MessageLabel()
        layout.addWidget(self.message)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.search.returnPressed.connect(self._apply_search)

        counts = self.access.counts(actor, entity_id)
        if initial_filter is not None and counts.get(initial_filter, 0) == 0:
            initial_filter = None  # nothing pending: show everybody rather than an empty table
        self.filters.setCurrentIndex(FILTERS.index(initial_filter))
        self._show_counts(counts)
        self.model.query = Query(acceso=initial_filter)
        self.filters.currentChanged.connect(self._filter_changed)
        self.model.modelReset.connect(self._after_reset)
        self.model.rowsInserted.connect(lambda *_: self._show_summary())
        self.model.dataChanged.connect(lambda *_: self.update_buttons())
        # Enabling sorting runs the first (and only) query, with the header's indicator.
        self.table.setSortingEnabled(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self.update_buttons())
        self.update_buttons()

    # --- state -------------------------------------------------------------------------
    def selected_rows(self) -> list[MemberRow]:
        numbers = sorted(index.row() for index in self.table.selectionModel().selectedRows())
        return [self.model.data(self.model.index(n, 0), ROW_ROLE) for n in numbers]  # type: ignore[misc]

    def select_members(self, membership_ids: list[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for mid in membership_ids:
            number = self.model.position(mid)
            if number is not None:
                selection.select(self.model.index(number, 0), flags)

    def update_buttons(self) -> None:
        rows = self.selected_rows()
        for accion, button in self.buttons.items():
            button.setEnabled(bool(rows) and all(allowed(accion, r) for r in rows))

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.counts = counts
        for number, acceso in enumerate(FILTERS):
            n = sum(counts.values()) if acceso is None else counts.get(acceso, 0)
            self.filters.setTabText(number, filter_label(acceso, n))

    def _show_summary(self) -> None:
        q = self.model.query
        loaded = self.model.rowCount()
        if q.texto.strip():
            # Counting every match would scan the whole account again; the windows already tell
            # whether more rows follow.
            if not self.model.complete:
                self.summary.setText(f"Mostrando los primeros {loaded:,} usuarios que coinciden con la búsqueda; "
                                     "baje para ver más.".replace(",", "."))
                return
            total = loaded
        else:
            total = sum(self.counts.values()) if q.acceso is None else self.counts.get(q.acceso, 0)
        if total == 0:
            self.summary.setText("No hay usuarios con este filtro.")
        else:
            self.summary.setText(f"Mostrando {loaded:,} de {total:,} usuarios".replace(",", "."))

    def _after_reset(self) -> None:
        self._show_summary()
        self.update_buttons()

    # --- filters -----------------------------------------------------------------------
    def _filter_changed(self, number: int) -> None:
        self.message.clear()
        self.model.set_query(acceso=FILTERS[number])

    def _apply_search(self) -> None:
        self._debounce.stop()
        if self.search.text() != self.model.query.texto:
            self.model.set_query(texto=self.search.text())

    def set_filter(self, acceso: str | None) -> None:
        self.filters.setCurrentIndex(FILTERS.index(acceso))

    def refresh(self) -> None:
        self._show_counts(self.access.counts(self.actor, self.entity_id))
        self.model.reload()

    # --- actions -----------------------------------------------------------------------
    def run(self, accion: Accion) -> None:
        rows = self.selected_rows()
        if not rows or not all(allowed(accion, r) for r in rows):
            return  # a shortcut pressed while the action does not apply
        quien = who(rows)
        if accion in DESTRUCTIVE and not self.confirm(QUESTIONS[accion].format(quien=quien)):
            return
        try:
            changed = self.access.apply(self.actor, self.entity_id, accion, [r.membership_id for r in rows],
                                        {r.membership_id: r.version for r in rows})
        except ConflictError as exc:
            self.refresh()
            self.message.show_error(exc.message)
            return
        except ServiceError as exc:
            self.message.show_error(exc.message)
            return
        self.model.update_rows(changed)
        acceso = self.model.query.acceso
        if acceso is not None:
            # A member accepted under «Pendiente» leaves that tab at once, as its count says.
            self.model.drop_rows(r.membership_id for r in changed if r.acceso != acceso)
        self._show_counts(self.access.counts(self.actor, self.entity_id))
        self._show_summary()
        self.update_buttons()
        self.message.show_info(DONE[accion].format(quien=quien) +
                               " Se dejó un mensaje en el Buzón de cada usuario.")
        self.changed.emit()

    def open_create_dialog(self) -> CreateUserDialog:
        dialog = CreateUserDialog(self.access, self.actor, self.entity_id, self.entity_name, self)
        dialog.created.connect(self._user_created)
        self.create_dialog = dialog
        dialog.open()  # window-modal but not blocking: the event loop keeps running
        return dialog

    def _user_created(self, row: MemberRow) -> None:
        self.refresh()
        # The code is shown this once: the administrator hands it over (it is kept only as a hash).
        self.message.show_info(f"Se creó el usuario {row.nombre}. Se dejó el mensaje «Activación de su registro "
                               f"en SECOP» en su Buzón ({row.correo}). Código de activación para entregarle "
                               f"(solo se muestra ahora): {row.codigo_activacion}")
        self.changed.emit()
