"""Drivers for the registration wizard tests: find widgets by accessible name, type, click, like a user."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTextBrowser,
    QWidget,
    QWizard,
)
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.registration import flow
from secop_desktop.core.services import Services
from secop_desktop.store.models import User
from secop_desktop.wizard.registration_wizard import RegistrationWizard

PASSWORD = "Secop2018x"
PDF = b"%PDF-1.7\n" + b"contenido del documento de prueba " * 64


def find_all(parent: QWidget, cls: type, name: str, *, visible: bool = True) -> list[QWidget]:
    found = []
    for w in parent.findChildren(cls):
        text = w.text().replace("&", "") if isinstance(w, QAbstractButton) else None
        if w.accessibleName() == name or text == name:
            if not visible or w.isVisibleTo(parent):
                found.append(w)
    return found


def by_name(parent: QWidget, cls: type, name: str, *, visible: bool = True):  # type: ignore[no-untyped-def]
    found = find_all(parent, cls, name, visible=visible)
    assert len(found) == 1, f"{name!r}: {len(found)} widgets"
    return found[0]


def page(wizard: QWizard) -> QWidget:
    return wizard.currentPage()


def field(wizard: QWizard, name: str, cls: type = QLineEdit):  # type: ignore[no-untyped-def]
    return by_name(page(wizard), cls, name)


def error_beside(widget: QWidget) -> str:
    """The error message shown under a field (its row's ErrorLabel), '' when hidden."""
    cell = widget.parentWidget()
    while cell is not None:
        labels = [lbl for lbl in cell.findChildren(QLabel) if lbl.accessibleName().startswith("Error en ")
                  and lbl.parentWidget() is cell]
        if labels:
            return labels[0].text() if labels[0].isVisibleTo(cell) else ""
        cell = cell.parentWidget()
    raise AssertionError(f"no error label beside {widget.accessibleName()!r}")


def keys(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Types text into the widget. QTest only knows ASCII, so 'á' or 'ñ' go as the key event a
    Spanish keyboard produces (same path through the widget's keyPressEvent)."""
    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier,
                                                         ch))


def shown_errors(wizard: QWizard) -> dict[str, str]:
    """Every error message visible on the current page, by the field it belongs to."""
    current = page(wizard)
    return {lbl.accessibleName().removeprefix("Error en "): lbl.text() for lbl in current.findChildren(QLabel)
            if lbl.accessibleName().startswith("Error en ") and lbl.isVisibleTo(current) and lbl.text()}


def type_in(qtbot: QtBot, widget: QWidget, text: str) -> None:
    if isinstance(widget, QLineEdit):
        widget.setFocus()
        if widget.text():
            widget.selectAll()
            qtbot.keyClick(widget, Qt.Key.Key_Backspace)
    keys(qtbot, widget, text)


def choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Picks an item the way a keyboard user does: its first word typed on the closed combo (Space would
    open the list), then Down until it is the one."""
    combo.setFocus()
    keys(qtbot, combo, text.split(" ")[0])
    target = combo.findText(text)
    for _ in range(combo.count()):
        if combo.currentIndex() == target:
            break
        qtbot.keyClick(combo, Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up)
    assert combo.currentText() == text, f"{combo.accessibleName()}: {combo.currentText()!r} != {text!r}"


def click(qtbot: QtBot, widget: QWidget) -> None:
    assert widget.isEnabled() and widget.isVisible(), f"{widget!r} is not clickable"
    if isinstance(widget, (QCheckBox, QRadioButton)):
        # On the indicator: a stretched check box does not react to clicks far right of its text.
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(8, widget.height() // 2))
    else:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def wizard_button(wizard: QWizard, text: str) -> QAbstractButton:
    """The visible wizard button reading `text` (Siguiente, Atrás, Finalizar, Continuar...)."""
    buttons = [wizard.button(b) for b in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton,
                                          QWizard.WizardButton.CommitButton, QWizard.WizardButton.FinishButton,
                                          QWizard.WizardButton.CancelButton)]
    matching = [b for b in buttons if b.isVisible() and b.text().replace("&", "").strip("<> ") == text]
    assert len(matching) == 1, f"{text!r}: {[b.text() for b in buttons if b.isVisible()]}"
    return matching[0]


def click_link(qtbot: QtBot, browser: QTextBrowser, href_prefix: str) -> None:
    """A real mouse click on the first link of the message that starts with href_prefix."""
    doc = browser.document()
    block = doc.begin()
    position = None
    while block.isValid() and position is None:
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            if frag.isValid() and frag.charFormat().anchorHref().startswith(href_prefix):
                position = frag.position() + min(3, frag.length() - 1)
                break
            it += 1
        block = block.next()
    assert position is not None, "no such link in the message"
    cursor = QTextCursor(doc)
    cursor.setPosition(position)
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    rect = browser.cursorRect(cursor)
    point = QPoint(rect.center().x() + 1, rect.center().y())
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)


def user_id(services: Services, usuario: str) -> int:
    with services.db.session() as s:
        return s.scalars(select(User.id).where(User.usuario == usuario)).one()


def activation_code(services: Services, usuario: str) -> str:
    """What the user reads in the Buzón: the code at the end of the activation message."""
    with services.db.session() as s:
        message = next(m for m in outbox.inbox(s, user_id(services, usuario)) if m.clase == "activacion")
    return message.cuerpo.split("código de activación: ")[1].split()[0]


def fill_step1(qtbot: QtBot, wizard: RegistrationWizard, *, nombre: str, usuario: str, entidad: str,
               correo: str | None = None, telefono: str = "+57 3102585654") -> None:
    values = {
        "Nombre y apellido": nombre,
        "Nombre de la entidad": entidad,
        "Correo electrónico": correo or f"{usuario}@example.com",
        "Elige tu usuario": usuario,
        "Contraseña": PASSWORD,
        "Confirmar contraseña": PASSWORD,
        "Respuesta de seguridad": "Firulais",
        "Teléfono móvil de seguridad": telefono,
    }
    for label, text in values.items():
        type_in(qtbot, field(wizard, label), text)
    choose(qtbot, field(wizard, "Pregunta de seguridad", QComboBox), "¿Cuál es el nombre de su primera mascota?")
    terms = field(wizard, "Acepto los términos y condiciones de uso", QAbstractButton)
    if not terms.isChecked():
        click(qtbot, terms)


def confirm_and_sign_in(qtbot: QtBot, wizard: RegistrationWizard) -> None:
    """Paso 2 as a user does it: open the Buzón, click the link, then Entrar."""
    click(qtbot, field(wizard, "Abrir Buzón", QPushButton))
    buzon = page(wizard).buzon
    qtbot.waitExposed(buzon)
    browser = by_name(buzon, QTextBrowser, "Mensaje")
    with qtbot.waitSignal(buzon.widget.confirmed, timeout=3000):
        click_link(qtbot, browser, "secop://confirmar")
    buzon.close()
    type_in(qtbot, field(wizard, "Contraseña"), PASSWORD)
    click(qtbot, field(wizard, "Entrar", QPushButton))
    assert wizard.flow.actor is not None, error_beside(field(wizard, "Contraseña"))
    # Straight to the third section, no «Siguiente» on step 2.
    assert wizard.currentPage() is wizard.pages[flow.BUSCAR_ENTIDAD]


def write_pdfs(folder: Path, count: int = 5) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"documento-{i + 1}.pdf"
        path.write_bytes(PDF + str(i).encode())
        paths.append(path)
    return paths


class Chooser:
    """The file-dialog seam: hands out the prepared files one by one."""

    def __init__(self, paths: list[Path]) -> None:
        self.queue = list(paths)

    def __call__(self) -> Path | None:
        return self.queue.pop(0) if self.queue else None


def attach_all(qtbot: QtBot, wizard: RegistrationWizard) -> None:
    """Anexar documento on every visible row, waiting for each copy to finish."""
    panel = page(wizard).panel
    for button in [b for b in panel.findChildren(QPushButton)
                   if b.text().replace("&", "") == "Anexar documento" and b.isVisibleTo(panel)]:
        click(qtbot, button)
        qtbot.waitUntil(lambda: not panel.is_busy(), timeout=10000)
    qtbot.waitUntil(panel.is_complete, timeout=10000)


def signed_in_wizard(qtbot: QtBot, services: Services, usuario: str = "victor_2018", *, track: bool = True,
                     **kwargs: object) -> RegistrationWizard:
    """A wizard opened for a user who already signed in: it starts at the guide's third section."""
    from tests.conftest import active_user, as_actor

    uid = active_user(services, usuario)
    wizard = RegistrationWizard(services, start_user=as_actor(services, uid), **kwargs)  # type: ignore[arg-type]
    if track:
        qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def to_entity_form(qtbot: QtBot, wizard: RegistrationWizard, tipo: str, nombre: str = "F&F asociados") -> None:
    """Validar (nothing found) -> Registrar Entidad -> Tipo de organización -> Generar formulario."""
    if not field(wizard, "Nombre de la Entidad").text() and not field(wizard, "NIT").text():
        type_in(qtbot, field(wizard, "Nombre de la Entidad"), nombre)
    click(qtbot, field(wizard, "Validar", QPushButton))
    click(qtbot, field(wizard, "Registrar Entidad", QPushButton))
    choose(qtbot, field(wizard, "Tipo de organización", QComboBox), tipo)
    click(qtbot, field(wizard, "Generar formulario", QPushButton))
