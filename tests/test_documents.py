"""DocumentService on SQLite and PostgreSQL: attach, replace, dedupe, delete, refuse, cancel, who may, clean up."""

from __future__ import annotations

import errno
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from secop_desktop.core.access import audit
from secop_desktop.core.documents.blobstore import TMP_DIR, TMP_SUFFIX
from secop_desktop.core.documents.service import (
    MAX_SIZE_SETTING,
    CopyCancelled,
    DocumentRefused,
    DocumentService,
    slots,
)
from secop_desktop.core.identity import STARTUP, SignedIn, System
from secop_desktop.core.services import Services
from secop_desktop.errors import PermissionDenied, ServiceError
from secop_desktop.store.models import Document, Membership, Setting, User
from secop_desktop.vocab import EstadoUsuario
from tests.conftest import active_user, as_actor
from tests.factories import company_form
from tests.samples import WINDOWS_PE

PDF = b"%PDF-1.7\n" + b"contenido del documento " * 200


def write(path: Path, content: bytes = PDF) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def stored_files(sv: Services) -> list[Path]:
    root = sv.data_dir / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rows(sv: Services) -> list[Document]:
    with sv.db.session() as s:
        return list(s.scalars(select(Document).order_by(Document.id)))


def age(path: Path, seconds: float = 2 * 3600) -> Path:
    """Makes path look as if nobody had touched it for a while (older than the cleaning's grace)."""
    past = time.time() - seconds
    os.utime(path, (past, past))
    return path


@dataclass(frozen=True)
class Owner:
    actor: SignedIn
    entity_id: int


@pytest.fixture
def docs(services: Services) -> DocumentService:
    return DocumentService(services)


@pytest.fixture
def owner(services: Services) -> Owner:
    """An Entidad and its administrator, as the registration leaves them."""
    user = active_user(services)
    entity = services.entities.create(as_actor(services, user), company_form()).id
    return Owner(as_actor(services, user), entity)


def test_slots_follow_the_guide() -> None:
    company = slots(persona_natural=False, obligado_contabilidad=True)
    assert [s.tipo for s in company] == [
        "rup", "capacidad_financiera", "experiencia", "estados_financieros", "existencia_representacion"]
    assert [s.obligatorio for s in company] == [False, True, True, True, True]
    assert company[0].titulo == "RUP"
    assert company[1].titulo.startswith("Certificado con los indicadores de capacidad financiera y organizacional.")
    assert company[2].titulo.startswith("La lista de contratos que acrediten su experiencia")
    assert company[3].titulo.startswith("Estados financieros auditados a 31 de diciembre del año anterior")
    assert company[4].titulo.endswith("Identificación de las personas naturales.")
    # A persona natural obliged to keep accounts attaches the same documents as a company.
    assert slots(persona_natural=True, obligado_contabilidad=True) == company
    natural = slots(persona_natural=True, obligado_contabilidad=False)
    assert [s.tipo for s in natural] == ["rup", "constancia_no_obligado", "experiencia", "existencia_representacion"]
    assert "no obligada a llevar contabilidad" in natural[1].titulo
    assert "estados financieros e indicadores de capacidad financiera y organizacional" in natural[1].titulo


def test_attach_copies_hashes_and_records(services: Services, docs: DocumentService, owner: Owner,
                                          tmp_path: Path) -> None:
    source = write(tmp_path / "in" / "CERTIFICADO DE EXPERIENCIA.pdf")
    seen: list[tuple[int, int]] = []
    info = docs.attach(owner.actor, "experiencia", source, entity_id=owner.entity_id,
                       progress=lambda done, total: seen.append((done, total)))
    assert info.tipo == "experiencia"
    assert info.nombre_original == "CERTIFICADO DE EXPERIENCIA.pdf"
    assert info.tamano == len(PDF)
    assert info.sha256 == hashlib.sha256(PDF).hexdigest()
    assert info.anexado_en == services.clock()
    # Stored under a generated, content-addressed name; the original name is only data.
    assert info.path == services.data_dir / "documents" / info.sha256[:2] / info.sha256
    assert info.path.read_bytes() == PDF
    assert seen[-1] == (len(PDF), len(PDF))
    [row] = rows(services)
    assert (row.draft_id, row.entity_id, row.anexado_por_id, row.ruta) == (
        None, owner.entity_id, owner.actor.user_id, f"{info.sha256[:2]}/{info.sha256}")
    assert docs.list(owner.actor, owner.entity_id) == [info]
    with services.db.session() as s:
        [entry] = audit.entries(s, accion="documento_anexado")
        assert (entry.actor, entry.objeto_id, entry.despues["tipo"]) == ("victor_2018", info.id, "experiencia")
        assert entry.entity_id == owner.entity_id


