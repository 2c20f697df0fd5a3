"""The built wheel works where users install it: a fresh venv in a temporary folder, run from outside the checkout.

The sdist is built first and the wheel from the sdist (what `python -m build` does), so both must carry the package
data. The fresh venv sees the test venv's site-packages for the dependencies (a .pth line, after its own
site-packages), so the test needs no network and no second download of PySide6; the project itself comes only
from the wheel, which the test checks.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import textwrap
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from secop_desktop import __version__

ROOT = Path(__file__).resolve().parent.parent
BIN = "Scripts" if os.name == "nt" else "bin"
EXE = ".exe" if os.name == "nt" else ""
PASSWORD = "Secop2018x"
NIT = "800111202"


@dataclass(frozen=True)
class Installed:
    work: Path
    venv: Path
    wheel: Path
    sdist: Path

    @property
    def python(self) -> Path:
        return self.venv / BIN / f"python{EXE}"

    def script(self, name: str) -> Path:
        return self.venv / BIN / f"{name}{EXE}"

    def env(self, home: str = "home") -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "SECOP_DESKTOP_", "VIRTUAL_ENV"))}
        env.update(
            SECOP_DESKTOP_HOME=str(self.work / home),
            SECOP_DESKTOP_CONTRASENA=PASSWORD,
            QT_QPA_PLATFORM="offscreen",
            # Never the developer's real keyring; nothing here stores a secret.
            PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
            PYTHONNOUSERSITE="1",
        )
        return env

    def run(self, args: Sequence[str | Path], *, home: str = "home", timeout: float = 120,
            check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([str(a) for a in args], cwd=self.work, env=self.env(home), capture_output=True,
                                text=True, timeout=timeout)
        if check:
            assert result.returncode == 0, f"{args}: {result.returncode}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        return result

    def cli(self, *args: str, home: str = "home", check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run([self.script("secop-desktop-cli"), *args], home=home, check=check)

    def python_snippet(self, code: str, *, home: str = "home") -> str:
        return self.run([self.python, "-c", textwrap.dedent(code)], home=home).stdout


def _outside_checkout(path: Path) -> bool:
    return not path.resolve().is_relative_to(ROOT)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("instalado")
    assert _outside_checkout(work), "the install test must run outside the checkout"
    dist = work / "dist"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=300)
    wheel = next(dist.glob("secop_desktop-*.whl"))
    sdist = next(dist.glob("secop_desktop-*.tar.gz"))
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = Path(subprocess.run([str(venv / BIN / f"python{EXE}"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    deps = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    # A .pth line is appended to sys.path after the venv's own site-packages, and the .pth files of that folder
    # are not processed, so the checkout's editable install stays invisible.
    (site / "_dependencias_de_prueba.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / BIN / f"python{EXE}"), "install", "--quiet",
                    "--no-deps", "--no-index", "--disable-pip-version-check", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    print(f"wheel built and installed in {time.monotonic() - started:.1f} s")
    return Installed(work, venv, wheel, sdist)


def test_wheel_and_sdist_carry_the_package_data(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as zf:
        names = set(zf.namelist())
        entry_points = zf.read(f"secop_desktop-{__version__}.dist-info/entry_points.txt").decode()
        metadata = zf.read(f"secop_desktop-{__version__}.dist-info/METADATA").decode()
    for required in ("secop_desktop/data/divipola.csv", "secop_desktop/data/icons/secop-desktop.svg",
                     "secop_desktop/data/icons/secop-desktop-256.png", "secop_desktop/store/migrations/env.py",
                     "secop_desktop/store/migrations/versions/0001_initial_schema.py",
                     f"secop_desktop-{__version__}.dist-info/licenses/LICENSE"):
        assert required in names, required
    assert "secop-desktop = secop_desktop.__main__:main" in entry_points.split("[gui_scripts]")[1]
    assert "secop-desktop-cli = secop_desktop.__main__:main" in entry_points.split("[console_scripts]")[1]
    assert "License-Expression: MIT" in metadata
    assert re.search(r"^Requires-Dist: SQLAlchemy<2\.1,>=2\.0", metadata, re.M), "the store is written for 2.0"
    assert re.search(r"^Requires-Dist: PySide6-Essentials!=6\.12\.\*", metadata, re.M)

    import tarfile

    with tarfile.open(installed.sdist) as tf:
        members = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    assert {"secop_desktop/data/divipola.csv", "secop_desktop/store/migrations/versions/0001_initial_schema.py",
            "LICENSE"} <= members


def test_dependencies_of_the_wheel_are_satisfied(installed: Installed) -> None:
    result = subprocess.run([sys.executable, "-m", "pip", "--python", str(installed.python), "check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_package_comes_from_the_wheel(installed: Installed) -> None:
    out = installed.python_snippet("""
        import json, secop_desktop
        from secop_desktop.resources import data_path
        from secop_desktop.store.database import MIGRATIONS_DIR
        from secop_desktop.core.entities.divipola import divipola
        print(json.dumps({"package": secop_desktop.__file__, "csv": str(data_path("divipola.csv")),
                          "migrations": str(MIGRATIONS_DIR), "departamentos": len(divipola().departamentos())}))
    """)
    found = json.loads(out)
    for key in ("package", "csv", "migrations"):
        assert Path(found[key]).is_relative_to(installed.venv), (key, found[key])
    assert found["departamentos"] == 33  # 32 departamentos and Bogotá D.C.


def test_version_from_both_scripts(installed: Installed) -> None:
    for script in ("secop-desktop-cli", "secop-desktop"):
        result = installed.run([installed.script(script), "--version"])
        assert result.stdout.strip() == f"secop-desktop {__version__}", script


def test_init_and_training_init(installed: Installed) -> None:
    result = installed.cli("init")
    assert "Base de datos lista" in result.stdout
    assert (installed.work / "home" / "secop-desktop.sqlite3").is_file()
    result = installed.cli("--capacitacion", "init")
    assert "Base de datos lista" in result.stdout, result.stderr


def _active_user(usuario: str, nombre: str) -> str:
    """Snippet lines that register and confirm a user through the installed package's own services."""
    return f"""
    info = services.users.register(UserRegistration(
        nombre="{nombre}", pais="COLOMBIA", nombre_entidad="H&H Asociados",
        correo="{usuario}@example.com", usuario="{usuario}", contrasena="{PASSWORD}", confirmar="{PASSWORD}",
        pregunta="¿Cuál es el nombre de su primera mascota?", respuesta="Firulais", telefono="+57 3102585654",
        acepta_terminos=True))
    with services.db.session() as s:
        link = next(m.enlace for m in mailbox.inbox(s, info.id) if m.clase == "activacion")
    services.users.confirm(link or "")"""


