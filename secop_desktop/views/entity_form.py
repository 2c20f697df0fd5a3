"""The guide's entity form (Formulario de registro de una nueva Entidad) as a reusable widget."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QEvent, QObject, QPointF, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QKeySequence, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from secop_desktop import nit as nits
from secop_desktop.core import validators
from secop_desktop.core.entities.divipola import Ubicacion, divipola, nombre_legible
from secop_desktop.core.entities.service import ENTITY_LABELS, FINANCIAL_LABELS, EntityForm, FinancialYear
from secop_desktop.core.money import MoneyError, format_money, parse_money
from secop_desktop.errors import FieldError
from secop_desktop.views.widgets import ErrorLabel, FieldErrors, add_field, describe, hint_label, insert_hint
from secop_desktop.vocab import (
    REGIMENES_TRIBUTARIOS,
    TIPOS_CUENTA_BANCARIA,
    TIPOS_DOCUMENTO_IDENTIDAD,
    TIPOS_PERSONA_NATURAL,
    TIPOS_PLURALES,
)

UBICACION = "Ubicación"
LUPA = "Buscar ciudad o municipio"
LUPA_SHORTCUT = "Ctrl+L"
UBICACION_HINT = ("Escriba la ciudad o el municipio (con o sin tildes) y elija de la lista con Enter; "
                  f"se llenan Departamento y Municipio. La lupa ({LUPA_SHORTCUT}) muestra la lista.")
UBICACION_NONE = "Ningún municipio de Colombia tiene ese nombre; revise cómo lo escribió."
UBICACION_NOT_PICKED = ("Elija la ciudad o el municipio de la lista con Enter; Departamento y Municipio no "
                        "cambiaron.")
REQUIRED_NOTE = "Recuerde diligenciar todos los campos marcados con asterisco rojo."
NO_RESULTS = "No existen resultados que cumplan con los criterios de búsqueda especificados"
MONEY_COLUMNS = tuple(k for k in FINANCIAL_LABELS if k not in ("anio", "anio_fiscal"))
nice_place = nombre_legible


class CollapsibleSection(QWidget):
    """A titled section of the form that can be folded away by clicking its header.

    The header is no Tab stop: Tab goes field to field, and Space typed in a field never folds a
    section (a section holding an invalid field opens again when its error is shown).
    """

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QToolButton()
        self.header.setText(title)
        self.header.setAccessibleName(title)
        self.header.setCheckable(True)
        self.header.setChecked(True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setArrowType(Qt.ArrowType.DownArrow)
        self.header.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.header.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        font = self.header.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.header.setFont(font)
        self.header.setAutoRaise(True)
        self.header.toggled.connect(self.set_expanded)
        self.body = QWidget()
        self.form = QFormLayout(self.body)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.form.setContentsMargins(12, 4, 4, 8)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(line)
        layout.addWidget(self.body)

    def set_expanded(self, expanded: bool) -> None:
        self.header.blockSignals(True)
        self.header.setChecked(expanded)
        self.header.blockSignals(False)
        self.header.setArrowType(Qt.ArrowType.DownArrow if expanded else Qt.ArrowType.RightArrow)
        self.body.setVisible(expanded)

    def is_expanded(self) -> bool:
        return self.header.isChecked()


def lupa_icon(size: int = 16) -> QIcon:
    """The guide's magnifier, drawn so it does not depend on an icon theme."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    pen = QPen(QColor("#404040"))
    pen.setWidthF(size / 8)
    painter.setPen(pen)
    r = size * 0.3
    center = QPointF(size * 0.4, size * 0.4)
    painter.drawEllipse(center, r, r)
    pen.setWidthF(size / 6)
    painter.setPen(pen)
    painter.drawLine(QPointF(size * 0.62, size * 0.62), QPointF(size * 0.92, size * 0.92))
    painter.end()
    return QIcon(pixmap)


class _EnterPicks(QObject):
    """Enter in Ubicación picks the place (the best match) instead of pressing Siguiente."""

    def __init__(self, owner: EntityFormWidget) -> None:
        super().__init__(owner)
        self.owner = owner

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            return self.owner.pick_ubicacion()
        return False


