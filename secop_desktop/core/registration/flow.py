"""The registration flow of the guide as a navmap over a plain data dict (no Qt).

The flow owns the registration: each view has an accept step that calls the services
(register, confirm, sign in, request access, save the entity, finish) and raises the
project's errors; the wizard pages only copy their widgets into the flow (``apply``)
and show what an accept refused. Without its secrets the dict is the autosaved draft.

Views, in the guide's order::

    usuario -> confirmar -> buscar_entidad -+-> (Solicitud de acceso, Finalizar)
                                            +-> tipo_entidad -> formulario -> documentos -> felicitaciones

The entity is created when the user leaves ``formulario`` (not at Finalizar), so the
documents of ``documentos`` are attached straight to the entity that will own them.
Going back to the form and forward again updates that entity instead of creating a
second one (``entity_id`` and ``entity_version`` in the data say which).

A draft restored at a later start never holds the password, so it reopens at
``confirmar``, where the user signs in again, and then jumps to the saved view.
The signed-in identity (``actor``) lives here, never in the draft.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from secop_desktop.core.accounts.users import Resent, UserInfo, UserRegistration
from secop_desktop.core.entities.service import (
    ENTITY_LABELS,
    EntityForm,
    EntityRecord,
    EntitySummary,
    FinancialYear,
    ProbableDuplicate,
    Registration,
    validate_entity,
)
from secop_desktop.core.identity import SignedIn
from secop_desktop.core.registration.drafts import DraftInfo, current_agent, strip_secrets
from secop_desktop.errors import FieldError, ServiceError, ValidationError
from secop_desktop.vocab import TIPOS_PERSONA_NATURAL, EstadoUsuario

if TYPE_CHECKING:
    from secop_desktop.core.registration.checklist import Checklist
    from secop_desktop.core.services import Services
    from secop_desktop.store.database import UnitOfWork

USUARIO = "usuario"
CONFIRMAR = "confirmar"
BUSCAR_ENTIDAD = "buscar_entidad"
TIPO_ENTIDAD = "tipo_entidad"
FORMULARIO = "formulario"
DOCUMENTOS = "documentos"
FELICITACIONES = "felicitaciones"

STEPS: tuple[str, ...] = (
    "Registrar usuario",
    "Confirmar registro",
    "Crear o solicitar acceso a una Entidad",
)

SEARCH_LABELS = {"pais": "País de mi Entidad", "nombre": "Nombre de la Entidad", "nit": "NIT"}
ENTITY_TYPE_FIELDS = ("pais", "tipo", "area", "tipo_organizacion")

NOT_SIGNED_IN = "Entre con su usuario y contraseña para continuar."
OTHER_USER = "Entre con el usuario de este registro."
CHOOSE_ENTITY = "Seleccione una Entidad de la lista o registre una nueva."
DUPLICATES_TITLE = "¿Su Entidad es alguna de estas?"
DIFFERENT = "Mi Entidad es diferente de las anteriores"
DECLARE_DIFFERENT = (f"Su Entidad puede ser una de las que ya existen. Si lo es, haga clic en «Solicitud de acceso»; "
                     f"si no, marque «{DIFFERENT}» para registrarla.")
REASONS = {"nit": "mismo NIT", "nombre": "mismo nombre", "parecido": "nombre parecido"}


def duplicate_line(d: ProbableDuplicate) -> str:
    """'Ferretería Andina S.A.S. — COLOMBIA | Bogotá NIT: 800111202 (mismo nombre)'."""
    return f"{d.entidad.nombre} — {d.entidad.linea} ({REASONS.get(d.motivo, d.motivo)})"


def duplicates_in_form_text(found: list[ProbableDuplicate]) -> str:
    names = "; ".join(duplicate_line(d) for d in found)
    return f"Ya existen Entidades que probablemente son la suya: {names}. {DECLARE_DIFFERENT}"


def nit_registered_text(entity: EntitySummary) -> str:
    return (f"Ya existe una Entidad registrada con el NIT {entity.nit}: {entity.nombre}. No puede registrarla "
            "de nuevo; haga clic en «Solicitud de acceso» para pedir acceso a ella.")

Data = dict[str, Any]
DATA_VERSION = 1


def _never(_: Data) -> bool:
    return False


@dataclass(frozen=True)
class View:
    """One screen: where it leads, whether it ends the flow, and what leaving it commits."""

    name: str
    step: int  # 1, 2 or 3: the guide's progress indicator
    title: str
    next: str | Callable[[Data], str | None] | None
    last: Callable[[Data], bool] = _never
    accept: Callable[[RegistrationFlow], object] | None = None


@dataclass(frozen=True)
class Search:
    pais: str
    nombre: str
    nit: str
    validada: bool


@dataclass(frozen=True)
class AccessRequest:
    entity_id: int
    nombre: str
    linea: str
    estado: str


def _after_confirm(data: Data) -> str:
    # A restored draft signs in again on `confirmar`, then goes back where it was.
    return str(data.get("reanudar") or BUSCAR_ENTIDAD)


def _after_search(data: Data) -> str | None:
    return None if data.get("solicitud") else TIPO_ENTIDAD


# --- EntityForm <-> plain dict (JSON-safe: money as strings) -------------------------------
def _money_in(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def form_to_dict(form: EntityForm) -> Data:
    out = asdict(form)
    out["financials"] = [
        {k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()} for row in out["financials"]
    ]
    return out


def form_from_dict(data: Data | None) -> EntityForm:
    data = data or {}
    known = {f.name for f in fields(EntityForm)} - {"financials"}
    form = EntityForm(**{k: v for k, v in data.items() if k in known})
    rows: list[FinancialYear] = []
    for raw in data.get("financials") or []:
        try:
            anio = int(raw.get("anio"))
        except (TypeError, ValueError):
            continue
        row = FinancialYear(anio=anio, anio_fiscal=str(raw.get("anio_fiscal") or ""))
        for f in fields(FinancialYear):
            if f.name not in ("anio", "anio_fiscal"):
                setattr(row, f.name, _money_in(raw.get(f.name)))
        rows.append(row)
    form.financials = rows
    return form


def registration_to_dict(reg: UserRegistration) -> Data:
    return asdict(reg)


def registration_from_dict(data: Data | None) -> UserRegistration:
    known = {f.name for f in fields(UserRegistration)}
    return UserRegistration(**{k: v for k, v in (data or {}).items() if k in known})


def new_data() -> Data:
    return {
        "version": DATA_VERSION,
        "paso": USUARIO,
        "usuario": registration_to_dict(UserRegistration()),
        "user_id": None,
        "login": "",
        "confirmado": False,
        "busqueda": {"pais": "COLOMBIA", "nombre": "", "nit": "", "validada": False},
        "modo": None,
        "solicitud": None,
        "entidad": form_to_dict(EntityForm()),
        "formulario_generado": False,
        "entity_id": None,
        "entity_version": None,
        "reanudar": None,
        # Entities the user declared different (recorded in the audit log), and the ones the box is ticked for.
        "diferentes": [],
        "declara_diferente": [],
    }


def step_labels(view: str) -> list[tuple[str, str]]:
    """The guide's indicator: ('1. Registrar usuario', 'hecho'|'actual'|'pendiente') for each step."""
    step = NAVMAP[view].step
    out: list[tuple[str, str]] = []
    for number, label in enumerate(STEPS, start=1):
        state = "hecho" if number < step else "actual" if number == step else "pendiente"
        out.append((f"{number}. {label}", state))
    return out


