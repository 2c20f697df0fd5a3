"""Every service method that takes an actor refuses whoever may not act: the one-door authorization check.

The methods are found by inspection of the services wired in ``Services``; each needs an entry in
CASES (how to call it and which refusals apply), so a new actor-taking method without one fails here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from secop_desktop.core.access.service import Accion
from secop_desktop.core.accounts.mailbox import CLASES_OPCIONALES
from secop_desktop.core.identity import STARTUP, Actor, SignedIn
from secop_desktop.core.services import Services
from secop_desktop.errors import PermissionDenied
from secop_desktop.store.models import User
from secop_desktop.vocab import EstadoUsuario
from tests.admin_fixtures import admin_account, requester
from tests.conftest import as_actor, registration
from tests.factories import company_form


@dataclass
class World:
    """Entidad A with its administrator, an accepted Proveedor, a pending request, an area of interest,
    a blocked administrator and a deactivated one; Entidad B administered by an outsider."""

    entity_a: int
    admin: SignedIn
    proveedor: SignedIn
    outsider: SignedIn
    blocked: SignedIn
    deactivated: SignedIn
    pending_mid: int
    area_id: int
    pdf: Path
    doc_id: int
    package: Path
    export_dest: Path
    created_id: int


def build_world(services: Services) -> World:
    a = admin_account(services)
    admin = as_actor(services, a.admin_id)
    proveedor_id, mid = requester(services, a, "proveedor_a", "Proveedor de A")
    services.access.apply(admin, a.entity_id, Accion.ACEPTAR, [mid])
    blocked_id, mid = requester(services, a, "bloqueado_a", "Administrador Bloqueado")
    services.access.apply(admin, a.entity_id, Accion.ACEPTAR, [mid])
    services.access.apply(admin, a.entity_id, Accion.HACER_ADMIN, [mid])
    deactivated_id, mid = requester(services, a, "inactivo_a", "Administrador Desactivado")
    services.access.apply(admin, a.entity_id, Accion.ACEPTAR, [mid])
    services.access.apply(admin, a.entity_id, Accion.HACER_ADMIN, [mid])
    services.access.apply(admin, a.entity_id, Accion.DESACTIVAR, [mid])
    _, pending_mid = requester(services, a, "pendiente_a", "Solicitante Pendiente")
    area = services.interests.add(admin, a.entity_id, "43211500", "Computadores")
    b = admin_account(services, "admin_b", "UT 2017", "900123456")
    with services.db.session() as s:
        s.get_one(User, blocked_id).estado = EstadoUsuario.BLOQUEADO.value
    services.data_dir.mkdir(parents=True, exist_ok=True)
    pdf = services.data_dir / "rut-de-prueba.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + b" " * 200)
    doc = services.documents.attach(admin, "rup", pdf, entity_id=a.entity_id)
    package = services.data_dir / "registro-a.secop"
    services.packages.export(STARTUP, a.entity_id, package)
    created = services.access.create_user(admin, a.entity_id, registration("creado_a", acepta_terminos=False))
    return World(a.entity_id, admin, as_actor(services, proveedor_id), as_actor(services, b.admin_id),
                 as_actor(services, blocked_id), as_actor(services, deactivated_id), pending_mid, area.id,
                 pdf, doc.id, package, services.data_dir / "exportado.secop", created.user_id)


@dataclass(frozen=True)
class Case:
    """How to call a method (the arguments after the actor) and which refusals it owes.

    entity: the method is about Entidad A, so a user of another Entidad and a deactivated member are refused.
    admin: only administrators of Entidad A may call it, so an accepted Proveedor is refused.
    Everybody refuses a blocked user and the System actor (these methods are about a person's data).
    """

    args: Callable[[World], tuple[Any, ...]]
    entity: bool
    admin: bool
    # "refused": only people may call it; "allowed": the application itself may too (start-up, training,
    # imports); "only": the application alone (start-up cleaning), so a person is refused.
    system: str = "refused"
    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}


def _on_a(*rest: Any) -> Callable[[World], tuple[Any, ...]]:
    return lambda w: (w.entity_a, *rest)


ADMIN = Case(_on_a(), entity=True, admin=True)
MEMBER = Case(_on_a(), entity=True, admin=False)
OWN = Case(lambda w: (), entity=False, admin=False)  # the actor's own data, no Entidad involved

CASES: dict[str, Case] = {
    "entities.create": Case(lambda w: (company_form("Nueva Entidad", "901000009"),), entity=False, admin=False),
    "entities.get": MEMBER,
    "entities.update": Case(lambda w: (w.entity_a, 1, company_form()), entity=True, admin=True),
    # Asking for access is what a user of another Entidad does: only the user's own state counts.
    "entities.request_access": Case(_on_a(), entity=False, admin=False),
    "entities.my_registrations": OWN,
    "entities.probable_duplicates": Case(lambda w: ("H&H Asociados S.A.", "800111202"), entity=False, admin=False),
    # Declaring one's new Entidad different from Entidad A is what a user of any Entidad (or none) may do.
    "entities.declare_different": Case(lambda w: ("Nueva Entidad", "901000009", [w.entity_a]), entity=False,
                                       admin=False),
    "entities.summary": MEMBER,
    "entities.checklist": MEMBER,
    "entities.summary_html": MEMBER,
    "access.check_admin": ADMIN,
    "access.members": ADMIN,
    "access.counts": ADMIN,
    "access.count": ADMIN,
    "access.page": ADMIN,
    "access.audit_log": ADMIN,
    "access.audit_actions": ADMIN,
    "access.apply": Case(lambda w: (w.entity_a, Accion.ACEPTAR, [w.pending_mid]), entity=True, admin=True),
    "access.create_user": Case(_on_a(registration("creado_x", acepta_terminos=False)), entity=True, admin=True),
    "access.admin_entities": OWN,
    "access.require_any_admin": Case(lambda w: (), entity=False, admin=True),
    "interests.list": MEMBER,
    "interests.add": Case(_on_a("81112000", "Servicios de datos"), entity=True, admin=True),
    "interests.set_active": Case(lambda w: (w.entity_a, w.area_id, False), entity=True, admin=True),
    "interests.activate": Case(lambda w: (w.entity_a, w.area_id), entity=True, admin=True),
    "interests.deactivate": Case(lambda w: (w.entity_a, w.area_id), entity=True, admin=True),
    "interests.delete": Case(lambda w: (w.entity_a, w.area_id), entity=True, admin=True),
    "documents.list": MEMBER,
    "documents.missing_mandatory": MEMBER,
    "documents.attach": Case(lambda w: ("experiencia", w.pdf), entity=True, admin=True,
                             kwargs=lambda w: {"entity_id": w.entity_a}),
    "documents.delete": Case(lambda w: (w.doc_id,), entity=True, admin=True),
    "documents.clean_leftovers": Case(lambda w: (), entity=False, admin=False, system="only"),
    "documents.set_validity": Case(lambda w: (w.doc_id, date(2024, 6, 3), date(2025, 4, 7)), entity=True,
                                   admin=True),
    "documents.upcoming": MEMBER,
    "documents.send_due_reminders": Case(lambda w: (date(2025, 3, 21),), entity=False, admin=False, system="only"),
    # A shared setting: the application, or whoever administers some Entidad.
    "documents.set_reminder_days": Case(_on_a(15), entity=True, admin=True, system="allowed"),
    "packages.export": Case(lambda w: (w.entity_a, w.export_dest), entity=True, admin=True, system="allowed"),
    "packages.preview": Case(lambda w: (w.package,), entity=False, admin=False, system="allowed"),
    "packages.import_": Case(lambda w: (w.package,), entity=False, admin=False, system="allowed",
                             kwargs=lambda w: {"solicitar_acceso": True}),
    # An id that exists nowhere: the call is authorized before anything is looked up.
    "mail.retry": Case(lambda w: ([10**9],), entity=False, admin=False, system="allowed"),
    # The Buzón and the profile: the actor's own, never somebody else's (no id of another user is taken).
    "mailbox.messages": OWN,
    "mailbox.unread": OWN,
    "mailbox.subscriptions": OWN,
    "mailbox.mark_read": Case(lambda w: (10**9,), entity=False, admin=False),
    "mailbox.set_subscription": Case(lambda w: (CLASE_OPCIONAL, False), entity=False, admin=False),
    "users.profile": OWN,
    # A new activation code for a user «Crear usuarios» made in Entidad A: its administrators only.
    "users.issue_activation_code": Case(lambda w: (w.created_id,), entity=True, admin=True),
    # The help desk lookup: agents (the role) and administrators of some Entidad; the role itself only
    # from the command line (System). An administrator of B searching A's NIT is not refused: A is not shown.
    "lookup.available": OWN,
    "lookup.search": Case(lambda w: ("800111202",), entity=False, admin=True),
    "lookup.checklist": Case(_on_a(), entity=True, admin=True),
    "lookup.card": Case(_on_a(), entity=True, admin=True),
    "lookup.grant_agent": Case(lambda w: ("proveedor_a",), entity=False, admin=False, system="only"),
    "lookup.revoke_agent": Case(lambda w: ("proveedor_a",), entity=False, admin=False, system="only"),
    "lookup.agents": Case(lambda w: (), entity=False, admin=False, system="only"),
}
CLASE_OPCIONAL = sorted(CLASES_OPCIONALES)[0]
LAST = ("interests.delete", "documents.delete")  # the other calls still need what these remove


def actor_methods() -> list[str]:
    """'service.method' for every public method, on the services of Services, whose first argument is the actor."""
    found = []
    for name, kind in Services.service_types().items():
        if name == "db":
            continue
        for method_name, method in inspect.getmembers(kind, inspect.isfunction):
            if method_name.startswith("_"):
                continue
            params = list(inspect.signature(method).parameters)
            if len(params) > 1 and params[0] == "self" and params[1] == "actor":
                found.append(f"{name}.{method_name}")
    return sorted(found)


def test_every_actor_method_has_an_authorization_case() -> None:
    methods = actor_methods()
    assert "access.members" in methods and "entities.create" in methods  # the inspection itself works
    missing = sorted(set(methods) - set(CASES))
    assert not missing, f"add these to CASES in {__name__} (how to call them, which refusals apply): {missing}"
    stale = sorted(set(CASES) - set(methods))
    assert not stale, f"these CASES no longer take an actor: {stale}"


def _call(services: Services, key: str, actor: Actor, world: World) -> Any:
    service_name, method_name = key.split(".")
    case = CASES[key]
    return getattr(getattr(services, service_name), method_name)(actor, *case.args(world), **case.kwargs(world))


def _refusals(services: Services, world: World, who: Callable[[Case], Actor | None]) -> list[str]:
    """The methods that did NOT refuse their actor (empty when every one refused)."""
    let_through = []
    for key in actor_methods():
        actor = who(CASES[key])
        if actor is None:
            continue
        try:
            _call(services, key, actor, world)
        except PermissionDenied as exc:
            assert exc.message and "Traceback" not in exc.message  # a Spanish reason to show
        else:
            let_through.append(key)
    return let_through


@pytest.fixture
def world(sqlite_services: Services) -> World:
    return build_world(sqlite_services)


def test_a_user_of_another_entity_is_refused(sqlite_services: Services, world: World) -> None:
    assert _refusals(sqlite_services, world, lambda case: world.outsider if case.entity else None) == []


def test_a_member_who_is_not_administrator_is_refused(sqlite_services: Services, world: World) -> None:
    assert _refusals(sqlite_services, world, lambda case: world.proveedor if case.admin else None) == []


def test_a_blocked_user_is_refused_everywhere(sqlite_services: Services, world: World) -> None:
    assert _refusals(sqlite_services, world, lambda case: world.blocked) == []


def test_a_deactivated_member_is_refused_in_the_entity(sqlite_services: Services, world: World) -> None:
    assert _refusals(sqlite_services, world, lambda case: world.deactivated if case.entity else None) == []


def test_the_system_actor_is_refused_where_a_person_must_act(sqlite_services: Services, world: World) -> None:
    assert _refusals(sqlite_services, world, lambda case: STARTUP if case.system == "refused" else None) == []


def test_what_only_the_application_does_refuses_a_person(sqlite_services: Services, world: World) -> None:
    assert _refusals(sqlite_services, world, lambda case: world.admin if case.system == "only" else None) == []


def test_the_right_actor_is_let_through(sqlite_services: Services, world: World) -> None:
    """The control: the same calls succeed for whom they are meant (so the refusals above mean something)."""
    for key in sorted(actor_methods(), key=lambda k: k in LAST):
        if CASES[key].system == "only":
            actor: Actor = STARTUP
        elif key in ("entities.request_access", "packages.import_"):
            actor = world.outsider
        else:
            actor = world.admin
        _call(sqlite_services, key, actor, world)


def test_drafts_belong_to_the_desk_agent_who_typed_them(sqlite_services: Services) -> None:
    """Drafts start before anybody has a user, so their owner is the operating-system agent, not an actor."""
    drafts = sqlite_services.drafts
    mine = drafts.save("agente_1", None, "registrar_usuario", {"nombre": "Víctor"}, "Víctor")
    assert [d.id for d in drafts.list("agente_1")] == [mine] and drafts.list("agente_2") == []
    for attempt in (lambda: drafts.load("agente_2", mine), lambda: drafts.discard("agente_2", mine),
                    lambda: drafts.save("agente_2", mine, "otro_paso", {"nombre": "Otro"})):
        with pytest.raises(PermissionDenied, match="otro agente"):
            attempt()
    loaded = drafts.load("agente_1", mine)
    assert loaded is not None and loaded.paso == "registrar_usuario" and loaded.datos == {"nombre": "Víctor"}
