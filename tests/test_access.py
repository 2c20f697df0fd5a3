"""Administración de usuarios: every action, the last-admin rule, audit and Buzón."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from secop_desktop.core.access import audit
from secop_desktop.core.access.service import Accion
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.services import Services
from secop_desktop.errors import ConflictError, PermissionDenied, ServiceError
from secop_desktop.store.models import AuditEntry
from tests.conftest import FakeClock, active_user, as_actor, registration
from tests.factories import company_form


@pytest.fixture
def account(services: Services) -> tuple[int, int]:
    admin = active_user(services, "admin_hh")
    return admin, services.entities.create(as_actor(services, admin), company_form()).id


def _pending(services: Services, entity_id: int, usuario: str) -> tuple[int, int]:
    uid = active_user(services, usuario)
    return uid, services.entities.request_access(as_actor(services, uid), entity_id).membership_id


def test_accept_sets_date_message_and_audit(services: Services, account: tuple[int, int], clock: FakeClock) -> None:
    admin, entity = account
    uid, mid = _pending(services, entity, "felipe")
    clock.advance(days=2)
    [row] = services.access.apply(as_actor(services, admin), entity, Accion.ACEPTAR, [mid])
    assert row.acceso == "Aceptado"
    reg = services.entities.my_registrations(as_actor(services, uid))[0]
    assert reg.estado == "Aceptado" and reg.fecha_aceptacion == clock()
    with services.db.session() as s:
        msg = next(m for m in outbox.inbox(s, uid) if m.clase == "acceso")
        log = audit.entries(s, entity_id=entity, accion="aceptar")
    assert msg.asunto == "Su solicitud de acceso fue aceptada"
    assert log[0].antes == {"acceso": "Pendiente", "es_administrador": False, "activo": True}
    assert log[0].despues["acceso"] == "Aceptado"


def test_reject_revert_cancel_cycle(services: Services, account: tuple[int, int]) -> None:
    admin, entity = account
    _, mid = _pending(services, entity, "felipe")
    assert services.access.apply(as_actor(services, admin), entity, Accion.RECHAZAR, [mid])[0].acceso == "Rechazado"
    with pytest.raises(ServiceError, match="no aplica"):
        services.access.apply(as_actor(services, admin), entity, Accion.ACEPTAR, [mid])
    assert services.access.apply(as_actor(services, admin), entity, Accion.REVERTIR, [mid])[0].acceso == "Pendiente"
    assert services.access.apply(as_actor(services, admin), entity, Accion.ACEPTAR, [mid])[0].acceso == "Aceptado"
    assert services.access.apply(as_actor(services, admin), entity, Accion.CANCELAR, [mid])[0].acceso == "Cancelado"
    assert services.access.counts(as_actor(services, admin), entity) == {"Pendiente": 0, "Aceptado": 1,
                                                                          "Rechazado": 0, "Cancelado": 1}


def test_last_admin_cannot_be_removed(services: Services, account: tuple[int, int]) -> None:
    admin, entity = account
    [own] = [r for r in services.access.members(as_actor(services, admin), entity) if r.user_id == admin]
    for accion in (Accion.CANCELAR, Accion.DESACTIVAR, Accion.HACER_PROVEEDOR):
        with pytest.raises(ServiceError, match="por lo menos un usuario administrador activo"):
            services.access.apply(as_actor(services, admin), entity, accion, [own.membership_id])
    assert services.access.members(as_actor(services, admin), entity)[0].acceso == "Aceptado"
    # With a second administrator the first may step down.
    segundo, mid = _pending(services, entity, "segundo")
    services.access.apply(as_actor(services, admin), entity, Accion.ACEPTAR, [mid])
    services.access.apply(as_actor(services, admin), entity, Accion.HACER_ADMIN, [mid])
    services.access.apply(as_actor(services, admin), entity, Accion.HACER_PROVEEDOR, [own.membership_id])
    # No longer an administrator, the first may not read the table any more; the second may.
    with pytest.raises(PermissionDenied):
        services.access.members(as_actor(services, admin), entity)
    roles = {r.user_id: r.rol for r in services.access.members(as_actor(services, segundo), entity)}
    assert roles[admin] == "Proveedor"


def test_multi_select_is_all_or_nothing(services: Services, account: tuple[int, int]) -> None:
    admin, entity = account
    mids = [_pending(services, entity, f"prov{i}")[1] for i in range(3)]
    services.access.apply(as_actor(services, admin), entity, Accion.RECHAZAR, [mids[2]])
    with pytest.raises(ServiceError):
        services.access.apply(as_actor(services, admin), entity, Accion.ACEPTAR, mids)
    assert services.access.counts(as_actor(services, admin), entity)["Pendiente"] == 2
    services.access.apply(as_actor(services, admin), entity, Accion.ACEPTAR, mids[:2])
    assert services.access.counts(as_actor(services, admin), entity)["Aceptado"] == 3


def test_non_admin_refused_and_audited(services: Services, account: tuple[int, int]) -> None:
    admin, entity = account
    uid, mid = _pending(services, entity, "felipe")
    with pytest.raises(PermissionDenied):
        services.access.apply(as_actor(services, uid), entity, Accion.ACEPTAR, [mid])
    with pytest.raises(PermissionDenied, match="Solo los administradores"):
        services.access.check_admin(as_actor(services, uid), entity)
    with services.db.session() as s:
        assert [e.actor for e in audit.entries(s, accion="acceso_admin_denegado")] == ["felipe"]


def test_stale_version_is_a_conflict(services: Services, account: tuple[int, int]) -> None:
    admin, entity = account
    _, mid = _pending(services, entity, "felipe")
    seen = {r.membership_id: r.version for r in services.access.members(as_actor(services, admin), entity)}
    services.access.apply(as_actor(services, admin), entity, Accion.ACEPTAR, [mid], seen)
    with pytest.raises(ConflictError):
        services.access.apply(as_actor(services, admin), entity, Accion.CANCELAR, [mid], seen)


def test_create_user_sends_activation(services: Services, account: tuple[int, int]) -> None:
    admin, entity = account
    row = services.access.create_user(as_actor(services, admin), entity, registration("nuevo_user", acepta_terminos=False))
    assert row.acceso == "Aceptado" and row.rol == "Proveedor"
    with services.db.session() as s:
        assert [m.clase for m in outbox.inbox(s, row.user_id)] == ["activacion"]


def test_audit_log_is_append_only(services: Services, account: tuple[int, int]) -> None:
    # The store turns the trigger's refusal into the project's own error; the cause keeps why.
    with pytest.raises(ServiceError) as refused:
        with services.db.session() as s:
            s.execute(text("UPDATE audit_log SET actor = 'otro'"))
    assert "solo inserción" in str(refused.value.__cause__)
    with pytest.raises(ServiceError) as refused:
        with services.db.session() as s:
            s.execute(text("DELETE FROM audit_log"))
    assert "solo inserción" in str(refused.value.__cause__)
    with services.db.session() as s:
        assert s.scalars(select(AuditEntry)).first() is not None


def test_search_by_name_address_and_domain(services: Services, account: tuple[int, int]) -> None:
    admin, entity = account
    _pending(services, entity, "felipe")
    _pending(services, entity, "luisa")
    def found(texto: str) -> list[str]:
        return sorted(r.correo for r in services.access.page(as_actor(services, admin), entity, texto=texto).rows)
    assert found("FELIPE@exa") == ["felipe@example.com"]
    assert found("felipe@example.com") == ["felipe@example.com"]
    assert found("@example.com") == ["admin_hh@example.com", "felipe@example.com", "luisa@example.com"]
    assert found("alfonso") == ["admin_hh@example.com", "felipe@example.com", "luisa@example.com"]
    assert found("nadie@") == []
    assert services.access.count(as_actor(services, admin), entity, texto="luisa@") == 1
