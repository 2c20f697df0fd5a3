"""Training mode: a separate practice store seeded with generated data, reset in seconds, and guided exercises."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import sqlite3
import stat
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from secop_desktop import paths
from secop_desktop.core.access.service import Accion
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.accounts.users import UserRegistration
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.documents.service import DocumentService, slots
from secop_desktop.core.entities.divipola import divipola
from secop_desktop.core.entities.service import EntityForm, FinancialYear
from secop_desktop.core.services import Services
from secop_desktop.store.database import Database, head_revision
from secop_desktop.store.models import (
    AreaInteres,
    AuditEntry,
    Base,
    Document,
    Entity,
    Membership,
    Message,
    Setting,
    User,
)
from secop_desktop.vocab import (
    PERSONA_NATURAL,
    PREGUNTAS_SEGURIDAD,
    TIPOS_ORGANIZACION,
    TIPOS_PLURALES,
    Acceso,
    EstadoUsuario,
)

BANNER = "MODO DE CAPACITACIÓN"
TRAINING_DIR = "capacitacion"
DB_FILE = "secop-desktop.sqlite3"
TEMPLATE_DIR = "plantilla"
TEMPLATE_INFO = "plantilla.json"
SEED_SETTING = "capacitacion.semilla"
# Bump when the seeded content changes, so old templates are rebuilt.
SEED_VERSION = 1
# Every practice user signs in with this password; the banner shows it.
PASSWORD = "Practica2024"
SECURITY_ANSWER = "practica"
DEFAULT_RNG_SEED = 2017

ProgressFn = Callable[[int, int], None]


# --- where the practice store lives ---------------------------------------------------------------

def training_dir(base: Path | None = None) -> Path:
    path = (base or paths.data_dir()) / TRAINING_DIR
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path(folder: Path) -> Path:
    return folder / DB_FILE


def database_url(folder: Path) -> str:
    # Always SQLite, whatever SECOP_DESKTOP_DB_URL says: practice must never reach the real database.
    return f"sqlite:///{database_path(folder)}"


def is_training(services: Services) -> bool:
    with services.db.session() as s:
        return s.get(Setting, SEED_SETTING) is not None


# --- generated practice data -------------------------------------------------------------------

NOMBRES = ("Laura", "Andrés", "Camila", "Santiago", "Valentina", "Julián", "Daniela", "Felipe", "Natalia",
           "Sebastián", "Mariana", "Alejandro", "Paola", "Camilo", "Juliana", "Mateo", "Catalina", "Esteban",
           "Luisa", "Nicolás", "Diana", "Óscar", "Carolina", "Jorge")
APELLIDOS = ("Restrepo", "Ospina", "Gómez", "Rodríguez", "Martínez", "Valencia", "Castaño", "Londoño",
             "Jaramillo", "Cárdenas", "Pardo", "Quintero", "Salazar", "Villamizar", "Zapata", "Rincón",
             "Mejía", "Arango", "Sierra", "Montoya", "Bermúdez", "Carvajal", "Peñaloza", "Duarte")
RAMAS = ("Soluciones", "Construcciones", "Ingeniería", "Suministros", "Servicios", "Consultores",
         "Tecnología", "Distribuciones", "Proyectos", "Inversiones", "Logística", "Asesorías")
LUGARES = ("Andinas", "del Caribe", "Cordillera", "Magdalena", "Orinoquía", "Pacífico", "Sabana", "Llanos",
           "Altiplano", "Guadua", "Nevado", "Cafeteros", "Cauca", "Frailejón", "Macondo", "Río Claro")
SUFIJOS = {
    "Sociedad por acciones simplificada (S.A.S.)": "S.A.S.",
    "Sociedad de responsabilidad limitada (Ltda.)": "Ltda.",
    "Sociedad Anónima Abierta colombiana": "S.A.",
    "Sociedad Anónima Cerrada colombiana": "S.A.",
    "Sociedad en comandita simple": "& Cía. S. en C.",
    "Sociedad en comandita por acciones": "S.C.A.",
    "Sociedad colectiva": "& Cía.",
    "Empresa unipersonal": "E.U.",
    "Entidad sin ánimo de lucro": "Fundación",
    "Cooperativa": "Cooperativa",
    "Sucursal de sociedad extranjera": "Sucursal Colombia",
    "Persona jurídica extranjera": "Inc.",
    "Consorcio": "Consorcio",
    "Unión temporal": "Unión Temporal",
}
# (municipio DIVIPOLA, código postal, indicativo fijo)
UBICACIONES = (
    ("11001", "110111", "601"), ("05001", "050001", "604"), ("76001", "760001", "602"),
    ("08001", "080001", "605"), ("13001", "130001", "605"), ("68001", "680001", "607"),
    ("66001", "660001", "606"), ("17001", "170001", "606"), ("73001", "730001", "608"),
    ("52001", "520001", "602"), ("54001", "540001", "607"), ("23001", "230001", "604"),
    ("50001", "500001", "608"), ("15001", "150001", "608"), ("41001", "410001", "608"),
    ("19001", "190001", "602"), ("47001", "470001", "605"), ("63001", "630001", "606"),
)
CALLES = ("Calle", "Carrera", "Avenida", "Transversal", "Diagonal")
BANCOS = ("Banco de Bogotá", "Bancolombia", "Banco de Occidente", "Banco Popular", "Davivienda", "BBVA Colombia")
AREAS_UNSPSC = (("72141000", "Servicios de construcción de infraestructura"),
                ("43211500", "Computadores"), ("80111600", "Servicios de personal temporal"),
                ("81101500", "Ingeniería civil"), ("44121600", "Suministros de escritorio"),
                ("78101800", "Transporte de carga por carretera"))
NOMBRES_DOCUMENTO = {
    "rup": "RUP.pdf",
    "capacidad_financiera": "INDICADORES DE CAPACIDAD FINANCIERA Y ORGANIZACIONAL.pdf",
    "experiencia": "CERTIFICADO DE EXPERIENCIA.pdf",
    "estados_financieros": "ESTADOS FINANCIEROS A 31 DE DICIEMBRE.pdf",
    "existencia_representacion": "EXISTENCIA Y REPRESENTACIÓN LEGAL.pdf",
    "constancia_no_obligado": "CONSTANCIA NO OBLIGADO A LLEVAR CONTABILIDAD.pdf",
}


def _ascii(text_: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text_) if not unicodedata.combining(c))


def sample_pdf(title: str, lines: list[str] | tuple[str, ...] = ()) -> bytes:
    """A small valid one-page PDF with a title and a few lines (Helvetica, WinAnsi)."""

    def literal(value: str) -> str:
        raw = value.encode("cp1252", "replace").decode("latin-1")
        return "(" + raw.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"

    ops = ["BT", "/F1 16 Tf", "56 780 Td", f"{literal(title)} Tj", "/F1 11 Tf", "0 -28 Td"]
    for line in lines:
        ops += [f"{literal(line)} Tj", "0 -16 Td"]
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


class _SteppingClock:
    """Seeding happens 'over weeks': each call moves time forward a little."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=7, seconds=13)
        return self.now

    def jump(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


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


def seed_info(s: Session) -> SeedInfo | None:
    row = s.get(Setting, SEED_SETTING)
    if row is None:
        return None
    data = json.loads(row.valor)
    data["pendientes"] = tuple(data["pendientes"])
    return SeedInfo(**data)


class _Generator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.nits: set[str] = set()
        self.usuarios: set[str] = set()
        self.names: set[str] = set()

    def persona(self) -> tuple[str, str]:
        while True:
            nombre = f"{self.rng.choice(NOMBRES)} {self.rng.choice(APELLIDOS)} {self.rng.choice(APELLIDOS)}"
            if nombre not in self.names:
                self.names.add(nombre)
                first, last = nombre.split()[0], nombre.split()[1]
                base = _ascii(f"{first}.{last}").lower()
                usuario = base
                n = 2
                while usuario in self.usuarios:
                    usuario = f"{base}{n}"
                    n += 1
                self.usuarios.add(usuario)
                return nombre, usuario

    def nit(self, persona_natural: bool) -> str:
        while True:
            # Cédulas of recent issue have 10 digits starting with 10; company NITs start with 90.
            if persona_natural:
                value = f"10{self.rng.randrange(10**7, 10**8)}"
            else:
                value = f"90{self.rng.randrange(10**6, 10**7)}"
            if value not in self.nits:
                self.nits.add(value)
                return value

    def company(self, tipo: str) -> str:
        while True:
            sufijo = SUFIJOS.get(tipo, "S.A.S.")
            cuerpo = f"{self.rng.choice(RAMAS)} {self.rng.choice(LUGARES)}"
            if sufijo in ("Fundación", "Cooperativa", "Consorcio", "Unión Temporal"):
                nombre = f"{sufijo} {cuerpo}"
            else:
                nombre = f"{cuerpo} {sufijo}"
            if nombre not in self.names:
                self.names.add(nombre)
                return nombre

    def phone(self, indicativo: str) -> str:
        return f"+57 {indicativo} {self.rng.randrange(2000000, 7999999)}"

    def mobile(self) -> str:
        operador = self.rng.choice(("00", "01", "10", "12", "15", "20", "21"))
        return f"+57 3{operador} {self.rng.randrange(1000000, 9999999)}"


def _domain(nombre: str) -> str:
    words = [w for w in _ascii(nombre).lower().replace(".", " ").replace("&", " ").split() if w.isalnum()]
    return "".join(words[:2])[:30] + ".com.co"


def _entity_form(gen: _Generator, tipo: str, owner: tuple[str, str], ubicacion: tuple[str, str, str],
                 obligado: bool = True) -> EntityForm:
    rng = gen.rng
    persona = tipo in (PERSONA_NATURAL, "Persona natural extranjera")
    municipio, postal, indicativo = ubicacion
    mun = divipola().municipio(municipio)
    assert mun is not None, municipio
    if persona:
        nombre = owner[0]
        nit = gen.nit(True)
        abreviado = ""
    else:
        nombre = gen.company(tipo)
        nit = gen.nit(False)
        abreviado = "".join(w[0] for w in _ascii(nombre).split() if w[0].isalpha())[:10]
    domain = _domain(nombre)
    representante, _ = (owner if persona else gen.persona())
    plural = tipo in TIPOS_PLURALES
    years = [] if persona and not obligado else [
        FinancialYear(anio=year, anio_fiscal=str(year),
                      patrimonio=Decimal(rng.randrange(50_000_000, 9_000_000_000)),
                      activo_corriente=Decimal(rng.randrange(10_000_000, 2_000_000_000)),
                      activo_total=Decimal(rng.randrange(2_000_000_000, 20_000_000_000)),
                      pasivo_corriente=Decimal(rng.randrange(5_000_000, 900_000_000)),
                      pasivo_total=Decimal(rng.randrange(900_000_000, 5_000_000_000)),
                      utilidad_operacional=Decimal(rng.randrange(1_000_000, 800_000_000)),
                      gastos_intereses=Decimal(rng.randrange(100_000, 90_000_000)))
        for year in (2015, 2016)
    ]
    return EntityForm(
        tipo_organizacion=tipo,
        nombre=nombre,
        nombre_abreviado=abreviado,
        nit=nit,
        mipyme=rng.random() < 0.7,
        regimen_tributario="No responsable de IVA" if persona else rng.choice(
            ("Responsable de IVA", "Régimen simple de tributación", "Gran contribuyente")),
        obligado_contabilidad=obligado,
        departamento_codigo=mun.departamento_codigo,
        municipio_codigo=municipio,
        direccion=f"{rng.choice(CALLES)} {rng.randrange(1, 150)} # {rng.randrange(1, 99)}-{rng.randrange(1, 99)}",
        codigo_postal=postal,
        correo_oficina=f"contacto@{domain}",
        telefono_oficina=gen.phone(indicativo),
        pagina_web="" if persona else f"https://www.{domain}",
        correo_notificaciones=f"notificaciones@{domain}",
        link_linkedin="" if persona or plural else f"https://www.linkedin.com/company/{domain.split('.')[0]}",
        banco_nombre=rng.choice(BANCOS),
        banco_numero_cuenta=f"{rng.randrange(100, 999)}-{rng.randrange(100000, 999999)}-{rng.randrange(10, 99)}",
        banco_tipo_cuenta=rng.choice(("Ahorros", "Corriente")),
        representante_nombre=representante,
        representante_tipo_documento="Cédula de extranjería" if tipo == "Persona natural extranjera"
        else "Cédula de ciudadanía",
        representante_numero_documento=gen.nit(True),
        representante_correo=_ascii(".".join(representante.split()[:2])).lower() + f"@{domain}",
        representante_telefono=gen.mobile(),
        financials=years,
    )


def seed(services: Services, *, rng_seed: int = DEFAULT_RNG_SEED, progress: ProgressFn | None = None) -> SeedInfo:
    """Fills an empty practice store through the real services (so the data obeys every rule)."""
    rng = random.Random(rng_seed)
    gen = _Generator(rng)
    real_now = utcnow()
    clock = _SteppingClock(real_now - timedelta(days=45))
    sv = Services(services.db, services.data_dir, clock=clock, token_ttl=timedelta(days=3650))
    docs = DocumentService(sv)
    total_steps = 60
    step = 0

    def tick() -> None:
        nonlocal step
        step += 1
        if progress is not None:
            progress(min(step, total_steps), total_steps)

    def user(confirm: bool = True) -> tuple[int, str, str]:
        nombre, usuario = gen.persona()
        info = sv.users.register(_registration(nombre, usuario, gen.mobile()))
        if confirm:
            with sv.db.session() as s:
                enlace = next(m.enlace for m in outbox.inbox(s, info.id) if m.clase == "activacion")
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
            docs.attach(tipo, source, entity_id=entity_id, user_id=user_id)

        # Administrators: each registers and creates accounts, as section V of the guide.
        admins = [user() for _ in range(6)]
        entities: list[tuple[int, str, int]] = []  # (entity id, name, admin id)
        tipos = list(TIPOS_ORGANIZACION)
        for index, tipo in enumerate(tipos):
            admin_id, admin_nombre, _ = admins[index % len(admins)]
            obligado = index != 0  # the first persona natural is not obliged to keep accounts
            owner = (admin_nombre, "")
            form = _entity_form(gen, tipo, owner, UBICACIONES[index % len(UBICACIONES)], obligado)
            if tipo in (PERSONA_NATURAL, "Persona natural extranjera"):
                # A persona natural is a one-user account: its own registered user.
                admin_id, admin_nombre, _ = user()
                form = _entity_form(gen, tipo, (admin_nombre, ""), UBICACIONES[index % len(UBICACIONES)], obligado)
            record = sv.entities.create(admin_id, form)
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
                    s.add(AreaInteres(entity_id=entity_id, codigo=codigo, nombre=nombre, activo=True))

        # Usuarios Proveedor asking for access: the four states of "Acceso a la cuenta".
        clock.jump(days=10)
        proveedores = [user() for _ in range(7)]
        plan = [Acceso.ACEPTADO, Acceso.RECHAZADO, Acceso.CANCELADO, Acceso.PENDIENTE, Acceso.PENDIENTE]
        pending: list[int] = []
        for (uid, _, _), acceso in zip(proveedores, plan, strict=False):
            reg = sv.entities.request_access(uid, main_id)
            clock.jump(hours=20)
            if acceso is Acceso.ACEPTADO:
                sv.access.apply(main_admin, main_id, Accion.ACEPTAR, [reg.membership_id])
            elif acceso is Acceso.RECHAZADO:
                sv.access.apply(main_admin, main_id, Accion.RECHAZAR, [reg.membership_id])
            elif acceso is Acceso.CANCELADO:
                sv.access.apply(main_admin, main_id, Accion.ACEPTAR, [reg.membership_id])
                clock.jump(days=3)
                sv.access.apply(main_admin, main_id, Accion.CANCELAR, [reg.membership_id])
            else:
                pending.append(reg.membership_id)
            tick()
        # The other accounts get requests too, so every account's table has something in it.
        for offset, (uid, _, _) in enumerate(proveedores[5:]):
            other_id, _, other_admin = entities[(offset * 5 + 3) % len(entities)]
            if other_id == main_id:
                continue
            reg = sv.entities.request_access(uid, other_id)
            if offset % 2 == 0:
                sv.access.apply(other_admin, other_id, Accion.ACEPTAR, [reg.membership_id])
            tick()
        # Consorcio and unión temporal: members of other companies join them.
        for entity_id, _nombre, admin_id in entities:
            with sv.db.session() as s:
                tipo = s.get_one(Entity, entity_id).tipo_organizacion
            if tipo in TIPOS_PLURALES:
                partner = next(a for a in admins if a[0] != admin_id)
                reg = sv.entities.request_access(partner[0], entity_id)
                sv.access.apply(admin_id, entity_id, Accion.ACEPTAR, [reg.membership_id])
                tick()
        # One user who never activated the account: "pendiente de confirmación".
        user(confirm=False)
        # Some messages already read, as in a Buzón in use.
        with sv.db.session() as s:
            for m in s.scalars(select(Message).order_by(Message.id)):
                if m.id % 3 == 0:
                    m.leido_en = m.creado_en + timedelta(hours=2)
            admin_user = s.get_one(User, main_admin)
            outbox.post(s, clock(), admin_user, "capacitacion", "Bienvenido a la capacitación",
                        "Este es un equipo de práctica. Todos los nombres, NIT y documentos son generados; "
                        "ninguno corresponde a una persona o empresa real.\n\n"
                        f"Todos los usuarios de práctica entran con la contraseña {PASSWORD}. Use "
                        "«Reiniciar capacitación» para volver al estado inicial.")
        with sv.db.session() as s:
            info = SeedInfo(
                version=SEED_VERSION,
                sembrado_en=min(clock(), real_now).isoformat(),
                max_usuario=s.scalar(select(func.max(User.id))) or 0,
                max_entidad=s.scalar(select(func.max(Entity.id))) or 0,
                max_membresia=s.scalar(select(func.max(Membership.id))) or 0,
                max_auditoria=s.scalar(select(func.max(AuditEntry.id))) or 0,
                pendientes=tuple(pending),
                entidad_principal_id=main_id,
                entidad_principal=main_name,
                administrador=s.get_one(User, main_admin).usuario,
                contrasena=PASSWORD,
            )
            data = asdict(info)
            data["pendientes"] = list(info.pendientes)
            s.add(Setting(clave=SEED_SETTING, valor=json.dumps(data, ensure_ascii=False)))
    if progress is not None:
        progress(total_steps, total_steps)
    return info


def _registration(nombre: str, usuario: str, telefono: str) -> UserRegistration:
    return UserRegistration(
        nombre=nombre, nombre_entidad="Capacitación SECOP II", correo=f"{usuario}@correo-practica.co",
        usuario=usuario, contrasena=PASSWORD, confirmar=PASSWORD, pregunta=PREGUNTAS_SEGURIDAD[0],
        respuesta=SECURITY_ANSWER, telefono=telefono,
        acepta_terminos=True)


# --- template and reset ------------------------------------------------------------------------

def _template_meta() -> dict[str, Any]:
    return {"version_semilla": SEED_VERSION, "revision": head_revision()}


def _template_ok(folder: Path) -> bool:
    meta = folder / TEMPLATE_DIR / TEMPLATE_INFO
    try:
        return json.loads(meta.read_text(encoding="utf-8")) == _template_meta() and \
            (folder / TEMPLATE_DIR / DB_FILE).is_file()
    except (OSError, ValueError):
        return False


def _make_writable(func_: Callable[..., Any], path: str, _exc: object) -> None:
    # Stored documents are read-only on purpose; Windows will not delete them until that is lifted.
    os.chmod(path, stat.S_IWRITE | stat.S_IREAD)
    func_(path)


def _rmtree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path, onerror=_make_writable)