def test_attaching_to_a_filled_slot_replaces_it(services: Services, docs: DocumentService, owner: Owner,
                                                tmp_path: Path) -> None:
    first = docs.attach(owner.actor, "experiencia", write(tmp_path / "v1.pdf", PDF + b"1"),
                        entity_id=owner.entity_id)
    second = docs.attach(owner.actor, "experiencia", write(tmp_path / "v2.pdf", PDF + b"2"),
                         entity_id=owner.entity_id)
    assert [d.nombre_original for d in docs.list(owner.actor, owner.entity_id)] == ["v2.pdf"]
    assert not first.path.exists()  # the replaced copy was used by nobody else
    assert stored_files(services) == [second.path]
    with services.db.session() as s:
        [entry] = audit.entries(s, accion="documento_reemplazado")
        assert (entry.antes["nombre_original"], entry.despues["nombre_original"]) == ("v1.pdf", "v2.pdf")


def test_replacing_keeps_a_copy_still_used_elsewhere(services: Services, docs: DocumentService, owner: Owner,
                                                     tmp_path: Path) -> None:
    shared = write(tmp_path / "mismo.pdf")
    docs.attach(owner.actor, "experiencia", shared, entity_id=owner.entity_id)
    kept = docs.attach(owner.actor, "rup", shared, entity_id=owner.entity_id)
    docs.attach(owner.actor, "experiencia", write(tmp_path / "otro.pdf", PDF + b"otro"),
                entity_id=owner.entity_id)
    assert kept.path.read_bytes() == PDF


def test_same_file_twice_is_stored_once(services: Services, docs: DocumentService, owner: Owner,
                                        tmp_path: Path) -> None:
    source = write(tmp_path / "constancia.pdf")
    a = docs.attach(owner.actor, "capacidad_financiera", source, entity_id=owner.entity_id)
    b = docs.attach(owner.actor, "estados_financieros", write(tmp_path / "copia" / "otra.pdf"), entity_id=owner.entity_id)
    assert a.sha256 == b.sha256 and a.id != b.id
    assert stored_files(services) == [a.path]
    assert len(rows(services)) == 2


def test_delete_removes_the_row_and_the_file_only_when_unreferenced(
    services: Services, docs: DocumentService, owner: Owner, tmp_path: Path
) -> None:
    source = write(tmp_path / "doc.pdf")
    a = docs.attach(owner.actor, "capacidad_financiera", source, entity_id=owner.entity_id)
    b = docs.attach(owner.actor, "estados_financieros", source, entity_id=owner.entity_id)
    docs.delete(owner.actor, a.id)
    assert [d.id for d in docs.list(owner.actor, owner.entity_id)] == [b.id]
    assert b.path.read_bytes() == PDF  # b still needs it
    docs.delete(owner.actor, b.id)
    assert docs.list(owner.actor, owner.entity_id) == []
    assert stored_files(services) == []
    with services.db.session() as s:
        assert len(audit.entries(s, accion="documento_borrado")) == 2
    with pytest.raises(ServiceError, match="ya no existe"):
        docs.delete(owner.actor, b.id)


HOSTILE = [
    ("programa.exe", PDF, "executable_name"),
    ("factura.pdf.EXE", PDF, "executable_name"),
    ("fdp\u202eexe.pdf", PDF, "hidden_extension"),
    ("informe.pdf", WINDOWS_PE, "executable_content"),
    ("foto.jpg", b"\x7fELF\x02\x01\x01" + b"\x00" * 300, "executable_content"),
    ("notas.txt", b"#!/bin/sh\necho hola\n", "executable_content"),
    ("vacio.pdf", b"", "empty_file"),
]


@pytest.mark.parametrize(("name", "content", "code"), HOSTILE, ids=[h[2] + ":" + h[0] for h in HOSTILE])
def test_refusal_stores_nothing(services: Services, docs: DocumentService, owner: Owner, tmp_path: Path,
                                name: str, content: bytes, code: str) -> None:
    progress: list[int] = []
    with pytest.raises(DocumentRefused) as refused:
        docs.attach(owner.actor, "experiencia", write(tmp_path / name, content), entity_id=owner.entity_id,
                    progress=lambda done, total: progress.append(done))
    assert refused.value.code == code
    assert refused.value.message.startswith(("No se puede anexar", "El archivo"))
    assert progress == []  # refused before a single byte was copied
    assert rows(services) == []
    assert stored_files(services) == []


