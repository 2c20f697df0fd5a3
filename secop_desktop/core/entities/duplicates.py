"""Is this probably a supplier that already has an Entity? Name normalising and the decision.

Two entities are the same supplier when they have the same canonical NIT, or the same name
once accents, case, punctuation, "&"/"y" and the Colombian legal form are normalised
("Ferretería Andina S.A.S." = "FERRETERIA ANDINA SAS" = "Ferreteria Andina Sociedad por
Acciones Simplificada"), or a name close to it by trigram similarity (a typo, a missing word)
in the same city. Word order is kept: "Andina Ferretería" is a different name from
"Ferretería Andina". Qt-free and database-free; the service ranks store candidates with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from secop_desktop import names
from secop_desktop import nit as nits
from secop_desktop.core.text import fold

# Tuned on tests/data/duplicate_pairs.csv: typos and dropped words score above it, different
# suppliers sharing most words (another branch, another product line) below it.
THRESHOLD = 0.75

_words = names.words
normalise = names.normalise


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
