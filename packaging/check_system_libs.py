"""Before `make run`: are the system libraries Qt's xcb platform plugin needs installed?

Without them Qt only says "xcb-cursor0 or libxcb-cursor0 is needed", whatever is really missing. This asks
the dynamic linker (ldd on the plugin PySide6 ships) and names the missing Debian/Ubuntu packages in Spanish.
Exit code 0 when everything is there (or nothing can be checked), 1 when something is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

# soname -> Debian/Ubuntu package; the libraries the xcb plugin and the Qt libraries behind it load.
DEBIAN_PACKAGES: dict[str, str] = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libGLdispatch.so.0": "libglvnd0",
    "libXau.so.6": "libxau6",
    "libXdmcp.so.6": "libxdmcp6",
    "libpng16.so.16": "libpng16-16",
    "libexpat.so.1": "libexpat1",
    "libz.so.1": "zlib1g",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)


def missing_sonames(ldd_output: str) -> list[str]:
    return sorted(set(_NOT_FOUND.findall(ldd_output)))


def packages_for(sonames: list[str]) -> list[str]:
    """The packages to install, in a stable order; an unknown library is named by itself."""
    return sorted({DEBIAN_PACKAGES.get(name, name) for name in sonames})


def message(sonames: list[str]) -> str:
    lines = ["No se puede abrir la ventana: faltan bibliotecas del sistema que Qt necesita para mostrarla (xcb):"]
    lines += [f"  - {DEBIAN_PACKAGES.get(name, name)}  ({name})" for name in sonames]
    lines += ["", "En Debian o Ubuntu instálelas con:", f"  sudo apt-get install {' '.join(packages_for(sonames))}"]
    return "\n".join(lines)


def xcb_plugin() -> Path | None:
    try:
        import PySide6
    except ImportError:
        return None
    base = Path(PySide6.__file__).parent
    for candidate in (base / "Qt" / "plugins" / "platforms" / "libqxcb.so", base / "plugins" / "platforms" / "libqxcb.so"):
        if candidate.is_file():
            return candidate
    return None


def should_check(environ: dict[str, str] | os._Environ[str], platform: str = sys.platform) -> bool:
    """Only on Linux, and only when Qt will use xcb (QT_QPA_PLATFORM unset or naming xcb first)."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    return not chosen or chosen.split(";")[0].split(":")[0] == "xcb"


def main() -> int:
    if not should_check(os.environ):
        return 0
    plugin = xcb_plugin()
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return 0
    result = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, check=False)
    missing = missing_sonames(result.stdout + result.stderr)
    if not missing:
        return 0
    print(message(missing), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
