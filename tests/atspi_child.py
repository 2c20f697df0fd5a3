"""Child process for the AT-SPI test: opens the screens a screen reader must be able to read and waits.

Runs on the real X server and accessibility bus the test started. Opens, each in its own window:
step 1 (Registrar usuario) filled in as a user does, the entity form of a company and of a persona
natural, the attachment page
of an entity just created, and a throwaway window with a field nobody labelled (the test's proof that
it can fail). Prints one JSON line when everything is shown (its pid and, per window, its title and the
words of its buttons as Qt draws them), then serves the bus until its standard input closes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from secop_desktop.core.registration import flow
from secop_desktop.core.services import Services
from secop_desktop.views.qt_app import application
from secop_desktop.wizard.registration_wizard import RegistrationWizard
from tests.factories import company_form
from tests.wizard_fixtures import (
    Chooser,
    click,
    fill_step1,
    page,
    shown_errors,
    to_entity_form,
    wizard_button,
    write_pdfs,
)

SELF_CHECK = "Autocomprobación del lector de pantalla"


def bot() -> QtBot:
    """pytest-qt's driver outside pytest: only its key, mouse and wait helpers are used here."""
    from pytestqt.qt_compat import qt_api

    qt_api.set_qt_api("pyside6")
    request = SimpleNamespace(config=SimpleNamespace(getini=lambda name: True), node=None)
    return QtBot(request)


def settle(app: QApplication, window: QWidget) -> None:
    window.show()
    for _ in range(20):
        app.processEvents()


def self_check_window() -> QWidget:
    """What the walk must report: fields without label (text, spin box, date, combo box), a labelled
    field named otherwise, a required field that does not say so, an optional one that says it is
required, a button without words, a button named otherwise than it reads; and a
    labelled combo box it must not report."""
    window = QWidget()
    window.setWindowTitle(SELF_CHECK)
    form = QFormLayout(window)
    form.addRow(QLineEdit())
    form.addRow(QSpinBox())
    form.addRow(QDateEdit())
    loose = QComboBox()
    loose.addItem("Valor suelto")
    form.addRow(loose)
    named = QLineEdit()
    named.setAccessibleName("Otro nombre")
    caption = QLabel("Nombre de la prueba:")
    caption.setBuddy(named)
    form.addRow(caption, named)
    required = QLineEdit()
    required.setAccessibleName("Campo obligatorio de prueba")
    mark = QLabel("Campo obligatorio de prueba *")
    mark.setBuddy(required)
    form.addRow(mark, required)
    optional = QLineEdit()
    optional.setAccessibleName("Campo opcional de prueba")
    optional.setAccessibleDescription("Obligatorio")
    plain_caption = QLabel("Campo opcional de prueba:")
    plain_caption.setBuddy(optional)
    form.addRow(plain_caption, optional)
    labelled = QComboBox()
    labelled.addItem("Opción elegida")
    kind = QLabel("Tipo de prueba:")
    kind.setBuddy(labelled)
    form.addRow(kind, labelled)
    form.addRow(QPushButton())
    renamed = QPushButton("&Guardar")
    renamed.setAccessibleName("Acción")
    form.addRow(renamed)
    return window


def buttons(window: QWidget) -> list[dict[str, str]]:
    """The words of every button a user sees in the window, as Qt draws them (mnemonic & included)."""
    return [{"text": b.text(), "accessible_name": b.accessibleName()}
            for b in window.findChildren(QAbstractButton) if b.isVisibleTo(window)]


def main() -> None:
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    app = application([])
    from tests.conftest import active_user, as_actor

    qtbot = bot()
    services = Services.open()
    windows: list[QWidget] = []

    step1 = RegistrationWizard(services, agent="lector")
    settle(app, step1)
    fill_step1(qtbot, step1, nombre="Víctor Alfonso Medina", usuario="victor_2018", entidad="F&F asociados")
    windows.append(step1)

    form_user = as_actor(services, active_user(services, "ana_2019"))
    entity_form = RegistrationWizard(services, start_user=form_user, agent="lector")
    settle(app, entity_form)
    to_entity_form(qtbot, entity_form, "Sociedad Anónima Abierta colombiana")
    windows.append(entity_form)

    # The persona natural variant re-captions the form: Nombre abreviado is optional there.
    persona_user = as_actor(services, active_user(services, "felipruiz17"))
    persona = RegistrationWizard(services, start_user=persona_user, agent="lector")
    settle(app, persona)
    to_entity_form(qtbot, persona, "Persona natural colombiana", nombre="Jonathan Felipe Ruiz Fernández")
    persona.setWindowTitle(f"{persona.windowTitle()} (persona natural)")
    windows.append(persona)

    docs = write_pdfs(Path(os.environ["SECOP_DESKTOP_HOME"]) / "docs")
    attach_user = as_actor(services, active_user(services, "luis_2020"))
    attachments = RegistrationWizard(services, start_user=attach_user, agent="lector", file_chooser=Chooser(docs))
    settle(app, attachments)
    to_entity_form(qtbot, attachments, "Sociedad Anónima Abierta colombiana", nombre="H&H Asociados")
    page(attachments).form_widget.set_form(company_form())
    click(qtbot, wizard_button(attachments, "Siguiente"))
    assert attachments.current_view() == flow.DOCUMENTOS, f"the attachment page did not open: {shown_errors(attachments)}"
    windows.append(attachments)

    check = self_check_window()
    settle(app, check)
    windows.append(check)
    for _ in range(50):
        app.processEvents()
    report = {"pid": os.getpid(), "windows": [{"title": w.windowTitle(), "buttons": buttons(w)} for w in windows]}
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()
    # Serve the accessibility bus until the test is done reading.
    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(app.quit)
    app.exec()
    services.close()


if __name__ == "__main__":
    main()
