"""The "Exportar registro" and "Importar registro" dialogs: preview, progress bar, Cancelar, work off the GUI thread."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.documents.file_policy import format_size
from secop_desktop.core.documents.service import all_slots
from secop_desktop.core.identity import Actor
from secop_desktop.core.packages.format import SUFFIX, ExportResult, ImportResult, PackagePreview, default_name
from secop_desktop.core.services import Services
from secop_desktop.views.jobs import Job
from secop_desktop.views.qt_app import documents_folder
from secop_desktop.views.widgets.forms import add_row
from secop_desktop.views.widgets.messages import MessageLabel

ChoosePath = Callable[[], "Path | None"]
FILTRO = "Paquete de registro SECOP (*.secop)"


class _JobDialog(QDialog):
    """Shared by both dialogs: one job at a time, a progress bar, and Cancelar."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.job: Job | None = None
        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progreso")
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.message = MessageLabel("Mensaje")
        self.cancelar = QPushButton("&Cancelar")
        self.cancelar.setEnabled(False)
        self.cancelar.clicked.connect(self.cancel_job)
        self.cerrar = QPushButton("Ce&rrar")
        self.cerrar.clicked.connect(self.reject)

    def start(self, work: Callable[..., Any], on_done: Callable[[Any], None]) -> None:
        job = Job(work, name="paquete")
        self.job = job
        job.signals.progress.connect(self.progress.setValue)
        job.signals.finished.connect(lambda result: self._finish(on_done, result))
        job.signals.failed.connect(self._failed)
        job.signals.cancelled.connect(self._cancelled)
        self.progress.setValue(0)
        self.message.clear()
        self._set_busy(True)
        job.start()

    @property
    def busy(self) -> bool:
        return self.job is not None

    def _set_busy(self, busy: bool) -> None:
        self.cancelar.setEnabled(busy)
        self.cerrar.setEnabled(not busy)

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.cancel.set()
            self.cancelar.setEnabled(False)

    def _done(self) -> None:
        self.job = None
        self._set_busy(False)

    def _finish(self, on_done: Callable[[Any], None], result: Any) -> None:
        self._done()
        self.progress.setValue(100)
        on_done(result)

    def _failed(self, text: str) -> None:
        self._done()
        self.message.show_error(text)

    def _cancelled(self) -> None:
        self._done()
        self.progress.setValue(0)
        self.message.show_error("Operación cancelada; no se guardó nada.")

    def reject(self) -> None:
        # Closing while working would leave a worker writing behind a closed window: cancel first.
        if self.job is not None:
            self.cancel_job()
            return
        super().reject()


def _save_dialog(parent: QWidget, suggested: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, "Exportar registro", suggested, FILTRO)
    return Path(name) if name else None


