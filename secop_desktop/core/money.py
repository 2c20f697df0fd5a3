"""Money in es-CO format ('1.234.567,89'), parsed and shown with babel."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

LOCALE = "es_CO"
MAX_ABS = Decimal("1e18")


class MoneyError(ValueError):
    pass


def parse_money(text: str) -> Decimal | None:
    """Empty means 'no value'; anything else must be an es-CO number with at most 2 decimals."""
    cleaned = text.strip().replace("$", "").replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    try:
        value = parse_decimal(cleaned, locale=LOCALE, strict=True)
    except (NumberFormatError, InvalidOperation, ValueError) as exc:
        raise MoneyError("Escriba un valor en pesos, por ejemplo 1.234.567,89.") from exc
    if not value.is_finite() or abs(value) >= MAX_ABS:
        raise MoneyError("El valor es demasiado grande.")
    if value != value.quantize(Decimal("0.01")):
        raise MoneyError("Use como máximo dos decimales.")
    return value.quantize(Decimal("0.01"))


def format_money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00", locale=LOCALE)
