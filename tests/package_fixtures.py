"""Registrations with documents, and hand-built (tampered) .secop packages, for the package, CLI and GUI tests."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from secop_desktop.core.identity import SignedIn
from secop_desktop.core.packages.format import DOC_PREFIX, FORMAT_NAME, FORMAT_VERSION, MANIFEST, REGISTRO, ExportResult
from secop_desktop.core.services import Services
from secop_desktop.core.training import sample_pdf
from secop_desktop.store.models import AreaInteres, Base, Membership
from tests.conftest import active_user, as_actor
from tests.factories import company_form

DOCUMENT_NAMES = {
    "rup": "RUP.pdf",
    "capacidad_financiera": "INDICADORES DE CAPACIDAD FINANCIERA Y ORGANIZACIONAL.pdf",
    "experiencia": "CERTIFICADO DE EXPERIENCIA.pdf",
    "estados_financieros": "ESTADOS FINANCIEROS A 31 DE DICIEMBRE.pdf",
    "existencia_representacion": "EXISTENCIA Y REPRESENTACIÓN LEGAL.pdf",
}


def seed_registration(services: Services, folder: Path, *, nit: str = "800111202",
                      admin: str = "victor_2018", proveedor: str | None = "leonardo.neira",
                      big: bytes | None = None) -> int:
    """A company with an administrator, a Pendiente proveedor, financial rows, áreas and every document."""
    admin_id = active_user(services, admin)
    entity = services.entities.create(as_actor(services, admin_id), company_form(nit=nit))
    if proveedor:
        pid = active_user(services, proveedor, nombre="Leonardo Neira", correo=f"{proveedor}@example.com")
        services.entities.request_access(as_actor(services, pid), entity.id)
    admin_actor = as_actor(services, admin_id)
    folder.mkdir(parents=True, exist_ok=True)
    for tipo, name in DOCUMENT_NAMES.items():
        path = folder / name
        content = big if (big is not None and tipo == "experiencia") else sample_pdf(name, [f"NIT {nit}", tipo])
        path.write_bytes(content)
        services.documents.attach(admin_actor, tipo, path, entity_id=entity.id)
    with services.db.session() as s:
        s.add(AreaInteres(entity_id=entity.id, codigo="72141000", nombre="Construcción de infraestructura"))
    return entity.id


def admin_of(services: Services, entity_id: int) -> SignedIn:
    """The first administrator of the Entidad, signed in."""
    with services.db.session() as s:
        user_id = s.scalars(select(Membership.user_id).where(Membership.entity_id == entity_id,
                                                             Membership.es_administrador.is_(True))
                            .order_by(Membership.id)).first()
    assert user_id is not None
    return as_actor(services, user_id)


def export(services: Services, entity_id: int, dest: Path, **kwargs: Any) -> ExportResult:
    """Exportar registro as the Entidad's administrator."""
    return services.packages.export(admin_of(services, entity_id), entity_id, dest, **kwargs)


def counts(services: Services) -> dict[str, int]:
    with services.db.session() as s:
        return {t.name: s.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


def blob_files(services: Services) -> list[Path]:
    root = services.data_dir / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def raw_registro(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(REGISTRO)


def read_package(path: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(MANIFEST))
        registro = json.loads(zf.read(REGISTRO))
        docs = {n[len(DOC_PREFIX):]: zf.read(n) for n in zf.namelist() if n.startswith(DOC_PREFIX)}
    return manifest, registro, docs


def build_package(path: Path, registro: dict[str, Any] | bytes, documents: dict[str, bytes], *,
                  manifest: dict[str, Any] | None = None, extra: Iterable[tuple[str, bytes]] = (),
                  list_extra: bool = True, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A package whose manifest is consistent with what is written (unless manifest is given)."""
    body = registro if isinstance(registro, bytes) else json.dumps(registro, ensure_ascii=False).encode("utf-8")
    entries: list[tuple[str, bytes]] = [(REGISTRO, body)]
    entries += [(DOC_PREFIX + sha, data) for sha, data in documents.items()]
    extra = list(extra)
    listed = entries + (extra if list_extra else [])
    if manifest is None:
        manifest = {
            "formato": FORMAT_NAME, "version_formato": FORMAT_VERSION, "creado_en": "2017-01-23T20:41:30+00:00",
            "version_app": "0.1.0",
            "partes": {name: {"sha256": hashlib.sha256(data).hexdigest(), "tamano": len(data)}
                       for name, data in listed},
        }
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in entries + extra:
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
        zf.writestr(MANIFEST, json.dumps(manifest))
    return path


def with_document(registro: dict[str, Any], content: bytes, name: str, tipo: str = "rup") -> tuple[dict, str]:
    """registro with its 'tipo' document replaced by content named name; returns it and the new SHA-256."""
    sha = hashlib.sha256(content).hexdigest()
    new = json.loads(json.dumps(registro))
    new["documentos"] = [d for d in new["documentos"] if d["tipo"] != tipo]
    new["documentos"].append({"tipo": tipo, "nombre_original": name, "sha256": sha, "tamano": len(content),
                              "anexado_por": None, "anexado_en": "2017-01-23T20:41:30+00:00"})
    return new, sha
