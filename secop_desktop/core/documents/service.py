"""The guide's "Anexar documentos": document slots, and attaching, listing and deleting documents."""

from __future__ import annotations

import builtins
import contextlib
import errno
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from secop_desktop.core.access import audit, authorize
from secop_desktop.core.accounts import mailbox
from secop_desktop.core.documents import deadlines
from secop_desktop.core.documents.blobstore import BlobStore, CopyCancelled, StoredBlob
from secop_desktop.core.documents.file_policy import (
    DEFAULT_MAX_SIZE,
    Refusal,
    check_file,
    printable_name,
)
from secop_desktop.core.identity import Actor, SignedIn
from secop_desktop.errors import FieldError, PermissionDenied, ServiceError, ValidationError
from secop_desktop.store.database import UnitOfWork
from secop_desktop.store.models import Document, Entity, User
from secop_desktop.store.queries import documents as queries
from secop_desktop.store.queries import memberships
from secop_desktop.store.queries import settings as shared_settings
from secop_desktop.vocab import EstadoEnvio, EstadoUsuario

if TYPE_CHECKING:  # services.py may import this module to bundle the service
    from secop_desktop.core.services import Services

__all__ = [
    "CopyCancelled",
    "DocumentInfo",
    "DocumentRefused",
    "DocumentService",
    "Leftovers",
    "MAX_SIZE_SETTING",
    "REMINDER_DAYS_SETTING",
    "ReminderReport",
    "Vencimiento",
    "RECOMENDACIONES",
    "RECOMENDACIONES_TITULO",
    "Slot",
    "all_slots",
    "slot",
    "slots",
]

# Settings row (bytes) that overrides the 1 GiB default limit.
MAX_SIZE_SETTING = "documentos.tamano_maximo"
# Shared settings row: how many days before a deadline its reminder goes to the Buzón.
REMINDER_DAYS_SETTING = "documentos.recordatorio_dias"
MAX_REMINDER_DAYS = 365


def _reminder_key(entity_id: int) -> str:
    return f"{REMINDER_DAYS_SETTING}.{entity_id}"


def _days(value: str | None, fallback: int) -> int:
    try:
        days = int(value or "")
    except ValueError:
        return fallback
    return days if 0 <= days <= MAX_REMINDER_DAYS else fallback
# core.mail.settings.SETTINGS_FILE (a test keeps them equal), looked at before loading the mail modules.
MAIL_SETTINGS_FILE = "correo.json"
REMINDER_CLASS = "vencimiento"  # a Buzón class nobody can switch off: an expiring RUP always matters
# The Colombian rules count Colombian days, whatever zone the agent's computer is in.
COLOMBIA = ZoneInfo("America/Bogota")
DEFAULT_CHUNK_SIZE = 1 << 20
# Files younger than this may belong to a copy still running in another process on a shared folder.
LEFTOVER_GRACE = timedelta(hours=1)
# Where a package import unpacks documents before they go to the blob store (see core/packages).
STAGING_DIR = "importando"
STAGING_PREFIX = "paquete-"


ADMIN_ONLY = "Solo un administrador de la Entidad puede anexar o borrar sus documentos."


@dataclass(frozen=True)
class Slot:
    """One row of the guide's table: its key, the guide's description, whether it is required."""

    tipo: str
    titulo: str
    obligatorio: bool
    nombre: str  # short name for messages, accessible names and the list of missing documents


