"""Reading an untrusted zip safely: only regular files, the entry count read from the end-of-central-
directory record before zipfile parses anything, entry names, sizes, ratios (zip bombs), streaming reads."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from secop_desktop.core.documents.file_policy import HEAD_SIZE
from secop_desktop.core.packages.format import (
    DOC_NAME_RE,
    MANIFEST,
    REGISTRO,
    Cancelled,
    Limits,
    PackageError,
    check_cancel,
    refuse,
)

_CHUNK = 1 << 20
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_LOCATOR_SIZE = 20
_ZIP64_EOCD = b"PK\x06\x06"
_ZIP64_EOCD_SIZE = 56
_MAX_COMMENT = 0xFFFF


def open_regular(path: Path) -> IO[bytes]:
    """Opens path for reading only if it is a regular file; a FIFO or device would block or never end."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise PackageError("El archivo del paquete no existe.") from None
    except (OSError, ValueError):
        raise refuse("no se pudo leer el archivo.") from None
    if not stat.S_ISREG(info.st_mode):
        raise refuse("no es un archivo (es una carpeta, una tubería o un dispositivo).")
    # O_NONBLOCK: if the path was swapped for a FIFO after the check, opening still does not block.
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise PackageError("El archivo del paquete no existe.") from None
    except OSError:
        raise refuse("no se pudo leer el archivo.") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise refuse("no es un archivo (es una carpeta, una tubería o un dispositivo).")
    if hasattr(os, "set_blocking"):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def directory_size(handle: IO[bytes]) -> tuple[int, int]:
    """Entry count and central directory size from the end records, the way zipfile finds them."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    if size < _EOCD_SIZE:
        raise refuse("no es un paquete de registro (.secop) válido.")
    tail_size = min(size, _EOCD_SIZE + _MAX_COMMENT)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    # zipfile looks at the last 22 bytes first (no comment), then for the last signature in the tail.
    at = tail_size - _EOCD_SIZE if tail[-_EOCD_SIZE:-_EOCD_SIZE + 4] == _EOCD else tail.rfind(_EOCD)
    if at < 0 or len(tail) - at < _EOCD_SIZE:
        raise refuse("no es un paquete de registro (.secop) válido.")
    _, disk, cd_disk, _, entries, cd_size, _, _ = struct.unpack("<4s4H2LH", tail[at:at + _EOCD_SIZE])
    if disk or cd_disk:
        raise refuse("los paquetes divididos en varias partes no se admiten.")
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        locator_at = size - tail_size + at - _ZIP64_LOCATOR_SIZE
        if locator_at < 0:
            raise refuse("el archivo está dañado o no es un paquete válido.")
        handle.seek(locator_at)
        locator = handle.read(_ZIP64_LOCATOR_SIZE)
        if locator[:4] != _ZIP64_LOCATOR:
            raise refuse("el archivo está dañado o no es un paquete válido.")
        record_at = locator_at - _ZIP64_EOCD_SIZE
        if record_at < 0:
            raise refuse("el archivo está dañado o no es un paquete válido.")
        handle.seek(record_at)
        record = handle.read(_ZIP64_EOCD_SIZE)
        if record[:4] != _ZIP64_EOCD:
            raise refuse("el archivo está dañado o no es un paquete válido.")
        entries, cd_size = struct.unpack("<QQ", record[32:48])
    handle.seek(0)
    return entries, cd_size


def check_directory(handle: IO[bytes], limits: Limits) -> None:
    """Refuses a package with too many entries before zipfile reads (and allocates) its directory."""
    entries, cd_size = directory_size(handle)
    if entries > limits.max_entries:
        raise refuse(f"contiene {entries} archivos y el máximo es {limits.max_entries}.")
    if cd_size > limits.max_entries * limits.max_directory_per_entry:
        raise refuse("su índice de archivos es demasiado grande.")


def check_entry_name(name: str) -> str | None:
    """Why a zip entry name is not acceptable, or None (the names export writes and nothing else)."""
    if "\x00" in name:
        return "un nombre de archivo dentro del paquete contiene caracteres no válidos."
    if "\\" in name:
        return f"el nombre «{name}» dentro del paquete usa barras invertidas."
    if name.startswith("/") or _DRIVE_RE.match(name):
        return f"el nombre «{name}» dentro del paquete es una ruta absoluta."
    if any(part in ("", ".", "..") for part in name.split("/")):
        return f"el nombre «{name}» dentro del paquete sale de su carpeta («..») o está vacío."
    if name in (MANIFEST, REGISTRO) or DOC_NAME_RE.fullmatch(name):
        return None
    return f"el paquete contiene un archivo no esperado («{name}»)."


def check_entries(zf: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise refuse(f"contiene {len(infos)} archivos y el máximo es {limits.max_entries}.")
    entries: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        if info.orig_filename != info.filename:
            # zipfile cuts names at NUL and turns os.sep into "/": the raw name must already be clean.
            raise refuse(check_entry_name(info.orig_filename)
                         or "un nombre de archivo dentro del paquete no es válido.")
        if (reason := check_entry_name(info.filename)) is not None:
            raise refuse(reason)
        if info.filename in entries:
            raise refuse(f"el archivo «{info.filename}» aparece dos veces dentro del paquete.")
        if info.flag_bits & 0x1:
            raise refuse("contiene archivos cifrados.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refuse("usa un método de compresión no admitido.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise refuse("contiene enlaces simbólicos.")
        limit = limits.max_json_size if info.filename in (MANIFEST, REGISTRO) else limits.max_entry_size
        if info.file_size > limit:
            raise refuse(f"el archivo «{info.filename}» es demasiado grande ({info.file_size} bytes).")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise refuse(f"el archivo «{info.filename}» se expande de forma sospechosa (posible bomba zip).")
        total += info.file_size
        if total > limits.max_total_size:
            raise refuse("su contenido descomprimido supera el tamaño máximo permitido.")
        entries[info.filename] = info
    for required in (MANIFEST, REGISTRO):
        if required not in entries:
            raise refuse(f"le falta «{required}».")
    return entries


def stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sink: IO[bytes] | None, cancelled: Cancelled | None,
           on_chunk: Callable[[int], None] | None = None) -> tuple[str, int, bytes]:
    """Reads one entry (never more than its declared size); returns SHA-256, size and the first bytes."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with zf.open(info) as handle:
        while True:
            check_cancel(cancelled)
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > info.file_size:
                raise refuse(f"el archivo «{info.filename}» es más grande de lo declarado.")
            if len(head) < HEAD_SIZE:
                head += chunk[: HEAD_SIZE - len(head)]
            digest.update(chunk)
            if sink is not None:
                sink.write(chunk)
            if on_chunk is not None:
                on_chunk(len(chunk))
    return digest.hexdigest(), size, head


def read_json(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[Any, str, int]:
    data = bytearray()
    with zf.open(info) as handle:
        while chunk := handle.read(_CHUNK):
            data += chunk
            if len(data) > info.file_size:
                raise refuse(f"el archivo «{info.filename}» es más grande de lo declarado.")
    try:
        # ValueError also covers integers with more digits than Python converts.
        parsed = json.loads(bytes(data).decode("utf-8"))
        _check_strings(parsed)
    except (ValueError, RecursionError):
        raise refuse(f"«{info.filename}» no es un JSON válido.") from None
    return parsed, hashlib.sha256(data).hexdigest(), len(data)


def _check_strings(value: object) -> None:
    """JSON escapes can carry NUL and lone surrogates, which no database column stores."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ValueError("NUL")
            item.encode("utf-8")  # UnicodeEncodeError (a ValueError) for a lone surrogate
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
