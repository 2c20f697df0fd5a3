"""DocumentService on SQLite and PostgreSQL: attach, replace, dedupe, delete, refuse, cancel, clean up."""

from __future__ import annotations

import errno
import hashlib
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
from secop_desktop.core.services import Services
from secop_desktop.errors import ServiceError
from secop_desktop.store.models import Document, Setting
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


@pytest.fixture
def docs(services: Services) -> DocumentService:
    return DocumentService(services)


@pytest.fixture
def draft(services: Services) -> int:
    return services.drafts.save("agente", None, "anexar_documentos", {"nombre": "H&H Asociados"})


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


def test_attach_copies_hashes_and_records(services: Services, docs: DocumentService, draft: int,
                                          tmp_path: Path) -> None:
    user = active_user(services)
    source = write(tmp_path / "in" / "CERTIFICADO DE EXPERIENCIA.pdf")
    seen: list[tuple[int, int]] = []
    info = docs.attach("experiencia", source, draft_id=draft, user_id=user,
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
        draft, None, user, f"{info.sha256[:2]}/{info.sha256}")
    assert docs.list(draft_id=draft) == [info]
    with services.db.session() as s:
        [entry] = audit.entries(s, accion="documento_anexado")
        assert (entry.actor, entry.objeto_id, entry.despues["tipo"]) == ("victor_2018", info.id, "experiencia")


def test_attach_to_an_entity(services: Services, docs: DocumentService, tmp_path: Path) -> None:
    user = active_user(services)
    entity = services.entities.create(as_actor(services, user), company_form()).id
    info = docs.attach("rup", write(tmp_path / "RUP.pdf"), entity_id=entity, user_id=user)
    assert docs.list(entity_id=entity) == [info]
    [row] = rows(services)
    assert (row.entity_id, row.draft_id) == (entity, None)
    with services.db.session() as s:
        assert [e.accion for e in audit.entries(s, entity_id=entity)][0] == "documento_anexado"


def test_attaching_to_a_filled_slot_replaces_it(services: Services, docs: DocumentService, draft: int,
                                                tmp_path: Path) -> None:
    first = docs.attach("experiencia", write(tmp_path / "v1.pdf", PDF + b"1"), draft_id=draft)
    second = docs.attach("experiencia", write(tmp_path / "v2.pdf", PDF + b"2"), draft_id=draft)
    assert [d.nombre_original for d in docs.list(draft_id=draft)] == ["v2.pdf"]
    assert not first.path.exists()  # the replaced copy was used by nobody else
    assert stored_files(services) == [second.path]
    with services.db.session() as s:
        [entry] = audit.entries(s, accion="documento_reemplazado")
        assert (entry.antes["nombre_original"], entry.despues["nombre_original"]) == ("v1.pdf", "v2.pdf")


def test_replacing_keeps_a_copy_still_used_elsewhere(services: Services, docs: DocumentService, draft: int,
                                                     tmp_path: Path) -> None:
    shared = write(tmp_path / "mismo.pdf")
    docs.attach("experiencia", shared, draft_id=draft)
    kept = docs.attach("rup", shared, draft_id=draft)
    docs.attach("experiencia", write(tmp_path / "otro.pdf", PDF + b"otro"), draft_id=draft)
    assert kept.path.read_bytes() == PDF


def test_same_file_twice_is_stored_once(services: Services, docs: DocumentService, draft: int,
                                        tmp_path: Path) -> None:
    source = write(tmp_path / "constancia.pdf")
    a = docs.attach("capacidad_financiera", source, draft_id=draft)
    b = docs.attach("estados_financieros", write(tmp_path / "copia" / "otra.pdf"), draft_id=draft)
    assert a.sha256 == b.sha256 and a.id != b.id
    assert stored_files(services) == [a.path]
    assert len(rows(services)) == 2


def test_delete_removes_the_row_and_the_file_only_when_unreferenced(
    services: Services, docs: DocumentService, draft: int, tmp_path: Path
) -> None:
    source = write(tmp_path / "doc.pdf")
    a = docs.attach("capacidad_financiera", source, draft_id=draft)
    b = docs.attach("estados_financieros", source, draft_id=draft)
    docs.delete(a.id)
    assert [d.id for d in docs.list(draft_id=draft)] == [b.id]
    assert b.path.read_bytes() == PDF  # b still needs it
    docs.delete(b.id)
    assert docs.list(draft_id=draft) == []
    assert stored_files(services) == []
    with services.db.session() as s:
        assert len(audit.entries(s, accion="documento_borrado")) == 2
    with pytest.raises(ServiceError, match="ya no existe"):
        docs.delete(b.id)


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
def test_refusal_stores_nothing(services: Services, docs: DocumentService, draft: int, tmp_path: Path,
                                name: str, content: bytes, code: str) -> None:
    progress: list[int] = []
    with pytest.raises(DocumentRefused) as refused:
        docs.attach("experiencia", write(tmp_path / name, content), draft_id=draft,
                    progress=lambda done, total: progress.append(done))
    assert refused.value.code == code
    assert refused.value.message.startswith(("No se puede anexar", "El archivo"))
    assert progress == []  # refused before a single byte was copied
    assert rows(services) == []
    assert stored_files(services) == []


def test_size_limit_is_configurable(services: Services, draft: int, tmp_path: Path) -> None:
    with services.db.session() as s:
        s.add(Setting(clave=MAX_SIZE_SETTING, valor="1024"))
    docs = DocumentService(services)
    assert docs.max_size == 1024
    with pytest.raises(DocumentRefused, match=r"supera el tamaño máximo permitido \(1 KiB\)"):
        docs.attach("experiencia", write(tmp_path / "grande.pdf", PDF[:1025].ljust(1025, b"x")), draft_id=draft)
    assert rows(services) == [] and stored_files(services) == []
    assert DocumentService(services, max_size=5000).attach(
        "experiencia", tmp_path / "grande.pdf", draft_id=draft).tamano == 1025