RUP = Slot("rup", "RUP", False, "RUP")
CAPACIDAD = Slot(
    "capacidad_financiera",
    "Certificado con los indicadores de capacidad financiera y organizacional. Descárguelo de la sección "
    "\"Enlaces de interés para Proveedores\" del SECOPII. Si usted es persona natural no obligada a llevar "
    "contabilidad, adjunte la misma constancia que usó como equivalente de los estados financieros.",
    True,
    "Capacidad financiera y organizacional",
)
EXPERIENCIA = Slot(
    "experiencia",
    "La lista de contratos que acrediten su experiencia con el sector público y/o privado. Descargue el "
    "formato con el certificado de la sección \"Enlaces de interés para Proveedores\" en la página del SECOPII.",
    True,
    "Experiencia",
)
ESTADOS_FINANCIEROS = Slot(
    "estados_financieros",
    "Estados financieros auditados a 31 de diciembre del año anterior suscritos por el representante legal "
    "con notas. Si usted es persona natural no obligada a llevar contabilidad, adjunte la constancia que "
    "encuentra en los \"Enlaces de interés para Proveedores\" del SECOPII.",
    True,
    "Estados financieros",
)
EXISTENCIA = Slot(
    "existencia_representacion",
    "Documentos que acreditan existencia y representación legal de las personas jurídicas, así como "
    "identificación de los representantes legales y miembros de juntas directivas. Identificación de las "
    "personas naturales.",
    True,
    "Existencia y representación legal",
)
# Section IV of the guide: one constancia stands for both the financial statements and the indicators.
CONSTANCIA = Slot(
    "constancia_no_obligado",
    "Constancia indicando que usted es persona natural no obligada a llevar contabilidad, como equivalente "
    "a los estados financieros e indicadores de capacidad financiera y organizacional. Adjunte la constancia "
    "que encuentra en los \"Enlaces de interés para Proveedores\" del SECOPII.",
    True,
    "Constancia de no obligado a llevar contabilidad",
)

_ALL = (RUP, CAPACIDAD, EXPERIENCIA, ESTADOS_FINANCIEROS, EXISTENCIA, CONSTANCIA)
_BY_TIPO = {s.tipo: s for s in _ALL}

RECOMENDACIONES_TITULO = "Recomendaciones al anexar un documento"
RECOMENDACIONES = (
    "Convertir los documentos a formato PDF",
    "Comprimir el tamaño del documento (por ejemplo .zip)",
    "Cargar los documentos desde una ubicación localizada en su computador, en caso contrario el tiempo de "
    "carga puede ser superior al normal",
    "Definir en los documentos el área de impresión",
    "Proteger documentos confidenciales asignando una contraseña",
)


def slots(persona_natural: bool = False, obligado_contabilidad: bool = True) -> list[Slot]:
    """The rows of the guide's table, in its order, for this kind of provider."""
    if persona_natural and not obligado_contabilidad:
        return [RUP, CONSTANCIA, EXPERIENCIA, EXISTENCIA]
    return [RUP, CAPACIDAD, EXPERIENCIA, ESTADOS_FINANCIEROS, EXISTENCIA]


def missing_slots(persona_natural: bool, obligado_contabilidad: bool, attached: Iterable[str]) -> list[Slot]:
    """The mandatory documents of this kind of Entidad whose kind (Slot.tipo) is not among `attached`."""
    filled = set(attached)
    return [s for s in slots(persona_natural, obligado_contabilidad) if s.obligatorio and s.tipo not in filled]


def all_slots() -> list[Slot]:
    return list(_ALL)


def slot(tipo: str) -> Slot:
    try:
        return _BY_TIPO[tipo]
    except KeyError:
        raise ServiceError(f"Tipo de documento desconocido: «{tipo}».") from None


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    tipo: str
    nombre_original: str
    tamano: int
    sha256: str
    anexado_en: datetime
    path: Path
    valido_desde: date | None = None
    valido_hasta: date | None = None


@dataclass(frozen=True)
class Vencimiento:
    """One line of "Próximos vencimientos": a document, its Entidad and how long it still serves."""

    document_id: int
    entity_id: int
    tipo: str
    documento: str  # the slot's short name ("RUP")
    nombre_original: str
    entidad: str
    vence: date
    dias_habiles: int  # business days left (0 on the last day and once expired)
    vencido: bool
    valido_desde: date | None = None


@dataclass(frozen=True)
class ReminderReport:
    """What send_due_reminders posted: one reminder per document and deadline."""

    documentos: tuple[int, ...] = ()  # the documents reminded in this run
    mensajes: int = 0  # Buzón messages posted (one per administrator)
    por_correo: bool = False  # whether they also wait to be e-mailed


def fecha_corta(day: date) -> str:
    """dd/mm/aaaa, as the guide writes dates."""
    return f"{day:%d/%m/%Y}"


def today_in_colombia(moment: datetime) -> date:
    return moment.astimezone(COLOMBIA).date()


