""".secop registration packages: round trip, every tampering refused with nothing stored, existing NIT, cancel."""

from __future__ import annotations

import hashlib
import json
import random
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from secop_desktop.core.access import audit
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.passwords import verify_secret
from secop_desktop.core.documents.blobstore import CopyCancelled
from secop_desktop.core.documents.service import DocumentService
from secop_desktop.core.entities.service import form_of
from secop_desktop.core.packages import package
from secop_desktop.core.services import Services
from secop_desktop.core.training import sample_pdf
from secop_desktop.store.models import AreaInteres, Document, Entity, Membership, Message, User
from secop_desktop.vocab import Acceso, EstadoUsuario
from tests.conftest import FakeClock, active_user
from tests.factories import company_form
from tests.package_fixtures import (
    blob_files,
    build_package,
    counts,
    raw_registro,
    read_package,
    seed_registration,
    with_document,
)


@pytest.fixture
def source(tmp_path: Path, clock: FakeClock) -> Iterator[Services]:
    sv = Services.open(f"sqlite:///{tmp_path / 'origen.sqlite3'}", tmp_path / "origen", clock=clock)
    yield sv
    sv.close()


@pytest.fixture
def target(tmp_path: Path, clock: FakeClock) -> Iterator[Services]:
    sv = Services.open(f"sqlite:///{tmp_path / 'destino.sqlite3'}", tmp_path / "destino", clock=clock)
    yield sv
    sv.close()


@pytest.fixture
def exported(source: Services, tmp_path: Path) -> tuple[int, Path]:
    entity_id = seed_registration(source, tmp_path / "archivos")
    result = package.export_registration(source, entity_id, tmp_path / "registro.secop")
    return entity_id, result.path


def snapshot(services: Services, entity_id: int) -> dict[str, Any]:
    """Everything of a registration that must survive the trip, read straight from the tables."""
    docs = DocumentService(services)
    with services.db.session() as s:
        e = s.get_one(Entity, entity_id)
        users = {u.id: u.usuario for u in s.scalars(select(User))}
        return {
            "form": form_of(e),
            "dv": e.dv,
            "creado_en": e.creado_en,
            "actualizado_en": e.actualizado_en,
            "creado_por": users.get(e.creado_por_id),
            "usuarios": sorted(
                (u.usuario, u.nombre, u.correo, u.pais, u.nombre_entidad, u.telefono_movil, u.zona_horaria,
                 u.pregunta_seguridad, u.creado_en)
                for u in s.scalars(select(User).join(Membership).where(Membership.entity_id == entity_id))),
            "membresias": sorted(
                (users[m.user_id], m.es_administrador, m.es_proveedor, m.acceso, m.activo, m.fecha_solicitud,
                 m.fecha_aceptacion, m.actualizado_en)
                for m in s.scalars(select(Membership).where(Membership.entity_id == entity_id))),
            "documentos": sorted(
                (d.tipo, d.nombre_original, d.sha256, d.tamano, users.get(d.anexado_por_id), d.anexado_en,
                 docs.store.path_for(d.sha256).read_bytes())
                for d in s.scalars(select(Document).where(Document.entity_id == entity_id))),
            "areas": sorted((a.codigo, a.nombre, a.activo)
                            for a in s.scalars(select(AreaInteres).where(AreaInteres.entity_id == entity_id))),
        }


def assert_nothing_stored(target: Services, before: dict[str, int] | None = None) -> None:
    assert counts(target) == (before or {name: 0 for name in counts(target)})
    assert blob_files(target) == []
    staging = target.data_dir / "importando"
    assert not staging.exists() or list(staging.iterdir()) == []


# --- round trip ----------------------------------------------------------------------------------

def test_round_trip_into_an_empty_store_is_identical(source: Services, services: Services,
                                                     exported: tuple[int, Path]) -> None:
    entity_id, path = exported
    result = package.import_registration(services, path)
    assert result.creada and result.documentos == 5
    assert sorted(result.usuarios_creados) == ["leonardo.neira", "victor_2018"]
    original = snapshot(source, entity_id)
    imported = snapshot(services, result.entity_id)
    assert imported == original
    # Documents byte for byte, and under the same content address.
    assert [p.read_bytes() for p in blob_files(services)] == [p.read_bytes() for p in blob_files(source)]


