"""Lista de verificación: what a registration has and what it still lacks, part by part of the guide.

Computed from the same data dict the flow keeps and the draft saves (``flow.RegistrationFlow.data``),
plus the kinds of document already attached (documents live in the store, not in the draft), so
the wizard, the Escritorio and the CLI all show the same list. No Qt, no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from secop_desktop.core.accounts.users import validate_registration
from secop_desktop.core.documents.service import slots
from secop_desktop.core.entities import service as entities
from secop_desktop.core.entities.service import EntityForm
from secop_desktop.core.registration import flow
from secop_desktop.errors import FieldError

Data = dict[str, Any]
Validator = Callable[[EntityForm], list[FieldError]]

# The entity form's sections as the wizard shows them, each with the guide's rules that cover it.
_RULES = entities.VALIDATORS_BY_PART
SECTIONS: tuple[tuple[str, str, tuple[Validator, ...]], ...] = (
    ("entidad.identificacion", "Identificación de la Entidad", (_RULES["identificacion"],)),
    ("entidad.general", "Información General", (_RULES["general"],)),
    ("entidad.contactos", "Contactos", (_RULES["ubicacion"], _RULES["contactos"])),
    ("entidad.financiera", "Información Financiera", (_RULES["banco"], _RULES["financiera"])),
    ("entidad.representante", "Representante legal", (_RULES["representante"],)),
)

NOT_REGISTERED = "Complete y envíe el formulario «Registrar usuario»."
NOT_CONFIRMED = "Active su usuario con el enlace o el código que llegó a su correo."
NOT_SEARCHED = "Valide si su Entidad ya existe (por nombre o NIT)."
NOT_CHOSEN = "Elija «Solicitud de acceso» a una Entidad encontrada o «Registrar Entidad»."
NOT_SAVED = "Guarde el formulario de la Entidad (Siguiente) antes de anexar documentos."
MISSING_DOCUMENT = "Anexe este documento."


@dataclass(frozen=True)
class Missing:
    """One thing still to do: the flow's view that has it, the field (or document kind), its label and why."""

    vista: str
    campo: str
    etiqueta: str
    mensaje: str


@dataclass(frozen=True)
class Item:
    clave: str  # "usuario", "confirmacion", "entidad.general", "documento.rup", ...
    titulo: str
    vista: str  # where the wizard shows this part
    faltan: tuple[Missing, ...]

    def razon(self, missing: Missing) -> str:
        """What is missing, with its label unless that is the part's own title (a document: said once)."""
        return f"{missing.etiqueta}: {missing.mensaje}" if missing.etiqueta not in ("", self.titulo) else missing.mensaje

    @property
    def linea(self) -> str:
        """'✓ Título' or '✗ Título: what is missing; ...'."""
        if self.hecho:
            return f"✓ {self.titulo}"
        return f"✗ {self.titulo}: " + "; ".join(self.razon(m) for m in self.faltan)

    @property
    def hecho(self) -> bool:
        return not self.faltan


@dataclass(frozen=True)
class Checklist:
    items: tuple[Item, ...]

    @property
    def porcentaje(self) -> int:
        """Parts done over all parts, rounded down (100 only when nothing is missing)."""
        if not self.items:
            return 100
        return sum(i.hecho for i in self.items) * 100 // len(self.items)

    @property
    def completa(self) -> bool:
        return all(i.hecho for i in self.items)

    @property
    def primer_faltante(self) -> Missing | None:
        """Where the «Ir al primer campo pendiente» jump goes: the first missing thing in the guide's order."""
        return next((i.faltan[0] for i in self.items if i.faltan), None)

    def lineas(self) -> list[str]:
        """The list as text (the CLI prints it): '✓ Título' or '✗ Título: what is missing'."""
        out = [f"Lista de verificación: {self.porcentaje} % completa"]
        for i in self.items:
            if i.hecho:
                out.append(f"✓ {i.titulo}")
            else:
                out.append(f"✗ {i.titulo}: " + "; ".join(f"{m.etiqueta}: {m.mensaje}" if m.etiqueta else m.mensaje
                                                         for m in i.faltan))
        return out