def _sqlite_copy(source: Path, dest: Path) -> None:
    """A consistent page copy (SQLite's backup API), safe while the destination has idle connections."""
    src = sqlite3.connect(source)
    try:
        dst = sqlite3.connect(dest, timeout=10)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()


def _build_template(folder: Path) -> None:
    template = folder / TEMPLATE_DIR
    _rmtree(template)
    template.mkdir(parents=True)
    _sqlite_copy(database_path(folder), template / DB_FILE)
    documents = folder / "documents"
    if documents.is_dir():
        shutil.copytree(documents, template / "documents", ignore=shutil.ignore_patterns("tmp"))
    (template / TEMPLATE_INFO).write_text(json.dumps(_template_meta()), encoding="utf-8")


def _restore_files(folder: Path) -> None:
    template = folder / TEMPLATE_DIR
    _sqlite_copy(template / DB_FILE, database_path(folder))
    _rmtree(folder / "documents")
    _rmtree(folder / "importando")
    if (template / "documents").is_dir():
        shutil.copytree(template / "documents", folder / "documents")


def _fresh(folder: Path, progress: ProgressFn | None) -> None:
    for suffix in ("", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(database_path(folder)) + suffix).unlink()
    _rmtree(folder / "documents")
    services = Services.open(database_url(folder), folder)
    try:
        seed(services, progress=progress)
    finally:
        services.close()
    _build_template(folder)


