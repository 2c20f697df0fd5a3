"""Paso 3, Formulario de registro de una nueva Entidad: Tipo, Área de negocio, Tipo de organización."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.documents import required
from secop_desktop.core.entities.service import ENTITY_LABELS
from secop_desktop.core.registration import flow
from secop_desktop.views.widgets import add_field
from secop_desktop.vocab import AREAS_NEGOCIO, PAISES, TIPOS_ENTIDAD, TIPOS_ORGANIZACION
from secop_desktop.wizard.common import FlowPage, heading, paragraph

if TYPE_CHECKING:
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

FIELDS = flow.ENTITY_TYPE_FIELDS


def documentos_requeridos() -> QFrame:
    """The guide's "Documentos requeridos para el registro": read, never a Tab stop; the link opens by mouse."""
    box = QFrame()
    box.setObjectName("documentos_requeridos")
    box.setFrameShape(QFrame.Shape.StyledPanel)
    box.setAccessibleName(required.TITULO)
    column = QVBoxLayout(box)
    column.setContentsMargins(10, 6, 10, 6)
    column.setSpacing(4)
    column.addWidget(heading(required.TITULO))
    items = "".join(f"<li>{html.escape(d.texto)}</li>" for d in required.DOCUMENTOS)
    url = html.escape(required.FORMATOS_URL)
    text = QLabel(
        f"<p>{html.escape(required.INTRO)}</p><ol style='margin-top:0px'>{items}</ol>"
        f"<p>{html.escape(required.FORMATOS_ANTES)} <a href='{url}'>{url}</a> "
        f"{html.escape(required.FORMATOS_DESPUES)}</p><p>{html.escape(required.CONSTANCIA_NOTA)}</p>")
    text.setObjectName("documentos_requeridos_texto")
    text.setTextFormat(Qt.TextFormat.RichText)
    text.setWordWrap(True)
    # Mouse only (selection and the link, opened by QDesktopServices): the text is no stop for Tab.
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                 | Qt.TextInteractionFlag.LinksAccessibleByMouse)
    text.setOpenExternalLinks(True)
    text.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    text.setAccessibleName("Lista de documentos requeridos")
    text.setAccessibleDescription(required.texto_plano())
    column.addWidget(text)
    return box


class EntityTypePage(FlowPage):
    VIEW = flow.TIPO_ENTIDAD

    def __init__(self, wizard: RegistrationWizard) -> None:
        super().__init__(wizard)
        self._loading = False
        content = QWidget()
        column = QVBoxLayout(content)
        # Section IV of the guide comes before the form: what to have at hand before filling anything.
        self.documentos = documentos_requeridos()
        column.addWidget(self.documentos)
        column.addSpacing(8)
        column.addWidget(heading("Formulario de registro de una nueva Entidad"))
        column.addWidget(paragraph(
            "En Tipo seleccione «Proveedor», en Área de negocio «Privado» y luego escoja el tipo de "
            "organización que le corresponde (por ejemplo, persona natural, sociedad por acciones "
            "simplificada, sociedad de responsabilidad limitada, etc.). Luego haga clic en «Generar formulario»."))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.combos: dict[str, QComboBox] = {}
        for name, items in (("pais", PAISES), ("tipo", TIPOS_ENTIDAD), ("area", AREAS_NEGOCIO),
                            ("tipo_organizacion", TIPOS_ORGANIZACION)):
            combo = QComboBox()
            combo.addItems(list(items))
            self.errors.register(name, combo, add_field(form, ENTITY_LABELS[name], combo, required=True))
            combo.currentIndexChanged.connect(self._changed)
            self.combos[name] = combo
        column.addLayout(form)
        row = QHBoxLayout()
        self.generar = QPushButton("&Generar formulario")
        self.generar.clicked.connect(self.wiz.next)
        row.addWidget(self.generar)
        row.addStretch(1)
        column.addLayout(row)
        column.addStretch(1)
        self.scrolled(content)

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        values = self.flow.entity_type()
        self._loading = True
        try:
            for name, combo in self.combos.items():
                combo.setCurrentIndex(max(combo.findText(values.get(name, "")), 0))
        finally:
            self._loading = False
        self.focus_later(self.combos["tipo_organizacion"])

    def apply(self) -> None:
        self.flow.set_entity_type({name: combo.currentText() for name, combo in self.combos.items()})

    def _changed(self, *_: object) -> None:
        if self._loading:
            return
        self.apply()
        self.touch()

    def accepted(self) -> None:
        """Generar formulario (or Siguiente): the flow built the form for this type of organisation."""
        self.touch()