OPEN = """
    from secop_desktop.core.accounts import mailbox
    from secop_desktop.core.accounts.users import UserRegistration
    from secop_desktop.core.entities.service import EntityForm
    from secop_desktop.core.services import Services

    services = Services.open()"""

SEED = OPEN + _active_user("victor_2018", "Víctor Alfonso Medina") + f"""
    actor = services.users.sign_in("victor_2018", "{PASSWORD}")
    services.entities.create(actor, EntityForm(
        tipo_organizacion="Sociedad Anónima Abierta colombiana", nombre="H&H Asociados", nombre_abreviado="hh",
        nit="{NIT}", mipyme=True, regimen_tributario="Responsable de IVA", departamento_codigo="11",
        municipio_codigo="11001", direccion="Calle 26 # 69-76", codigo_postal="111321",
        correo_oficina="oficina@hh.com.co", telefono_oficina="+57 601 7456788", pagina_web="https://www.hh.com.co",
        correo_notificaciones="notificaciones@hh.com.co", banco_nombre="Banco de Bogotá",
        banco_numero_cuenta="123-456789-01", banco_tipo_cuenta="Ahorros", representante_nombre="Ana María Rojas",
        representante_numero_documento="52123456", representante_correo="ana.rojas@hh.com.co",
        representante_telefono="+57 3102585654"))
    services.close()
    print("sembrado")
"""

# Whoever imports is a user of the destination store.
RECEPTOR = OPEN + _active_user("receptor_2020", "Mesa de Ayuda Receptora") + """
    services.close()
    print("listo")
"""


