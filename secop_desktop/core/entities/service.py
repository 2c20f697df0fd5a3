"""Entities (cuentas de Proveedor): validar si existe, registrar, solicitar acceso, editar."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from secop_desktop import nit as nits
from secop_desktop.core import validators
from secop_desktop.core.access import audit, authorize
from secop_desktop.core.accounts import mailbox as outbox
from secop_desktop.core.clock import Clock, utcnow
from secop_desktop.core.entities import duplicates
from secop_desktop.core.entities.divipola import divipola
from secop_desktop.core.identity import Actor, SignedIn
from secop_desktop.core.text import fold, search_needle
from secop_desktop.errors import (
    AlreadyExists,
    ConflictError,
    FieldError,
    PermissionDenied,
    ServiceError,
    ValidationError,
)
from secop_desktop.store import limits
from secop_desktop.store.database import Database, UnitOfWork
from secop_desktop.store.models import Entity, FinancialRow, Membership, User
from secop_desktop.store.queries import documents as document_queries
from secop_desktop.store.queries import entities as entity_queries
from secop_desktop.store.queries import memberships
from secop_desktop.vocab import (
    AREAS_NEGOCIO,
    PAISES,
    REGIMENES_TRIBUTARIOS,
    TIPOS_CUENTA_BANCARIA,
    TIPOS_DOCUMENTO_IDENTIDAD,
    TIPOS_ENTIDAD,
    TIPOS_ORGANIZACION,
    TIPOS_PERSONA_NATURAL,
    TIPOS_PLURALES,
    Acceso,
)

if TYPE_CHECKING:
    from secop_desktop.core.entities.summary import RegistrationSummary
    from secop_desktop.core.registration.checklist import Checklist

ENTITY_LABELS: dict[str, str] = {
    "pais": "País",
    "tipo": "Tipo",
    "area": "Área de negocio de la Entidad",
    "tipo_organizacion": "Tipo de organización",
    "nombre": "Nombre de la Entidad",
    "nombre_abreviado": "Nombre abreviado",
    "nit": "NIT",
    "dv": "Dígito de verificación",
    "mipyme": "Mipyme",
    "regimen_tributario": "Régimen tributario",
    "obligado_contabilidad": "Obligado a llevar contabilidad",
    "departamento_codigo": "Departamento",
    "municipio_codigo": "Municipio",
    "direccion": "Dirección",
    "codigo_postal": "Código postal",
    "correo_oficina": "Correo electrónico de la oficina",
    "telefono_oficina": "Teléfono de oficina",
    "fax_oficina": "Fax de oficina",
    "pagina_web": "Página web",
    "correo_notificaciones": "Correo electrónico para notificaciones SECOPII",
    "link_facebook": "Link facebook",
    "link_linkedin": "Link linkedin",
    "link_youtube": "Link youtube",
    "link_twitter": "Link twitter",
    "banco_nombre": "Nombre de la entidad bancaria",
    "banco_numero_cuenta": "Número de cuenta",
    "banco_tipo_cuenta": "Tipo de cuenta bancaria",
    "representante_nombre": "Nombre del representante legal",
    "representante_tipo_documento": "Tipo de documento del representante legal",
    "representante_numero_documento": "Número de documento del representante legal",
    "representante_correo": "Correo electrónico del representante legal",
    "representante_telefono": "Teléfono del representante legal",
    "financials": "Información financiera",
}

FINANCIAL_LABELS: dict[str, str] = {
    "anio": "Año",
    "anio_fiscal": "Año fiscal",
    "patrimonio": "Patrimonio",
    "activo_corriente": "Activo corriente",
    "activo_total": "Activo total",
    "pasivo_corriente": "Pasivo corriente",
    "pasivo_total": "Pasivo total",
    "utilidad_operacional": "Utilidad operacional",
    "gastos_intereses": "Gastos de intereses",
}


@dataclass
class FinancialYear:
    anio: int
    anio_fiscal: str = ""
    patrimonio: Decimal | None = None
    activo_corriente: Decimal | None = None
    activo_total: Decimal | None = None
    pasivo_corriente: Decimal | None = None
    pasivo_total: Decimal | None = None
    utilidad_operacional: Decimal | None = None
    gastos_intereses: Decimal | None = None


@dataclass
class EntityForm:
    """The guide's 'Formulario de registro de una nueva Entidad', field by field."""

    pais: str = "COLOMBIA"
    tipo: str = "Proveedor"
    area: str = "Privado"
    tipo_organizacion: str = "Sociedad por acciones simplificada (S.A.S.)"
    nombre: str = ""
    nombre_abreviado: str = ""
    nit: str = ""
    dv: str = ""
    mipyme: bool | None = None
    regimen_tributario: str = ""
    obligado_contabilidad: bool = True
    departamento_codigo: str = ""
    municipio_codigo: str = ""
    direccion: str = ""
    codigo_postal: str = ""
    correo_oficina: str = ""
    telefono_oficina: str = ""
    fax_oficina: str = ""
    pagina_web: str = ""
    correo_notificaciones: str = ""
    link_facebook: str = ""
    link_linkedin: str = ""
    link_youtube: str = ""
    link_twitter: str = ""
    banco_nombre: str = ""
    banco_numero_cuenta: str = ""
    banco_tipo_cuenta: str = ""
    representante_nombre: str = ""
    representante_tipo_documento: str = "Cédula de ciudadanía"
    representante_numero_documento: str = ""
    representante_correo: str = ""
    representante_telefono: str = ""
    financials: list[FinancialYear] = field(default_factory=list)

    @property
    def persona_natural(self) -> bool:
        return self.tipo_organizacion in TIPOS_PERSONA_NATURAL

    @property
    def plural(self) -> bool:
        return self.tipo_organizacion in TIPOS_PLURALES


