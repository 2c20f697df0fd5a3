"""The one-folder PyInstaller bundle: built from packaging/secop-desktop.spec, run from outside the checkout.

The build uses the test venv's PyInstaller through packaging/build_bundle.py, which keeps the last build of an
unchanged tree in the temporary folder (`make bundle` uses a venv installed from requirements.lock; the spec is
the same). What the spec trims is checked twice: here, that the app's own calls need nothing that was left
out, and in the built folder, that it really was left out.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from secop_desktop import __version__
from tests.pg_server import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import build_bundle  # noqa: E402 - lives in packaging/
from bundle_filters import babel_locales, keep_binary, keep_data  # noqa: E402

EXE = ".exe" if os.name == "nt" else ""


BABEL_CHECK = """
import json, os, sys
from decimal import Decimal
import babel.localedata
opened = []
resolve = babel.localedata.resolve_locale_filename
babel.localedata.resolve_locale_filename = lambda name: (opened.append(os.path.basename(name)), resolve(name))[1]
from secop_desktop.core import money
assert money.format_money(Decimal("1234567.89")) == "1.234.567,89"
assert money.parse_money("1.234.567,89") == Decimal("1234567.89")
print(json.dumps(opened))
"""


def test_babel_needs_only_the_kept_locales() -> None:
    # A fresh interpreter: babel keeps loaded locales for the life of a process, so an earlier test
    # would hide which files money formatting really opens.
    result = subprocess.run([sys.executable, "-c", BABEL_CHECK], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    opened = set(json.loads(result.stdout))
    assert opened, "babel loaded no locale data: the check would prove nothing"
    assert opened <= babel_locales(), sorted(opened - babel_locales())


def test_trimming_rules() -> None:
    assert babel_locales() == {"root", "es", "es_419", "es_CO"}
    assert keep_data("babel/locale-data/es_CO.dat") and not keep_data("babel/locale-data/fr.dat")
    assert keep_data("PySide6/Qt/translations/qtbase_es.qm") and not keep_data("PySide6/Qt/translations/qtbase_de.qm")
    assert keep_data("secop_desktop/data/divipola.csv")
    assert keep_binary("PySide6/Qt/plugins/platforms/libqxcb.so")
    assert keep_binary("PySide6/Qt/plugins/platforms/libqwayland.so")
    assert keep_binary("PySide6\\plugins\\platforms\\qwindows.dll")
    assert keep_binary("PySide6/Qt/plugins/platforms/libqoffscreen.so")
    assert not keep_binary("PySide6/Qt/plugins/platforms/libqeglfs.so")
    assert not keep_binary("PySide6\\plugins\\tls\\qschannelbackend.dll")
    assert keep_binary("PySide6/Qt/plugins/imageformats/libqico.so")


@pytest.fixture(scope="module")
def bundle() -> Path:
    built = build_bundle.build()
    assert not built.folder.resolve().is_relative_to(ROOT)
    print(f"bundle {'from the cache' if built.cached else f'built in {built.seconds:.0f} s'}: {built.folder}")
    return built.folder


def _env(work: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SECOP_DESKTOP_", "VIRTUAL_ENV"))}
    env.update(SECOP_DESKTOP_HOME=str(work / "home"), QT_QPA_PLATFORM="offscreen",
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring", **extra)
    return env


def _run(bundle: Path, work: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(bundle / f"secop-desktop-cli{EXE}"), *args], cwd=work, env=_env(work, **env),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{args}: {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
    return result


def test_bundle_layout(bundle: Path) -> None:
    internal = bundle / "_internal"
    for exe in ("secop-desktop", "secop-desktop-cli"):
        assert (bundle / f"{exe}{EXE}").is_file(), exe
    for data in ("secop_desktop/data/divipola.csv", "secop_desktop/data/icons/secop-desktop-48.png",
                 "secop_desktop/store/migrations/env.py", "secop_desktop/store/migrations/versions/0001_initial_schema.py",
                 "tzdata/zoneinfo/America/Bogota"):
        assert (internal / data).is_file(), data
    assert sorted(p.stem for p in (internal / "babel" / "locale-data").glob("*.dat")) == sorted(babel_locales())
    translations = [p.name for p in internal.rglob("*.qm")]
    assert "qtbase_es.qm" in translations
    assert all(name.endswith("_es.qm") for name in translations), translations
    for left_out in ("pytest", "hypothesis", "PIL", "setuptools", "PyInstaller"):
        assert not (internal / left_out).exists(), left_out
    dangling = [str(p.relative_to(bundle)) for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling, f"symlinks to libraries the spec left out: {dangling}"


def test_version_init_and_training_from_outside_the_checkout(bundle: Path, tmp_path: Path) -> None:
    assert _run(bundle, tmp_path, "--version").stdout.strip() == f"secop-desktop {__version__}"
    assert "Base de datos lista" in _run(bundle, tmp_path, "init").stdout
    assert (tmp_path / "home" / "secop-desktop.sqlite3").is_file()
    assert "Base de datos lista" in _run(bundle, tmp_path, "--capacitacion", "init").stdout
    # Who administers the practice Entidad: read from the store the bundle just seeded.
    from secop_desktop.core import training

    practice = training.open_training(tmp_path / "home")
    try:
        seed = practice.training.seed_info()
    finally:
        practice.close()
    assert seed is not None
    como = ("--como", seed.administrador)
    rows = _run(bundle, tmp_path, "--capacitacion", "usuarios", *como,
                SECOP_DESKTOP_CONTRASENA=training.PASSWORD).stdout.splitlines()
    assert len(rows) > 1
    # An empty PYTHONTZPATH hides the system's zoneinfo, as on Windows: the dates need the bundled tzdata.
    buzon = _run(bundle, tmp_path, "--capacitacion", "buzon", *como, PYTHONTZPATH="",
                 SECOP_DESKTOP_CONTRASENA=training.PASSWORD).stdout
    assert "(UTC-05:00) Bogotá, Lima, Quito" in buzon


@pytest.mark.postgres
def test_init_on_postgresql(bundle: Path, tmp_path: Path, pg_server: PostgresServer) -> None:
    url = pg_server.url(pg_server.create_database())
    assert "Base de datos lista" in _run(bundle, tmp_path, "init", SECOP_DESKTOP_DB_URL=url).stdout


@pytest.fixture
def gui_process(bundle: Path, tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen([str(bundle / f"secop-desktop{EXE}")], cwd=tmp_path, env=_env(tmp_path),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()


def test_the_windows_start(gui_process: subprocess.Popen[str], tmp_path: Path) -> None:
    """The GUI executable opens the store (the database file appears) and keeps running until it is closed."""
    database = tmp_path / "home" / "secop-desktop.sqlite3"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and gui_process.poll() is None and not database.exists():
        time.sleep(0.2)
    assert database.exists(), "the windows never opened the store"
    time.sleep(3)  # a crash in building the first window would end the process by now
    assert gui_process.poll() is None, gui_process.communicate()[1][-3000:]
