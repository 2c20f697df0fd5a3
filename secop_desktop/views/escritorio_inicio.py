"""The Escritorio's first page: access requests, counters, Sugerencias SECOP, Mensajes, Mesa de servicio."""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from secop_desktop.core.accounts.mailbox import subscriptions_in_effect
from secop_desktop.core.dates import format_fecha
from secop_desktop.core.entities.service import Registration
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.services import Services
from secop_desktop.views.vencimientos import Vencimientos
from secop_desktop.vocab import MESA_DE_SERVICIO, Acceso

YA_ASOCIADO = ("Ya está asociado a una empresa. Si es necesario, para solicitar acceso a otra empresa, puede ir a "
               "'Configuraciones del Usuario > Mis registros'.")
SIN_ASOCIAR = ("Aún no está asociado a una empresa. Para solicitar acceso a la cuenta de su empresa vaya a "
               "'Configuraciones del Usuario > Mis registros' y haga clic en «Nuevo registro».")
PERSONA_NATURAL = ("Usted es persona natural: su usuario es a la vez el usuario administrador y el usuario "
                   "Proveedor de la cuenta.")
MESA_CORTA = ("Si tiene alguna duda o comentario, consulte a nuestra Mesa de Servicio en Bogotá (1) 745 -67 88, "
              "y a nivel nacional a través de nuestra línea gratuita 018000 - 520808.")
SHOWN_REQUESTS = 3
TILES = ("Suscripciones", "Áreas de interés activas", "Mensajes sin leer")


@dataclass(frozen=True)
class Cuenta:
    """An account the signed-in user may act in (accepted and active)."""

    entity_id: int
    nombre: str
    nit: str | None
    tipo_organizacion: str
    persona_natural: bool
    es_administrador: bool
    es_proveedor: bool

    @property
    def rol(self) -> str:
        if self.es_administrador and self.es_proveedor:
            return "Administrador y Proveedor"
        return "Administrador" if self.es_administrador else "Proveedor"


def pending_note(reg: Registration) -> str:
    return (f"Su solicitud de acceso a {reg.entidad} está Pendiente. Recuerde que sólo tendrá acceso a la cuenta "
            "hasta que el usuario administrador acepte su solicitud.")


def _box(title: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    return box, layout


def _text(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setAccessibleName(name)
    return label


class InicioPage(QWidget):
    accept_users = Signal()  # "Aceptar usuarios"
    open_buzon = Signal()
    open_registros = Signal()

    def __init__(self, services: Services, actor: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        outer = QVBoxLayout(self)
        outer.addWidget(QLabel("<h1>Escritorio</h1>"))
        tiles = QHBoxLayout()
        self.tiles: dict[str, QLabel] = {}
        for name in TILES:
            tile = QLabel()
            tile.setFrameShape(QFrame.Shape.StyledPanel)
            tile.setAlignment(Qt.AlignmentFlag.AlignCenter)
            tile.setMinimumHeight(64)
            tile.setAccessibleName(name)
            tiles.addWidget(tile)
            self.tiles[name] = tile
        outer.addLayout(tiles)
        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        outer.addLayout(columns, 1)

        self.requests_box, requests = _box("Solicitud de acceso")
        self.requests_text = _text(name="Solicitudes de acceso")
        requests.addWidget(self.requests_text)
        self.aceptar = QPushButton("&Aceptar usuarios")
        self.aceptar.clicked.connect(self.accept_users.emit)
        requests.addWidget(self.aceptar, alignment=Qt.AlignmentFlag.AlignLeft)
        left.addWidget(self.requests_box)

        suggestions_box, suggestions = _box("Sugerencias SECOP")
        self.suggestions = _text(name="Sugerencias SECOP")
        suggestions.addWidget(self.suggestions)
        self.mis_registros = QPushButton("Ir a Mis &registros")
        self.mis_registros.clicked.connect(self.open_registros.emit)
        suggestions.addWidget(self.mis_registros, alignment=Qt.AlignmentFlag.AlignLeft)
        left.addWidget(suggestions_box)
        mesa_box, mesa = _box("Mesa de servicio")
        mesa.addWidget(_text(MESA_DE_SERVICIO, "Mesa de servicio"))
        left.addWidget(mesa_box)
        left.addStretch(1)

        messages_box, messages = _box("Mensajes")
        self.messages = _text(name="Mensajes recientes")
        self.messages.setTextFormat(Qt.TextFormat.RichText)
        messages.addWidget(self.messages)
        self.buzon = QPushButton("Abrir el Bu&zón")
        self.buzon.clicked.connect(self.open_buzon.emit)
        messages.addWidget(self.buzon, alignment=Qt.AlignmentFlag.AlignLeft)
        right.addWidget(messages_box)
        self.vencimientos = Vencimientos(services, actor)
        right.addWidget(self.vencimientos)
        right.addStretch(1)

    def refresh(self, cuenta: Cuenta | None, registrations: list[Registration], *, subscriptions: int,
                areas: int) -> None:
        """`subscriptions` (the switches that are on) is not shown as is: the tile counts those in effect."""
        self._requests(cuenta)
        self.vencimientos.refresh(cuenta.entity_id if cuenta else None, bool(cuenta and cuenta.es_administrador))
        unread = self.services.mailbox.unread(self.actor)
        recent = self.services.mailbox.messages(self.actor, limit=4)
        accepted = [r for r in registrations if r.estado == Acceso.ACEPTADO.value and r.activo]
        in_effect = subscriptions_in_effect(
            self.services.mailbox.subscriptions(self.actor), administrador=any(r.es_administrador for r in accepted),
            con_cuenta=bool(accepted), areas=areas)
        for name, value in zip(TILES, (in_effect, areas, unread), strict=True):
            self.tiles[name].setText(f"<span style='font-size: 20pt; font-weight: bold'>{value}</span><br>{name}")
            self.tiles[name].setAccessibleDescription(f"{value} {name}")
        lines: list[str] = []
        pending = [pending_note(r) for r in registrations if r.estado == Acceso.PENDIENTE.value]
        if accepted:
            lines.append(YA_ASOCIADO)
        elif not pending:
            lines.append(SIN_ASOCIAR)  # a request already waiting is not to be made again
        lines += pending
        if cuenta is not None and cuenta.persona_natural:
            lines.append(PERSONA_NATURAL)
        lines.append(MESA_CORTA)
        self.suggestions.setText("\n\n".join(lines))
        if recent:
            items = "".join(f"<p><b>{html.escape(m.asunto)}</b><br>{html.escape(format_fecha(m.creado_en))}</p>"
                            for m in recent)
            self.messages.setText(items)
        else:
            self.messages.setText("Sin mensajes...")

    def _requests(self, cuenta: Cuenta | None) -> None:
        if cuenta is None or not cuenta.es_administrador:
            self.requests_box.hide()
            return
        page = self.services.access.page(self.actor, cuenta.entity_id, acceso=Acceso.PENDIENTE.value, limit=SHOWN_REQUESTS,
                                         sort="actualizado_en", descending=True)
        if not page.rows:
            self.requests_box.hide()
            return
        lines = [f"El usuario {r.nombre} ({r.correo}) está solicitando acceso" for r in page.rows]
        if not page.complete:
            total = self.services.access.counts(self.actor, cuenta.entity_id)[Acceso.PENDIENTE.value]
            lines.append(f"y {total - len(page.rows)} solicitudes más.")
        self.requests_text.setText("\n".join(lines))
        self.requests_box.show()
