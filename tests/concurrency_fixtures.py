"""Two real processes racing on one database: the worker loop and cheap set-up helpers."""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from secop_desktop.core.access.service import Accion
from secop_desktop.core.accounts.passwords import hash_secret
from secop_desktop.core.services import Services
from secop_desktop.errors import (
    ConflictError,
    PermissionDenied,
    ServiceError,
    ValidationError,
)
from secop_desktop.store.models import Membership, User
from secop_desktop.vocab import Acceso
from tests.conftest import as_actor

BARRIER_TIMEOUT = 60.0
NOW = datetime(2017, 1, 23, 20, 41, 30, tzinfo=UTC)


@dataclass(frozen=True)
class Outcome:
    iteration: int
    worker: int
    result: str  # "ok", "conflict", "refused", "duplicate", "crash"
    detail: str = ""
    version: int | None = None


def quick_users(services: Services, prefix: str, count: int) -> list[int]:
    """Active users written straight to the table: one argon2 hash for all, none in the race loop."""
    password_hash = hash_secret("Secop2018x")
    with services.db.session() as s:
        users = [User(nombre=f"Agente {prefix} {i}", pais="COLOMBIA", nombre_entidad="Mesa de ayuda",
                      correo=f"{prefix}{i}@example.com", usuario=f"{prefix}{i}", usuario_normalizado=f"{prefix}{i}",
                      password_hash=password_hash, pregunta_seguridad="¿Cuál es su comida favorita?",
                      respuesta_hash=password_hash, telefono_movil="+57 310 2585654",
                      zona_horaria="(UTC-05:00) Bogotá, Lima, Quito", estado="activo", creado_en=NOW,
                      actualizado_en=NOW) for i in range(count)]
        s.add_all(users)
        s.flush()
        return [u.id for u in users]


def add_membership(services: Services, user_id: int, entity_id: int, *, admin: bool,
                   acceso: Acceso = Acceso.ACEPTADO) -> int:
    with services.db.session() as s:
        m = Membership(user_id=user_id, entity_id=entity_id, es_administrador=admin, es_proveedor=not admin,
                       acceso=acceso.value, activo=True, fecha_solicitud=NOW,
                       fecha_aceptacion=NOW if acceso is Acceso.ACEPTADO else None, actualizado_en=NOW)
        s.add(m)
        s.flush()
        return m.id


# --- one iteration of each race, run in both processes ---------------------------------------------


def _entity_update(services: Services, me: int, i: int, plan: dict[str, Any], barrier: Any) -> Outcome:
    entity_id = plan["entity_id"]
    record = services.entities.get(as_actor(services, plan["users"][me]), entity_id)
    barrier.wait(BARRIER_TIMEOUT)  # both agents now hold the same version
    form = record.form
    form.nombre = f"H&H Asociados {i:03d}-{me}"
    form.direccion = f"Calle {i + 1} # {me + 1}-00"
    try:
        saved = services.entities.update(as_actor(services, plan["users"][me]), entity_id, record.version, form)
        return Outcome(i, me, "ok", form.nombre, saved.version)
    except ConflictError as exc:
        return Outcome(i, me, "conflict", exc.message, record.version)


def _access_apply(services: Services, me: int, i: int, plan: dict[str, Any], barrier: Any) -> Outcome:
    membership_id = plan["requests"][i]
    accion = Accion.ACEPTAR if (i + me) % 2 == 0 else Accion.RECHAZAR
    barrier.wait(BARRIER_TIMEOUT)
    try:
        rows = services.access.apply(as_actor(services, plan["admins"][me]), plan["entity_id"], accion, [membership_id],
                                     {membership_id: 1})
        return Outcome(i, me, "ok", rows[0].acceso, rows[0].version)
    except ConflictError as exc:
        return Outcome(i, me, "conflict", exc.message)
    except ServiceError as exc:
        return Outcome(i, me, "refused", exc.message)


def _create_same_nit(services: Services, me: int, i: int, plan: dict[str, Any], barrier: Any) -> Outcome:
    from tests.factories import company_form

    form = company_form(f"Proveedor {i:03d} del agente {me}", plan["nits"][i])
    barrier.wait(BARRIER_TIMEOUT)
    try:
        record = services.entities.create(as_actor(services, plan["users"][me]), form)
        return Outcome(i, me, "ok", str(record.id))
    except ValidationError as exc:
        return Outcome(i, me, "duplicate", exc.by_field().get("nit", exc.message))


def _demote_each_other(services: Services, me: int, i: int, plan: dict[str, Any], barrier: Any) -> Outcome:
    entity_id, memberships = plan["entities"][i]
    other = memberships[1 - me]
    barrier.wait(BARRIER_TIMEOUT)
    try:
        services.access.apply(as_actor(services, plan["admins"][me]), entity_id, Accion.HACER_PROVEEDOR, [other])
        return Outcome(i, me, "ok")
    except (ConflictError, PermissionDenied, ServiceError) as exc:
        return Outcome(i, me, "refused", exc.message)


RACES = {
    "entity_update": _entity_update,
    "access_apply": _access_apply,
    "create_same_nit": _create_same_nit,
    "demote_each_other": _demote_each_other,
}


def worker(race: str, url: str, data_dir: str, me: int, plan: dict[str, Any], barrier: Any, results: Any) -> None:
    services = Services.open(url, Path(data_dir))
    try:
        for i in range(plan["iterations"]):
            results.put(RACES[race](services, me, i, plan, barrier))
            barrier.wait(BARRIER_TIMEOUT)  # the iteration is over for both before the next read
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
        results.put(Outcome(-1, me, "crash", repr(exc)))
        barrier.abort()
    finally:
        services.close()


def race(kind: str, url: str, data_dir: Path, plan: dict[str, Any]) -> list[Outcome]:
    """Runs `kind` in two spawned processes for plan["iterations"] rounds; returns every outcome."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    processes = [ctx.Process(target=worker, args=(kind, url, str(data_dir), me, plan, barrier, results))
                 for me in (0, 1)]
    for p in processes:
        p.start()
    outcomes: list[Outcome] = []
    expected = 2 * plan["iterations"]
    while len(outcomes) < expected:
        outcome = results.get(timeout=BARRIER_TIMEOUT * 2)
        outcomes.append(outcome)
        if outcome.result == "crash":
            break
    for p in processes:
        p.join(BARRIER_TIMEOUT)
        if p.is_alive():
            p.kill()
    return outcomes
