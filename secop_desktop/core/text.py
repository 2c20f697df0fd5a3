"""Text normalisation shared by search and uniqueness rules."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Accent- and case-insensitive form: 'Bogotá  D.C.' -> 'bogota d.c.'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