class ExportDialog(_JobDialog):
    """Exportar registro: one .secop file with the entity, its users (no secrets) and documents."""

    exported = Signal(object)  # ExportResult

    def __init__(self, services: Services, actor: Actor, entities: list[tuple[int, str]], *,
                 choose_path: ChoosePath | None = None, choose_pdf: ChoosePath | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.setWindowTitle("Exportar registro")
        self._choose_path = choose_path
        self._choose_pdf = choose_pdf
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Cree un archivo .secop con los datos de la Entidad, sus usuarios (sin "
                                "contraseñas) y sus documentos, para entregarlo a la Mesa de servicio."))
        form = QFormLayout()
        self.entidad = QComboBox()
        for entity_id, nombre in entities:
            self.entidad.addItem(nombre, entity_id)
        add_row(form, "Entidad", self.entidad, required=True)
        self.archivo = QLineEdit()
        add_row(form, "Archivo", self.archivo, required=True)
        self.examinar = QPushButton("E&xaminar…")
        self.examinar.clicked.connect(self._browse)
        form.addRow("", self.examinar)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.exportar = QPushButton("&Exportar registro")
        self.exportar.setDefault(True)
        self.exportar.clicked.connect(self.run_export)
        self.resumen = QPushButton("Resumen en &PDF…")
        self.resumen.clicked.connect(self.save_summary)
        for b in (self.exportar, self.cancelar, self.resumen, self.cerrar):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self.entidad.currentIndexChanged.connect(self._suggest)
        self._suggest()

    def entity_id(self) -> int | None:
        value = self.entidad.currentData()
        return int(value) if value is not None else None

    def _suggest(self) -> None:
        entity_id = self.entity_id()
        if entity_id is None:
            return
        form = self.services.entities.get(self.actor, entity_id).form
        self.archivo.setText(str(Path(documents_folder()) / default_name(form)))

    def _browse(self) -> None:
        chosen = self._choose_path() if self._choose_path else _save_dialog(self, self.archivo.text())
        if chosen is not None:
            self.archivo.setText(str(chosen))

    def _set_busy(self, busy: bool) -> None:
        super()._set_busy(busy)
        for w in (self.exportar, self.resumen, self.entidad, self.examinar):
            w.setEnabled(not busy)

    def run_export(self) -> None:
        entity_id = self.entity_id()
        text = self.archivo.text().strip()
        if entity_id is None:
            self.message.show_error("Seleccione la Entidad que quiere exportar.")
            return
        if not text:
            self.message.show_error("Escriba o elija el archivo donde se guardará el registro.")
            return
        dest = Path(text)
        if dest.suffix.lower() != SUFFIX:
            dest = dest.with_name(dest.name + SUFFIX)
            self.archivo.setText(str(dest))

        packages, actor = self.services.packages, self.actor

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> ExportResult:
            return packages.export(actor, entity_id, dest, progress, cancelled)

        self.start(work, self._exported)

    def _exported(self, result: ExportResult) -> None:
        self.message.show_info(f"Registro exportado en {result.path} ({result.documentos} documentos, "
                               f"{format_size(result.tamano)}).")
        self.exported.emit(result)

    def save_summary(self) -> None:
        from secop_desktop.views.summary_pdf import write_summary_pdf

        entity_id = self.entity_id()
        if entity_id is None:
            return
        if self._choose_pdf is not None:
            chosen = self._choose_pdf()
        else:
            suggested = str(Path(self.archivo.text()).with_suffix(".pdf"))
            name, _ = QFileDialog.getSaveFileName(self, "Resumen en PDF", suggested, "PDF (*.pdf)")
            chosen = Path(name) if name else None
        if chosen is None:
            return
        try:
            path = write_summary_pdf(self.services, self.actor, entity_id, chosen)
        except OSError as exc:
            self.message.show_error(f"No se pudo guardar el resumen: {exc.strerror or exc}.")
            return
        self.message.show_info(f"Resumen guardado en {path}.")


def _open_dialog(parent: QWidget) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, "Importar registro", documents_folder(), FILTRO)
    return Path(name) if name else None