@dataclass(frozen=True)
class EntitySummary:
    id: int
    nombre: str
    pais: str
    ciudad: str
    nit: str | None
    dv: str | None

    @property
    def linea(self) -> str:
        """'COLOMBIA | Bogotá NIT: 800111202' as the search result shows it."""
        nit = f" NIT: {self.nit}" if self.nit else ""
        return f"{self.pais} | {self.ciudad}{nit}"


@dataclass(frozen=True)
class ProbableDuplicate:
    """An existing Entidad that is probably the same supplier, and why ("nit", "nombre", "parecido")."""

    entidad: EntitySummary
    score: float
    motivo: str


# How many rows each of the store's candidate questions may bring.
DUPLICATE_CANDIDATES = 50


@dataclass(frozen=True)
class EntityRecord:
    id: int
    version: int
    form: EntityForm
    persona_natural: bool


@dataclass(frozen=True)
class Registration:
    """A row of 'Mis registros'."""

    membership_id: int
    entity_id: int
    nit: str | None
    entidad: str
    fecha_solicitud: datetime
    fecha_aceptacion: datetime | None
    estado: str
    es_administrador: bool
    es_proveedor: bool
    activo: bool


def ciudad(entity: Entity) -> str:
    municipio = divipola().municipio(entity.municipio_codigo or "")
    return municipio.nombre.title() if municipio else ""


def summary(entity: Entity) -> EntitySummary:
    """One line of an Entidad for lists; also takes a query row with the same columns."""
    return EntitySummary(entity.id, entity.nombre, entity.pais, ciudad(entity), entity.nit, entity.dv)


def _e(name: str, message: str) -> FieldError:
    return FieldError(name, ENTITY_LABELS[name], message)


Errors = list[FieldError]


def _check(errors: Errors, name: str, message: str | None) -> None:
    if message is not None:
        errors.append(_e(name, message))


def _text(form: EntityForm, name: str, *, required: bool = True, max_length: int = validators.MAX_TEXT) -> str | None:
    return validators.check_text(getattr(form, name), required=required, max_length=max_length,
                                 column=("entities", name))


