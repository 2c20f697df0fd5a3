"""Every main window fits a 1366x768 laptop with a taskbar, and remembers its geometry per user."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from secop_desktop import paths
from secop_desktop.core.services import Services
from secop_desktop.views import geometry
from secop_desktop.wizard.registration_wizard import RegistrationWizard

ROOT = Path(__file__).resolve().parent.parent
SCREEN = (1366, 768)
TASKBAR = 40  # the usual Windows taskbar at 100 % scale


@pytest.fixture(scope="module")
def laptop_display() -> Iterator[str]:
    """A real X server with one 1366x768 screen whose work area leaves room for a taskbar."""
    for tool in ("Xvfb", "xprop"):
        assert shutil.which(tool), f"{tool} is needed for this test (apt-get install xvfb x11-utils)"
    read, write = os.pipe()
    # -displayfd: the server picks a free display and reports its number; -noreset keeps the root
    # window's properties (the work area) after the client that set them disconnects.
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                               "-nolisten", "tcp", "-noreset"], pass_fds=(write,),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not start"
        display = f":{number}"
        # What a window manager with a bottom taskbar publishes; Qt's availableGeometry reads it.
        subprocess.run(["xprop", "-display", display, "-root", "-f", "_NET_WORKAREA", "32c", "-set", "_NET_WORKAREA",
                        f"0, 0, {SCREEN[0]}, {SCREEN[1] - TASKBAR}"], check=True, timeout=30)
        yield display
    finally:
        server.terminate()
        server.wait(timeout=30)


def _inside(rect: list[int], area: list[int]) -> bool:
    x, y, w, h = rect
    ax, ay, aw, ah = area
    return ax <= x and ay <= y and x + w <= ax + aw and y + h <= ay + ah


def test_main_windows_fit_a_1366x768_screen(laptop_display: str, tmp_path: Path) -> None:
    env = dict(os.environ, DISPLAY=laptop_display, QT_QPA_PLATFORM="xcb", SECOP_DESKTOP_HOME=str(tmp_path / "home"),
               PYTHONPATH=str(ROOT))
    env.pop("SCREENSHOT_DIR", None)
    if os.environ.get("SECOP_SCREENSHOTS"):
        env["SCREENSHOT_DIR"] = os.environ["SECOP_SCREENSHOTS"]
    result = subprocess.run([sys.executable, "-m", "tests.screen_fit_child"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    available = report["available"]
    assert available == [0, 0, SCREEN[0], SCREEN[1] - TASKBAR], "the virtual screen's work area was not applied"
    windows = report["windows"]
    assert set(windows) == {"inicio", "asistente", "asistente_entidad", "escritorio", "administracion",
                            "buscar_proveedor"}
    outside = {name: window["frame"] for name, window in windows.items() if not _inside(window["frame"], available)}
    assert not outside, f"windows larger than the screen: {outside}"
    for name, window in windows.items():
        assert window["controls"], f"{name}: no controls found"
        cut = {label: rect for label, rect in window["controls"].items() if not _inside(rect, available)}
        assert not cut, f"{name}: controls beyond the screen edge: {cut}"
    assert {"Cancelar", "&Continuar"} <= set(windows["asistente"]["controls"])
    assert {"< &Atrás", "Siguie&nte >", "Cancelar"} <= set(windows["asistente_entidad"]["controls"])
    escritorio = windows["escritorio"]["controls"]
    assert {"&Escritorio", "Configuraciones del &usuario", "Con&figuración de la Entidad", "A&yuda"} <= set(escritorio)
    admin = windows["administracion"]["controls"]
    assert {"Crear &usuarios", "&Aceptar acceso", "&Rechazar acceso", "Búsqueda de usuarios"} <= set(admin)
    assert {"&Buscar", "&Lista de verificación", "&Administración de usuarios"} <= set(
        windows["buscar_proveedor"]["controls"])


def _inside_screen(window: QWidget) -> bool:
    area = geometry.available(window)
    frame = window.frameGeometry()
    return area.contains(QRect(frame.topLeft(), window.geometry().size()))


def test_window_never_opens_larger_than_the_screen(qtbot: QtBot, sqlite_services: Services) -> None:
    wizard = RegistrationWizard(sqlite_services, agent="pantalla")
    qtbot.addWidget(wizard)
    usable = geometry.usable_size(wizard)
    assert wizard.width() <= usable.width() and wizard.height() <= usable.height()
    wizard.show()
    qtbot.waitExposed(wizard)
    assert _inside_screen(wizard)


def test_geometry_is_remembered_for_the_user(qtbot: QtBot, sqlite_services: Services) -> None:
    first = RegistrationWizard(sqlite_services, agent="pantalla")
    qtbot.addWidget(first)
    first.show()
    qtbot.waitExposed(first)
    first.setGeometry(40, 30, 520, 400)
    first.close()
    assert (paths.config_dir() / geometry.SETTINGS_FILE).exists()

    second = RegistrationWizard(sqlite_services, agent="pantalla")
    qtbot.addWidget(second)
    assert (second.width(), second.height()) == (520, 400)
    assert (second.x(), second.y()) == (40, 30)


def test_remembered_geometry_from_a_bigger_monitor_is_brought_back_whole(qtbot: QtBot, sqlite_services: Services) -> None:
    area = geometry.available()
    big = QWidget()
    qtbot.addWidget(big)
    big.setGeometry(area.x() + 300, area.y() + 200, area.width() * 2, area.height() * 2)
    geometry.save(big, "asistente")

    wizard = RegistrationWizard(sqlite_services, agent="pantalla")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    assert _inside_screen(wizard)
