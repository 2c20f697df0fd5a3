""".secop registration packages: round trip, every tampering refused with nothing stored, existing NIT, cancel."""

from __future__ import annotations

import hashlib
import json
import os
import random
import struct
import threading
import time
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
from secop_desktop.core.identity import System
from secop_desktop.core.packages.format import FORMAT_NAME, EntityExists, Limits, PackageError
from secop_desktop.core.packages.importer import Importer
from secop_desktop.core.services import Services
from secop_desktop.core.training import sample_pdf
from secop_desktop.errors import PermissionDenied, ServiceError
from secop_desktop.store.models import AreaInteres, Document, Entity, Membership, Message, User
from secop_desktop.vocab import Acceso, EstadoUsuario
from tests.conftest import FakeClock, active_user, as_actor, registration
from tests.factories import company_form
from tests.package_fixtures import (
    admin_of,
    blob_files,
    build_package,
    counts,
    export,
    raw_registro,
    read_package,
    seed_registration,
    with_document,
)
from tests.samples import WINDOWS_PE

# Imports into an empty store are made by the application itself (there is nobody to sign in yet);
# the signed-in path is covered by test_who_may_export_and_import.
IMPORTER = System("prueba")


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
    result = export(source, entity_id, tmp_path / "registro.secop")
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
    result = services.packages.import_(IMPORTER, path)
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
    services.packages.import_(IMPORTER, path)
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
    preview = target.packages.preview(IMPORTER, path)
    assert {u.usuario: u.existe for u in preview.usuarios} == {"victor_2018": True, "leonardo.neira": False}
    result = target.packages.import_(IMPORTER, path)
    assert result.usuarios_vinculados == ("victor_2018",)
    with target.db.session() as s:
        assert len(list(s.scalars(select(User).where(User.usuario == "victor_2018")))) == 1
        m = s.scalars(select(Membership).where(Membership.user_id == uid)).one()
        assert (m.entity_id, m.es_administrador) == (result.entity_id, True)


def test_existing_usuario_with_another_email_is_refused(target: Services, exported: tuple[int, Path]) -> None:
    _, path = exported
    active_user(target, "victor_2018", correo="otra.persona@example.com")
    before = counts(target)
    with pytest.raises(PackageError, match="otro correo"):
        target.packages.import_(IMPORTER, path)
    assert counts(target) == before


# --- who may ---------------------------------------------------------------------------------------

def test_who_may_export_and_import(source: Services, target: Services, tmp_path: Path,
                                   exported: tuple[int, Path]) -> None:
    entity_id, path = exported
    # Export: the Entidad's administrators only (the package carries its members' personal data).
    with source.db.session() as s:
        proveedor_id = s.scalars(select(User.id).where(User.usuario == "leonardo.neira")).one()
        m = s.scalars(select(Membership).where(Membership.user_id == proveedor_id)).one()
        m.acceso = Acceso.ACEPTADO.value  # an accepted Proveedor, still not an administrator
    stranger = active_user(source, "otra.persona", correo="otra@example.com")
    dest = tmp_path / "no.secop"
    for actor in (as_actor(source, proveedor_id), as_actor(source, stranger)):
        with pytest.raises(PermissionDenied):
            source.packages.export(actor, entity_id, dest)
    admin = admin_of(source, entity_id)
    with source.db.session() as s:
        s.get_one(User, admin.user_id).estado = EstadoUsuario.BLOQUEADO.value
    with pytest.raises(PermissionDenied, match="no está activo"):
        source.packages.export(admin, entity_id, dest)
    assert not dest.exists() and not dest.with_name("no.secop.part").exists()

    # Import: a signed-in, active user (the agent of the Mesa de servicio), recorded under their name.
    pending = target.users.register(registration("sin.activar", correo="sin.activar@example.com")).id
    with pytest.raises(PermissionDenied, match="no está activo"):
        target.packages.preview(as_actor(target, pending), path)
    with pytest.raises(PermissionDenied, match="no está activo"):
        target.packages.import_(as_actor(target, pending), path)
    before = counts(target)
    agente = as_actor(target, active_user(target, "agente.mesa", correo="mesa@example.com"))
    assert counts(target) != before  # the agent's own registration
    result = target.packages.import_(agente, path)
    assert result.creada
    with target.db.session() as s:
        [entry] = audit.entries(s, accion="registro_importado")
        assert (entry.actor_id, entry.actor) == (agente.user_id, "agente.mesa (importación)")


