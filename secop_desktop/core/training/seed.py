"""Seeds an empty practice store through the real services, so the generated data obeys every rule."""

from __future__ import annotations

import json
import random
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from secop_desktop.core.access.service import Accion
from secop_desktop.core.accounts import mailbox
from secop_desktop.core.clock import utcnow
from secop_desktop.core.documents.service import slots
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.training import store as practice
from secop_desktop.core.training.generator import (
    AREAS_UNSPSC,
    NOMBRES_DOCUMENTO,
    PASSWORD,
    UBICACIONES,
    Generator,
    SteppingClock,
    entity_form,
    registration,
    sample_pdf,
)
from secop_desktop.core.training.store import ProgressFn
from secop_desktop.store.database import UnitOfWork
from secop_desktop.store.queries import settings as shared_settings
from secop_desktop.store.queries import training as queries
from secop_desktop.vocab import PERSONA_NATURAL, TIPOS_ORGANIZACION, TIPOS_PLURALES, Acceso

if TYPE_CHECKING:
    from secop_desktop.core.services import Services

SEED_SETTING = "capacitacion.semilla"
DEFAULT_RNG_SEED = 2017


def _as(user_id: int) -> SignedIn:
    """The seed acts as the practice users it has just registered (it knows their passwords)."""
    return SignedIn(user_id, "")


@dataclass(frozen=True)
class SeedInfo:
    """What the seed left, stored in the practice database so exercises can tell new work from seeded."""

    version: int
    sembrado_en: str
    max_usuario: int
    max_entidad: int
    max_membresia: int
    max_auditoria: int
    pendientes: tuple[int, ...]
    entidad_principal_id: int
    entidad_principal: str
    administrador: str
    contrasena: str

    @property
    def sembrado(self) -> datetime:
        return datetime.fromisoformat(self.sembrado_en)


def read_seed_info(s: UnitOfWork) -> SeedInfo | None:
    """What the seed left, or None outside the practice store."""
    raw = shared_settings.value(s, SEED_SETTING)
    if raw is None:
        return None
    data = json.loads(raw)
    data["pendientes"] = tuple(data["pendientes"])
    return SeedInfo(**data)


def write_seed_info(s: UnitOfWork, info: SeedInfo) -> None:
    data = asdict(info)
    data["pendientes"] = list(info.pendientes)
    shared_settings.put(s, SEED_SETTING, json.dumps(data, ensure_ascii=False))


