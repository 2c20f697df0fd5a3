"""Diagnostics: a redacted rotating log, faulthandler, the Spanish crash dialog, Ctrl+C and the CLI's exit codes."""

from __future__ import annotations

import io
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from secop_desktop import __version__, cli, logs, paths
from secop_desktop.errors import PermissionDenied
from secop_desktop.views import crash

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ("Secreta123", "azul-cielo", "483920", "tok3n-largo", "clave-db")


@pytest.fixture
def log_file(_private_home: Path) -> Iterator[Path]:
    path = logs.setup()
    assert path is not None
    yield path


def _log_text(path: Path) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return path.read_text(encoding="utf-8")


# --- redaction -------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "hidden"), [
    ("contrasena=Secreta123 usuario=ana", "Secreta123"),
    ("{'contraseña': 'Secreta123', 'usuario': 'ana'}", "Secreta123"),
    ('{"password": "Secreta123"}', "Secreta123"),
    ("respuesta_seguridad: azul-cielo", "azul-cielo"),
    ("codigo=483920", "483920"),
    ("token=tok3n-largo", "tok3n-largo"),
    ("postgresql+psycopg://mesa:clave-db@db.example.com:5432/secop", "clave-db"),
    ("[SQL: INSERT INTO users VALUES (?, ?)]\n[parameters: ('ana', 'Secreta123')]", "Secreta123"),
    ("Entidad H&H Asociados NIT 800111202", "800111202"),
    ("nit=800.111.202", "800.111.202"),
])
def test_redact_hides_secrets(text: str, hidden: str) -> None:
    redacted = logs.redact(text)
    assert hidden not in redacted
    assert logs.REDACTED in redacted or "***" in redacted


def test_redact_keeps_what_a_help_desk_needs() -> None:
    text = "No se pudo abrir postgresql://mesa:clave@db.example.com:5432/secop (usuario ana) NIT 800111202"
    redacted = logs.redact(text)
    assert "db.example.com:5432/secop" in redacted and "usuario ana" in redacted
    assert "mesa" not in redacted and "clave" not in redacted
    assert "***202" in redacted  # the NIT's last digits tell two apart without pairing it with a name


def test_database_described_without_credentials() -> None:
    assert logs.describe_database("postgresql+psycopg://mesa:clave@db.example.com:5432/secop?sslmode=require") \
        == "PostgreSQL en db.example.com:5432/secop"
    assert logs.describe_database("sqlite:////var/lib/secop/secop.sqlite3") == "SQLite (/var/lib/secop/secop.sqlite3)"
    assert logs.describe_database("sqlite://") == "SQLite en memoria"


# --- the log file ----------------------------------------------------------------------------

def test_log_file_lives_in_the_log_folder_under_the_home(log_file: Path, _private_home: Path) -> None:
    assert log_file == paths.log_dir() / logs.LOG_FILE
    assert log_file.is_relative_to(_private_home)
    logging.getLogger("secop_desktop.prueba").info("hola desde la prueba")
    assert "hola desde la prueba" in _log_text(log_file)


