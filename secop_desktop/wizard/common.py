"""What every wizard page shares: the guide's step indicator, page ids, Enter handling."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget, QWizardPage

from secop_desktop.core.registration import flow

if TYPE_CHECKING:
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

PAGE_IDS: dict[str, int] = {name: index for index, name in enumerate(flow.ORDER)}

TERMINOS_TITULO = "Términos y condiciones de uso"
TERMINOS = (
    "Al registrarse en el SECOP II usted declara que la información suministrada es veraz y que está "
    "autorizado para actuar en nombre de la Entidad o Proveedor que registra. Usted es responsable de "
    "mantener la confidencialidad de su usuario y contraseña y de toda actividad realizada con ellos. "
    "Colombia Compra Eficiente tratará sus datos personales conforme a la Ley 1581 de 2012 y los usará "
    "para la gestión de los Procesos de Contratación y el envío de notificaciones de la plataforma."
)


class StepHeader(QWidget):
    """'1. Registrar usuario ✓  2. Confirmar registro  3. Crear o solicitar acceso a una Entidad'."""

    def __init__(self, view: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        self.steps = QLabel()
        self.steps.setTextFormat(Qt.TextFormat.RichText)
        self.steps.setWordWrap(True)
        self.steps.setAccessibleName("Pasos del registro")
        parts = []
        for text, state in flow.RegistrationFlow().step_labels(view):
            if state == "hecho":
                parts.append(f"{text} ✓")
            elif state == "actual":
                parts.append(f"<b><u>{text}</u></b>")
            else:
                parts.append(text)
        self.steps.setText("&nbsp;&nbsp;&nbsp;".join(parts))
        layout.addWidget(self.steps, 1)
        self.saved = QLabel()
        self.saved.setAccessibleName("Estado del borrador")
        self.saved.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.saved)


def heading(text: str) -> QLabel:
    label = QLabel(text.upper())
    font = label.font()
    font.setBold(True)
    font.setPointSizeF(font.pointSizeF() * 1.2)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def paragraph(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class FlowPage(QWizardPage):
    """A thin page: shows flow data, writes input back, asks the wizard to autosave."""

    VIEW: str = ""

    def __init__(self, wizard: RegistrationWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.header = StepHeader(self.VIEW)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(4, 0, 4, 0)
        outer.addWidget(self.header)
        self.body = QVBoxLayout()
        outer.addLayout(self.body, 1)

    @property
    def flow(self) -> flow.RegistrationFlow:
        return self.wiz.flow

    def scrolled(self, content: QWidget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        # The fields take the focus, not the frame around them; it still follows them as they scroll.
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.body.addWidget(scroll, 1)
        return scroll

    def touch(self) -> None:
        self.wiz.touch()

    def focus_later(self, widget: QWidget) -> None:
        """Focus for when the page shows: QWizard focuses the page's first field after initializePage()."""
        QTimer.singleShot(0, widget, lambda: widget.setFocus(Qt.FocusReason.OtherFocusReason))

    def nextId(self) -> int:  # noqa: N802 - Qt override
        nxt = self.flow.next_of(self.VIEW)
        return PAGE_IDS[nxt] if nxt else -1

    def isFinalPage(self) -> bool:  # noqa: N802 - Qt override
        return self.flow.is_last(self.VIEW)


class _EnterFilter(QObject):
    def __init__(self, action: Callable[[], None], parent: QObject) -> None:
        super().__init__(parent)
        self.action = action

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.action()
            return True  # handled here: Enter must not also press the wizard's Siguiente
        return False


def on_enter(widget: QWidget, action: Callable[[], None]) -> None:
    """Enter in this field runs the page's own action (Validar, Confirmar, Entrar) and nothing else."""
    widget.installEventFilter(_EnterFilter(action, widget))