def test_export_and_import_a_registration(installed: Installed) -> None:
    assert installed.python_snippet(SEED, home="origen").strip() == "sembrado"
    package = installed.work / "hh.secop"
    # The CLI acts as a user: --como, with the password in SECOP_DESKTOP_CONTRASENA.
    result = installed.cli("exportar", NIT, str(package), "--como", "victor_2018", home="origen")
    assert "Registro exportado" in result.stdout
    assert package.is_file()

    # Whoever imports acts as a user of the destination store (the CLI asks for --como and a password).
    assert installed.python_snippet(RECEPTOR, home="destino").strip() == "listo"
    receptor = ["--como", "receptor_2020"]
    preview = installed.cli("importar", "--vista-previa", str(package), *receptor, home="destino")
    assert "Entidad: H&H Asociados" in preview.stdout
    assert f"NIT: {NIT}-" in preview.stdout
    result = installed.cli("importar", str(package), *receptor, home="destino")
    assert "Registro importado: H&H Asociados" in result.stdout
    again = installed.cli("importar", str(package), *receptor, home="destino", check=False)
    assert again.returncode == 1, "importing twice is refused by a rule"
    assert "--solicitar-acceso" in again.stderr


GUI = """
    import json
    from PySide6.QtWidgets import QApplication
    from secop_desktop.views.admin_window import open_admin_window
    from secop_desktop.views.launcher import open_shared_services
    from secop_desktop.views.qt_app import application
    from secop_desktop.views.start_window import StartWindow

    app = application(["secop-desktop"])
    services = open_shared_services()
    start = StartWindow(services)
    start.show()
    wizard = start.open_wizard()
    admin = open_admin_window(services)
    admin.show()
    for _ in range(5):
        app.processEvents()
    print(json.dumps({
        "wizard": wizard.isVisible(), "admin": admin.isVisible(), "icon": not app.windowIcon().isNull(),
        "icon_sizes": len(app.windowIcon().availableSizes()), "desktop": app.desktopFileName(),
        "titles": [w.windowTitle() for w in (start, wizard, admin)],
    }))
    for window in (wizard, admin, start):
        window.hide()
    services.close()
"""


def test_offscreen_start_opens_the_wizard_and_the_admin_window(installed: Installed) -> None:
    installed.cli("init", home="gui")
    shown = json.loads(installed.python_snippet(GUI, home="gui").strip().splitlines()[-1])
    assert shown["wizard"] and shown["admin"]
    assert shown["icon"] and shown["icon_sizes"] >= 4
    assert shown["desktop"] == "secop-desktop"
    assert all(shown["titles"]), shown["titles"]


# --- desktop integration files and the system check (no install needed) -------------------------------------------

PACKAGING = ROOT / "packaging"


def _pyproject() -> dict[str, object]:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _tool(name: str) -> str:
    import shutil

    found = shutil.which(name)
    assert found, f"{name} is missing: .ci/run installs it (desktop-file-utils, appstream, shared-mime-info)"
    return found


