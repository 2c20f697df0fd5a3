"""Is this probably a supplier that already has an Entity? Name normalising and the decision.

Two entities are the same supplier when they have the same canonical NIT, or the same name
once accents, case, punctuation, "&"/"y" and the Colombian legal form are normalised
("Ferretería Andina S.A.S." = "FERRETERIA ANDINA SAS" = "Ferreteria Andina Sociedad por
Acciones Simplificada"), or a name close to it by trigram similarity (a typo, a missing word)
in the same city. Word order is kept: "Andina Ferretería" is a different name from
"Ferretería Andina". Qt-free and database-free; the service ranks store candidates with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from secop_desktop import nit as nits
from secop_desktop.core.text import fold

# Tuned on tests/data/duplicate_pairs.csv: typos and dropped words score above it, different
# suppliers sharing most words (another branch, another product line) below it.
THRESHOLD = 0.75

# Legal forms, folded and without punctuation, as word sequences; longest first so that
# "sociedad por acciones simplificada" is folded before any shorter form inside it.
_LEGAL_FORMS: tuple[tuple[str, ...], ...] = tuple(sorted((tuple(f.split()) for f in (
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


def _words(folded: str) -> list[str]:
    text = folded.replace("&", " y ")
    return [w for w in re.split(r"[^0-9a-z]+", text) if w]


def _strip_legal_forms(words: list[str]) -> list[str]:
    """Remove legal-form word sequences wherever they stand (usually at the end)."""
    out: list[str] = []
    i = 0
    while i < len(words):
        for form in _LEGAL_FORMS:
            n = len(form)
            if tuple(words[i:i + n]) == form and (n > 1 or i > 0):  # a lone first word stays
                i += n
                break
        else:
            out.append(words[i])
            i += 1
    return out


def normalise(name: str) -> str:
    """One form per supplier name: folded, punctuation out, '&' as 'y', legal forms out."""
    words = _words(fold(name))
    # Dotted initials ("s. a. s.") became single letters: joined back only through the form table.
    core = _strip_legal_forms(words)
    if not core:  # a name that is nothing but a legal form keeps its words
        core = words
    while core and core[-1] == "y":  # "Pérez y Cía." -> "perez"
        core = core[:-1]
    return " ".join(core or words)


def trigrams(normalised: str) -> set[str]:
    """pg_trgm-like trigrams: each word padded with two blanks before and one after."""
    grams: set[str] = set()
    for word in normalised.split():
        padded = f"  {word} "
        grams.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return grams


def _jaccard(ta: set[str], tb: set[str]) -> float:
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def similarity(a: str, b: str) -> float:
    """How alike two normalised names are, 0 to 1: the words' trigram similarities summed
    along the best in-order alignment of the two names, each word weighted by its trigram count, over the larger total.

    A typo keeps its word aligned with a high score, a replaced or extra word adds nothing,
    and the same words in another order ("andina ferreteria") cannot all be aligned.
    """
    if a == b:
        return 1.0
    wa, wb = [trigrams(w) for w in a.split()], [trigrams(w) for w in b.split()]
    if not wa or not wb:
        return 0.0
    prev = [0.0] * (len(wb) + 1)
    for x in wa:
        row = [0.0]
        for j, y in enumerate(wb):
            weight = (len(x) + len(y)) / 2  # long words weigh more than "de", "la", "y"
            row.append(max(prev[j + 1], row[j], prev[j] + weight * _jaccard(x, y)))
        prev = row
    return prev[-1] / max(sum(map(len, wa)), sum(map(len, wb)))


@dataclass(frozen=True)
class Candidate:
    nombre: str
    nit: str = ""
    ciudad: str = ""


@dataclass(frozen=True)
class Match:
    score: float
    reason: str  # "nit", "nombre" or "parecido"


def _same_city(a: str, b: str) -> bool:
    """Unknown on either side, or one name within the other ("Bogotá" and "BOGOTÁ, D.C.")."""
    wa, wb = set(_words(fold(a))), set(_words(fold(b)))
    return not wa or not wb or wa <= wb or wb <= wa


def compare(a: Candidate, b: Candidate, threshold: float = THRESHOLD) -> Match | None:
    """Why a and b are probably the same supplier, or None when they are probably not."""
    nit_a, nit_b = nits.canonical(a.nit), nits.canonical(b.nit)
    if nit_a and nit_a == nit_b:
        return Match(1.0, "nit")
    if nit_a and nit_b:  # two different NITs are two taxpayers, whatever their names
        return None
    if not _same_city(a.ciudad, b.ciudad):  # the same words in another city: another supplier
        return None
    na, nb = normalise(a.nombre), normalise(b.nombre)
    if not na or not nb:
        return None
    if na == nb:
        return Match(1.0, "nombre")
    score = similarity(na, nb)
    # Strictly above: "F&F asociados" and "H&H Asociados" (the guide's two suppliers) score exactly 0.75.
    return Match(score, "parecido") if score > threshold else None


def same_supplier(a: Candidate, b: Candidate, threshold: float = THRESHOLD) -> bool:
    return compare(a, b, threshold) is not None
