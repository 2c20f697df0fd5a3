"""A supplier name's one normalised form, below core and store (like nit.py).

Both need it: core's duplicate check compares names in this form, and the store keeps it in
entities.nombre_normalizado (migration 0007) so that the check finds candidates by index instead
of reading every similar name; the migration computes it for rows written before.
"""

from __future__ import annotations

import re
import unicodedata

# Legal forms, folded and without punctuation, as word sequences; longest first so that
# "sociedad por acciones simplificada" is folded before any shorter form inside it.
LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(sorted((tuple(f.split()) for f in (
    "sociedad por acciones simplificada", "s a s", "sas",
    "sociedad anonima", "s a", "sa",
    "sociedad limitada", "limitada", "ltda", "ltd",
    "sociedad en comandita simple", "sociedad en comandita por acciones", "sociedad en comandita",
    "s en c s", "s en c a", "s en c", "s c s", "s c a", "scs", "sca",
    "empresa unipersonal", "e u", "eu",
    "empresa de servicios publicos", "empresas de servicios publicos", "e s p", "esp",
    "sociedad de economia mixta", "s e m", "sem",
    "entidad sin animo de lucro", "esal",
    "cooperativa multiactiva", "cooperativa",
    "y compania", "y cia", "cia",
    "sucursal colombia", "sucursal en colombia",
    "zona franca", "zf", "bic",
)), key=len, reverse=True))


def fold(text: str) -> str:
    """Accent- and case-insensitive form: 'Bogotá  D.C.' -> 'bogota d.c.' (core.text re-exports it)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def words(folded: str) -> list[str]:
    text = folded.replace("&", " y ")
    return [w for w in re.split(r"[^0-9a-z]+", text) if w]


def strip_legal_forms(name_words: list[str]) -> list[str]:
    """Remove legal-form word sequences wherever they stand (usually at the end)."""
    out: list[str] = []
    i = 0
    while i < len(name_words):
        for form in LEGAL_FORMS:
            n = len(form)
            if tuple(name_words[i:i + n]) == form and (n > 1 or i > 0):  # a lone first word stays
                i += n
                break
        else:
            out.append(name_words[i])
            i += 1
    return out


def normalise(name: str) -> str:
    """One form per supplier name: folded, punctuation out, '&' as 'y', legal forms out."""
    all_words = words(fold(name))
    # Dotted initials ("s. a. s.") became single letters: joined back only through the form table.
    core = strip_legal_forms(all_words)
    if not core:  # a name that is nothing but a legal form keeps its words
        core = all_words
    while core and core[-1] == "y":  # "Pérez y Cía." -> "perez"
        core = core[:-1]
    return " ".join(core or all_words)
