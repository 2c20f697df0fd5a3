"""Enter presses the focused button in every window, and in a field the window's default button."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from secop_desktop.core.services import Services
from secop_desktop.views.admin_window import AdminWindow
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from tests.conftest import active_user
from tests.wizard_fixtures import PASSWORD


def _shown(qtbot: QtBot, window: QWidget) -> None:
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()


def _press_enter(qtbot: QtBot) -> None:
    focus = QApplication.focusWidget()
    assert focus is not None
    qtbot.keyClick(focus, Qt.Key.Key_Return)


def test_enter_presses_the_focused_button_of_a_main_window(qtbot: QtBot) -> None:
    application()
    window = QMainWindow()
    central = QWidget()
    column = QVBoxLayout(central)
    first, second = QPushButton("Uno"), QPushButton("Dos")
    column.addWidget(first)
    column.addWidget(second)
    window.setCentralWidget(central)
    pressed: list[str] = []
    first.clicked.connect(lambda: pressed.append("uno"))
    second.clicked.connect(lambda: pressed.append("dos"))
    _shown(qtbot, window)
    second.setFocus()
    _press_enter(qtbot)
    qtbot.keyClick(second, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert pressed == ["dos", "dos"]


def test_enter_on_registrarse_opens_the_registration(qtbot: QtBot, sqlite_services: Services) -> None:
    application()
    window = StartWindow(sqlite_services, ask=lambda _: True)
    _shown(qtbot, window)
    window.registrarse.setFocus()
    _press_enter(qtbot)
    assert len(window.wizards) == 1
    window.wizards[0].close()


def test_enter_in_either_field_of_the_start_window_is_entrar(qtbot: QtBot, sqlite_services: Services) -> None:
    application()
    active_user(sqlite_services, "victor_2018")
    window = StartWindow(sqlite_services, ask=lambda _: True)
    _shown(qtbot, window)
    signed: list[object] = []
    window.signed_in.connect(signed.append)
    assert QApplication.focusWidget() is window.usuario
    qtbot.keyClicks(window.usuario, "victor_2018")
    _press_enter(qtbot)  # no password yet: one refusal, no sign-in
    assert window.error.text() and not signed
    window.contrasena.setFocus()
    qtbot.keyClicks(window.contrasena, PASSWORD)
    _press_enter(qtbot)
    assert len(signed) == 1


def test_enter_signs_in_once_in_the_admin_window(qtbot: QtBot, sqlite_services: Services) -> None:
    application()
    active_user(sqlite_services, "victor_2018")
    window = AdminWindow(sqlite_services)
    _shown(qtbot, window)
    attempts: list[str] = []
    real = sqlite_services.users.sign_in

    def counting(usuario: str, contrasena: str):  # type: ignore[no-untyped-def]
        attempts.append(usuario)
        return real(usuario, contrasena)

    sqlite_services.users.sign_in = counting  # type: ignore[method-assign]
    window.sign_in.usuario.setFocus()
    qtbot.keyClicks(window.sign_in.usuario, "victor_2018")
    qtbot.keyClick(window.sign_in.usuario, Qt.Key.Key_Tab)
    assert isinstance(QApplication.focusWidget(), QLineEdit)
    qtbot.keyClicks(QApplication.focusWidget(), "equivocada")
    _press_enter(qtbot)
    assert attempts == ["victor_2018"]  # once, not once per handler


def test_enter_after_the_field_it_was_typed_in_is_gone(qtbot: QtBot) -> None:
    """An Enter a dialog took never reaches a main window; a later one must not use that field (deleted)."""
    application()
    dialog = QDialog()
    edit = QLineEdit(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    dialog.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window = QMainWindow()
    entries = QListWidget()
    window.setCentralWidget(entries)
    _shown(qtbot, window)
    entries.setFocus()
    qtbot.keyClick(entries, Qt.Key.Key_Return)  # reaches the window: nothing to press, nothing to crash