def _check_validity(desde: date | None, hasta: date | None) -> None:
    errors: list[FieldError] = []
    for name, label, value in (("valido_desde", "Válido desde", desde), ("valido_hasta", "Válido hasta", hasta)):
        if value is not None and not 1900 <= value.year <= 2999:
            errors.append(FieldError(name, label, "Escriba una fecha entre 1900 y 2999."))
    if not errors and desde is not None and hasta is not None and hasta < desde:
        errors.append(FieldError("valido_hasta", "Válido hasta", "La fecha final no puede ser anterior a la inicial."))
    if errors:
        raise ValidationError(errors)


def default_validity(tipo: str, today: date, desde: date | None = None) -> tuple[date | None, date | None]:
    """The dates a document of this slot gets when nobody says otherwise (deadlines.py's rules)."""
    desde = desde or deadlines.default_valid_from(tipo, today)
    return desde, (deadlines.default_valid_until(tipo, desde) if desde is not None else None)


def _reminder_text(v: Vencimiento, today: date) -> tuple[str, str]:
    asunto = f"Vence el documento «{v.documento}» de {v.entidad} el {fecha_corta(v.vence)}"
    faltan = ("hoy es el último día" if v.dias_habiles == 0 else
              f"falta {v.dias_habiles} día hábil" if v.dias_habiles == 1 else f"faltan {v.dias_habiles} días hábiles")
    por_que = {
        "rup": "El RUP debe renovarse a más tardar el quinto día hábil de abril o cesan sus efectos "
               "(Decreto 1082 de 2015, art. 2.2.1.1.1.5.1).",
        "estados_financieros": "Los estados financieros a 31 de diciembre del año anterior dejan de servir "
                               "cuando termina el año.",
        "existencia_representacion": "El certificado de existencia y representación legal suele pedirse con "
                                     "no más de 30 días de expedido.",
    }.get(v.tipo, "")
    cuerpo = (f"El documento «{v.documento}» ({printable_name(v.nombre_original)}) de la Entidad {v.entidad} "
              f"vence el {fecha_corta(v.vence)}: {faltan} (hoy es {fecha_corta(today)}). {por_que} "
              "Cuando tenga el documento vigente, anéxelo en Anexar documentos.").replace("  ", " ")
    return asunto, cuerpo


