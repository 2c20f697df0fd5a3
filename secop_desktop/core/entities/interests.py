"""Áreas de interés: the UNSPSC codes an account follows (add, activate, deactivate, delete)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from secop_desktop.core import validators
from secop_desktop.core.access import audit, authorize
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.identity import Actor
from secop_desktop.errors import AlreadyExists, FieldError, ServiceError, ValidationError
from secop_desktop.store.database import Database, UnitOfWork
from secop_desktop.store.models import AreaInteres
from secop_desktop.store.queries import interests as interest_queries

LABELS: dict[str, str] = {
    "codigo": "Código UNSPSC",
    "nombre": "Nombre",
}

# UNSPSC segments run from 10 (live plant and animal material) to 95 (land, buildings).
MIN_SEGMENTO, MAX_SEGMENTO = 10, 95
SEPARATORS = re.compile(r"[\s.\-]")


@dataclass(frozen=True)
class AreaView:
    id: int
    codigo: str
    nombre: str
    activo: bool

    @property
    def estado(self) -> str:
        return "Activo" if self.activo else "Inactivo"


def normalize_codigo(text: str) -> str:
    """'43 21 15 00' or '43.21.15.00' -> '43211500' (people copy codes with separators)."""
    return SEPARATORS.sub("", text or "")


def check_codigo(text: str) -> str | None:
    codigo = normalize_codigo(text)
    if not codigo:
        return validators.REQUIRED
    if not codigo.isdigit() or len(codigo) != 8:
        return "El código UNSPSC tiene 8 dígitos, por ejemplo 43211500."
    if not MIN_SEGMENTO <= int(codigo[:2]) <= MAX_SEGMENTO:
        return f"El código UNSPSC empieza por un segmento entre {MIN_SEGMENTO} y {MAX_SEGMENTO}."
    return None


def _view(area: AreaInteres) -> AreaView:
    return AreaView(area.id, area.codigo, area.nombre, area.activo)


def _e(name: str, message: str) -> FieldError:
    return FieldError(name, LABELS[name], message)


class InterestService:
    """Áreas de interés: members read them, administrators change them."""

    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    def list(self, actor: Actor, entity_id: int) -> list[AreaView]:
        with self.db.session() as s:
            authorize.member(s, actor, entity_id)
            return [_view(a) for a in interest_queries.of_entity(s, entity_id)]

    @staticmethod
    def _admin(s: UnitOfWork, actor: Actor, entity_id: int) -> audit.Actor:
        user, _ = authorize.admin(s, actor, entity_id, que="modificar las áreas de interés")
        return audit.Actor(user.id, user.usuario)

    def add(self, actor: Actor, entity_id: int, codigo: str, nombre: str) -> AreaView:
        now = self.clock()
        try:
            with self.db.session() as s:
                # Refused before validating: a stranger learns nothing from the form's errors.
                who = self._admin(s, actor, entity_id)
                errors: list[FieldError] = []
                if (msg := check_codigo(codigo)) is not None:
                    errors.append(_e("codigo", msg))
                if (msg := validators.check_text(nombre, max_length=300)) is not None:
                    errors.append(_e("nombre", msg))
                if errors:
                    raise ValidationError(errors)
                clean = normalize_codigo(codigo)
                if interest_queries.code_taken(s, entity_id, clean):
                    raise ValidationError([_e("codigo", "Este código ya está en sus áreas de interés.")])
                area = AreaInteres(entity_id=entity_id, codigo=clean, nombre=" ".join(nombre.split()), activo=True)
                s.add(area)
                s.flush()
                audit.record(s, now, who, "area_interes_agregada", "area_interes", area.id, entity_id=entity_id,
                             despues={"codigo": area.codigo, "nombre": area.nombre})
                return _view(area)
        except AlreadyExists as exc:
            # Two administrators adding the same code at once: the unique constraint decides.
            raise ValidationError([_e("codigo", "Este código ya está en sus áreas de interés.")]) from exc

    def set_active(self, actor: Actor, entity_id: int, area_id: int, activo: bool) -> AreaView:
        now = self.clock()
        with self.db.session() as s:
            who = self._admin(s, actor, entity_id)
            area = self._area(s, entity_id, area_id)
            before = area.activo
            area.activo = activo
            audit.record(s, now, who, "area_interes_activada" if activo else "area_interes_desactivada",
                         "area_interes", area.id, entity_id=entity_id, antes={"activo": before},
                         despues={"activo": activo, "codigo": area.codigo})
            return _view(area)

    def activate(self, actor: Actor, entity_id: int, area_id: int) -> AreaView:
        return self.set_active(actor, entity_id, area_id, True)

    def deactivate(self, actor: Actor, entity_id: int, area_id: int) -> AreaView:
        return self.set_active(actor, entity_id, area_id, False)

    def delete(self, actor: Actor, entity_id: int, area_id: int) -> None:
        now = self.clock()
        with self.db.session() as s:
            who = self._admin(s, actor, entity_id)
            area = self._area(s, entity_id, area_id)
            audit.record(s, now, who, "area_interes_borrada", "area_interes", area.id, entity_id=entity_id,
                         antes={"codigo": area.codigo, "nombre": area.nombre})
            s.delete(area)

    @staticmethod
    def _area(s: UnitOfWork, entity_id: int, area_id: int) -> AreaInteres:
        area = s.get(AreaInteres, area_id)
        if area is None or area.entity_id != entity_id:
            raise ServiceError("El área de interés ya no existe. Se muestran los datos actuales.")
        return area
