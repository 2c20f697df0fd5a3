"""Content-addressed storage of attached documents: one file per SHA-256, written atomically."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import stat
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

TMP_DIR = "tmp"
TMP_SUFFIX = ".part"
_SHA_RE = re.compile(r"[0-9a-f]{64}")
_SHARD_RE = re.compile(r"[0-9a-f]{2}")
# Blobs are immutable; read-only stops "open the stored copy" from letting an editor save into it.
# Read-only (a blob never changes) and private to the owner of the data folder.
_BLOB_MODE = stat.S_IRUSR


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    relative_path: str


@dataclass(frozen=True)
class Removed:
    temporales: int
    blobs: int

    @property
    def total(self) -> int:
        return self.temporales + self.blobs


class CopyCancelled(Exception):
    """The user cancelled the copy; nothing was stored."""


def _write_all(dest: BinaryIO, data: memoryview) -> None:
    # Unbuffered writes may be partial; a short write must not silently lose bytes.
    while data:
        written = dest.write(data)
        if written is None:
            # Only non-blocking files return None; treat it as "nothing written yet".
            continue
        data = data[written:]


def _fsync_dir(path: Path) -> None:
    """Make a rename durable; Windows cannot open directories, and NTFS journals renames anyway."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        # Some file systems (e.g. network shares) refuse fsync on directories; the data is synced.
        pass
    finally:
        os.close(fd)


