"""Smoke test of the main window through its real widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from secop_desktop.core.services import Services
from secop_desktop.views.start_window import StartWindow
from tests.conftest import active_user


def by_name(widget, cls, name):  # type: ignore[no-untyped-def]
    found = [w for w in widget.findChildren(cls) if w.accessibleName() == name or
             (isinstance(w, QPushButton) and w.text().replace("&", "") == name)]
    assert len(found) == 1, f"{name!r}: {len(found)} widgets"
    return found[0]


def test_sign_in_shows_errors_and_emits(qtbot: QtBot, sqlite_services: Services) -> None:
    active_user(sqlite_services)
    window = StartWindow(sqlite_services)
    qtbot.addWidget(window)
    window.show()
    usuario = by_name(window, QLineEdit, "Nombre de usuario")
    assert usuario.accessibleName() == "Nombre de usuario"
    assert "Nombre de usuario" in [lbl.text().replace("&", "") for lbl in window.findChildren(QLabel)
                                    if lbl.buddy() is usuario]
    contrasena = by_name(window, QLineEdit, "Contraseña")
    qtbot.keyClicks(usuario, "victor_2018")
    qtbot.keyClicks(contrasena, "equivocada1")
    qtbot.mouseClick(by_name(window, QPushButton, "Entrar"), Qt.MouseButton.LeftButton)
    assert any(lbl.text() == "Usuario o contraseña incorrectos." for lbl in window.findChildren(QLabel))
    assert usuario.text() == "victor_2018"
    contrasena.clear()
    qtbot.keyClicks(contrasena, "Secop2018x")
    with qtbot.waitSignal(window.signed_in) as blocker:
        qtbot.keyClick(contrasena, Qt.Key.Key_Return)
    assert blocker.args[0].usuario == "victor_2018"