def test_imported_users_get_no_secret_and_an_activation_message(services: Services,
                                                                 exported: tuple[int, Path]) -> None:
    _, path = exported
    for name in zipfile.ZipFile(path).namelist():
        text = zipfile.ZipFile(path).read(name)
        assert b"argon2" not in text and b"password" not in text and b"respuesta" not in text
    package.import_registration(services, path)
    with services.db.session() as s:
        user = s.scalars(select(User).where(User.usuario == "victor_2018")).one()
        assert user.estado == EstadoUsuario.PENDIENTE.value
        assert not verify_secret(user.password_hash, "Secop2018x")
        message = next(m for m in outbox.inbox(s, user.id) if m.clase == "activacion")
    assert "fue importado" in message.cuerpo and "código de activación" in message.cuerpo
    # The link in the Buzón really activates the account.
    assert services.users.confirm(message.enlace or "").estado == EstadoUsuario.ACTIVO.value


def test_existing_usuario_with_same_email_is_linked_not_duplicated(target: Services,
                                                                   exported: tuple[int, Path]) -> None:
    _, path = exported
    uid = active_user(target, "victor_2018")
    preview = package.preview(target, path)
    assert {u.usuario: u.existe for u in preview.usuarios} == {"victor_2018": True, "leonardo.neira": False}
    result = package.import_registration(target, path)
    assert result.usuarios_vinculados == ("victor_2018",)
    with target.db.session() as s:
        assert len(list(s.scalars(select(User).where(User.usuario == "victor_2018")))) == 1
        m = s.scalars(select(Membership).where(Membership.user_id == uid)).one()
        assert (m.entity_id, m.es_administrador) == (result.entity_id, True)


def test_existing_usuario_with_another_email_is_refused(target: Services, exported: tuple[int, Path]) -> None:
    _, path = exported
    active_user(target, "victor_2018", correo="otra.persona@example.com")
    before = counts(target)
    with pytest.raises(package.PackageError, match="otro correo"):
        package.import_registration(target, path)
    assert counts(target) == before


# --- existing NIT ----------------------------------------------------------------------------------

def test_existing_nit_offers_access_request_instead_of_duplicate(target: Services, tmp_path: Path,
                                                                 exported: tuple[int, Path]) -> None:
    _, path = exported
    admin = active_user(target, "ana.admin", correo="ana@example.com")
    existing = target.entities.create(admin, company_form(nombre="H&H Asociados SAS", nit="800111202"))
    preview = package.preview(target, path)
    assert preview.entidad_existente is not None and preview.entidad_existente.id == existing.id
    before = counts(target)
    with pytest.raises(package.EntityExists) as info:
        package.import_registration(target, path)
    assert info.value.entidad.id == existing.id and "Solicitud de acceso" in info.value.message
    assert counts(target) == before
    result = package.import_registration(target, path, solicitar_acceso=True)
    assert not result.creada and result.entity_id == existing.id and result.documentos == 0
    with target.db.session() as s:
        assert len(list(s.scalars(select(Entity)))) == 1
        pending = s.execute(select(User.usuario, Membership.acceso).join(Membership)
                            .where(Membership.entity_id == existing.id, User.id != admin)).all()
        assert sorted(pending) == [("leonardo.neira", "Pendiente"), ("victor_2018", "Pendiente")]
        asks = [m for m in outbox.inbox(s, admin) if m.clase == "solicitud_acceso"]
    assert len(asks) == 2
    assert [p for p in blob_files(target)] == []


# --- tampering -------------------------------------------------------------------------------------

