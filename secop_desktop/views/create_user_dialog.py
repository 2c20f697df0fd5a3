"""Crear usuarios: the administrator types the Registrar usuario fields; the new user gets an activation message."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.access.service import AccessService, MemberRow
from secop_desktop.core.accounts.users import LABELS, UserRegistration
from secop_desktop.core.identity import SignedIn
from secop_desktop.errors import ServiceError, ValidationError
from secop_desktop.views.widgets.forms import add_row
from secop_desktop.views.widgets.messages import ERROR_STYLE, MessageLabel
from secop_desktop.vocab import PAISES, PREGUNTAS_SEGURIDAD, TIPO_REGISTRO_MANUAL, ZONAS_HORARIAS


class CreateUserDialog(QDialog):
    created = Signal(object)  # MemberRow of the new user

    def __init__(self, access: AccessService, actor: SignedIn, entity_id: int, entity_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.access = access
        self.actor = actor
        self.entity_id = entity_id
        self.setWindowTitle("Crear usuarios")
        self.setAccessibleName("Crear usuarios")
        layout = QVBoxLayout(self)
        intro = QLabel("Escriba los datos del nuevo usuario. Recibirá en su Buzón el mensaje "
                       "«Activación de su registro en SECOP» para activar su cuenta.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)

        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.nombre = self._line(form, "nombre", required=True)
        self.pais = self._combo(form, "pais", PAISES)
        self.nombre_entidad = self._line(form, "nombre_entidad", required=True)
        self.nombre_entidad.setText(entity_name)
        self.correo = self._line(form, "correo", required=True)
        self.tipo_registro = self._line(form, "tipo_registro")
        self.tipo_registro.setText(TIPO_REGISTRO_MANUAL)
        self.tipo_registro.setReadOnly(True)
        self.usuario = self._line(form, "usuario", required=True)
        self.contrasena = self._line(form, "contrasena", required=True, password=True)
        self.confirmar = self._line(form, "confirmar", required=True, password=True)
        self.pregunta = self._combo(form, "pregunta", ("",) + PREGUNTAS_SEGURIDAD)  # none preselected
        self.respuesta = self._line(form, "respuesta", required=True)
        self.telefono = self._line(form, "telefono", required=True)
        self.zona_horaria = self._combo(form, "zona_horaria", ZONAS_HORARIAS)
        self.administrador = QCheckBox("Usuario a&dministrador")
        self.administrador.setAccessibleName("Usuario administrador")
        form.addRow("", self.administrador)

        self.message = MessageLabel()
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.crear = QPushButton("&Crear usuario")
        self.crear.setDefault(True)
        self.cancelar = QPushButton("Cancelar")
        buttons.addButton(self.crear, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancelar, QDialogButtonBox.ButtonRole.RejectRole)
        self.crear.clicked.connect(self._create)
        self.cancelar.clicked.connect(self.reject)
        layout.addWidget(buttons)

    def _line(self, form: QFormLayout, name: str, *, required: bool = False, password: bool = False) -> QLineEdit:
        edit = QLineEdit()
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        self._add(form, name, edit, required)
        return edit

    def _combo(self, form: QFormLayout, name: str, items: tuple[str, ...]) -> QComboBox:
        combo = QComboBox()
        combo.addItems(list(items))
        self._add(form, name, combo, True)
        return combo

    def _add(self, form: QFormLayout, name: str, widget: QWidget, required: bool) -> None:
        add_row(form, LABELS[name], widget, required=required)
        error = QLabel()
        error.setStyleSheet(ERROR_STYLE)
        error.setWordWrap(True)
        error.setAccessibleName(f"Error en {LABELS[name]}")
        error.hide()
        form.addRow("", error)
        self.inputs[name] = widget
        self.errors[name] = error

    def registration(self) -> UserRegistration:
        return UserRegistration(
            nombre=self.nombre.text(), pais=self.pais.currentText(), nombre_entidad=self.nombre_entidad.text(),
            correo=self.correo.text(), tipo_registro=self.tipo_registro.text(), usuario=self.usuario.text(),
            contrasena=self.contrasena.text(), confirmar=self.confirmar.text(), pregunta=self.pregunta.currentText(),
            respuesta=self.respuesta.text(), telefono=self.telefono.text(),
            zona_horaria=self.zona_horaria.currentText(), acepta_terminos=True)

    def show_field_errors(self, errors: dict[str, str]) -> None:
        for name, label in self.errors.items():
            text = errors.get(name, "")
            label.setText(text)
            label.setVisible(bool(text))

    def _create(self) -> None:
        try:
            row: MemberRow = self.access.create_user(self.actor, self.entity_id, self.registration(),
                                                     administrador=self.administrador.isChecked())
        except ValidationError as exc:
            self.show_field_errors(exc.by_field())
            self.message.show_error("Revise los campos marcados.")
            first = next((self.inputs[e.field] for e in exc.errors if e.field in self.inputs), None)
            if first is not None:
                first.setFocus()
            return
        except ServiceError as exc:
            self.show_field_errors({})
            self.message.show_error(exc.message)
            return
        self.show_field_errors({})
        self.created.emit(row)
        self.accept()
