"""The guide's "Anexar documentos" table: attach, open and delete documents, copying off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDragLeaveEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QFileDialog,
    QFrame,
    QGridLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.dates import format_fecha
from secop_desktop.core.documents.file_policy import format_size, printable_name
from secop_desktop.core.documents.service import (
    RECOMENDACIONES,
    RECOMENDACIONES_TITULO,
    DocumentInfo,
    DocumentService,
    Slot,
    all_slots,
    slots,
)
from secop_desktop.core.identity import Actor
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from secop_desktop.views.jobs import Job
from secop_desktop.views.qt_app import documents_folder
from secop_desktop.views.validity_dialog import USUAL, Ask, ask

FALTA = "Falta el documento"
INSTRUCCIONES = (
    "Para anexar un documento haga clic en \u201cAnexar documento\u201d o arrastre y suelte el documento "
    "sobre su fila. Puede cargar todo tipo de documentos excepto ejecutables (.exe)."
)
# Fixed widths for every column but the description, shared by the header and the rows so the
# table lines up whatever each cell's text is.
# The description, the longest text, gets what is left: on a 1366x768 laptop every row shows whole.
_WIDTHS = {1: 220, 2: 110, 3: 170}
_ERROR_STYLE = "color: #b00020; background: #fdecea; border: 1px solid #f1b0b7; padding: 6px"
_INFO_STYLE = "color: #1b5e20; background: #e8f5e9; border: 1px solid #a5d6a7; padding: 6px"
_HELP_PENDING = "color: #8a4b00"
_HELP_DONE = "color: #1b5e20"


def file_dialog(parent: QWidget) -> QFileDialog:
    """Qt's own file dialog (in Spanish, the same on every desktop), in the user's Documents folder.

    Its file name field gets the focus: an agent on the phone types or pastes the path and presses Enter.
    """
    dialog = QFileDialog(parent, "Buscar documento", documents_folder(), "Todos los archivos (*)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    name = dialog.findChild(QLineEdit, "fileNameEdit")
    if name is not None:
        # After show(): QFileDialog focuses its file list when it lays itself out.
        dialog.setFocusProxy(name)
        QTimer.singleShot(0, name, lambda: name.setFocus(Qt.FocusReason.OtherFocusReason))
    return dialog


def open_stored_copy(path: Path) -> bool:
    """Opens the stored copy with the system's viewer; a module function so tests can replace it."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def _shape(grid: QGridLayout) -> None:
    grid.setColumnStretch(0, 1)
    grid.setHorizontalSpacing(12)


def _cell(widget: QWidget, column: int) -> QWidget:
    if column in _WIDTHS:
        widget.setFixedWidth(_WIDTHS[column])
    return widget


