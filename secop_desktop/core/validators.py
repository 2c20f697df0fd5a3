"""Field rules of the guide; each returns a Spanish message, or None when the value is fine."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.co import nit as co_nit

MAX_TEXT = 300
USUARIO_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,59}$")
URL_RE = re.compile(r"^(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?$", re.IGNORECASE)
CODIGO_POSTAL_RE = re.compile(r"^\d{6}$")
DIGITS_RE = re.compile(r"^\d+$")

REQUIRED = "Este campo es obligatorio."


def has_control_chars(text: str) -> bool:
    return any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\t" for c in text)


def check_text(value: str, *, required: bool = True, max_length: int = MAX_TEXT) -> str | None:
    if not value.strip():
        return REQUIRED if required else None
    if len(value) > max_length:
        return f"Escriba como máximo {max_length} caracteres."
    if has_control_chars(value):
        return "El texto contiene caracteres no permitidos."
    return None


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
    return unicodedata.normalize("NFKC", value.strip()).casefold()


def parse_phone(value: str, region: str = "CO") -> phonenumbers.PhoneNumber | None:
    if has_control_chars(value) or len(value) > 40:
        return None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def check_mobile(value: str) -> str | None:
    if not value.strip():
        return REQUIRED
    number = parse_phone(value)
    mobile_types = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if number is None or phonenumbers.number_type(number) not in mobile_types:
        return "Escriba un número de celular válido, por ejemplo +57 310 2585654."
    return None


def check_phone(value: str, *, required: bool = True) -> str | None:
    if not value.strip():
        return REQUIRED if required else None
    if parse_phone(value) is None:
        return "Escriba un número de teléfono válido, con indicativo si es de otro país."
    return None


def format_phone(value: str) -> str:
    number = parse_phone(value)
    if number is None:
        return value.strip()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def compact_nit(value: str) -> str:
    return co_nit.compact(value) if value else ""


def check_nit(value: str, *, required: bool = True) -> str | None:
    """The NIT is typed without its check digit (DV); the DV is computed."""
    raw = value.strip()
    if not raw:
        return REQUIRED if required else None
    number = re.sub(r"[\s.]", "", raw)
    if "-" in number:
        return "Escriba el NIT sin el dígito de verificación (sin guion)."
    if not DIGITS_RE.match(number):
        return "El NIT solo puede tener números."
    if not 5 <= len(number) <= 15:
        return "El NIT debe tener entre 5 y 15 dígitos."
    if int(number) == 0:
        return "El NIT no puede ser cero."
    return None


def nit_check_digit(value: str) -> str:
    number = re.sub(r"[\s.]", "", value.strip())
    return co_nit.calc_check_digit(number)


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
