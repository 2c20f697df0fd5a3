"""What the one-folder bundle leaves out: shared by packaging/secop-desktop.spec and the tests.

The app speaks es_CO only, so Babel's CLDR data and Qt's catalogues for other languages are dead weight
(35 MiB and 14 MiB). Kept: the locale chain Babel walks for es_CO, and Qt's Spanish catalogues.
"""

from __future__ import annotations

from collections.abc import Iterable

APP_LOCALE = "es_CO"
BABEL_DATA = "babel/locale-data/"
QT_TRANSLATIONS = "/Qt/translations/"

# Pulled in by the test environment or by optional imports of libraries; never used by the app.
EXCLUDED_MODULES = [
    "tkinter", "_tkinter", "turtle", "pydoc_data", "lib2to3", "idlelib", "ensurepip", "venv",
    "pytest", "_pytest", "pytestqt", "hypothesis", "aiosmtpd", "psutil", "build", "pyproject_hooks",
    "setuptools", "pkg_resources", "pip", "PyInstaller", "PIL", "numpy", "IPython", "mypy", "ruff",
    "sqlalchemy.testing", "alembic.testing",
    # Only SQLAlchemy's asyncio layer needs it, and it imports it optionally.
    "greenlet",
]

# Qt plugins for embedded boards and networking: a desktop form never loads them (xcb, wayland, windows,
# offscreen and minimal stay, as do the image formats).
EXCLUDED_QT_PLUGINS = {
    "egldeviceintegrations": None,
    "generic": None,
    "networkinformation": None,
    "tls": None,
    "platforms": ("eglfs", "linuxfb", "vnc", "vkkhrdisplay", "minimalegl"),
}
EXCLUDED_QT_LIBRARIES = ("Qt6EglFSDeviceIntegration", "Qt6EglFsKmsSupport")


def babel_locales(locale: str = APP_LOCALE) -> set[str]:
    """The CLDR files Babel merges to load `locale`: itself, its parents, and root."""
    from babel.core import get_global

    parents = get_global("parent_exceptions")
    chain = {"root"}
    name: str | None = locale
    while name and name != "root":
        chain.add(name)
        name = parents.get(name) or (name.rsplit("_", 1)[0] if "_" in name else None)
    return chain


def keep_data(dest: str, locales: Iterable[str] | None = None) -> bool:
    """Whether a data file (its path inside the bundle) stays in the bundle."""
    dest = dest.replace("\\", "/")
    if dest.startswith(BABEL_DATA) and dest.endswith(".dat"):
        kept = set(locales) if locales is not None else babel_locales()
        return dest[len(BABEL_DATA):-len(".dat")] in kept
    if QT_TRANSLATIONS in dest and dest.endswith(".qm"):
        return dest.endswith("_es.qm")
    return True


def keep_binary(dest: str) -> bool:
    """Whether a shared library or Qt plugin (its path inside the bundle) stays in the bundle."""
    parts = dest.replace("\\", "/").split("/")
    name = parts[-1]
    if len(parts) >= 3 and parts[-3] == "plugins" and parts[-2] in EXCLUDED_QT_PLUGINS:
        names = EXCLUDED_QT_PLUGINS[parts[-2]]
        # libqeglfs.so on Linux, qeglfs.dll on Windows
        return names is not None and name.split(".")[0].removeprefix("lib").removeprefix("q") not in names
    return not any(lib in name for lib in EXCLUDED_QT_LIBRARIES)