def ensure_ready(base: Path | None = None, progress: ProgressFn | None = None) -> Path:
    """The practice folder, seeded on first use (or rebuilt after an update of the seed or schema)."""
    folder = training_dir(base)
    if not _template_ok(folder):
        _fresh(folder, progress)
    elif not database_path(folder).is_file():
        _restore_files(folder)
    return folder


def open_training(base: Path | None = None, *, clock: Clock = utcnow, progress: ProgressFn | None = None) -> Services:
    folder = ensure_ready(base, progress)
    return Services.open(database_url(folder), folder, clock=clock)


def reset(services: Services) -> None:
    """Reiniciar capacitación: the seeded state again, in about a second (a copy, not a re-seed)."""
    if not is_training(services):
        raise RuntimeError("Solo se puede reiniciar la base de datos de capacitación.")
    folder = Path(services.data_dir)
    if not _template_ok(folder):
        services.db.dispose()
        _fresh(folder, None)
    else:
        services.db.dispose()
        _restore_files(folder)
    services.db.dispose()


# --- state checks ------------------------------------------------------------------------------

def fingerprint(db: Database) -> dict[str, tuple[int, str]]:
    """Row count and a content hash of every table: equal fingerprints mean equal data."""
    result: dict[str, tuple[int, str]] = {}
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(table.select().order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256()
            for row in rows:
                digest.update(repr(tuple(row)).encode("utf-8"))
            result[table.name] = (len(rows), digest.hexdigest())
        result["alembic_version"] = (1, str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar()))
    return result


