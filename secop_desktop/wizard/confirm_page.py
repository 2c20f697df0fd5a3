"""Paso 2, Confirmar registro: the activation link or code, Reenviar, then Entrar."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
)

from secop_desktop.core.accounts.users import UserInfo
from secop_desktop.core.registration import flow
from secop_desktop.errors import ServiceError
from secop_desktop.views.buzon import ACTIVATED, BuzonDialog
from secop_desktop.views.entity_form import add_field
from secop_desktop.wizard.common import FlowPage, heading, on_enter, paragraph

if TYPE_CHECKING:
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

CODE_LABEL = "Enlace o código de activación"


class ConfirmPage(FlowPage):
    VIEW = flow.CONFIRMAR

    def __init__(self, wizard: RegistrationWizard) -> None:
        super().__init__(wizard)
        self.setCommitPage(True)  # once signed in, steps 1 and 2 are done for good
        self.setButtonText(QWizard.WizardButton.CommitButton, wizard.buttonText(QWizard.WizardButton.NextButton))
        self.buzon: BuzonDialog | None = None
        content = QWidget()
        column = QVBoxLayout(content)
        column.addWidget(heading("Confirmar registro"))
        self.where = paragraph()
        self.where.setAccessibleName("Dónde está el mensaje de activación")
        self.where.setTextFormat(Qt.TextFormat.RichText)
        column.addWidget(self.where)

        self.activation = QGroupBox("Activación de su registro")
        activation_column = QVBoxLayout(self.activation)
        buttons = QHBoxLayout()
        self.abrir_buzon = QPushButton("Abrir &Buzón")
        self.abrir_buzon.clicked.connect(self.open_buzon)
        self.reenviar = QPushButton("R&eenviar")
        self.reenviar.clicked.connect(self._resend)
        buttons.addWidget(self.abrir_buzon)
        buttons.addWidget(self.reenviar)
        buttons.addStretch(1)
        activation_column.addLayout(buttons)
        form = QFormLayout()
        self.codigo = QLineEdit()
        self.codigo.setPlaceholderText("Pegue el enlace del mensaje o escriba el código")
        self.confirmar = QPushButton("&Confirmar")
        self.confirmar.clicked.connect(self._confirm)
        self.codigo_error = add_field(form, CODE_LABEL, self.codigo, extra=(self.confirmar,))
        on_enter(self.codigo, self._confirm)
        activation_column.addLayout(form)
        column.addWidget(self.activation)
        # Outside the boxes: still readable once the activation box hides and ENTRAR is done.
        self.estado = paragraph()
        self.estado.setAccessibleName("Estado de la activación")
        column.addWidget(self.estado)

        self.entrar_box = QGroupBox("ENTRAR")
        entrar_form = QFormLayout(self.entrar_box)
        self.usuario = QLineEdit()
        add_field(entrar_form, "Usuario", self.usuario)
        self.contrasena = QLineEdit()
        self.contrasena.setEchoMode(QLineEdit.EchoMode.Password)
        self.entrar = QPushButton("&Entrar")
        self.entrar.clicked.connect(self._sign_in)
        self.entrar_error = add_field(entrar_form, "Contraseña", self.contrasena, extra=(self.entrar,))
        on_enter(self.contrasena, self._sign_in)
        on_enter(self.usuario, self.contrasena.setFocus)
        column.addWidget(self.entrar_box)
        self.bienvenida = paragraph()
        self.bienvenida.setAccessibleName("Resultado del ingreso")
        column.addWidget(self.bienvenida)
        column.addStretch(1)
        self.scrolled(content)

    # --- state -----------------------------------------------------------------------------
    def initializePage(self) -> None:  # noqa: N802 - Qt override
        data = self.flow.data
        reg = self.flow.registration()
        user = self._stored_user()
        login = data.get("login") or reg.usuario
        if user is not None:
            login = user.usuario
            if user.estado == "activo":
                self.flow.confirmed(user)
        if data.get("reanudar"):
            intro = ("Este registro quedó pendiente. Para continuarlo, entre con su usuario y contraseña.")
        else:
            correo = html.escape(user.correo if user else reg.correo)
            intro = (f"Enviamos el mensaje <b>«Activación de su registro en SECOP»</b> a <b>{correo}</b>. "
                     "En esta aplicación el mensaje llega al <b>Buzón</b>: ábralo y haga clic en el enlace, "
                     f"o pegue aquí el enlace, o escriba el código de activación que trae el mensaje.")
        self.where.setText(intro)
        self.usuario.setText(login)
        self._show_state()

    def _stored_user(self) -> UserInfo | None:
        user_id = self.flow.data.get("user_id")
        if user_id is None:
            return None
        try:
            return self.wiz.services.users.get(int(user_id))
        except Exception:  # noqa: BLE001 - a draft may name a user that was since removed
            return None

    def _show_state(self) -> None:
        confirmed = bool(self.flow.data.get("confirmado"))
        signed_in = self.wiz.user is not None
        self.activation.setVisible(not confirmed)
        self.entrar_box.setEnabled(confirmed and not signed_in)
        if confirmed and not signed_in:
            self.estado.setText(ACTIVATED)
            self.focus_later(self.contrasena)
        elif not confirmed:
            self.focus_later(self.codigo)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.wiz.user is not None

    # --- actions ---------------------------------------------------------------------------
    def open_buzon(self) -> None:
        if self.buzon is None:
            # The registration that just created the user shows its activation message; a resumed
            # draft asks for the password chosen in step 1, as the Buzón does for anybody.
            self.buzon = BuzonDialog(self.wiz.services, registered=self.flow.receipt, parent=self.wiz)
            if self.flow.receipt is None:
                self.buzon.ask_for(str(self.flow.data.get("login") or ""))
            self.buzon.widget.confirmed.connect(self.confirmed)
        self.buzon.widget.refresh()
        self.buzon.widget.open_message("Activación")
        self.buzon.show()
        self.buzon.raise_()
        self.buzon.activateWindow()

    def confirmed(self, info: UserInfo) -> None:
        """The account is active (link clicked in the Buzón, pasted, or code typed)."""
        self.flow.confirmed(info)
        self.codigo_error.show_message("")
        self.touch()
        self._show_state()
        self.estado.setText(ACTIVATED)

    def _confirm(self) -> None:
        try:
            info = self.wiz.services.users.confirm(self.codigo.text(), self.flow.data.get("login") or None)
        except ServiceError as exc:
            self.codigo_error.show_message(exc.message)
            self.codigo.setFocus()
            return
        self.confirmed(info)

    def _resend(self) -> None:
        try:
            token = self.wiz.services.users.resend_activation(str(self.flow.data.get("login") or ""))
        except ServiceError as exc:
            self.codigo_error.show_message(exc.message)
            return
        self.codigo_error.show_message("")
        self.estado.setText("Enviamos un nuevo mensaje de activación al Buzón; el anterior ya no sirve. "
                            f"Vence el {token.expira_en:%d/%m/%Y a las %H:%M} (UTC).")
        if self.buzon is not None:
            self.buzon.widget.refresh()

    def _sign_in(self) -> None:
        try:
            users = self.wiz.services.users
            info = users.profile(users.sign_in(self.usuario.text(), self.contrasena.text()))
        except ServiceError as exc:
            self.entrar_error.show_message(exc.message)
            self.contrasena.setFocus()
            return
        if self.flow.data.get("user_id") not in (None, info.id):
            self.entrar_error.show_message("Entre con el usuario de este registro.")
            return
        self.entrar_error.show_message("")
        self.contrasena.clear()
        self.wiz.signed_in(info)
        self.bienvenida.setText(f"Bienvenido(a), {info.nombre}. Haga clic en «Siguiente» para crear o "
                                "solicitar acceso a una Entidad.")
        self._show_state()
        self.wiz.button(QWizard.WizardButton.CommitButton).setFocus()
