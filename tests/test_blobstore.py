"""The content-addressed blob store: hashing, dedupe, progress, cancel and failure cleanup."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secop_desktop.core.documents import blobstore
from secop_desktop.core.documents.blobstore import BlobStore, CopyCancelled, StoredBlob


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _source(tmp_path: Path, data: bytes, name: str = "factura.pdf") -> Path:
    folder = tmp_path / "origen"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "documents")


@pytest.mark.parametrize(
    "size", [0, 1, 4095, 4096, 4097, 3 * 4096, (1 << 20) + 17], ids=lambda n: f"{n}B"
)
def test_hash_and_copy_match_the_source(tmp_path: Path, store: BlobStore, size: int) -> None:
    data = os.urandom(size)
    source = _source(tmp_path, data)
    blob = store.store(source, chunk_size=4096)
    expected = hashlib.sha256(source.read_bytes()).hexdigest()
    assert blob == StoredBlob(expected, size, f"{expected[:2]}/{expected}")
    stored = store.root / blob.relative_path
    assert stored == store.path_for(expected) == store.open_path(expected)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == expected
    assert store.exists(expected)
    # Immutable on disk, and the original name never appears.
    assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert all("factura" not in str(p) for p in _files(store.root))


def test_default_chunk_size_on_a_multi_mebibyte_file(tmp_path: Path, store: BlobStore) -> None:
    source = _source(tmp_path, os.urandom(3 * (1 << 20) + 5))
    blob = store.store(source)
    with source.open("rb") as handle:
        assert blob.sha256 == hashlib.file_digest(handle, "sha256").hexdigest()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=5000), chunk=st.integers(min_value=1, max_value=700))
def test_any_content_any_chunk_size(tmp_path: Path, data: bytes, chunk: int) -> None:
    store = BlobStore(tmp_path / f"docs-{chunk}")
    source = tmp_path / f"src-{chunk}"
    source.write_bytes(data)
    blob = store.store(source, chunk_size=chunk)
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert store.path_for(blob.sha256).read_bytes() == data


def test_same_content_is_stored_once(tmp_path: Path, store: BlobStore) -> None:
    data = b"%PDF-1.7 mismo contenido" * 1000
    first = store.store(_source(tmp_path, data, "uno.pdf"))
    second = store.store(_source(tmp_path, data, "dos con otro nombre.pdf"))
    assert first == second
    assert _files(store.root) == [store.path_for(first.sha256)]


def test_damaged_blob_is_replaced(tmp_path: Path, store: BlobStore) -> None:
    data = b"contenido correcto" * 100
    blob = store.store(_source(tmp_path, data))
    damaged = store.path_for(blob.sha256)
    damaged.chmod(0o600)
    damaged.write_bytes(b"truncado")
    assert store.store(_source(tmp_path, data)) == blob
    assert damaged.read_bytes() == data


def test_progress_is_monotonic_and_reaches_total(tmp_path: Path, store: BlobStore) -> None:
    size = 10_000
    calls: list[tuple[int, int]] = []
    source = _source(tmp_path, os.urandom(size))
    store.store(source, progress=lambda d, t: calls.append((d, t)), chunk_size=1000)
    assert calls[0] == (0, size)
    assert calls[-1] == (size, size)
    done = [d for d, _ in calls]
    assert done == sorted(done) and len(calls) == 11
    assert all(t == size for _, t in calls)


def test_progress_on_empty_file(tmp_path: Path, store: BlobStore) -> None:
    calls: list[tuple[int, int]] = []
    store.store(_source(tmp_path, b""), progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (0, 0)


def test_cancel_midway_leaves_nothing(tmp_path: Path, store: BlobStore) -> None:
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)

    with pytest.raises(CopyCancelled):
        store.store(
            _source(tmp_path, os.urandom(50_000)),
            progress=progress,
            cancelled=lambda: len(seen) > 3,
            chunk_size=1000,
        )
    assert 0 < max(seen) < 50_000
    assert _files(store.root) == []


def _failing_write_after(
    limit: int, error: int = errno.ENOSPC
) -> Callable[[BinaryIO, memoryview], None]:
    written = 0
    real = blobstore._write_all

    def write(dest: BinaryIO, data: memoryview) -> None:
        nonlocal written
        if written + len(data) > limit:
            raise OSError(error, os.strerror(error))
        real(dest, data)
        written += len(data)

    return write


def test_disk_full_during_write_leaves_no_stray_file(
    tmp_path: Path, store: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(blobstore, "_write_all", _failing_write_after(20_000))
    with pytest.raises(OSError) as info:
        store.store(_source(tmp_path, os.urandom(100_000)), chunk_size=4096)
    assert info.value.errno == errno.ENOSPC
    assert _files(store.root) == []


def test_disk_full_reported_by_fsync_leaves_no_stray_file(
    tmp_path: Path, store: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError) as info:
        store.store(_source(tmp_path, os.urandom(10_000)))
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC
    assert _files(store.root) == []


def test_short_writes_are_completed(
    tmp_path: Path, store: BlobStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Trickle:
        """Writes at most 7 bytes per call, like a slow pipe or a full network share."""

        def __init__(self, inner: BinaryIO) -> None:
            self.inner = inner

        def write(self, data: memoryview) -> int:
            return self.inner.write(data[:7])

    real = blobstore._write_all
    monkeypatch.setattr(blobstore, "_write_all", lambda dest, data: real(Trickle(dest), data))  # type: ignore[arg-type]
    data = os.urandom(3000)
    blob = store.store(_source(tmp_path, data), chunk_size=1000)
    assert store.path_for(blob.sha256).read_bytes() == data


def test_unreadable_source_leaves_nothing(tmp_path: Path, store: BlobStore) -> None:
    with pytest.raises(OSError):
        store.store(tmp_path / "no-existe.pdf")
    folder = tmp_path / "carpeta"
    folder.mkdir()
    with pytest.raises(OSError):
        store.store(folder)
    assert _files(store.root) == []


def test_error_in_progress_callback_cleans_up(tmp_path: Path, store: BlobStore) -> None:
    def progress(done: int, total: int) -> None:
        if done:
            raise RuntimeError("la interfaz falló")

    with pytest.raises(RuntimeError):
        store.store(_source(tmp_path, os.urandom(5000)), progress=progress, chunk_size=1000)
    assert _files(store.root) == []


def test_clean_orphans_removes_crash_leftovers(tmp_path: Path, store: BlobStore) -> None:
    keep = store.store(_source(tmp_path, b"referenciado"))
    drop = store.store(_source(tmp_path, b"huerfano"))
    tmp = store.root / blobstore.TMP_DIR
    (tmp / "tmp-dead1.part").write_bytes(b"mitad")
    (tmp / "tmp-dead2.part").write_bytes(b"")
    (tmp / "otra-cosa.txt").write_bytes(b"no es nuestro")
    stranger = store.root / keep.sha256[:2] / "leeme.txt"
    stranger.write_bytes(b"no es un blob")

    assert store.clean_orphans() == 2
    assert store.exists(drop.sha256) and store.exists(keep.sha256)
    assert store.clean_orphans([keep.sha256.upper()]) == 1
    assert store.exists(keep.sha256) and not store.exists(drop.sha256)
    assert (tmp / "otra-cosa.txt").exists() and stranger.exists()
    assert store.clean_orphans([keep.sha256]) == 0


def test_clean_orphans_spares_a_copy_in_progress(tmp_path: Path, store: BlobStore) -> None:
    removed: list[int] = []

    def progress(done: int, total: int) -> None:
        if done and not removed:
            removed.append(store.clean_orphans())

    blob = store.store(_source(tmp_path, os.urandom(5000)), progress=progress, chunk_size=1000)
    assert removed == [0]
    assert store.exists(blob.sha256)


def test_leftovers_younger_than_the_cutoff_are_spared(tmp_path: Path, store: BlobStore) -> None:
    import time

    old = store.store(_source(tmp_path, b"viejo sin fila"))
    young = store.store(_source(tmp_path, b"recien copiado"))
    tmp = store.root / blobstore.TMP_DIR
    (tmp / "tmp-viejo.part").write_bytes(b"mitad")
    (tmp / "tmp-nuevo.part").write_bytes(b"mitad")
    past = time.time() - 7200
    for path in (store.path_for(old.sha256), tmp / "tmp-viejo.part"):
        os.utime(path, (past, past))
    removed = store.remove_leftovers([], older_than=time.time() - 3600)
    assert (removed.temporales, removed.blobs) == (1, 1)
    assert not store.exists(old.sha256) and store.exists(young.sha256) and (tmp / "tmp-nuevo.part").exists()


def test_storing_known_content_again_refreshes_its_time(tmp_path: Path, store: BlobStore) -> None:
    """Another process's start-up cleaning must not take a blob being attached again for an old orphan."""
    import time

    blob = store.store(_source(tmp_path, b"mismo contenido"))
    past = time.time() - 7200
    os.utime(store.path_for(blob.sha256), (past, past))
    again = store.store(_source(tmp_path, b"mismo contenido", "copia.pdf"))
    assert again == blob
    assert store.path_for(blob.sha256).stat().st_mtime > time.time() - 60
    assert store.remove_leftovers([], older_than=time.time() - 3600).blobs == 0