class DocumentRefused(ServiceError):
    """The file may not be attached; .code says why (file_policy's refusal codes)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.code = refusal.code



@dataclass(frozen=True)
class Leftovers:
    """What clean_leftovers removed."""

    temporales: int = 0  # .part files of interrupted copies and exports
    carpetas: int = 0  # staging folders of interrupted package imports
    documentos: int = 0  # stored copies no row refers to
    filas: int = 0  # document rows no Entidad owns

    @property
    def total(self) -> int:
        return self.temporales + self.carpetas + self.documentos + self.filas


# One lock per documents folder: "is this blob still referenced?" and "write the row that
# references it" must not interleave, or a delete could remove a blob a new row points to.
_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock_for(root: Path) -> threading.Lock:
    key = root.resolve()
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def _os_message(name: str, exc: OSError) -> str:
    shown = f"«{printable_name(name)}»"
    if exc.errno == errno.ENOSPC:
        return f"No se pudo anexar {shown}: no hay espacio suficiente en el disco."
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"No se pudo anexar {shown}: no tiene permiso para leer el archivo o para guardar la copia."
    if exc.errno == errno.ENOENT:
        return f"No se pudo anexar {shown}: el archivo ya no existe."
    return f"No se pudo anexar {shown}: error al copiar el archivo ({exc.strerror or exc})."


def _audit_actor(user: User) -> audit.Actor:
    return audit.Actor(user.id, user.usuario)


def _newest_mtime(path: Path) -> float:
    """The latest change inside a folder (a copy in progress keeps touching its file, not the folder)."""
    newest = path.lstat().st_mtime
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            with contextlib.suppress(OSError):
                newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
    return newest


class DocumentService:
    """The Biblioteca de documentos of each Entidad: its members see it, its administrators change it.

    Every method takes the acting identity first. Documents belong to an Entidad only: the
    registration wizard creates the Entidad before its Anexar documentos step.
    """

    def __init__(self, services: Services, *, max_size: int | None = None,
                 chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        self.db = services.db
        self.clock = services.clock
        self.data_dir = Path(services.data_dir)
        self.root = self.data_dir / "documents"
        self.store = BlobStore(self.root)
        self._max_size = max_size
        self.chunk_size = chunk_size
        self.store_lock = _lock_for(self.root)

    # -- configuration ---------------------------------------------------------------------

    @property
    def max_size(self) -> int:
        """The size limit: the constructor's, else the settings row, else 1 GiB."""
        if self._max_size is not None:
            return self._max_size
        with self.db.session() as s:
            value = shared_settings.value(s, MAX_SIZE_SETTING) or ""
        try:
            configured = int(value)
        except ValueError:
            return DEFAULT_MAX_SIZE
        return configured if configured > 0 else DEFAULT_MAX_SIZE

    @property
    def staging_root(self) -> Path:
        """Where package imports unpack documents while checking them."""
        return self.data_dir / STAGING_DIR

    @property
    def exports_journal(self) -> Path:
        """One small file per export in progress, naming its .part file (exports write anywhere)."""
        return self.data_dir / "exportando"

    # -- queries -----------------------------------------------------------------------------

    def _info(self, d: Document) -> DocumentInfo:
        return DocumentInfo(d.id, d.tipo, d.nombre_original, d.tamano, d.sha256, d.anexado_en,
                            self.store.path_for(d.sha256), d.valido_desde, d.valido_hasta)

    def today(self) -> date:
        """Today in Colombia by the services' clock."""
        return today_in_colombia(self.clock())

    def default_validity(self, tipo: str, desde: date | None = None) -> tuple[date | None, date | None]:
        """What the validity question proposes for a document of this slot attached today."""
        return default_validity(slot(tipo).tipo, self.today(), desde)

    def reminder_days(self, entity_id: int | None = None) -> int:
        """How many days before a deadline its reminder goes out: the Entidad's own choice, else the
        database's default (15 unless the application set another)."""
        with self.db.session() as s:
            own = shared_settings.value(s, _reminder_key(entity_id)) if entity_id is not None else None
            return _days(own, _days(shared_settings.value(s, REMINDER_DAYS_SETTING), deadlines.DEFAULT_REMINDER_DAYS))

    def list(self, actor: Actor, entity_id: int) -> list[DocumentInfo]:
        """The Entidad's documents, for any member of it."""
        with self.db.session() as s:
            authorize.member(s, actor, entity_id)
            return [self._info(d) for d in queries.of_entity(s, entity_id)]

    def missing_mandatory(self, actor: Actor, entity_id: int, *, persona_natural: bool = False,
                          obligado_contabilidad: bool = True) -> builtins.list[Slot]:
        return missing_slots(persona_natural, obligado_contabilidad, (d.tipo for d in self.list(actor, entity_id)))

    # -- attaching ---------------------------------------------------------------------------

    def _check_stored(self, blob: StoredBlob, name: str, max_size: int) -> Refusal | None:
        """check_file looked at the path; this looks at what was really copied (it may have changed)."""
        return check_file(self.store.path_for(blob.sha256), name, max_size=max_size)

    def _drop_if_unreferenced(self, shas: set[str]) -> None:
        """Caller holds self.store_lock; the rows that referenced shas are already committed away."""
        if not shas:
            return
        with self.db.session() as s:
            unused = [sha for sha in shas if not queries.is_referenced(s, sha)]
        for sha in unused:
            self.store.delete(sha)

    @staticmethod
    def _snapshot(d: Document) -> dict[str, object]:
        snapshot: dict[str, object] = {"tipo": d.tipo, "nombre_original": d.nombre_original, "sha256": d.sha256,
                                       "tamano": d.tamano}
        for key in ("valido_desde", "valido_hasta"):
            if (day := getattr(d, key)) is not None:
                snapshot[key] = day.isoformat()
        return snapshot

    @staticmethod
    def _require_admin(s: UnitOfWork, actor: Actor, entity_id: int) -> User:
        """The Biblioteca de documentos is the administrator's (section II of the guide)."""
        try:
            user, _ = authorize.admin(s, actor, entity_id)
        except PermissionDenied as exc:
            if exc.message == authorize.NOT_ADMIN:
                raise PermissionDenied(ADMIN_ONLY) from None
            raise
        return user

    def attach(
        self,
        actor: Actor,
        slot_tipo: str,
        source: Path,
        *,
        entity_id: int,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        valido_desde: date | None = None,
        valido_hasta: date | None = None,
    ) -> DocumentInfo:
        """Check, copy (hashing on the way), then record; a filled slot is replaced.

        valido_desde / valido_hasta: the days the document serves; a missing one takes the slot's
        usual value (RUP: until the fifth business day of April of next year; estados financieros:
        the year after their cut; certificado de existencia: 30 days; the other slots: none).

        Raises PermissionDenied unless actor administers the Entidad, DocumentRefused before
        anything is copied, CopyCancelled when cancelled() turned true during the copy,
        ServiceError for copy errors; none of them leaves a row or a file.
        """
        target = slot(slot_tipo)
        desde, hasta = default_validity(target.tipo, self.today(), valido_desde)
        hasta = valido_hasta or hasta
        _check_validity(desde, hasta)
        with self.db.session() as s:
            self._require_admin(s, actor, entity_id)
        source = Path(source)
        name = source.name
        limit = self.max_size
        refusal = check_file(source, name, max_size=limit)
        if refusal is not None:
            raise DocumentRefused(refusal)
        try:
            blob = self.store.store(source, progress=progress, cancelled=cancelled, chunk_size=self.chunk_size)
        except CopyCancelled:
            raise
        except OSError as exc:
            raise ServiceError(_os_message(name, exc)) from exc
        with self.store_lock:
            try:
                blob = self._still_stored(blob, source, name)
                refusal = self._check_stored(blob, name, limit)
            except OSError as exc:
                raise ServiceError(_os_message(name, exc)) from exc
            if refusal is not None:
                self._drop_if_unreferenced({blob.sha256})
                raise DocumentRefused(refusal)
            try:
                info, replaced = self._record(actor, target, blob, name, entity_id, (desde, hasta))
            except BaseException:
                # No row points at the new copy: leave no stray file behind (or, if the database
                # is gone too, leave it to clean_leftovers at the next start).
                with contextlib.suppress(Exception):
                    self._drop_if_unreferenced({blob.sha256})
                raise
            self._drop_if_unreferenced(replaced - {blob.sha256})
        return info

    def _still_stored(self, blob: StoredBlob, source: Path, name: str) -> StoredBlob:
        """A delete that ran between the copy and this lock may have removed an identical blob."""
        if self.store.exists(blob.sha256):
            return blob
        again = self.store.store(source, chunk_size=self.chunk_size)
        if again.sha256 != blob.sha256:
            self._drop_if_unreferenced({again.sha256})
            raise ServiceError(f"El archivo «{printable_name(name)}» cambió mientras se copiaba. "
                               "Inténtelo de nuevo.")
        return again

    def _record(self, actor: Actor, target: Slot, blob: StoredBlob, name: str, entity_id: int,
                validity: tuple[date | None, date | None]) -> tuple[DocumentInfo, set[str]]:
        """Writes the row (replacing the slot's previous one); returns it and the replaced hashes."""
        now = self.clock()
        with self.db.session() as s:
            # Checked again in the transaction that writes: access may have been withdrawn during the copy.
            author = self._require_admin(s, actor, entity_id)
            if s.get(Entity, entity_id) is None:
                raise ServiceError("La entidad ya no existe; no se anexó el documento.")
            previous = queries.in_slot(s, entity_id, target.tipo)
            antes = self._snapshot(previous[0]) if previous else None
            replaced = {d.sha256 for d in previous}
            for d in previous:
                s.delete(d)
            doc = Document(
                entity_id=entity_id,
                tipo=target.tipo,
                nombre_original=name,
                sha256=blob.sha256,
                tamano=blob.size,
                ruta=blob.relative_path,
                anexado_por_id=author.id,
                anexado_en=now,
                valido_desde=validity[0],
                valido_hasta=validity[1],
            )
            s.add(doc)
            s.flush()
            audit.record(s, now, _audit_actor(author),
                         "documento_reemplazado" if previous else "documento_anexado", "documento", doc.id,
                         entity_id=entity_id, antes=antes, despues=self._snapshot(doc))
            return self._info(doc), replaced

    # -- validity, deadlines and reminders ------------------------------------------------------

    def set_validity(self, actor: Actor, document_id: int, valido_desde: date | None,
                     valido_hasta: date | None) -> DocumentInfo:
        """Changes the days a document serves (its administrators, as for attaching it)."""
        _check_validity(valido_desde, valido_hasta)
        with self.db.session() as s:
            doc = s.get(Document, document_id)
            if doc is None or doc.entity_id is None:
                raise ServiceError("El documento ya no existe; puede que otro usuario lo haya borrado.")
            author = self._require_admin(s, actor, doc.entity_id)
            antes = self._snapshot(doc)
            doc.valido_desde, doc.valido_hasta = valido_desde, valido_hasta
            audit.record(s, self.clock(), _audit_actor(author), "documento_vigencia", "documento", doc.id,
                         entity_id=doc.entity_id, antes=antes, despues=self._snapshot(doc))
            return self._info(doc)

    def _vencimiento(self, d: Document, entidad: str, today: date) -> Vencimiento:
        assert d.valido_hasta is not None and d.entity_id is not None
        known = _BY_TIPO.get(d.tipo)
        return Vencimiento(d.id, d.entity_id, d.tipo, known.nombre if known else d.tipo, d.nombre_original, entidad,
                           d.valido_hasta, deadlines.business_days_left(today, d.valido_hasta),
                           today > d.valido_hasta, d.valido_desde)

    def upcoming(self, actor: Actor, entity_id: int, today: date | None = None) -> builtins.list[Vencimiento]:
        """Próximos vencimientos: the Entidad's documents that have a last day, soonest first (its members)."""
        today = today or self.today()
        with self.db.session() as s:
            authorize.member(s, actor, entity_id)
            return [self._vencimiento(d, entidad, today)
                    for d, entidad in queries.with_deadline(s, entity_id=entity_id)]

    def set_reminder_days(self, actor: Actor, entity_id: int | None, days: int) -> None:
        """Changes how many days before each deadline the Entidad's administrators are reminded.

        An administrator sets it for the Entidad (on a help desk's shared database one supplier's
        choice must not become every supplier's); the application may also set the database's
        default (entity_id None), which Entidades that never chose follow.
        """
        if not 0 <= days <= MAX_REMINDER_DAYS:
            raise ValidationError([FieldError("dias", "Días de anticipación",
                                              f"Escriba un número de días entre 0 y {MAX_REMINDER_DAYS}.")])
        with self.db.session() as s:
            if isinstance(actor, SignedIn):
                if entity_id is None:
                    raise PermissionDenied(ADMIN_ONLY)
                self._require_admin(s, actor, entity_id)
            else:
                authorize.system(actor)
            key = REMINDER_DAYS_SETTING if entity_id is None else _reminder_key(entity_id)
            shared_settings.put(s, key, str(days))

    def send_due_reminders(self, actor: Actor, today: date | None = None) -> ReminderReport:
        """Posts one reminder per document and deadline to the Buzón of its Entidad's administrators.

        Due from the reminder day (reminder_days() before the deadline, moved back to a business
        day) through the deadline; a day the application did not run still reminds the next run.
        Each deadline is claimed in the same transaction that posts its messages, so neither a
        second run nor a second agent's app reminds it again. With Configuración de correo the
        messages also wait to be e-mailed (by the mail sender, as activation mail). Only the
        application runs this (a System actor), at start-up.
        """
        authorize.system(actor)
        today = today or self.today()
        email = self._mail_configured()
        with self.db.session() as s:
            default = _days(shared_settings.value(s, REMINDER_DAYS_SETTING), deadlines.DEFAULT_REMINDER_DAYS)
            own = {int(key.rsplit(".", 1)[1]): _days(value, default)
                   for key, value in shared_settings.with_prefix(s, REMINDER_DAYS_SETTING + ".")}
            # remind_on only moves the reminder day back, by at most a few holidays and a weekend.
            horizon = today + timedelta(days=max([default, *own.values()]) + 15)
            candidates = [(d.id, d.tipo, d.valido_hasta, own.get(d.entity_id or 0, default))
                          for d, _ in queries.with_deadline(s, today, horizon)
                          if d.recordatorio_para != d.valido_hasta]
        reminded: builtins.list[int] = []
        posted = 0
        for document_id, tipo, vence, days in candidates:
            assert vence is not None
            if not deadlines.deadline_for(tipo, vence, days).due(today):
                continue
            with self.db.session() as s:
                if not queries.claim_reminder(s, document_id, vence):
                    continue  # another run or agent reminded it meanwhile, or its dates changed
                doc = s.get_one(Document, document_id)
                entity = s.get(Entity, doc.entity_id) if doc.entity_id is not None else None
                if entity is None:
                    continue
                v = self._vencimiento(doc, entity.nombre, today)
                asunto, cuerpo = _reminder_text(v, today)
                for user in memberships.active_admins(s, entity.id):
                    if user.estado != EstadoUsuario.ACTIVO.value:
                        continue
                    message = mailbox.post(s, self.clock(), user, REMINDER_CLASS, asunto, cuerpo)
                    if message is not None:
                        posted += 1
                        if email:
                            message.envio_estado = EstadoEnvio.PENDIENTE.value
                reminded.append(document_id)
        return ReminderReport(tuple(reminded), posted, email and posted > 0)

    def _mail_configured(self) -> bool:
        # Most installations never configure mail: without its file the mail modules are not even loaded.
        if not (self.data_dir / MAIL_SETTINGS_FILE).exists():
            return False
        from secop_desktop.core.mail.settings import load_settings

        return load_settings(self.data_dir) is not None

    # -- deleting ----------------------------------------------------------------------------

    def delete(self, actor: Actor, document_id: int) -> None:
        """Borrar documento: the row goes; the stored file too unless another row uses it."""
        with self.store_lock:
            with self.db.session() as s:
                doc = s.get(Document, document_id)
                if doc is None or doc.entity_id is None:
                    raise ServiceError("El documento ya no existe; puede que otro usuario lo haya borrado.")
                author = self._require_admin(s, actor, doc.entity_id)
                sha = doc.sha256
                audit.record(s, self.clock(), _audit_actor(author), "documento_borrado", "documento", doc.id,
                             entity_id=doc.entity_id, antes=self._snapshot(doc))
                s.delete(doc)
            self._drop_if_unreferenced({sha})

    # -- start-up housekeeping ---------------------------------------------------------------

    def clean_leftovers(self, actor: Actor, *, grace: timedelta = LEFTOVER_GRACE) -> Leftovers:
        """What an interrupted attach, import or export left behind, older than grace.

        Removes the blob store's .part files, the import staging folders (importando/paquete-*),
        the .part files of exports named in the exports journal, document rows no Entidad owns
        and stored copies no row refers to. Anything changed within grace is left alone: on a
        shared folder another process may be copying it right now. Only the application runs
        this (actor must be a System identity), explicitly at start-up.
        """
        authorize.system(actor)
        # File times are wall-clock times, whatever clock the services were given.
        cutoff = time.time() - grace.total_seconds()

        def old(path: Path) -> bool:
            try:
                return path.lstat().st_mtime < cutoff
            except FileNotFoundError:
                return False

        temporales = self._clean_export_parts(old)
        carpetas = 0
        if self.staging_root.is_dir():
            for folder in self.staging_root.iterdir():
                if not (folder.name.startswith(STAGING_PREFIX) and folder.is_dir() and not folder.is_symlink()):
                    continue
                try:
                    stale = _newest_mtime(folder) < cutoff
                except FileNotFoundError:
                    continue
                if stale:
                    shutil.rmtree(folder, ignore_errors=True)
                    carpetas += 1
        with self.store_lock:
            with self.db.session() as s:
                stale_rows = queries.without_entity(s)
                for d in stale_rows:
                    s.delete(d)
                s.flush()
                referenced = queries.referenced_hashes(s)
            removed = self.store.remove_leftovers(referenced, older_than=cutoff)
        return Leftovers(temporales + removed.temporales, carpetas, removed.blobs, len(stale_rows))

    def _clean_export_parts(self, old: Callable[[Path], bool]) -> int:
        removed = 0
        journal = self.exports_journal
        if not journal.is_dir():
            return 0
        for entry in journal.iterdir():
            if not (entry.name.endswith(".ruta") and entry.is_file()):
                continue
            try:
                part = Path(entry.read_text(encoding="utf-8").strip())
            except (OSError, UnicodeDecodeError):
                continue
            # Only a .part file the journal names, and only once nobody has written to it for a while.
            if part.name.endswith(".part") and part.is_file() and not part.is_symlink():
                if not old(part):
                    continue
                with contextlib.suppress(FileNotFoundError):
                    part.unlink()
                    removed += 1
            if old(entry):
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
        return removed

