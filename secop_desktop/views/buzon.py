"""The Buzón: a user's messages, with the activation link clickable and the unread count.

Only the owner reads it: opened from the start window it asks for usuario and contraseña (a
pending user uses the password chosen in step 1); the registration wizard shows the activation
message of the user it just registered, through the receipt the registration returned.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFont, QHideEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from secop_desktop.core.accounts.mailbox import MessageView
from secop_desktop.core.accounts.users import UserInfo
from secop_desktop.core.dates import format_fecha
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from secop_desktop.views.widgets import ErrorLabel, add_field

ACTIVATED = "Su cuenta quedó activada. Ya puede entrar con su usuario y contraseña."


def unread_text(count: int) -> str:
    if count == 0:
        return "No tiene mensajes sin leer"
    return "1 mensaje sin leer" if count == 1 else f"{count} mensajes sin leer"


def message_html(m: MessageView) -> str:
    """The message as the e-mail would read; only an activation link is made clickable."""
    body = html.escape(m.cuerpo)
    if m.enlace and m.clase == "activacion":
        link = html.escape(m.enlace)
        anchor = f'<a href="{link}">{link}</a>'
        body = body.replace(link, anchor) if link in body else f"{body}\n\n{anchor}"
    body = body.replace("\n", "<br>")
    return (f"<h3>{html.escape(m.asunto)}</h3>"
            f"<p><b>Para:</b> {html.escape(m.destinatario)}<br>"
            f"<b>Fecha:</b> {html.escape(format_fecha(m.creado_en))}</p><p>{body}</p>")


class BuzonWidget(QWidget):
    """Message list and reader; clicking `secop://confirmar?...` activates the account."""

    confirmed = Signal(object)  # UserInfo
    unread_changed = Signal(int)

    def __init__(self, services: Services, actor: SignedIn | None = None, *,
                 registered: UserInfo | None = None,
                 open_url: Callable[[QUrl], object] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.mailbox = services.mailbox
        self.actor = actor
        self.registered = registered if actor is None else None
        self.open_url = open_url or QDesktopServices.openUrl
        self._messages: list[MessageView] = []

        layout = QVBoxLayout(self)
        self.chooser = QWidget()
        form = QFormLayout(self.chooser)
        form.setContentsMargins(0, 0, 0, 0)
        self.usuario = QLineEdit()
        add_field(form, "Usuario", self.usuario)
        self.contrasena = QLineEdit()
        self.contrasena.setEchoMode(QLineEdit.EchoMode.Password)
        self.abrir = QPushButton("Abrir &buzón")
        self.usuario_error = add_field(form, "Contraseña", self.contrasena, extra=(self.abrir,))
        self.abrir.clicked.connect(self._open_for_usuario)
        self.usuario.returnPressed.connect(self.contrasena.setFocus)
        self.contrasena.returnPressed.connect(self._open_for_usuario)
        self.chooser.setVisible(actor is None and self.registered is None)
        layout.addWidget(self.chooser)

        self.count = QLabel()
        self.count.setAccessibleName("Mensajes sin leer")
        layout.addWidget(self.count)
        split = QSplitter(Qt.Orientation.Vertical)
        self.list = QListWidget()
        self.list.setAccessibleName("Mensajes")
        self.list.currentRowChanged.connect(self._show)
        self.reader = QTextBrowser()
        self.reader.setAccessibleName("Mensaje")
        self.reader.setOpenLinks(False)
        self.reader.setOpenExternalLinks(False)
        self.reader.anchorClicked.connect(self.follow_link)
        split.addWidget(self.list)
        split.addWidget(self.reader)
        split.setSizes([140, 320])
        layout.addWidget(split, 1)
        self.status = ErrorLabel("Buzón", self)
        self.status.setAccessibleName("Estado del buzón")
        self.ok_status = QLabel()
        self.ok_status.setWordWrap(True)
        self.ok_status.setAccessibleName("Resultado")
        self.ok_status.setVisible(False)
        layout.addWidget(self.ok_status)
        layout.addWidget(self.status)
        if actor is not None or self.registered is not None:
            self.refresh()

    # --- data ------------------------------------------------------------------------------
    def _open_for_usuario(self) -> None:
        """The owner proves it is their Buzón with their password (the same answer for unknown users)."""
        try:
            actor = self.services.users.sign_in(self.usuario.text(), self.contrasena.text(), allow_pending=True)
        except ServiceError as exc:
            self.usuario_error.show_message(exc.message)
            self.contrasena.clear()
            self.contrasena.setFocus()
            return
        self.usuario_error.show_message("")
        self.contrasena.clear()
        self.set_actor(actor)
        self.chooser.setVisible(False)
        self.list.setFocus()

    def set_actor(self, actor: SignedIn) -> None:
        self.actor = actor
        self.registered = None
        self.refresh()

    def refresh(self) -> None:
        if self.actor is not None:
            self._messages = self.mailbox.messages(self.actor)
        elif self.registered is not None:
            message = self.services.users.activation_message(self.registered)
            self._messages = [message] if message is not None else []
        else:
            return
        current = self.list.currentRow()
        self.list.blockSignals(True)
        self.list.clear()
        for m in self._messages:
            item = QListWidgetItem(f"{m.asunto}  —  {format_fecha(m.creado_en)}")
            font = QFont(self.list.font())
            font.setBold(not m.leido)
            item.setFont(font)
            item.setData(Qt.ItemDataRole.AccessibleTextRole,
                         f"{'No leído: ' if not m.leido else ''}{m.asunto}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        if not self._messages:
            self.reader.setHtml("<p>Sin mensajes...</p>")
        self._update_count()
        if self._messages and current >= 0:
            self.list.setCurrentRow(min(current, len(self._messages) - 1))

    def _update_count(self) -> None:
        count = self.unread_count()
        self.count.setText(unread_text(count))
        self.unread_changed.emit(count)

    def unread_count(self) -> int:
        if self.actor is not None:
            return self.mailbox.unread(self.actor)
        return sum(not m.leido for m in self._messages)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self._messages):
            return
        m = self._messages[row]
        self.reader.setHtml(message_html(m))
        if not m.leido and self.actor is not None:
            self.mailbox.mark_read(self.actor, m.id)
            font = QFont(self.list.font())
            self.list.item(row).setFont(font)
            self._messages[row] = replace(m, leido=True)
            self._update_count()

    def open_message(self, asunto_contains: str) -> bool:
        """Selects the newest message whose subject contains the text (what a user does first)."""
        for row, m in enumerate(self._messages):
            if asunto_contains.lower() in m.asunto.lower():
                self.list.setCurrentRow(row)
                return True
        return False

    # --- links -----------------------------------------------------------------------------
    def follow_link(self, url: QUrl) -> None:
        if url.scheme() == "secop" and url.host() == "confirmar":
            try:
                info: UserInfo = self.services.users.confirm(url.toString())
            except ServiceError as exc:
                self.ok_status.setVisible(False)
                self.status.show_message(exc.message)
                return
            self.status.show_message("")
            self.ok_status.setText(ACTIVATED)
            self.ok_status.setVisible(True)
            self.confirmed.emit(info)
        elif url.scheme() in ("http", "https", "mailto"):
            self.open_url(url)


class BuzonDialog(QDialog):
    """The Buzón as a window of its own (non-modal: the wizard stays usable beside it)."""

    def __init__(self, services: Services, actor: SignedIn | None = None, *, registered: UserInfo | None = None,
                 parent: QWidget | None = None, open_url: Callable[[QUrl], object] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Buzón")
        self.resize(640, 520)
        self.widget = BuzonWidget(services, actor, registered=registered, open_url=open_url)
        self.widget.unread_changed.connect(self._title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        refresh = QPushButton("Ac&tualizar")
        refresh.clicked.connect(self.widget.refresh)
        buttons.addButton(refresh, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.widget)
        bottom = QHBoxLayout()
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self._title(self.widget.unread_count())
        # Keyboard users land on the messages; Tab then reaches the message and its link.
        chooser = self.widget.chooser.isVisibleTo(self.widget)
        (self.widget.usuario if chooser and not self.widget.usuario.text() else
         self.widget.contrasena if chooser else self.widget.list).setFocus()

    def ask_for(self, usuario: str) -> None:
        """Opens on the usuario and contraseña fields, with the usuario already typed if known."""
        self.widget.usuario.setText(usuario.strip())
        (self.widget.contrasena if usuario.strip() else self.widget.usuario).setFocus()

    def _title(self, count: int) -> None:
        self.setWindowTitle(f"Buzón ({count} sin leer)" if count else "Buzón")

    def hideEvent(self, event: QHideEvent) -> None:
        # Back to the window that opened the Buzón, so its keyboard focus is where the user left it
        # (not every window manager, nor the offscreen platform, does this by itself).
        super().hideEvent(event)
        parent = self.parentWidget()
        if parent is not None and parent.isVisible():
            parent.window().activateWindow()