def test_size_limit_is_configurable(services: Services, owner: Owner, tmp_path: Path) -> None:
    with services.db.session() as s:
        s.add(Setting(clave=MAX_SIZE_SETTING, valor="1024"))
    docs = DocumentService(services)
    assert docs.max_size == 1024
    with pytest.raises(DocumentRefused, match=r"supera el tamaño máximo permitido \(1 KiB\)"):
        docs.attach(owner.actor, "experiencia", write(tmp_path / "grande.pdf", PDF[:1025].ljust(1025, b"x")),
                    entity_id=owner.entity_id)
    assert rows(services) == [] and stored_files(services) == []
    assert DocumentService(services, max_size=5000).attach(
        owner.actor, "experiencia", tmp_path / "grande.pdf", entity_id=owner.entity_id).tamano == 1025


def test_cancel_leaves_nothing(services: Services, owner: Owner, tmp_path: Path) -> None:
    docs = DocumentService(services, chunk_size=4096)
    source = write(tmp_path / "grande.pdf", PDF + bytes(range(256)) * 4096)
    calls: list[int] = []
    with pytest.raises(CopyCancelled):
        docs.attach(owner.actor, "experiencia", source, entity_id=owner.entity_id,
                    progress=lambda done, total: calls.append(done), cancelled=lambda: len(calls) >= 3)
    assert 0 < max(calls) < source.stat().st_size
    assert rows(services) == []
    assert stored_files(services) == []


def test_disk_full_is_a_spanish_message_and_leaves_nothing(
    services: Services, docs: DocumentService, owner: Owner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = docs.store.store.__func__  # type: ignore[attr-defined]

    def full_disk(self, source, **kwargs):  # type: ignore[no-untyped-def]
        def fail(done: int, total: int) -> None:
            if done:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, source, progress=fail, cancelled=None, chunk_size=1024)

    monkeypatch.setattr(type(docs.store), "store", full_disk)
    with pytest.raises(ServiceError, match="no hay espacio suficiente en el disco"):
        docs.attach(owner.actor, "experiencia", write(tmp_path / "doc.pdf"), entity_id=owner.entity_id)
    assert rows(services) == [] and stored_files(services) == []


def test_access_withdrawn_during_the_copy_leaves_no_copy(services: Services, docs: DocumentService, owner: Owner,
                                                         tmp_path: Path) -> None:
    def withdraw(done: int, total: int) -> None:
        if done:
            with services.db.session() as s:
                m = s.scalars(select(Membership).where(Membership.entity_id == owner.entity_id)).one()
                m.activo = False

    with pytest.raises(PermissionDenied):
        docs.attach(owner.actor, "experiencia", write(tmp_path / "doc.pdf"), entity_id=owner.entity_id,
                    progress=withdraw)
    assert rows(services) == [] and stored_files(services) == []
    with pytest.raises(ServiceError, match="Tipo de documento desconocido"):
        docs.attach(owner.actor, "foto", tmp_path / "doc.pdf", entity_id=owner.entity_id)


def test_who_may_read_and_change_the_biblioteca(services: Services, docs: DocumentService, owner: Owner,
                                                tmp_path: Path) -> None:
    doc = docs.attach(owner.actor, "rup", write(tmp_path / "RUP.pdf"), entity_id=owner.entity_id)
    proveedor_id = active_user(services, "leonardo.neira", correo="leonardo@example.com")
    services.entities.request_access(as_actor(services, proveedor_id), owner.entity_id)
    proveedor = as_actor(services, proveedor_id)
    # Pendiente: not yet a member.
    with pytest.raises(PermissionDenied, match="no tiene acceso"):
        docs.list(proveedor, owner.entity_id)
    with services.db.session() as s:
        m = s.scalars(select(Membership).where(Membership.user_id == proveedor_id)).one()
        m.acceso = "Aceptado"
    # An accepted proveedor sees the documents but neither attaches nor deletes.
    assert [d.id for d in docs.list(proveedor, owner.entity_id)] == [doc.id]
    assert [s.tipo for s in docs.missing_mandatory(proveedor, owner.entity_id)] == [
        "capacidad_financiera", "experiencia", "estados_financieros", "existencia_representacion"]
    with pytest.raises(PermissionDenied, match="Solo un administrador"):
        docs.attach(proveedor, "experiencia", write(tmp_path / "exp.pdf", PDF + b"e"), entity_id=owner.entity_id)
    with pytest.raises(PermissionDenied, match="Solo un administrador"):
        docs.delete(proveedor, doc.id)
    # A user of another Entidad, the application itself and a blocked administrator are all refused.
    stranger_id = active_user(services, "otra.persona", correo="otra@example.com")
    services.entities.create(as_actor(services, stranger_id), company_form(nit="900373913", nombre="Otra empresa"))
    for actor in (as_actor(services, stranger_id), STARTUP, System("prueba")):
        with pytest.raises(PermissionDenied):
            docs.list(actor, owner.entity_id)
        with pytest.raises(PermissionDenied):
            docs.attach(actor, "experiencia", tmp_path / "exp.pdf", entity_id=owner.entity_id)
        with pytest.raises(PermissionDenied):
            docs.delete(actor, doc.id)
    with services.db.session() as s:
        s.get_one(User, owner.actor.user_id).estado = EstadoUsuario.BLOQUEADO.value
    with pytest.raises(PermissionDenied, match="no está activo"):
        docs.delete(owner.actor, doc.id)
    with pytest.raises(PermissionDenied, match="no está activo"):
        docs.list(owner.actor, owner.entity_id)
    assert [r.id for r in rows(services)] == [doc.id] and stored_files(services) == [doc.path]