class _SlotRow(QFrame):
    """One row of the table; also the drop target for its slot."""

    dropped = Signal(object)  # list[Path]

    def __init__(self, slot: Slot) -> None:
        super().__init__()
        self.slot = slot
        self.setObjectName("slotRow")
        self.setAccessibleName(slot.nombre)
        self.setAcceptDrops(True)
        grid = QGridLayout(self)
        _shape(grid)
        grid.setContentsMargins(6, 8, 6, 8)

        self.descripcion = QLabel(slot.titulo)
        self.descripcion.setWordWrap(True)
        self.descripcion.setAccessibleName("Documento")
        self.descripcion.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        grid.addWidget(self.descripcion, 0, 0, Qt.AlignmentFlag.AlignTop)

        name_cell = _cell(QWidget(), 1)
        name_box = QVBoxLayout(name_cell)
        name_box.setContentsMargins(0, 0, 0, 0)
        name_box.setSpacing(2)
        self.nombre = QLabel(FALTA)
        self.nombre.setWordWrap(True)
        self.nombre.setAccessibleName("Nombre del documento")
        self.detalle = QLabel()
        self.detalle.setWordWrap(True)
        self.detalle.setAccessibleName("Tamaño y fecha")
        self.detalle.setStyleSheet("color: #555")
        self.progreso = QProgressBar()
        self.progreso.setRange(0, 100)
        self.progreso.setFormat("%p %")
        self.progreso.setAccessibleName("Progreso")
        name_box.addWidget(self.nombre)
        name_box.addWidget(self.detalle)
        name_box.addWidget(self.progreso)
        name_box.addStretch(1)
        grid.addWidget(name_cell, 0, 1)

        self.obligatorio = _cell(QLabel("Sí" if slot.obligatorio else "No"), 2)
        self.obligatorio.setAccessibleName("¿Es obligatorio?")
        grid.addWidget(self.obligatorio, 0, 2, Qt.AlignmentFlag.AlignTop)

        actions_cell = _cell(QWidget(), 3)
        actions = QVBoxLayout(actions_cell)
        actions.setContentsMargins(0, 0, 0, 0)
        actions.setSpacing(4)
        # No mnemonics: every row has these four, and one Alt+letter cannot reach five buttons. The focus
        # goes to the next row's Anexar documento by itself instead (AttachmentsPanel.focus_next).
        self.anexar = self._button("Anexar documento", actions)
        self.abrir = self._button("Abrir", actions)
        self.borrar = self._button("Borrar documento", actions)
        self.cancelar = self._button("Cancelar", actions)
        actions.addStretch(1)
        grid.addWidget(actions_cell, 0, 3)
        self.set_document(None)
        self.set_busy(False)

    def _button(self, text: str, box: QVBoxLayout) -> QPushButton:
        button = QPushButton(text)
        # Five rows share these words; the description tells a screen reader which row it is.
        button.setAccessibleDescription(self.slot.nombre)
        button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        box.addWidget(button)
        return button

    def set_document(self, info: DocumentInfo | None) -> None:
        if info is None:
            self.nombre.setText(FALTA)
            self.nombre.setStyleSheet("color: #8a4b00; font-style: italic")
            self.detalle.clear()
            self.detalle.hide()
        else:
            self.nombre.setText(info.nombre_original)
            self.nombre.setStyleSheet("font-weight: bold")
            vigencia = f"\nVigente hasta {info.valido_hasta:%d/%m/%Y}" if info.valido_hasta else ""
            self.detalle.setText(f"{format_size(info.tamano)}\n{format_fecha(info.anexado_en)}{vigencia}")
            self.detalle.show()
        self.abrir.setVisible(info is not None)
        self.borrar.setVisible(info is not None)

    def set_busy(self, busy: bool, name: str = "") -> None:
        if busy:
            self.nombre.setText(f"Copiando «{printable_name(name)}»…")
            self.nombre.setStyleSheet("font-style: italic")
        self.progreso.setVisible(busy)
        self.cancelar.setVisible(busy)
        self.cancelar.setEnabled(busy)
        self.anexar.setEnabled(not busy)
        self.borrar.setEnabled(not busy)
        if busy:
            self.progreso.setValue(0)

    def _highlight(self, on: bool) -> None:
        self.setProperty("arrastrando", on)
        self.style().unpolish(self)
        self.style().polish(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and self.anexar.isEnabled():
            event.acceptProposedAction()
            self._highlight(True)
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._highlight(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        self._highlight(False)
        urls = event.mimeData().urls()
        event.acceptProposedAction()
        self.dropped.emit([Path(u.toLocalFile()) if u.isLocalFile() else None for u in urls])


class AttachmentsPanel(QWidget):
    """Anexar documentos: one row per slot of the guide; completeChanged tells when Finalizar may be enabled."""

    completeChanged = Signal(bool)

    def __init__(
        self,
        services: Services,
        actor: Actor,
        *,
        owner_entity_id: int,
        persona_natural: bool = False,
        obligado_contabilidad: bool = True,
        file_chooser: Callable[[], Path | None] | None = None,
        confirm: Callable[[str], bool] | None = None,
        ask_validity: Ask | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.documents: DocumentService = services.documents
        self.actor = actor
        self._entity_id = owner_entity_id
        self._persona_natural = persona_natural
        self._obligado = obligado_contabilidad
        self._choose = file_chooser
        self.dialog: QFileDialog | None = None
        # The wizard's Finalizar (set_finish_button); the Escritorio's Biblioteca has none.
        self._finish: QAbstractButton | None = None
        self._confirm = confirm or self._confirm_with_box
        # A scripted file chooser (tests, automation) means no dialogs: the usual dates, unasked.
        self._ask_validity = ask_validity or (
            (lambda tipo: ask(self, self.documents, tipo)) if file_chooser is None else (lambda _tipo: USUAL))
        self._docs: dict[str, DocumentInfo] = {}
        self._tasks: dict[str, Job] = {}
        self._sources: dict[str, Path] = {}
        self._last_jobs: dict[str, Job] = {}
        self._complete = False

        self.setObjectName("attachmentsPanel")
        self.setStyleSheet(
            "QFrame#slotRow { border: none; border-bottom: 1px solid #c8d0d8; }"
            "QFrame#slotRow[arrastrando=\"true\"] { background: #e3eefb; border: 2px dashed #1f5fa6; }"
            "QFrame#tableHeader { background: #dfe6ee; border: none; border-bottom: 2px solid #9aa8b6; }"
            "QFrame#tableHeader QLabel { font-weight: bold; }"
        )
        layout = QVBoxLayout(self)
        title = QLabel("<h2>Anexar documentos</h2>")
        layout.addWidget(title)
        instrucciones = QLabel(INSTRUCCIONES)
        instrucciones.setWordWrap(True)
        layout.addWidget(instrucciones)

        self.mensaje = QLabel()
        self.mensaje.setWordWrap(True)
        self.mensaje.setAccessibleName("Mensaje de documentos")
        self.mensaje.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.mensaje.hide()
        layout.addWidget(self.mensaje)

        table = QWidget()
        table_box = QVBoxLayout(table)
        table_box.setContentsMargins(0, 0, 0, 0)
        table_box.setSpacing(0)
        header = QFrame()
        header.setObjectName("tableHeader")
        header_grid = QGridLayout(header)
        _shape(header_grid)
        header_grid.setContentsMargins(6, 4, 6, 4)
        for column, text in enumerate(("Documento", "Nombre del documento", "¿Es obligatorio?", "")):
            header_grid.addWidget(_cell(QLabel(text), column), 0, column)
        table_box.addWidget(header)
        self._rows: dict[str, _SlotRow] = {}
        # Rows for every slot exist; set_variant only shows or hides them, so a running copy survives.
        for s in all_slots():
            row = _SlotRow(s)
            row.anexar.clicked.connect(lambda _=False, t=s.tipo: self._attach_chosen(t))
            row.borrar.clicked.connect(lambda _=False, t=s.tipo: self._delete(t))
            row.abrir.clicked.connect(lambda _=False, t=s.tipo: self._open(t))
            row.cancelar.clicked.connect(lambda _=False, t=s.tipo: self._cancel(t))
            row.dropped.connect(lambda paths, t=s.tipo: self._attach_dropped(t, paths))
            table_box.addWidget(row)
            self._rows[s.tipo] = row
        # The recommendations scroll with the table (read once), so the table gets the page's height.
        self.recomendaciones = QLabel(
            f"<b>{RECOMENDACIONES_TITULO}</b><ul style='margin-top:2px'>"
            + "".join(f"<li>{r}</li>" for r in RECOMENDACIONES)
            + "</ul>"
        )
        self.recomendaciones.setWordWrap(True)
        self.recomendaciones.setAccessibleName(RECOMENDACIONES_TITULO)
        self.recomendaciones.setContentsMargins(0, 8, 0, 0)
        table_box.addWidget(self.recomendaciones)
        table_box.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(table)
        layout.addWidget(scroll, 1)

        self.ayuda = QLabel()
        self.ayuda.setWordWrap(True)
        self.ayuda.setAccessibleName("Ayuda para finalizar")
        layout.addWidget(self.ayuda)

        self._show_variant()
        self.refresh(emit=False)

    # -- public API --------------------------------------------------------------------------

    def is_complete(self) -> bool:
        """Every mandatory slot of the current variant filled, and no copy still running."""
        return self._complete

    def is_busy(self) -> bool:
        return bool(self._tasks)

    def set_owner(self, entity_id: int) -> None:
        """Shows another Entidad's documents (copies still running finish into the Entidad they started for)."""
        self._entity_id = entity_id
        self.refresh()

    def set_variant(self, persona_natural: bool, obligado_contabilidad: bool) -> None:
        self._persona_natural = persona_natural
        self._obligado = obligado_contabilidad
        self._show_variant()
        self.refresh()

    def set_finish_button(self, button: QAbstractButton) -> None:
        """Where the focus goes once every mandatory document is attached, and what the help text names."""
        self._finish = button
        self._update_completeness(False)

    def focus_next(self, after: str | None = None) -> None:
        """The keyboard path through the table: the Anexar documento of the next row still missing a
        mandatory document (after `after`, wrapping round); once none is missing, Finalizar."""
        order = [s.tipo for s in self.visible_slots()]
        start = order.index(after) + 1 if after in order else 0
        order = order[start:] + order[:start]
        missing = {s.tipo for s in self._missing()}
        candidates = [t for t in order if t in missing]
        if self._finish is None:
            # The Biblioteca has no Finalizar: the empty optional rows come next, then the row just filled.
            candidates += [t for t in order if t not in missing and t not in self._docs]
        for tipo in candidates:
            if tipo not in self._tasks and self._rows[tipo].anexar.isEnabled():
                self._rows[tipo].anexar.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        if self._finish is not None:
            if self._finish.isEnabled() and self._finish.isVisible():
                self._finish.setFocus(Qt.FocusReason.OtherFocusReason)
        elif after in self._rows and self._rows[after].anexar.isEnabled():
            self._rows[after].anexar.setFocus(Qt.FocusReason.OtherFocusReason)

    def visible_slots(self) -> list[Slot]:
        return slots(self._persona_natural, self._obligado)

    def cancel_all(self) -> None:
        for task in self._tasks.values():
            task.cancel.set()

    def refresh(self, *, emit: bool = True) -> None:
        """Reloads the documents from the database and updates rows, help text and completeness."""
        try:
            docs = self.documents.list(self.actor, self._entity_id)
        except ServiceError as exc:
            docs = []
            self._say(exc.message, error=True)
        self._docs = {d.tipo: d for d in docs}
        for tipo, row in self._rows.items():
            row.set_document(self._docs.get(tipo))
        self._update_completeness(emit)

    # -- internals ---------------------------------------------------------------------------

    def _show_variant(self) -> None:
        shown = {s.tipo for s in self.visible_slots()}
        for tipo, row in self._rows.items():
            row.setVisible(tipo in shown)

    def _missing(self) -> list[Slot]:
        return [s for s in self.visible_slots() if s.obligatorio and s.tipo not in self._docs]

    def _update_completeness(self, emit: bool) -> None:
        missing = self._missing()
        # "Finalizar" only where there is one: the wizard's last page, not the Biblioteca.
        wizard = self._finish is not None
        if missing:
            names = ", ".join(s.nombre for s in missing) + "."
            self.ayuda.setText(("Para finalizar anexe los documentos obligatorios: " if wizard
                                else "Faltan los documentos obligatorios: ") + names)
            self.ayuda.setStyleSheet(_HELP_PENDING)
        elif self._tasks:
            self.ayuda.setText("Para finalizar espere a que termine la copia de los documentos." if wizard
                               else "Espere a que termine la copia de los documentos.")
            self.ayuda.setStyleSheet(_HELP_PENDING)
        else:
            self.ayuda.setText("Todos los documentos obligatorios están anexos."
                               + (" Ya puede finalizar." if wizard else ""))
            self.ayuda.setStyleSheet(_HELP_DONE)
        complete = not missing and not self._tasks
        if complete != self._complete:
            self._complete = complete
            if emit:
                self.completeChanged.emit(complete)

    def _say(self, text: str, *, error: bool) -> None:
        self.mensaje.setText(text)
        self.mensaje.setStyleSheet(_ERROR_STYLE if error else _INFO_STYLE)
        self.mensaje.show()


    def _confirm_with_box(self, text: str) -> bool:
        answer = QMessageBox.question(self, "Borrar documento", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _attach_chosen(self, tipo: str) -> None:
        if self._choose is not None:
            path = self._choose()
            if path is not None:
                self._start(tipo, Path(path))
            return
        # open(), not exec(): no nested event loop, the copies already running keep reporting.
        self.dialog = file_dialog(self)
        self.dialog.fileSelected.connect(lambda name, t=tipo: self._start(t, Path(name)) if name else None)
        # Back to this window with the keyboard focus where it was (not every window manager, nor the
        # offscreen platform after the file name completer's popup, does it by itself).
        self.dialog.finished.connect(lambda _: self.window().activateWindow() if self.isVisible() else None)
        self.dialog.open()

    def _attach_dropped(self, tipo: str, paths: list[Path | None]) -> None:
        if len(paths) != 1:
            self._say("Arrastre un solo documento a la vez.", error=True)
        elif paths[0] is None:
            self._say("Solo se pueden anexar documentos guardados en su computador.", error=True)
        else:
            self._start(tipo, paths[0])

    def _start(self, tipo: str, source: Path) -> None:
        if tipo in self._tasks or (validity := self._ask_validity(tipo)) is None:
            return
        self.mensaje.hide()
        row = self._rows[tipo]

        # The owner is fixed when the copy starts; the worker never reads the panel's state.
        service, actor, entity_id = self.documents, self.actor, self._entity_id

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> DocumentInfo:
            return service.attach(actor, tipo, source, entity_id=entity_id, progress=progress, cancelled=cancelled,
                                  valido_desde=validity.valido_desde, valido_hasta=validity.valido_hasta)

        job = Job(work, name="anexar documento")
        job.signals.progress.connect(lambda percent, t=tipo: self._progressed(t, percent))
        job.signals.finished.connect(lambda info, t=tipo: self._copied(t, info))
        job.signals.failed.connect(lambda message, t=tipo: self._failed(t, message))
        job.signals.cancelled.connect(lambda t=tipo: self._cancelled(t))
        self._tasks[tipo] = job
        self._sources[tipo] = source
        row.set_busy(True, source.name)
        self._update_completeness(True)
        job.start()

    def _progressed(self, tipo: str, percent: int) -> None:
        if tipo in self._tasks:
            self._rows[tipo].progreso.setValue(percent)

    def _finish_copy(self, tipo: str) -> None:
        job = self._tasks.pop(tipo, None)
        if job is not None:
            # Its thread may still be returning from run(): keep the Python object alive until the next copy.
            self._last_jobs[tipo] = job
        self._sources.pop(tipo, None)
        self._rows[tipo].set_busy(False)
        self.refresh()

    def _copied(self, tipo: str, info: DocumentInfo) -> None:
        self._finish_copy(tipo)
        self._say(f"Documento anexo: «{printable_name(info.nombre_original)}».", error=False)
        self.focus_next(tipo)

    def _failed(self, tipo: str, message: str) -> None:
        self._finish_copy(tipo)
        self._say(message, error=True)

    def _cancelled(self, tipo: str) -> None:
        source = self._sources.get(tipo)
        name = printable_name(source.name) if source is not None else ""
        self._finish_copy(tipo)
        self._say(f"Se canceló la copia de «{name}». No se anexó el documento.", error=False)

    def _cancel(self, tipo: str) -> None:
        task = self._tasks.get(tipo)
        if task is not None:
            task.cancel.set()
            self._rows[tipo].cancelar.setEnabled(False)

    def _delete(self, tipo: str) -> None:
        info = self._docs.get(tipo)
        if info is None:
            return
        slot_name = self._rows[tipo].slot.nombre
        if not self._confirm(f"¿Desea borrar el documento «{printable_name(info.nombre_original)}» "
                             f"({slot_name})?"):
            return
        try:
            self.documents.delete(self.actor, info.id)
        except ServiceError as exc:
            self._say(exc.message, error=True)
        else:
            self._say(f"Se borró el documento «{printable_name(info.nombre_original)}».", error=False)
        self.refresh()

    def _open(self, tipo: str) -> None:
        info = self._docs.get(tipo)
        if info is None:
            return
        name = printable_name(info.nombre_original)
        if not info.path.is_file():
            self._say(f"La copia guardada de «{name}» ya no está disponible. Bórrela y anéxela de nuevo.",
                      error=True)
        elif not open_stored_copy(info.path):
            self._say(f"No se pudo abrir «{name}»: no hay un programa para abrir este tipo de documento.",
                      error=True)
