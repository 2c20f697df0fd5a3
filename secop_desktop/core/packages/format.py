"""The .secop format: names inside the zip, limits, the manifest and registro.json schema, and what a
preview or an import reports. Nothing here touches the store or the file system."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from secop_desktop.core import validators
from secop_desktop.core.accounts.users import ActivationCode, UserRegistration, validate_registration
from secop_desktop.core.documents.blobstore import CopyCancelled
from secop_desktop.core.documents.file_policy import DEFAULT_MAX_SIZE, check_name
from secop_desktop.core.documents.service import all_slots
from secop_desktop.core.entities.interests import check_codigo
from secop_desktop.core.entities.service import EntityForm, EntitySummary, FinancialYear, validate_entity
from secop_desktop.core.text import fold
from secop_desktop.errors import ServiceError
from secop_desktop.vocab import Acceso

FORMAT_NAME = "secop-desktop-registro"
FORMAT_VERSION = 1
SUFFIX = ".secop"
MANIFEST = "manifest.json"
REGISTRO = "registro.json"
DOC_PREFIX = "documents/"
DOC_NAME_RE = re.compile(r"documents/[0-9a-f]{64}")
SHA_RE = re.compile(r"[0-9a-f]{64}")
AREA_CODE_RE = re.compile(r"[0-9]{8}")
_MIB = 1 << 20
_GIB = 1 << 30
# Dates outside these years are refused: they overflow on conversion to UTC or in the database.
MIN_YEAR = 1900
MAX_YEAR = 2999

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

USER_FIELDS = ("usuario", "nombre", "pais", "nombre_entidad", "correo", "tipo_registro", "pregunta_seguridad",
               "telefono_movil", "zona_horaria")
MEMBERSHIP_FIELDS = ("usuario", "es_administrador", "es_proveedor", "acceso", "activo", "fecha_solicitud",
                     "fecha_aceptacion", "actualizado_en")
DOCUMENT_FIELDS = ("tipo", "nombre_original", "sha256", "tamano", "anexado_por", "anexado_en")
# Added after format 1 was published: optional, so packages written before them still import.
VALIDITY_FIELDS = ("valido_desde", "valido_hasta")
AREA_FIELDS = ("codigo", "nombre", "activo")
# The Registrar usuario form's fields under their package names; the secrets never travel.
_USER_FORM_FIELDS = {"nombre": "nombre", "pais": "pais", "nombre_entidad": "nombre_entidad", "correo": "correo",
                     "tipo_registro": "tipo_registro", "usuario": "usuario", "pregunta_seguridad": "pregunta",
                     "telefono_movil": "telefono", "zona_horaria": "zona_horaria"}
_SECRET_FORM_FIELDS = {"contrasena", "confirmar", "respuesta", "acepta_terminos"}


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
    # Central directory bytes allowed per entry (the names export writes are 74 characters).
    max_directory_per_entry: int = 1024


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


@dataclass(frozen=True)
class Checked:
    """A package that passed every check; with staging, its documents are unpacked there."""

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


# --- small helpers -------------------------------------------------------------------------------

def refuse(reason: str) -> PackageError:
    return PackageError(f"El paquete no se puede importar: {reason} No se guardó nada.")


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


def parse_dt(value: object, what: str) -> datetime | None:
    if value is None:
        return None
    bad = f"la fecha «{what}» no tiene el formato esperado."
    if not isinstance(value, str) or len(value) > 64:
        raise refuse(bad)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise refuse(bad) from None
    if parsed.tzinfo is None:
        raise refuse(f"la fecha «{what}» no indica la zona horaria.")
    try:
        utc = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        raise refuse(f"la fecha «{what}» está fuera del rango permitido.") from None
    if not MIN_YEAR <= utc.year <= MAX_YEAR:
        raise refuse(f"la fecha «{what}» está fuera del rango permitido.")
    return utc


def parse_day(value: object, what: str) -> date | None:
    """A calendar day written as YYYY-MM-DD (a document's validity), or None when absent."""
    if value is None:
        return None
    bad = f"la fecha «{what}» no tiene el formato esperado."
    if not isinstance(value, str) or len(value) != 10:
        raise refuse(bad)
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise refuse(bad) from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise refuse(f"la fecha «{what}» está fuera del rango permitido.")
    return parsed


def required_dt(value: object, what: str) -> datetime:
    parsed = parse_dt(value, what)
    if parsed is None:
        raise refuse(f"falta la fecha «{what}».")
    return parsed


def canonical_json(data: object) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def report(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total)


def check_cancel(cancelled: Cancelled | None) -> None:
    if cancelled is not None and cancelled():
        raise CopyCancelled()


def default_name(form: EntityForm) -> str:
    """A file name for the export dialog: 'registro-800111202.secop'."""
    base = form.nit or re.sub(r"[^a-z0-9]+", "-", fold(form.nombre)).strip("-")[:40] or "entidad"
    return f"registro-{base}{SUFFIX}"


def form_json(form: EntityForm) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(form)
    data["financials"] = [
        {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()} for row in data["financials"]
    ]
    return data


# --- schema --------------------------------------------------------------------------------------

def obj(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise refuse(f"«{what}» no tiene el formato esperado.")
    return value


def array(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise refuse(f"«{what}» no tiene el formato esperado.")
    return value


def _typed(record: dict[str, Any], keys: tuple[str, ...], what: str, types: dict[str, tuple[type, ...]],
           optional: tuple[str, ...] = ()) -> None:
    unknown = set(record) - set(keys) - set(optional)
    missing = set(keys) - set(record)
    if unknown or missing:
        raise refuse(f"«{what}» tiene campos no esperados o le faltan campos.")
    for key, allowed in types.items():
        value = record.get(key)
        # bool is an int in Python; a number where a bool is expected (or the reverse) is refused.
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            raise refuse(f"el campo «{key}» de «{what}» no tiene el tipo esperado.")


def parse_manifest(data: object, entries: dict[str, int]) -> tuple[datetime, str, dict[str, dict[str, Any]]]:
    """The manifest against the zip's entries (name -> size): creation date, app version and parts."""
    manifest = obj(data, MANIFEST)
    if manifest.get("formato") != FORMAT_NAME:
        raise refuse("no es un paquete de registro de secop-desktop.")
    version = manifest.get("version_formato")
    if not isinstance(version, int) or isinstance(version, bool):
        raise refuse("el manifiesto no indica la versión del formato.")
    if version > FORMAT_VERSION:
        raise refuse(f"fue creado con una versión más reciente del formato ({version}). Actualice la aplicación.")
    if version != FORMAT_VERSION:
        raise refuse(f"la versión del formato ({version}) no es compatible.")
    creado_en = required_dt(manifest.get("creado_en"), "creado_en")
    version_app = manifest.get("version_app")
    if not isinstance(version_app, str) or len(version_app) > 40 or validators.has_control_chars(version_app):
        raise refuse("el manifiesto no indica la versión de la aplicación.")
    partes = obj(manifest.get("partes"), "partes")
    if set(partes) != set(entries) - {MANIFEST}:
        raise refuse("el contenido no coincide con el manifiesto (sobran o faltan archivos).")
    for name, meta in partes.items():
        meta = obj(meta, "partes")
        if set(meta) != {"sha256", "tamano"} or not isinstance(meta["sha256"], str) \
                or not isinstance(meta["tamano"], int) or isinstance(meta["tamano"], bool):
            raise refuse("el manifiesto no tiene el formato esperado.")
        if meta["tamano"] != entries[name]:
            raise refuse(f"el tamaño de «{name}» no coincide con el manifiesto.")
        if name.startswith(DOC_PREFIX) and meta["sha256"] != name[len(DOC_PREFIX):]:
            raise refuse(f"el SHA-256 de «{name}» no coincide con su nombre.")
    return creado_en, version_app, partes


def parse_form(data: dict[str, Any]) -> EntityForm:
    """The Entidad's data, held to the same validation as the Datos de la Entidad form."""
    names = {f.name for f in fields(EntityForm)}
    if set(data) != names:
        raise refuse("los datos de la Entidad tienen campos no esperados o les faltan campos.")
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
            raise refuse(f"el campo «{f.name}» de la Entidad no tiene el tipo esperado.")
        values[f.name] = value
    form = EntityForm(**values)
    rows = []
    years: set[int] = set()
    money = [k for k in (f.name for f in fields(FinancialYear)) if k not in ("anio", "anio_fiscal")]
    for raw in array(data["financials"], "información financiera"):
        row = obj(raw, "información financiera")
        if set(row) != {f.name for f in fields(FinancialYear)}:
            raise refuse("la información financiera tiene campos no esperados.")
        if not isinstance(row["anio"], int) or isinstance(row["anio"], bool) or not isinstance(row["anio_fiscal"], str):
            raise refuse("la información financiera no tiene el formato esperado.")
        if not MIN_YEAR <= row["anio"] <= MAX_YEAR or row["anio"] in years:
            raise refuse(f"el año {row['anio']} de la información financiera no es válido o está repetido.")
        years.add(row["anio"])
        amounts: dict[str, Decimal | None] = {}
        for key in money:
            value = row[key]
            if value is None:
                amounts[key] = None
                continue
            try:
                amount = Decimal(value) if isinstance(value, str) and len(value) <= 40 else None
            except InvalidOperation:
                amount = None
            if amount is None or not amount.is_finite():
                raise refuse(f"el valor «{key}» de la información financiera no es un número.")
            amounts[key] = amount
        rows.append(FinancialYear(anio=row["anio"], anio_fiscal=row["anio_fiscal"], **amounts))
    form.financials = rows
    errors = validate_entity(form)
    if errors:
        raise refuse("los datos de la Entidad no son válidos (" +
                     "; ".join(f"{e.label}: {e.message}" for e in errors[:3]) + ").")
    if form.nit and form.dv and form.dv != validators.nit_check_digit(form.nit):
        raise refuse("el dígito de verificación no corresponde al NIT.")
    return form


def _check_user(u: dict[str, Any]) -> None:
    """The Registrar usuario form's rules (lists, sizes, phone), except the secrets that never travel."""
    form = UserRegistration(**{_USER_FORM_FIELDS[k]: u[k] for k in USER_FIELDS})
    errors = [e for e in validate_registration(form, require_terms=False) if e.field not in _SECRET_FORM_FIELDS]
    if errors:
        e = errors[0]
        raise refuse(f"el campo «{e.label}» del usuario «{validators.normalize_usuario(u['usuario'])[:60]}» "
                     f"no es válido: {e.message}")


def parse_registro(data: object) -> dict[str, Any]:
    """registro.json: every record typed, every value held to the forms' rules, nothing inconsistent."""
    root = obj(data, REGISTRO)
    expected = {"entidad", "creado_en", "actualizado_en", "creado_por", "usuarios", "membresias", "documentos",
                "areas_interes"}
    if set(root) != expected:
        raise refuse(f"«{REGISTRO}» tiene secciones no esperadas o le faltan secciones.")
    parse_dt(root["creado_en"], "creado_en")
    parse_dt(root["actualizado_en"], "actualizado_en")
    usuarios = [obj(u, "usuarios") for u in array(root["usuarios"], "usuarios")]
    seen: set[str] = set()
    for u in usuarios:
        _typed(u, USER_FIELDS, "usuarios", {f: (str,) for f in USER_FIELDS}, optional=("creado_en",))
        parse_dt(u.get("creado_en"), "creado_en")
        if (msg := validators.check_usuario(u["usuario"])) is not None:
            raise refuse(f"el usuario del paquete no es válido: {msg}")
        _check_user(u)
        key = validators.normalize_usuario(u["usuario"])
        if key in seen:
            raise refuse(f"el usuario «{u['usuario']}» aparece dos veces.")
        seen.add(key)
    membresias = [obj(m, "membresias") for m in array(root["membresias"], "membresias")]
    member_users: set[str] = set()
    admins = 0
    for m in membresias:
        _typed(m, MEMBERSHIP_FIELDS, "membresias", {
            "usuario": (str,), "es_administrador": (bool,), "es_proveedor": (bool,), "acceso": (str,),
            "activo": (bool,)})
        key = validators.normalize_usuario(m["usuario"])
        if key not in seen or key in member_users:
            raise refuse(f"la membresía de «{m['usuario']}» no corresponde a un usuario del paquete.")
        member_users.add(key)
        if m["acceso"] not in {a.value for a in Acceso}:
            raise refuse(f"el acceso «{m['acceso']}» no es válido.")
        required_dt(m["fecha_solicitud"], "fecha_solicitud")
        parse_dt(m["fecha_aceptacion"], "fecha_aceptacion")
        required_dt(m["actualizado_en"], "actualizado_en")
        if m["es_administrador"] and m["activo"] and m["acceso"] == Acceso.ACEPTADO.value:
            admins += 1
    if not admins:
        # The same rule as Administración de usuarios: an Entidad always keeps an administrator.
        raise refuse("la Entidad no tiene ningún administrador con acceso aceptado y activo.")
    documentos = [obj(d, "documentos") for d in array(root["documentos"], "documentos")]
    tipos = {s.tipo for s in all_slots()}
    filled: set[str] = set()
    for d in documentos:
        _typed(d, DOCUMENT_FIELDS, "documentos", {"tipo": (str,), "nombre_original": (str,), "sha256": (str,),
                                                   "tamano": (int,)}, optional=VALIDITY_FIELDS)
        if d["tipo"] not in tipos:
            raise refuse(f"el tipo de documento «{d['tipo'][:40]}» no existe.")
        if d["tipo"] in filled:
            raise refuse(f"hay dos documentos para «{d['tipo']}»; cada documento ocupa una sola fila.")
        filled.add(d["tipo"])
        if (refusal := check_name(d["nombre_original"])) is not None:
            raise refuse(refusal.message)
        if not SHA_RE.fullmatch(d["sha256"]):
            raise refuse("un documento tiene un SHA-256 no válido.")
        if d["tamano"] < 0:
            raise refuse("un documento tiene un tamaño no válido.")
        author = d["anexado_por"]
        if author is not None and (not isinstance(author, str) or validators.normalize_usuario(author) not in seen):
            raise refuse("un documento fue anexado por un usuario que no está en el paquete.")
        required_dt(d["anexado_en"], "anexado_en")
        desde, hasta = (parse_day(d.get(key), key) for key in VALIDITY_FIELDS)
        if desde is not None and hasta is not None and hasta < desde:
            raise refuse("un documento vence antes de la fecha desde la que es válido.")
    areas = [obj(a, "areas_interes") for a in array(root["areas_interes"], "areas_interes")]
    codes: set[str] = set()
    for a in areas:
        _typed(a, AREA_FIELDS, "areas_interes", {"codigo": (str,), "nombre": (str,), "activo": (bool,)})
        if not AREA_CODE_RE.fullmatch(a["codigo"]) or check_codigo(a["codigo"]) is not None \
                or validators.check_text(a["nombre"], max_length=300) is not None:
            raise refuse(f"el área de interés «{a['codigo'][:20]}» no es válida.")
        if a["codigo"] in codes:
            raise refuse(f"el área de interés «{a['codigo']}» aparece dos veces.")
        codes.add(a["codigo"])
    creator = root["creado_por"]
    if creator is not None and (not isinstance(creator, str) or validators.normalize_usuario(creator) not in seen):
        raise refuse("el creador de la Entidad no está entre los usuarios del paquete.")
    return root
