"""A .secop opened from the file manager: the start window, then Importar registro with that package."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from secop_desktop import cli
from secop_desktop.core.identity import STARTUP
from secop_desktop.core.packages.format import SUFFIX
from secop_desktop.core.services import Services
from secop_desktop.views.launcher import SignInRouter
from secop_desktop.views.package_dialogs import ImportDialog
from secop_desktop.views.qt_app import application
from secop_desktop.views.start_window import StartWindow
from tests.conftest import FakeClock, active_user, as_actor
from tests.factories import company_form
from tests.package_fixtures import seed_registration


def test_a_lone_secop_argument_opens_the_window_with_the_package(monkeypatch: pytest.MonkeyPatch,
                                                                  tmp_path: Path) -> None:
    launched: list[dict[str, object]] = []
    monkeypatch.setattr("secop_desktop.views.launcher.launch", lambda **kwargs: launched.append(kwargs) or 0)
    package = tmp_path / "Registro H&H.SECOP"
    assert cli.run([str(package)]) == 0
    assert launched == [{"importar": package}]
    # Anything else is still a command line: an unknown word is misuse, not a package.
    assert cli.run(["registro.zip"]) == 2
    assert len(launched) == 1
    assert cli.PACKAGE_SUFFIX == SUFFIX


@pytest.fixture
def package(tmp_path: Path, clock: FakeClock) -> Path:
    origen = Services.open(f"sqlite:///{tmp_path / 'origen.sqlite3'}", tmp_path / "origen", clock=clock)
    try:
        entity_id = seed_registration(origen, tmp_path / "archivos")
        return origen.packages.export(STARTUP, entity_id, tmp_path / "registro.secop").path
    finally:
        origen.close()


def test_importar_registro_opens_after_the_sign_in(qtbot: QtBot, sqlite_services: Services, package: Path) -> None:
    application()
    uid = active_user(sqlite_services, "mesa_ayuda", correo="mesa@example.com")
    sqlite_services.entities.create(as_actor(sqlite_services, uid), company_form("Mesa S.A.S.", "901000009"))
    start = StartWindow(sqlite_services)
    qtbot.addWidget(start)
    router = SignInRouter(start, sqlite_services, importar=package)
    # Before the sign-in the window says what will happen; nothing is imported by nobody.
    assert package.name in start.statusBar().currentMessage()
    assert router.import_dialog is None
    router.route(sqlite_services.users.profile(as_actor(sqlite_services, uid)))
    dialog = router.import_dialog
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    assert dialog.archivo.text() == str(package)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=20_000)
    assert dialog.preview is not None and dialog.preview.nombre == "H&H Asociados"
    assert router.importar is None  # once: a later sign-in opens no second dialog