def documents_fingerprint(folder: Path) -> list[tuple[str, int]]:
    root = folder / "documents"
    return sorted((str(p.relative_to(root)), p.stat().st_size) for p in root.rglob("*") if p.is_file())


# --- guided exercises ------------------------------------------------------------------------------

Check = Callable[[Session, SeedInfo], bool]


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


def _new_users(s: Session, info: SeedInfo) -> list[User]:
    return list(s.scalars(select(User).where(User.id > info.max_usuario)))


def _new_active_user(s: Session, info: SeedInfo) -> bool:
    return any(u.estado == EstadoUsuario.ACTIVO.value for u in _new_users(s, info))


def _logged_in(s: Session, info: SeedInfo, user_ids: list[int]) -> bool:
    if not user_ids:
        return False
    return bool(s.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.id > info.max_auditoria, AuditEntry.accion == "ingreso", AuditEntry.actor_id.in_(user_ids))))


def _new_entities(s: Session, info: SeedInfo) -> list[Entity]:
    return list(s.scalars(select(Entity).where(Entity.id > info.max_entidad)))


def _new_natural(s: Session, info: SeedInfo) -> list[Entity]:
    return [e for e in _new_entities(s, info) if e.tipo_organizacion == PERSONA_NATURAL]


def _new_company(s: Session, info: SeedInfo) -> list[Entity]:
    return [e for e in _new_entities(s, info) if not e.persona_natural and e.tipo_organizacion not in TIPOS_PLURALES]


