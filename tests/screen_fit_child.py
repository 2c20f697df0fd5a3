"""Child process for the screen-fit test: opens the main windows on the current display and reports geometry.

Prints one JSON object: the screen's available geometry and, per window, its frame and the global
rectangles of the controls a user must reach (wizard footer, admin actions, Escritorio menus).
With SCREENSHOT_DIR set it also saves a screenshot of each window there.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QMenuBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QWidget,
    QWizard,
)

from secop_desktop.core.services import Services
from secop_desktop.views.admin_window import AdminWindow
from secop_desktop.views.escritorio import Escritorio
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from secop_desktop.wizard.registration_wizard import RegistrationWizard
from tests.admin_fixtures import admin_account, bulk_members, requester


def rect(widget: QWidget) -> list[int]:
    top_left = widget.mapToGlobal(widget.rect().topLeft())
    return [top_left.x(), top_left.y(), widget.width(), widget.height()]


def frame(window: QWidget) -> list[int]:
    g = window.frameGeometry()
    return [g.x(), g.y(), g.width(), g.height()]


def settle(app: QApplication, window: QWidget) -> None:
    window.show()
    for _ in range(30):
        app.processEvents()
    window.activateWindow()
    for _ in range(10):
        app.processEvents()


def shoot(window: QWidget, name: str) -> None:
    folder = os.environ.get("SCREENSHOT_DIR")
    if folder:
        # Debounced views (the Lista de verificación follows typing after a pause) catch up first.
        from PySide6.QtTest import QTest

        QTest.qWait(400)
        window.grab().save(str(Path(folder) / f"{name}.png"))


def fill(app: QApplication, window: QWidget, texts: dict[str, str], choices: dict[str, str]) -> None:
    """For the screenshots only: a page as a user fills it in (typed, so the checks beside fields run)."""
    if not os.environ.get("SCREENSHOT_DIR"):
        return
    edits = {w.accessibleName(): w for w in window.findChildren(QLineEdit) if w.isVisible()}
    combos = {w.accessibleName(): w for w in window.findChildren(QComboBox) if w.isVisible()}
    for name, value in choices.items():
        if name in combos:
            combos[name].setCurrentText(value)
            app.processEvents()
    for name, value in texts.items():
        if name in edits:
            edits[name].setFocus()
            for char in value:  # QTest types ASCII only
                if char.isascii():
                    QTest.keyClicks(edits[name], char)
                else:
                    edits[name].insert(char)
            app.processEvents()


def wizard_report(app: QApplication, wizard: RegistrationWizard, name: str) -> dict[str, object]:
    settle(app, wizard)
    # The footer: every button QWizard places there (Atrás, Siguiente, Continuar, Finalizar, Cancelar...).
    buttons = {}
    for which in QWizard.WizardButton:
        if which in (QWizard.WizardButton.Stretch, QWizard.WizardButton.NoButton, QWizard.WizardButton.NStandardButtons,
                     QWizard.WizardButton.NButtons):
            continue
        button = wizard.button(which)
        if button is not None and button.isVisible():
            buttons[button.text()] = rect(button)
    shoot(wizard, name)
    return {"frame": frame(wizard), "controls": buttons}



def main() -> None:
    # The shared fixtures import tests.conftest, which sets the offscreen platform for the test run
    # itself; this child runs on the real X server it was given.
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    app = application([])
    from tests.conftest import as_actor

    services = Services.open()
    account = admin_account(services)
    for i in range(3):
        requester(services, account, f"solicitante_{i}", f"Solicitante Número {i}")
    bulk_members(services.db, account.entity_id, 60)
    admin = as_actor(services, account.admin_id)
    screen = QGuiApplication.primaryScreen()
    available = screen.availableGeometry()
    report: dict[str, object] = {
        "screen": [screen.geometry().x(), screen.geometry().y(), screen.geometry().width(),
                   screen.geometry().height()],
        "available": [available.x(), available.y(), available.width(), available.height()],
        "windows": {},
    }
    windows: dict[str, object] = {}

    start = StartWindow(services)
    settle(app, start)
    shoot(start, "start-window")
    windows["inicio"] = {"frame": frame(start),
                         "controls": {b.text(): rect(b) for b in start.findChildren(QPushButton) if b.isVisible()}}
    start.close()

    wizard = RegistrationWizard(services, agent="pantalla")
    settle(app, wizard)
    fill(app, wizard, {"Nombre y apellido": "Víctor Alfonso Medina", "Nombre de la entidad": "F&F asociados",
                       "Correo electrónico": "victorsecop2(at)example", "Elige tu usuario": "victor_2019",
                       "Contraseña": "Secreta123", "Confirmar contraseña": "Secreta12",
                       "Respuesta de seguridad": "3102585654", "Teléfono móvil de seguridad": "310"}, {})
    windows["asistente"] = wizard_report(app, wizard, "wizard-1-registrar-usuario")
    wizard.close()

    # The longest page: the entity form of a company, reached as a signed-in user without an Entity.
    from tests.conftest import active_user

    uid = active_user(services, "victor_2018")
    wizard = RegistrationWizard(services, start_user=as_actor(services, uid), agent="pantalla")
    settle(app, wizard)
    page = wizard.currentPage()
    fields = {w.accessibleName(): w for w in page.findChildren(QLineEdit)}
    fields["Nombre de la Entidad"].setText("F&F asociados")
    buttons = {b.text().replace("&", ""): b for b in page.findChildren(QPushButton)}
    buttons["Validar"].click()
    app.processEvents()
    for label in ("Registrar Entidad", "Generar formulario"):
        if label == "Generar formulario":
            fill(app, wizard, {}, {"Tipo de organización": "Sociedad Anónima Abierta colombiana"})
        for b in wizard.currentPage().findChildren(QPushButton):
            if b.text().replace("&", "") == label and b.isVisible():
                b.click()
                break
        app.processEvents()
    fill(app, wizard, {"Nombre abreviado": "HH", "NIT": "900373913", "Dirección": "Calle 26 # 69-76",
                       "Código postal": "111321", "Correo electrónico de la oficina": "oficina@hh.com.co",
                       "Teléfono de oficina": "+57 601 7456788"},
         {"Régimen tributario": "Responsable de IVA", "Departamento": "Bogotá, D.C.", "Municipio": "Bogotá, D.C."})
    if os.environ.get("SCREENSHOT_DIR"):
        for radio in wizard.currentPage().findChildren(QRadioButton):
            if radio.text() == "Sí":
                radio.setChecked(True)
                break
        scroll = wizard.currentPage().findChild(QScrollArea)
        if scroll is not None:
            scroll.verticalScrollBar().setValue(0)
        app.processEvents()
    windows["asistente_entidad"] = wizard_report(app, wizard, "wizard-3-formulario")
    wizard.close()

    escritorio = Escritorio(services, admin)
    settle(app, escritorio)
    shoot(escritorio, "escritorio")
    bar = escritorio.findChild(QMenuBar)
    controls = {}
    assert bar is not None
    for action in bar.actions():
        geometry: QRect = bar.actionGeometry(action)
        top_left = bar.mapToGlobal(geometry.topLeft())
        controls[action.text()] = [top_left.x(), top_left.y(), geometry.width(), geometry.height()]
    controls.update({b.text() or b.accessibleName(): rect(b) for b in escritorio.findChildren(QAbstractButton)
                     if b.isVisible()})
    windows["escritorio"] = {"frame": frame(escritorio), "controls": controls}
    escritorio.close()

    window = AdminWindow(services, actor=admin, entity_id=account.entity_id)
    settle(app, window)
    shoot(window, "admin")
    windows["administracion"] = {
        "frame": frame(window),
        "controls": {(b.text() or b.accessibleName() or b.toolTip()): rect(b)
                     for b in window.findChildren(QAbstractButton) if b.isVisible()}
                    | {w.accessibleName() or w.placeholderText(): rect(w)
                       for w in window.findChildren(QLineEdit) if w.isVisible()},
    }
    window.close()

    from secop_desktop.views.lookup_window import LookupWindow

    lookup = LookupWindow(services, admin)
    settle(app, lookup)
    lookup.box.setText("800.111.202")
    lookup.search()
    for _ in range(500):  # the search runs in a Job
        if lookup.result is not None:
            break
        app.processEvents()
        QTest.qWait(10)
    shoot(lookup, "buscar-proveedor")
    windows["buscar_proveedor"] = {
        "frame": frame(lookup),
        "controls": {b.text(): rect(b) for b in lookup.findChildren(QPushButton) if b.isVisible()},
    }
    lookup.close()
    report["windows"] = windows
    services.close()
    json.dump(report, sys.stdout)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
