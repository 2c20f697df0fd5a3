"""The guide's "Anexar documentos": document slots, and attaching, listing and deleting documents."""

from __future__ import annotations

import contextlib
import errno
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from secop_desktop.core.access import audit
from secop_desktop.core.documents.blobstore import BlobStore, CopyCancelled, StoredBlob
from secop_desktop.core.documents.file_policy import (
    DEFAULT_MAX_SIZE,
    Refusal,
    check_file,
    printable_name,
)
from secop_desktop.core.entities.service import is_admin
from secop_desktop.errors import PermissionDenied, ServiceError
from secop_desktop.store.models import Document, Draft, Entity, Setting, User

if TYPE_CHECKING:  # services.py may import this module to bundle the service
    from secop_desktop.core.services import Services

__all__ = [
    "CopyCancelled",
    "DocumentInfo",
    "DocumentRefused",
    "DocumentService",
    "MAX_SIZE_SETTING",
    "RECOMENDACIONES",
    "RECOMENDACIONES_TITULO",
    "Slot",
    "all_slots",
    "slot",
    "slots",
]

# Settings row (bytes) that overrides the 1 GiB default limit.
MAX_SIZE_SETTING = "documentos.tamano_maximo"
DEFAULT_CHUNK_SIZE = 1 << 20


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


