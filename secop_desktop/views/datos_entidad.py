"""Datos de la Entidad: the entity form, editable by administrators and read-only for everybody else."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from secop_desktop.core.entities.service import EntityRecord
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.services import Services
from secop_desktop.errors import ConflictError, ServiceError, ValidationError
from secop_desktop.views.entity_form import EntityFormWidget
from secop_desktop.views.widgets.messages import MessageLabel


class DatosEntidadPage(QWidget):
    saved = Signal(object)  # EntityRecord

    def __init__(self, services: Services, actor: SignedIn, entity_id: int, *, editable: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        self.entity_id = entity_id
        self.editable = editable
        layout = QVBoxLayout(self)
        self.title = QLabel()
        layout.addWidget(self.title)
        self.note = QLabel("Solo los administradores de la cuenta pueden modificar estos datos."
                           if not editable else "Modifique los datos y haga clic en «Guardar».")
        self.note.setWordWrap(True)
        layout.addWidget(self.note)
        self.form = EntityFormWidget()
        self.form.set_read_only(not editable)
        layout.addWidget(self.form, 1)
        self.message = MessageLabel()
        layout.addWidget(self.message)
        buttons = QHBoxLayout()
        self.guardar = QPushButton("Guar&dar")
        self.guardar.setVisible(editable)
        self.guardar.setEnabled(False)
        self.descartar = QPushButton("Descartar cambio&s")
        self.descartar.setVisible(editable)
        self.descartar.setEnabled(False)
        buttons.addStretch(1)
        buttons.addWidget(self.descartar)
        buttons.addWidget(self.guardar)
        layout.addLayout(buttons)
        self.guardar.clicked.connect(self.save)
        self.descartar.clicked.connect(self.reload)
        self.form.changed.connect(self._edited)
        self.record: EntityRecord | None = None
        self.reload()

    def reload(self) -> None:
        self.record = self.services.entities.get(self.actor, self.entity_id)
        self.form.set_form(self.record.form)
        self.title.setText(f"<h2>Datos de la Entidad Estatal/Proveedor</h2><p>{self.record.form.nombre}</p>")
        self.guardar.setEnabled(False)
        self.descartar.setEnabled(False)

    def _edited(self) -> None:
        if self.editable:
            self.guardar.setEnabled(True)
            self.descartar.setEnabled(True)

    def save(self) -> None:
        assert self.record is not None
        typing = self.form.input_errors()
        if typing:
            self.form.show_errors(typing)
            self.message.show_error("Revise los campos marcados.")
            return
        try:
            record = self.services.entities.update(self.actor, self.entity_id, self.record.version,
                                                   self.form.form())
        except ValidationError as exc:
            self.form.show_errors(exc.errors)
            self.message.show_error("Revise los campos marcados.")
            return
        except ConflictError as exc:
            # Somebody saved first: show their data rather than overwrite it.
            self.reload()
            self.message.show_error(exc.message)
            return
        except ServiceError as exc:
            self.message.show_error(exc.message)
            return
        self.record = record
        self.form.set_form(record.form)
        self.guardar.setEnabled(False)
        self.descartar.setEnabled(False)
        self.message.show_info("Se guardaron los datos de la Entidad.")
        self.saved.emit(record)
