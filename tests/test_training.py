"""Training mode: separate store, realistic seed, exact reset, exercises ticked only by the stored state."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from stdnum.co import nit as co_nit

from secop_desktop import paths
from secop_desktop.core import training
from secop_desktop.core.access.service import Accion
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.documents.service import DocumentService, slots
from secop_desktop.core.entities.divipola import divipola
from secop_desktop.core.services import Services
from secop_desktop.core.training import store as practice_store
from secop_desktop.errors import ServiceError
from secop_desktop.store.models import Document, Entity, Membership, Message, User
from secop_desktop.vocab import TIPOS_ORGANIZACION, Acceso, EstadoUsuario
from tests.conftest import as_actor, registration
from tests.factories import company_form, persona_natural_form
from tests.training_fixtures import new_active_user, practice, seeded_folder  # noqa: F401 - fixtures


def ticks(sv: Services, clave: str) -> list[bool]:
    state = next(e for e in sv.training.exercise_states() if e.clave == clave)
    return [p.hecho for p in state.pasos]


def info(sv: Services) -> training.SeedInfo:
    seed = sv.training.seed_info()
    assert seed is not None
    return seed


def pdf(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(training.sample_pdf(name, ["práctica"]))
    return path


# --- the separate store ---------------------------------------------------------------------------

def test_practice_store_is_separate_and_ignores_the_configured_database(practice: Services,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(paths.DB_URL_ENV, "postgresql://nadie@servidor-real/secop")
    sv = training.open_training()
    try:
        assert sv.db.url == f"sqlite:///{paths.data_dir() / 'capacitacion' / training.DB_FILE}"
        assert sv.data_dir == paths.data_dir() / "capacitacion"
        assert sv.training.is_training()
    finally:
        sv.close()
    real = Services.open(f"sqlite:///{paths.data_dir() / 'real.sqlite3'}", paths.data_dir())
    try:
        assert not real.training.is_training()
        with pytest.raises(ServiceError, match="Solo se puede reiniciar la base de datos de capacitación."):
            real.training.reset()
    finally:
        real.close()


def test_first_use_seeds_and_builds_the_template(tmp_path: Path) -> None:
    folder = training.ensure_ready(tmp_path)
    assert (folder / training.TEMPLATE_DIR / training.DB_FILE).is_file()
    assert (folder / training.TEMPLATE_DIR / "documents").is_dir()
    # A deleted practice database is restored from the template, not re-seeded.
    (folder / training.DB_FILE).unlink()
    sv = training.open_training(tmp_path)
    try:
        assert info(sv).contrasena == training.PASSWORD
    finally:
        sv.close()


# --- the seed -------------------------------------------------------------------------------------

def test_seed_has_every_organisation_type_with_valid_nit_and_divipola(practice: Services) -> None:
    with practice.db.session() as s:
        entities = list(s.scalars(select(Entity)))
    assert {e.tipo_organizacion for e in entities} == set(TIPOS_ORGANIZACION)
    for e in entities:
        assert e.nit and co_nit.is_valid(e.nit + e.dv), e.nombre
        municipio = divipola().municipio(e.municipio_codigo or "")
        assert municipio is not None and municipio.departamento_codigo == e.departamento_codigo
        assert e.codigo_postal.startswith(e.departamento_codigo or "-")
    naturales = [e for e in entities if e.persona_natural]
    assert len(naturales) == 2 and any(not e.obligado_contabilidad for e in naturales)
    assert len({e.nit for e in entities}) == len(entities)


def test_seed_has_users_in_every_state_documents_and_messages(practice: Services) -> None:
    with practice.db.session() as s:
        accesos = set(s.scalars(select(Membership.acceso)))
        estados = set(s.scalars(select(User.estado)))
        users = list(s.scalars(select(User)))
        documents = list(s.scalars(select(Document)))
        unread = s.scalar(select(func.count()).select_from(Message).where(Message.leido_en.is_(None)))
        read = s.scalar(select(func.count()).select_from(Message).where(Message.leido_en.is_not(None)))
        plural_members = s.scalar(select(func.count()).select_from(Membership).join(Entity).where(
            Entity.tipo_organizacion.in_(["Consorcio", "Unión temporal"])))
    assert accesos == {a.value for a in Acceso}
    assert {EstadoUsuario.ACTIVO.value, EstadoUsuario.PENDIENTE.value} <= estados
    for u in users:
        first, *rest = u.nombre.split()
        assert first in training.NOMBRES and all(part in training.APELLIDOS for part in rest), u.nombre
    assert len(documents) > 40 and unread and read
    assert plural_members == 4  # each has its administrator and a partner company's user
    store = DocumentService(practice).store
    for d in documents:
        assert store.path_for(d.sha256).read_bytes().startswith(b"%PDF-1.4")
    # Practice users really sign in with the practice password.
    assert practice.users.profile(practice.users.sign_in(info(practice).administrador, training.PASSWORD)).estado == "activo"


# --- reset ------------------------------------------------------------------------------------------

def test_reset_restores_exactly_the_seeded_state(practice: Services, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    seeded = training.fingerprint(practice.db)
    seeded_docs = training.documents_fingerprint(practice.data_dir)
    seed = info(practice)
    # A class's worth of changes: users, an entity with documents, decisions, messages read.
    uid = new_active_user(practice)
    record = practice.entities.create(as_actor(practice, uid), company_form(nombre="Aprendices Unidos S.A.S.", nit="901234567"))
    practice.documents.attach(as_actor(practice, uid), "rup", pdf(tmp_path, "RUP nuevo.pdf"), entity_id=record.id)
    admin = practice.users.sign_in(seed.administrador, training.PASSWORD)
    practice.access.apply(admin, seed.entidad_principal_id, Accion.ACEPTAR, [seed.pendientes[0]])
    with practice.db.session() as s:
        for m in s.scalars(select(Message)):
            m.leido_en = m.creado_en
    changed = training.fingerprint(practice.db)
    assert changed != seeded
    assert changed["audit_log"][0] > seeded["audit_log"][0]
    assert training.documents_fingerprint(practice.data_dir) != seeded_docs

    # Reset copies the template back; it must not re-seed (that would take far longer).
    monkeypatch.setattr(training, "seed", lambda *a, **k: pytest.fail("reset re-seeded"))
    practice.training.reset()
    assert training.fingerprint(practice.db) == seeded
    assert training.documents_fingerprint(practice.data_dir) == seeded_docs
    # The same Services keeps working after the reset.
    assert practice.users.profile(practice.users.sign_in(seed.administrador, training.PASSWORD)).usuario == seed.administrador
    assert ticks(practice, "aceptar") == [True, False, False]


def test_reset_rebuilds_when_the_seed_changes(practice: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(practice_store, "SEED_VERSION", practice_store.SEED_VERSION + 1)
    practice.training.reset()
    assert info(practice).version == practice_store.SEED_VERSION


# --- guided exercises ------------------------------------------------------------------------------

def test_exercise_persona_natural_ticks_step_by_step(practice: Services, tmp_path: Path) -> None:
    assert ticks(practice, "persona_natural") == [False] * 5
    reg = practice.users.register(registration("aprendiz.natural", nombre="Aprendiz Natural"))
    assert ticks(practice, "persona_natural") == [True, False, False, False, False]
    with practice.db.session() as s:
        link = next(m.enlace for m in outbox.inbox(s, reg.id) if m.clase == "activacion")
    practice.users.confirm(link or "")
    assert ticks(practice, "persona_natural") == [True, True, False, False, False]
    practice.users.sign_in("aprendiz.natural", "Secop2018x")
    assert ticks(practice, "persona_natural") == [True, True, True, False, False]
    # A company does not count for this exercise.
    practice.entities.create(as_actor(practice, reg.id), company_form(nombre="No Es Natural S.A.S.", nit="901000001"))
    assert ticks(practice, "persona_natural") == [True, True, True, False, False]
    record = practice.entities.create(as_actor(practice, reg.id),
                                      persona_natural_form(nombre="Aprendiz Natural", cedula="1098765432"))
    assert ticks(practice, "persona_natural") == [True, True, True, True, False]
    docs = DocumentService(practice)
    mandatory = [x.tipo for x in slots(True, record.form.obligado_contabilidad) if x.obligatorio]
    for tipo in mandatory[:-1]:
        docs.attach(as_actor(practice, reg.id), tipo, pdf(tmp_path, f"{tipo}.pdf"), entity_id=record.id)
        assert ticks(practice, "persona_natural")[4] is False
    docs.attach(as_actor(practice, reg.id), mandatory[-1], pdf(tmp_path, "ultimo.pdf"), entity_id=record.id)
    assert ticks(practice, "persona_natural") == [True] * 5


def test_exercise_empresa_ticks_only_for_a_new_company(practice: Services, tmp_path: Path) -> None:
    seed = info(practice)
    assert ticks(practice, "empresa") == [False] * 4
    admin = practice.users.profile(practice.users.sign_in(seed.administrador, training.PASSWORD))
    # Attaching to a seeded account proves nothing about this exercise.
    practice.documents.attach(as_actor(practice, admin.id), "rup", pdf(tmp_path, "RUP.pdf"),
                              entity_id=seed.entidad_principal_id)
    assert ticks(practice, "empresa") == [False] * 4
    record = practice.entities.create(as_actor(practice, admin.id), company_form(nombre="Empresa Nueva S.A.S.", nit="901000002",
                                                             financials=[]))
    assert ticks(practice, "empresa") == [True, False, False, False]
    form = record.form
    form.financials = company_form().financials
    practice.entities.update(as_actor(practice, admin.id), record.id, record.version, form)
    assert ticks(practice, "empresa") == [True, True, False, False]
    docs = DocumentService(practice)
    for tipo in ("capacidad_financiera", "experiencia", "estados_financieros", "existencia_representacion"):
        docs.attach(as_actor(practice, admin.id), tipo, pdf(tmp_path, f"{tipo}.pdf"), entity_id=record.id)
    assert ticks(practice, "empresa") == [True, True, True, False]
    docs.attach(as_actor(practice, admin.id), "rup", pdf(tmp_path, "rup.pdf"), entity_id=record.id)
    assert ticks(practice, "empresa") == [True] * 4


def test_exercise_solicitud_needs_a_request_to_an_existing_account(practice: Services) -> None:
    seed = info(practice)
    uid = new_active_user(practice)
    assert ticks(practice, "solicitud") == [True, False, False]
    # A request to an account created after the seed is not "an existing entity".
    other = new_active_user(practice, "aprendiz.dos")
    fresh = practice.entities.create(as_actor(practice, other), company_form(nombre="Recién Creada S.A.S.", nit="901000003"))
    practice.entities.request_access(as_actor(practice, uid), fresh.id)
    assert ticks(practice, "solicitud") == [True, False, False]
    reg = practice.entities.request_access(as_actor(practice, uid), seed.entidad_principal_id)
    assert ticks(practice, "solicitud") == [True, True, False]
    admin = practice.users.sign_in(seed.administrador, training.PASSWORD)
    practice.access.apply(admin, seed.entidad_principal_id, Accion.ACEPTAR, [reg.membership_id])
    assert ticks(practice, "solicitud") == [True, True, True]


def test_exercise_aceptar_ticks_from_the_admin_actions(practice: Services) -> None:
    seed = info(practice)
    assert ticks(practice, "aceptar") == [False, False, False]
    # Signing in as somebody who is not the account's administrator does not count.
    with practice.db.session() as s:
        proveedor = s.scalars(select(User).join(Membership).where(
            Membership.entity_id == seed.entidad_principal_id, Membership.es_administrador.is_(False),
            Membership.acceso == Acceso.ACEPTADO.value)).first()
        assert proveedor is not None
        proveedor_usuario = proveedor.usuario
    practice.users.sign_in(proveedor_usuario, training.PASSWORD)
    assert ticks(practice, "aceptar") == [False, False, False]
    admin = practice.users.profile(practice.users.sign_in(seed.administrador, training.PASSWORD))
    assert ticks(practice, "aceptar") == [True, False, False]
    # Accepting a request that was not among the seeded pending ones does not count either.
    uid = new_active_user(practice)
    reg = practice.entities.request_access(as_actor(practice, uid), seed.entidad_principal_id)
    practice.access.apply(as_actor(practice, admin.id), seed.entidad_principal_id, Accion.ACEPTAR, [reg.membership_id])
    assert ticks(practice, "aceptar") == [True, False, False]
    practice.access.apply(as_actor(practice, admin.id), seed.entidad_principal_id, Accion.ACEPTAR, [seed.pendientes[1]])
    assert ticks(practice, "aceptar") == [True, True, False]
    practice.access.apply(as_actor(practice, admin.id), seed.entidad_principal_id, Accion.HACER_ADMIN, [seed.pendientes[1]])
    assert ticks(practice, "aceptar") == [True, True, True]
    assert all(e.completo is (e.clave == "aceptar") for e in practice.training.exercise_states()
               if e.clave in ("aceptar", "empresa"))


def test_sample_pdf_is_a_wellformed_pdf() -> None:
    data = training.sample_pdf("Certificado de práctica", ["Línea con tildes: ñ á é"])
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    xref = int(data.rsplit(b"startxref", 1)[1].split()[0])
    assert data[xref:xref + 4] == b"xref"
    assert "Línea con tildes".encode("cp1252") in data


def test_training_mail_and_connection_leave_sql_to_the_store() -> None:
    """core/training, core/mail and core/connection.py import neither SQLAlchemy nor Alembic nor Qt."""
    import ast

    import secop_desktop

    root = Path(secop_desktop.__file__).parent
    files = [*(root / "core" / "training").glob("*.py"), *(root / "core" / "mail").glob("*.py"),
             root / "core" / "connection.py"]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            for name in names:
                assert name.split(".")[0] not in ("sqlalchemy", "alembic", "PySide6"), f"{path.name}: {name}"