def _validate_identificacion(form: EntityForm) -> Errors:
    """Identificación de la Entidad: the lists, the names and the NIT with its check digit."""
    errors: Errors = []
    if form.pais not in PAISES:
        errors.append(_e("pais", "Seleccione un país de la lista."))
    if form.tipo not in TIPOS_ENTIDAD:
        errors.append(_e("tipo", "Seleccione «Proveedor»."))
    if form.area not in AREAS_NEGOCIO:
        errors.append(_e("area", "Seleccione Privado o Público."))
    if form.tipo_organizacion not in TIPOS_ORGANIZACION:
        errors.append(_e("tipo_organizacion", "Seleccione un tipo de organización de la lista."))
    _check(errors, "nombre", _text(form, "nombre"))
    _check(errors, "nombre_abreviado", _text(form, "nombre_abreviado", required=not form.persona_natural,
                                              max_length=120))
    if (msg := validators.check_nit(form.nit, required=not form.plural)) is not None:
        errors.append(_e("nit", msg))
    elif form.nit.strip() and form.dv.strip() and form.dv.strip() != validators.nit_check_digit(form.nit):
        errors.append(_e("dv", "El dígito de verificación no corresponde al NIT."))
    return errors


def _validate_general(form: EntityForm) -> Errors:
    """Información General: Mipyme and the régimen tributario."""
    errors: Errors = []
    if form.mipyme is None:
        errors.append(_e("mipyme", "Indique si la Entidad es Mipyme (Sí o No)."))
    if form.regimen_tributario not in REGIMENES_TRIBUTARIOS:
        errors.append(_e("regimen_tributario", "Seleccione el régimen tributario."))
    return errors


def _validate_ubicacion(form: EntityForm) -> Errors:
    """Departamento, Municipio and código postal (DIVIPOLA in Colombia, free text abroad), and the address."""
    errors: Errors = []
    if form.pais == "COLOMBIA":
        dep = divipola().departamento(form.departamento_codigo)
        mun = divipola().municipio(form.municipio_codigo)
        if dep is None:
            errors.append(_e("departamento_codigo", "Seleccione el departamento."))
        if mun is None or mun.departamento_codigo != form.departamento_codigo:
            errors.append(_e("municipio_codigo", "Seleccione el municipio del departamento elegido."))
        _check(errors, "codigo_postal",
               validators.check_codigo_postal(form.codigo_postal, form.departamento_codigo or None))
    else:
        _check(errors, "codigo_postal", _text(form, "codigo_postal", max_length=12))
    _check(errors, "direccion", _text(form, "direccion"))
    return errors


def _validate_contactos(form: EntityForm) -> Errors:
    """Contactos: addresses, phones and links."""
    errors: Errors = []
    for name in ("correo_oficina", "correo_notificaciones"):
        _check(errors, name, validators.check_email(getattr(form, name)))
    _check(errors, "telefono_oficina", validators.check_phone(form.telefono_oficina))
    _check(errors, "fax_oficina", validators.check_phone(form.fax_oficina, required=False))
    for name in ("pagina_web", "link_facebook", "link_linkedin", "link_youtube", "link_twitter"):
        _check(errors, name, validators.check_url(getattr(form, name)))
    return errors


def _validate_banco(form: EntityForm) -> Errors:
    """Bank account: optional, but a number needs its bank."""
    errors: Errors = []
    numero = form.banco_numero_cuenta.strip()
    _check(errors, "banco_nombre", _text(form, "banco_nombre", required=False, max_length=120))
    if numero and not numero.replace("-", "").isdigit():
        errors.append(_e("banco_numero_cuenta", "El número de cuenta solo puede tener números y guiones."))
    if form.banco_tipo_cuenta and form.banco_tipo_cuenta not in TIPOS_CUENTA_BANCARIA:
        errors.append(_e("banco_tipo_cuenta", "Seleccione Ahorros o Corriente."))
    if numero and not form.banco_nombre.strip():
        errors.append(_e("banco_nombre", "Escriba el nombre de la entidad bancaria de la cuenta."))
    return errors


def _validate_representante(form: EntityForm) -> Errors:
    """Representante legal: mandatory in the guide."""
    errors: Errors = []
    _check(errors, "representante_nombre", _text(form, "representante_nombre", max_length=200))
    if form.representante_tipo_documento not in TIPOS_DOCUMENTO_IDENTIDAD:
        errors.append(_e("representante_tipo_documento", "Seleccione el tipo de documento."))
    doc = form.representante_numero_documento.strip()
    if not doc:
        errors.append(_e("representante_numero_documento", validators.REQUIRED))
    elif not doc.isalnum() or len(doc) > 20:
        errors.append(_e("representante_numero_documento", "Escriba el número sin puntos ni espacios."))
    _check(errors, "representante_correo", validators.check_email(form.representante_correo))
    _check(errors, "representante_telefono", validators.check_phone(form.representante_telefono))
    return errors


