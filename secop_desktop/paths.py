"""Where the app keeps its data, settings and logs: three folders, overridable, nothing written elsewhere."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from secop_desktop import APP_NAME

HOME_ENV = "SECOP_DESKTOP_HOME"
DB_URL_ENV = "SECOP_DESKTOP_DB_URL"


def private_dir(path: Path) -> Path:
    """Creates a folder only its owner may enter (0700), whatever the umask; returns it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        path.chmod(0o700)
    return path


def data_dir() -> Path:
    """The data directory, created on first use and readable by its owner only."""
    return _folder(platformdirs.user_data_dir(APP_NAME, appauthor=False), None)


def _folder(platform_dir: str, under_home: str | None) -> Path:
    # With SECOP_DESKTOP_HOME everything stays below it, so a test or a portable copy writes nowhere else.
    override = os.environ.get(HOME_ENV)
    if override:
        path = Path(override) / under_home if under_home else Path(override)
    else:
        path = Path(platform_dir)
    return private_dir(path)


def config_dir() -> Path:
    """Per-user preferences of this operating-system user (e.g. window sizes), created on first use."""
    return _folder(platformdirs.user_config_dir(APP_NAME, appauthor=False), "config")


def log_dir() -> Path:
    """The log files a help desk asks for, created on first use."""
    return _folder(platformdirs.user_log_dir(APP_NAME, appauthor=False), "logs")


def documents_dir(base: Path | None = None) -> Path:
    return private_dir((base or data_dir()) / "documents")


def database_url(base: Path | None = None) -> str:
    """The database URL: the environment wins, else a SQLite file in the data directory."""
    override = os.environ.get(DB_URL_ENV)
    if override:
        return override
    return f"sqlite:///{(base or data_dir()) / 'secop-desktop.sqlite3'}"
