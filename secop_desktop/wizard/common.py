"""What every wizard page shares: the guide's step indicator, page ids, Enter handling, and the page contract.

A page never commits: ``apply()`` copies its widgets into the flow through the flow's methods, the
flow's accept step for the view does the work, and the page shows the errors it raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QScrollArea,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from secop_desktop.core.registration import flow
from secop_desktop.errors import FieldError, ServiceError, ValidationError
from secop_desktop.views.widgets import FieldErrors

if TYPE_CHECKING:
    from secop_desktop.wizard.registration_wizard import RegistrationWizard

T = TypeVar("T")

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
        for text, state in flow.step_labels(view):
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
    """A thin page: shows flow data, applies input to the flow, shows what the flow refused."""

    VIEW: str = ""

    def __init__(self, wizard: RegistrationWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.errors = FieldErrors()
        self.scroll_area: QScrollArea | None = None
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
        self.scroll_area = scroll
        return scroll

    # --- the page contract ---------------------------------------------------------------
    def apply(self) -> None:
        """Copies the widgets' values into the flow (through its methods); pages without input keep this."""

    def show_errors(self, errors: list[FieldError]) -> None:
        """Each message beside its field; the first invalid field gets the focus."""
        first = self.errors.show(errors)
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
            if self.scroll_area is not None:
                self.scroll_area.ensureWidgetVisible(first, 40, 60)

    def show_refusal(self, message: str, field: str | None = None) -> None:
        """A refusal that is not about one field: under `field` if given, else in the page's general line."""
        if field is not None:
            self.errors.show_one(field, message)
        else:
            self.errors.show_general(message)

    def attempt(self, step: Callable[[], T], field: str | None = None) -> T | None:
        """Runs one of the flow's steps; on refusal shows why and returns None."""
        try:
            result = step()
        except ValidationError as exc:
            self.show_errors(exc.errors)
            return None
        except ServiceError as exc:
            self.show_refusal(exc.message, field)
            return None
        self.errors.clear()
        return result

    def accepted(self) -> None:
        """After the flow accepted the view (Siguiente, Continuar, Finalizar)."""

    def validatePage(self) -> bool:  # noqa: N802 - Qt override
        self.apply()

        def accept() -> bool:
            self.flow.accept(self.VIEW)
            return True

        if self.attempt(accept) is None:
            return False
        self.accepted()
        return True

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


def different_checkbox(needed_for: str) -> QCheckBox:
    """«Mi Entidad es diferente de las anteriores» (Alt+D): the only way past probable duplicates."""
    box = QCheckBox(flow.DIFFERENT.replace("diferente", "&diferente", 1))
    box.setAccessibleName(flow.DIFFERENT)
    box.setAccessibleDescription(f"Necesario para {needed_for} cuando hay Entidades parecidas ya registradas.")
    return box


def fit_rows(view: QListWidget, rows: int, padding: int) -> None:
    """As tall as its first `rows` items: the page around it scrolls past a handful."""
    height = sum(view.sizeHintForRow(i) for i in range(min(view.count(), rows)))
    view.setFixedHeight(height + 2 * view.frameWidth() + padding)


def on_enter(widget: QWidget, action: Callable[[], None]) -> None:
    """Enter in this field runs the page's own action (Validar, Confirmar, Entrar) and nothing else."""
    widget.installEventFilter(_EnterFilter(action, widget))