def seed(services: Services, *, rng_seed: int = DEFAULT_RNG_SEED, progress: ProgressFn | None = None) -> SeedInfo:
    """Fills an empty practice store through the real services (so the data obeys every rule)."""
    from secop_desktop.core.services import Services

    rng = random.Random(rng_seed)
    gen = Generator(rng)
    real_now = utcnow()
    clock = SteppingClock(real_now - timedelta(days=45))
    sv = Services(services.db, services.data_dir, clock=clock, token_ttl=timedelta(days=3650))
    docs = sv.documents
    total_steps = 60
    step = 0

    def tick() -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(min(step, total_steps), total_steps)

    def user(confirm: bool = True) -> tuple[int, str, str]:
        nombre, usuario = gen.persona()
        info = sv.users.register(registration(nombre, usuario, gen.mobile()))
        if confirm:
            with sv.db.session() as s:
                enlace = next(m.enlace for m in mailbox.inbox(s, info.id) if m.clase == "activacion")
            sv.users.confirm(enlace or "", usuario)
        tick()
        return info.id, nombre, usuario

    with tempfile.TemporaryDirectory(prefix="capacitacion-") as tmp:
        folder = Path(tmp)

        def attach(entity_id: int, user_id: int, tipo: str, entidad: str) -> None:
            name = NOMBRES_DOCUMENTO[tipo]
            source = folder / name
            source.write_bytes(sample_pdf(name.removesuffix(".pdf"), [
                f"Entidad: {entidad}", "Documento de práctica generado para la capacitación.",
                "No corresponde a una persona ni a una empresa real.",
                f"Fecha: {clock.now:%d/%m/%Y}"]))
            docs.attach(_as(user_id), tipo, source, entity_id=entity_id)

        # Administrators: each registers and creates accounts, as section V of the guide.
        admins = [user() for _ in range(6)]
        entities: list[tuple[int, str, int]] = []  # (entity id, name, admin id)
        tipos = list(TIPOS_ORGANIZACION)
        for index, tipo in enumerate(tipos):
            admin_id, admin_nombre, _ = admins[index % len(admins)]
            obligado = index != 0  # the first persona natural is not obliged to keep accounts
            owner = (admin_nombre, "")
            form = entity_form(gen, tipo, owner, UBICACIONES[index % len(UBICACIONES)], obligado)
            if tipo in (PERSONA_NATURAL, "Persona natural extranjera"):
                # A persona natural is a one-user account: its own registered user.
                admin_id, admin_nombre, _ = user()
                form = entity_form(gen, tipo, (admin_nombre, ""), UBICACIONES[index % len(UBICACIONES)], obligado)
            record = sv.entities.create(_as(admin_id), form)
            entities.append((record.id, form.nombre, admin_id))
            clock.jump(hours=5)
            tick()
            # Most accounts have every document; a few are left incomplete to practise with.
            for s_ in slots(form.tipo_organizacion in (PERSONA_NATURAL, "Persona natural extranjera"), obligado):
                if s_.obligatorio or index % 3 == 0:
                    if index % 7 == 5 and s_.tipo == "experiencia":
                        continue
                    attach(record.id, admin_id, s_.tipo, form.nombre)
            tick()

        main_id, main_name, main_admin = next(e for e in entities if e[1] and "S.A.S." in e[1])
        with sv.db.session() as s:
            for entity_id, _, _ in entities[:8]:
                for codigo, nombre in rng.sample(AREAS_UNSPSC, 2):
                    queries.add_area(s, entity_id, codigo, nombre)

        # Usuarios Proveedor asking for access: the four states of "Acceso a la cuenta".
        clock.jump(days=10)
        proveedores = [user() for _ in range(7)]
        plan = [Acceso.ACEPTADO, Acceso.RECHAZADO, Acceso.CANCELADO, Acceso.PENDIENTE, Acceso.PENDIENTE]
        pending: list[int] = []
        for (uid, _, _), acceso in zip(proveedores, plan, strict=False):
            reg = sv.entities.request_access(_as(uid), main_id)
            clock.jump(hours=20)
            if acceso is Acceso.ACEPTADO:
                sv.access.apply(_as(main_admin), main_id, Accion.ACEPTAR, [reg.membership_id])
            elif acceso is Acceso.RECHAZADO:
                sv.access.apply(_as(main_admin), main_id, Accion.RECHAZAR, [reg.membership_id])
            elif acceso is Acceso.CANCELADO:
                sv.access.apply(_as(main_admin), main_id, Accion.ACEPTAR, [reg.membership_id])
                clock.jump(days=3)
                sv.access.apply(_as(main_admin), main_id, Accion.CANCELAR, [reg.membership_id])
            else:
                pending.append(reg.membership_id)
            tick()
        # The other accounts get requests too, so every account's table has something in it.
        for offset, (uid, _, _) in enumerate(proveedores[5:]):
            other_id, _, other_admin = entities[(offset * 5 + 3) % len(entities)]
            if other_id == main_id:
                continue
            reg = sv.entities.request_access(_as(uid), other_id)
            if offset % 2 == 0:
                sv.access.apply(_as(other_admin), other_id, Accion.ACEPTAR, [reg.membership_id])
            tick()
        # Consorcio and unión temporal: members of other companies join them.
        for entity_id, _nombre, admin_id in entities:
            with sv.db.session() as s:
                tipo = queries.organisation_type(s, entity_id)
            if tipo in TIPOS_PLURALES:
                partner = next(a for a in admins if a[0] != admin_id)
                reg = sv.entities.request_access(_as(partner[0]), entity_id)
                sv.access.apply(_as(admin_id), entity_id, Accion.ACEPTAR, [reg.membership_id])
                tick()
        # One user who never activated the account: "pendiente de confirmación".
        user(confirm=False)
        # Some messages already read, as in a Buzón in use.
        with sv.db.session() as s:
            queries.mark_every_third_message_read(s, timedelta(hours=2))
            admin_user = queries.user(s, main_admin)
            mailbox.post(s, clock(), admin_user, "capacitacion", "Bienvenido a la capacitación",
                        "Este es un equipo de práctica. Todos los nombres, NIT y documentos son generados; "
                        "ninguno corresponde a una persona o empresa real.\n\n"
                        f"Todos los usuarios de práctica entran con la contraseña {PASSWORD}. Use "
                        "«Reiniciar capacitación» para volver al estado inicial.")
        with sv.db.session() as s:
            top = queries.maxima(s)
            info = SeedInfo(
                version=practice.SEED_VERSION,
                sembrado_en=min(clock(), real_now).isoformat(),
                max_usuario=top.usuario,
                max_entidad=top.entidad,
                max_membresia=top.membresia,
                max_auditoria=top.auditoria,
                pendientes=tuple(pending),
                entidad_principal_id=main_id,
                entidad_principal=main_name,
                administrador=queries.user(s, main_admin).usuario,
                contrasena=PASSWORD,
            )
            write_seed_info(s, info)
    if progress is not None:
        progress(total_steps, total_steps)
    return info
