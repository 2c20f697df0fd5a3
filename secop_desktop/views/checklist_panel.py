"""Lista de verificación: each part of the registration with ✓ or what it lacks, the percentage, and a jump.

Shown beside the registration wizard and in the Escritorio for an unfinished registration. It only
renders a ``Checklist`` (computed without Qt in ``core/registration/checklist.py``) and says which
missing thing the user wants to go to; whoever embeds it does the going.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.registration.checklist import Checklist, Item, Missing

TITLE = "Lista de verificación"
GO_FIRST = "Ir al primer faltante"
GO_KEY = QKeySequence(Qt.Key.Key_F8)
# Done parts in green, missing ones in the error red of the widget kit; both also say it in words (✓/✗).
DONE_COLOR = "#1b5e20"
MISSING_COLOR = "#b00020"


def item_text(item: Item) -> str:
    if item.hecho:
        return f"✓ {item.titulo}"
    what = item.razon(item.faltan[0])
    more = f" (y {len(item.faltan) - 1} más)" if len(item.faltan) > 1 else ""
    return f"✗ {item.titulo}\n    {what}{more}"


class ChecklistPanel(QFrame):
    """The list, its percentage and «Ir al primer faltante» (F8 where the embedding window binds it)."""

    go_to = Signal(object)  # Missing: the part the user wants to complete now

    def __init__(self, parent: QWidget | None = None, *, collapsible: bool = False) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(TITLE)
        self._checklist: Checklist | None = None
        self.collapsed = False
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 6, 6)
        top = QHBoxLayout()
        self.title = QLabel(f"<b>{TITLE}</b>")
        self.title.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.title, 1)
        self.toggle = QPushButton("Ocultar")
        self.toggle.setAccessibleName("Ocultar la lista de verificación")
        self.toggle.setVisible(collapsible)
        self.toggle.clicked.connect(lambda: self.set_collapsed(not self.collapsed))
        top.addWidget(self.toggle)
        column.addLayout(top)
        self.percent = QProgressBar()
        self.percent.setRange(0, 100)
        self.percent.setFormat("%p % completa")
        self.percent.setAccessibleName("Porcentaje completo")
        column.addWidget(self.percent)
        self.list = QListWidget()
        self.list.setAccessibleName(TITLE)
        self.list.setAccessibleDescription("Intro o doble clic en una parte pendiente lleva al campo que falta.")
        self.list.setWordWrap(True)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.list.itemActivated.connect(self._activated)
        column.addWidget(self.list, 1)
        self.go_first = QPushButton(GO_FIRST)
        # The words on the button are what a screen reader says; the key goes in the tip and the description.
        self.go_first.setToolTip(f"{GO_FIRST} (F8)")
        self.go_first.setAccessibleDescription("Atajo de teclado: F8")
        self.go_first.clicked.connect(self.go_to_first)
        column.addWidget(self.go_first)

    # --- what it shows ------------------------------------------------------------------------
    def set_checklist(self, checklist: Checklist) -> None:
        self._checklist = checklist
        current = self.list.currentRow()
        self.list.clear()
        for item in checklist.items:
            row = QListWidgetItem(item_text(item))
            row.setData(Qt.ItemDataRole.UserRole, item.clave)
            row.setForeground(QColor(DONE_COLOR if item.hecho else MISSING_COLOR))
            row.setData(Qt.ItemDataRole.AccessibleTextRole,
                        item_text(item).replace("✓", "Completo:").replace("✗", "Falta:").replace("\n", ". "))
            self.list.addItem(row)
        if 0 <= current < self.list.count():
            self.list.setCurrentRow(current)
        self.percent.setValue(checklist.porcentaje)
        self.percent.setAccessibleDescription(f"{checklist.porcentaje} % completa")
        self.go_first.setEnabled(checklist.primer_faltante is not None)
        if self.collapsed:
            self.toggle.setText(f"Mostrar ({checklist.porcentaje} %)")

    def clear(self) -> None:
        self._checklist = None
        self.list.clear()
        self.percent.setValue(0)
        self.go_first.setEnabled(False)

    @property
    def checklist(self) -> Checklist | None:
        return self._checklist

    def set_collapsed(self, collapsed: bool) -> None:
        """Collapsed: only the title and a «Mostrar» button stay, the wizard gets the width back."""
        self.collapsed = collapsed
        for widget in (self.percent, self.list, self.go_first):
            widget.setVisible(not collapsed)
        self.title.setVisible(not collapsed)
        self.toggle.setText(f"Mostrar ({self._checklist.porcentaje} %)" if collapsed and self._checklist else
                            "Mostrar" if collapsed else "Ocultar")
        self.toggle.setAccessibleName(("Mostrar" if collapsed else "Ocultar") + " la lista de verificación")

    # --- the jump -------------------------------------------------------------------------------
    def go_to_first(self) -> None:
        first = self._checklist.primer_faltante if self._checklist else None
        if first is not None:
            self.go_to.emit(first)

    def _activated(self, row: QListWidgetItem) -> None:
        if self._checklist is None:
            return
        clave = row.data(Qt.ItemDataRole.UserRole)
        item = next((i for i in self._checklist.items if i.clave == clave), None)
        missing: Missing | None = item.faltan[0] if item is not None and item.faltan else None
        if missing is not None:
            self.go_to.emit(missing)
