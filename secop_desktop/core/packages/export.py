"""Exportar registro: one Entidad, its users (never a secret) and its documents into a .secop zip."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from secop_desktop import __version__
from secop_desktop.core.documents.service import DocumentService
from secop_desktop.core.entities.service import form_of
from secop_desktop.core.packages.format import (
    DOC_PREFIX,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    REGISTRO,
    USER_FIELDS,
    VALIDITY_FIELDS,
    Cancelled,
    ExportResult,
    Progress,
    canonical_json,
    check_cancel,
    form_json,
    iso,
    report,
)
from secop_desktop.errors import ServiceError
from secop_desktop.store.database import UnitOfWork
from secop_desktop.store.models import Document, Entity, User
from secop_desktop.store.queries import documents as document_queries
from secop_desktop.store.queries import packages as queries

_CHUNK = 1 << 20
_SAMPLE = 64 << 10


def registration_data(s: UnitOfWork, entity_id: int) -> tuple[dict[str, Any], list[Document]]:
    """registro.json for one entity (never a password or security answer) and its document rows."""
    entity = s.get(Entity, entity_id)
    if entity is None:
        raise ServiceError("La Entidad ya no existe.")
    members = queries.members_with_users(s, entity_id)
    users = {u.id: u for _, u in members}
    docs = document_queries.of_entity(s, entity_id)
    for d in docs:
        if d.anexado_por_id is not None and d.anexado_por_id not in users:
            author = s.get(User, d.anexado_por_id)
            if author is not None:
                users[author.id] = author
    creator = s.get(User, entity.creado_por_id) if entity.creado_por_id is not None else None
    entidad = form_json(form_of(entity))
    entidad["dv"] = entity.dv or ""
    data: dict[str, Any] = {
        "entidad": entidad,
        "creado_en": iso(entity.creado_en),
        "actualizado_en": iso(entity.actualizado_en),
        "creado_por": creator.usuario if creator is not None else None,
        "usuarios": [
            {**{f: getattr(u, f) for f in USER_FIELDS}, "creado_en": iso(u.creado_en)}
            for u in sorted(users.values(), key=lambda u: u.id)
        ],
        "membresias": [
            {
                "usuario": u.usuario,
                "es_administrador": m.es_administrador,
                "es_proveedor": m.es_proveedor,
                "acceso": m.acceso,
                "activo": m.activo,
                "fecha_solicitud": iso(m.fecha_solicitud),
                "fecha_aceptacion": iso(m.fecha_aceptacion),
                "actualizado_en": iso(m.actualizado_en),
            }
            for m, u in members
        ],
        "documentos": [
            {
                "tipo": d.tipo,
                "nombre_original": d.nombre_original,
                "sha256": d.sha256,
                "tamano": d.tamano,
                "anexado_por": users[d.anexado_por_id].usuario if d.anexado_por_id in users else None,
                "anexado_en": iso(d.anexado_en),
                # Only when set: a package without them is what older versions wrote and read.
                **{key: day.isoformat() for key in VALIDITY_FIELDS if (day := getattr(d, key)) is not None},
            }
            for d in docs
        ],
        "areas_interes": [{"codigo": a.codigo, "nombre": a.nombre, "activo": a.activo}
                          for a in queries.areas_of_entity(s, entity_id)],
    }
    return data, docs


def _compressible(sample: bytes) -> bool:
    """Most documents (PDF, JPEG, DOCX) are already compressed; deflating them again only costs time."""
    if not sample:
        return False
    return len(zlib.compress(sample, 1)) < 0.9 * len(sample)


def _set_level(info: zipfile.ZipInfo, level: int) -> None:
    # A ZipInfo given to ZipFile.open("w") does not inherit the archive's level.
    if hasattr(type(info), "compress_level"):  # Python 3.13+
        info.compress_level = level  # type: ignore[attr-defined,unused-ignore]
    else:
        info._compresslevel = level  # type: ignore[attr-defined,unused-ignore]


@contextlib.contextmanager
def _journaled(documents: DocumentService, part: Path) -> Iterator[None]:
    """Notes the .part file in the data folder while it is written, so a start-up after a crash finds it."""
    journal = documents.exports_journal
    journal.mkdir(parents=True, exist_ok=True)
    entry = journal / f"{secrets.token_hex(8)}.ruta"
    entry.write_text(str(part.resolve()), encoding="utf-8")
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            entry.unlink()


def write_package(documents: DocumentService, data: dict[str, Any], docs: list[Document], dest: Path, now: datetime,
                  *, progress: Progress | None = None, cancelled: Cancelled | None = None,
                  compresslevel: int = 6) -> ExportResult:
    """Writes dest atomically (a .part file renamed at the end); a cancel or error leaves nothing."""
    registro = canonical_json(data)
    unique: dict[str, int] = {}
    for d in docs:
        unique.setdefault(d.sha256, d.tamano)
    total = len(registro) + sum(unique.values())
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    stamp = now.astimezone(UTC).timetuple()[:6]
    parts: dict[str, dict[str, Any]] = {}
    done = 0
    with _journaled(documents, part):
        try:
            with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
                report(progress, 0, total)
                zf.writestr(zipfile.ZipInfo(REGISTRO, stamp), registro, compress_type=zipfile.ZIP_DEFLATED)
                parts[REGISTRO] = {"sha256": hashlib.sha256(registro).hexdigest(), "tamano": len(registro)}
                done += len(registro)
                for sha, size in unique.items():
                    check_cancel(cancelled)
                    info = zipfile.ZipInfo(DOC_PREFIX + sha, stamp)
                    info.file_size = size
                    digest = hashlib.sha256()
                    written = 0
                    try:
                        source = open(documents.store.path_for(sha), "rb")  # noqa: SIM115 - closed below
                    except FileNotFoundError:
                        raise ServiceError(f"Falta la copia guardada de un documento (SHA-256 {sha[:12]}…). "
                                           "No se puede exportar el registro.") from None
                    if _compressible(source.read(_SAMPLE)):
                        info.compress_type = zipfile.ZIP_DEFLATED
                        _set_level(info, compresslevel)
                    else:
                        info.compress_type = zipfile.ZIP_STORED
                    source.seek(0)
                    with source, zf.open(info, "w", force_zip64=size > (1 << 31)) as out:
                        while chunk := source.read(_CHUNK):
                            check_cancel(cancelled)
                            digest.update(chunk)
                            out.write(chunk)
                            written += len(chunk)
                            done += len(chunk)
                            report(progress, done, total)
                    if digest.hexdigest() != sha or written != size:
                        raise ServiceError(f"La copia guardada de un documento está dañada (SHA-256 {sha[:12]}…). "
                                           "No se puede exportar el registro.")
                    parts[DOC_PREFIX + sha] = {"sha256": sha, "tamano": size}
                manifest = {
                    "formato": FORMAT_NAME,
                    "version_formato": FORMAT_VERSION,
                    "creado_en": iso(now),
                    "version_app": __version__,
                    "partes": parts,
                }
                zf.writestr(zipfile.ZipInfo(MANIFEST, stamp), canonical_json(manifest),
                            compress_type=zipfile.ZIP_DEFLATED)
            with open(part, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(part, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                part.unlink()
            raise
    report(progress, total, total)
    return ExportResult(dest, dest.stat().st_size, len(docs))