def congratulations(nombre: str, entidad: str, nit: str | None) -> str:
    con_nit = f" con el NIT {nit}" if nit else ""
    return (f"Felicitaciones {nombre},\n{entidad}{con_nit} creada\n"
            "Su usuario es el usuario administrador, usted puede administrar la información de su Entidad "
            "y dar acceso a nuevos usuarios.")


class RegistrationFlow:
    """Where the registration is, what it has collected, and who is signed in; the wizard renders it."""

    def __init__(self, services: Services, data: Data | None = None, *, agent: str | None = None,
                 draft_id: int | None = None) -> None:
        self.services = services
        self.agent = agent or current_agent()
        self.draft_id = draft_id
        self.actor: SignedIn | None = None
        self.finished = False
        self.data: Data = new_data()
        # Typed but never part of the data, so never in a draft.
        self._code = ""
        self._credentials = ("", "")
        self._results: list[EntitySummary] = []
        self._duplicates: list[ProbableDuplicate] = []
        self._chosen: int | None = None
        # In memory only, never in the draft: lets this registration show its own activation message.
        self.receipt: UserInfo | None = None
        if data:
            restored = copy.deepcopy(data)
            for key, value in restored.items():
                if isinstance(value, dict) and isinstance(self.data.get(key), dict):
                    self.data[key].update(value)
                else:
                    self.data[key] = value

    @classmethod
    def from_draft(cls, services: Services, draft: DraftInfo, *, agent: str | None = None) -> RegistrationFlow:
        return cls(services, draft.datos, agent=agent, draft_id=draft.id)

    # --- navigation ------------------------------------------------------------------
    @property
    def current(self) -> str:
        return str(self.data.get("paso") or USUARIO)

    def view(self, name: str | None = None) -> View:
        return NAVMAP[name or self.current]

    def next_of(self, name: str | None = None) -> str | None:
        nxt = self.view(name).next
        return nxt(self.data) if callable(nxt) else nxt

    def is_last(self, name: str | None = None) -> bool:
        return self.view(name).last(self.data)

    def enter(self, name: str) -> None:
        """The user is now looking at `name`."""
        if name not in NAVMAP:
            raise KeyError(name)
        self.data["paso"] = name
        if self.data.get("reanudar") == name:
            self.data["reanudar"] = None

    def accept(self, name: str | None = None) -> None:
        """Leaving `name` forward: its commit step runs, or the project's error says why not."""
        step = self.view(name).accept
        if step is not None:
            step(self)

    def resume_view(self) -> str:
        """Where a restored draft reopens: the saved view, or `confirmar` to sign in again first."""
        saved = self.current
        if saved in (USUARIO, CONFIRMAR) or self.data.get("user_id") is None:
            return USUARIO if self.data.get("user_id") is None else CONFIRMAR
        self.data["reanudar"] = saved
        return CONFIRMAR

    def step_labels(self, name: str | None = None) -> list[tuple[str, str]]:
        return step_labels(name or self.current)

    def step_title(self, name: str | None = None) -> str:
        view = self.view(name)
        return f"Paso {view.step}: {view.title}"

    # --- what the pages read -----------------------------------------------------------
    @property
    def user_id(self) -> int | None:
        value = self.data.get("user_id")
        return None if value is None else int(value)

    @property
    def login(self) -> str:
        return str(self.data.get("login") or "")

    @property
    def is_confirmed(self) -> bool:
        return bool(self.data.get("confirmado"))

    @property
    def resuming(self) -> bool:
        return bool(self.data.get("reanudar"))

    @property
    def entity_id(self) -> int | None:
        value = self.data.get("entity_id")
        return None if value is None else int(value)

    @property
    def registering_entity(self) -> bool:
        return self.data.get("modo") == "registrar"

    @property
    def persona_natural(self) -> bool:
        return self.data["entidad"].get("tipo_organizacion") in TIPOS_PERSONA_NATURAL

    def search_criteria(self) -> Search:
        b = self.data["busqueda"]
        nombre = b.get("nombre", "")
        if not b.get("validada") and not nombre:
            nombre = self.data["usuario"].get("nombre_entidad", "")
        return Search(b.get("pais") or "COLOMBIA", nombre, b.get("nit", ""), bool(b.get("validada")))

    def access_request(self) -> AccessRequest | None:
        s = self.data.get("solicitud")
        if not s:
            return None
        return AccessRequest(int(s["entity_id"]), s["nombre"], s["linea"], s["estado"])

    @property
    def results(self) -> list[EntitySummary]:
        return list(self._results)

    @property
    def duplicates(self) -> list[ProbableDuplicate]:
        """¿Su Entidad es alguna de estas?: the probable duplicates not yet declared different."""
        declared = set(self.data.get("diferentes") or [])
        own = self.entity_id
        return [d for d in self._duplicates if d.entidad.id not in declared and d.entidad.id != own]

    def found(self) -> list[EntitySummary]:
        """What the search page lists: the probable duplicates first (declared different or not), then the rest."""
        first = [d.entidad for d in self._duplicates if d.entidad.id != self.entity_id]
        ids = {e.id for e in first}
        return first + [e for e in self._results if e.id not in ids]

    def set_different(self, checked: bool) -> None:
        """The «Mi Entidad es diferente de las anteriores» box, for exactly the duplicates shown now."""
        self.data["declara_diferente"] = [d.entidad.id for d in self.duplicates] if checked else []

    @property
    def declared_different(self) -> bool:
        shown = {d.entidad.id for d in self.duplicates}
        return bool(shown) and shown <= set(self.data.get("declara_diferente") or [])

    def entity_type(self) -> dict[str, str]:
        return {name: str(self.data["entidad"].get(name) or "") for name in ENTITY_TYPE_FIELDS}

    def entity_errors(self) -> list[FieldError]:
        """The guide's rules for the entity form as it stands (no commit)."""
        return validate_entity(self.entity_form())

    def congratulations(self) -> str:
        form = self.entity_form()
        nombre = self.actor.nombre if self.actor else self.data["usuario"].get("nombre", "")
        return congratulations(nombre, form.nombre, form.nit or None)

    # --- lookups that help the user type (no commit) -----------------------------------
    def usuario_available(self, usuario: str) -> bool:
        return self.services.users.is_available(usuario)

    def entity_names_like(self, text: str, limit: int = 10) -> list[str]:
        return [e.nombre for e in self.services.entities.search(nombre=text, limit=limit)]

    def refresh_account(self) -> UserInfo | None:
        """The registered user as stored now (activated in the Buzón meanwhile?); None if it is gone."""
        if self.user_id is None:
            return None
        try:
            info = self.services.users.get(self.user_id)
        except Exception:  # noqa: BLE001 - a draft may name a user that was since removed
            return None
        if info.estado == EstadoUsuario.ACTIVO:
            self.confirmed(info)
        return info

    # --- step 1: Registrar usuario -----------------------------------------------------
    def registration(self) -> UserRegistration:
        return registration_from_dict(self.data["usuario"])

    def set_registration(self, reg: UserRegistration) -> None:
        self.data["usuario"] = registration_to_dict(reg)

    def registered(self, user: UserInfo) -> None:
        self.data["user_id"] = user.id
        self.data["login"] = user.usuario
        if getattr(user, "recibo", ""):
            self.receipt = user
        self.data["confirmado"] = user.estado == EstadoUsuario.ACTIVO

    def register(self) -> UserInfo:
        """Continuar: the user and the draft that now names them are written in one unit of work."""
        before, draft_before = copy.deepcopy(self.data), self.draft_id

        def with_draft(s: UnitOfWork, info: UserInfo) -> None:
            self.registered(info)
            self.draft_id = self.services.drafts.save_in(s, self.agent, self.draft_id, CONFIRMAR, self.draft(),
                                                         self.title())

        try:
            info = self.services.users.register(self.registration(), also=with_draft)
        except BaseException:
            self.data, self.draft_id = before, draft_before
            raise
        self.registered(info)  # the receipt that lets this registration show its own activation message
        # Stored as hashes now; nothing needs them in memory any longer (step 1 cannot be reopened).
        for secret in ("contrasena", "confirmar", "respuesta"):
            self.data["usuario"][secret] = ""
        return info

    # --- step 2: Confirmar registro ----------------------------------------------------
    def set_activation_code(self, text: str) -> None:
        self._code = text

    def confirmed(self, user: UserInfo) -> None:
        """The account is active (link clicked in the Buzón, pasted, or code typed)."""
        self.registered(user)
        self.data["confirmado"] = True

    def confirm(self) -> UserInfo:
        info = self.services.users.confirm(self._code, self.login or None)
        self.confirmed(info)
        self._code = ""
        return info

    def resend_activation(self) -> Resent:
        return self.services.users.resend_activation(self.login)

    def set_credentials(self, usuario: str, contrasena: str) -> None:
        self._credentials = (usuario, contrasena)

    def sign_in(self) -> SignedIn:
        """Entrar: the identity every later step acts as; it must be this registration's user."""
        usuario, contrasena = self._credentials
        self._credentials = (usuario, "")
        actor = self.services.users.sign_in(usuario, contrasena)
        if self.user_id not in (None, actor.user_id):
            raise ServiceError(OTHER_USER)
        self.actor = actor
        self.data["user_id"] = actor.user_id
        self.data["login"] = actor.usuario
        self.data["confirmado"] = True
        return actor

    def start_signed_in(self, actor: SignedIn) -> None:
        """A user who signed in without an Entity: the third section, knowing who they are."""
        self.actor = actor
        info = self.services.users.profile(actor)
        self.confirmed(info)
        usuario = self.data["usuario"]
        for key, value in (("nombre", info.nombre), ("correo", info.correo), ("usuario", info.usuario),
                           ("zona_horaria", info.zona_horaria)):
            if not usuario.get(key):
                usuario[key] = value

    def require_signed_in(self) -> SignedIn:
        if self.actor is None:
            raise ServiceError(NOT_SIGNED_IN)
        return self.actor

    # --- step 3: Validar si mi entidad ya existe -------------------------------------------
    def set_search(self, pais: str, nombre: str, nit: str) -> None:
        self.data["busqueda"].update(pais=pais, nombre=nombre, nit=nit)

    def searched(self, pais: str, nombre: str, nit: str) -> None:
        self.data["busqueda"] = {"pais": pais, "nombre": nombre, "nit": nit, "validada": True}

    def search(self) -> list[EntitySummary]:
        """Validar: NIT or name; what was found stays here for Solicitud de acceso."""
        b = self.data["busqueda"]
        pais, nombre, nit = b.get("pais") or "COLOMBIA", b.get("nombre", "").strip(), b.get("nit", "").strip()
        errors: list[FieldError] = []
        if not nombre and not nit:
            errors.append(FieldError("nombre", SEARCH_LABELS["nombre"], "Escriba el nombre o el NIT de la Entidad."))
        if nit and not nit.replace(".", "").replace(" ", "").isdigit():
            errors.append(FieldError("nit", SEARCH_LABELS["nit"],
                                     "Escriba el NIT solo con números, sin el dígito de verificación."))
        if errors:
            raise ValidationError(errors)
        self.searched(pais, b.get("nombre", ""), b.get("nit", ""))
        self._results = self.services.entities.search(pais=pais, nombre=nombre, nit=nit)
        # Only a signed-in user may ask (the search itself is open); a new search asks the box again.
        self._duplicates = ([] if self.actor is None else
                            self.services.entities.probable_duplicates(self.actor, nombre, nit, pais=pais))
        self.data["declara_diferente"] = []
        shown = self.found()
        self._chosen = shown[0].id if shown else None
        return self.results

    def choose_entity(self, entity_id: int | None) -> None:
        self._chosen = entity_id

    def request_access(self) -> Registration:
        """Solicitud de acceso to the chosen Entidad: Pendiente until one of its administrators accepts."""
        actor = self.require_signed_in()
        entity = next((e for e in self.found() if e.id == self._chosen), None)
        if entity is None or (self.entity_id is not None and entity.id == self.entity_id):
            raise ServiceError(CHOOSE_ENTITY)
        registration = self.services.entities.request_access(actor, entity.id)
        self.access_requested(entity, registration.estado)
        return registration

    def access_requested(self, entity: EntitySummary, estado: str) -> None:
        self.data["solicitud"] = {"entity_id": entity.id, "nombre": entity.nombre, "linea": entity.linea,
                                  "estado": estado}
        self.data["modo"] = "solicitar"

    def nit_registered(self) -> EntitySummary | None:
        """The Entidad found whose NIT is exactly the one searched: it cannot be registered again."""
        nit = "".join(c for c in self.data["busqueda"].get("nit", "") if c.isdigit())
        if not nit:
            return None
        return next((e for e in self._results if e.nit == nit), None)

    def choose_register(self) -> None:
        """Registrar Entidad: pre-fills the new form with what the search already knows."""
        taken = self.nit_registered()
        if taken is not None:
            raise ServiceError(nit_registered_text(taken))
        b = self.data["busqueda"]
        self._declare_if_needed(b.get("nombre", ""), b.get("nit", ""), ServiceError(DECLARE_DIFFERENT))
        self.data["modo"] = "registrar"
        form = self.entity_form()
        busqueda = self.data["busqueda"]
        form.pais = busqueda.get("pais") or form.pais
        if not form.nombre.strip():
            form.nombre = busqueda.get("nombre", "").strip() or self.data["usuario"].get("nombre_entidad", "")
        if not form.nit.strip():
            form.nit = "".join(c for c in busqueda.get("nit", "") if c.isdigit())
        self.set_entity_form(form)

    def _declare_if_needed(self, nombre: str, nit: str, refusal: ServiceError) -> None:
        """Going on past probable duplicates needs the box ticked for them; the declaration goes to the audit log."""
        pending = self.duplicates
        if not pending:
            return
        if not self.declared_different:
            raise refusal
        actor = self.require_signed_in()
        ids = [d.entidad.id for d in pending]
        self.services.entities.declare_different(actor, nombre, nit, ids)
        self.data["diferentes"] = [*(self.data.get("diferentes") or []), *ids]
        self.data["declara_diferente"] = []

    def _accept_search(self) -> None:
        self.require_signed_in()
        if self.data.get("solicitud"):
            self.finish()
        elif not self.registering_entity:
            raise ServiceError(CHOOSE_ENTITY)

    # --- step 3: the new Entidad -------------------------------------------------------
    def set_entity_type(self, values: dict[str, str]) -> None:
        for name in ENTITY_TYPE_FIELDS:
            if name in values:
                self.data["entidad"][name] = values[name]

    def generate_form(self) -> None:
        """Generar formulario: a persona natural is her own legal representative."""
        form = self.entity_form()
        if form.tipo_organizacion in TIPOS_PERSONA_NATURAL:
            person = self.data["usuario"].get("nombre", "")
            if not form.nombre.strip():
                form.nombre = person
            if not form.representante_nombre.strip():
                form.representante_nombre = person
            if not form.representante_numero_documento.strip():
                form.representante_numero_documento = form.nit
            if not form.representante_correo.strip():
                form.representante_correo = self.data["usuario"].get("correo", "")
            if not form.representante_telefono.strip():
                form.representante_telefono = self.data["usuario"].get("telefono", "")
        self.data["formulario_generado"] = True
        self.set_entity_form(form)

    def entity_form(self) -> EntityForm:
        return form_from_dict(self.data["entidad"])

    def set_entity_form(self, form: EntityForm) -> None:
        self.data["entidad"] = form_to_dict(form)

    def entity_saved(self, record: EntityRecord) -> None:
        self.data["entity_id"] = record.id
        self.data["entity_version"] = record.version

    def save_entity(self) -> EntityRecord:
        """Leaving the form: the Entidad is created (the user its administrator), or updated on a second pass."""
        actor = self.require_signed_in()
        form = self.entity_form()
        errors = validate_entity(form)
        if errors:
            raise ValidationError(errors)
        # The name, NIT and city typed in the form may point at Entities the search did not show.
        # A ticked box covers only the Entities it was ticked for (declared_different checks that). The same
        # NIT is no choice: the store refuses it beside the NIT field with «Solicitud de acceso».
        self._duplicates = [d for d in self.services.entities.probable_duplicates(actor, form) if d.motivo != "nit"]
        if self.duplicates:
            self._declare_if_needed(form.nombre, form.nit, ValidationError([FieldError(
                "nombre", ENTITY_LABELS["nombre"], duplicates_in_form_text(self.duplicates))]))
        if self.entity_id is None:
            record = self.services.entities.create(actor, form)
        else:
            record = self.services.entities.update(actor, self.entity_id, int(self.data["entity_version"]), form)
        self.entity_saved(record)
        self._save_draft_quietly()
        return record

    # --- the end -----------------------------------------------------------------------
    def finish(self) -> UserInfo:
        """Finalizar: the mandatory documents are there (new Entidad); the draft has nothing left to restore."""
        actor = self.require_signed_in()
        if self.registering_entity and self.data.get("solicitud") is None:
            if self.entity_id is None:
                raise ServiceError("Guarde el formulario de la Entidad antes de finalizar.")
            form = self.entity_form()
            missing = self.services.documents.missing_mandatory(
                actor, self.entity_id, persona_natural=self.persona_natural,
                obligado_contabilidad=form.obligado_contabilidad)
            if missing:
                raise ServiceError("Faltan documentos obligatorios: " + ", ".join(m.nombre for m in missing) + ".")
        if self.draft_id is not None:
            self.services.drafts.discard(self.agent, self.draft_id)
            self.draft_id = None
        self.finished = True
        return self.services.users.profile(actor)

    def account(self) -> UserInfo | None:
        """The signed-in user's account as stored now (what the Escritorio opens with)."""
        return None if self.actor is None else self.services.users.profile(self.actor)

    # --- Lista de verificación -----------------------------------------------------------
    def attached_documents(self) -> list[str]:
        """The kinds of document attached to the Entidad being registered (none before it is saved)."""
        if self.actor is None or self.entity_id is None:
            return []
        try:
            return [d.tipo for d in self.services.documents.list(self.actor, self.entity_id)]
        except ServiceError:
            return []

    def checklist(self, documentos: list[str] | None = None) -> Checklist:
        from secop_desktop.core.registration.checklist import checklist

        return checklist(self.data, self.attached_documents() if documentos is None else documentos)

    # --- drafts ----------------------------------------------------------------------
    def draft(self) -> Data:
        """The data as it may be written to disk: every secret removed."""
        return strip_secrets(copy.deepcopy(self.data))

    def has_input(self) -> bool:
        """Whether anything worth a draft was typed (an untouched wizard leaves none)."""
        fresh = new_data()
        return self.draft() != strip_secrets(fresh)

    def save_draft(self) -> int | None:
        """Autosave: writes the draft unless the registration is over or nothing was typed yet."""
        if self.finished or (self.draft_id is None and not self.has_input()):
            return None
        self.draft_id = self.services.drafts.save(self.agent, self.draft_id, self.current, self.draft(), self.title())
        return self.draft_id

    def _save_draft_quietly(self) -> None:
        # After a commit the draft follows at once; if only the draft fails, the commit still stands and
        # the wizard's next autosave retries.
        try:
            self.save_draft()
        except (ServiceError, OSError):
            pass

    def discard_draft(self) -> None:
        if self.draft_id is not None:
            self.services.drafts.discard(self.agent, self.draft_id)
            self.draft_id = None

    def title(self) -> str:
        """How the draft is listed in 'Continuar registro pendiente'."""
        usuario = self.data["usuario"]
        persona = (usuario.get("nombre") or "").strip() or "Sin nombre"
        entidad = (self.data["entidad"].get("nombre") or usuario.get("nombre_entidad") or "").strip()
        login = f" ({self.data['login']})" if self.data.get("login") else ""
        return f"{persona}{login}" + (f" · {entidad}" if entidad else "")


NAVMAP: dict[str, View] = {
    v.name: v
    for v in (
        View(USUARIO, 1, "Registrar usuario", CONFIRMAR, accept=RegistrationFlow.register),
        View(CONFIRMAR, 2, "Confirmar registro", _after_confirm, accept=RegistrationFlow.require_signed_in),
        View(BUSCAR_ENTIDAD, 3, "Validar si mi entidad ya existe", _after_search,
             last=lambda d: bool(d.get("solicitud")), accept=RegistrationFlow._accept_search),
        View(TIPO_ENTIDAD, 3, "Formulario de registro de una nueva Entidad", FORMULARIO,
             accept=RegistrationFlow.generate_form),
        View(FORMULARIO, 3, "Formulario de registro de una nueva Entidad", DOCUMENTOS,
             accept=RegistrationFlow.save_entity),
        View(DOCUMENTOS, 3, "Anexar documentos", FELICITACIONES, accept=RegistrationFlow.finish),
        View(FELICITACIONES, 3, "Confirmación de registro de la Entidad", None, last=lambda d: True),
    )
}
ORDER: tuple[str, ...] = tuple(NAVMAP)