class DvQuestion(QWidget):
    """Under a NIT field: «¿El último dígito (1) es el dígito de verificación?» with «Separar».

    Non-blocking: the NIT stays as typed until the person chooses to split it.
    """

    separated = Signal(str, str)  # numero, dv

    def __init__(self, edit: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = edit
        self.glued: nits.GluedDv | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.question = QLabel()
        self.question.setAccessibleName("Pregunta sobre el dígito de verificación")
        self.separar = QPushButton("Separar")
        self.separar.setAccessibleName("Separar")
        self.separar.setAutoDefault(False)
        self.separar.clicked.connect(self.split)
        row.addWidget(self.question)
        row.addWidget(self.separar)
        row.addStretch(1)
        self.setVisible(False)
        edit.textChanged.connect(self.check)

    def check(self, text: str) -> None:
        self.glued = None if self.edit.isReadOnly() else nits.glued_check_digit(text)
        if self.glued is not None:
            self.question.setText(self.glued.pregunta)
            self.separar.setAccessibleDescription(self.glued.pregunta)
        self.setVisible(self.glued is not None)

    def split(self) -> None:
        glued = self.glued
        if glued is None:
            return
        self.edit.setText(glued.numero)
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
        self.separated.emit(glued.numero, glued.dv)


def _line(placeholder: str = "", max_length: int = validators.MAX_TEXT) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(max_length)
    return edit


def _combo(items: Iterable[str], placeholder: str) -> QComboBox:
    combo = QComboBox()
    combo.addItems(list(items))
    combo.setPlaceholderText(placeholder)
    combo.setCurrentIndex(-1)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(20)
    return combo


def _set_combo(combo: QComboBox, text: str, *, by_data: bool = False) -> None:
    index = combo.findData(text) if by_data else combo.findText(text)
    combo.setCurrentIndex(index if text else -1)


class EntityFormWidget(QWidget):
    """Every field of the guide's entity form, sectioned and scrollable; emits `changed` on any edit."""

    changed = Signal()

    TEXT_FIELDS = ("nombre", "nombre_abreviado", "nit", "direccion", "codigo_postal", "correo_oficina",
                   "telefono_oficina", "fax_oficina", "pagina_web", "correo_notificaciones", "link_facebook",
                   "link_linkedin", "link_youtube", "link_twitter", "banco_nombre", "banco_numero_cuenta",
                   "representante_nombre", "representante_numero_documento", "representante_correo",
                   "representante_telefono")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._form = EntityForm()
        self._loading = False
        self._read_only = False
        self._rep_follows = True  # persona natural: representative mirrors the person until edited
        self.errors = FieldErrors()
        self.edits: dict[str, QLineEdit] = {}
        self._money_errors: dict[tuple[int, int], str] = {}

        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        content = QWidget()
        self.sections_layout = QVBoxLayout(content)
        self.sections_layout.setSpacing(10)
        self.scroll_area.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroll_area)

        self.general_error = ErrorLabel("Formulario", content)
        self.errors.general = self.general_error
        self.sections_layout.addWidget(self.general_error)
        self.note = hint_label(REQUIRED_NOTE)
        self.note.setAccessibleName(REQUIRED_NOTE)
        self.sections_layout.addWidget(self.note)

        self.sections: dict[str, CollapsibleSection] = {}
        self._build_identificacion()
        self._build_general()
        self._build_contactos()
        self._build_financiera()
        self._build_representante()
        self.sections_layout.addStretch(1)
        self._align_captions()
        self.set_form(EntityForm())

    # --- construction ----------------------------------------------------------------------
    def _section(self, title: str) -> QFormLayout:
        section = CollapsibleSection(title)
        self.sections[title] = section
        self.sections_layout.addWidget(section)
        return section.form

    def _text(self, form: QFormLayout, name: str, *, required: bool = False, placeholder: str = "",
              hint: str = "", max_length: int = validators.MAX_TEXT, extra: Iterable[QWidget] = ()) -> QLineEdit:
        edit = _line(placeholder, max_length)
        self.edits[name] = edit
        error = add_field(form, ENTITY_LABELS[name], edit, required=required, hint=hint, extra=extra)
        self.errors.register(name, edit, error)
        edit.textChanged.connect(self._emit_changed)
        return edit

    def _combo_field(self, form: QFormLayout, name: str, combo: QComboBox, *, required: bool = False) -> None:
        error = add_field(form, ENTITY_LABELS[name], combo, required=required)
        self.errors.register(name, combo, error)
        combo.currentIndexChanged.connect(self._emit_changed)

    def _summary_row(self, form: QFormLayout, label: str) -> QLabel:
        value = QLabel()
        value.setAccessibleName(label)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        caption = QLabel(label)
        caption.setBuddy(value)
        form.addRow(caption, value)
        return value

    def _build_identificacion(self) -> None:
        form = self._section("Identificación de la Entidad")
        self.pais_value = self._summary_row(form, "País")
        self.tipo_value = self._summary_row(form, "Tipo")
        self.area_value = self._summary_row(form, "Área de negocio de la Entidad")
        self.tipo_org_value = self._summary_row(form, "Tipo de organización")
        self._text(form, "nombre", required=True,
                   hint="El nombre con el que está legalmente constituida la cuenta del Proveedor.")
        self.nombre_hint: QLabel = self.edits["nombre"].property("form_row_hint")
        self._text(form, "nombre_abreviado", required=True, max_length=120, placeholder="Ej.: SENA",
                   hint="Un nombre corto o las siglas; se escribe en mayúsculas.")
        self.edits["nombre_abreviado"].textEdited.connect(self._force_upper)
        self.dv = QLineEdit()
        self.dv.setReadOnly(True)
        self.dv.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.dv.setMaximumWidth(48)
        self.dv.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dv.setAccessibleName(ENTITY_LABELS["dv"])
        dv_caption = QLabel("DV")
        dv_caption.setToolTip(ENTITY_LABELS["dv"])
        nit = self._text(form, "nit", required=True, max_length=20, placeholder="Sin dígito de verificación",
                         hint="Escriba el número sin el código de verificación; el DV se calcula solo.",
                         extra=(dv_caption, self.dv))
        self.nit_hint: QLabel = nit.property("form_row_hint")
        nit.textChanged.connect(self._update_dv)
        self.errors.register("dv", nit, self.errors._rows["nit"][1])
        self.dv_question = DvQuestion(nit)
        insert_hint(self.errors._rows["nit"][1], self.dv_question)

    def _build_general(self) -> None:
        form = self._section("Información General")
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.mipyme_si = QRadioButton("Sí")
        self.mipyme_no = QRadioButton("No")
        self.mipyme_si.setAccessibleName("Mipyme: Sí")
        self.mipyme_no.setAccessibleName("Mipyme: No")
        self.mipyme_group = QButtonGroup(self)
        for button in (self.mipyme_si, self.mipyme_no):
            self.mipyme_group.addButton(button)
            row.addWidget(button)
        row.addStretch(1)
        self.mipyme_group.buttonToggled.connect(self._emit_changed)
        error = add_field(form, ENTITY_LABELS["mipyme"], box, required=True)
        box.property("form_row_caption").setBuddy(self.mipyme_si)
        for button in (self.mipyme_si, self.mipyme_no):
            # Each choice is a stop of its own for a screen reader: both must say the answer is required.
            button.setProperty("form_required", True)
            describe(button)
        self.errors.register("mipyme", self.mipyme_si, error)
        self.regimen = _combo(REGIMENES_TRIBUTARIOS, "Seleccione el régimen tributario")
        self._combo_field(form, "regimen_tributario", self.regimen, required=True)
        self.obligado = QCheckBox("Obligado a llevar contabilidad")
        self.obligado.toggled.connect(self._emit_changed)
        self.errors.register("obligado_contabilidad", self.obligado, add_field(form, "", self.obligado))
        self.obligado.setAccessibleName(ENTITY_LABELS["obligado_contabilidad"])
        self.general_form = form

    def _build_contactos(self) -> None:
        form = self._section("Contactos")
        self.contact_form = form
        self.pais_contacto = self._summary_row(form, "País")
        self.pais_contacto.setAccessibleName("País de contacto")
        self._build_ubicacion(form)
        self.departamento = _combo((), "Seleccione el departamento")
        for dep in divipola().departamentos():
            self.departamento.addItem(nice_place(dep.nombre), dep.codigo)
        self.departamento.setCurrentIndex(-1)
        self._combo_field(form, "departamento_codigo", self.departamento, required=True)
        self.municipio = _combo((), "Seleccione el municipio")
        self._combo_field(form, "municipio_codigo", self.municipio, required=True)
        self.departamento.currentIndexChanged.connect(self._fill_municipios)
        self.municipio.currentIndexChanged.connect(self._show_ubicacion)
        self._text(form, "direccion", required=True, placeholder="Ej.: Calle 26 # 69-76")
        self._text(form, "codigo_postal", required=True, max_length=12, placeholder="Ej.: 111321",
                   hint="Seis dígitos; empieza por el código del departamento.")
        self._text(form, "correo_oficina", required=True, max_length=320)
        self._text(form, "telefono_oficina", required=True, max_length=40, placeholder="Ej.: +57 601 7456788")
        self._text(form, "fax_oficina", max_length=40)
        self._text(form, "pagina_web", placeholder="Ej.: https://www.empresa.com.co")
        self._text(form, "correo_notificaciones", required=True, max_length=320,
                   hint="Aquí llegan todos los mensajes y alertas que el SECOP II envía a la cuenta del Proveedor.")
        for name in ("link_facebook", "link_linkedin", "link_youtube", "link_twitter"):
            self._text(form, name)

    def _build_ubicacion(self, form: QFormLayout) -> None:
        """The guide's «Ubicación» with its lupa: one search over every municipality fills both lists."""
        self.ubicacion = QLineEdit()
        self.ubicacion.setPlaceholderText("Ej.: escriba medellin y pulse Enter")
        self._ubicaciones: dict[str, Ubicacion] = {}
        self._ubicacion_model = QStringListModel(self)
        completer = QCompleter(self._ubicacion_model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.setMaxVisibleItems(10)
        completer.activated.connect(self._picked)
        self.ubicacion.setCompleter(completer)
        self._completer = completer
        self.ubicacion.textEdited.connect(self._search_ubicacion)
        self.ubicacion.editingFinished.connect(self._left_ubicacion)
        self.ubicacion.installEventFilter(_EnterPicks(self))
        self.lupa = QToolButton()
        self.lupa.setIcon(lupa_icon())
        self.lupa.setAccessibleName(LUPA)
        self.lupa.setToolTip(f"{LUPA} ({LUPA_SHORTCUT})")
        # Not a Tab stop: Tab goes field to field; the shortcut (or a click) opens the list.
        self.lupa.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.lupa.setShortcut(QKeySequence(LUPA_SHORTCUT))
        self.lupa.clicked.connect(self._lupa)
        self.ubicacion_error = add_field(form, UBICACION, self.ubicacion, hint=UBICACION_HINT, extra=(self.lupa,))

    def _build_financiera(self) -> None:
        form = self._section("Información Financiera")
        form.addRow(hint_label("La información financiera es opcional. Los valores van en pesos, "
                               "por ejemplo 1.234.567,89."))
        self.table = QTableWidget(0, len(FINANCIAL_LABELS))
        self.table.setHorizontalHeaderLabels(list(FINANCIAL_LABELS.values()))
        self.table.setAccessibleName("Información financiera")
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move between cells
        self.table.itemChanged.connect(self._cell_changed)
        self.empty_table = QLabel(NO_RESULTS)
        self.empty_table.setWordWrap(True)
        self.agregar = QPushButton("A&gregar")
        self.agregar.clicked.connect(self.add_financial_row)
        self.quitar = QPushButton("&Quitar fila")
        self.quitar.clicked.connect(self._remove_row)
        buttons = QHBoxLayout()
        buttons.addWidget(self.agregar)
        buttons.addWidget(self.quitar)
        buttons.addStretch(1)
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.table)
        column.addWidget(self.empty_table)
        column.addLayout(buttons)
        self.financial_error = ErrorLabel("Información financiera", box)
        column.addWidget(self.financial_error)
        form.addRow(box)
        self.errors.register("financials", self.table, self.financial_error)
        self._text(form, "banco_nombre", max_length=120)
        self._text(form, "banco_numero_cuenta", max_length=40)
        self.banco_tipo = _combo(TIPOS_CUENTA_BANCARIA, "Ahorros o Corriente")
        self._combo_field(form, "banco_tipo_cuenta", self.banco_tipo)

    def _build_representante(self) -> None:
        form = self._section("Representante legal")
        self.rep_note = hint_label("Los datos del representante legal son obligatorios.")
        form.addRow(self.rep_note)
        self._text(form, "representante_nombre", required=True, max_length=200)
        self.rep_tipo = _combo(TIPOS_DOCUMENTO_IDENTIDAD, "Seleccione el tipo de documento")
        self._combo_field(form, "representante_tipo_documento", self.rep_tipo, required=True)
        self._text(form, "representante_numero_documento", required=True, max_length=20)
        self._text(form, "representante_correo", required=True, max_length=320)
        self._text(form, "representante_telefono", required=True, max_length=40)
        for name in ("representante_nombre", "representante_numero_documento"):
            self.edits[name].textEdited.connect(self._rep_edited)

    def _align_captions(self) -> None:
        """One caption column for every section, so the fields line up down the whole form."""
        captions: list[QWidget] = []
        for section in self.sections.values():
            for row in range(section.form.rowCount()):
                item = section.form.itemAt(row, QFormLayout.ItemRole.LabelRole)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    captions.append(widget)
        width = max(c.sizeHint().width() for c in captions)
        for caption in captions:
            caption.setMinimumWidth(width)
            if isinstance(caption, QLabel):
                caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    # --- behaviour -------------------------------------------------------------------------
    def _emit_changed(self, *_: object) -> None:
        if not self._loading:
            self.changed.emit()

    def _force_upper(self, text: str) -> None:
        edit = self.edits["nombre_abreviado"]
        if text != text.upper():
            pos = edit.cursorPosition()
            edit.setText(text.upper())
            edit.setCursorPosition(pos)

    def _update_dv(self, text: str) -> None:
        ok = bool(text.strip()) and validators.check_nit(text) is None
        self.dv.setText(validators.nit_check_digit(text) if ok else "")
        if self._persona_natural() and self._rep_follows and not self._loading:
            self.edits["representante_numero_documento"].setText(text.strip())

    def _rep_edited(self, *_: object) -> None:
        self._rep_follows = False

    def _set_mipyme(self, value: bool | None) -> None:
        # An exclusive group cannot be unchecked; lifting exclusivity briefly allows "not answered yet".
        self.mipyme_group.setExclusive(False)
        self.mipyme_si.setChecked(value is True)
        self.mipyme_no.setChecked(value is False)
        self.mipyme_group.setExclusive(True)

    def _fill_municipios(self) -> None:
        code = self.departamento.currentData() or ""
        current = self.municipio.currentData()
        self.municipio.blockSignals(True)
        self.municipio.clear()
        for mun in divipola().municipios(code):
            self.municipio.addItem(nice_place(mun.nombre), mun.codigo)
        # A department with one municipality (Bogotá) needs no second choice.
        index = self.municipio.findData(current) if current else -1
        if index < 0 and self.municipio.count() == 1:
            index = 0
        self.municipio.setCurrentIndex(index)
        self.municipio.blockSignals(False)
        self._show_ubicacion()
        self._emit_changed()

    def _search_ubicacion(self, text: str) -> None:
        if text in self._ubicaciones:
            return  # the list's own choice being written in: keep the list as it is
        found = divipola().buscar_ubicacion(text)
        self._ubicaciones = {u.texto: u for u in found}
        self._ubicacion_model.setStringList(list(self._ubicaciones))
        self.ubicacion_error.show_message(UBICACION_NONE if text.strip() and not found else "")
        if found:
            self._completer.complete()
        else:
            self._hide_popup()

    def _hide_popup(self) -> None:
        popup = self._completer.popup()
        if popup is not None:
            popup.hide()

    def _left_ubicacion(self) -> None:
        """Leaving Ubicación with a text that was not picked: say so, keep what was typed."""
        text = self.ubicacion.text()
        if text.strip() and text not in self._ubicaciones and not self.ubicacion_error.text():
            self.ubicacion_error.show_message(UBICACION_NOT_PICKED)

    def _lupa(self) -> None:
        self.ubicacion.setFocus(Qt.FocusReason.ShortcutFocusReason)
        text = self.ubicacion.text()
        self._ubicaciones = {}
        self._search_ubicacion(text)
        if not text.strip():
            self.ubicacion_error.show_message("Escriba el nombre de la ciudad o el municipio.")

    def _picked(self, text: str) -> None:
        ubicacion = self._ubicaciones.get(text)
        if ubicacion is not None:
            self.set_ubicacion(ubicacion)

    def pick_ubicacion(self) -> bool:
        """Enter in Ubicación: the place typed exactly, else the best match; False when nothing to pick."""
        text = self.ubicacion.text()
        if not text.strip():
            return False
        ubicacion = self._ubicaciones.get(text)
        if ubicacion is None:
            found = divipola().buscar_ubicacion(text, limit=1)
            ubicacion = found[0] if found else None
        if ubicacion is None:
            self.ubicacion_error.show_message(UBICACION_NONE)
            return True
        self.set_ubicacion(ubicacion)
        return True

    def set_ubicacion(self, ubicacion: Ubicacion) -> None:
        """Fills Departamento and Municipio at once; the next field to fill is Dirección."""
        _set_combo(self.departamento, ubicacion.departamento.codigo, by_data=True)
        _set_combo(self.municipio, ubicacion.municipio.codigo, by_data=True)
        self._hide_popup()
        self.ubicacion_error.show_message("")
        self._show_ubicacion()
        direccion = self.edits["direccion"]
        # After the completer is done with the key that picked, or it takes the focus back.
        QTimer.singleShot(0, direccion, lambda: direccion.setFocus(Qt.FocusReason.OtherFocusReason))

    def _show_ubicacion(self, *_: object) -> None:
        """Ubicación always says what the two lists hold."""
        municipio = divipola().municipio(self.municipio.currentData() or "")
        departamento = divipola().departamento(municipio.departamento_codigo) if municipio else None
        text = Ubicacion(municipio, departamento).texto if municipio and departamento else ""
        if self.ubicacion.text() != text:
            self.ubicacion.setText(text)
        self._ubicaciones = {text: Ubicacion(municipio, departamento)} if municipio and departamento else {}

    def add_financial_row(self, row: FinancialYear | None = None) -> None:
        self.table.blockSignals(True)
        index = self.table.rowCount()
        self.table.insertRow(index)
        values = row or FinancialYear(anio=date.today().year - 1, anio_fiscal=str(date.today().year - 1))
        for column, key in enumerate(FINANCIAL_LABELS):
            value = getattr(values, key)
            if key in MONEY_COLUMNS:
                text = format_money(value)
            else:
                text = "" if value is None else str(value)
            item = QTableWidgetItem(text)
            if key in MONEY_COLUMNS:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.table.setItem(index, column, item)
        self.table.blockSignals(False)
        self._table_visibility()
        if row is None:
            self.table.setCurrentCell(index, 0)
            self.table.setFocus()
            self._emit_changed()

    def _remove_row(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()} or
                      ({self.table.currentRow()} if self.table.currentRow() >= 0 else set()), reverse=True)
        for r in rows:
            self.table.removeRow(r)
        self._money_errors = {k: v for k, v in self._money_errors.items() if k[0] not in rows}
        self._table_visibility()
        self._show_money_errors()
        self._emit_changed()

    def _table_visibility(self) -> None:
        rows = self.table.rowCount()
        self.empty_table.setVisible(rows == 0)
        self.table.setVisible(rows > 0)
        # As tall as its rows (up to six), so the page scrolls instead of the table.
        height = self.table.horizontalHeader().sizeHint().height() + 2 * self.table.frameWidth()
        height += sum(self.table.rowHeight(r) for r in range(min(rows, 6)))
        if rows > 6:
            height += self.table.horizontalScrollBar().sizeHint().height()
        self.table.setFixedHeight(height + 2)
        self.quitar.setEnabled(self.table.rowCount() > 0 and not self._read_only)

    def _cell_changed(self, item: QTableWidgetItem) -> None:
        key = list(FINANCIAL_LABELS)[item.column()]
        cell = (item.row(), item.column())
        self._money_errors.pop(cell, None)
        if key in MONEY_COLUMNS:
            try:
                value = parse_money(item.text())
            except MoneyError as exc:
                self._money_errors[cell] = exc.args[0]
            else:
                self.table.blockSignals(True)
                item.setText(format_money(value))
                self.table.blockSignals(False)
        elif key == "anio" and item.text().strip() and not item.text().strip().isdigit():
            self._money_errors[cell] = "Escriba el año con cuatro dígitos, por ejemplo 2016."
        self._show_money_errors()
        self._emit_changed()

    def _show_money_errors(self) -> None:
        keys = list(FINANCIAL_LABELS)
        lines = [f"Fila {r + 1}, {FINANCIAL_LABELS[keys[c]]}: {msg}" for (r, c), msg in sorted(self._money_errors.items())]
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                item = self.table.item(r, c)
                if item is not None:
                    item.setData(Qt.ItemDataRole.BackgroundRole,
                                 QColor("#ffd6d6") if (r, c) in self._money_errors else None)
        self.financial_error.show_message("\n".join(lines))

    def _persona_natural(self) -> bool:
        return self._form.tipo_organizacion in TIPOS_PERSONA_NATURAL

    def _apply_variant(self) -> None:
        persona = self._persona_natural()
        colombia = self._form.pais == "COLOMBIA"
        for name, required in (("nombre_abreviado", not persona), ("nit", self._form.tipo_organizacion
                                                                   not in TIPOS_PLURALES)):
            self.edits[name].property("form_row_caption").set_required(required)
        self.nombre_hint.setText("Su nombre completo, como aparece en su cédula." if persona else
                                 "El nombre con el que está legalmente constituida la cuenta del Proveedor.")
        self.nit_hint.setText("Su número de identificación tributaria (el de su cédula), sin el dígito de "
                              "verificación." if persona else
                              "Escriba el número sin el código de verificación; el DV se calcula solo.")
        self.general_form.setRowVisible(self._row_of(self.obligado), persona)
        self.rep_note.setText("Como persona natural, usted es su propio representante legal; revise sus datos."
                              if persona else "Los datos del representante legal son obligatorios.")
        for combo in (self.ubicacion, self.departamento, self.municipio):
            self.contact_form.setRowVisible(self._row_of(combo), colombia)

    # --- public API ------------------------------------------------------------------------
    def set_form(self, form: EntityForm) -> None:
        self._loading = True
        try:
            self._form = replace(form, financials=list(form.financials))
            self.pais_value.setText(form.pais)
            self.pais_contacto.setText(form.pais)
            self.tipo_value.setText(form.tipo)
            self.area_value.setText(form.area)
            self.tipo_org_value.setText(form.tipo_organizacion)
            for name, edit in self.edits.items():
                edit.setText(str(getattr(form, name) or ""))
            self.edits["nombre_abreviado"].setText(form.nombre_abreviado.upper())
            self._set_mipyme(form.mipyme)
            _set_combo(self.regimen, form.regimen_tributario)
            self.obligado.setChecked(form.obligado_contabilidad)
            _set_combo(self.departamento, form.departamento_codigo, by_data=True)
            self._fill_municipios()
            _set_combo(self.municipio, form.municipio_codigo, by_data=True)
            self._show_ubicacion()
            _set_combo(self.banco_tipo, form.banco_tipo_cuenta)
            _set_combo(self.rep_tipo, form.representante_tipo_documento)
            self.table.setRowCount(0)
            self._money_errors.clear()
            for row in form.financials:
                self.add_financial_row(row)
            self._table_visibility()
            self._show_money_errors()
            # A persona natural is her own representante legal: her document follows the NIT until edited.
            self._rep_follows = form.representante_numero_documento.strip() in ("", form.nit.strip())
            self._apply_variant()
            self._update_dv(form.nit)
        finally:
            self._loading = False
        self.errors.clear()

    def form(self) -> EntityForm:
        """What is typed now; money cells that do not parse are left empty (see input_errors())."""
        values: dict[str, object] = {name: edit.text() for name, edit in self.edits.items()}
        values["nombre_abreviado"] = str(values["nombre_abreviado"]).upper()
        values["dv"] = self.dv.text()
        values["mipyme"] = True if self.mipyme_si.isChecked() else False if self.mipyme_no.isChecked() else None
        values["regimen_tributario"] = self.regimen.currentText() if self.regimen.currentIndex() >= 0 else ""
        values["obligado_contabilidad"] = self.obligado.isChecked() if self._persona_natural() else True
        values["departamento_codigo"] = self.departamento.currentData() or ""
        values["municipio_codigo"] = self.municipio.currentData() or ""
        values["banco_tipo_cuenta"] = self.banco_tipo.currentText() if self.banco_tipo.currentIndex() >= 0 else ""
        values["representante_tipo_documento"] = (self.rep_tipo.currentText()
                                                  if self.rep_tipo.currentIndex() >= 0 else "")
        values["financials"] = self._financials()
        return replace(self._form, **values)  # type: ignore[arg-type]

    @staticmethod
    def _row_of(field: QWidget) -> QWidget:
        """The form-row cell add_field() wrapped the field in."""
        cell = field.parentWidget()
        assert cell is not None
        return cell

    def _cell_text(self, row: int, column: int) -> str:
        item = self.table.item(row, column)
        return item.text() if item is not None else ""

    def _financials(self) -> list[FinancialYear]:
        rows: list[FinancialYear] = []
        keys = list(FINANCIAL_LABELS)
        for r in range(self.table.rowCount()):
            texts = {k: self._cell_text(r, c) for c, k in enumerate(keys)}
            year = texts["anio"].strip()
            row = FinancialYear(anio=int(year) if year.isdigit() else 0, anio_fiscal=texts["anio_fiscal"].strip())
            for key in MONEY_COLUMNS:
                try:
                    value: Decimal | None = parse_money(texts[key])
                except MoneyError:
                    value = None
                setattr(row, key, value)
            rows.append(row)
        return rows

    def input_errors(self) -> list[FieldError]:
        """Typing mistakes the EntityForm cannot carry (money or years that do not parse)."""
        keys = list(FINANCIAL_LABELS)
        return [FieldError("financials", ENTITY_LABELS["financials"],
                           f"Fila {r + 1}, {FINANCIAL_LABELS[keys[c]]}: {msg}")
                for (r, c), msg in sorted(self._money_errors.items())]

    def show_errors(self, errors: list[FieldError]) -> None:
        """Each message beside its field; the first invalid field (in form order) gets the focus."""
        first = self.errors.show(errors)
        money = [e.message for e in errors if e.field == "financials"]
        if money:
            self.financial_error.show_message("\n".join(dict.fromkeys(money)))
        if first is None:
            if self.general_error.isVisible():
                self.scroll_area.ensureWidgetVisible(self.general_error)
            return
        for section in self.sections.values():
            if section.isAncestorOf(first) and not section.is_expanded():
                section.set_expanded(True)
        first.setFocus(Qt.FocusReason.OtherFocusReason)
        self.scroll_area.ensureWidgetVisible(first, 50, 80)

    def clear_errors(self) -> None:
        self.errors.clear()
        self._show_money_errors()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for edit in (*self.edits.values(), self.ubicacion):
            edit.setReadOnly(read_only)
        self.dv_question.check(self.edits["nit"].text())
        self.lupa.setEnabled(not read_only)
        for widget in (self.mipyme_si, self.mipyme_no, self.regimen, self.obligado, self.departamento,
                       self.municipio, self.banco_tipo, self.rep_tipo):
            widget.setEnabled(not read_only)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers if read_only
                                   else QAbstractItemView.EditTrigger.AllEditTriggers)
        self.agregar.setVisible(not read_only)
        self.quitar.setVisible(not read_only)
        self._table_visibility()

    def field_widget(self, name: str) -> QWidget | None:
        """The input bound to an EntityForm field name (for focus handling by callers)."""
        return self.errors.widget(name)


__all__ = ["EntityFormWidget", "CollapsibleSection", "nice_place", "NO_RESULTS"]