def test_log_file_rotates(log_file: Path) -> None:
    chunk = "x" * 10_000
    for _ in range(logs.MAX_BYTES // len(chunk) + 5):
        logging.getLogger("secop_desktop.prueba").info(chunk)
    assert log_file.with_name(logs.LOG_FILE + ".1").exists()
    assert log_file.stat().st_size <= logs.MAX_BYTES


def test_no_secret_reaches_the_log_not_even_in_a_traceback(log_file: Path) -> None:
    log = logging.getLogger("secop_desktop.prueba")
    log.info("Entrar: usuario=ana contrasena=%s", "Secreta123")
    log.warning("Respuesta recibida: %s", {"respuesta": "azul-cielo", "codigo": "483920"})
    try:
        raise RuntimeError("falló con token=tok3n-largo en postgresql://mesa:clave-db@db:5432/x")
    except RuntimeError:
        log.exception("Error al conectar")
    log.info("Registro de la Entidad H&H Asociados, NIT 800111202")
    text = _log_text(log_file)
    assert "Traceback" in text and "RuntimeError" in text
    for secret in (*SECRETS, "800111202"):
        assert secret not in text, secret


def test_faulthandler_writes_a_hard_crash_to_the_log_folder(tmp_path: Path) -> None:
    home = tmp_path / "casa"
    code = "from secop_desktop import logs; import faulthandler; logs.setup(); faulthandler._sigsegv()"
    env = dict(os.environ, SECOP_DESKTOP_HOME=str(home), PYTHONPATH=str(ROOT))
    env.pop("PYTHONFAULTHANDLER", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    crash_text = (home / "logs" / logs.CRASH_FILE).read_text(encoding="utf-8")
    assert "Fatal Python error" in crash_text and "Segmentation fault" in crash_text


# --- the crash dialog ------------------------------------------------------------------------

@pytest.fixture
def handler(qtbot: QtBot, log_file: Path) -> Iterator[crash.CrashHandler]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    installed = crash.CrashHandler(app)
    installed.install()  # over pytest-qt's own hook, which would fail the test on purpose
    yield installed
    installed.uninstall()
    if installed.dialog is not None:
        installed.dialog.close()
    installed.setParent(None)
    installed.deleteLater()


def test_an_error_in_a_slot_shows_the_spanish_dialog_and_the_app_goes_on(qtbot: QtBot, handler: crash.CrashHandler,
                                                                         log_file: Path) -> None:
    crash.context["Base de datos"] = "PostgreSQL en db.example.com:5432/secop"
    broken = QPushButton("Romper")
    working = QPushButton("Funciona")
    qtbot.addWidget(broken)
    qtbot.addWidget(working)
    clicks: list[str] = []

    def fail() -> None:
        raise ValueError("falló con contrasena=Secreta123")

    broken.clicked.connect(fail)
    working.clicked.connect(lambda: clicks.append("ok"))
    broken.click()
    qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible(), timeout=5000)
    dialog = handler.dialog
    assert dialog is not None
    assert dialog.windowTitle() == "Error inesperado"
    assert dialog.message.text().startswith("Ocurrió un error inesperado")
    assert "ValueError" in dialog.detail.text() and "Secreta123" not in dialog.detail.text()

    working.click()  # still usable
    assert clicks == ["ok"]
    broken.click()  # a second error: the same dialog counts it
    qtbot.waitUntil(lambda: "2 errores" in dialog.detail.text(), timeout=5000)

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert f"secop-desktop {__version__}" in copied
    for needed in ("Sistema operativo:", "Python:", "Qt:", "Base de datos: PostgreSQL en db.example.com:5432/secop",
                   "Últimas líneas del registro", "Excepción no controlada", "ValueError"):
        assert needed in copied, needed
    assert "Secreta123" not in copied
    assert "Diagnóstico copiado" in dialog.copied.text()
    assert "Excepción no controlada" in _log_text(log_file)


def test_an_error_in_a_worker_thread_is_shown_from_the_gui_thread(qtbot: QtBot, handler: crash.CrashHandler,
                                                                  log_file: Path) -> None:
    def work() -> None:
        raise OSError("el disco no responde")

    thread = threading.Thread(target=work, name="trabajo-de-prueba")
    thread.start()
    thread.join()
    qtbot.waitUntil(lambda: handler.dialog is not None and handler.dialog.isVisible(), timeout=5000)
    assert handler.dialog is not None and "OSError" in handler.dialog.detail.text()
    assert "trabajo-de-prueba" in _log_text(log_file)


# --- Ctrl+C and the exit codes ---------------------------------------------------------------

def _wait_for(path: Path, text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.1)
    raise AssertionError(f"«{text}» never appeared in {path}")


def test_ctrl_c_ends_the_gui(tmp_path: Path) -> None:
    home = tmp_path / "casa"
    env = dict(os.environ, SECOP_DESKTOP_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    env.pop("SECOP_DESKTOP_DB_URL", None)
    app = subprocess.Popen([sys.executable, "-m", "secop_desktop"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    try:
        _wait_for(home / "logs" / logs.LOG_FILE, "ventana principal lista")
        app.send_signal(signal.SIGINT)
        _out, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
    assert app.returncode == 0, err[-2000:]
    assert "Traceback" not in err
    assert "Ctrl+C" in (home / "logs" / logs.LOG_FILE).read_text(encoding="utf-8")


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(argv, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_cli_unexpected_error_exits_3_with_a_spanish_line_and_the_traceback_in_the_log(
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object) -> int:
        raise RuntimeError("estado imposible con contrasena=Secreta123")

    monkeypatch.setattr(cli, "_cmd_usuarios", broken)
    code, _out, err = _run(["usuarios"])
    assert code == cli.UNEXPECTED == 3
    assert err.startswith("Ocurrió un error inesperado")
    assert "Traceback" not in err and "Secreta123" not in err
    log_path = logs.log_file()
    assert log_path is not None and log_path.is_relative_to(paths.log_dir())
    text = _log_text(log_path)
    assert "Traceback" in text and "RuntimeError: estado imposible" in text and "Secreta123" not in text


def test_cli_exit_codes_for_refusal_and_misuse(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_args: object) -> int:
        raise PermissionDenied("Solo el administrador de la Entidad puede hacerlo.")

    monkeypatch.setattr(cli, "_cmd_usuarios", refused)
    code, _out, err = _run(["usuarios"])
    assert code == cli.REFUSED == 1 and err.strip() == "Solo el administrador de la Entidad puede hacerlo."
    code, _out, err = _run(["no-existe"])
    assert code == cli.USAGE == 2 and "valor no válido" in err and "Traceback" not in err
    code, out, _err = _run(["--help"])
    assert code == 0 and "3 error inesperado" in out