def tampered_cases(path: Path) -> dict[str, tuple[Any, str]]:
    """name -> (how to build the bad package from the good one, expected words in the refusal)."""
    manifest, registro, docs = read_package(path)
    raw = raw_registro(path)
    any_sha = next(iter(docs))
    exe = b"MZ\x90\x00" + b"\x00" * 200
    cases: dict[str, tuple[Any, str]] = {}

    def changed_hash(dest: Path) -> None:
        bad = dict(docs)
        data = bytearray(bad[any_sha])
        data[-20] ^= 0x01
        bad[any_sha] = bytes(data)
        build_package(dest, raw, bad, manifest=manifest)
    cases["hash de un documento"] = (changed_hash, "SHA-256")

    def changed_registro(dest: Path) -> None:
        bad = json.loads(json.dumps(registro))
        bad["entidad"]["nombre"] = "Otra Entidad S.A.S."
        build_package(dest, bad, docs, manifest=manifest)
    cases["registro modificado"] = (changed_registro, "registro.json")

    def extra_unlisted(dest: Path) -> None:
        build_package(dest, raw, docs, manifest=manifest, extra=[("notas.txt", b"hola")])
    cases["entrada extra"] = (extra_unlisted, "no esperado")

    def extra_listed_doc(dest: Path) -> None:
        content = sample_pdf("extra")
        build_package(dest, registro, docs, extra=[(f"documents/{hashlib.sha256(content).hexdigest()}", content)])
    cases["documento extra en el manifiesto"] = (extra_listed_doc, "no coinciden")

    def dotdot(dest: Path) -> None:
        build_package(dest, registro, docs, extra=[("documents/../../evil.pdf", b"x")])
    cases["ruta ../"] = (dotdot, "..")

    def absolute(dest: Path) -> None:
        build_package(dest, registro, docs, extra=[("/tmp/evil.pdf", b"x")])
    cases["ruta absoluta"] = (absolute, "absoluta")

    def drive(dest: Path) -> None:
        build_package(dest, registro, docs, extra=[("C:/Windows/evil.pdf", b"x")])
    cases["letra de unidad"] = (drive, "absoluta")

    def backslash(dest: Path) -> None:
        build_package(dest, registro, docs, extra=[("documents\\..\\evil.pdf", b"x")])
    cases["barra invertida"] = (backslash, "barras invertidas")

    def duplicate(dest: Path) -> None:
        build_package(dest, registro, docs, extra=[(f"documents/{any_sha}", docs[any_sha])], list_extra=False)
    cases["entrada repetida"] = (duplicate, "dos veces")

    def exe_by_name(dest: Path) -> None:
        bad, sha = with_document(registro, sample_pdf("factura"), "factura.pdf.exe")
        new_docs = {d["sha256"]: (docs.get(d["sha256"]) or sample_pdf("factura")) for d in bad["documentos"]}
        build_package(dest, bad, new_docs)
    cases[".exe por nombre"] = (exe_by_name, ".exe")

    def exe_by_content(dest: Path) -> None:
        bad, sha = with_document(registro, exe, "factura.pdf")
        new_docs = {d["sha256"]: docs.get(d["sha256"], exe) for d in bad["documentos"]}
        build_package(dest, bad, new_docs)
    cases["MZ dentro de un PDF"] = (exe_by_content, "programa de Windows")

    def bomb(dest: Path) -> None:
        zeros = b"%PDF-1.4\n" + b"\x00" * (4 << 20)
        bad, sha = with_document(registro, zeros, "RUP.pdf")
        new_docs = {d["sha256"]: docs.get(d["sha256"], zeros) for d in bad["documentos"]}
        build_package(dest, bad, new_docs)
    cases["bomba zip"] = (bomb, "bomba zip")

    def newer_format(dest: Path) -> None:
        newer = dict(manifest, version_formato=99)
        build_package(dest, raw, docs, manifest=newer)
    cases["versión futura"] = (newer_format, "más reciente")

    def secret_smuggled(dest: Path) -> None:
        bad = json.loads(json.dumps(registro))
        bad["usuarios"][0]["password_hash"] = "$argon2id$v=19$m=1,t=1,p=1$AAAA$BBBB"
        build_package(dest, bad, docs)
    cases["hash de contraseña en el paquete"] = (secret_smuggled, "campos no esperados")

    def size_lie(dest: Path) -> None:
        bad = json.loads(json.dumps(manifest))
        bad["partes"][f"documents/{any_sha}"]["tamano"] += 1
        build_package(dest, raw, docs, manifest=bad)
    cases["tamaño declarado falso"] = (size_lie, "tamaño")

    def invalid_nit(dest: Path) -> None:
        bad = json.loads(json.dumps(registro))
        bad["entidad"]["dv"] = str((int(bad["entidad"]["dv"]) + 1) % 10)
        build_package(dest, bad, docs)
    cases["dígito de verificación"] = (invalid_nit, "dígito de verificación")

    def not_zip(dest: Path) -> None:
        dest.write_bytes(b"MZ esto no es un zip")
    cases["no es un zip"] = (not_zip, "no es un paquete")

    def nul_in_name(dest: Path) -> None:
        # zipfile drops NUL when writing, so the byte is put into both headers afterwards.
        build_package(dest, registro, docs, extra=[("registro.jsonX.exe", b"x")])
        data = dest.read_bytes().replace(b"registro.jsonX.exe", b"registro.json\x00.exe")
        dest.write_bytes(data)
    cases["NUL en el nombre"] = (nul_in_name, "no válido")
    return cases


