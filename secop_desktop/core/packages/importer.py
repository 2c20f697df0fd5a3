"""Importar registro: check a whole package, then store its users, Entidad and documents all or nothing."""

from __future__ import annotations

import contextlib
import secrets
import shutil
import tempfile
import zipfile
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

from secop_desktop.core import validators
from secop_desktop.core.access import audit
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.users import ActivationCode, UserService
from secop_desktop.core.documents.file_policy import check_content, check_file
from secop_desktop.core.documents.service import STAGING_PREFIX, DocumentService
from secop_desktop.core.entities.service import EntityForm, apply_form, summary
from secop_desktop.core.packages.format import (
    DOC_PREFIX,
    MANIFEST,
    REGISTRO,
    USER_FIELDS,
    Cancelled,
    Checked,
    EntityExists,
    ImportResult,
    Limits,
    PackagePreview,
    PreviewDocument,
    PreviewUser,
    Progress,
    check_cancel,
    obj,
    parse_day,
    parse_dt,
    parse_form,
    parse_manifest,
    parse_registro,
    refuse,
    report,
    required_dt,
)
from secop_desktop.core.packages.zip_safety import check_directory, check_entries, open_regular, read_json, stream
from secop_desktop.core.text import fold
from secop_desktop.store.database import UnitOfWork, flush
from secop_desktop.store.models import AreaInteres, Document, Entity, Membership, User
from secop_desktop.store.queries import memberships
from secop_desktop.store.queries import packages as queries
from secop_desktop.vocab import Acceso, EstadoUsuario

UNSET_SECRET = "!sin-definir:"


# --- reading and checking ------------------------------------------------------------------------

def read_package(path: Path, limits: Limits, staging: Path | None, progress: Progress | None,
                 cancelled: Cancelled | None) -> Checked:
    """Every check of the package; with staging, documents are extracted there while being hashed."""
    handle = open_regular(Path(path))
    with handle:
        try:
            check_directory(handle, limits)
            zf = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            raise refuse("no es un paquete de registro (.secop) válido.") from None
        try:
            with zf:
                return _read_open(zf, limits, staging, progress, cancelled)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, NotImplementedError,
                RuntimeError, OverflowError):
            raise refuse("el archivo está dañado o no es un paquete válido.") from None


def _read_open(zf: zipfile.ZipFile, limits: Limits, staging: Path | None, progress: Progress | None,
               cancelled: Cancelled | None) -> Checked:
    entries = check_entries(zf, limits)
    manifest, _, _ = read_json(zf, entries[MANIFEST])
    creado_en, version_app, partes = parse_manifest(manifest, {n: i.file_size for n, i in entries.items()})

    raw, sha, size = read_json(zf, entries[REGISTRO])
    if sha != partes[REGISTRO]["sha256"] or size != partes[REGISTRO]["tamano"]:
        raise refuse(f"el SHA-256 de «{REGISTRO}» no coincide con el manifiesto (el archivo fue modificado).")
    root = parse_registro(raw)
    form = parse_form(obj(root["entidad"], "entidad"))

    doc_parts = {n[len(DOC_PREFIX):]: entries[n] for n in entries if n.startswith(DOC_PREFIX)}
    referenced = {d["sha256"] for d in root["documentos"]}
    if referenced != set(doc_parts):
        raise refuse("los documentos del registro no coinciden con los archivos del paquete.")
    for d in root["documentos"]:
        if d["tamano"] != doc_parts[d["sha256"]].file_size:
            raise refuse(f"el tamaño del documento «{d['nombre_original']}» no coincide.")
    names_by_sha: dict[str, list[str]] = {}
    for d in root["documentos"]:
        names_by_sha.setdefault(d["sha256"], []).append(d["nombre_original"])

    total = sum(i.file_size for i in doc_parts.values())
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        report(progress, done, total)

    report(progress, 0, total)
    staged: dict[str, Path] = {}
    for sha, info in doc_parts.items():
        target = staging / sha if staging is not None else None
        with (open(target, "xb") if target is not None else contextlib.nullcontext()) as sink:
            got, size, head = stream(zf, info, sink, cancelled, advance)
        if got != sha or size != info.file_size:
            raise refuse(f"el SHA-256 del documento «{names_by_sha[sha][0]}» no coincide con el manifiesto "
                         "(el archivo fue modificado).")
        for name in names_by_sha[sha]:
            if (refusal := check_content(head, name)) is not None:
                raise refuse(refusal.message)
        if target is not None:
            staged[sha] = target
    return Checked(
        creado_en=creado_en,
        version_app=version_app,
        form=form,
        entity_dates=(parse_dt(root["creado_en"], "creado_en"), parse_dt(root["actualizado_en"], "actualizado_en")),
        creado_por=root["creado_por"],
        usuarios=tuple(root["usuarios"]),
        membresias=tuple(root["membresias"]),
        documentos=tuple(root["documentos"]),
        areas=tuple(root["areas_interes"]),
        staged=staged,
    )