def test_missing_mandatory(services: Services, docs: DocumentService, owner: Owner, tmp_path: Path) -> None:
    actor, entity = owner.actor, owner.entity_id
    assert [s.tipo for s in docs.missing_mandatory(actor, entity)] == [
        "capacidad_financiera", "experiencia", "estados_financieros", "existencia_representacion"]
    docs.attach(actor, "rup", write(tmp_path / "RUP.pdf", PDF + b"rup"), entity_id=entity)
    assert len(docs.missing_mandatory(actor, entity)) == 4  # RUP is optional
    for tipo in ("constancia_no_obligado", "experiencia", "existencia_representacion"):
        docs.attach(actor, tipo, write(tmp_path / f"{tipo}.pdf", PDF + tipo.encode()), entity_id=entity)
    assert docs.missing_mandatory(actor, entity, persona_natural=True, obligado_contabilidad=False) == []
    assert [s.tipo for s in docs.missing_mandatory(actor, entity)] == ["capacidad_financiera", "estados_financieros"]


def test_clean_leftovers(services: Services, docs: DocumentService, owner: Owner, tmp_path: Path) -> None:
    kept = docs.attach(owner.actor, "experiencia", write(tmp_path / "kept.pdf"), entity_id=owner.entity_id)
    age(kept.path)
    root = services.data_dir / "documents"
    # A row of a registration an older version never finished (documents then could belong to a draft).
    legacy = write(tmp_path / "legacy.pdf", PDF + b"legacy")
    legacy_blob = docs.store.store(legacy)
    with services.db.session() as s:
        s.add(Document(entity_id=None, draft_id=None, tipo="rup", nombre_original="legacy.pdf",
                       sha256=legacy_blob.sha256, tamano=legacy_blob.size, ruta=legacy_blob.relative_path,
                       anexado_en=services.clock()))
    age(docs.store.path_for(legacy_blob.sha256))
    crash_leftover = age(write(root / TMP_DIR / f"tmp-deadbeef{TMP_SUFFIX}", b"medio archivo"))
    fresh_part = write(root / TMP_DIR / f"tmp-fresh{TMP_SUFFIX}", b"otra copia en curso")
    stray_sha = hashlib.sha256(b"nadie").hexdigest()
    stray = age(write(root / stray_sha[:2] / stray_sha, b"nadie"))
    fresh_sha = hashlib.sha256(b"recien copiado").hexdigest()
    fresh_blob = write(root / fresh_sha[:2] / fresh_sha, b"recien copiado")
    not_ours = age(write(root / "LEAME.txt", b"no es un blob"))
    staging = services.data_dir / "importando"
    old_import = write(staging / "paquete-viejo" / ("a" * 64), b"a medias")
    age(old_import)
    age(old_import.parent)
    running_import = write(staging / "paquete-en-curso" / ("b" * 64), b"copiando")
    age(running_import.parent)  # the folder is old, but its file is being written right now
    other = age(write(staging / "otra-cosa" / "x", b"no es nuestro"))

    with pytest.raises(PermissionDenied):
        docs.clean_leftovers(owner.actor)
    removed = docs.clean_leftovers(STARTUP)
    assert (removed.filas, removed.documentos, removed.temporales, removed.carpetas) == (1, 2, 1, 1)
    assert not crash_leftover.exists() and not stray.exists() and not old_import.parent.exists()
    assert not docs.store.path_for(legacy_blob.sha256).exists()
    # What another process may still be writing is left for the next start.
    assert fresh_part.exists() and fresh_blob.exists() and running_import.exists()
    assert kept.path.read_bytes() == PDF and not_ours.exists() and other.exists()
    assert [r.id for r in rows(services)] == [kept.id]
    assert docs.clean_leftovers(STARTUP).total == 0
