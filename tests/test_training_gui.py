"""GUI: the training banner and Ejercicios panel, Reiniciar capacitación, and the export/import dialogs."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QMainWindow, QPushButton, QTableWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from secop_desktop.core import training
from secop_desktop.core.access.service import Accion
from secop_desktop.core.identity import System
from secop_desktop.core.services import Services
from secop_desktop.store.models import Document, Entity
from secop_desktop.views.escritorio import Escritorio
from secop_desktop.views.package_dialogs import ExportDialog, ImportDialog
from secop_desktop.views.start_window import StartWindow
from secop_desktop.views.training import TITLE_PREFIX, TrainingBanner, TrainingMode
from tests.conftest import active_user, as_actor
from tests.package_fixtures import admin_of, blob_files, counts, seed_registration
from tests.training_fixtures import practice, seeded_folder  # noqa: F401 - fixtures

LEFT = Qt.MouseButton.LeftButton
Trainee = tuple[StartWindow, TrainingMode, list[str]]


def by_name(widget, cls, name):  # type: ignore[no-untyped-def]
    found = [w for w in widget.findChildren(cls) if w.accessibleName() == name or
             (isinstance(w, QPushButton) and w.text().replace("&", "") == name)]
    assert len(found) == 1, f"{name!r}: {len(found)} widgets"
    return found[0]


def seed(sv: Services) -> training.SeedInfo:
    info = sv.training.seed_info()
    assert info is not None
    return info


@pytest.fixture
def trainee_window(qtbot: QtBot, practice: Services) -> Iterator[Trainee]:
    asked: list[str] = []
    answers = {"value": True}

    def confirm(question: str) -> bool:
        asked.append(question)
        return answers["value"]

    window = StartWindow(practice)
    qtbot.addWidget(window)
    mode = TrainingMode(practice, confirm=confirm, refresh_ms=0, parent=window)
    mode.install(window)
    window.show()
    mode.answers = answers  # type: ignore[attr-defined]
    yield window, mode, asked


def test_banner_and_exercises_tick_from_what_is_stored(qtbot: QtBot, practice: Services,
                                                      trainee_window: Trainee) -> None:
    window, mode, _ = trainee_window
    info = seed(practice)
    banner = window.findChild(TrainingBanner)
    assert banner is not None and banner.isVisible()
    assert any(lbl.text().find(training.BANNER) >= 0 for lbl in banner.findChildren(QLabel))
    assert training.PASSWORD in " ".join(lbl.text() for lbl in banner.findChildren(QLabel))
    assert window.windowTitle().startswith(TITLE_PREFIX)
    assert "Reiniciar capacitación…" in [a.text().replace("&", "") for m in window.menuBar().actions()
                                          for a in (m.menu().actions() if m.menu() else [])]

    step = by_name(window, QCheckBox, "Entre como administrador de la Entidad")
    accepted = by_name(window, QCheckBox, "Seleccione una solicitud Pendiente y haga clic en «Aceptar acceso»")
    assert not step.isChecked() and not accepted.isChecked()
    # A trainee cannot tick a step by clicking it.
    qtbot.mouseClick(step, LEFT)
    assert not step.isChecked()

    # Sign in through the real start window as the practice administrator.
    qtbot.keyClicks(by_name(window, QLineEdit, "Nombre de usuario"), info.administrador)
    qtbot.keyClicks(by_name(window, QLineEdit, "Contraseña"), training.PASSWORD)
    with qtbot.waitSignal(window.signed_in):
        qtbot.mouseClick(by_name(window, QPushButton, "Entrar"), LEFT)
    assert not step.isChecked()  # nothing ticks until the panel reads the store
    qtbot.mouseClick(by_name(window, QPushButton, "Actualizar ejercicios"), LEFT)
    assert step.isChecked() and not accepted.isChecked()
    assert mode.panel is not None
    assert mode.panel.states()["aceptar"] == [True, False, False]
    assert mode.panel.boxes["aceptar"].title() == "Aceptar un usuario como administrador (1/3)"

    # The timer picks up work done elsewhere (here, the service the admin window calls).
    mode.panel.timer.start(30)
    admin = practice.users.sign_in(info.administrador, training.PASSWORD)
    practice.access.apply(admin, info.entidad_principal_id, Accion.ACEPTAR, [info.pendientes[0]])
    qtbot.waitUntil(accepted.isChecked, timeout=3000)
    assert mode.panel.states()["aceptar"] == [True, True, False]


def test_reiniciar_capacitacion_asks_then_restores(qtbot: QtBot, practice: Services,
                                                   trainee_window: Trainee) -> None:
    window, mode, asked = trainee_window
    info = seed(practice)
    seeded = training.fingerprint(practice.db)
    admin = practice.users.sign_in(info.administrador, training.PASSWORD)
    practice.access.apply(admin, info.entidad_principal_id, Accion.ACEPTAR, [info.pendientes[0]])
    assert mode.panel is not None
    mode.panel.refresh()
    assert mode.panel.states()["aceptar"] == [True, True, False]
    reiniciar = by_name(window, QPushButton, "Reiniciar capacitación")

    mode.answers["value"] = False  # type: ignore[attr-defined]
    qtbot.mouseClick(reiniciar, LEFT)
    assert len(asked) == 1 and "Reiniciar la capacitación" in asked[0]
    assert training.fingerprint(practice.db) != seeded

    mode.answers["value"] = True  # type: ignore[attr-defined]
    with qtbot.waitSignal(mode.reset_done):
        qtbot.mouseClick(reiniciar, LEFT)
    assert training.fingerprint(practice.db) == seeded
    assert mode.panel.states()["aceptar"] == [False, False, False]


def test_reiniciar_runs_in_a_job_with_the_button_disabled_meanwhile(
        qtbot: QtBot, practice: Services, trainee_window: Trainee, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    window, mode, _ = trainee_window
    started, release = threading.Event(), threading.Event()
    threads: list[str] = []
    real = practice.training.reset

    def slow_reset() -> None:
        threads.append(threading.current_thread().name)
        started.set()
        release.wait(10)
        real()

    monkeypatch.setattr(practice.training, "reset", slow_reset)
    reiniciar = by_name(window, QPushButton, "Reiniciar capacitación")
    qtbot.mouseClick(reiniciar, LEFT)
    assert started.wait(10)
    assert threads == [threads[0]] and threads[0] != threading.main_thread().name
    assert not reiniciar.isEnabled() and mode.job is not None
    assert mode.reset() is False  # a second reset waits for the first
    with qtbot.waitSignal(mode.reset_done, timeout=20_000):
        release.set()
    assert reiniciar.isEnabled() and mode.job is None


def test_windows_opened_later_get_the_banner(qtbot: QtBot, practice: Services,
                                             trainee_window: Trainee) -> None:
    other = QMainWindow()
    other.setWindowTitle("Escritorio")
    qtbot.addWidget(other)
    other.show()
    assert other.windowTitle() == TITLE_PREFIX + "Escritorio"
    assert other.findChild(TrainingBanner) is not None


# --- export / import dialogs ---------------------------------------------------------------------

@pytest.fixture
def target(tmp_path: Path) -> Iterator[Services]:
    sv = Services.open(f"sqlite:///{tmp_path / 'mesa.sqlite3'}", tmp_path / "mesa")
    yield sv
    sv.close()


def wait_idle(qtbot: QtBot, dialog: ExportDialog | ImportDialog) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=30000)


def test_export_then_import_through_the_dialogs(qtbot: QtBot, sqlite_services: Services, target: Services,
                                                tmp_path: Path) -> None:
    entity_id = seed_registration(sqlite_services, tmp_path / "archivos")
    dest = tmp_path / "salida" / "registro"
    pdf = tmp_path / "salida" / "resumen.pdf"
    export = ExportDialog(sqlite_services, admin_of(sqlite_services, entity_id), [(entity_id, "H&H Asociados")],
                          choose_path=lambda: dest, choose_pdf=lambda: pdf)
    qtbot.addWidget(export)
    export.show()
    assert by_name(export, QLineEdit, "Archivo").text().endswith("registro-800111202.secop")
    qtbot.mouseClick(by_name(export, QPushButton, "Examinar…"), LEFT)
    assert by_name(export, QLineEdit, "Archivo").text() == str(dest)
    qtbot.mouseClick(by_name(export, QPushButton, "Exportar registro"), LEFT)
    wait_idle(qtbot, export)
    package_path = dest.with_name("registro.secop")
    assert package_path.is_file()
    assert export.message.text().startswith(f"Registro exportado en {package_path} (5 documentos")
    assert export.progress.value() == 100
    qtbot.mouseClick(by_name(export, QPushButton, "Resumen en PDF…"), LEFT)
    assert pdf.read_bytes().startswith(b"%PDF") and "Resumen guardado" in export.message.text()

    # At the Mesa de servicio an agent signs in with their own account to import.
    agente = as_actor(target, active_user(target, "agente.mesa", correo="mesa@example.com"))
    dialog = ImportDialog(target, agente, choose_path=lambda: package_path)
    qtbot.addWidget(dialog)
    dialog.show()
    importar = by_name(dialog, QPushButton, "Importar registro")
    solicitud = by_name(dialog, QPushButton, "Solicitud de acceso")
    assert not importar.isEnabled()
    qtbot.mouseClick(by_name(dialog, QPushButton, "Examinar…"), LEFT)
    wait_idle(qtbot, dialog)
    table = by_name(dialog, QTableWidget, "Documentos del paquete")
    assert table.rowCount() == 5
    assert {table.item(r, 1).text() for r in range(5)} >= {"RUP.pdf", "CERTIFICADO DE EXPERIENCIA.pdf"}
    assert by_name(dialog, QLabel, "Vista previa").text().startswith("<b>H&amp;H Asociados</b> — NIT 800111202-1")
    assert importar.isEnabled() and not solicitud.isVisible()
    assert counts(target)["entities"] == 0  # the preview stored nothing
    with qtbot.waitSignal(dialog.imported, timeout=30000) as done:
        qtbot.mouseClick(importar, LEFT)
    assert done.args[0].creada
    assert dialog.message.text().startswith("Registro importado: H&H Asociados con 5 documentos.")
    with target.db.session() as s:
        assert s.scalars(select(Entity.nit)).one() == "800111202"
        assert len(list(s.scalars(select(Document)))) == 5

    # The same package again: the NIT exists, so only a Solicitud de acceso is offered.
    qtbot.mouseClick(by_name(dialog, QPushButton, "Examinar…"), LEFT)
    wait_idle(qtbot, dialog)
    assert not importar.isEnabled() and solicitud.isVisible() and solicitud.isEnabled()
    assert "Ya existe una Entidad registrada con el NIT 800111202" in dialog.message.text()
    qtbot.mouseClick(solicitud, LEFT)
    wait_idle(qtbot, dialog)
    assert dialog.message.text().startswith("Solicitud de acceso enviada")
    with target.db.session() as s:
        assert len(list(s.scalars(select(Entity)))) == 1


def test_import_dialog_shows_a_refusal_and_stores_nothing(qtbot: QtBot, target: Services, tmp_path: Path) -> None:
    bad = tmp_path / "malo.secop"
    bad.write_bytes(b"PK\x03\x04 esto no es un paquete")
    dialog = ImportDialog(target, System("prueba"), choose_path=lambda: bad)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(by_name(dialog, QPushButton, "Examinar…"), LEFT)
    wait_idle(qtbot, dialog)
    assert dialog.message.is_error and "No se guardó nada" in dialog.message.text()
    assert not by_name(dialog, QPushButton, "Importar registro").isEnabled()
    assert set(counts(target).values()) == {0} and blob_files(target) == []


def test_export_can_be_cancelled_midway(qtbot: QtBot, sqlite_services: Services, tmp_path: Path) -> None:
    # Hex text deflates (about 2:1), so the export takes long enough to cancel by hand.
    big = b"%PDF-1.4\n" + random.Random(7).randbytes(48 << 20).hex().encode()
    entity_id = seed_registration(sqlite_services, tmp_path / "archivos", big=big)
    dest = tmp_path / "grande.secop"
    dialog = ExportDialog(sqlite_services, admin_of(sqlite_services, entity_id), [(entity_id, "H&H Asociados")],
                          choose_path=lambda: dest)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(by_name(dialog, QPushButton, "Examinar…"), LEFT)
    cancelar = by_name(dialog, QPushButton, "Cancelar")
    assert not cancelar.isEnabled()

    def cancel_once_started(value: int) -> None:
        if 0 < value < 100 and cancelar.isEnabled():
            qtbot.mouseClick(cancelar, LEFT)

    dialog.progress.valueChanged.connect(cancel_once_started)
    qtbot.mouseClick(by_name(dialog, QPushButton, "Exportar registro"), LEFT)
    assert by_name(dialog, QPushButton, "Cerrar").isEnabled() is False
    wait_idle(qtbot, dialog)
    assert dialog.message.text() == "Operación cancelada; no se guardó nada."
    assert not dest.exists() and not dest.with_name(dest.name + ".part").exists()
    assert by_name(dialog, QPushButton, "Exportar registro").isEnabled()


class _LocalLoopApp:
    """Stands in for the QApplication in launch(): runs a local event loop instead of app.exec().

    Returning from the real QApplication.exec() marks the application as closing, and from then on
    no QTimer fires for the rest of the test session.
    """

    def __init__(self) -> None:
        from PySide6.QtCore import QEventLoop

        self.loop = QEventLoop()

    def exec(self) -> int:
        return self.loop.exec()


def test_launch_in_training_mode_marks_every_window(qtbot: QtBot, practice: Services,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m secop_desktop --capacitacion` end to end: banner, Ejercicios, menus, Escritorio marked too."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDockWidget

    from secop_desktop.views import launcher

    info = seed(practice)
    seen: dict[str, object] = {}
    fake_app = _LocalLoopApp()
    monkeypatch.setattr(launcher, "application", lambda: fake_app)

    def menus(window: QMainWindow) -> dict[str, list[str]]:
        return {m.text().replace("&", ""): [a.text().replace("&", "") for a in m.menu().actions()]
                for m in window.menuBar().actions() if m.menu()}

    def drive() -> None:
        try:
            start = next(w for w in QApplication.topLevelWidgets() if isinstance(w, StartWindow) and w.isVisible())
            seen["title"] = start.windowTitle()
            seen["banner"] = start.findChild(TrainingBanner) is not None
            seen["dock"] = [d.windowTitle() for d in start.findChildren(QDockWidget)]
            seen["menus"] = menus(start)
            by_name(start, QLineEdit, "Nombre de usuario").setText(info.administrador)
            by_name(start, QLineEdit, "Contraseña").setText(training.PASSWORD)
            by_name(start, QPushButton, "Entrar").click()
            escritorio = next(w for w in QApplication.topLevelWidgets()
                              if isinstance(w, Escritorio) and w.isVisible())
            seen["escritorio_title"] = escritorio.windowTitle()
            seen["escritorio_banner"] = escritorio.findChild(TrainingBanner) is not None
            registro = next(m for m in escritorio.menuBar().actions() if m.text().replace("&", "") == "Registro")
            seen["exportar"] = [a.isEnabled() for a in registro.menu().actions()]
            escritorio.close()
        finally:
            fake_app.loop.exit(0)

    QTimer.singleShot(200, drive)
    assert launcher.launch(capacitacion=True) == 0
    assert str(seen["title"]).startswith(TITLE_PREFIX) and seen["banner"] is True
    assert seen["dock"] == ["Ejercicios"]
    assert seen["menus"]["Registro"] == ["Importar registro…", "Exportar registro…"]
    assert seen["menus"]["Capacitación"] == ["Reiniciar capacitación…", "Ejercicios"]
    assert str(seen["escritorio_title"]).startswith(TITLE_PREFIX) and seen["escritorio_banner"] is True
    assert seen["exportar"] == [True, True]
