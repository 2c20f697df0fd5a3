"""services.lookup: one box for the help desk (NIT, name, username, e-mail), the role and who sees what."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from secop_desktop.core.access import lookup
from secop_desktop.core.access.service import Accion
from secop_desktop.core.identity import STARTUP, SignedIn, System
from secop_desktop.core.services import Services
from secop_desktop.errors import PermissionDenied, ServiceError
from secop_desktop.store.models import AuditEntry
from tests.admin_fixtures import Account, admin_account, requester
from tests.conftest import active_user, as_actor, registration

CLI = System("pruebas")


@pytest.fixture
def desk(services: Services) -> tuple[Services, Account, Account, SignedIn]:
    """Ferretería Andina (one pending request, an accepted Proveedor, the RUP attached) and H&H; an agent."""
    andina = admin_account(services, "admin_andina", "Ferretería Andina S.A.S.", "800111202",
                           admin_nombre="Ana Andina")
    hh = admin_account(services, "admin_hh", "H&H Asociados", "900123456")
    admin = as_actor(services, andina.admin_id)
    _, mid = requester(services, andina, "proveedor_andina", "Pedro Proveedor")
    services.access.apply(admin, andina.entity_id, Accion.ACEPTAR, [mid])
    requester(services, andina, "espera_andina", "Sara Solicitante")
    pdf = services.data_dir / "rup.pdf"
    services.data_dir.mkdir(parents=True, exist_ok=True)
    pdf.write_bytes(b"%PDF-1.7\n" + b" " * 200)
    services.documents.attach(admin, "rup", pdf, entity_id=andina.entity_id)
    agent = as_actor(services, active_user(services, "agente_mesa", nombre="Marta Mesa"))
    assert services.lookup.grant_agent(CLI, "agente_mesa") is True
    return services, andina, hh, agent


@pytest.mark.parametrize(("texto", "tipo"), [
    ("800111202", lookup.NIT), ("800.111.202-9", lookup.NIT), (" 0800 111 202 ", lookup.NIT),
    ("ana@example.com", lookup.CORREO), ("Ferretería Andina", lookup.NOMBRE),
])
def test_the_kind_of_text_is_detected(texto: str, tipo: str) -> None:
    assert lookup.kind_of(texto.strip()) == tipo


def test_an_agent_finds_a_supplier_by_nit_in_any_form_with_everything_on_one_screen(desk) -> None:  # type: ignore[no-untyped-def]
    services, andina, _, agent = desk
    for texto in ("800111202", "800.111.202-9", "0800 111 202"):
        result = services.lookup.search(agent, texto)
        assert result.tipo == lookup.NIT and [c.entidad.id for c in result.proveedores] == [andina.entity_id], texto
    card = result.proveedores[0]
    assert card.entidad.nombre == "Ferretería Andina S.A.S."
    states = {u.usuario: (u.acceso, u.estado_usuario, u.rol) for u in card.usuarios}
    assert states["admin_andina"] == ("Aceptado", "activo", "Administrador")
    assert states["proveedor_andina"][0] == "Aceptado" and states["espera_andina"][0] == "Pendiente"
    assert card.total_usuarios == 3
    assert [u.usuario for u in card.solicitudes_pendientes] == ["espera_andina"] and card.total_pendientes == 1
    # The RUP is attached (and optional anyway): the four mandatory documents of a company are missing.
    assert card.documentos_faltantes == ("Capacidad financiera y organizacional", "Experiencia",
                                         "Estados financieros", "Existencia y representación legal")
    # Newest first: the registration, the oldest action, comes last.
    assert card.ultimas_acciones[-1].accion == "entidad_registrada" and len(card.ultimas_acciones) >= 4
    assert card.puede_administrar is False and card.motivo_solo_lectura == lookup.SOLO_LECTURA


def test_a_name_is_found_however_it_is_written(desk) -> None:  # type: ignore[no-untyped-def]
    services, andina, hh, agent = desk
    for texto in ("FERRETERIA ANDINA SAS", "Ferreteria Andina S. A. S.", "ferretería andina", "andina"):
        result = services.lookup.search(agent, texto)
        assert result.tipo == lookup.NOMBRE and [c.entidad.id for c in result.proveedores] == [andina.entity_id], texto
    assert [c.entidad.id for c in services.lookup.search(agent, "H&H").proveedores] == [hh.entity_id]
    assert services.lookup.search(agent, "Constructora Bolívar").proveedores == ()


def test_a_username_or_an_email_finds_the_users_suppliers(desk) -> None:  # type: ignore[no-untyped-def]
    services, andina, _, agent = desk
    by_user = services.lookup.search(agent, "Espera_Andina")
    assert by_user.tipo == lookup.USUARIO and [c.entidad.id for c in by_user.proveedores] == [andina.entity_id]
    assert [u.usuario for u in by_user.usuarios] == ["espera_andina"]
    by_mail = services.lookup.search(agent, "PROVEEDOR_ANDINA@example.com")
    assert by_mail.tipo == lookup.CORREO and [c.entidad.id for c in by_mail.proveedores] == [andina.entity_id]
    # A user who never reached an Entidad is still found: the caller stuck at activation.
    services.users.register(registration("sin_entidad"))
    alone = services.lookup.search(agent, "sin_entidad@example.com")
    assert alone.proveedores == () and [(u.usuario, u.estado_usuario) for u in alone.usuarios] == [
        ("sin_entidad", "pendiente de confirmación")]


def test_an_administrator_sees_only_their_own_entity_and_may_act_there(desk) -> None:  # type: ignore[no-untyped-def]
    services, andina, hh, _ = desk
    admin_hh = as_actor(services, hh.admin_id)
    own = services.lookup.search(admin_hh, "900123456")
    assert [c.entidad.id for c in own.proveedores] == [hh.entity_id]
    assert own.proveedores[0].puede_administrar and own.proveedores[0].motivo_solo_lectura == ""
    for texto in ("800111202", "Ferretería Andina", "espera_andina", "espera_andina@example.com"):
        other = services.lookup.search(admin_hh, texto)
        assert other.proveedores == () and other.usuarios == (), texto
    assert services.lookup.available(admin_hh) is True


def test_nobody_else_may_look(desk) -> None:  # type: ignore[no-untyped-def]
    services, andina, _, _ = desk
    proveedor = as_actor(services, services.lookup.search(
        desk[3], "proveedor_andina").usuarios[0].user_id)
    assert services.lookup.available(proveedor) is False
    with pytest.raises(PermissionDenied, match="Agente de mesa de ayuda"):
        services.lookup.search(proveedor, "800111202")
    with pytest.raises(PermissionDenied):
        services.lookup.checklist(proveedor, andina.entity_id)
    with pytest.raises(PermissionDenied):
        services.lookup.search(STARTUP, "800111202")


def test_the_role_is_granted_and_revoked_by_the_system_only_and_audited(desk) -> None:  # type: ignore[no-untyped-def]
    services, andina, _, agent = desk
    with pytest.raises(PermissionDenied):
        services.lookup.grant_agent(as_actor(services, andina.admin_id), "admin_andina")
    assert services.lookup.grant_agent(CLI, "AGENTE_MESA") is False  # already had it
    assert [a.usuario for a in services.lookup.agents(CLI)] == ["agente_mesa"]
    assert services.lookup.revoke_agent(CLI, "agente_mesa") is True
    assert services.lookup.revoke_agent(CLI, "agente_mesa") is False
    with pytest.raises(PermissionDenied):
        services.lookup.search(agent, "800111202")
    with pytest.raises(ServiceError, match="No existe el usuario"):
        services.lookup.grant_agent(CLI, "nadie")
    with services.db.session() as s:
        actions = [(e.accion, e.actor) for e in s.scalars(select(AuditEntry).where(
            AuditEntry.accion.in_(("rol_concedido", "rol_retirado"))).order_by(AuditEntry.id))]
    assert [a for a, _ in actions] == ["rol_concedido", "rol_retirado"]
    assert all("pruebas" in who for _, who in actions)


def test_the_checklist_of_a_stored_entity_lists_the_missing_documents(desk) -> None:  # type: ignore[no-untyped-def]
    services, andina, _, agent = desk
    checklist = services.lookup.checklist(agent, andina.entity_id)
    missing = [i.titulo for i in checklist.items if not i.hecho]
    assert missing == ["Capacidad financiera y organizacional", "Experiencia", "Estados financieros",
                       "Existencia y representación legal"]
    assert 0 < checklist.porcentaje < 100
    admin = as_actor(services, andina.admin_id)
    assert services.lookup.checklist(admin, andina.entity_id).porcentaje == checklist.porcentaje


def test_control_characters_are_refused_and_empty_text_finds_nothing(desk) -> None:  # type: ignore[no-untyped-def]
    services, _, _, agent = desk
    with pytest.raises(ServiceError):
        services.lookup.search(agent, "andina\x00")
    assert services.lookup.search(agent, "   ").proveedores == ()


def test_the_command_line_grants_lists_and_revokes_the_role() -> None:
    import io

    from secop_desktop import cli

    def run(*argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        return cli.run(list(argv), out=out, err=err), out.getvalue(), err.getvalue()

    sv = Services.open()
    try:
        active_user(sv, "marta_mesa", nombre="Marta Mesa")
    finally:
        sv.close()
    assert run("mesa-de-ayuda", "conceder", "marta_mesa") == (
        0, "Rol «Agente de mesa de ayuda» concedido a marta_mesa.\n", "")
    assert run("mesa-de-ayuda", "conceder", "marta_mesa")[1] == "marta_mesa ya tenía el rol «Agente de mesa de ayuda».\n"
    code, out, _ = run("mesa-de-ayuda", "listar")
    assert code == 0 and out.splitlines()[1].startswith("marta_mesa\tMarta Mesa\t")
    assert "línea de órdenes: mesa-de-ayuda conceder" in out
    assert run("mesa-de-ayuda", "retirar", "marta_mesa")[0] == 0
    assert run("mesa-de-ayuda", "listar")[1].splitlines()[1:] == []
    code, _, err = run("mesa-de-ayuda", "conceder", "nadie")
    assert code == 1 and "No existe el usuario «nadie»" in err
    assert run("mesa-de-ayuda")[0] == 2


def test_many_matches_come_as_a_list_and_each_card_on_demand(desk) -> None:  # type: ignore[no-untyped-def]
    services, andina, _, agent = desk
    for n, nit in enumerate(("901000009", "901000010", "901000011", "901000012")):
        admin_account(services, f"admin_andina_{n}", f"Andina Sucursal {n}", nit)
    result = services.lookup.search(agent, "andina")
    assert len(result.encontrados) == 5 and len(result.proveedores) == lookup.CARDS_AT_ONCE
    assert [c.entidad.id for c in result.proveedores] == [e.id for e in result.encontrados[:lookup.CARDS_AT_ONCE]]
    last = result.encontrados[3]  # in name order: "Andina Sucursal 3", beyond the first three
    card = services.lookup.card(agent, last.id)
    assert card.entidad == last and [u.rol for u in card.usuarios] == ["Administrador"]
    with pytest.raises(PermissionDenied):
        services.lookup.card(as_actor(services, andina.admin_id), last.id)  # not their Entidad


def test_the_migration_normalises_the_names_already_stored(db_url: str) -> None:
    """Rows written before 0007 get their normalised name and word index, so old suppliers are found too."""
    import sqlalchemy as sa
    from alembic import command

    from secop_desktop.store.database import Database, alembic_config, current_revision
    from tests.test_nit import _fill

    db = Database(db_url, run_migrations=False)
    try:
        cfg = alembic_config()
        fresh = current_revision(db.engine) is None
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            if fresh:
                command.upgrade(cfg, "0006")
            else:  # the PostgreSQL test databases are copies of a migrated template
                command.downgrade(cfg, "0006")
        with db.engine.begin() as conn:
            entities = sa.Table("entities", sa.MetaData(), autoload_with=conn)
            conn.execute(entities.insert().values(**_fill(
                entities, pais="COLOMBIA", nombre="Ferretería Andina S.A.S.", nombre_busqueda="ferreteria andina s.a.s.",
                nit="800111202", dv="1", municipio_codigo="11001", departamento_codigo="11")))
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT nombre_normalizado FROM entities")).scalar_one() == "ferreteria andina"
    finally:
        db.dispose()
    services = Services.open(db_url, None)
    try:
        me = as_actor(services, active_user(services, "nuevo"))
        found = services.entities.probable_duplicates(me, "FERRETERIA ANDNA LTDA")
        assert [d.entidad.nombre for d in found] == ["Ferretería Andina S.A.S."] and found[0].motivo == "parecido"
    finally:
        services.close()
