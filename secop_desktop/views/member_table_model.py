"""The admin table's model: members fetched lazily in windows, sorted and filtered by the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from secop_desktop.core.access.service import SORT_KEYS, AccessService, MemberRow, PageCursor
from secop_desktop.core.clock import Clock
from secop_desktop.core.dates import format_elapsed
from secop_desktop.core.identity import SignedIn
from secop_desktop.vocab import ZONA_HORARIA_BOGOTA

Index = QModelIndex | QPersistentModelIndex

COLUMNS: tuple[str, ...] = (
    "Nombre",
    "Correo electrónico",
    "Fecha de registro",
    "Acceso a la cuenta",
    "Última actualización de estado",
    "Usuario",
    "Rol",
)
assert len(COLUMNS) == len(SORT_KEYS)

ROW_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class Query:
    """What the table shows: one state (or all), a text, and the sort."""

    acceso: str | None = None
    texto: str = ""
    sort: str = "acceso"
    descending: bool = False


class MemberTableModel(QAbstractTableModel):
    """Keeps only the rows fetched so far; Qt asks for the next window when the view scrolls near the end."""

    reloaded = Signal()

    def __init__(self, access: AccessService, actor: SignedIn, entity_id: int, clock: Clock, *,
                 zona: str = ZONA_HORARIA_BOGOTA, batch_size: int = 200, parent: object = None) -> None:
        super().__init__(parent)  # type: ignore[arg-type]
        self.access = access
        self.actor = actor
        self.entity_id = entity_id
        self.clock = clock
        self.zona = zona
        self.batch_size = batch_size
        self.query = Query()
        self._rows: list[MemberRow] = []
        self._positions: dict[int, int] = {}
        self._cursor: PageCursor | None = None
        self._complete = True
        self.fetches = 0  # windows fetched since the last reload (the benchmark and tests read it)

    # --- Qt model interface ------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cell_text(row, index.column())
        if role == ROW_ROLE:
            return row
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._complete

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._complete:
            return
        page = self._fetch()
        if not page:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
        self._append(page)
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(SORT_KEYS):
            return
        sort, descending = SORT_KEYS[column], order == Qt.SortOrder.DescendingOrder
        if self.fetches and (sort, descending) == (self.query.sort, self.query.descending):
            return  # QTableView.sortByColumn asks twice for the same order
        self.set_query(sort=sort, descending=descending)

    # --- what the window uses ----------------------------------------------------------
    def cell_text(self, row: MemberRow, column: int) -> str:
        if column == 0:
            return row.nombre
        if column == 1:
            return row.correo
        if column == 2:
            return format_elapsed(row.fecha_registro, self.clock(), self.zona)
        if column == 3:
            return row.acceso
        if column == 4:
            return format_elapsed(row.actualizado_en, self.clock(), self.zona)
        if column == 5:
            return "Activo" if row.activo else "Inactivo"
        return row.rol

    def set_query(self, **changes: object) -> None:
        """Changes filter or sort and starts again from the first window."""
        values = {**self.query.__dict__, **changes}
        self.query = Query(**values)
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = []
        self._positions = {}
        self._cursor = None
        self._complete = False
        self.fetches = 0
        self._append(self._fetch())
        self.endResetModel()
        self.reloaded.emit()

    def row(self, number: int) -> MemberRow:
        return self._rows[number]

    def rows(self, numbers: Iterable[int]) -> list[MemberRow]:
        return [self._rows[n] for n in numbers]

    def position(self, membership_id: int) -> int | None:
        return self._positions.get(membership_id)

    def update_rows(self, changed: Iterable[MemberRow]) -> None:
        """Shows an applied action at once, in place, without refetching (the row keeps its position)."""
        for new in changed:
            number = self._positions.get(new.membership_id)
            if number is None:
                continue
            self._rows[number] = new
            self.dataChanged.emit(self.index(number, 0), self.index(number, len(COLUMNS) - 1))

    def drop_rows(self, membership_ids: Iterable[int]) -> None:
        """Takes rows out of the view (a member who left the filtered state), keeping the others' order."""
        for number in sorted((self._positions[m] for m in set(membership_ids) if m in self._positions),
                             reverse=True):
            self.beginRemoveRows(QModelIndex(), number, number)
            del self._rows[number]
            self.endRemoveRows()
        self._positions = {row.membership_id: n for n, row in enumerate(self._rows)}

    @property
    def complete(self) -> bool:
        return self._complete

    # --- windows -----------------------------------------------------------------------
    def _fetch(self) -> list[MemberRow]:
        q = self.query
        page = self.access.page(self.actor, self.entity_id, limit=self.batch_size, after=self._cursor, sort=q.sort,
                                descending=q.descending, acceso=q.acceso, texto=q.texto)
        self.fetches += 1
        self._complete = page.complete
        if page.cursor is not None:
            self._cursor = page.cursor
        return page.rows

    def _append(self, rows: list[MemberRow]) -> None:
        for row in rows:
            self._positions[row.membership_id] = len(self._rows)
            self._rows.append(row)