class ImportDialog(_JobDialog):
    """Importar registro: validate everything, show what would be stored, then store it all or nothing."""

    imported = Signal(object)  # ImportResult

    def __init__(self, services: Services, actor: Actor, *, choose_path: ChoosePath | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.preview: PackagePreview | None = None
        self._choose_path = choose_path
        self.setWindowTitle("Importar registro")
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Elija un paquete .secop. Se valida completo (versión, SHA-256 de cada parte, "
                                "tamaños, ejecutables) antes de guardar nada."))
        form = QFormLayout()
        self.archivo = QLineEdit()
        self.archivo.setReadOnly(True)
        add_row(form, "Archivo", self.archivo, required=True)
        self.examinar = QPushButton("E&xaminar…")
        self.examinar.clicked.connect(self.browse)
        form.addRow("", self.examinar)
        layout.addLayout(form)
        self.resumen = QLabel()
        self.resumen.setWordWrap(True)
        self.resumen.setAccessibleName("Vista previa")
        layout.addWidget(self.resumen)
        self.documentos = QTableWidget(0, 4)
        self.documentos.setAccessibleName("Documentos del paquete")
        self.documentos.setHorizontalHeaderLabels(["Documento", "Nombre del documento", "Tamaño", "SHA-256"])
        self.documentos.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.documentos.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.documentos)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.importar = QPushButton("&Importar registro")
        self.importar.setEnabled(False)
        self.importar.clicked.connect(lambda: self.run_import(solicitar_acceso=False))
        self.solicitud = QPushButton("&Solicitud de acceso")
        self.solicitud.setVisible(False)
        self.solicitud.clicked.connect(lambda: self.run_import(solicitar_acceso=True))
        for b in (self.importar, self.solicitud, self.cancelar, self.cerrar):
            buttons.addWidget(b)
        layout.addLayout(buttons)

    def _set_busy(self, busy: bool) -> None:
        super()._set_busy(busy)
        self.examinar.setEnabled(not busy)
        if busy:
            self.importar.setEnabled(False)
            self.solicitud.setEnabled(False)

    def browse(self) -> None:
        chosen = self._choose_path() if self._choose_path else _open_dialog(self)
        if chosen is not None:
            self.load(Path(chosen))

    def load(self, path: Path) -> None:
        """Validates the package in the background, then shows the preview."""
        self.archivo.setText(str(path))
        self.preview = None
        self.resumen.clear()
        self.documentos.setRowCount(0)
        self.importar.setEnabled(False)
        self.solicitud.setVisible(False)

        packages, actor = self.services.packages, self.actor

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> PackagePreview:
            return packages.preview(actor, path, progress, cancelled)

        self.start(work, self._show_preview)

    def _show_preview(self, preview: PackagePreview) -> None:
        self.preview = preview
        form = preview.entidad
        nit = f"{form.nit}-{form.dv}" if form.nit and form.dv else (form.nit or "sin NIT")
        users = "; ".join(
            f"{u.nombre} ({u.usuario}, {'Administrador' if u.es_administrador else 'Proveedor'}, {u.acceso}"
            f"{', ya existe: se vincula' if u.existe else ''})" for u in preview.usuarios)
        # Everything in the package is data from outside: escaped, never interpreted as rich text.
        self.resumen.setText(
            f"<b>{escape(form.nombre)}</b> — NIT {escape(nit)}<br>{escape(form.tipo_organizacion)}<br>"
            f"Representante legal: {escape(form.representante_nombre)}<br>Usuarios: {escape(users or 'ninguno')}<br>"
            f"Paquete creado el {preview.creado_en:%d/%m/%Y %H:%M} (UTC) con secop-desktop "
            f"{escape(preview.version_app)}")
        names = {s.tipo: s.nombre for s in all_slots()}
        self.documentos.setRowCount(len(preview.documentos))
        for row, d in enumerate(preview.documentos):
            for col, value in enumerate((names.get(d.tipo, d.tipo), d.nombre_original, format_size(d.tamano),
                                         d.sha256)):
                self.documentos.setItem(row, col, QTableWidgetItem(value))
        existing = preview.entidad_existente
        if existing is not None:
            self.importar.setEnabled(False)
            self.solicitud.setVisible(True)
            self.solicitud.setEnabled(True)
            self.message.show_error(
                f"Ya existe una Entidad registrada con el NIT {existing.nit or ''}: {existing.nombre} "
                f"({existing.linea}). No se creará un duplicado: use «Solicitud de acceso» para pedir acceso "
                "para los usuarios del paquete.")
        else:
            self.importar.setEnabled(True)
            self.message.show_info("El paquete es válido. Revise los datos y haga clic en «Importar registro».")

    def run_import(self, *, solicitar_acceso: bool) -> None:
        if self.preview is None:
            return
        path = self.preview.path

        packages, actor = self.services.packages, self.actor

        def work(progress: Callable[[int, int], None], cancelled: Callable[[], bool]) -> ImportResult:
            return packages.import_(actor, path, progress, cancelled, solicitar_acceso=solicitar_acceso)

        self.start(work, self._imported)

    def _imported(self, result: ImportResult) -> None:
        self.preview = None
        if result.creada:
            text = f"Registro importado: {result.entidad} con {result.documentos} documentos."
        else:
            text = f"Solicitud de acceso enviada a los administradores de {result.entidad}."
        if result.usuarios_creados:
            text += (" Usuarios nuevos (pendientes de confirmación; el mensaje de activación está en su Buzón): "
                     + ", ".join(result.usuarios_creados) + ".")
        if result.usuarios_vinculados:
            text += " Usuarios existentes vinculados: " + ", ".join(result.usuarios_vinculados) + "."
        if result.codigos:
            # Shown once, to hand over: with it each user chooses a password in «Ya tengo un código».
            text += " Códigos de activación para entregar (solo se muestran ahora): " + "; ".join(
                f"{c.usuario}: {c.codigo}" for c in result.codigos) + "."
        self.message.show_info(text)
        self.importar.setEnabled(False)
        self.solicitud.setEnabled(False)
        self.imported.emit(result)
