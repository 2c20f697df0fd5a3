"""Registration packages (.secop): export one registration to a zip, check it, import it all-or-nothing."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from secop_desktop import __version__
from secop_desktop.core import validators
from secop_desktop.core.access import audit
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.users import ActivationCode
from secop_desktop.core.documents.blobstore import CopyCancelled
from secop_desktop.core.documents.file_policy import (
    DEFAULT_MAX_SIZE,
    HEAD_SIZE,
    check_content,
    check_file,
    check_name,
)
from secop_desktop.core.documents.service import DocumentService, all_slots
from secop_desktop.core.entities.service import (
    EntityForm,
    EntitySummary,
    FinancialYear,
    apply_form,
    form_of,
    mark_pending,
    summary,
    validate_entity,
)
from secop_desktop.core.registration.drafts import current_agent
from secop_desktop.core.services import Services
from secop_desktop.core.text import fold
from secop_desktop.errors import ServiceError
from secop_desktop.store.models import AreaInteres, Document, Entity, Membership, User
from secop_desktop.vocab import Acceso, EstadoUsuario

FORMAT_NAME = "secop-desktop-registro"
FORMAT_VERSION = 1
SUFFIX = ".secop"
MANIFEST = "manifest.json"
REGISTRO = "registro.json"
DOC_PREFIX = "documents/"
_DOC_NAME_RE = re.compile(r"documents/[0-9a-f]{64}")
_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_CHUNK = 1 << 20
_SAMPLE = 64 << 10
_MIB = 1 << 20
_GIB = 1 << 30
UNSET_SECRET = "!sin-definir:"

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

USER_FIELDS = ("usuario", "nombre", "pais", "nombre_entidad", "correo", "tipo_registro", "pregunta_seguridad",
               "telefono_movil", "zona_horaria")
MEMBERSHIP_FIELDS = ("usuario", "es_administrador", "es_proveedor", "acceso", "activo", "fecha_solicitud",
                     "fecha_aceptacion", "actualizado_en")
DOCUMENT_FIELDS = ("tipo", "nombre_original", "sha256", "tamano", "anexado_por", "anexado_en")
AREA_FIELDS = ("codigo", "nombre", "activo")


@dataclass(frozen=True)
class Limits:
    """What an imported package may contain; anything beyond is refused before it is read."""

    max_entries: int = 200
    max_entry_size: int = DEFAULT_MAX_SIZE
    max_total_size: int = 4 * _GIB
    # Documents are mostly PDFs and images (already compressed); 100:1 only happens on purpose.
    max_ratio: float = 100.0
    # Below this expanded size the ratio says nothing useful (tiny files compress oddly).
    ratio_floor: int = _MIB
    max_json_size: int = 16 * _MIB


DEFAULT_LIMITS = Limits()


class PackageError(ServiceError):
    """The package was refused; nothing was stored."""


class EntityExists(ServiceError):
    """The package's entity is already registered here: offer "Solicitud de acceso" instead."""

    def __init__(self, entidad: EntitySummary) -> None:
        nit = f" con el NIT {entidad.nit}" if entidad.nit else ""
        super().__init__(f"Ya existe una Entidad registrada{nit}: {entidad.nombre}. "
                         "Use «Solicitud de acceso» en lugar de crear un duplicado.")
        self.entidad = entidad


@dataclass(frozen=True)
class PreviewUser:
    usuario: str
    nombre: str
    correo: str
    es_administrador: bool
    acceso: str
    existe: bool


@dataclass(frozen=True)
class PreviewDocument:
    tipo: str
    nombre_original: str
    sha256: str
    tamano: int


@dataclass(frozen=True)
class PackagePreview:
    """What an import would store, shown before anything is touched."""

    path: Path
    creado_en: datetime
    version_app: str
    entidad: EntityForm
    usuarios: tuple[PreviewUser, ...]
    documentos: tuple[PreviewDocument, ...]
    entidad_existente: EntitySummary | None

    @property
    def nombre(self) -> str:
        return self.entidad.nombre

    @property
    def nit(self) -> str:
        return self.entidad.nit

    @property
    def tamano_documentos(self) -> int:
        return sum(d.tamano for d in self.documentos)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    tamano: int
    documentos: int


@dataclass(frozen=True)
class ImportResult:
    entity_id: int
    entidad: str
    creada: bool  # False: a Solicitud de acceso to an existing entity was made instead
    usuarios_creados: tuple[str, ...]
    usuarios_vinculados: tuple[str, ...]
    documentos: int
    # One activation code per created user, for the person who imported to hand over (shown once).
    codigos: tuple[ActivationCode, ...] = field(default=(), repr=False)


