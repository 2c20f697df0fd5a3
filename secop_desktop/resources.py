"""The files shipped inside the package (reference data, icons, migrations), found with importlib.resources.

Everything the app reads at run time lives under `secop_desktop/`, so a wheel, an sdist and a PyInstaller
bundle carry it without any path arithmetic relative to the source tree.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

DATA_PACKAGE = "secop_desktop"
DATA_DIR = "data"
ICON_NAME = "secop-desktop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def data(*parts: str) -> Traversable:
    """A file or folder under secop_desktop/data/."""
    return files(DATA_PACKAGE).joinpath(DATA_DIR, *parts)


def read_text(*parts: str) -> str:
    return data(*parts).read_text(encoding="utf-8")


def package_dir(package: str, *parts: str) -> Path:
    """A folder of a package as a real directory, for the libraries that want one (Alembic, Qt).

    Installed from a wheel or frozen by PyInstaller the package is on disk, so the Traversable already is
    a Path; a zipped import would need extracting, which nothing here supports, so it is refused plainly.
    """
    ref = files(package).joinpath(*parts)
    if isinstance(ref, Path):
        return ref
    raise RuntimeError(f"{package}/{'/'.join(parts)} no está en una carpeta del disco ({ref!r}); "
                       "instale secop-desktop sin comprimir.")


def data_path(*parts: str) -> Path:
    """A file under secop_desktop/data/ as a real path (Qt's loaders take file names)."""
    return package_dir(DATA_PACKAGE, DATA_DIR, *parts)


def icon_paths() -> list[Path]:
    """The application icon's PNG sizes, those present.

    PNG needs no Qt plugin (the SVG one may be left out of a bundle); the SVG is for the desktop's icon theme.
    """
    icons = data_path("icons")
    return [p for p in (icons / f"{ICON_NAME}-{n}.png" for n in ICON_SIZES) if p.is_file()]
