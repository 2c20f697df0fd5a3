"""argon2id hashing for passwords and security answers (OWASP/ASVS parameters)."""

from __future__ import annotations

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# OWASP Password Storage Cheat Sheet, referenced by ASVS 5.0: argon2id, m=19 MiB, t=2, p=1.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_secret(secret: str) -> str:
    return _HASHER.hash(secret)


def verify_secret(stored_hash: str, secret: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def normalize_answer(answer: str) -> str:
    """Security answers match regardless of case, accents and spacing."""
    decomposed = unicodedata.normalize("NFKD", answer.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.split())


# --- strength (ASVS 5.0 V6.2) --------------------------------------------------------------------
# zxcvbn ships its own lists (common and breached passwords, English words, names, keyboard walks);
# a score under 2 is "too guessable" (fewer than about 10^6 guesses).
MIN_SCORE = 2
MIN_PERSONAL_PART = 4
TOO_COMMON = "Esta contraseña es muy común o fácil de adivinar. Elija otra, por ejemplo una frase con números."
PERSONAL = "La contraseña no puede contener su usuario, su nombre, su correo ni el nombre de la entidad."


def _folded(text: str) -> str:
    """Lower case without accents or separators: «Víctor_2018» and «victor2018» are the same to a guesser."""
    return "".join(c for c in normalize_answer(text) if c.isalnum())


def personal_parts(*values: str) -> list[str]:
    """The words of the user's own data long enough to matter (username, name, e-mail, entity)."""
    parts: set[str] = set()
    for value in values:
        if not value:
            continue
        whole = _folded(value.split("@")[0])
        if len(whole) >= MIN_PERSONAL_PART:
            parts.add(whole)
        for word in unicodedata.normalize("NFKC", value).replace("@", " ").replace(".", " ").replace("_", " ").split():
            folded = _folded(word)
            if len(folded) >= MIN_PERSONAL_PART and not folded.isdigit():
                parts.add(folded)
    return sorted(parts)


def weakness(password: str, *personal: str) -> str | None:
    """Why a password that passes the guide's rule is still refused, or None."""
    from zxcvbn import zxcvbn  # imported here: loading its dictionaries takes a moment

    folded = _folded(password)
    parts = personal_parts(*personal)
    if any(part in folded for part in parts):
        return PERSONAL
    # zxcvbn refuses inputs over 72 characters; a passphrase that long is not what it is looking for.
    if zxcvbn(password[:72], user_inputs=parts)["score"] < MIN_SCORE:
        return TOO_COMMON
    return None
