"""Accounts with members for the admin window, Escritorio tests, screenshots and the benchmark."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from secop_desktop.core.services import Services
from secop_desktop.store.database import Database
from secop_desktop.store.models import Membership, User
from secop_desktop.vocab import ZONA_HORARIA_BOGOTA, Acceso
from tests.conftest import as_actor

NOMBRES = ("Leonardo", "Víctor Manuel", "Ana María", "Jonathan Felipe", "Luisa Fernanda", "Carlos Andrés",
           "Diana Carolina", "Juan Pablo", "Sandra Milena", "Andrés Felipe", "María José", "Óscar Iván")
APELLIDOS = ("Neira", "Alfonso Medina", "Rojas", "Ruiz Fernández", "Gómez", "Martínez", "Ospina", "Zuluaga",
             "Peñaloza", "Castaño", "Herrera", "Valencia", "Quintero", "Ángel")
# A stand-in hash: generated users never sign in, and argon2 for 100,000 rows would take hours.
# Same length as a real argon2id hash, so the rows weigh what real ones do.
FAKE_HASH = "$argon2id$v=19$m=65536,t=3,p=4$" + "s" * 22 + "$" + "h" * 43


@dataclass(frozen=True)
class Account:
    admin_id: int
    entity_id: int
    nombre: str


def admin_account(services: Services, usuario: str = "admin_hh", nombre: str = "H&H Asociados",
                  nit: str = "800111202", admin_nombre: str = "Sebastián Ostor", **form: object) -> Account:
    """A real administrator (registered, confirmed) and the entity it registered."""
    from tests.conftest import active_user
    from tests.factories import company_form

    admin_id = active_user(services, usuario, nombre=admin_nombre)
    record = services.entities.create(as_actor(services, admin_id), company_form(nombre, nit, **form))
    return Account(admin_id, record.id, nombre)


def requester(services: Services, account: Account, usuario: str, nombre: str) -> tuple[int, int]:
    """A confirmed user who asked for access through the service; returns (user_id, membership_id)."""
    from tests.conftest import active_user

    user_id = active_user(services, usuario, nombre=nombre)
    registration = services.entities.request_access(as_actor(services, user_id), account.entity_id)
    return user_id, registration.membership_id


def bulk_members(db: Database, entity_id: int, n: int, *, seed: int = 6,
                 start: datetime = datetime(2016, 4, 6, 14, 2, 21, tzinfo=UTC)) -> None:
    """n users with memberships in one account, inserted with SQLAlchemy core (no argon2 per row)."""
    rng = random.Random(seed)
    states = (Acceso.PENDIENTE.value, Acceso.ACEPTADO.value, Acceso.RECHAZADO.value, Acceso.CANCELADO.value)
    batch = 5000
    with db.engine.begin() as conn:
        for first in range(0, n, batch):
            users = []
            for i in range(first, min(first + batch, n)):
                moment = start + timedelta(minutes=7 * i)
                usuario = f"usuario_{entity_id}_{i:06d}"
                users.append(dict(
                    version=1, nombre=f"{rng.choice(NOMBRES)} {rng.choice(APELLIDOS)} {i:06d}", pais="COLOMBIA",
                    nombre_entidad="Generada", correo=f"{usuario}@example.com", tipo_registro="Manual",
                    usuario=usuario, usuario_normalizado=usuario, password_hash=FAKE_HASH,
                    pregunta_seguridad="¿Cuál es su comida favorita?", respuesta_hash=FAKE_HASH,
                    telefono_movil="+57 310 0000000", zona_horaria=ZONA_HORARIA_BOGOTA, estado="activo",
                    intentos_fallidos=0, creado_en=moment, actualizado_en=moment))
            ids = conn.execute(insert(User.__table__).returning(User.__table__.c.id, sort_by_parameter_order=True),
                               users).scalars().all()
            members = []
            for offset, user_id in enumerate(ids):
                acceso = rng.choices(states, weights=(3, 5, 1, 1))[0]
                moment = users[offset]["creado_en"] + timedelta(hours=rng.randint(1, 400))
                members.append(dict(
                    version=1, user_id=user_id, entity_id=entity_id, es_administrador=False, es_proveedor=True,
                    acceso=acceso, activo=rng.random() > 0.05, fecha_solicitud=users[offset]["creado_en"],
                    fecha_aceptacion=moment if acceso == Acceso.ACEPTADO.value else None, actualizado_en=moment))
            conn.execute(insert(Membership.__table__), members)
