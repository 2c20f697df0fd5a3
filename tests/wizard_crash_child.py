"""Child process for the kill -9 test: types into the wizard, then dies without any clean-up."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QLineEdit  # noqa: E402

from secop_desktop.core.services import Services  # noqa: E402
from secop_desktop.views.qt_app import application  # noqa: E402
from secop_desktop.wizard.registration_wizard import RegistrationWizard  # noqa: E402


def main(url: str, data_dir: str, last_text: str) -> None:
    app = application([])
    services = Services.open(url, Path(data_dir))
    wizard = RegistrationWizard(services, agent="agente_caido")
    wizard.show()
    edits = {w.accessibleName(): w for w in wizard.currentPage().findChildren(QLineEdit)}
    QTest.keyClicks(edits["Nombre y apellido"], "Ana Rojas")
    QTest.keyClicks(edits["Contraseña"], "Secreta123")
    QTest.keyClicks(edits["Nombre de la entidad"], last_text)
    typed_at = time.monotonic()
    # The event loop runs as it would while the user pauses; then the process is killed outright.
    while time.monotonic() - typed_at < 1.0:
        app.processEvents()
        time.sleep(0.01)
    print("typed", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    QApplication.quit()  # never reached


if __name__ == "__main__":
    main(*sys.argv[1:4])
