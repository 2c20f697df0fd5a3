"""The guided exercises of the training mode: each step is ticked from the stored state, never by hand."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from secop_desktop.core.documents.service import slots
from secop_desktop.core.training.seed import SeedInfo
from secop_desktop.store.database import UnitOfWork
from secop_desktop.store.models import Entity, Membership, User
from secop_desktop.store.queries import training as queries
from secop_desktop.vocab import PERSONA_NATURAL, TIPOS_PLURALES, Acceso, EstadoUsuario

Check = Callable[[UnitOfWork, SeedInfo], bool]


@dataclass(frozen=True)
class Step:
    texto: str
    hecho: Check


@dataclass(frozen=True)
class Exercise:
    clave: str
    titulo: str
    descripcion: str
    pasos: tuple[Step, ...]


@dataclass(frozen=True)
class StepState:
    texto: str
    hecho: bool


@dataclass(frozen=True)
class ExerciseState:
    clave: str
    titulo: str
    descripcion: str
    pasos: tuple[StepState, ...]

    @property
    def completo(self) -> bool:
        return all(p.hecho for p in self.pasos)


def _new_users(s: UnitOfWork, info: SeedInfo) -> list[User]:
    return queries.users_after(s, info.max_usuario)


def _new_active_user(s: UnitOfWork, info: SeedInfo) -> bool:
    return any(u.estado == EstadoUsuario.ACTIVO.value for u in _new_users(s, info))


def _logged_in(s: UnitOfWork, info: SeedInfo, user_ids: list[int]) -> bool:
    return queries.signed_in_since(s, info.max_auditoria, user_ids)


def _new_entities(s: UnitOfWork, info: SeedInfo) -> list[Entity]:
    return queries.entities_after(s, info.max_entidad)


def _new_natural(s: UnitOfWork, info: SeedInfo) -> list[Entity]:
    return [e for e in _new_entities(s, info) if e.tipo_organizacion == PERSONA_NATURAL]


def _new_company(s: UnitOfWork, info: SeedInfo) -> list[Entity]:
    return [e for e in _new_entities(s, info) if not e.persona_natural and e.tipo_organizacion not in TIPOS_PLURALES]


def _complete(s: UnitOfWork, entity: Entity) -> bool:
    needed = {x.tipo for x in slots(entity.persona_natural, entity.obligado_contabilidad) if x.obligatorio}
    return needed <= queries.document_types(s, entity.id)


def _has_doc(s: UnitOfWork, entity: Entity, tipo: str) -> bool:
    return tipo in queries.document_types(s, entity.id)


def _requests(s: UnitOfWork, info: SeedInfo) -> list[Membership]:
    """Solicitudes de acceso to accounts that existed at seed time, made after it."""
    return queries.requests_to_seeded_entities(s, info.max_entidad, info.max_membresia, info.sembrado)


def _main_admin_ids(s: UnitOfWork, info: SeedInfo) -> list[int]:
    return queries.seeded_admin_ids(s, info.entidad_principal_id, info.max_membresia)


def _seeded_pending(s: UnitOfWork, info: SeedInfo) -> list[Membership]:
    return queries.memberships(s, info.pendientes)


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        "persona_natural", "Registrar una persona natural",
        "Registre un usuario nuevo y cree una cuenta de Proveedor como persona natural: usted será "
        "administrador y Proveedor a la vez.",
        (
            Step("Registre un usuario nuevo con «Registrarse»",
                 lambda s, i: bool(_new_users(s, i))),
            Step("Active el usuario con el enlace o el código del Buzón (Confirmar registro)", _new_active_user),
            Step("Entre con su usuario y contraseña",
                 lambda s, i: _logged_in(s, i, [u.id for u in _new_users(s, i)])),
            Step("Registre la Entidad con el tipo de organización «Persona natural colombiana»",
                 lambda s, i: any(e.creado_por_id and e.creado_por_id > i.max_usuario for e in _new_natural(s, i))),
            Step("Anexe los documentos obligatorios",
                 lambda s, i: any(_complete(s, e) for e in _new_natural(s, i))),
        ),
    ),
    Exercise(
        "empresa", "Registrar una empresa y anexar los documentos",
        "Valide que su empresa no existe, regístrela con «Registrar Entidad» y «Generar formulario», y anexe "
        "los documentos de la sección IV de la guía.",
        (
            Step("Registre la empresa (por ejemplo una S.A.S.) con «Registrar Entidad»",
                 lambda s, i: bool(_new_company(s, i))),
            Step("Agregue por lo menos un año de información financiera",
                 lambda s, i: any(e.financials for e in _new_company(s, i))),
            Step("Anexe los cuatro documentos obligatorios",
                 lambda s, i: any(_complete(s, e) for e in _new_company(s, i))),
            Step("Anexe el RUP (opcional)",
                 lambda s, i: any(_has_doc(s, e, "rup") for e in _new_company(s, i))),
        ),
    ),
    Exercise(
        "solicitud", "Solicitar acceso a una Entidad existente",
        "Como usuario Proveedor, busque una cuenta que ya existe (por ejemplo «{entidad}») y pida acceso.",
        (
            Step("Registre y active un usuario nuevo", _new_active_user),
            Step("Busque la Entidad y haga clic en «Solicitud de acceso»",
                 lambda s, i: bool(_requests(s, i))),
            Step("El administrador acepta la solicitud: «Mis registros» la muestra Aceptado",
                 lambda s, i: any(m.acceso == Acceso.ACEPTADO.value for m in _requests(s, i))),
        ),
    ),
    Exercise(
        "aceptar", "Aceptar un usuario como administrador",
        "Entre como administrador de «{entidad}» (usuario {administrador}, contraseña {contrasena}) y "
        "atienda las solicitudes de acceso Pendientes en «Administración de usuarios».",
        (
            Step("Entre como administrador de la Entidad",
                 lambda s, i: _logged_in(s, i, _main_admin_ids(s, i))),
            Step("Seleccione una solicitud Pendiente y haga clic en «Aceptar acceso»",
                 lambda s, i: any(m.acceso == Acceso.ACEPTADO.value for m in _seeded_pending(s, i))),
            Step("Haga administrador al usuario aceptado («Hacer administrador»)",
                 lambda s, i: any(m.acceso == Acceso.ACEPTADO.value and m.es_administrador
                                  for m in _seeded_pending(s, i))),
        ),
    ),
)


def states(s: UnitOfWork, info: SeedInfo) -> list[ExerciseState]:
    """Every exercise with each step ticked or not, read from the stored state."""
    fmt = {"entidad": info.entidad_principal, "administrador": info.administrador, "contrasena": info.contrasena}
    return [
        ExerciseState(ex.clave, ex.titulo, ex.descripcion.format(**fmt),
                      tuple(StepState(p.texto, bool(p.hecho(s, info))) for p in ex.pasos))
        for ex in EXERCISES
    ]
