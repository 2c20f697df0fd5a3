"""A seeded practice folder built once per session and copied into each test's private home."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from secop_desktop import paths
from secop_desktop.core import training
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.services import Services
from tests.conftest import registration


@pytest.fixture(scope="session")
def seeded_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("semilla")
    training.ensure_ready(base)
    return base / training.TRAINING_DIR


@pytest.fixture
def practice(seeded_folder: Path) -> Iterator[Services]:
    """The practice store in this test's SECOP_DESKTOP_HOME, in its seeded state."""
    folder = paths.data_dir() / training.TRAINING_DIR
    shutil.copytree(seeded_folder, folder, dirs_exist_ok=True)
    sv = training.open_training()
    yield sv
    sv.close()


def new_active_user(sv: Services, usuario: str = "aprendiz.uno") -> int:
    info = sv.users.register(registration(usuario, nombre="Aprendiz Uno Práctica"))
    with sv.db.session() as s:
        link = next(m.enlace for m in outbox.inbox(s, info.id) if m.clase == "activacion")
    sv.users.confirm(link or "")
    return info.id