def _complete(s: Session, entity: Entity) -> bool:
    have = set(s.scalars(select(Document.tipo).where(Document.entity_id == entity.id)))
    needed = {x.tipo for x in slots(entity.persona_natural, entity.obligado_contabilidad) if x.obligatorio}
    return needed <= have


def _has_doc(s: Session, entity: Entity, tipo: str) -> bool:
    return bool(s.scalar(select(func.count()).select_from(Document).where(
        Document.entity_id == entity.id, Document.tipo == tipo)))


def _requests(s: Session, info: SeedInfo) -> list[Membership]:
    """Solicitudes de acceso to accounts that existed at seed time, made after it."""
    return list(s.scalars(select(Membership).where(
        Membership.entity_id <= info.max_entidad,
        (Membership.id > info.max_membresia) | (Membership.fecha_solicitud > info.sembrado))))


def _main_admin_ids(s: Session, info: SeedInfo) -> list[int]:
    return list(s.scalars(select(Membership.user_id).where(
        Membership.entity_id == info.entidad_principal_id, Membership.es_administrador.is_(True),
        Membership.id <= info.max_membresia)))


def _seeded_pending(s: Session, info: SeedInfo) -> list[Membership]:
    if not info.pendientes:
        return []
    return list(s.scalars(select(Membership).where(Membership.id.in_(info.pendientes))))


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


def exercise_states(services: Services) -> list[ExerciseState]:
    """Every exercise with each step ticked or not, read from the stored state."""
    with services.db.session() as s:
        info = seed_info(s)
        if info is None:
            return []
        fmt = {"entidad": info.entidad_principal, "administrador": info.administrador,
               "contrasena": info.contrasena}
        return [
            ExerciseState(ex.clave, ex.titulo, ex.descripcion.format(**fmt),
                          tuple(StepState(p.texto, bool(p.hecho(s, info))) for p in ex.pasos))
            for ex in EXERCISES
        ]