# --- looking at the store ------------------------------------------------------------------------

def existing_entity(s: UnitOfWork, form: EntityForm) -> Entity | None:
    nit = validators.compact_nit(form.nit) if form.nit else ""
    if nit:
        return queries.entity_by_nit(s, form.pais, nit)
    # Consorcios and uniones temporales may have no NIT yet: the same name in the same country is the same.
    return queries.entity_by_folded_name(s, form.pais, fold(" ".join(form.nombre.split())))


def existing_users(s: UnitOfWork, usuarios: tuple[dict[str, Any], ...]) -> dict[str, User]:
    """Users of the package already here (linked, not duplicated); a different e-mail is refused."""
    found: dict[str, User] = {}
    for u in usuarios:
        key = validators.normalize_usuario(u["usuario"])
        user = queries.user_by_usuario_normalizado(s, key)
        if user is None:
            continue
        if user.correo.casefold() != validators.normalize_email(u["correo"]).casefold():
            raise refuse(f"el usuario «{u['usuario']}» ya existe en este equipo con otro correo electrónico.")
        found[key] = user
    return found


def preview_of(path: Path, checked: Checked, existing: Entity | None, linked: dict[str, User]) -> PackagePreview:
    roles = {validators.normalize_usuario(m["usuario"]): m for m in checked.membresias}
    users = tuple(
        PreviewUser(u["usuario"], u["nombre"], u["correo"],
                    bool(roles.get(validators.normalize_usuario(u["usuario"]), {}).get("es_administrador")),
                    roles.get(validators.normalize_usuario(u["usuario"]), {}).get("acceso", ""),
                    validators.normalize_usuario(u["usuario"]) in linked)
        for u in checked.usuarios
    )
    docs = tuple(PreviewDocument(d["tipo"], d["nombre_original"], d["sha256"], d["tamano"])
                 for d in checked.documentos)
    return PackagePreview(path, checked.creado_en, checked.version_app, checked.form, users, docs,
                          summary(existing) if existing is not None else None)


# --- storing -------------------------------------------------------------------------------------

def imported_user_body(user: User, entidad: str, token: Any, reset: Any) -> str:
    return (
        f"Estimado (a) usuario (a) {user.nombre}\n\n"
        f"Su registro de {entidad} fue importado en SECOP II desde un paquete de registro.\n\n"
        f"Para activar su cuenta siga el enlace:\n{token.enlace}\n\n"
        "(si no puede hacer clic en el enlace cópielo y péguelo en la ventana Confirmar registro)\n\n"
        f"O escriba este código de activación: {token.codigo}\n\n"
        "Por seguridad, su contraseña y su respuesta de seguridad no viajan en el paquete. "
        "Después de activar la cuenta elija una contraseña nueva en «Olvidé mi contraseña» › «Ya tengo un código» "
        f"con este código: {reset.codigo}"
    )


