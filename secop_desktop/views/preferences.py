"""Per-user preferences: kept with the operating-system user, never in the (possibly shared) database.

Every preference is declared once below, with its key, default and type (as Vorta's
`store/settings.py` does), so no widget invents a key. On a help desk's shared PostgreSQL one
agent's "Aumentar el contraste" must not become every agent's, so these live in an INI file in the
user's configuration folder (under SECOP_DESKTOP_HOME when that is set, so tests and portable
installs write nothing elsewhere).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import platformdirs
from PySide6.QtCore import QSettings

from secop_desktop import APP_NAME, paths

T = TypeVar("T", bool, int, str)

FILE_NAME = "preferencias.ini"
CONFIG_SUBDIR = "config"  # inside SECOP_DESKTOP_HOME when it is set


@dataclass(frozen=True)
class Preference(Generic[T]):
    key: str
    default: T
    type: type[T]
    label: str


ALTO_CONTRASTE: Preference[bool] = Preference("apariencia/alto_contraste", False, bool, "Aumentar el contraste")

# Window sizes: one preference per window, "<ancho>x<alto>"; empty means the window's own default.
VENTANA_INICIO: Preference[str] = Preference("ventanas/inicio", "", str, "Tamaño de la ventana de inicio")
VENTANA_ESCRITORIO: Preference[str] = Preference("ventanas/escritorio", "", str, "Tamaño del Escritorio")
VENTANA_ADMINISTRACION: Preference[str] = Preference("ventanas/administracion", "", str,
                                                     "Tamaño de Administración de usuarios")
VENTANA_REGISTRO: Preference[str] = Preference("ventanas/registro", "", str, "Tamaño del registro")

ALL: tuple[Preference, ...] = (ALTO_CONTRASTE, VENTANA_INICIO, VENTANA_ESCRITORIO, VENTANA_ADMINISTRACION,
                               VENTANA_REGISTRO)


def config_dir() -> Path:
    """The user's configuration folder (created on first use)."""
    override = os.environ.get(paths.HOME_ENV)
    if override:
        path = Path(override) / CONFIG_SUBDIR
    else:
        path = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _as(kind: type[T], raw: object, default: T) -> T:
    if raw is None:
        return default
    if kind is bool:
        value: object = raw if isinstance(raw, bool) else str(raw).strip().lower() in ("1", "true", "yes", "sí")
    elif kind is int:
        try:
            value = int(str(raw))
        except ValueError:
            return default
    else:
        value = str(raw)
    return value if isinstance(value, kind) else default


class Preferences:
    """One user's preferences file; reads fall back to the declared default, never raise."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / FILE_NAME
        self._settings = QSettings(str(self.path), QSettings.Format.IniFormat)

    def get(self, preference: Preference[T]) -> T:
        return _as(preference.type, self._settings.value(preference.key), preference.default)

    def set(self, preference: Preference[T], value: T) -> None:
        self._settings.setValue(preference.key, value)
        self._settings.sync()

    def window_size(self, preference: Preference[str]) -> tuple[int, int] | None:
        width, _, height = self.get(preference).partition("x")
        if width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0:
            return int(width), int(height)
        return None

    def set_window_size(self, preference: Preference[str], width: int, height: int) -> None:
        self.set(preference, f"{width}x{height}")


def preferences() -> Preferences:
    """The signed-in operating-system user's preferences."""
    return Preferences()
