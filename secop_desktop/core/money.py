"""Money in es-CO format ('1.234.567,89'), parsed and shown with babel."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from secop_desktop.store import limits

LOCALE = "es_CO"
# The largest amount the money columns store (NUMERIC(20, 2): 999.999.999.999.999.999,99).
MAX_ABS, DECIMALS = limits.money_limit("financial_rows", "patrimonio")


class MoneyError(ValueError):
    pass


def parse_money(text: str) -> Decimal | None:
    """Empty means 'no value'; anything else must be an es-CO number with at most 2 decimals."""
    cleaned = text.strip().replace("$", "").replace("\u00a0", "").replace(" ", "")
    if not cleaned:
        return None
    if len(cleaned) > 64:  # far longer than the largest amount, even with its dots
        raise MoneyError("El valor es demasiado grande.")
    try:
        value = parse_decimal(cleaned, locale=LOCALE, strict=True)
    except (NumberFormatError, InvalidOperation, ValueError) as exc:
        raise MoneyError("Escriba un valor en pesos, por ejemplo 1.234.567,89.") from exc
    if not value.is_finite() or abs(value) > MAX_ABS:
        raise MoneyError("El valor es demasiado grande.")
    step = Decimal(1).scaleb(-DECIMALS)
    if value != value.quantize(step):
        raise MoneyError("Use como máximo dos decimales.")
    return value.quantize(step)


def format_money(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.00", locale=LOCALE)