def _unlink(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except PermissionError:
        # Windows refuses to delete read-only files; blobs are read-only on purpose.
        os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
        path.unlink(missing_ok=True)


class BlobStore:
    """Stores files under root/ab/<sha256>; the original name is never used on disk."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._tmp_root = self.root / TMP_DIR
        # Temp files being written by this store right now, so clean_orphans leaves them alone.
        self._in_flight: set[Path] = set()
        self._lock = threading.Lock()

    # -- paths -----------------------------------------------------------------------------

    @staticmethod
    def _checked_sha(sha: str) -> str:
        # The hash comes from the database; validating it keeps it from becoming a path trick.
        normalized = sha.lower() if isinstance(sha, str) else ""
        if not _SHA_RE.fullmatch(normalized):
            raise ValueError(f"Hash SHA-256 no válido: {sha!r}")
        return normalized

    @staticmethod
    def relative_path_for(sha: str) -> str:
        sha = BlobStore._checked_sha(sha)
        # Forward slashes on every OS: this string is stored in the database.
        return f"{sha[:2]}/{sha}"

    def path_for(self, sha: str) -> Path:
        sha = self._checked_sha(sha)
        return self.root / sha[:2] / sha

    def exists(self, sha: str) -> bool:
        try:
            return self.path_for(sha).is_file()
        except ValueError:
            return False

    def open_path(self, sha: str) -> Path:
        """The stored copy to open with the system viewer; FileNotFoundError if it is gone."""
        path = self.path_for(sha)
        if not path.is_file():
            raise FileNotFoundError(path)
        return path

    def delete(self, sha: str) -> None:
        """Remove a blob; the caller has checked that nothing references it. Missing is fine."""
        _unlink(self.path_for(sha))

    # -- storing ---------------------------------------------------------------------------

    def _new_temp(self) -> tuple[Path, int]:
        self._tmp_root.mkdir(mode=0o700, parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        while True:
            path = self._tmp_root / f"tmp-{secrets.token_hex(12)}{TMP_SUFFIX}"
            try:
                return path, os.open(path, flags, 0o600)
            except FileExistsError:
                continue

    def store(
        self,
        source: Path,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        chunk_size: int = 1 << 20,
    ) -> StoredBlob:
        """Copy and hash source in one pass, then move it into place atomically.

        progress(done, total) is called after each chunk and once at the end with done == total;
        cancelled() is checked before each chunk. On cancel (CopyCancelled) or any error the
        temporary file is removed and the exception propagates; nothing partial is ever visible.
        """
        if chunk_size <= 0:
            raise ValueError("chunk_size debe ser positivo")
        digest = hashlib.sha256()
        buffer = bytearray(chunk_size)
        view = memoryview(buffer)
        done = 0
        tmp_path: Path | None = None
        registered: Path | None = None
        try:
            with open(source, "rb", buffering=0) as src:
                total = os.fstat(src.fileno()).st_size
                tmp_path, fd = self._new_temp()
                registered = tmp_path
                with self._lock:
                    self._in_flight.add(registered)
                with open(fd, "wb", buffering=0) as dest:
                    if progress is not None:
                        progress(0, total)
                    while True:
                        if cancelled is not None and cancelled():
                            raise CopyCancelled()
                        count = src.readinto(view)
                        if not count:
                            break
                        chunk = view[:count]
                        digest.update(chunk)
                        _write_all(dest, chunk)
                        done += count
                        if progress is not None and done < total:
                            progress(done, total)
                    dest.flush()
                    os.fsync(dest.fileno())
            # Files that grew or shrank while being copied: what was copied is what counts.
            if progress is not None:
                progress(done, done)
            sha = digest.hexdigest()
            final = self.path_for(sha)
            final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            try:
                existing_size: int | None = final.stat().st_size
            except FileNotFoundError:
                existing_size = None
            if existing_size == done:
                # Same content attached before: keep the stored copy, drop the new one. Its time is
                # refreshed so that a start-up cleaning in another process, which spares recent files,
                # does not take it for an old unreferenced blob before this copy's row is written.
                _unlink(tmp_path)
                with contextlib.suppress(OSError):
                    os.utime(final)
            else:
                os.chmod(tmp_path, _BLOB_MODE)
                if existing_size is not None:
                    # A blob with the right name but wrong size is damaged; replace it.
                    os.chmod(final, stat.S_IWRITE | stat.S_IREAD)
                os.replace(tmp_path, final)
                _fsync_dir(final.parent)
            tmp_path = None
            return StoredBlob(sha256=sha, size=done, relative_path=self.relative_path_for(sha))
        except BaseException:
            if tmp_path is not None:
                with contextlib.suppress(OSError):
                    _unlink(tmp_path)
            raise
        finally:
            if registered is not None:
                with self._lock:
                    self._in_flight.discard(registered)

    # -- housekeeping ----------------------------------------------------------------------

    def _blob_files(self) -> Iterable[tuple[str, Path]]:
        if not self.root.is_dir():
            return
        for shard in self.root.iterdir():
            if not (_SHARD_RE.fullmatch(shard.name) and shard.is_dir()):
                continue
            for blob in shard.iterdir():
                # Only well-formed blob names: anything else here is not ours to delete.
                if _SHA_RE.fullmatch(blob.name) and blob.name[:2] == shard.name and blob.is_file():
                    yield blob.name, blob

    def clean_orphans(self, referenced: Iterable[str] | None = None, *, older_than: float | None = None) -> int:
        """Remove temp files left by a crash and, given the referenced hashes, unreferenced blobs.

        With older_than (a POSIX time), only files last modified before it are removed, so a copy
        still running in another process on a shared folder is spared. Returns how many went.
        """
        return self.remove_leftovers(referenced, older_than=older_than).total

    def remove_leftovers(self, referenced: Iterable[str] | None = None, *,
                         older_than: float | None = None) -> Removed:
        def stale(path: Path) -> bool:
            if older_than is None:
                return True
            try:
                return path.lstat().st_mtime < older_than
            except FileNotFoundError:
                return False

        temporales = blobs = 0
        if self._tmp_root.is_dir():
            with self._lock:
                busy = set(self._in_flight)
            for path in self._tmp_root.iterdir():
                if path.name.endswith(TMP_SUFFIX) and path.is_file() and path not in busy and stale(path):
                    with contextlib.suppress(FileNotFoundError):
                        _unlink(path)
                        temporales += 1
        if referenced is not None:
            keep = {sha.lower() for sha in referenced}
            for sha, path in list(self._blob_files()):
                if sha not in keep and stale(path):
                    with contextlib.suppress(FileNotFoundError):
                        _unlink(path)
                        blobs += 1
        return Removed(temporales, blobs)