# --- helpers -----------------------------------------------------------------------------------

def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def _parse_dt(value: object, what: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise PackageError(f"El paquete no es válido: la fecha «{what}» no tiene el formato esperado.")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PackageError(f"El paquete no es válido: la fecha «{what}» no tiene el formato esperado.") from None
    if parsed.tzinfo is None:
        raise PackageError(f"El paquete no es válido: la fecha «{what}» no indica la zona horaria.")
    return parsed.astimezone(UTC)


def _required_dt(value: object, what: str) -> datetime:
    parsed = _parse_dt(value, what)
    if parsed is None:
        raise PackageError(f"El paquete no es válido: falta la fecha «{what}».")
    return parsed


def _canonical_json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def _report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def _check_cancel(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise CopyCancelled()


def default_name(form: EntityForm) -> str:
    """A file name for the export dialog: 'registro-800111202.secop'."""
    base = form.nit or re.sub(r"[^a-z0-9]+", "-", fold(form.nombre)).strip("-")[:40] or "entidad"
    return f"registro-{base}{SUFFIX}"


# --- export ------------------------------------------------------------------------------------

def _compressible(sample: bytes) -> bool:
    """Most documents (PDF, JPEG, DOCX) are already compressed; deflating them again only costs time."""
    if not sample:
        return False
    return len(zlib.compress(sample, 1)) < 0.9 * len(sample)


def _set_level(info: zipfile.ZipInfo, level: int) -> None:
    # A ZipInfo given to ZipFile.open("w") does not inherit the archive's level.
    if hasattr(type(info), "compress_level"):  # Python 3.13+
        info.compress_level = level  # type: ignore[attr-defined]
    else:
        info._compresslevel = level  # type: ignore[attr-defined]


def _form_json(form: EntityForm) -> dict[str, Any]:
    data = asdict(form)
    data["financials"] = [
        {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()} for row in data["financials"]
    ]
    return data


def registration_data(session: Session, entity_id: int) -> tuple[dict[str, Any], list[Document]]:
    """registro.json for one entity (never a password or security answer) and its document rows."""
    entity = session.get(Entity, entity_id)
    if entity is None:
        raise ServiceError("La Entidad ya no existe.")
    members = session.execute(select(Membership, User).join(User).where(Membership.entity_id == entity_id)
                              .order_by(Membership.id)).all()
    users = {u.id: u for _, u in members}
    docs = list(session.scalars(select(Document).where(Document.entity_id == entity_id).order_by(Document.id)))
    for d in docs:
        if d.anexado_por_id is not None and d.anexado_por_id not in users:
            author = session.get(User, d.anexado_por_id)
            if author is not None:
                users[author.id] = author
    creator = session.get(User, entity.creado_por_id) if entity.creado_por_id is not None else None
    areas = session.scalars(select(AreaInteres).where(AreaInteres.entity_id == entity_id).order_by(AreaInteres.id))
    entidad = _form_json(form_of(entity))
    entidad["dv"] = entity.dv or ""
    data: dict[str, Any] = {
        "entidad": entidad,
        "creado_en": _iso(entity.creado_en),
        "actualizado_en": _iso(entity.actualizado_en),
        "creado_por": creator.usuario if creator is not None else None,
        "usuarios": [
            {**{f: getattr(u, f) for f in USER_FIELDS}, "creado_en": _iso(u.creado_en)}
            for u in sorted(users.values(), key=lambda u: u.id)
        ],
        "membresias": [
            {
                "usuario": u.usuario,
                "es_administrador": m.es_administrador,
                "es_proveedor": m.es_proveedor,
                "acceso": m.acceso,
                "activo": m.activo,
                "fecha_solicitud": _iso(m.fecha_solicitud),
                "fecha_aceptacion": _iso(m.fecha_aceptacion),
                "actualizado_en": _iso(m.actualizado_en),
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
                "anexado_en": _iso(d.anexado_en),
            }
            for d in docs
        ],
        "areas_interes": [{"codigo": a.codigo, "nombre": a.nombre, "activo": a.activo} for a in areas],
    }
    return data, docs


def export_registration(services: Services, entity_id: int, dest: Path, *, progress: Progress | None = None,
                        cancelled: Cancelled | None = None, compresslevel: int = 6) -> ExportResult:
    """Writes dest atomically (a .part file renamed at the end); a cancel or error leaves nothing."""
    documents = DocumentService(services)
    now = services.clock()
    with services.db.session() as s:
        data, docs = registration_data(s, entity_id)
    registro = _canonical_json(data)
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
    try:
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as zf:
            _report(progress, 0, total)
            zf.writestr(zipfile.ZipInfo(REGISTRO, stamp), registro, compress_type=zipfile.ZIP_DEFLATED)
            parts[REGISTRO] = {"sha256": hashlib.sha256(registro).hexdigest(), "tamano": len(registro)}
            done += len(registro)
            for sha, size in unique.items():
                _check_cancel(cancelled)
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
                        _check_cancel(cancelled)
                        digest.update(chunk)
                        out.write(chunk)
                        written += len(chunk)
                        done += len(chunk)
                        _report(progress, done, total)
                if digest.hexdigest() != sha or written != size:
                    raise ServiceError(f"La copia guardada de un documento está dañada (SHA-256 {sha[:12]}…). "
                                       "No se puede exportar el registro.")
                parts[DOC_PREFIX + sha] = {"sha256": sha, "tamano": size}
            manifest = {
                "formato": FORMAT_NAME,
                "version_formato": FORMAT_VERSION,
                "creado_en": _iso(now),
                "version_app": __version__,
                "partes": parts,
            }
            zf.writestr(zipfile.ZipInfo(MANIFEST, stamp), _canonical_json(manifest),
                        compress_type=zipfile.ZIP_DEFLATED)
        with open(part, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(part, dest)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink()
        raise
    _report(progress, total, total)
    return ExportResult(dest, dest.stat().st_size, len(docs))


# --- reading and checking ----------------------------------------------------------------------

@dataclass(frozen=True)
class _Checked:
    creado_en: datetime
    version_app: str
    form: EntityForm
    entity_dates: tuple[datetime | None, datetime | None]
    creado_por: str | None
    usuarios: tuple[dict[str, Any], ...]
    membresias: tuple[dict[str, Any], ...]
    documentos: tuple[dict[str, Any], ...]
    areas: tuple[dict[str, Any], ...]
    staged: dict[str, Path]


def _refuse(reason: str) -> PackageError:
    return PackageError(f"El paquete no se puede importar: {reason} No se guardó nada.")


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
    if name in (MANIFEST, REGISTRO) or _DOC_NAME_RE.fullmatch(name):
        return None
    return f"el paquete contiene un archivo no esperado («{name}»)."


def _check_entries(zf: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits.max_entries:
        raise _refuse(f"contiene {len(infos)} archivos y el máximo es {limits.max_entries}.")
    entries: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        if info.orig_filename != info.filename:
            # zipfile cuts names at NUL and turns os.sep into "/": the raw name must already be clean.
            reason = check_entry_name(info.orig_filename) or "un nombre de archivo dentro del paquete no es válido."
            raise _refuse(reason)
        if (reason := check_entry_name(info.filename)) is not None:
            raise _refuse(reason)
        if info.filename in entries:
            raise _refuse(f"el archivo «{info.filename}» aparece dos veces dentro del paquete.")
        if info.flag_bits & 0x1:
            raise _refuse("contiene archivos cifrados.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _refuse("usa un método de compresión no admitido.")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _refuse("contiene enlaces simbólicos.")
        limit = limits.max_json_size if info.filename in (MANIFEST, REGISTRO) else limits.max_entry_size
        if info.file_size > limit:
            raise _refuse(f"el archivo «{info.filename}» es demasiado grande ({info.file_size} bytes).")
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise _refuse(f"el archivo «{info.filename}» se expande de forma sospechosa (posible bomba zip).")
        total += info.file_size
        if total > limits.max_total_size:
            raise _refuse("su contenido descomprimido supera el tamaño máximo permitido.")
        entries[info.filename] = info
    for required in (MANIFEST, REGISTRO):
        if required not in entries:
            raise _refuse(f"le falta «{required}».")
    return entries


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, sink: IO[bytes] | None, cancelled: Cancelled | None,
            on_chunk: Callable[[int], None] | None = None) -> tuple[str, int, bytes]:
    """Reads one entry (never more than its declared size); returns SHA-256, size and the first bytes."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    with zf.open(info) as handle:
        while True:
            _check_cancel(cancelled)
            chunk = handle.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > info.file_size:
                raise _refuse(f"el archivo «{info.filename}» es más grande de lo declarado.")
            if len(head) < HEAD_SIZE:
                head += chunk[: HEAD_SIZE - len(head)]
            digest.update(chunk)
            if sink is not None:
                sink.write(chunk)
            if on_chunk is not None:
                on_chunk(len(chunk))
    return digest.hexdigest(), size, head


def _read_json(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[Any, str, int]:
    data = bytearray()
    with zf.open(info) as handle:
        while chunk := handle.read(_CHUNK):
            data += chunk
            if len(data) > info.file_size:
                raise _refuse(f"el archivo «{info.filename}» es más grande de lo declarado.")
    try:
        parsed = json.loads(bytes(data).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _refuse(f"«{info.filename}» no es un JSON válido.") from None
    return parsed, hashlib.sha256(data).hexdigest(), len(data)


def _obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _refuse(f"«{what}» no tiene el formato esperado.")
    return value


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise _refuse(f"«{what}» no tiene el formato esperado.")
    return value


def _typed(record: dict[str, Any], keys: tuple[str, ...], what: str, types: dict[str, tuple[type, ...]],
           optional: tuple[str, ...] = ()) -> None:
    unknown = set(record) - set(keys) - set(optional)
    missing = set(keys) - set(record)
    if unknown or missing:
        raise _refuse(f"«{what}» tiene campos no esperados o le faltan campos.")
    for key, allowed in types.items():
        value = record.get(key)
        # bool is an int in Python; a number where a bool is expected (or the reverse) is refused.
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise _refuse(f"el campo «{key}» de «{what}» no tiene el tipo esperado.")


def _parse_form(data: dict[str, Any]) -> EntityForm:
    names = {f.name for f in fields(EntityForm)}
    if set(data) != names:
        raise _refuse("los datos de la Entidad tienen campos no esperados o les faltan campos.")
    values: dict[str, Any] = {}
    for f in fields(EntityForm):
        value = data[f.name]
        if f.name == "financials":
            continue
        if f.name == "mipyme":
            ok = value is None or isinstance(value, bool)
        elif f.name == "obligado_contabilidad":
            ok = isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        if not ok:
            raise _refuse(f"el campo «{f.name}» de la Entidad no tiene el tipo esperado.")
        values[f.name] = value
    form = EntityForm(**values)
    rows = []
    money = [k for k in (f.name for f in fields(FinancialYear)) if k not in ("anio", "anio_fiscal")]
    for raw in _list(data["financials"], "información financiera"):
        row = _obj(raw, "información financiera")
        if set(row) != {f.name for f in fields(FinancialYear)}:
            raise _refuse("la información financiera tiene campos no esperados.")
        if not isinstance(row["anio"], int) or isinstance(row["anio"], bool) or not isinstance(row["anio_fiscal"], str):
            raise _refuse("la información financiera no tiene el formato esperado.")
        amounts: dict[str, Decimal | None] = {}
        for key in money:
            value = row[key]
            if value is None:
                amounts[key] = None
                continue
            try:
                amount = Decimal(value) if isinstance(value, str) else None
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite():
                raise _refuse(f"el valor «{key}» de la información financiera no es un número.")
            amounts[key] = amount
        rows.append(FinancialYear(anio=row["anio"], anio_fiscal=row["anio_fiscal"], **amounts))
    form.financials = rows
    errors = validate_entity(form)
    if errors:
        raise _refuse("los datos de la Entidad no son válidos (" +
                      "; ".join(f"{e.label}: {e.message}" for e in errors[:3]) + ").")
    if form.nit and form.dv and form.dv != validators.nit_check_digit(form.nit):
        raise _refuse("el dígito de verificación no corresponde al NIT.")
    return form


def _parse_registro(data: object) -> dict[str, Any]:
    root = _obj(data, REGISTRO)
    expected = {"entidad", "creado_en", "actualizado_en", "creado_por", "usuarios", "membresias", "documentos",
                "areas_interes"}
    if set(root) != expected:
        raise _refuse(f"«{REGISTRO}» tiene secciones no esperadas o le faltan secciones.")
    usuarios = [_obj(u, "usuarios") for u in _list(root["usuarios"], "usuarios")]
    seen: set[str] = set()
    for u in usuarios:
        _typed(u, USER_FIELDS, "usuarios", {f: (str,) for f in USER_FIELDS}, optional=("creado_en",))
        _parse_dt(u.get("creado_en"), "creado_en")
        if (msg := validators.check_usuario(u["usuario"])) is not None:
            raise _refuse(f"el usuario «{u['usuario']}» no es válido: {msg}")
        if (msg := validators.check_email(u["correo"])) is not None:
            raise _refuse(f"el correo del usuario «{u['usuario']}» no es válido.")
        for key in ("nombre", "nombre_entidad", "pregunta_seguridad", "telefono_movil", "zona_horaria", "pais"):
            if validators.check_text(u[key], required=key in ("nombre",)) is not None:
                raise _refuse(f"el campo «{key}» del usuario «{u['usuario']}» no es válido.")
        key = validators.normalize_usuario(u["usuario"])
        if key in seen:
            raise _refuse(f"el usuario «{u['usuario']}» aparece dos veces.")
        seen.add(key)
    membresias = [_obj(m, "membresias") for m in _list(root["membresias"], "membresias")]
    member_users: set[str] = set()
    for m in membresias:
        _typed(m, MEMBERSHIP_FIELDS, "membresias", {
            "usuario": (str,), "es_administrador": (bool,), "es_proveedor": (bool,), "acceso": (str,),
            "activo": (bool,)})
        key = validators.normalize_usuario(m["usuario"])
        if key not in seen or key in member_users:
            raise _refuse(f"la membresía de «{m['usuario']}» no corresponde a un usuario del paquete.")
        member_users.add(key)
        if m["acceso"] not in {a.value for a in Acceso}:
            raise _refuse(f"el acceso «{m['acceso']}» no es válido.")
        _required_dt(m["fecha_solicitud"], "fecha_solicitud")
        _parse_dt(m["fecha_aceptacion"], "fecha_aceptacion")
        _required_dt(m["actualizado_en"], "actualizado_en")
    documentos = [_obj(d, "documentos") for d in _list(root["documentos"], "documentos")]
    tipos = {s.tipo for s in all_slots()}
    for d in documentos:
        _typed(d, DOCUMENT_FIELDS, "documentos", {"tipo": (str,), "nombre_original": (str,), "sha256": (str,),
                                                   "tamano": (int,)})
        if d["tipo"] not in tipos:
            raise _refuse(f"el tipo de documento «{d['tipo']}» no existe.")
        if (refusal := check_name(d["nombre_original"])) is not None:
            raise _refuse(refusal.message)
        if not re.fullmatch(r"[0-9a-f]{64}", d["sha256"]):
            raise _refuse("un documento tiene un SHA-256 no válido.")
        author = d["anexado_por"]
        if author is not None and (not isinstance(author, str) or validators.normalize_usuario(author) not in seen):
            raise _refuse("un documento fue anexado por un usuario que no está en el paquete.")
        _required_dt(d["anexado_en"], "anexado_en")
    areas = [_obj(a, "areas_interes") for a in _list(root["areas_interes"], "areas_interes")]
    for a in areas:
        _typed(a, AREA_FIELDS, "areas_interes", {"codigo": (str,), "nombre": (str,), "activo": (bool,)})
        if not re.fullmatch(r"\d{2,8}", a["codigo"]) or validators.check_text(a["nombre"]) is not None:
            raise _refuse(f"el área de interés «{a['codigo']}» no es válida.")
    creator = root["creado_por"]
    if creator is not None and (not isinstance(creator, str) or validators.normalize_usuario(creator) not in seen):
        raise _refuse("el creador de la Entidad no está entre los usuarios del paquete.")
    return root


def _read(path: Path, limits: Limits, staging: Path | None, progress: Progress | None,
          cancelled: Cancelled | None) -> _Checked:
    """Every check of the package; with staging, documents are extracted there while being hashed."""
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PackageError("El archivo del paquete no existe.") from None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _refuse("no es un paquete de registro (.secop) válido.") from None
    try:
        with zf:
            return _read_open(zf, limits, staging, progress, cancelled)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, ValueError, NotImplementedError,
            RuntimeError):
        raise _refuse("el archivo está dañado o no es un paquete válido.") from None


def _read_open(zf: zipfile.ZipFile, limits: Limits, staging: Path | None, progress: Progress | None,
               cancelled: Cancelled | None) -> _Checked:
    entries = _check_entries(zf, limits)
    manifest, _, _ = _read_json(zf, entries[MANIFEST])
    manifest = _obj(manifest, MANIFEST)
    if manifest.get("formato") != FORMAT_NAME:
        raise _refuse("no es un paquete de registro de secop-desktop.")
    version = manifest.get("version_formato")
    if not isinstance(version, int) or isinstance(version, bool):
        raise _refuse("el manifiesto no indica la versión del formato.")
    if version > FORMAT_VERSION:
        raise _refuse(f"fue creado con una versión más reciente del formato ({version}). "
                      "Actualice la aplicación.")
    if version != FORMAT_VERSION:
        raise _refuse(f"la versión del formato ({version}) no es compatible.")
    creado_en = _required_dt(manifest.get("creado_en"), "creado_en")
    version_app = manifest.get("version_app")
    if not isinstance(version_app, str) or len(version_app) > 40:
        raise _refuse("el manifiesto no indica la versión de la aplicación.")
    partes = _obj(manifest.get("partes"), "partes")
    if set(partes) != set(entries) - {MANIFEST}:
        raise _refuse("el contenido no coincide con el manifiesto (sobran o faltan archivos).")
    for name, meta in partes.items():
        meta = _obj(meta, "partes")
        if set(meta) != {"sha256", "tamano"} or not isinstance(meta["sha256"], str) \
                or not isinstance(meta["tamano"], int) or isinstance(meta["tamano"], bool):
            raise _refuse("el manifiesto no tiene el formato esperado.")
        if meta["tamano"] != entries[name].file_size:
            raise _refuse(f"el tamaño de «{name}» no coincide con el manifiesto.")
        if name.startswith(DOC_PREFIX) and meta["sha256"] != name[len(DOC_PREFIX):]:
            raise _refuse(f"el SHA-256 de «{name}» no coincide con su nombre.")

    raw, sha, size = _read_json(zf, entries[REGISTRO])
    if sha != partes[REGISTRO]["sha256"] or size != partes[REGISTRO]["tamano"]:
        raise _refuse(f"el SHA-256 de «{REGISTRO}» no coincide con el manifiesto (el archivo fue modificado).")
    root = _parse_registro(raw)
    form = _parse_form(_obj(root["entidad"], "entidad"))

    doc_parts = {n[len(DOC_PREFIX):]: entries[n] for n in entries if n.startswith(DOC_PREFIX)}
    referenced = {d["sha256"] for d in root["documentos"]}
    if referenced != set(doc_parts):
        raise _refuse("los documentos del registro no coinciden con los archivos del paquete.")
    for d in root["documentos"]:
        if d["tamano"] != doc_parts[d["sha256"]].file_size:
            raise _refuse(f"el tamaño del documento «{d['nombre_original']}» no coincide.")
    names_by_sha: dict[str, list[str]] = {}
    for d in root["documentos"]:
        names_by_sha.setdefault(d["sha256"], []).append(d["nombre_original"])

    total = sum(i.file_size for i in doc_parts.values())
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        _report(progress, done, total)

    _report(progress, 0, total)
    staged: dict[str, Path] = {}
    for sha, info in doc_parts.items():
        target = staging / sha if staging is not None else None
        with (open(target, "xb") if target is not None else contextlib.nullcontext()) as sink:
            got, size, head = _stream(zf, info, sink, cancelled, advance)
        if got != sha or size != info.file_size:
            raise _refuse(f"el SHA-256 del documento «{names_by_sha[sha][0]}» no coincide con el manifiesto "
                          "(el archivo fue modificado).")
        for name in names_by_sha[sha]:
            if (refusal := check_content(head, name)) is not None:
                raise _refuse(refusal.message)
        if target is not None:
            staged[sha] = target
    return _Checked(
        creado_en=creado_en,
        version_app=version_app,
        form=form,
        entity_dates=(_parse_dt(root["creado_en"], "creado_en"), _parse_dt(root["actualizado_en"], "actualizado_en")),
        creado_por=root["creado_por"],
        usuarios=tuple(root["usuarios"]),
        membresias=tuple(root["membresias"]),
        documentos=tuple(root["documentos"]),
        areas=tuple(root["areas_interes"]),
        staged=staged,
    )


# --- looking at the store ------------------------------------------------------------------------

def _existing_entity(s: Session, form: EntityForm) -> Entity | None:
    nit = validators.compact_nit(form.nit) if form.nit else ""
    if nit:
        return s.scalar(select(Entity).where(Entity.pais == form.pais, Entity.nit == nit))
    # Consorcios and uniones temporales may have no NIT yet: the same name in the same country is the same.
    return s.scalars(select(Entity).where(Entity.pais == form.pais,
                                          Entity.nombre_busqueda == fold(" ".join(form.nombre.split())))).first()


def _existing_users(s: Session, usuarios: tuple[dict[str, Any], ...]) -> dict[str, User]:
    """Users of the package already here (linked, not duplicated); a different e-mail is refused."""
    found: dict[str, User] = {}
    for u in usuarios:
        user = s.scalar(select(User).where(User.usuario_normalizado == validators.normalize_usuario(u["usuario"])))
        if user is None:
            continue
        if user.correo.casefold() != validators.normalize_email(u["correo"]).casefold():
            raise _refuse(f"el usuario «{u['usuario']}» ya existe en este equipo con otro correo electrónico.")
        found[validators.normalize_usuario(u["usuario"])] = user
    return found


def _preview_of(path: Path, checked: _Checked, existing: Entity | None, linked: dict[str, User]) -> PackagePreview:
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


def preview(services: Services, path: Path, *, limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None,
            cancelled: Cancelled | None = None) -> PackagePreview:
    """Checks the whole package (every hash) without touching the store; says what would be imported."""
    checked = _read(Path(path), limits, None, progress, cancelled)
    with services.db.session() as s:
        existing = _existing_entity(s, checked.form)
        linked = _existing_users(s, checked.usuarios)
        return _preview_of(Path(path), checked, existing, linked)


# --- import --------------------------------------------------------------------------------------

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


def _create_user(services: Services, s: Session, u: dict[str, Any], now: datetime, actor: audit.Actor,
                 entidad: str, handed: list[ActivationCode]) -> User:
    # No password or answer travels in a package: "!" marks them unset (never a valid argon2 hash, so
    # every sign-in is refused) until the owner activates the account and chooses a password.
    user = User(
        **{f: u[f] for f in USER_FIELDS if f not in ("usuario", "correo")},
        usuario=u["usuario"].strip(),
        usuario_normalizado=validators.normalize_usuario(u["usuario"]),
        correo=validators.normalize_email(u["correo"]),
        password_hash=UNSET_SECRET + secrets.token_hex(16),
        respuesta_hash=UNSET_SECRET + secrets.token_hex(16),
        estado=EstadoUsuario.PENDIENTE.value,
        creado_en=_parse_dt(u.get("creado_en"), "creado_en") or now,
        actualizado_en=now,
    )
    s.add(user)
    s.flush()
    token = services.users.issue_token(s, user, "activacion")
    reset = services.users.issue_token(s, user, "restablecer")
    handed.append(ActivationCode(user.id, user.usuario, token.codigo, token.expira_en))
    outbox.post(s, now, user, "activacion", "Activación de su registro en SECOP",
                imported_user_body(user, entidad, token, reset), token.enlace)
    audit.record(s, now, actor, "usuario_importado", "usuario", user.id,
                 despues={"usuario": user.usuario, "correo": user.correo})
    return user


def import_registration(services: Services, path: Path, *, solicitar_acceso: bool = False,
                        limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None,
                        cancelled: Cancelled | None = None) -> ImportResult:
    """Checks everything first, then stores users, entity and documents in one transaction.

    If the entity already exists, EntityExists is raised unless solicitar_acceso: then the package's
    users get a Pendiente Solicitud de acceso to it (and nothing of the entity is duplicated).
    Documents are written to the blob store before the commit and removed if anything fails.
    """
    documents = DocumentService(services)
    staging_root = Path(services.data_dir) / "importando"
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix="paquete-", dir=staging_root))
    try:
        total_docs = 0

        def read_progress(done: int, total: int) -> None:
            nonlocal total_docs
            total_docs = total
            _report(progress, done, 2 * total)

        checked = _read(Path(path), limits, staging, read_progress, cancelled)
        for d in checked.documentos:
            refusal = check_file(checked.staged[d["sha256"]], d["nombre_original"], max_size=documents.max_size)
            if refusal is not None:
                raise _refuse(refusal.message)
        return _store(services, documents, checked, solicitar_acceso, progress, cancelled, total_docs)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _store(services: Services, documents: DocumentService, checked: _Checked, solicitar_acceso: bool,
           progress: Progress | None, cancelled: Cancelled | None, total_docs: int) -> ImportResult:
    now = services.clock()
    actor = audit.Actor(None, f"importación ({current_agent()})")
    new_blobs: list[str] = []
    done = total_docs
    # The documents lock keeps a concurrent "Borrar documento" from deleting a blob this import
    # has stored but not yet committed a row for.
    with documents.store_lock:
        try:
            with services.db.session() as s:
                existing = _existing_entity(s, checked.form)
                linked = _existing_users(s, checked.usuarios)
                if existing is not None and not solicitar_acceso:
                    raise EntityExists(summary(existing))
                entidad_nombre = existing.nombre if existing is not None else checked.form.nombre
                users: dict[str, User] = dict(linked)
                created: list[str] = []
                handed: list[ActivationCode] = []
                for u in checked.usuarios:
                    key = validators.normalize_usuario(u["usuario"])
                    if key not in users:
                        users[key] = _create_user(services, s, u, now, actor, entidad_nombre, handed)
                        created.append(users[key].usuario)
                linked_names = tuple(users[k].usuario for k in linked)
                if existing is not None:
                    _request_access(s, existing, checked, users, now, actor)
                    return ImportResult(existing.id, existing.nombre, False, tuple(created), linked_names, 0,
                                        tuple(handed))
                entity = _create_entity(s, checked, users, now, actor)
                for sha, staged in checked.staged.items():
                    _check_cancel(cancelled)
                    existed = documents.store.exists(sha)
                    base = done

                    def store_progress(d: int, _t: int, base: int = base) -> None:
                        _report(progress, base + d, 2 * total_docs)

                    blob = documents.store.store(staged, progress=store_progress, cancelled=cancelled)
                    if not existed:
                        new_blobs.append(blob.sha256)
                    if blob.sha256 != sha:
                        raise _refuse("un documento cambió mientras se importaba.")
                    done += blob.size
                for d in checked.documentos:
                    author = users.get(validators.normalize_usuario(d["anexado_por"])) if d["anexado_por"] else None
                    doc = Document(entity_id=entity.id, tipo=d["tipo"], nombre_original=d["nombre_original"],
                                   sha256=d["sha256"], tamano=d["tamano"],
                                   ruta=documents.store.relative_path_for(d["sha256"]),
                                   anexado_por_id=author.id if author is not None else None,
                                   anexado_en=_required_dt(d["anexado_en"], "anexado_en"))
                    s.add(doc)
                s.flush()
                audit.record(s, now, actor, "registro_importado", "entidad", entity.id, entity_id=entity.id,
                             despues={"nombre": entity.nombre, "nit": entity.nit,
                                      "documentos": len(checked.documentos), "usuarios": sorted(users)})
                result = ImportResult(entity.id, entity.nombre, True, tuple(created), linked_names,
                                      len(checked.documentos), tuple(handed))
        except BaseException:
            for sha in new_blobs:
                with contextlib.suppress(OSError, ValueError):
                    documents.store.delete(sha)
            raise
    _report(progress, 2 * total_docs, 2 * total_docs)
    return result


def _create_entity(s: Session, checked: _Checked, users: dict[str, User], now: datetime,
                   actor: audit.Actor) -> Entity:
    creado_en, actualizado_en = checked.entity_dates
    creator = users.get(validators.normalize_usuario(checked.creado_por)) if checked.creado_por else None
    entity = Entity(creado_por_id=creator.id if creator is not None else None, creado_en=creado_en or now,
                    actualizado_en=actualizado_en or now)
    apply_form(entity, checked.form)
    s.add(entity)
    s.flush()
    for m in checked.membresias:
        s.add(Membership(
            user_id=users[validators.normalize_usuario(m["usuario"])].id, entity_id=entity.id,
            es_administrador=m["es_administrador"], es_proveedor=m["es_proveedor"], acceso=m["acceso"],
            activo=m["activo"], fecha_solicitud=_required_dt(m["fecha_solicitud"], "fecha_solicitud"),
            fecha_aceptacion=_parse_dt(m["fecha_aceptacion"], "fecha_aceptacion"),
            actualizado_en=_required_dt(m["actualizado_en"], "actualizado_en")))
    for a in checked.areas:
        s.add(AreaInteres(entity_id=entity.id, codigo=a["codigo"], nombre=a["nombre"], activo=a["activo"]))
    audit.record(s, now, actor, "entidad_registrada", "entidad", entity.id, entity_id=entity.id,
                 despues={"nombre": entity.nombre, "nit": entity.nit, "origen": "paquete"})
    return entity


def _request_access(s: Session, entity: Entity, checked: _Checked, users: dict[str, User], now: datetime,
                    actor: audit.Actor) -> None:
    """Solicitud de acceso for every user of the package, as the guide's section VI."""
    admins = list(s.scalars(select(User).join(Membership).where(
        Membership.entity_id == entity.id, Membership.es_administrador.is_(True),
        Membership.acceso == Acceso.ACEPTADO.value, Membership.activo.is_(True))))
    for user in users.values():
        m = s.scalar(select(Membership).where(Membership.user_id == user.id, Membership.entity_id == entity.id))
        if m is not None and m.acceso in (Acceso.PENDIENTE.value, Acceso.ACEPTADO.value):
            continue
        m, before = mark_pending(s, user.id, entity.id, now)
        audit.record(s, now, actor, "acceso_solicitado", "membresia", m.id, entity_id=entity.id,
                     antes={"acceso": before}, despues={"acceso": m.acceso, "usuario": user.usuario})
        for admin in admins:
            outbox.post(s, now, admin, "solicitud_acceso", "Solicitud de acceso",
                        f"El usuario {user.nombre} ({user.correo}) está solicitando acceso a "
                        f"{entity.nombre}. Ábrala en Administración de usuarios para aceptarla.")

