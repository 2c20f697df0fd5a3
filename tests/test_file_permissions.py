"""Files on disk: the data folder and the database are readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from secop_desktop import paths
from secop_desktop.core.services import Services

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX modes; Windows profiles are per-user already")


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_fresh_data_folder_and_database_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    loose_umask: None) -> None:
    home = tmp_path / "nueva" / "secop"
    monkeypatch.setenv(paths.HOME_ENV, str(home))
    services = Services.open()
    try:
        services.drafts  # noqa: B018 - the store is open; the files exist now
    finally:
        services.close()
    assert _mode(home) == 0o700
    database = home / "secop-desktop.sqlite3"
    assert _mode(database) == 0o600
    assert _mode(paths.documents_dir(home)) == 0o700
    for sidecar in home.glob("secop-desktop.sqlite3-*"):
        assert _mode(sidecar) & 0o077 == 0, sidecar


def test_an_existing_open_folder_is_closed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loose_umask: None) -> None:
    home = tmp_path / "abierta"
    home.mkdir(mode=0o755)
    home.chmod(0o755)
    monkeypatch.setenv(paths.HOME_ENV, str(home))
    assert _mode(paths.data_dir()) == 0o700


def test_attached_documents_are_private(tmp_path: Path, loose_umask: None) -> None:
    from secop_desktop.core.documents.blobstore import BlobStore

    source = tmp_path / "rut.pdf"
    source.write_bytes(b"%PDF-1.7\n" + b" " * 100)
    store = BlobStore(tmp_path / "documents")
    blob = store.store(source)
    stored = store.path_for(blob.sha256)
    assert _mode(stored) & 0o077 == 0
    assert _mode(stored.parent) == 0o700
