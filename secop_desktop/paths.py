"""Where the app keeps its data: one directory, overridable, nothing written elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from secop_desktop import APP_NAME

HOME_ENV = "SECOP_DESKTOP_HOME"
DB_URL_ENV = "SECOP_DESKTOP_DB_URL"


def data_dir() -> Path:
    """The data directory, created on first use."""
    override = os.environ.get(HOME_ENV)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def documents_dir(base: Path | None = None) -> Path:
    path = (base or data_dir()) / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_url(base: Path | None = None) -> str:
    """The database URL: the environment wins, else a SQLite file in the data directory."""
    override = os.environ.get(DB_URL_ENV)
    if override:
        return override
    return f"sqlite:///{(base or data_dir()) / 'secop-desktop.sqlite3'}"