def test_desktop_entry_is_valid_and_matches_the_app() -> None:
    from secop_desktop import APP_NAME
    from secop_desktop.resources import ICON_NAME

    desktop = PACKAGING / "secop-desktop.desktop"
    result = subprocess.run([_tool("desktop-file-validate"), str(desktop)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
    entry = dict(line.split("=", 1) for line in desktop.read_text(encoding="utf-8").splitlines()
                 if "=" in line and not line.startswith("#"))
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    assert entry["TryExec"] in project["gui-scripts"]
    assert entry["Icon"] == ICON_NAME
    # QGuiApplication.setDesktopFileName(APP_NAME) ties the windows to this file (icon, name on Wayland).
    assert desktop.stem == APP_NAME == entry["StartupWMClass"]
    main_group = desktop.read_text(encoding="utf-8").split("[Desktop Action")[0].splitlines()
    assert "Exec=secop-desktop %f" in main_group and "MimeType=application/x-secop;" in main_group


def test_appstream_metainfo_is_valid() -> None:
    import xml.etree.ElementTree as ET

    metainfo = PACKAGING / "secop-desktop.metainfo.xml"
    # The ID is the executable's name, not reverse DNS: the project has no domain of its own to put there.
    result = subprocess.run([_tool("appstreamcli"), "validate", "--no-net", "--override=cid-desktopapp-is-not-rdns=info",
                             str(metainfo)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    root = ET.parse(metainfo).getroot()
    assert root.findtext("launchable") == "secop-desktop.desktop"
    assert root.find("releases/release").get("version") == __version__  # type: ignore[union-attr]
    assert root.findtext("project_license") == _pyproject()["project"]["license"]  # type: ignore[index]
    # `secop-desktop ARCHIVO.secop` opens Importar registro: the file manager may hand it .secop files.
    assert root.findtext("provides/mediatype") == "application/x-secop"


def test_make_install_desktop_installs_entry_icons_and_the_secop_type(tmp_path: Path) -> None:
    _tool("update-mime-database")
    prefix = tmp_path / "share"
    result = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), "install-desktop", f"DESKTOP_PREFIX={prefix}"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (prefix / "applications" / "secop-desktop.desktop").is_file()
    assert (prefix / "metainfo" / "secop-desktop.metainfo.xml").is_file()
    assert (prefix / "icons" / "hicolor" / "scalable" / "apps" / "secop-desktop.svg").is_file()
    assert (prefix / "icons" / "hicolor" / "256x256" / "apps" / "secop-desktop.png").is_file()
    assert "application/x-secop:*.secop" in (prefix / "mime" / "globs2").read_text(encoding="utf-8")
    assert "application/zip" in (prefix / "mime" / "subclasses").read_text(encoding="utf-8")


def test_lock_file_pins_every_dependency_with_hashes() -> None:
    """requirements.lock (for `make bundle`) is regenerated with `make lock` whenever pyproject.toml's
    dependencies change; a dependency missing from it, or pinned outside the range, fails here."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins: dict[str, str] = {}
    hashes: dict[str, int] = {}
    current = ""
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            name, _, rest = line.partition("==")
            current = canonicalize_name(name.split("[")[0])
            pins[current] = rest.split(";")[0].split("\\")[0].strip()
            hashes[current] = 0
        elif line.strip().startswith("--hash=sha256:"):
            hashes[current] += 1
    project = _pyproject()["project"]
    assert isinstance(project, dict)
    for spec in project["dependencies"] + project["optional-dependencies"]["bundle"]:
        requirement = Requirement(spec)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (name, pins[name], str(requirement.specifier))
    assert pins["sqlalchemy"].startswith("2.0."), "the store is written for SQLAlchemy 2.0"
    assert not pins["pyside6-essentials"].startswith("6.12."), "PySide6 6.12 aborts the interpreter"
    assert all(count > 0 for count in hashes.values()), [n for n, c in hashes.items() if not c]


def _check_module() -> ModuleType:
    sys.path.insert(0, str(PACKAGING))
    try:
        import check_system_libs
    finally:
        sys.path.remove(str(PACKAGING))
    return check_system_libs


LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibfoo-raro.so.9 => not found
"""


def test_system_check_names_the_missing_packages_in_spanish() -> None:
    check = _check_module()
    missing = check.missing_sonames(LDD_OUTPUT)
    assert missing == ["libfoo-raro.so.9", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    text = check.message(missing)
    assert text.startswith("No se puede abrir la ventana: faltan bibliotecas del sistema")
    assert "  - libxcb-icccm4  (libxcb-icccm.so.4)" in text
    assert "sudo apt-get install libfoo-raro.so.9 libxcb-icccm4 libxcb-keysyms1" in text
    assert "xcb-cursor0" not in text  # present, so not blamed (Qt's own message names it whatever is missing)


def test_system_check_runs_only_where_qt_uses_xcb() -> None:
    check = _check_module()
    assert check.should_check({}, "linux")
    assert check.should_check({"QT_QPA_PLATFORM": "xcb"}, "linux")
    assert not check.should_check({"QT_QPA_PLATFORM": "offscreen"}, "linux")
    assert not check.should_check({"QT_QPA_PLATFORM": "wayland;xcb"}, "linux")
    assert not check.should_check({}, "win32")


def test_system_check_passes_on_this_machine() -> None:
    """.ci/run installs the xcb libraries; the real check (ldd on PySide6's plugin) must then find them all."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    result = subprocess.run([sys.executable, str(PACKAGING / "check_system_libs.py")], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert _check_module().xcb_plugin() is not None
