"""Text normalisation shared by search and uniqueness rules, and the cleaning of typed input."""

from __future__ import annotations

import unicodedata

from secop_desktop import errors
from secop_desktop.errors import InvalidValue

# One accent- and case-insensitive form for core and store alike ('Bogotá  D.C.' -> 'bogota d.c.').
from secop_desktop.names import fold

__all__ = ["fold", "has_forbidden", "search_needle", "SEARCH_MAX", "NOT_ALLOWED", "SEARCH_NOT_ALLOWED"]

# Longer than any name a person searches for (entity names have at most 300 characters, and a
# few words of one find it); past it a search only costs time.
SEARCH_MAX = 200
NOT_ALLOWED = errors.NOT_ALLOWED
SEARCH_NOT_ALLOWED = "La búsqueda contiene caracteres no permitidos."


def has_forbidden(text: str) -> bool:
    """NUL, lone surrogates (argv that was not UTF-8) and other control characters except blanks."""
    return any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n\r" for c in text)


def search_needle(text: str, max_length: int = SEARCH_MAX) -> str:
    """What a search box's text is searched as: folded and capped; control characters refused."""
    if has_forbidden(text[: max_length * 4]):
        raise InvalidValue(SEARCH_NOT_ALLOWED)
    return fold(text[: max_length * 4])[:max_length]