class Importer:
    """One import: unpack into a staging folder, check, then write everything in one transaction."""

    def __init__(self, users: UserService, documents: DocumentService, now: datetime, actor: audit.Actor) -> None:
        self.users = users
        self.documents = documents
        self.db = documents.db
        self.now = now
        self.actor = actor

    def run(self, path: Path, *, solicitar_acceso: bool, limits: Limits, progress: Progress | None,
            cancelled: Cancelled | None) -> ImportResult:
        """Checks everything first, then stores users, entity and documents in one transaction.

        If the entity already exists, EntityExists is raised unless solicitar_acceso: then the package's
        users get a Pendiente Solicitud de acceso to it (and nothing of the entity is duplicated).
        Documents are written to the blob store before the commit and removed if anything fails.
        """
        staging_root = self.documents.staging_root
        staging_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=staging_root))
        try:
            total_docs = 0

            def read_progress(done: int, total: int) -> None:
                nonlocal total_docs
                total_docs = total
                report(progress, done, 2 * total)

            checked = read_package(Path(path), limits, staging, read_progress, cancelled)
            for d in checked.documentos:
                refusal = check_file(checked.staged[d["sha256"]], d["nombre_original"],
                                     max_size=self.documents.max_size)
                if refusal is not None:
                    raise refuse(refusal.message)
            return self._store(checked, solicitar_acceso, progress, cancelled, total_docs)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _store(self, checked: Checked, solicitar_acceso: bool, progress: Progress | None,
               cancelled: Cancelled | None, total_docs: int) -> ImportResult:
        store = self.documents.store
        new_blobs: list[str] = []
        done = total_docs
        # The documents lock keeps a concurrent "Borrar documento" from deleting a blob this import
        # has stored but not yet committed a row for.
        with self.documents.store_lock:
            try:
                with self.db.session() as s:
                    existing = existing_entity(s, checked.form)
                    linked = existing_users(s, checked.usuarios)
                    if existing is not None and not solicitar_acceso:
                        raise EntityExists(summary(existing))
                    entidad_nombre = existing.nombre if existing is not None else checked.form.nombre
                    users: dict[str, User] = dict(linked)
                    created: list[str] = []
                    handed: list[ActivationCode] = []
                    for u in checked.usuarios:
                        key = validators.normalize_usuario(u["usuario"])
                        if key not in users:
                            users[key] = self._create_user(s, u, entidad_nombre, handed)
                            created.append(users[key].usuario)
                    linked_names = tuple(users[k].usuario for k in linked)
                    if existing is not None:
                        self._request_access(s, existing, users)
                        return ImportResult(existing.id, existing.nombre, False, tuple(created), linked_names, 0,
                                            tuple(handed))
                    entity = self._create_entity(s, checked, users)
                    for sha, staged in checked.staged.items():
                        check_cancel(cancelled)
                        existed = store.exists(sha)
                        base = done

                        def store_progress(d: int, _t: int, base: int = base) -> None:
                            report(progress, base + d, 2 * total_docs)

                        blob = store.store(staged, progress=store_progress, cancelled=cancelled)
                        if not existed:
                            new_blobs.append(blob.sha256)
                        if blob.sha256 != sha:
                            raise refuse("un documento cambió mientras se importaba.")
                        done += blob.size
                    for d in checked.documentos:
                        author = users.get(validators.normalize_usuario(d["anexado_por"])) if d["anexado_por"] else None
                        s.add(Document(entity_id=entity.id, tipo=d["tipo"], nombre_original=d["nombre_original"],
                                       sha256=d["sha256"], tamano=d["tamano"],
                                       ruta=store.relative_path_for(d["sha256"]),
                                       anexado_por_id=author.id if author is not None else None,
                                       anexado_en=required_dt(d["anexado_en"], "anexado_en"),
                                       valido_desde=parse_day(d.get("valido_desde"), "valido_desde"),
                                       valido_hasta=parse_day(d.get("valido_hasta"), "valido_hasta")))
                    flush(s)
                    audit.record(s, self.now, self.actor, "registro_importado", "entidad", entity.id,
                                 entity_id=entity.id,
                                 despues={"nombre": entity.nombre, "nit": entity.nit,
                                          "documentos": len(checked.documentos), "usuarios": sorted(users)})
                    result = ImportResult(entity.id, entity.nombre, True, tuple(created), linked_names,
                                          len(checked.documentos), tuple(handed))
            except BaseException:
                for sha in new_blobs:
                    with contextlib.suppress(OSError, ValueError):
                        store.delete(sha)
                raise
        report(progress, 2 * total_docs, 2 * total_docs)
        return result

    def _create_user(self, s: UnitOfWork, u: dict[str, Any], entidad: str, handed: list[ActivationCode]) -> User:
        # No password or answer travels in a package: "!" marks them unset (never a valid argon2 hash, so
        # every sign-in is refused) until the owner activates the account and chooses a password.
        user = User(
            **{f: u[f] for f in USER_FIELDS if f not in ("usuario", "correo", "telefono_movil")},
            usuario=u["usuario"].strip(),
            usuario_normalizado=validators.normalize_usuario(u["usuario"]),
            correo=validators.normalize_email(u["correo"]),
            telefono_movil=validators.format_phone(u["telefono_movil"]),
            password_hash=UNSET_SECRET + secrets.token_hex(16),
            respuesta_hash=UNSET_SECRET + secrets.token_hex(16),
            estado=EstadoUsuario.PENDIENTE.value,
            creado_en=parse_dt(u.get("creado_en"), "creado_en") or self.now,
            actualizado_en=self.now,
        )
        s.add(user)
        flush(s)
        token = self.users.issue_token(s, user, "activacion")
        reset = self.users.issue_token(s, user, "restablecer")
        handed.append(ActivationCode(user.id, user.usuario, token.codigo, token.expira_en))
        outbox.post(s, self.now, user, "activacion", "Activación de su registro en SECOP",
                    imported_user_body(user, entidad, token, reset), token.enlace)
        audit.record(s, self.now, self.actor, "usuario_importado", "usuario", user.id,
                     despues={"usuario": user.usuario, "correo": user.correo})
        return user

    def _create_entity(self, s: UnitOfWork, checked: Checked, users: dict[str, User]) -> Entity:
        creado_en, actualizado_en = checked.entity_dates
        creator = users.get(validators.normalize_usuario(checked.creado_por)) if checked.creado_por else None
        entity = Entity(creado_por_id=creator.id if creator is not None else None, creado_en=creado_en or self.now,
                        actualizado_en=actualizado_en or self.now)
        apply_form(entity, checked.form)
        s.add(entity)
        flush(s)
        for m in checked.membresias:
            s.add(Membership(
                user_id=users[validators.normalize_usuario(m["usuario"])].id, entity_id=entity.id,
                es_administrador=m["es_administrador"], es_proveedor=m["es_proveedor"], acceso=m["acceso"],
                activo=m["activo"], fecha_solicitud=required_dt(m["fecha_solicitud"], "fecha_solicitud"),
                fecha_aceptacion=parse_dt(m["fecha_aceptacion"], "fecha_aceptacion"),
                actualizado_en=required_dt(m["actualizado_en"], "actualizado_en")))
        for a in checked.areas:
            s.add(AreaInteres(entity_id=entity.id, codigo=a["codigo"], nombre=" ".join(a["nombre"].split()),
                              activo=a["activo"]))
        flush(s)
        audit.record(s, self.now, self.actor, "entidad_registrada", "entidad", entity.id, entity_id=entity.id,
                     despues={"nombre": entity.nombre, "nit": entity.nit, "origen": "paquete"})
        return entity

    def _request_access(self, s: UnitOfWork, entity: Entity, users: dict[str, User]) -> None:
        """Solicitud de acceso for every user of the package, as the guide's section VI."""
        admins = queries.accepted_admins(s, entity.id)
        for user in users.values():
            m = memberships.of_user_in_entity(s, user.id, entity.id)
            if m is not None and m.acceso in (Acceso.PENDIENTE.value, Acceso.ACEPTADO.value):
                continue
            m, before = memberships.mark_pending(s, user.id, entity.id, self.now)
            audit.record(s, self.now, self.actor, "acceso_solicitado", "membresia", m.id, entity_id=entity.id,
                         antes={"acceso": before}, despues={"acceso": m.acceso, "usuario": user.usuario})
            for admin in admins:
                outbox.post(s, self.now, admin, "solicitud_acceso", "Solicitud de acceso",
                            f"El usuario {user.nombre} ({user.correo}) está solicitando acceso a "
                            f"{entity.nombre}. Ábrala en Administración de usuarios para aceptarla.")