TAMPERINGS = ["hash de un documento", "registro modificado", "entrada extra", "documento extra en el manifiesto",
              "ruta ../", "ruta absoluta", "letra de unidad", "barra invertida", "entrada repetida",
              ".exe por nombre", "MZ dentro de un PDF", "bomba zip", "versión futura",
              "hash de contraseña en el paquete", "tamaño declarado falso", "dígito de verificación",
              "no es un zip", "NUL en el nombre"]


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("case", TAMPERINGS)
def test_tampering_is_refused_and_nothing_is_stored(case: str, target: Services, tmp_path: Path,
                                                    exported: tuple[int, Path]) -> None:
    _, good = exported
    make, words = tampered_cases(good)[case]
    bad = tmp_path / "alterado.secop"
    make(bad)
    with pytest.raises(package.PackageError) as info:
        package.preview(target, bad)
    assert words in info.value.message
    with pytest.raises(package.PackageError) as info:
        package.import_registration(target, bad)
    assert words in info.value.message
    assert "No se guardó nada" in info.value.message
    assert_nothing_stored(target)


def test_the_untampered_rebuild_is_accepted(target: Services, tmp_path: Path, exported: tuple[int, Path]) -> None:
    """The tampering cases are refused for their own reason: the same builder without the change passes."""
    _, good = exported
    manifest, registro, docs = read_package(good)
    rebuilt = build_package(tmp_path / "igual.secop", raw_registro(good), docs, manifest=manifest)
    assert package.import_registration(target, rebuilt).creada


@pytest.mark.parametrize(("limits", "words"), [
    (package.Limits(max_entries=3), "máximo es 3"),
    (package.Limits(max_entry_size=500), "demasiado grande"),
    (package.Limits(max_total_size=3000), "tamaño máximo"),
])
def test_limits_refuse_before_reading(limits: package.Limits, words: str, target: Services,
                                      exported: tuple[int, Path]) -> None:
    _, path = exported
    with pytest.raises(package.PackageError, match=words):
        package.import_registration(target, path, limits=limits)
    assert_nothing_stored(target)


# --- all or nothing ------------------------------------------------------------------------------

def test_failure_after_documents_are_written_removes_them(target: Services, exported: tuple[int, Path],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _, path = exported
    real = audit.record

    def failing(session: Any, moment: Any, actor: Any, accion: str, *args: Any, **kwargs: Any) -> Any:
        if accion == "registro_importado":
            # Every blob has been stored by now; the transaction has not committed.
            assert len(blob_files(target)) == 5
            raise OSError("disco lleno")
        return real(session, moment, actor, accion, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    with pytest.raises(OSError):
        package.import_registration(target, path)
    assert_nothing_stored(target)


def test_a_blob_already_stored_is_kept_when_an_import_fails(target: Services, tmp_path: Path,
                                                            exported: tuple[int, Path],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _, path = exported
    _, registro, docs = read_package(path)
    # The target already holds one of the documents for another entity.
    uid = active_user(target, "otra_persona", correo="otra@example.com")
    other = target.entities.create(uid, company_form(nombre="Otra S.A.S.", nit="900123456"))
    shared = next(d for d in registro["documentos"] if d["tipo"] == "rup")
    source_file = tmp_path / "RUP.pdf"
    source_file.write_bytes(docs[shared["sha256"]])
    DocumentService(target).attach("rup", source_file, entity_id=other.id, user_id=uid)
    before = counts(target)
    kept = blob_files(target)
    monkeypatch.setattr(package, "_create_entity", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("falla")))
    with pytest.raises(RuntimeError):
        package.import_registration(target, path)
    assert counts(target) == before
    assert blob_files(target) == kept


def test_cancel_import_and_export_leave_nothing(source: Services, target: Services, tmp_path: Path) -> None:
    # Incompressible, or the ratio check would (rightly) call it a zip bomb; 12 MiB is several chunks.
    big = b"%PDF-1.4\n" + random.Random(1).randbytes(12 << 20)
    entity_id = seed_registration(source, tmp_path / "archivos", big=big)
    dest = tmp_path / "cancelado.secop"
    calls = {"n": 0}

    def cancel_soon() -> bool:
        calls["n"] += 1
        return calls["n"] > 3

    with pytest.raises(CopyCancelled):
        package.export_registration(source, entity_id, dest, cancelled=cancel_soon)
    assert not dest.exists() and not dest.with_name(dest.name + ".part").exists()
    path = package.export_registration(source, entity_id, dest).path
    calls["n"] = 0
    with pytest.raises(CopyCancelled):
        package.import_registration(target, path, cancelled=cancel_soon)
    assert_nothing_stored(target)
    seen: list[tuple[int, int]] = []
    package.import_registration(target, path, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] > len(big)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))