class DocumentRefused(ServiceError):
    """The file may not be attached; .code says why (file_policy's refusal codes)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.code = refusal.code


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


class DocumentService:
    """Documents of one owner (an entity, or the draft of a registration not yet finished)."""

    def __init__(self, services: Services, *, max_size: int | None = None,
                 chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        self.db = services.db
        self.clock = services.clock
        self.root = Path(services.data_dir) / "documents"
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
            row = s.get(Setting, MAX_SIZE_SETTING)
            value = row.valor if row is not None else ""
        try:
            configured = int(value)
        except ValueError:
            return DEFAULT_MAX_SIZE
        return configured if configured > 0 else DEFAULT_MAX_SIZE

    # -- queries -----------------------------------------------------------------------------

    def _info(self, d: Document) -> DocumentInfo:
        return DocumentInfo(d.id, d.tipo, d.nombre_original, d.tamano, d.sha256, d.anexado_en,
                            self.store.path_for(d.sha256))

    @staticmethod
    def _owned(entity_id: int | None, draft_id: int | None):  # type: ignore[no-untyped-def]
        if entity_id is not None:
            return select(Document).where(Document.entity_id == entity_id)
        if draft_id is not None:
            return select(Document).where(Document.draft_id == draft_id, Document.entity_id.is_(None))
        raise ServiceError("No hay una entidad ni un registro en curso a los que anexar documentos.")

    def list(self, entity_id: int | None = None, draft_id: int | None = None) -> list[DocumentInfo]:
        if entity_id is None and draft_id is None:
            return []
        with self.db.session() as s:
            rows = s.scalars(self._owned(entity_id, draft_id).order_by(Document.id))
            return [self._info(d) for d in rows]

    def missing_mandatory(self, entity_id: int | None = None, draft_id: int | None = None, *,
                          persona_natural: bool = False, obligado_contabilidad: bool = True) -> list[Slot]:
        filled = {d.tipo for d in self.list(entity_id, draft_id)}
        return [s for s in slots(persona_natural, obligado_contabilidad) if s.obligatorio and s.tipo not in filled]

    # -- attaching ---------------------------------------------------------------------------

    def _check_stored(self, blob: StoredBlob, name: str, max_size: int) -> Refusal | None:
        """check_file looked at the path; this looks at what was really copied (it may have changed)."""
        return check_file(self.store.path_for(blob.sha256), name, max_size=max_size)

    def _referenced(self, s: Session, sha: str) -> bool:
        return bool(s.scalar(select(func.count()).select_from(Document).where(Document.sha256 == sha)))

    def _drop_if_unreferenced(self, shas: set[str]) -> None:
        """Caller holds self.store_lock; the rows that referenced shas are already committed away."""
        if not shas:
            return
        with self.db.session() as s:
            unused = [sha for sha in shas if not self._referenced(s, sha)]
        for sha in unused:
            self.store.delete(sha)

    @staticmethod
    def _actor(s: Session, user_id: int | None) -> audit.Actor:
        user = s.get(User, user_id) if user_id is not None else None
        return audit.Actor(user.id, user.usuario) if user is not None else audit.SYSTEM

    @staticmethod
    def _snapshot(d: Document) -> dict[str, object]:
        return {"tipo": d.tipo, "nombre_original": d.nombre_original, "sha256": d.sha256, "tamano": d.tamano}

    def attach(
        self,
        slot_tipo: str,
        source: Path,
        *,
        entity_id: int | None = None,
        draft_id: int | None = None,
        user_id: int | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> DocumentInfo:
        """Check, copy (hashing on the way), then record; a filled slot is replaced.

        Raises DocumentRefused before anything is copied, CopyCancelled when cancelled() turned
        true during the copy, ServiceError for copy errors; none of them leaves a row or a file.
        """
        target = slot(slot_tipo)
        self._owned(entity_id, draft_id)  # refuses a document without an owner
        self._require_admin(entity_id, user_id)
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
                info, replaced = self._record(target, blob, name, entity_id, draft_id, user_id)
            except BaseException:
                # No row points at the new copy: leave no stray file behind (or, if the database
                # is gone too, leave it to clean_orphans at the next start).
                with contextlib.suppress(Exception):
                    self._drop_if_unreferenced({blob.sha256})
                raise
            self._drop_if_unreferenced(replaced - {blob.sha256})
        return info

    def _require_admin(self, entity_id: int | None, user_id: int | None) -> None:
        """The Biblioteca de documentos is the administrator's (section II of the guide)."""
        if entity_id is None or user_id is None:
            return
        with self.db.session() as s:
            allowed = is_admin(s, user_id, entity_id)
        if not allowed:
            raise PermissionDenied(ADMIN_ONLY)

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

    def _record(self, target: Slot, blob: StoredBlob, name: str, entity_id: int | None,
                draft_id: int | None, user_id: int | None) -> tuple[DocumentInfo, set[str]]:
        """Writes the row (replacing the slot's previous one); returns it and the replaced hashes."""
        now = self.clock()
        with self.db.session() as s:
            if entity_id is not None and s.get(Entity, entity_id) is None:
                raise ServiceError("La entidad ya no existe; no se anexó el documento.")
            if entity_id is None and s.get(Draft, draft_id) is None:
                raise ServiceError("El registro en curso ya no existe; no se anexó el documento.")
            previous = list(s.scalars(self._owned(entity_id, draft_id).where(Document.tipo == target.tipo)))
            antes = self._snapshot(previous[0]) if previous else None
            replaced = {d.sha256 for d in previous}
            for d in previous:
                s.delete(d)
            author = s.get(User, user_id) if user_id is not None else None
            doc = Document(
                entity_id=entity_id,
                # An entity's document belongs to the entity alone, whatever draft it came from.
                draft_id=None if entity_id is not None else draft_id,
                tipo=target.tipo,
                nombre_original=name,
                sha256=blob.sha256,
                tamano=blob.size,
                ruta=blob.relative_path,
                anexado_por_id=author.id if author is not None else None,
                anexado_en=now,
            )
            s.add(doc)
            s.flush()
            audit.record(s, now, self._actor(s, user_id),
                         "documento_reemplazado" if previous else "documento_anexado", "documento", doc.id,
                         entity_id=entity_id, antes=antes, despues=self._snapshot(doc))
            return self._info(doc), replaced

    # -- deleting and moving -----------------------------------------------------------------

    def delete(self, document_id: int, user_id: int | None = None) -> None:
        """Borrar documento: the row goes; the stored file too unless another row uses it."""
        with self.store_lock:
            with self.db.session() as s:
                doc = s.get(Document, document_id)
                if doc is None:
                    raise ServiceError("El documento ya no existe; puede que otro usuario lo haya borrado.")
                if doc.entity_id is not None and user_id is not None and not is_admin(s, user_id, doc.entity_id):
                    raise PermissionDenied(ADMIN_ONLY)
                sha = doc.sha256
                audit.record(s, self.clock(), self._actor(s, user_id), "documento_borrado", "documento", doc.id,
                             entity_id=doc.entity_id, antes=self._snapshot(doc))
                s.delete(doc)
            self._drop_if_unreferenced({sha})

    def reassign_draft(self, draft_id: int, entity_id: int, user_id: int | None = None) -> int:
        """The registration's documents become the new entity's; returns how many moved.

        A slot the entity already has is replaced by the draft's document.
        """
        with self.store_lock:
            with self.db.session() as s:
                moving = list(s.scalars(self._owned(None, draft_id)))
                tipos = {d.tipo for d in moving}
                existing = list(s.scalars(self._owned(entity_id, None).where(Document.tipo.in_(tipos)))) if tipos else []
                replaced = {d.sha256 for d in existing}
                for d in existing:
                    s.delete(d)
                s.flush()
                if moving:
                    s.execute(update(Document).where(Document.id.in_([d.id for d in moving]))
                              .values(entity_id=entity_id, draft_id=None))
                    audit.record(s, self.clock(), self._actor(s, user_id), "documentos_reasignados", "entidad",
                                 entity_id, entity_id=entity_id,
                                 despues={"draft_id": draft_id, "documentos": sorted(tipos)})
            self._drop_if_unreferenced(replaced)
        return len(moving)

    def clean_orphans(self) -> int:
        """At start-up: rows of discarded drafts, temp files of an interrupted copy, unused blobs."""
        with self.store_lock:
            with self.db.session() as s:
                stale = list(s.scalars(select(Document).where(Document.entity_id.is_(None),
                                                              Document.draft_id.is_(None))))
                for d in stale:
                    s.delete(d)
                s.flush()
                referenced = set(s.scalars(select(Document.sha256).distinct()))
            return len(stale) + self.store.clean_orphans(referenced)

