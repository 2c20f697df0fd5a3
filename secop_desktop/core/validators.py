"""Field rules of the guide; each returns a Spanish message, or None when the value is fine."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from secop_desktop import nit as nits
from secop_desktop.errors import FieldError
from secop_desktop.store import limits

MAX_TEXT = 300
USUARIO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,59}$")
URL_RE = re.compile(r"^(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
CODIGO_POSTAL_RE = re.compile(r"^\d{6}$")
DIGITS_RE = re.compile(r"^\d+$")

REQUIRED = "Este campo es obligatorio."


def has_control_chars(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t" for c in text)


def field_max(table: str, column: str) -> int:
    """The most characters the model column stores: validators take their limits from here."""
    return limits.max_length(table, column)


def check_text(value: str, *, required: bool = True, max_length: int = MAX_TEXT,
               column: tuple[str, str] | None = None) -> str | None:
    """column=("users", "nombre") takes the limit from that model column instead of max_length."""
    if column is not None:
        max_length = min(max_length, field_max(*column))
    if not value.strip():
        return REQUIRED if required else None
    if len(value) > max_length:
        return limits.too_long(max_length)
    if has_control_chars(value):
        return limits.NOT_ALLOWED
    return None


def check_money(value: Decimal | None, table: str = "financial_rows", column: str = "patrimonio") -> str | None:
    """A money value the NUMERIC(p, s) column stores: at most s decimals, below 10^(p-s)."""
    if value is None:
        return None
    return limits.problem(limits.column(table, column), value)


def check_columns(table: str, values: Mapping[str, object], labels: Mapping[str, str],
                  skip: set[str] | frozenset[str] = frozenset()) -> list[FieldError]:
    """Every value its model column could not store (too long, too large, NUL...), with the column's own limit.

    The net under the field rules: a form's validator calls it last, so nothing it accepts can be
    refused by either database.
    """
    table_columns = limits.table_columns(table)
    errors: list[FieldError] = []
    for name, value in values.items():
        col = table_columns.get(name)
        if col is None or name in skip:
            continue
        if isinstance(value, str):
            value = value.strip()
        if (message := limits.problem(col, value)) is not None:
            errors.append(FieldError(name, labels.get(name, name), message))
    return errors


def normalize_email(value: str) -> str:
    return validate_email(value.strip(), check_deliverability=False).normalized


def check_email(value: str, *, required: bool = True) -> str | None:
    if not value.strip():
        return REQUIRED if required else None
    if len(value) > 320 or has_control_chars(value):
        return "Escriba un correo electrónico válido, por ejemplo nombre@empresa.com.co."
    try:
        validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError:
        return "Escriba un correo electrónico válido, por ejemplo nombre@empresa.com.co."
    return None


def check_password(password: str, confirmation: str | None = None) -> str | None:
    if not password:
        return REQUIRED
    if len(password) < 8:
        return "La contraseña debe tener por lo menos 8 caracteres."
    if len(password) > 128:
        return "La contraseña debe tener como máximo 128 caracteres."
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return "La contraseña debe incluir letras y números."
    return None


def password_rules(password: str) -> list[tuple[str, bool]]:
    """The rules shown live beside the field, each with whether it is met."""
    return [
        ("Por lo menos 8 caracteres", len(password) >= 8),
        ("Incluye letras", any(c.isalpha() for c in password)),
        ("Incluye números", any(c.isdigit() for c in password)),
    ]


def check_usuario(value: str) -> str | None:
    if not value.strip():
        return REQUIRED
    if not USUARIO_RE.match(value.strip()):
        return ("El usuario debe tener entre 3 y 60 caracteres: letras sin tildes, números, "
                "punto, guion o guion bajo, y empezar por letra o número.")
    return None


def normalize_usuario(value: str) -> str:
    """The form usernames are compared in; '' (which no user has) for text that cannot be one."""
    if len(value) > 4 * field_max("users", "usuario_normalizado") or has_control_chars(value):
        return ""
    normalized = unicodedata.normalize("NFKC", value.strip()).casefold()
    return normalized if len(normalized) <= field_max("users", "usuario_normalizado") else ""


def parse_phone(value: str, region: str | None = "CO") -> phonenumbers.PhoneNumber | None:
    if has_control_chars(value) or len(value) > 40:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


# The app's País names (vocab.PAISES) -> ISO 3166 regions, for reading phone numbers of that country.
PAIS_REGION: dict[str, str] = {
    "COLOMBIA": "CO", "ARGENTINA": "AR", "BOLIVIA": "BO", "BRASIL": "BR", "CANADÁ": "CA", "CHILE": "CL",
    "COSTA RICA": "CR", "ECUADOR": "EC", "ESPAÑA": "ES", "ESTADOS UNIDOS": "US", "FRANCIA": "FR",
    "GUATEMALA": "GT", "MÉXICO": "MX", "PANAMÁ": "PA", "PERÚ": "PE", "REINO UNIDO": "GB", "URUGUAY": "UY",
    "VENEZUELA": "VE",
}
COLOMBIAN_MOBILE = "Escriba un número de celular de Colombia (10 dígitos que empiezan por 3), por ejemplo 310 2585654."
INTERNATIONAL = "Escriba un número de celular válido con su indicativo internacional, por ejemplo +34 612 345 678."


def region_of(pais: str) -> str | None:
    """The ISO region of one of the app's Países; None when the app does not know it."""
    return PAIS_REGION.get(pais.strip().upper())