def _missing(vista: str, errors: Iterable[FieldError]) -> tuple[Missing, ...]:
    out: list[Missing] = []
    seen: set[str] = set()
    for e in errors:
        if e.field in seen:  # one line per field: the first reason is enough to act on
            continue
        seen.add(e.field)
        where = flow.TIPO_ENTIDAD if vista == flow.FORMULARIO and e.field in flow.ENTITY_TYPE_FIELDS else vista
        out.append(Missing(where, e.field, e.label, e.message))
    return tuple(out)


def _usuario(data: Data) -> Item:
    if data.get("user_id") is not None:
        faltan: tuple[Missing, ...] = ()
    else:
        errors = validate_registration(flow.registration_from_dict(data.get("usuario")))
        faltan = _missing(flow.USUARIO, errors) or (Missing(flow.USUARIO, "", "", NOT_REGISTERED),)
    return Item("usuario", "Registrar usuario", flow.USUARIO, faltan)


def _confirmacion(data: Data) -> Item:
    done = bool(data.get("confirmado"))
    faltan = () if done else (Missing(flow.CONFIRMAR, "codigo", "Código de activación", NOT_CONFIRMED),)
    return Item("confirmacion", "Confirmar registro", flow.CONFIRMAR, faltan)


def _entidad(data: Data) -> Item:
    busqueda = data.get("busqueda") or {}
    faltan: tuple[Missing, ...] = ()
    if not busqueda.get("validada") and not data.get("modo"):
        faltan = (Missing(flow.BUSCAR_ENTIDAD, "nombre", flow.SEARCH_LABELS["nombre"], NOT_SEARCHED),)
    elif data.get("modo") not in ("registrar", "solicitar"):
        faltan = (Missing(flow.BUSCAR_ENTIDAD, "", "", NOT_CHOSEN),)
    return Item("entidad", "Validar si mi entidad ya existe", flow.BUSCAR_ENTIDAD, faltan)


def entity_data(form: EntityForm, entity_id: int, user_id: int) -> Data:
    """The data a finished flow would hold for a saved Entidad (what the Escritorio and the CLI check)."""
    data = flow.new_data()
    data.update(user_id=user_id, confirmado=True, modo="registrar", entidad=flow.form_to_dict(form),
                entity_id=entity_id, formulario_generado=True)
    data["busqueda"]["validada"] = True
    return data


def checklist(data: Data, documentos: Iterable[str] = ()) -> Checklist:
    """The checklist of a registration's data (the flow's dict or a saved draft's `datos`).

    `documentos`: the kinds (Slot.tipo) already attached to the Entidad being registered.
    An access request ends the registration at the search, so it has no form and no documents.
    """
    items = [_usuario(data), _confirmacion(data), _entidad(data)]
    if data.get("modo") == "solicitar" or data.get("solicitud"):
        return Checklist(tuple(items))
    form = flow.form_from_dict(data.get("entidad"))
    for clave, titulo, validators in SECTIONS:
        errors = [e for check in validators for e in check(form)]
        items.append(Item(clave, titulo, flow.FORMULARIO, _missing(flow.FORMULARIO, errors)))
    attached = set(documentos)
    saved = data.get("entity_id") is not None
    for slot in slots(form.persona_natural, form.obligado_contabilidad):
        if not slot.obligatorio:
            continue
        if slot.tipo in attached:
            faltan: tuple[Missing, ...] = ()
        else:
            faltan = (Missing(flow.DOCUMENTOS if saved else flow.FORMULARIO, slot.tipo, slot.nombre,
                              MISSING_DOCUMENT if saved else NOT_SAVED),)
        items.append(Item(f"documento.{slot.tipo}", slot.nombre, flow.DOCUMENTOS, faltan))
    return Checklist(tuple(items))