def test_export_refuses_a_damaged_stored_copy(source: Services, tmp_path: Path) -> None:
    entity_id = seed_registration(source, tmp_path / "archivos")
    blob = blob_files(source)[0]
    blob.chmod(0o644)
    blob.write_bytes(b"%PDF-1.4 otro contenido")
    dest = tmp_path / "danado.secop"
    with pytest.raises(package.ServiceError, match="dañada"):
        package.export_registration(source, entity_id, dest)
    assert not dest.exists()


def test_manifest_lists_every_part_with_its_hash(exported: tuple[int, Path]) -> None:
    _, path = exported
    manifest, registro, docs = read_package(path)
    assert manifest["formato"] == package.FORMAT_NAME and manifest["version_formato"] == 1
    assert manifest["version_app"] and manifest["creado_en"].startswith("2017-01-23")
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        assert set(manifest["partes"]) == names - {"manifest.json"}
        for name, meta in manifest["partes"].items():
            data = zf.read(name)
            assert meta == {"sha256": hashlib.sha256(data).hexdigest(), "tamano": len(data)}
    assert len(docs) == 5 and len(registro["documentos"]) == 5
    assert {r["anio"] for r in registro["entidad"]["financials"]} == {2016}
    assert registro["entidad"]["financials"][0]["patrimonio"] == "1234567.89"


def test_imported_entity_messages_and_access(services: Services, exported: tuple[int, Path]) -> None:
    _, path = exported
    result = package.import_registration(services, path)
    with services.db.session() as s:
        rows = {u: a for u, a in s.execute(select(User.usuario, Membership.acceso).join(Membership)
                                           .where(Membership.entity_id == result.entity_id))}
        activations = s.scalars(select(Message).where(Message.clase == "activacion")).all()
    assert rows == {"victor_2018": Acceso.ACEPTADO.value, "leonardo.neira": Acceso.PENDIENTE.value}
    assert len(activations) == 2


# --- printable summary ------------------------------------------------------------------------------

def test_summary_shows_entity_representative_documents_with_hashes_and_state(source: Services,
                                                                             tmp_path: Path) -> None:
    from secop_desktop.core.entities.summary import registration_summary, render_html

    entity_id = seed_registration(source, tmp_path / "archivos")
    summary = registration_summary(source, entity_id)
    html = render_html(summary)
    assert "<h2>H&amp;H Asociados</h2>" in html  # escaped: names are data, not markup
    assert "800111202-1" in html and "Ana María Rojas" in html and "52123456" in html
    assert "<td>Bogotá, D.C.</td>" in html
    with source.db.session() as s:
        shas = list(s.scalars(select(Document.sha256)))
    assert len(shas) == 5 and all(sha in html for sha in shas)
    assert summary.estado == "Completo: todos los documentos obligatorios están anexados."
    assert "Leonardo Neira" in html and "Pendiente" in html
    assert "1.234.567,89" in html
    with source.db.session() as s:
        s.delete(s.scalars(select(Document).where(Document.tipo == "experiencia")).one())
    assert registration_summary(source, entity_id).estado == (
        "Incompleto: faltan documentos obligatorios (Experiencia).")
