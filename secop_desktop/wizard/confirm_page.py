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
from secop_desktop.views.buzon import ACTIVATED, BuzonDialog
from secop_desktop.views.widgets import add_field
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
        self.reenviar = QPushButton("Reen&viar")
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
        self.errors.register("codigo", self.codigo, add_field(form, CODE_LABEL, self.codigo, extra=(self.confirmar,)))
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
        self.errors.register("usuario", self.usuario, add_field(entrar_form, "Usuario", self.usuario))
        self.contrasena = QLineEdit()
        self.contrasena.setEchoMode(QLineEdit.EchoMode.Password)
        self.entrar = QPushButton("&Entrar")
        self.entrar.clicked.connect(self._sign_in)
        self.errors.register("contrasena", self.contrasena,
                             add_field(entrar_form, "Contraseña", self.contrasena, extra=(self.entrar,)))
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
        reg = self.flow.registration()
        user = self.flow.refresh_account()
        login = user.usuario if user is not None else (self.flow.login or reg.usuario)
        if self.flow.resuming:
            intro = ("Este registro quedó pendiente. Para continuarlo, entre con su usuario y contraseña.")
        else:
            correo = html.escape(user.correo if user else reg.correo)
            intro = (f"Enviamos el mensaje <b>«Activación de su registro en SECOP»</b> a <b>{correo}</b>. "
                     "En esta aplicación el mensaje llega al <b>Buzón</b>: ábralo y haga clic en el enlace, "
                     f"o pegue aquí el enlace, o escriba el código de activación que trae el mensaje.")
        self.where.setText(intro)
        self.usuario.setText(login)
        self._show_state()

    def _show_state(self) -> None:
        confirmed = self.flow.is_confirmed
        signed_in = self.flow.actor is not None
        self.activation.setVisible(not confirmed)
        self.entrar_box.setEnabled(confirmed and not signed_in)
        if confirmed and not signed_in:
            self.estado.setText(ACTIVATED)
            self.focus_later(self.contrasena)
        elif not confirmed:
            self.focus_later(self.codigo)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.flow.actor is not None

    def apply(self) -> None:
        self.flow.set_activation_code(self.codigo.text())
        self.flow.set_credentials(self.usuario.text(), self.contrasena.text())

    # --- actions ---------------------------------------------------------------------------
    def open_buzon(self) -> None:
        if self.buzon is None:
            self.buzon = self.wiz.buzon_dialog()
            self.buzon.widget.confirmed.connect(self.confirmed)
        self.buzon.widget.refresh()
        self.buzon.widget.open_message("Activación")
        self.buzon.show()
        self.buzon.raise_()
        self.buzon.activateWindow()

    def confirmed(self, info: UserInfo) -> None:
        """The account is active (link clicked in the Buzón, pasted, or code typed)."""
        self.flow.confirmed(info)
        self.errors.clear("codigo")
        self.touch()
        self._show_state()
        self.estado.setText(ACTIVATED)

    def _confirm(self) -> None:
        self.apply()
        info = self.attempt(self.flow.confirm, field="codigo")
        if info is None:
            self.codigo.setFocus()
            return
        self.confirmed(info)

    def _resend(self) -> None:
        token = self.attempt(self.flow.resend_activation, field="codigo")
        if token is None:
            return
        self.estado.setText("Enviamos un nuevo mensaje de activación al Buzón; el anterior ya no sirve. "
                            f"Vence el {token.expira_en:%d/%m/%Y a las %H:%M} (UTC).")
        if self.buzon is not None:
            self.buzon.widget.refresh()

    def _sign_in(self) -> None:
        self.apply()
        actor = self.attempt(self.flow.sign_in, field="contrasena")
        if actor is None:
            self.contrasena.setFocus()
            return
        self.contrasena.clear()
        self.touch()
        self.bienvenida.setText(f"Bienvenido(a), {actor.nombre}.")
        self._show_state()
        # The guide: once the user and password are in, SECOP II shows the third section at once.
        self.wiz.next()