# --- existing NIT ----------------------------------------------------------------------------------

def test_existing_nit_offers_access_request_instead_of_duplicate(target: Services, tmp_path: Path,
                                                                 exported: tuple[int, Path]) -> None:
    _, path = exported
    admin = active_user(target, "ana.admin", correo="ana@example.com")
    existing = target.entities.create(as_actor(target, admin), company_form(nombre="H&H Asociados SAS", nit="800111202"))
    preview = target.packages.preview(IMPORTER, path)
    assert preview.entidad_existente is not None and preview.entidad_existente.id == existing.id
    before = counts(target)
    with pytest.raises(EntityExists) as info:
        target.packages.import_(IMPORTER, path)
    assert info.value.entidad.id == existing.id and "Solicitud de acceso" in info.value.message
    assert counts(target) == before
    result = target.packages.import_(IMPORTER, path, solicitar_acceso=True)
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

# User fields held to the Registrar usuario form's lists and sizes: (field, value, words of the refusal).
USER_FIELD_BAD = [
    ("tipo_registro", "Automático", "Tipo de registro"),
    ("zona_horaria", "(UTC+10:00) Marte", "Zona horaria"),
    ("pregunta_seguridad", "¿Cuál es su color favorito?", "Pregunta de seguridad"),
    ("telefono_movil", "123", "Teléfono móvil"),
    ("telefono_movil", "+57 1 " + "9" * 60, "Teléfono móvil"),
    ("pais", "ATLANTIS", "País"),
    ("nombre", "N" * 5000, "Nombre y apellido"),
    ("nombre_entidad", "", "Nombre de la entidad"),
    ("correo", "sin-arroba", "Correo electrónico"),
    ("nombre", "Víctor\x07Medina", "Nombre y apellido"),
]


