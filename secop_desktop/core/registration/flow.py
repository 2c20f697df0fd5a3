"""The registration flow of the guide as a navmap over a plain data dict (no Qt).

The dict is the single source of truth for the wizard: pages read it when shown and
write into it as the user types. Without its secrets it is the autosaved draft.

Views, in the guide's order::

    usuario -> confirmar -> buscar_entidad -+-> (Solicitud de acceso, Finalizar)
                                            +-> tipo_entidad -> formulario -> documentos -> felicitaciones

The entity is created when the user leaves ``formulario`` (not at Finalizar), so the
documents of ``documentos`` are attached straight to the entity that will own them.
Going back to the form and forward again updates that entity instead of creating a
second one (``entity_id`` and ``entity_version`` in the data say which).

A draft restored at a later start never holds the password, so it reopens at
``confirmar``, where the user signs in again, and then jumps to the saved view.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from decimal import Decimal, InvalidOperation
from typing import Any

from secop_desktop.core.accounts.users import UserInfo, UserRegistration
from secop_desktop.core.entities.service import EntityForm, EntityRecord, EntitySummary, FinancialYear
from secop_desktop.core.registration.drafts import strip_secrets
from secop_desktop.vocab import TIPOS_PERSONA_NATURAL

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

Data = dict[str, Any]
DATA_VERSION = 1


def _never(_: Data) -> bool:
    return False


@dataclass(frozen=True)
class View:
    """One screen: where it leads and whether it ends the flow."""

    name: str
    step: int  # 1, 2 or 3: the guide's progress indicator
    title: str
    next: str | Callable[[Data], str | None] | None
    last: Callable[[Data], bool] = _never


def _after_confirm(data: Data) -> str:
    # A restored draft signs in again on `confirmar`, then goes back where it was.
    return str(data.get("reanudar") or BUSCAR_ENTIDAD)


def _after_search(data: Data) -> str | None:
    return None if data.get("solicitud") else TIPO_ENTIDAD


NAVMAP: dict[str, View] = {
    v.name: v
    for v in (
        View(USUARIO, 1, "Registrar usuario", CONFIRMAR),
        View(CONFIRMAR, 2, "Confirmar registro", _after_confirm),
        View(BUSCAR_ENTIDAD, 3, "Validar si mi entidad ya existe", _after_search,
             last=lambda d: bool(d.get("solicitud"))),
        View(TIPO_ENTIDAD, 3, "Formulario de registro de una nueva Entidad", FORMULARIO),
        View(FORMULARIO, 3, "Formulario de registro de una nueva Entidad", DOCUMENTOS),
        View(DOCUMENTOS, 3, "Anexar documentos", FELICITACIONES),
        View(FELICITACIONES, 3, "Confirmación de registro de la Entidad", None, last=lambda d: True),
    )
}
ORDER: tuple[str, ...] = tuple(NAVMAP)


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
    }


class RegistrationFlow:
    """Where the registration is and what it has collected; the wizard renders it."""

    def __init__(self, data: Data | None = None) -> None:
        self.data: Data = new_data()
        # In memory only, never in the draft: lets this registration show its own activation message.
        self.receipt: UserInfo | None = None
        if data:
            restored = copy.deepcopy(data)
            for key, value in restored.items():
                if isinstance(value, dict) and isinstance(self.data.get(key), dict):
                    self.data[key].update(value)
                else:
                    self.data[key] = value

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

    def resume_view(self) -> str:
        """Where a restored draft reopens: the saved view, or `confirmar` to sign in again first."""
        saved = self.current
        if saved in (USUARIO, CONFIRMAR) or self.data.get("user_id") is None:
            return USUARIO if self.data.get("user_id") is None else CONFIRMAR
        self.data["reanudar"] = saved
        return CONFIRMAR

    def step_labels(self, name: str | None = None) -> list[tuple[str, str]]:
        """The guide's indicator: ('1. Registrar usuario', 'hecho'|'actual'|'pendiente') for each step."""
        step = self.view(name).step
        out: list[tuple[str, str]] = []
        for number, label in enumerate(STEPS, start=1):
            state = "hecho" if number < step else "actual" if number == step else "pendiente"
            out.append((f"{number}. {label}", state))
        return out

    # --- step 1 and 2 ----------------------------------------------------------------
    def registration(self) -> UserRegistration:
        return registration_from_dict(self.data["usuario"])

    def set_registration(self, reg: UserRegistration) -> None:
        self.data["usuario"] = registration_to_dict(reg)

    def registered(self, user: UserInfo) -> None:
        self.data["user_id"] = user.id
        self.data["login"] = user.usuario
        if getattr(user, "recibo", ""):
            self.receipt = user
        self.data["confirmado"] = user.estado == "activo"

    def confirmed(self, user: UserInfo) -> None:
        self.registered(user)
        self.data["confirmado"] = True

    def start_signed_in(self, user: UserInfo) -> None:
        """A user who signed in without an Entity: the third section, knowing who they are."""
        self.confirmed(user)
        usuario = self.data["usuario"]
        for key, value in (("nombre", user.nombre), ("correo", user.correo), ("usuario", user.usuario),
                           ("zona_horaria", user.zona_horaria)):
            if not usuario.get(key):
                usuario[key] = value

    # --- step 3 ----------------------------------------------------------------------
    def searched(self, pais: str, nombre: str, nit: str) -> None:
        self.data["busqueda"] = {"pais": pais, "nombre": nombre, "nit": nit, "validada": True}

    def access_requested(self, entity: EntitySummary, estado: str) -> None:
        self.data["solicitud"] = {"entity_id": entity.id, "nombre": entity.nombre, "linea": entity.linea,
                                  "estado": estado}
        self.data["modo"] = "solicitar"

    def choose_register(self) -> None:
        """Registrar Entidad: pre-fills the new form with what the search already knows."""
        self.data["modo"] = "registrar"
        form = self.entity_form()
        busqueda = self.data["busqueda"]
        form.pais = busqueda.get("pais") or form.pais
        if not form.nombre.strip():
            form.nombre = busqueda.get("nombre", "").strip() or self.data["usuario"].get("nombre_entidad", "")
        if not form.nit.strip():
            form.nit = "".join(c for c in busqueda.get("nit", "") if c.isdigit())
        self.set_entity_form(form)

    def generate_form(self) -> None:
        """Generar formulario: a persona natural is her own legal representative."""
        form = self.entity_form()
        if form.tipo_organizacion in TIPOS_PERSONA_NATURAL:
            person = self.data["usuario"].get("nombre", "")
            if not form.nombre.strip():
                form.nombre = person
            if not form.representante_nombre.strip():
                form.representante_nombre = form.nombre or person
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

    @property
    def persona_natural(self) -> bool:
        return self.data["entidad"].get("tipo_organizacion") in TIPOS_PERSONA_NATURAL

    # --- drafts ----------------------------------------------------------------------
    def draft(self) -> Data:
        """The data as it may be written to disk: every secret removed."""
        return strip_secrets(copy.deepcopy(self.data))  # type: ignore[no-any-return]

    def has_input(self) -> bool:
        """Whether anything worth a draft was typed (an untouched wizard leaves none)."""
        fresh = new_data()
        return self.draft() != strip_secrets(fresh)

    def title(self) -> str:
        """How the draft is listed in 'Continuar registro pendiente'."""
        usuario = self.data["usuario"]
        persona = (usuario.get("nombre") or "").strip() or "Sin nombre"
        entidad = (self.data["entidad"].get("nombre") or usuario.get("nombre_entidad") or "").strip()
        login = f" ({self.data['login']})" if self.data.get("login") else ""
        return f"{persona}{login}" + (f" · {entidad}" if entidad else "")

    def step_title(self, name: str | None = None) -> str:
        view = self.view(name)
        return f"Paso {view.step}: {view.title}"
