"""Start window: Entrar, Registrarse, Olvidé mi usuario/contraseña, Buzón, pending registrations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.accounts.users import LABELS, UserInfo
from secop_desktop.core.dates import format_fecha, hace
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.registration import flow
from secop_desktop.core.registration.drafts import DraftInfo, current_agent
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError, ValidationError
from secop_desktop.views import contrast, geometry
from secop_desktop.views.buzon import BuzonDialog
from secop_desktop.views.widgets import ErrorLabel, FieldErrors, add_field
from secop_desktop.views.widgets.forms import add_row
from secop_desktop.vocab import MESA_DE_SERVICIO
from secop_desktop.wizard.registration_wizard import RegistrationWizard

Ask = Callable[[str], bool]
PENDIENTE = "Continuar registro pendiente"


def _ask_with_box(parent: QWidget) -> Ask:
    def ask(text: str) -> bool:
        answer = QMessageBox.question(parent, "SECOP II", text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
    return ask


def _return_once(dialog: QDialog) -> None:
    """Return in a field runs that field's action only: a QDialog would also click its first button."""
    for button in dialog.findChildren(QPushButton):
        button.setAutoDefault(False)
        button.setDefault(False)


def _info(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if name:
        label.setAccessibleName(name)
    return label


class ForgotUsuarioDialog(QDialog):
    """Olvidé mi usuario: the usernames tied to an e-mail go to that user's Buzón."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("Olvidé mi usuario")
        layout = QVBoxLayout(self)
        layout.addWidget(_info("Escriba el correo electrónico con el que se registró. Le enviaremos su "
                               "usuario al Buzón."))
        form = QFormLayout()
        self.correo = QLineEdit()
        self.enviar = QPushButton("&Enviar")
        self.error = add_field(form, LABELS["correo"], self.correo, extra=(self.enviar,))
        layout.addLayout(form)
        self.outcome = _info(name="Resultado")
        layout.addWidget(self.outcome)
        self.enviar.clicked.connect(self._send)
        self.correo.returnPressed.connect(self._send)
        _return_once(self)
        self.resize(520, 180)

    def _send(self) -> None:
        try:
            self.services.users.forgot_usuario(self.correo.text())
        except ValidationError as exc:
            self.error.show_message(" ".join(exc.by_field().values()))
            return
        self.error.show_message("")
        self.outcome.setText("Si el correo está registrado, su usuario ya está en el Buzón. "
                            "Ábralo con el botón «Buzón» de la ventana de inicio.")


class ForgotPasswordDialog(QDialog):
    """Olvidé mi contraseña: the security question, then the new password in this same dialog.

    With e-mail configured the right answer sends a code by e-mail instead, typed here with the new
    password. "Ya tengo un código" skips the question: a user created or imported by an
    administrator got a code from them.
    """

    password_reset = Signal(str)  # usuario

    def __init__(self, services: Services, usuario: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.buzon: BuzonDialog | None = None
        self.by_email = services.users.email_delivery()
        self.with_code = False
        self.setWindowTitle("Olvidé mi contraseña")
        layout = QVBoxLayout(self)
        layout.addWidget(_info("Escriba su usuario y pulse «Continuar» para responder su pregunta de seguridad. "
                               "Si recibió un código para restablecer la contraseña (por ejemplo, de su "
                               "administrador), pulse «Ya tengo un código».", "Instrucciones"))
        form = QFormLayout()
        self.usuario = QLineEdit(usuario)
        self.continuar = QPushButton("&Continuar")
        self.ya_tengo = QPushButton("Ya &tengo un código")
        self.usuario_error = add_field(form, "Usuario", self.usuario, extra=(self.continuar, self.ya_tengo))
        self.pregunta = QLabel()
        self.pregunta.setWordWrap(True)
        self.pregunta_caption = QLabel(LABELS["pregunta"])
        form.addRow(self.pregunta_caption, self.pregunta)
        self.pregunta.setAccessibleName(LABELS["pregunta"])
        self.respuesta = QLineEdit()
        self.respuesta.setEchoMode(QLineEdit.EchoMode.Password)
        self.enviar = QPushButton("Enviar c&ódigo")
        self.respuesta_error = add_field(form, LABELS["respuesta"], self.respuesta, extra=(self.enviar,))
        layout.addLayout(form)
        self.sent = _info(name="Código enviado")
        layout.addWidget(self.sent)
        self.abrir_buzon = QPushButton("Abrir &Buzón")
        layout.addWidget(self.abrir_buzon, 0, Qt.AlignmentFlag.AlignLeft)
        reset = QFormLayout()
        reset.setContentsMargins(0, 0, 0, 0)
        self.codigo = QLineEdit()
        self.errors = FieldErrors()
        self.errors.register("usuario", self.usuario, self.usuario_error)
        self.errors.register("respuesta", self.respuesta, self.respuesta_error)
        self.errors.register("codigo", self.codigo, add_field(reset, "Código", self.codigo))
        self.nueva = QLineEdit()
        self.nueva.setEchoMode(QLineEdit.EchoMode.Password)
        self.nueva.setMaxLength(128)
        self.errors.register("contrasena", self.nueva, add_field(reset, "Nueva contraseña", self.nueva))
        self.confirmar = QLineEdit()
        self.confirmar.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirmar.setMaxLength(128)
        self.errors.register("confirmar", self.confirmar, add_field(reset, LABELS["confirmar"], self.confirmar))
        self.restablecer = QPushButton("&Restablecer contraseña")
        reset.addRow("", self.restablecer)
        self.reset_box = QWidget()
        self.reset_box.setLayout(reset)
        layout.addWidget(self.reset_box)
        self.outcome = _info(name="Resultado")
        layout.addWidget(self.outcome)
        layout.addStretch(1)
        self.continuar.clicked.connect(self._question)
        self.usuario.returnPressed.connect(self._question)
        self.ya_tengo.clicked.connect(self.use_code)
        self.enviar.clicked.connect(self._send_code)
        self.respuesta.returnPressed.connect(self._send_code if self.by_email else self.nueva.setFocus)
        self.abrir_buzon.clicked.connect(self._open_buzon)
        self.restablecer.clicked.connect(self._reset)
        self.confirmar.returnPressed.connect(self._reset)
        # Two forms on one dialog: one caption width keeps their fields in a single column.
        captions: list[QWidget] = [self.pregunta_caption] + [w.property("form_row_caption") for w in
                                              (self.usuario, self.respuesta, self.codigo, self.nueva, self.confirmar)]
        width = max(c.sizeHint().width() for c in captions)
        for caption in captions:
            caption.setMinimumWidth(width)
        _return_once(self)
        self._stage(1)
        self.resize(680, 440)

    @staticmethod
    def _row_visible(field: QWidget, visible: bool) -> None:
        row = field.parentWidget()
        if row is not None:
            row.setVisible(visible)
        field.property("form_row_caption").setVisible(visible)

    def _stage(self, stage: int, *, question: bool = True) -> None:
        """1: Usuario; 2: the question (and, without e-mail, the new password); 3: Código and the new password."""
        asking = stage >= 2 and question and not self.with_code
        self.pregunta_caption.setVisible(asking)
        self.pregunta.setVisible(asking)
        self._row_visible(self.respuesta, asking)
        self.enviar.setVisible(asking and self.by_email)
        self._row_visible(self.codigo, self.with_code)
        self.reset_box.setVisible((stage == 2 and asking and not self.by_email) or stage >= 3)
        self.sent.setVisible(stage >= 3)
        self.abrir_buzon.setVisible(stage >= 3)
        self.ya_tengo.setVisible(not self.with_code)

    def _question(self) -> None:
        try:
            question = self.services.users.security_question(self.usuario.text())
        except ServiceError as exc:
            self.usuario_error.show_message(exc.message)
            return
        self.usuario_error.show_message("")
        self.pregunta.setText(question)
        self.with_code = False
        self._stage(2)
        self.respuesta.setFocus()

    def _send_code(self) -> None:
        try:
            self.services.users.request_password_reset(self.usuario.text(), self.respuesta.text())
        except ServiceError as exc:
            self.respuesta_error.show_message(exc.message)
            return
        self.respuesta_error.show_message("")
        self.respuesta.clear()
        self.with_code = True
        self.sent.setText("Enviamos a su correo electrónico el código para restablecer la contraseña. "
                          "Escríbalo aquí con su nueva contraseña.")
        self._stage(3)
        self.codigo.setFocus()

    def use_code(self) -> None:
        """Ya tengo un código: straight to Código, Nueva contraseña and Confirmar contraseña."""
        self.errors.clear()
        self.with_code = True
        self.sent.setText("Escriba su usuario, el código para restablecer la contraseña que recibió y su "
                          "nueva contraseña.")
        self._stage(3, question=False)
        (self.codigo if self.usuario.text().strip() else self.usuario).setFocus()

    def _open_buzon(self) -> None:
        # The Buzón is the owner's: it asks for the password (a pending user's from step 1).
        self.buzon = BuzonDialog(self.services, parent=self)
        self.buzon.ask_for(self.usuario.text())
        self.buzon.show()

    def _reset(self) -> None:
        # Blank fields are named before asking the service, which would only say the code is not valid.
        if not self.usuario.text().strip():
            self.errors.show_one("usuario", "Escriba su usuario.")
            self.usuario.setFocus()
            return
        if self.with_code and not self.codigo.text().strip():
            self.errors.show_one("codigo", "Escriba el código que recibió.")
            self.codigo.setFocus()
            return
        users = self.services.users
        try:
            if self.with_code:
                users.reset_password(self.usuario.text(), self.codigo.text(), self.nueva.text(), self.confirmar.text())
            else:
                users.reset_with_answer(self.usuario.text(), self.respuesta.text(), self.nueva.text(),
                                        self.confirmar.text())
        except ValidationError as exc:
            first = self.errors.show(exc.errors)
            if first is not None:
                first.setFocus()
            return
        except ServiceError as exc:
            where = "codigo" if self.with_code else "respuesta"
            self.errors.show_one(where, exc.message)
            (self.codigo if self.with_code else self.respuesta).setFocus()
            return
        self.errors.clear()
        for field in (self.respuesta, self.codigo, self.nueva, self.confirmar):
            field.clear()
        self.outcome.setText("Su contraseña fue restablecida. Ya puede entrar con su usuario y la nueva contraseña.")
        self.password_reset.emit(self.usuario.text())


class StartWindow(QMainWindow):
    signed_in = Signal(object)

    def __init__(self, services: Services, parent: QWidget | None = None, *, agent: str | None = None,
                 file_chooser: Callable[[], Path | None] | None = None, ask: Ask | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.agent = agent or current_agent()
        self.file_chooser = file_chooser
        self.ask = ask or _ask_with_box(self)
        self.wizards: list[RegistrationWizard] = []  # open at once: one per caller on the line
        self.actor: SignedIn | None = None
        self.dialog: QDialog | None = None
        self.buzon: BuzonDialog | None = None
        self.setWindowTitle("Registro de Proveedores")
        central = QWidget()
        outer = QVBoxLayout(central)
        title = QLabel("<h1>SECOP II</h1><p>Registro de Proveedores</p>")
        outer.addWidget(title)
        columns = QHBoxLayout()
        outer.addLayout(columns, 1)
        left = QVBoxLayout()
        right = QVBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)

        box = QGroupBox("ENTRAR")
        form = QFormLayout(box)
        self.usuario = QLineEdit()
        add_row(form, "Nombre de usuario", self.usuario)
        self.contrasena = QLineEdit()
        self.contrasena.setEchoMode(QLineEdit.EchoMode.Password)
        add_row(form, "Contraseña", self.contrasena)
        self.error = ErrorLabel("Entrar")
        self.error.setAccessibleName("Error al entrar")
        form.addRow(self.error)
        buttons = QHBoxLayout()
        self.entrar = QPushButton("&Entrar")
        self.entrar.setDefault(True)
        self.entrar.clicked.connect(self._sign_in)
        self.contrasena.returnPressed.connect(self._sign_in)  # and in Nombre de usuario, as the default button
        self.olvide_usuario = QPushButton("Olvidé mi &usuario")
        self.olvide_usuario.setFlat(True)
        self.olvide_usuario.clicked.connect(self.forgot_usuario)
        self.olvide_contrasena = QPushButton("Olvidé mi c&ontraseña")
        self.olvide_contrasena.setFlat(True)
        self.olvide_contrasena.clicked.connect(self.forgot_password)
        buttons.addWidget(self.entrar)
        buttons.addStretch(1)
        buttons.addWidget(self.olvide_usuario)
        buttons.addWidget(self.olvide_contrasena)
        form.addRow(buttons)
        left.addWidget(box)

        registro = QGroupBox("REGISTRO")
        registro_layout = QVBoxLayout(registro)
        registro_layout.addWidget(_info("¿Aún no tiene usuario en el SECOP II? Regístrese y cree o solicite "
                                        "acceso a la cuenta de su Proveedor."))
        self.registrarse = QPushButton("&Registrarse")
        self.registrarse.clicked.connect(lambda: self.open_wizard())
        registro_layout.addWidget(self.registrarse, 0, Qt.AlignmentFlag.AlignLeft)
        left.addWidget(registro)

        self.pendientes_box = QGroupBox("REGISTROS PENDIENTES")
        pendientes = QVBoxLayout(self.pendientes_box)
        pendientes.addWidget(_info("Registros sin terminar de este equipo; se guardan mientras escribe."))
        self.pendientes = QListWidget()
        self.pendientes.setAccessibleName("Registros pendientes")
        self.pendientes.setWordWrap(True)
        self.pendientes.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.pendientes.setMaximumHeight(150)
        self.pendientes.itemActivated.connect(lambda _: self.resume_selected())
        pendientes.addWidget(self.pendientes)
        draft_buttons = QHBoxLayout()
        self.continuar = QPushButton("Continuar registro &pendiente")
        self.continuar.clicked.connect(self.resume_selected)
        self.descartar = QPushButton("&Descartar borrador")
        self.descartar.clicked.connect(self.discard_selected)
        draft_buttons.addWidget(self.continuar)
        draft_buttons.addWidget(self.descartar)
        draft_buttons.addStretch(1)
        pendientes.addLayout(draft_buttons)
        self.draft_message = ErrorLabel("Registros pendientes", self.pendientes_box)
        pendientes.addWidget(self.draft_message)
        left.addWidget(self.pendientes_box)
        left.addStretch(1)

        self.buzon_button = QPushButton("&Buzón")
        self.buzon_button.clicked.connect(self.open_buzon)
        right.addWidget(self.buzon_button)
        self.contraste = QPushButton("Aumentar el con&traste")
        self.contraste.setCheckable(True)
        self.contraste.setAccessibleName(contrast.LABEL)
        self.contraste.setChecked(contrast.restore())
        self.contraste.toggled.connect(contrast.toggle)
        right.addWidget(self.contraste)
        mesa_box = QGroupBox("MESA DE SERVICIO")
        mesa_layout = QVBoxLayout(mesa_box)
        mesa = _info(MESA_DE_SERVICIO, "Mesa de servicio")
        mesa.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        mesa_layout.addWidget(mesa)
        right.addWidget(mesa_box)
        right.addStretch(1)
        self.setCentralWidget(central)
        geometry.fit(self, 960, 640, "inicio")
        self.refresh_drafts()
        self.usuario.setFocus()

    # --- Entrar ----------------------------------------------------------------------------
    def _sign_in(self) -> None:
        try:
            actor = self.services.users.sign_in(self.usuario.text(), self.contrasena.text())
            info: UserInfo = self.services.users.profile(actor)
        except ServiceError as exc:
            self.error.show_message(exc.message)
            self.contrasena.clear()
            return
        self.error.show_message("")
        self.contrasena.clear()
        # The identity the windows opened from here act as (signed_in carries the user's data).
        self.actor = actor
        self.signed_in.emit(info)

    def forgot_usuario(self) -> ForgotUsuarioDialog:
        dialog = ForgotUsuarioDialog(self.services, self)
        self._show_dialog(dialog)
        return dialog

    def forgot_password(self) -> ForgotPasswordDialog:
        dialog = ForgotPasswordDialog(self.services, self.usuario.text(), self)
        dialog.password_reset.connect(self.usuario.setText)
        self._show_dialog(dialog)
        return dialog

    def _show_dialog(self, dialog: QDialog) -> None:
        # open(), not exec(): the window stays responsive (and tests never block).
        self.dialog = dialog
        dialog.open()

    def open_buzon(self) -> BuzonDialog:
        """The Buzón of whoever proves it is theirs: usuario and contraseña, never the usuario alone."""
        self.buzon = BuzonDialog(self.services, parent=self)
        self.buzon.ask_for(self.usuario.text())
        self.buzon.show()
        return self.buzon

    # --- registration wizards and their drafts ---------------------------------------------
    def open_wizard(self, draft: DraftInfo | None = None, *, start_user: SignedIn | None = None,
                    on_completed: Callable[[UserInfo], object] | None = None) -> RegistrationWizard:
        """A registration wizard; with start_user, at the third section for that signed-in user.

        On completion the user counts as signed in (signed_in), unless on_completed takes over.
        """
        wizard = RegistrationWizard(self.services, draft=draft, agent=self.agent, file_chooser=self.file_chooser,
                                    confirm=self.ask, start_user=start_user, parent=self)
        wizard.completed.connect(on_completed or self.signed_in.emit)
        wizard.finished.connect(lambda _=0, w=wizard: self._wizard_closed(w))
        wizard.draft_saved.connect(lambda _=0: self.refresh_drafts())
        self.wizards.append(wizard)
        wizard.show()
        wizard.raise_()
        wizard.activateWindow()
        self.refresh_drafts()
        return wizard

    def _wizard_closed(self, wizard: RegistrationWizard) -> None:
        if wizard in self.wizards:
            self.wizards.remove(wizard)
        wizard.deleteLater()
        self.refresh_drafts()

    def refresh_drafts(self) -> None:
        open_ids = {w.draft_id for w in self.wizards if w.draft_id is not None}
        drafts = [d for d in self.services.drafts.list(self.agent) if d.id not in open_ids]
        self.pendientes.clear()
        now = self.services.clock()
        for d in drafts:
            paso = flow.NAVMAP[d.paso].title if d.paso in flow.NAVMAP else d.paso
            item = QListWidgetItem(f"{d.titulo or 'Sin nombre'}\n{paso} · guardado {hace(d.actualizado_en, now)}")
            item.setToolTip(format_fecha(d.actualizado_en))
            item.setData(Qt.ItemDataRole.UserRole, d.id)
            self.pendientes.addItem(item)
        if drafts:
            self.pendientes.setCurrentRow(0)
        self.pendientes_box.setVisible(bool(drafts))

    def _selected_draft(self) -> DraftInfo | None:
        item = self.pendientes.currentItem()
        if item is None:
            return None
        return self.services.drafts.load(self.agent, int(item.data(Qt.ItemDataRole.UserRole)))

    def resume_selected(self) -> RegistrationWizard | None:
        draft = self._selected_draft()
        if draft is None:
            self.draft_message.show_message("Seleccione un registro pendiente de la lista.")
            return None
        self.draft_message.show_message("")
        return self.open_wizard(draft)

    def discard_selected(self) -> None:
        draft = self._selected_draft()
        if draft is None:
            return
        if self.ask(f"¿Descartar el registro pendiente «{draft.titulo or 'Sin nombre'}»? Lo escrito se perderá."):
            self.services.drafts.discard(self.agent, draft.id)
            self.refresh_drafts()