def test_clean_orphans_on_missing_root(tmp_path: Path) -> None:
    assert BlobStore(tmp_path / "nada").clean_orphans([]) == 0


def test_delete_is_idempotent(tmp_path: Path, store: BlobStore) -> None:
    blob = store.store(_source(tmp_path, b"borrar"))
    store.delete(blob.sha256)
    store.delete(blob.sha256)
    assert not store.exists(blob.sha256)
    with pytest.raises(FileNotFoundError):
        store.open_path(blob.sha256)


@pytest.mark.parametrize("bad", ["", "abc", "../" + "a" * 61, "g" * 64, "a" * 63, "a" * 65, "a" * 63 + "/"])
def test_invalid_hashes_never_become_paths(store: BlobStore, bad: str) -> None:
    with pytest.raises(ValueError):
        store.path_for(bad)
    with pytest.raises(ValueError):
        store.delete(bad)
    assert not store.exists(bad)


def test_concurrent_stores_of_the_same_content(tmp_path: Path, store: BlobStore) -> None:
    data = os.urandom(200_000)
    sources = [_source(tmp_path, data, f"copia{i}.pdf") for i in range(6)]
    results: list[StoredBlob] = []
    errors: list[BaseException] = []

    def run(path: Path) -> None:
        try:
            results.append(store.store(path, chunk_size=4096))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(p,)) for p in sources]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    assert _files(store.root) == [store.path_for(results[0].sha256)]


def test_memory_stays_flat(tmp_path: Path, store: BlobStore) -> None:
    source = tmp_path / "grande.bin"
    block = os.urandom(1 << 20)
    with source.open("wb") as handle:
        for _ in range(32):
            handle.write(block)
    tracemalloc.start()
    try:
        store.store(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # One 1 MiB buffer, whatever the file size.
    assert peak < 3 * (1 << 20)