def test_cancel_leaves_nothing(services: Services, draft: int, tmp_path: Path) -> None:
    docs = DocumentService(services, chunk_size=4096)
    source = write(tmp_path / "grande.pdf", PDF + bytes(range(256)) * 4096)
    calls: list[int] = []
    with pytest.raises(CopyCancelled):
        docs.attach("experiencia", source, draft_id=draft,
                    progress=lambda done, total: calls.append(done), cancelled=lambda: len(calls) >= 3)
    assert 0 < max(calls) < source.stat().st_size
    assert rows(services) == []
    assert stored_files(services) == []


def test_disk_full_is_a_spanish_message_and_leaves_nothing(
    services: Services, docs: DocumentService, draft: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = docs.store.store.__func__  # type: ignore[attr-defined]

    def full_disk(self, source, **kwargs):  # type: ignore[no-untyped-def]
        def fail(done: int, total: int) -> None:
            if done:
                raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, source, progress=fail, cancelled=None, chunk_size=1024)

    monkeypatch.setattr(type(docs.store), "store", full_disk)
    with pytest.raises(ServiceError, match="no hay espacio suficiente en el disco"):
        docs.attach("experiencia", write(tmp_path / "doc.pdf"), draft_id=draft)
    assert rows(services) == [] and stored_files(services) == []


def test_a_vanished_owner_leaves_no_copy(services: Services, docs: DocumentService, draft: int,
                                         tmp_path: Path) -> None:
    services.drafts.discard("agente", draft)
    with pytest.raises(ServiceError, match="El registro en curso ya no existe"):
        docs.attach("experiencia", write(tmp_path / "doc.pdf"), draft_id=draft)
    assert rows(services) == [] and stored_files(services) == []
    with pytest.raises(ServiceError, match="No hay una entidad ni un registro"):
        docs.attach("experiencia", tmp_path / "doc.pdf")
    with pytest.raises(ServiceError, match="Tipo de documento desconocido"):
        docs.attach("foto", tmp_path / "doc.pdf", draft_id=draft)


def test_reassign_draft_moves_documents_to_the_entity(services: Services, docs: DocumentService, draft: int,
                                                      tmp_path: Path) -> None:
    user = active_user(services)
    entity = services.entities.create(as_actor(services, user), company_form()).id
    old = docs.attach("rup", write(tmp_path / "viejo.pdf", PDF + b"viejo"), entity_id=entity)
    docs.attach("rup", write(tmp_path / "RUP.pdf"), draft_id=draft)
    docs.attach("experiencia", write(tmp_path / "exp.pdf", PDF + b"exp"), draft_id=draft)
    assert docs.reassign_draft(draft, entity, user_id=user) == 2
    assert docs.list(draft_id=draft) == []
    assert sorted(d.nombre_original for d in docs.list(entity_id=entity)) == ["RUP.pdf", "exp.pdf"]
    assert not old.path.exists()  # the draft's RUP replaced the entity's
    assert all(r.draft_id is None and r.entity_id == entity for r in rows(services))


def test_missing_mandatory(services: Services, docs: DocumentService, draft: int, tmp_path: Path) -> None:
    assert [s.tipo for s in docs.missing_mandatory(draft_id=draft)] == [
        "capacidad_financiera", "experiencia", "estados_financieros", "existencia_representacion"]
    docs.attach("rup", write(tmp_path / "RUP.pdf", PDF + b"rup"), draft_id=draft)
    assert len(docs.missing_mandatory(draft_id=draft)) == 4  # RUP is optional
    for tipo in ("constancia_no_obligado", "experiencia", "existencia_representacion"):
        docs.attach(tipo, write(tmp_path / f"{tipo}.pdf", PDF + tipo.encode()), draft_id=draft)
    assert docs.missing_mandatory(draft_id=draft, persona_natural=True, obligado_contabilidad=False) == []
    assert [s.tipo for s in docs.missing_mandatory(draft_id=draft)] == ["capacidad_financiera",
                                                                      "estados_financieros"]


def test_clean_orphans(services: Services, docs: DocumentService, draft: int, tmp_path: Path) -> None:
    kept = docs.attach("experiencia", write(tmp_path / "kept.pdf"), draft_id=draft)
    other_draft = services.drafts.save("agente", None, "anexar_documentos", {})
    abandoned = docs.attach("rup", write(tmp_path / "abandoned.pdf", PDF + b"x"), draft_id=other_draft)
    services.drafts.discard("agente", other_draft)  # its rows lose their draft (ON DELETE SET NULL)
    root = services.data_dir / "documents"
    crash_leftover = write(root / TMP_DIR / f"tmp-deadbeef{TMP_SUFFIX}", b"medio archivo")
    stray_sha = hashlib.sha256(b"nadie").hexdigest()
    stray = write(root / stray_sha[:2] / stray_sha, b"nadie")
    not_ours = write(root / "LEAME.txt", b"no es un blob")
    # The abandoned row, its blob, the temp file and the stray blob.
    assert docs.clean_orphans() == 4
    assert not crash_leftover.exists() and not stray.exists() and not abandoned.path.exists()
    assert kept.path.read_bytes() == PDF and not_ours.exists()
    assert [r.id for r in rows(services)] == [kept.id]