def _in_region(value: str, region: str | None) -> phonenumbers.PhoneNumber | None:
    """A valid number of `region` (typed with or without its +indicativo); any country when region is None."""
    number = parse_phone(value, region)
    if number is None:
        return None
    if region is not None and phonenumbers.region_code_for_number(number) != region:
        return None
    return number


def check_mobile(value: str, pais: str = "COLOMBIA") -> str | None:
    """The mobile of a user from `pais`: in Colombia a Colombian mobile (3xx xxx xxxx, +57 optional);
    elsewhere a valid number of that country; any valid international number for a País without region."""
    if not value.strip():
        return REQUIRED
    region = region_of(pais)
    number = _in_region(value, region)
    if region == "CO":
        if number is None or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
            return COLOMBIAN_MOBILE
        return None
    if number is None:
        if region is None:
            return INTERNATIONAL
        code = phonenumbers.country_code_for_region(region)
        return f"Escriba un número de celular válido de {pais.strip().title()}, con o sin su indicativo +{code}."
    return None


def check_phone(value: str, *, required: bool = True) -> str | None:
    if not value.strip():
        return REQUIRED if required else None
    if parse_phone(value) is None:
        return "Escriba un número de teléfono válido, con indicativo si es de otro país."
    return None


def format_phone(value: str, pais: str = "COLOMBIA") -> str:
    number = parse_phone(value, region_of(pais))
    if number is None:
        return value.strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def compact_nit(value: str) -> str:
    """The canonical NIT (secop_desktop.nit): what is stored, searched and compared."""
    return nits.canonical(value)


def check_nit(value: str, *, required: bool = True) -> str | None:
    """The NIT is typed without its check digit (DV); the DV is computed."""
    raw = value.strip()
    if not raw:
        return REQUIRED if required else None
    if len(raw) > nits.MAX_INPUT:
        return "El NIT debe tener entre 5 y 15 dígitos."
    if "-" in raw:
        return "Escriba el NIT sin el dígito de verificación (sin guion)."
    parsed = nits.parse(raw)
    if parsed is None or parsed.dv is not None:
        return "El NIT solo puede tener números."
    if parsed.numero == "0":
        return "El NIT no puede ser cero."
    if not 5 <= len(parsed.numero) <= 15:
        return "El NIT debe tener entre 5 y 15 dígitos."
    return None


def nit_check_digit(value: str) -> str:
    return nits.check_digit(value)


def check_url(value: str, *, required: bool = False) -> str | None:
    if not value.strip():
        return REQUIRED if required else None
    if len(value) > MAX_TEXT or not URL_RE.match(value.strip()):
        return "Escriba una dirección web válida, por ejemplo https://www.empresa.com.co."
    return None


def check_codigo_postal(value: str, departamento_codigo: str | None) -> str | None:
    if not value.strip():
        return REQUIRED
    if not CODIGO_POSTAL_RE.match(value.strip()):
        return "El código postal colombiano tiene 6 dígitos."
    if departamento_codigo and not value.strip().startswith(departamento_codigo):
        return f"El código postal de este departamento empieza por {departamento_codigo}."
    return None