def tampered_cases(path: Path) -> dict[str, tuple[Any, str]]:
    """name -> (how to build the bad package from the good one, expected words in the refusal)."""
    manifest, registro, docs = read_package(path)
    raw = raw_registro(path)
    any_sha = next(iter(docs))
    exe = WINDOWS_PE
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

    def edited(change: Any) -> Any:
        """A package whose registro.json got one change, with a manifest that matches it."""
        def make(dest: Path) -> None:
            bad = json.loads(json.dumps(registro))
            change(bad)
            # ASCII escapes: the text may carry what UTF-8 cannot encode (lone surrogates).
            build_package(dest, json.dumps(bad).encode("ascii"), docs)
        return make

    def set_in(path: tuple[Any, ...], value: Any) -> Any:
        def change(bad: dict[str, Any]) -> None:
            target: Any = bad
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        return change

    # Dates that overflow on conversion to UTC, or lie outside what the database keeps.
    cases["fecha año 1 con zona"] = (edited(set_in(("creado_en",), "0001-01-01T00:00:00+05:00")), "fuera del rango")
    cases["fecha año 9999 con zona"] = (edited(set_in(("membresias", 0, "fecha_solicitud"),
                                                      "9999-12-31T23:59:59-05:00")), "fuera del rango")
    cases["fecha año 1 de un documento"] = (edited(set_in(("documentos", 0, "anexado_en"),
                                                          "0001-01-01T01:00:00+01:00")), "fuera del rango")
    cases["fecha de usuario en el año 3500"] = (edited(set_in(("usuarios", 0, "creado_en"),
                                                              "3500-01-01T00:00:00+00:00")), "fuera del rango")

    def duplicate_area(bad: dict[str, Any]) -> None:
        bad["areas_interes"].append(dict(bad["areas_interes"][0], nombre="Otra vez"))
    cases["área de interés repetida"] = (edited(duplicate_area), "aparece dos veces")
    cases["código de área con dígitos arábigos"] = (
        edited(set_in(("areas_interes", 0, "codigo"), "\u0667\u0662\u0661\u0664\u0661\u0660\u0660\u0660")),
        "no es válida")
    cases["código de área de 4 dígitos"] = (edited(set_in(("areas_interes", 0, "codigo"), "7214")), "no es válida")

    def no_admin(bad: dict[str, Any]) -> None:
        for m in bad["membresias"]:
            m["es_administrador"] = False
    cases["Entidad sin administrador"] = (edited(no_admin), "ningún administrador")

    def admin_inactive(bad: dict[str, Any]) -> None:
        for m in bad["membresias"]:
            if m["es_administrador"]:
                m["activo"] = False
    cases["administrador inactivo"] = (edited(admin_inactive), "ningún administrador")

    def admin_pending(bad: dict[str, Any]) -> None:
        for m in bad["membresias"]:
            if m["es_administrador"]:
                m["acceso"] = "Pendiente"
    cases["administrador pendiente"] = (edited(admin_pending), "ningún administrador")

    def two_in_one_slot(dest: Path) -> None:
        extra = sample_pdf("otro RUP")
        bad = json.loads(json.dumps(registro))
        bad["documentos"].append({"tipo": "rup", "nombre_original": "RUP 2.pdf",
                                  "sha256": hashlib.sha256(extra).hexdigest(), "tamano": len(extra),
                                  "anexado_por": None, "anexado_en": "2017-01-23T20:41:30+00:00"})
        build_package(dest, bad, {**docs, hashlib.sha256(extra).hexdigest(): extra})
    cases["dos documentos en una fila"] = (two_in_one_slot, "dos documentos")

    for i, (key, value, words) in enumerate(USER_FIELD_BAD):
        cases[f"usuario {i}: {key}"] = (edited(set_in(("usuarios", 0, key), value)), words)

    cases["NUL en el nombre de la Entidad"] = (edited(set_in(("entidad", "nombre"), "H&H\x00 Asociados")),
                                               "no es un JSON válido")
    cases["sustituto suelto en la Entidad"] = (edited(set_in(("entidad", "nombre"), "H&H \ud800 Asociados")),
                                               "no es un JSON válido")

    def huge_number(dest: Path) -> None:
        text = raw.decode("utf-8").replace('"anio": 2016', '"anio": ' + "9" * 5000, 1)
        assert text != raw.decode("utf-8")
        build_package(dest, text.encode("utf-8"), docs)
    cases["número de 5000 cifras"] = (huge_number, "no es un JSON válido")

    def repeated_year(bad: dict[str, Any]) -> None:
        bad["entidad"]["financials"].append(dict(bad["entidad"]["financials"][0]))
    cases["año financiero repetido"] = (edited(repeated_year), "repetido")
    cases["año financiero 10**9"] = (edited(set_in(("entidad", "financials", 0, "anio"), 10 ** 9)), "no es válido")
    return cases


TAMPERINGS = ["hash de un documento", "registro modificado", "entrada extra", "documento extra en el manifiesto",
              "ruta ../", "ruta absoluta", "letra de unidad", "barra invertida", "entrada repetida",
              ".exe por nombre", "MZ dentro de un PDF", "bomba zip", "versión futura",
              "hash de contraseña en el paquete", "tamaño declarado falso", "dígito de verificación",
              "no es un zip", "NUL en el nombre",
              "fecha año 1 con zona", "fecha año 9999 con zona", "fecha año 1 de un documento",
              "fecha de usuario en el año 3500", "área de interés repetida", "código de área con dígitos arábigos",
              "código de área de 4 dígitos", "Entidad sin administrador", "administrador inactivo",
              "administrador pendiente", "dos documentos en una fila", "NUL en el nombre de la Entidad",
              "sustituto suelto en la Entidad", "número de 5000 cifras", "año financiero repetido",
              "año financiero 10**9"]
TAMPERINGS += [f"usuario {i}: {key}" for i, (key, _, _) in enumerate(USER_FIELD_BAD)]


@pytest.mark.filterwarnings("ignore:Duplicate name")
@pytest.mark.parametrize("case", TAMPERINGS)
def test_tampering_is_refused_and_nothing_is_stored(case: str, target: Services, tmp_path: Path,
                                                    exported: tuple[int, Path]) -> None:
    _, good = exported
    make, words = tampered_cases(good)[case]
    bad = tmp_path / "alterado.secop"
    make(bad)
    with pytest.raises(PackageError) as info:
        target.packages.preview(IMPORTER, bad)
    assert words in info.value.message
    with pytest.raises(PackageError) as info:
        target.packages.import_(IMPORTER, bad)
    assert words in info.value.message
    assert "No se guardó nada" in info.value.message
    assert_nothing_stored(target)