def _validate_financiera(form: EntityForm) -> Errors:
    """Información financiera: plausible years, each once."""
    errors: Errors = [_e("financials", f"El año {row.anio} no es válido.")
                      for row in form.financials if not 1900 <= row.anio <= 2100]
    years = [row.anio for row in form.financials]
    if len(set(years)) != len(years):
        errors.append(_e("financials", "Cada año de la información financiera debe aparecer una sola vez."))
    return errors


SECTION_VALIDATORS = (_validate_identificacion, _validate_general, _validate_ubicacion, _validate_contactos,
                      _validate_banco, _validate_representante, _validate_financiera)
# The same rules by part, for the Lista de verificación (core/registration/checklist.py).
VALIDATORS_BY_PART = {"identificacion": _validate_identificacion, "general": _validate_general,
                      "ubicacion": _validate_ubicacion, "contactos": _validate_contactos, "banco": _validate_banco,
                      "representante": _validate_representante, "financiera": _validate_financiera}


def validate_entity(form: EntityForm) -> list[FieldError]:
    """Every error of the form, section by section in the guide's order."""
    errors = [error for section in SECTION_VALIDATORS for error in section(form)]
    # Last, the model columns' own limits (lengths, NUMERIC range, NUL) for whatever the rules above let through.
    errors += validators.check_columns("entities", vars(form), ENTITY_LABELS, skip={e.field for e in errors} | {"nit", "dv"})
    for row in form.financials:
        errors += [_e("financials", f"{row.anio}: {FINANCIAL_LABELS[e.field]}: {e.message}")
                   for e in validators.check_columns("financial_rows", vars(row), FINANCIAL_LABELS)]
    return errors


def apply_form(entity: Entity, form: EntityForm) -> None:
    """Copies a validated form onto the row (normalised: upper-case abbreviation, DV computed)."""
    for f in fields(EntityForm):
        if f.name in ("financials", "dv"):
            continue
        value = getattr(form, f.name)
        if isinstance(value, str):
            value = value.strip()
        setattr(entity, f.name, value)
    entity.nombre = " ".join(form.nombre.split())
    entity.nombre_busqueda = fold(entity.nombre)[:limits.max_length("entities", "nombre_busqueda")]
    entity.nombre_normalizado = duplicates.normalise(entity.nombre)[:limits.max_length("entities", "nombre_normalizado")]
    entity.nombre_abreviado = form.nombre_abreviado.strip().upper()
    nit = nits.canonical(form.nit)
    entity.nit = nit or None
    entity.dv = nits.check_digit(nit) if nit else None
    entity.persona_natural = form.persona_natural
    entity.mipyme = bool(form.mipyme)
    entity.departamento_codigo = form.departamento_codigo or None
    entity.municipio_codigo = form.municipio_codigo or None
    for name in ("correo_oficina", "correo_notificaciones", "representante_correo"):
        setattr(entity, name, validators.normalize_email(getattr(form, name)))
    # Update rows in place by year: replacing the collection would INSERT the new row before
    # the orphan DELETE and trip the (entity_id, anio) unique constraint.
    existing = {row.anio: row for row in entity.financials}
    rows = []
    for year in form.financials:
        row = existing.get(year.anio) or FinancialRow(anio=year.anio)
        for key, value in asdict(year).items():
            setattr(row, key, value)
        rows.append(row)
    entity.financials = rows


def form_of(entity: Entity) -> EntityForm:
    values = {f.name: getattr(entity, f.name) for f in fields(EntityForm) if f.name != "financials"}
    values = {k: ("" if v is None and k not in ("mipyme",) else v) for k, v in values.items()}
    form = EntityForm(**values)
    form.financials = [FinancialYear(**{k: getattr(r, k) for k in FINANCIAL_LABELS}) for r in entity.financials]
    return form


def snapshot(entity: Entity) -> dict[str, object]:
    return {"nombre": entity.nombre, "nit": entity.nit, "version": entity.version}


NOT_FOUND = "La Entidad ya no existe."


