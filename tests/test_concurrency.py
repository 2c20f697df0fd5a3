"""Two processes acting at once, 200 times, on SQLite and on the real PostgreSQL: nothing is lost."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import func, select

from secop_desktop.core import validators
from secop_desktop.core.access.service import LAST_ADMIN
from secop_desktop.core.services import Services
from secop_desktop.errors import ConflictError
from secop_desktop.store.models import AuditEntry, Entity, Membership
from secop_desktop.vocab import Acceso
from tests.concurrency_fixtures import Outcome, add_membership, quick_users, race
from tests.conftest import as_actor
from tests.factories import company_form

ITERATIONS = 200


@pytest.fixture
def shared(db_url: str, tmp_path: Path) -> Iterator[Services]:
    services = Services.open(db_url, tmp_path / "datos")
    yield services
    services.close()


def by_iteration(outcomes: list[Outcome]) -> dict[int, list[Outcome]]:
    crashes = [o for o in outcomes if o.result == "crash"]
    assert crashes == []
    grouped: dict[int, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        grouped[o.iteration].append(o)
    assert sorted(grouped) == list(range(ITERATIONS))
    assert all(len(pair) == 2 for pair in grouped.values())
    return grouped


def test_two_agents_editing_one_entity_never_lose_an_update(shared: Services, tmp_path: Path) -> None:
    agents = quick_users(shared, "agente", 2)
    entity = shared.entities.create(as_actor(shared, agents[0]), company_form())
    add_membership(shared, agents[1], entity.id, admin=True)

    outcomes = race("entity_update", shared.db.url, tmp_path / "datos",
                    {"iterations": ITERATIONS, "entity_id": entity.id, "users": agents})

    winners = []
    for i, pair in sorted(by_iteration(outcomes).items()):
        assert sorted(o.result for o in pair) == ["conflict", "ok"], (i, pair)
        [won] = [o for o in pair if o.result == "ok"]
        [lost] = [o for o in pair if o.result == "conflict"]
        assert lost.detail == ConflictError().message  # Spanish, and tells to reload
        winners.append(won)
    assert all(a.version < b.version for a, b in pairwise(winners))  # type: ignore[operator]
    final = shared.entities.get(as_actor(shared, agents[0]), entity.id)
    assert final.version == winners[-1].version
    assert final.form.nombre == winners[-1].detail
    with shared.db.session() as s:
        audits = list(s.scalars(select(AuditEntry).where(AuditEntry.accion == "entidad_actualizada",
                                                         AuditEntry.objeto_id == entity.id)
                                .order_by(AuditEntry.id)))
    # Every saved change started from the state the previous one left: zero lost updates.
    assert len(audits) == ITERATIONS
    chain = [(a.antes["version"], a.despues["version"]) for a in audits]  # type: ignore[index]
    assert chain[0][0] == entity.version
    assert all(prev[1] == cur[0] for prev, cur in pairwise(chain))
    assert chain[-1][1] == final.version
    assert [a.despues["nombre"] for a in audits] == [w.detail for w in winners]  # type: ignore[index]


def test_two_administrators_on_one_access_request_only_one_decides(shared: Services, tmp_path: Path) -> None:
    admins = quick_users(shared, "admin", 2)
    entity = shared.entities.create(as_actor(shared, admins[0]), company_form())
    add_membership(shared, admins[1], entity.id, admin=True)
    requesters = quick_users(shared, "solicitante", ITERATIONS)
    requests = [add_membership(shared, u, entity.id, admin=False, acceso=Acceso.PENDIENTE) for u in requesters]

    outcomes = race("access_apply", shared.db.url, tmp_path / "datos",
                    {"iterations": ITERATIONS, "entity_id": entity.id, "admins": admins, "requests": requests})

    with shared.db.session() as s:
        final = {m.id: m for m in s.scalars(select(Membership).where(Membership.id.in_(requests)))}
        decisions = Counter(s.scalars(select(AuditEntry.objeto_id).where(
            AuditEntry.objeto == "membresia", AuditEntry.accion.in_(("aceptar", "rechazar")))))
    for i, pair in sorted(by_iteration(outcomes).items()):
        assert Counter(o.result for o in pair)["ok"] == 1, (i, pair)
        [won] = [o for o in pair if o.result == "ok"]
        [lost] = [o for o in pair if o.result != "ok"]
        assert lost.detail.startswith("Otro administrador cambió esta solicitud"), lost
        membership = final[requests[i]]
        assert membership.acceso == won.detail  # the winner's decision is the one stored
        assert membership.version == 2
        assert decisions[requests[i]] == 1  # one decision recorded, never two


def test_two_agents_registering_one_nit_create_one_entity(shared: Services, tmp_path: Path) -> None:
    agents = quick_users(shared, "registro", 2)
    nits = [str(900_100_000 + 37 * i) for i in range(ITERATIONS)]
    assert all(validators.check_nit(n) is None for n in nits)

    outcomes = race("create_same_nit", shared.db.url, tmp_path / "datos",
                    {"iterations": ITERATIONS, "users": agents, "nits": nits})

    for i, pair in sorted(by_iteration(outcomes).items()):
        assert sorted(o.result for o in pair) == ["duplicate", "ok"], (i, pair)
        [lost] = [o for o in pair if o.result == "duplicate"]
        assert lost.detail == "Ya existe una Entidad registrada con este NIT. Use «Solicitud de acceso»."
    with shared.db.session() as s:
        per_nit = {nit: n for nit, n in s.execute(
            select(Entity.nit, func.count()).where(Entity.nit.in_(nits)).group_by(Entity.nit))}
    assert per_nit == {n: 1 for n in nits}  # zero duplicates


def test_two_administrators_demoting_each_other_leave_one_administrator(shared: Services, tmp_path: Path) -> None:
    admins = quick_users(shared, "jefe", 2)
    entities = []
    for i in range(ITERATIONS):
        entity = shared.entities.create(as_actor(shared, admins[0]), company_form(f"Cuenta {i:03d}", str(800_200_000 + 41 * i)))
        with shared.db.session() as s:
            first = s.scalar(select(Membership.id).where(Membership.entity_id == entity.id))
        second = add_membership(shared, admins[1], entity.id, admin=True)
        entities.append((entity.id, [first, second]))

    outcomes = race("demote_each_other", shared.db.url, tmp_path / "datos",
                    {"iterations": ITERATIONS, "admins": admins, "entities": entities})

    with shared.db.session() as s:
        admins_left = Counter(s.scalars(select(Membership.entity_id).where(
            Membership.es_administrador.is_(True), Membership.entity_id.in_([e for e, _ in entities]))))
    for i, pair in sorted(by_iteration(outcomes).items()):
        assert sorted(o.result for o in pair) == ["ok", "refused"], (i, pair)
        [lost] = [o for o in pair if o.result == "refused"]
        assert lost.detail in (LAST_ADMIN, "Solo un administrador de la Entidad puede administrar usuarios.")
        assert admins_left[entities[i][0]] == 1
