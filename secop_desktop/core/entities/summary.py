"""The printable registration summary (HTML, Qt-free): entity data, representative, documents with hashes, state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from secop_desktop import __version__
from secop_desktop.core.dates import format_fecha
from secop_desktop.core.documents.file_policy import format_size
from secop_desktop.core.documents.service import all_slots, slots
from secop_desktop.core.entities.divipola import divipola
from secop_desktop.core.entities.service import ENTITY_LABELS, FINANCIAL_LABELS, EntityForm, form_of
from secop_desktop.core.money import format_money
from secop_desktop.store.database import UnitOfWork
from secop_desktop.store.models import Entity
from secop_desktop.store.queries import entities as entity_queries
from secop_desktop.store.queries import memberships
from secop_desktop.vocab import MESA_DE_SERVICIO


@dataclass(frozen=True)
class SummaryDocument:
    documento: str
    nombre: str
    tamano: int
    sha256: str
    anexado_en: datetime


@dataclass(frozen=True)
class SummaryMember:
    nombre: str
    correo: str
    rol: str
    acceso: str


@dataclass(frozen=True)
class RegistrationSummary:
    form: EntityForm
    dv: str
    creado_en: datetime
    actualizado_en: datetime
    documentos: tuple[SummaryDocument, ...]
    faltantes: tuple[str, ...]
    usuarios: tuple[SummaryMember, ...]
    generado_en: datetime

    @property
    def estado(self) -> str:
        if self.faltantes:
            return "Incompleto: faltan documentos obligatorios (" + ", ".join(self.faltantes) + ")."
        return "Completo: todos los documentos obligatorios están anexados."


def build_summary(s: UnitOfWork, entity: Entity, generado_en: datetime) -> RegistrationSummary:
    """Core-internal: the summary of an Entidad already authorized by ``EntityService.summary``."""
    names = {x.tipo: x.nombre for x in all_slots()}
    docs = entity_queries.documents(s, entity.id)
    have = {d.tipo for d in docs}
    faltantes = tuple(x.nombre for x in slots(entity.persona_natural, entity.obligado_contabilidad)
                      if x.obligatorio and x.tipo not in have)
    usuarios = tuple(
        SummaryMember(u.nombre, u.correo,
                      "Administrador y Proveedor" if m.es_administrador and m.es_proveedor
                      else "Administrador" if m.es_administrador else "Proveedor", m.acceso)
        for m, u in memberships.members_of_entity(s, entity.id)
    )
    return RegistrationSummary(
        form=form_of(entity),
        dv=entity.dv or "",
        creado_en=entity.creado_en,
        actualizado_en=entity.actualizado_en,
        documentos=tuple(SummaryDocument(names.get(d.tipo, d.tipo), d.nombre_original, d.tamano, d.sha256,
                                         d.anexado_en) for d in docs),
        faltantes=faltantes,
        usuarios=usuarios,
        generado_en=generado_en,
    )


def _rows(pairs: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><th align='left' width='38%'>{escape(k)}</th><td>{escape(v) or '—'}</td></tr>"
                   for k, v in pairs)


_SMALL_WORDS = frozenset({"de", "del", "la", "las", "los", "y", "e"})


def _proper(name: str) -> str:
    """'VALLE DEL CAUCA' -> 'Valle del Cauca' (DIVIPOLA names come in capitals)."""
    words = name.lower().split()

    def word(i: int, w: str) -> str:
        if "." in w:  # abbreviations: "D.C."
            return w.upper()
        return w if i and w in _SMALL_WORDS else w[:1].upper() + w[1:]

    return " ".join(word(i, w) for i, w in enumerate(words))


def _table(headers: list[str], rows: list[list[str]], empty: str, *, style: str = "",
           column_styles: dict[int, str] | None = None) -> str:
    head = "".join(f"<th align='left'>{escape(h)}</th>" for h in headers)
    if not rows:
        return f"<p><i>{escape(empty)}</i></p>"
    styles = column_styles or {}
    body = "".join(
        "<tr>" + "".join(f"<td style='{styles.get(i, '')}'>{escape(c)}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows)
    return (f"<table border='1' cellspacing='0' cellpadding='3' width='100%' style='{style}'>"
            f"<tr>{head}</tr>{body}</table>")


def render_html(summary: RegistrationSummary) -> str:
    """One HTML page (the subset QTextDocument renders) for the supplier to print or keep."""
    f = summary.form
    L = ENTITY_LABELS
    dep = divipola().departamento(f.departamento_codigo)
    mun = divipola().municipio(f.municipio_codigo)
    nit = f"{f.nit}-{summary.dv}" if f.nit and summary.dv else f.nit

    def si_no(value: bool | None) -> str:
        return "" if value is None else ("Sí" if value else "No")

    identificacion = _rows([
        (L["nombre"], f.nombre), (L["nombre_abreviado"], f.nombre_abreviado), (L["nit"], nit),
        (L["pais"], f.pais), (L["tipo"], f.tipo), (L["area"], f.area), (L["tipo_organizacion"], f.tipo_organizacion),
    ])
    general = _rows([
        (L["mipyme"], si_no(f.mipyme)), (L["regimen_tributario"], f.regimen_tributario),
        (L["obligado_contabilidad"], si_no(f.obligado_contabilidad)),
    ])
    contactos = _rows([
        (L["departamento_codigo"], _proper(dep.nombre) if dep else ""),
        (L["municipio_codigo"], _proper(mun.nombre) if mun else ""),
        (L["direccion"], f.direccion), (L["codigo_postal"], f.codigo_postal),
        (L["correo_oficina"], f.correo_oficina), (L["telefono_oficina"], f.telefono_oficina),
        (L["fax_oficina"], f.fax_oficina), (L["pagina_web"], f.pagina_web),
        (L["correo_notificaciones"], f.correo_notificaciones),
        (L["link_facebook"], f.link_facebook), (L["link_linkedin"], f.link_linkedin),
        (L["link_youtube"], f.link_youtube), (L["link_twitter"], f.link_twitter),
    ])
    financiera = _table(
        list(FINANCIAL_LABELS.values()),
        [[str(r.anio), r.anio_fiscal] + [format_money(getattr(r, k)) for k in list(FINANCIAL_LABELS)[2:]]
         for r in f.financials],
        "No existen resultados que cumplan con los criterios de búsqueda especificados",
        style="font-size: 8pt", column_styles={i: "white-space: nowrap" for i in range(9)},
    )
    banco = _rows([
        (L["banco_nombre"], f.banco_nombre), (L["banco_numero_cuenta"], f.banco_numero_cuenta),
        (L["banco_tipo_cuenta"], f.banco_tipo_cuenta),
    ])
    representante = _rows([
        ("Nombre", f.representante_nombre), ("Tipo de documento", f.representante_tipo_documento),
        ("Número de documento", f.representante_numero_documento), ("Correo electrónico", f.representante_correo),
        ("Teléfono", f.representante_telefono),
    ])
    documentos = _table(
        ["Documento", "Nombre del documento", "Tamaño", "Anexado", "SHA-256"],
        [[d.documento, d.nombre, format_size(d.tamano), format_fecha(d.anexado_en), d.sha256]
         for d in summary.documentos],
        "No hay documentos anexados.",
        column_styles={4: "font-family: monospace; font-size: 7pt"},
    )
    usuarios = _table(
        ["Nombre", "Correo electrónico", "Rol", "Acceso a la cuenta"],
        [[u.nombre, u.correo, u.rol, u.acceso] for u in summary.usuarios],
        "La cuenta no tiene usuarios.",
    )
    estado = _rows([
        ("Estado del registro", summary.estado),
        ("Fecha de registro", format_fecha(summary.creado_en)),
        ("Última modificación", format_fecha(summary.actualizado_en)),
    ])
    mesa = "<br>".join(escape(line) for line in MESA_DE_SERVICIO.splitlines())
    return (
        "<html><head><meta charset='utf-8'><title>Resumen del registro</title></head>"
        "<body style='font-family: sans-serif; font-size: 10pt'>"
        f"<h1>Resumen del registro en SECOP II</h1><h2>{escape(f.nombre)}</h2>"
        f"<h3>Estado</h3><table width='100%'>{estado}</table>"
        f"<h3>Identificación de la Entidad</h3><table width='100%'>{identificacion}</table>"
        f"<h3>Información General</h3><table width='100%'>{general}</table>"
        f"<h3>Contactos</h3><table width='100%'>{contactos}</table>"
        f"<h3>Información Financiera</h3>{financiera}<table width='100%'>{banco}</table>"
        f"<h3>Representante legal</h3><table width='100%'>{representante}</table>"
        f"<h3>Anexar documentos</h3>{documentos}"
        "<p>El SHA-256 identifica cada documento: si una copia da otro valor, no es el documento anexado.</p>"
        f"<h3>Usuarios de la cuenta</h3>{usuarios}"
        f"<hr><p><small>Generado el {escape(format_fecha(summary.generado_en))} con secop-desktop "
        f"{escape(__version__)}.<br>{mesa}</small></p>"
        "</body></html>"
    )