class EntityService:
    def __init__(self, db: Database, clock: Clock = utcnow) -> None:
        self.db = db
        self.clock = clock

    # --- open to anybody at the desk: the guide's «Validar si mi entidad ya existe» -------------
    def search(self, *, pais: str = "COLOMBIA", nombre: str = "", nit: str = "", limit: int = 50) -> list[EntitySummary]:
        """Validar si mi entidad ya existe: NIT exact, or name accent/case-insensitive substring.

        No actor: the guide has anyone check this before (and while) registering a user, and a result
        line shows only what SECOP II itself shows publicly (name, country, city, NIT).
        """
        nit_clean = nits.canonical(nit)
        needle = search_needle(nombre)
        if not nit_clean and not needle:
            return []
        from secop_desktop.store.entity_search import matching_ids

        with self.db.session() as s:
            # Trigram index of migration 0002 (FTS5 on SQLite, pg_trgm on PostgreSQL).
            ids = matching_ids(s, self.db.dialect, pais=pais, needle=needle, nit=nit_clean, limit=limit)
            rows = entity_queries.search_lines(s, ids)
            return [summary(rows[i]) for i in ids]

    def probable_duplicates(self, actor: Actor, form_or_name: EntityForm | str, nit: str = "", ciudad: str = "",
                            *, pais: str = "COLOMBIA", limit: int = 10) -> list[ProbableDuplicate]:
        """¿Su Entidad es alguna de estas? Entities that are probably the supplier about to be registered.

        Candidates come from the store's indexed questions (the NIT, the normalised name, names sharing
        its telling words: store/entity_search.duplicate_candidates), then duplicates.compare keeps and
        ranks those with the same canonical NIT, the same normalised name or a close one in the same city.
        A form gives its own name, NIT and municipio.
        For an active, signed-in user (the one about to press «Registrar Entidad»).
        """
        if isinstance(form_or_name, EntityForm):
            nombre, nit, pais = form_or_name.nombre, nit or form_or_name.nit, form_or_name.pais
            municipio = divipola().municipio(form_or_name.municipio_codigo or "")
            ciudad = ciudad or (municipio.nombre if municipio else "")
        else:
            nombre = form_or_name
        search_needle(nombre)  # refuses control characters like the search box
        wanted = duplicates.Candidate(nombre[: limits.max_length("entities", "nombre")], nit, ciudad)
        nit_clean = nits.canonical(nit)
        normalised = duplicates.normalise(wanted.nombre)
        if not nit_clean and not normalised:
            return []
        from secop_desktop.store.entity_search import duplicate_candidates

        with self.db.session() as s:
            authorize.active_user(s, actor)
            # Indexed questions only (migration 0006): the NIT, the normalised name, its telling words.
            ids = duplicate_candidates(s, self.db.dialect, pais=pais, nit=nit_clean, normalised=normalised,
                                       limit=DUPLICATE_CANDIDATES)
            rows = entity_queries.search_lines(s, list(ids))
        found: list[ProbableDuplicate] = []
        for r in rows.values():
            municipio = divipola().municipio(r.municipio_codigo or "")
            city = municipio.nombre.title() if municipio else ""
            match = duplicates.compare(wanted, duplicates.Candidate(r.nombre, r.nit or "", city))
            if match is not None:
                found.append(ProbableDuplicate(EntitySummary(r.id, r.nombre, r.pais, city, r.nit, r.dv),
                                               match.score, match.reason))
        found.sort(key=lambda d: (-d.score, fold(d.entidad.nombre), d.entidad.id))
        return found[:limit]

    def declare_different(self, actor: Actor, nombre: str, nit: str, entity_ids: list[int]) -> list[EntitySummary]:
        """«Mi Entidad es diferente de las anteriores»: the user says the Entidad they register is none of these.

        Written to the audit log, in words, with the names and NITs as they are stored (not as the wizard
        showed them), so a help desk can later see who went on past which probable duplicates.
        """
        search_needle(nombre)  # refuses control characters, as the search box does
        now = self.clock()
        with self.db.session() as s:
            user = self._active(s, actor, "Active su usuario antes de registrar una Entidad.")
            declared = [summary(self._entity(s, i)) for i in dict.fromkeys(entity_ids)]
            if not declared:
                return []
            nuevo = " ".join(nombre.split())[: limits.max_length("entities", "nombre")]
            canonical = nits.canonical(nit)
            audit.record(s, now, audit.Actor(user.id, user.usuario), "entidad_declarada_diferente", "usuario", user.id,
                         despues={"entidad_nueva": nuevo + (f" (NIT {canonical})" if canonical else ""),
                                  "diferente_de": "; ".join(_named(e) for e in declared)})
            return declared

    def find(self, entidad: str, pais: str = "COLOMBIA") -> EntitySummary | None:
        """One Entidad by its NIT (digits, dots and spaces allowed) or its complete name, like the search."""
        digits = "".join(entidad.replace(".", "").split())
        with self.db.session() as s:
            if digits.isdigit():
                found = entity_queries.by_nit(s, pais, digits)
            else:
                found = entity_queries.by_folded_name(s, pais, fold(" ".join(entidad.split())))
            return None if found is None else summary(found)

    # --- the signed-in user's own data and the Entidades they belong to ---------------------------
    def create(self, actor: Actor, form: EntityForm) -> EntityRecord:
        """Registrar Entidad: the creator becomes Administrador (and Proveedor, for a persona natural)."""
        errors = validate_entity(form)
        if errors:
            raise ValidationError(errors)
        now = self.clock()
        try:
            with self.db.session() as s:
                user = self._active(s, actor, "Active su usuario antes de registrar una Entidad.")
                entity = Entity(creado_por_id=user.id, creado_en=now, actualizado_en=now)
                apply_form(entity, form)
                s.add(entity)
                s.flush()
                s.add(Membership(user_id=user.id, entity_id=entity.id, es_administrador=True,
                                 es_proveedor=entity.persona_natural, acceso=Acceso.ACEPTADO.value, activo=True,
                                 fecha_solicitud=now, fecha_aceptacion=now, actualizado_en=now))
                audit.record(s, now, audit.Actor(user.id, user.usuario), "entidad_registrada", "entidad",
                             entity.id, entity_id=entity.id, despues=snapshot(entity))
                nit = f" con el NIT {entity.nit}" if entity.nit else ""
                outbox.post(s, now, user, "registro_entidad", "Confirmación de registro de la Entidad",
                            f"Felicitaciones {user.nombre},\n{entity.nombre}{nit} creada.\n"
                            "Su usuario es el usuario administrador, usted puede administrar la información "
                            "de su Entidad y dar acceso a nuevos usuarios.")
                return EntityRecord(entity.id, entity.version, form_of(entity), entity.persona_natural)
        except AlreadyExists as exc:
            raise ValidationError([_e("nit", "Ya existe una Entidad registrada con este NIT. "
                                              "Use «Solicitud de acceso».")]) from exc

    def get(self, actor: Actor, entity_id: int) -> EntityRecord:
        """Datos de la Entidad, for its accepted, active members."""
        with self.db.session() as s:
            authorize.member(s, actor, entity_id)
            entity = self._entity(s, entity_id)
            return EntityRecord(entity.id, entity.version, form_of(entity), entity.persona_natural)

    def update(self, actor: Actor, entity_id: int, expected_version: int, form: EntityForm) -> EntityRecord:
        """Datos de la Entidad: administrators only; a stale version is refused, never overwritten."""
        now = self.clock()
        try:
            with self.db.session() as s:
                # Refused before validating: somebody else's form errors are none of a stranger's business.
                user, _ = authorize.admin(s, actor, entity_id, que="modificar sus datos")
                errors = validate_entity(form)
                if errors:
                    raise ValidationError(errors)
                entity = self._entity(s, entity_id)
                if entity.version != expected_version:
                    raise ConflictError()
                before = snapshot(entity)
                # One UPDATE per save: an autoflush inside apply_form would bump the version twice.
                with s.no_autoflush:
                    apply_form(entity, form)
                    entity.actualizado_en = now
                s.flush()
                audit.record(s, now, audit.Actor(user.id, user.usuario), "entidad_actualizada", "entidad",
                             entity.id, entity_id=entity.id, antes=before, despues=snapshot(entity))
                return EntityRecord(entity.id, entity.version, form_of(entity), entity.persona_natural)
        except AlreadyExists as exc:
            raise ValidationError([_e("nit", "Ya existe otra Entidad registrada con este NIT.")]) from exc

    def request_access(self, actor: Actor, entity_id: int) -> Registration:
        """Solicitud de acceso: Pendiente until an administrator acts."""
        now = self.clock()
        try:
            with self.db.session() as s:
                user = self._active(s, actor, "Active su usuario antes de solicitar acceso.")
                entity = self._entity(s, entity_id)
                existing = memberships.of_user_in_entity(s, user.id, entity_id)
                if existing is not None and existing.acceso == Acceso.PENDIENTE.value:
                    raise ServiceError(f"Ya tiene una solicitud pendiente para {entity.nombre}.")
                if existing is not None and existing.acceso == Acceso.ACEPTADO.value:
                    raise ServiceError(f"Ya tiene acceso a {entity.nombre}: su solicitud fue aceptada.")
                m, before = memberships.mark_pending(s, user.id, entity_id, now)
                audit.record(s, now, audit.Actor(user.id, user.usuario), "acceso_solicitado", "membresia", m.id,
                             entity_id=entity_id, antes={"acceso": before}, despues={"acceso": m.acceso})
                for admin in memberships.active_admins(s, entity_id):
                    outbox.post(s, now, admin, "solicitud_acceso", "Solicitud de acceso",
                                f"El usuario {user.nombre} ({user.correo}) está solicitando acceso a "
                                f"{entity.nombre}. Ábrala en Administración de usuarios para aceptarla.")
                return _registration(m, entity)
        except AlreadyExists as exc:
            raise ServiceError("Ya existe una solicitud para esta Entidad.") from exc

    def my_registrations(self, actor: Actor) -> list[Registration]:
        """Mis registros: the signed-in user's own memberships, whatever their state."""
        with self.db.session() as s:
            user = authorize.active_user(s, actor)
            return [_registration(m, e) for m, e in memberships.of_user(s, user.id)]

    def checklist(self, actor: Actor, entity_id: int, datos: dict[str, Any] | None = None) -> Checklist:
        """Lista de verificación of an Entidad being registered, for its members.

        `datos`: a draft's data for this Entidad (what is typed but maybe not saved yet); without it, the
        Entidad as stored. The documents are always the ones attached to it now.
        """
        from secop_desktop.core.registration.checklist import checklist, entity_data

        with self.db.session() as s:
            user, _ = authorize.member(s, actor, entity_id)
            entity = self._entity(s, entity_id)
            attached = [d.tipo for d in document_queries.of_entity(s, entity_id)]
            if datos is None:
                datos = entity_data(form_of(entity), entity.id, user.id)
        return checklist(datos, attached)

    def summary(self, actor: Actor, entity_id: int) -> RegistrationSummary:
        """The printable registration summary (Resumen del registro), for the Entidad's members."""
        from secop_desktop.core.entities.summary import build_summary

        with self.db.session() as s:
            authorize.member(s, actor, entity_id)
            return build_summary(s, self._entity(s, entity_id), self.clock())

    def summary_html(self, actor: Actor, entity_id: int) -> str:
        from secop_desktop.core.entities.summary import render_html

        return render_html(self.summary(actor, entity_id))

    @staticmethod
    def _active(s: UnitOfWork, actor: Actor, message: str) -> User:
        """The actor's row, refused with the step's own Spanish reason when the user is not active."""
        try:
            return authorize.active_user(s, actor)
        except PermissionDenied as exc:
            if isinstance(actor, SignedIn):
                raise PermissionDenied(message) from exc
            raise

    @staticmethod
    def _entity(s: UnitOfWork, entity_id: int) -> Entity:
        entity = s.get(Entity, entity_id)
        if entity is None:
            raise ServiceError(NOT_FOUND)
        return entity


def _named(e: EntitySummary) -> str:
    """'Ferretería Andina S.A.S. (NIT 800111202) de Bogotá, D.C.' for an audit line."""
    return e.nombre + (f" (NIT {e.nit})" if e.nit else "") + (f" de {e.ciudad}" if e.ciudad else "")


def _registration(m: Membership, e: Entity) -> Registration:
    return Registration(m.id, e.id, e.nit, e.nombre, m.fecha_solicitud, m.fecha_aceptacion, m.acceso,
                        m.es_administrador, m.es_proveedor, m.activo)
