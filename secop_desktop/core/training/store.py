"""Where the practice store lives, how it is opened, and the template that makes a reset take a second."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secop_desktop import paths
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.store.database import head_revision
from secop_desktop.store.queries.training import sqlite_copy

BANNER = "MODO DE CAPACITACIÓN"
TRAINING_DIR = "capacitacion"
DB_FILE = "secop-desktop.sqlite3"
TEMPLATE_DIR = "plantilla"
TEMPLATE_INFO = "plantilla.json"
# Bump when the seeded content changes, so old templates are rebuilt.
SEED_VERSION = 1

if TYPE_CHECKING:
    from secop_desktop.core.services import Services

ProgressFn = Callable[[int, int], None]


def training_dir(base: Path | None = None) -> Path:
    path = (base or paths.data_dir()) / TRAINING_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path(folder: Path) -> Path:
    return folder / DB_FILE


def database_url(folder: Path) -> str:
    # Always SQLite, whatever SECOP_DESKTOP_DB_URL says: practice must never reach the real database.
    return f"sqlite:///{database_path(folder)}"


def _template_meta() -> dict[str, Any]:
    return {"version_semilla": SEED_VERSION, "revision": head_revision()}


def template_ok(folder: Path) -> bool:
    meta = folder / TEMPLATE_DIR / TEMPLATE_INFO
    try:
        return json.loads(meta.read_text(encoding="utf-8")) == _template_meta() and \
            (folder / TEMPLATE_DIR / DB_FILE).is_file()
    except (OSError, ValueError):
        return False


def _make_writable(func_: Callable[..., Any], path: str, _exc: object) -> None:
    # Stored documents are read-only on purpose; Windows will not delete them until that is lifted.
    os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
    func_(path)


def _rmtree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path, onerror=_make_writable)


def _build_template(folder: Path) -> None:
    template = folder / TEMPLATE_DIR
    _rmtree(template)
    template.mkdir(parents=True)
    sqlite_copy(database_path(folder), template / DB_FILE)
    documents = folder / "documents"
    if documents.is_dir():
        shutil.copytree(documents, template / "documents", ignore=shutil.ignore_patterns("tmp"))
    (template / TEMPLATE_INFO).write_text(json.dumps(_template_meta()), encoding="utf-8")


def restore_files(folder: Path) -> None:
    """The seeded database and documents again, copied from the template."""
    template = folder / TEMPLATE_DIR
    sqlite_copy(template / DB_FILE, database_path(folder))
    _rmtree(folder / "documents")
    _rmtree(folder / "importando")
    if (template / "documents").is_dir():
        shutil.copytree(template / "documents", folder / "documents")


def fresh(folder: Path, progress: ProgressFn | None) -> None:
    """An empty practice store, seeded through the real services, then kept as the template."""
    from secop_desktop.core.services import Services
    from secop_desktop.core.training.seed import seed

    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(database_path(folder)) + suffix).unlink()
    _rmtree(folder / "documents")
    services = Services.open(database_url(folder), folder)
    try:
        seed(services, progress=progress)
    finally:
        services.close()
    _build_template(folder)


def ensure_ready(base: Path | None = None, progress: ProgressFn | None = None) -> Path:
    """The practice folder, seeded on first use (or rebuilt after an update of the seed or schema).

    The first time takes a while: the GUI runs it in a Job, the CLI with a progress bar.
    """
    folder = training_dir(base)
    if not template_ok(folder):
        fresh(folder, progress)
    elif not database_path(folder).is_file():
        restore_files(folder)
    return folder


def open_training(base: Path | None = None, *, clock: Clock = utcnow, progress: ProgressFn | None = None
                  ) -> Services:
    """The Services of the practice store (seeded first when needed)."""
    from secop_desktop.core.services import Services

    folder = ensure_ready(base, progress)
    return Services.open(database_url(folder), folder, clock=clock)


def documents_fingerprint(folder: Path) -> list[tuple[str, int]]:
    root = folder / "documents"
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*") if p.is_file())
