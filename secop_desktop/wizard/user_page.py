"""Paso 1, Registrar usuario: the REGISTRO MANUAL form with live checks."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QStringListModel, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from secop_desktop.core import validators
from secop_desktop.core.accounts.users import LABELS, UserRegistration
from secop_desktop.core.registration import flow
from secop_desktop.views.widgets import ErrorLabel, add_field, insert_hint
from secop_desktop.vocab import PAISES, PREGUNTAS_SEGURIDAD, TIPO_REGISTRO_MANUAL, ZONAS_HORARIAS
from secop_desktop.wizard.common import TERMINOS, TERMINOS_TITULO, FlowPage, heading, paragraph

if TYPE_CHECKING:
    from secop_desktop.errors import FieldError
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

OK, BAD = "✓", "✗"


def _combo(items: tuple[str, ...]) -> QComboBox:
    combo = QComboBox()
    combo.addItems(list(items))
    return combo


class UserPage(FlowPage):
    VIEW = flow.USUARIO

    def __init__(self, wizard: RegistrationWizard) -> None:
        super().__init__(wizard)
        self.setCommitPage(True)  # the user exists once Continuar succeeds; there is no way back
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Continuar")
        self._loading = False
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(heading("Registro manual"))
        column.addWidget(paragraph(
            "Diligencie los campos de información básica del usuario. Use un correo electrónico al que "
            "tenga acceso ahora: allí llega el mensaje para activar su registro."))
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        column.addLayout(form)

        self.inputs: dict[str, QWidget] = {}
        self.nombre = self._line(form, "nombre", "Ej.: Víctor Alfonso Medina (nombres y apellidos)")
        self.pais = self._combo(form, "pais", PAISES)
        self.nombre_entidad = self._line(form, "nombre_entidad", "Ej.: F&F asociados",
                                         hint="El nombre de la Entidad o Proveedor al que pertenece o que "
                                              "va a registrar.")
        # Guide: a Proveedor user picks the account to ask access to from the list as they type.
        self.entidades = QStringListModel(self)
        completer = QCompleter(self.entidades, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.nombre_entidad.setCompleter(completer)
        self.nombre_entidad.textEdited.connect(self._suggest_entities)
        self.correo = self._line(form, "correo", "Ej.: nombre@empresa.com.co", max_length=320)
        self.tipo_registro = self._combo(form, "tipo_registro", (TIPO_REGISTRO_MANUAL,))

        self.usuario = QLineEdit()
        self.usuario.setMaxLength(60)
        self.usuario.setPlaceholderText("Ej.: victor_2018")
        self.disponible = QLabel()
        self.disponible.setAccessibleName("Disponibilidad del usuario")
        self.disponible.setWordWrap(True)
        self._add(form, "usuario", self.usuario, hint_widget=self.disponible)

        self.contrasena = QLineEdit()
        self.contrasena.setEchoMode(QLineEdit.EchoMode.Password)
        self.contrasena.setMaxLength(128)
        self.mostrar = QPushButton("&Mostrar")
        self.mostrar.setCheckable(True)
        self.mostrar.setAccessibleName("Mostrar contraseña")
        self.mostrar.toggled.connect(self._show_password)
        # Alt+M, not a Tab stop: one Tab goes from Contraseña to Confirmar contraseña.
        self.mostrar.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.reglas = QLabel()
        self.reglas.setAccessibleName("Reglas de la contraseña")
        self.reglas.setTextFormat(Qt.TextFormat.RichText)
        self._add(form, "contrasena", self.contrasena, extra=(self.mostrar,), hint_widget=self.reglas)

        self.confirmar = QLineEdit()
        self.confirmar.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmar.setMaxLength(128)
        self.coinciden = QLabel()
        self.coinciden.setAccessibleName("Coincidencia de la contraseña")
        self._add(form, "confirmar", self.confirmar, hint_widget=self.coinciden)

        self.pregunta = self._combo(form, "pregunta", ("",) + PREGUNTAS_SEGURIDAD)  # none preselected
        self.respuesta = self._line(form, "respuesta", max_length=200)
        self.telefono = self._line(form, "telefono", "Ej.: +57 3102585654", max_length=40)
        self.zona = self._combo(form, "zona_horaria", ZONAS_HORARIAS)

        self.terminos = QCheckBox("Acepto los &términos y condiciones de uso")
        self.terminos.setAccessibleName(LABELS["acepta_terminos"])
        self.terminos.toggled.connect(self._changed)
        terms_error = ErrorLabel(LABELS["acepta_terminos"], content)
        self.errors.register("acepta_terminos", self.terminos, terms_error)
        self.leer = QLabel(f'<a href="#terminos">Leer los {TERMINOS_TITULO}</a>')
        self.leer.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.leer.setAccessibleName(f"Leer los {TERMINOS_TITULO}")
        self.texto_terminos = paragraph(TERMINOS)
        self.texto_terminos.setAccessibleName(TERMINOS_TITULO)
        self.texto_terminos.setVisible(False)
        self.leer.linkActivated.connect(lambda _: self.texto_terminos.setVisible(not self.texto_terminos.isVisible()))
        form.addRow("", self.terminos)
        form.addRow("", terms_error)
        form.addRow("", self.leer)
        form.addRow("", self.texto_terminos)

        self.general = ErrorLabel("Registro", content)
        self.errors.general = self.general
        column.addWidget(self.general)
        column.addStretch(1)
        self.scrolled(content)

        self._availability = QTimer(self)
        self._availability.setSingleShot(True)
        self._availability.setInterval(250)
        self._availability.timeout.connect(self._check_availability)
        self.usuario.textChanged.connect(lambda _: self._availability.start())
        self.contrasena.textChanged.connect(self._update_rules)
        self.confirmar.textChanged.connect(self._update_rules)
        # Once the user types again the live ✓/✗ line speaks for the field, not the old red error.
        self.usuario.textEdited.connect(lambda _: self._edited("usuario"))
        self.confirmar.textEdited.connect(lambda _: self._edited("confirmar"))
        self._update_rules()

    # --- construction ----------------------------------------------------------------------
    def _add(self, form: QFormLayout, name: str, widget: QWidget, *, extra: tuple[QWidget, ...] = (),
             hint: str = "", hint_widget: QWidget | None = None) -> None:
        required = name not in ("tipo_registro",)
        error = add_field(form, LABELS[name], widget, required=required, extra=extra, hint=hint)
        if hint_widget is not None:
            insert_hint(error, hint_widget)
        self.errors.register(name, widget, error)
        self.inputs[name] = widget
        if isinstance(widget, QLineEdit):
            widget.textChanged.connect(self._changed)
        elif isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(self._changed)

    def _line(self, form: QFormLayout, name: str, placeholder: str = "", *, max_length: int = 300,
              hint: str = "") -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(max_length)
        self._add(form, name, edit, hint=hint)
        return edit

    def _combo(self, form: QFormLayout, name: str, items: tuple[str, ...]) -> QComboBox:
        combo = _combo(items)
        self._add(form, name, combo)
        return combo

    # --- data binding ----------------------------------------------------------------------
    def collect(self) -> UserRegistration:
        return UserRegistration(
            nombre=self.nombre.text(), pais=self.pais.currentText(), nombre_entidad=self.nombre_entidad.text(),
            correo=self.correo.text(), tipo_registro=self.tipo_registro.currentText(),
            usuario=self.usuario.text(), contrasena=self.contrasena.text(), confirmar=self.confirmar.text(),
            pregunta=self.pregunta.currentText(), respuesta=self.respuesta.text(), telefono=self.telefono.text(),
            zona_horaria=self.zona.currentText(), acepta_terminos=self.terminos.isChecked())

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        reg = self.flow.registration()
        self._loading = True
        try:
            for name in ("nombre", "nombre_entidad", "correo", "usuario", "contrasena", "confirmar", "respuesta",
                         "telefono"):
                edit = self.inputs[name]
                assert isinstance(edit, QLineEdit)
                edit.setText(getattr(reg, name))
            for name, combo in (("pais", self.pais), ("tipo_registro", self.tipo_registro),
                                ("pregunta", self.pregunta), ("zona_horaria", self.zona)):
                index = combo.findText(getattr(reg, name))
                combo.setCurrentIndex(max(index, 0))
            self.terminos.setChecked(reg.acepta_terminos)
        finally:
            self._loading = False
        self._update_rules()
        self.focus_later(self.nombre)

    def apply(self) -> None:
        self.flow.set_registration(self.collect())

    def _changed(self, *_: object) -> None:
        if self._loading:
            return
        self.apply()
        self.touch()

    def _suggest_entities(self, text: str) -> None:
        if len(text.strip()) < 3:
            return
        names = self.flow.entity_names_like(text)
        if names != self.entidades.stringList():
            self.entidades.setStringList(names)

    # --- live checks -----------------------------------------------------------------------
    def _check_availability(self) -> None:
        text = self.usuario.text()
        self.disponible.setVisible(bool(text.strip()))
        if not text.strip():
            self.disponible.setText("")
            return
        problem = validators.check_usuario(text)
        if problem is not None:
            self.disponible.setText(f"{BAD} {problem}")
        elif self.flow.usuario_available(text):
            self.disponible.setText(f"{OK} Usuario disponible")
        else:
            self.disponible.setText(f"{BAD} Este usuario ya existe. Elija otro.")
        self._one_message()

    def _edited(self, name: str) -> None:
        if self.errors.is_shown(name):
            self.errors.clear(name)
            self._refresh_live()

    def _one_message(self) -> None:
        """The live ✗ line and the red error would say the same under the field: show only the error."""
        for name, live in (("usuario", self.disponible), ("confirmar", self.coinciden)):
            if self.errors.is_shown(name):
                live.setVisible(False)

    def _refresh_live(self) -> None:
        self._check_availability()
        self._update_rules()

    def show_errors(self, errors: list[FieldError]) -> None:
        super().show_errors(errors)
        self._refresh_live()

    def show_refusal(self, message: str, field: str | None = None) -> None:
        super().show_refusal(message, field)
        self._refresh_live()

    def _update_rules(self, *_: object) -> None:
        rules = validators.password_rules(self.contrasena.text())
        self.reglas.setText("&nbsp;&nbsp;&nbsp;".join(
            f"{OK if ok else BAD} {html.escape(text)}" for text, ok in rules))
        confirm = self.confirmar.text()
        self.coinciden.setVisible(bool(confirm))
        if not confirm:
            self.coinciden.setText("")
        elif confirm == self.contrasena.text():
            self.coinciden.setText(f"{OK} Las contraseñas coinciden")
        else:
            self.coinciden.setText(f"{BAD} Las contraseñas no coinciden")
        self._one_message()

    def _show_password(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.contrasena.setEchoMode(mode)
        self.confirmar.setEchoMode(mode)
        self.mostrar.setText("&Ocultar" if shown else "&Mostrar")
        self.mostrar.setAccessibleName("Ocultar contraseña" if shown else "Mostrar contraseña")

    # --- Continuar: the flow registers the user (and saves the draft with it) ----------------
    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        self._check_availability()
        return super().validatePage()