def call_with_deadline(work: Any, seconds: float = 20) -> BaseException | None:
    """Runs work in a thread; a call that blocks (a FIFO opened for reading) fails the test instead of hanging it."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)
        else:
            outcome.append(None)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "the call blocked"
    return outcome[0]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_is_refused_without_being_opened(target: Services, tmp_path: Path) -> None:
    fifo = tmp_path / "paquete.secop"
    os.mkfifo(fifo)
    for call in (lambda: target.packages.preview(IMPORTER, fifo), lambda: target.packages.import_(IMPORTER, fifo)):
        error = call_with_deadline(call)
        assert isinstance(error, PackageError) and "no es un archivo" in error.message
    assert_nothing_stored(target)


@pytest.mark.parametrize("kind", ["carpeta", "dispositivo"])
def test_what_is_not_a_regular_file_is_refused(kind: str, target: Services, tmp_path: Path) -> None:
    path = tmp_path if kind == "carpeta" else Path(os.devnull)
    error = call_with_deadline(lambda: target.packages.import_(IMPORTER, path))
    assert isinstance(error, PackageError) and "no es un archivo" in error.message
    assert_nothing_stored(target)


def end_records(entries: int, directory_size: int, directory_offset: int = 0) -> bytes:
    """A zip64 end of central directory record, its locator and the classic record pointing to them."""
    zip64 = struct.pack("<4sQ2H2L4Q", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, directory_size,
                        directory_offset)
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, directory_offset + directory_size, 1)
    classic = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return zip64 + locator + classic


def test_a_million_entries_are_refused_from_the_end_record(target: Services, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # What the end record claims is enough: zipfile never gets to parse (and allocate) the directory.
    bomb = tmp_path / "millon.secop"
    bomb.write_bytes(b"\x00" * 1024 + end_records(1_000_000, 46 * 1_000_000))
    opened: list[object] = []
    monkeypatch.setattr(zipfile.ZipFile, "__init__", lambda *a, **k: opened.append(a) or None)
    started = time.perf_counter()
    with pytest.raises(PackageError, match="contiene 1000000 archivos y el máximo es 200"):
        target.packages.import_(IMPORTER, bomb)
    assert time.perf_counter() - started < 2 and opened == []
    assert_nothing_stored(target)


def test_a_real_zip_with_too_many_entries_is_refused_before_zipfile_reads_it(
        target: Services, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = tmp_path / "muchos.secop"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(201):
            zf.writestr(f"documents/{i:064x}", b"x")
    opened: list[object] = []
    monkeypatch.setattr(zipfile.ZipFile, "__init__", lambda *a, **k: opened.append(a) or None)
    with pytest.raises(PackageError, match="contiene 201 archivos"):
        target.packages.preview(IMPORTER, many)
    assert opened == []


def test_an_oversized_central_directory_is_refused(target: Services, tmp_path: Path) -> None:
    huge = tmp_path / "indice.secop"
    huge.write_bytes(b"\x00" * 64 + end_records(10, 50 << 20))
    with pytest.raises(PackageError, match="índice de archivos es demasiado grande"):
        target.packages.import_(IMPORTER, huge)


def test_a_truncated_end_record_is_refused(target: Services, tmp_path: Path) -> None:
    for content in (b"", b"PK", b"PK\x05\x06" + b"\x00" * 5, b"\x00" * 30 + end_records(3, 10)[20:]):
        bad = tmp_path / "corto.secop"
        bad.write_bytes(content)
        with pytest.raises(PackageError, match="No se guardó nada"):
            target.packages.import_(IMPORTER, bad)
    assert_nothing_stored(target)


def test_the_untampered_rebuild_is_accepted(target: Services, tmp_path: Path, exported: tuple[int, Path]) -> None:
    """The tampering cases are refused for their own reason: the same builder without the change passes."""
    _, good = exported
    manifest, registro, docs = read_package(good)
    rebuilt = build_package(tmp_path / "igual.secop", raw_registro(good), docs, manifest=manifest)
    assert target.packages.import_(IMPORTER, rebuilt).creada


@pytest.mark.parametrize(("limits", "words"), [
    (Limits(max_entries=3), "máximo es 3"),
    (Limits(max_entry_size=500), "demasiado grande"),
    (Limits(max_total_size=3000), "tamaño máximo"),
])
def test_limits_refuse_before_reading(limits: Limits, words: str, target: Services,
                                      exported: tuple[int, Path]) -> None:
    _, path = exported
    with pytest.raises(PackageError, match=words):
        target.packages.import_(IMPORTER, path, limits=limits)
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
        target.packages.import_(IMPORTER, path)
    assert_nothing_stored(target)


def test_a_blob_already_stored_is_kept_when_an_import_fails(target: Services, tmp_path: Path,
                                                            exported: tuple[int, Path],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _, path = exported
    _, registro, docs = read_package(path)
    # The target already holds one of the documents for another entity.
    uid = active_user(target, "otra_persona", correo="otra@example.com")
    other = target.entities.create(as_actor(target, uid), company_form(nombre="Otra S.A.S.", nit="900123456"))
    shared = next(d for d in registro["documentos"] if d["tipo"] == "rup")
    source_file = tmp_path / "RUP.pdf"
    source_file.write_bytes(docs[shared["sha256"]])
    target.documents.attach(as_actor(target, uid), "rup", source_file, entity_id=other.id)
    before = counts(target)
    kept = blob_files(target)
    monkeypatch.setattr(Importer, "_create_entity", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("falla")))
    with pytest.raises(RuntimeError):
        target.packages.import_(IMPORTER, path)
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
        export(source, entity_id, dest, cancelled=cancel_soon)
    assert not dest.exists() and not dest.with_name(dest.name + ".part").exists()
    path = export(source, entity_id, dest).path
    calls["n"] = 0
    with pytest.raises(CopyCancelled):
        target.packages.import_(IMPORTER, path, cancelled=cancel_soon)
    assert_nothing_stored(target)
    seen: list[tuple[int, int]] = []
    target.packages.import_(IMPORTER, path, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] > len(big)
    assert all(a[0] <= b[0] for a, b in zip(seen, seen[1:], strict=False))


def test_export_refuses_a_damaged_stored_copy(source: Services, tmp_path: Path) -> None:
    entity_id = seed_registration(source, tmp_path / "archivos")
    blob = blob_files(source)[0]
    blob.chmod(0o644)
    blob.write_bytes(b"%PDF-1.4 otro contenido")
    dest = tmp_path / "danado.secop"
    with pytest.raises(ServiceError, match="dañada"):
        export(source, entity_id, dest)
    assert not dest.exists()


def test_manifest_lists_every_part_with_its_hash(exported: tuple[int, Path]) -> None:
    _, path = exported
    manifest, registro, docs = read_package(path)
    assert manifest["formato"] == FORMAT_NAME and manifest["version_formato"] == 1
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
    result = services.packages.import_(IMPORTER, path)
    with services.db.session() as s:
        rows = {u: a for u, a in s.execute(select(User.usuario, Membership.acceso).join(Membership)
                                           .where(Membership.entity_id == result.entity_id))}
        activations = s.scalars(select(Message).where(Message.clase == "activacion")).all()
    assert rows == {"victor_2018": Acceso.ACEPTADO.value, "leonardo.neira": Acceso.PENDIENTE.value}
    assert len(activations) == 2


# --- printable summary ------------------------------------------------------------------------------

def test_summary_shows_entity_representative_documents_with_hashes_and_state(source: Services,
                                                                             tmp_path: Path) -> None:
    from secop_desktop.core.entities.summary import render_html

    entity_id = seed_registration(source, tmp_path / "archivos")
    admin = source.users.sign_in("victor_2018", "Secop2018x")
    summary = source.entities.summary(as_actor(source, admin), entity_id)
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
    assert source.entities.summary(as_actor(source, admin), entity_id).estado == (
        "Incompleto: faltan documentos obligatorios (Experiencia).")
