"""Suscripción a notificaciones: which optional messages the user wants in the Buzón."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QVBoxLayout, QWidget

from secop_desktop.core.accounts.mailbox import CLASES_OPCIONALES
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.services import Services
from secop_desktop.views.widgets.messages import MessageLabel


class SuscripcionesPage(QWidget):
    changed = Signal()

    def __init__(self, services: Services, actor: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.actor = actor
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Suscripción a notificaciones</h2>"))
        intro = QLabel("Elija qué mensajes quiere recibir. Los mensajes de activación, de contraseña y las "
                       "decisiones sobre sus solicitudes de acceso siempre llegan.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.boxes: dict[str, QCheckBox] = {}
        for clase, label in CLASES_OPCIONALES.items():
            box = QCheckBox(label)
            box.setAccessibleName(label)
            box.toggled.connect(lambda checked, c=clase: self._save(c, checked))
            layout.addWidget(box)
            self.boxes[clase] = box
        self.message = MessageLabel()
        layout.addWidget(self.message)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        current = self.services.mailbox.subscriptions(self.actor)
        for clase, box in self.boxes.items():
            box.blockSignals(True)
            box.setChecked(current[clase])
            box.blockSignals(False)

    def active_count(self) -> int:
        return sum(box.isChecked() for box in self.boxes.values())

    def _save(self, clase: str, activa: bool) -> None:
        self.services.mailbox.set_subscription(self.actor, clase, activa)
        label = CLASES_OPCIONALES[clase]
        self.message.show_info(f"Se guardó su preferencia: {label} — {'sí' if activa else 'no'}.")
        self.changed.emit()
