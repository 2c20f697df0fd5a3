"""The NIT's one canonical form: ASCII digits, no leading zeros, the check digit (DV) apart.

Below core and store (like vocab), because both need it: core before storing, searching and
comparing, the store's NIT column type for every comparison, and the migration that
canonicalises rows written before. Typed variants (dots, spaces, full-width or Arabic-Indic
digits, a trailing '-DV') all reduce to the same digits, so the unique constraint on
(pais, nit) really means one Entity per NIT.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# What people type between groups of digits: dots, commas, blanks of every width, apostrophes.
_SEPARATORS = frozenset(".,'’ \t\u00a0\u2007\u202f\u3000")
_HYPHENS = frozenset("-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d")
# Invisible marks that come with copied text (bidi marks, zero-width characters, BOM).
_INVISIBLE = frozenset("\u200b\u200c\u200d\u200e\u200f\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\ufeff")
# Far above any real NIT (15 digits): longer input is not a NIT and is not read further.
MAX_INPUT = 64


@dataclass(frozen=True)
class ParsedNit:
    numero: str  # canonical: ASCII digits without leading zeros ("0" for all zeros)
    dv: str | None  # the check digit typed after a hyphen, if any


def _digit(c: str) -> str | None:
    try:
        return str(unicodedata.decimal(c))  # decimal digits of any script; not ² or ①
    except (TypeError, ValueError):
        return None


def parse(value: str) -> ParsedNit | None:
    """The NIT in `value` ('0800.111.202-9', '８００１１１２０２', '٨٠٠١١١٢٠٢'), or None if it is not one."""
    if not value or len(value) > MAX_INPUT:
        return None
    parts: list[list[str]] = [[]]
    for c in value:
        if c in _SEPARATORS or c in _INVISIBLE:
            continue
        if c in _HYPHENS:
            parts.append([])
            continue
        d = _digit(c)
        if d is None:
            return None
        parts[-1].append(d)
    if len(parts) > 2 or not parts[0] or (len(parts) == 2 and len(parts[1]) != 1):
        return None
    numero = "".join(parts[0]).lstrip("0") or "0"
    return ParsedNit(numero, parts[1][0] if len(parts) == 2 else None)


def canonical(value: str | None) -> str:
    """The canonical digits of a NIT, or '' when `value` is not a NIT."""
    parsed = parse(value or "")
    return parsed.numero if parsed else ""


def check_digit(numero: str) -> str:
    """The DIAN check digit (DV) of a NIT (weights 3, 7, 13, ... from the right, modulo 11)."""
    weights = (3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71)
    digits = canonical(numero)
    total = sum(int(d) * w for d, w in zip(reversed(digits), weights, strict=False))
    rest = total % 11
    return str(rest if rest < 2 else 11 - rest)


@dataclass(frozen=True)
class GluedDv:
    """A NIT typed with its check digit glued on: '8001112021' for 800111202-1."""

    numero: str
    dv: str

    @property
    def pregunta(self) -> str:
        return f"¿El último dígito ({self.dv}) es el dígito de verificación? NIT {self.numero}, DV {self.dv}"


def glued_check_digit(value: str) -> GluedDv | None:
    """The NIT and DV when the last digit typed is the DV of the digits before it, else None.

    One NIT in eleven ends in the DV of its other digits by chance, so this is a question to ask
    the person, never a correction to make on their behalf.
    """
    parsed = parse(value)
    if parsed is None or parsed.dv is not None:
        return None
    digits = parsed.numero
    numero, dv = digits[:-1].lstrip("0"), digits[-1]
    if not 5 <= len(numero) <= 15:  # what is left must still be a NIT (check_nit's 5 to 15 digits)
        return None
    return GluedDv(numero, dv) if check_digit(numero) == dv else None
