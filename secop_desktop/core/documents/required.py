"""Section IV of the guide, "Documentos requeridos para el registro", in the guide's own words.

Shown before the entity form so the user gathers the documents before filling anything; each item
names the document slot of "Anexar documentos" it becomes, so the two lists cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from secop_desktop.core.documents.service import (
    CAPACIDAD,
    ESTADOS_FINANCIEROS,
    EXISTENCIA,
    EXPERIENCIA,
    RUP,
    Slot,
)


@dataclass(frozen=True)
class DocumentoRequerido:
    texto: str  # the guide's words for the item of section IV
    slot: Slot  # the row of "Anexar documentos" where it is attached


TITULO = "Documentos requeridos para el registro"
INTRO = ("Para poder crear la cuenta de Proveedor en el SECOP II, usted debe tener disponibles los "
         "siguientes documentos.")
DOCUMENTOS = (
    DocumentoRequerido("Certificado de existencia y representación legal o su cédula si es persona natural.",
                       EXISTENCIA),
    DocumentoRequerido("Certificado de experiencia.", EXPERIENCIA),
    DocumentoRequerido("Estados financieros auditados a 31 de diciembre del año anterior suscritos por el "
                       "representante legal con notas.", ESTADOS_FINANCIEROS),
    DocumentoRequerido("Certificado capacidad financiera y organizacional.", CAPACIDAD),
    DocumentoRequerido("RUP (Opcional).", RUP),
)
FORMATOS_URL = "https://www.colombiacompra.gov.co/secop/que-es-el-secop-ii/manuales-y-guias-de-uso-del-secop-ii"
FORMATOS_ANTES = ("Puede descargar formatos para el certificado de experiencia e indicadores de capacidad "
                  "financiera y organizacional desde el siguiente link")
FORMATOS_DESPUES = "en la sección «Formatos», «Proveedores»."
CONSTANCIA_NOTA = ("Si usted es una persona natural no obligada a llevar contabilidad puede adjuntar una "
                   "constancia indicando esta situación como equivalente a los estados financieros e "
                   "indicadores de capacidad financiera y organizacional.")


def formatos() -> str:
    """The guide's sentence on the "Formatos", with the address written out."""
    return f"{FORMATOS_ANTES} {FORMATOS_URL} {FORMATOS_DESPUES}"


def texto_plano() -> str:
    """The whole section as plain text (for a screen reader or a printout)."""
    items = "\n".join(f"{n}. {d.texto}" for n, d in enumerate(DOCUMENTOS, start=1))
    return f"{TITULO}\n{INTRO}\n{items}\n{formatos()}\n{CONSTANCIA_NOTA}"


__all__ = ["CONSTANCIA_NOTA", "DOCUMENTOS", "FORMATOS_URL", "INTRO", "TITULO", "DocumentoRequerido",
           "formatos", "texto_plano"]
