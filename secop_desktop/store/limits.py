"""Field limits read from the model columns: the one source the validators and the store share.

A validator asks `max_length("users", "nombre")` or `money_limit("financial_rows", "patrimonio")`
instead of repeating a number, so a value it accepts is a value both backends store. The same
rules run once more just before every flush (`refuse_unstorable_values`): whatever reaches the
store without a validator is refused with a Spanish message naming the field, the same way on
SQLite (which would store anything) and on PostgreSQL (which would raise DataError).
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, Numeric, String, event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator, TypeEngine

from secop_desktop import errors
from secop_desktop.errors import FieldError, ValidationError

NOT_ALLOWED = errors.NOT_ALLOWED
TOO_MANY_DECIMALS = "Use como máximo {scale} decimales."
OUT_OF_RANGE = "El número está fuera del rango permitido."

INT32 = 2**31 - 1
INT64 = 2**63 - 1


def too_long(limit: int) -> str:
    return f"Escriba como máximo {limit} caracteres."


def money_too_large(limit: Decimal) -> str:
    shown = f"{limit:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"El valor debe estar entre -{shown} y {shown}."


def column(table: str, name: str) -> Column[Any]:
    from secop_desktop.store.models import Base

    return Base.metadata.tables[table].columns[name]


def table_columns(table: str) -> dict[str, Column[Any]]:
    from secop_desktop.store.models import Base

    return dict(Base.metadata.tables[table].columns.items())


def _base_type(type_: TypeEngine[Any]) -> TypeEngine[Any]:
    return type_.impl_instance if isinstance(type_, TypeDecorator) else type_


def max_length(table: str, name: str) -> int:
    """The most characters the column stores (VARCHAR(n) on PostgreSQL; SQLite would take more)."""
    type_ = _base_type(column(table, name).type)
    if not isinstance(type_, String) or type_.length is None:
        raise ValueError(f"{table}.{name} has no length limit")
    return int(type_.length)


def money_limit(table: str, name: str) -> tuple[Decimal, int]:
    """(largest absolute value, decimals) of a NUMERIC(p, s) column: 10^(p-s) - 10^-s and s."""
    type_ = _base_type(column(table, name).type)
    if not isinstance(type_, Numeric) or type_.precision is None:
        raise ValueError(f"{table}.{name} is not a NUMERIC column")
    scale = int(type_.scale or 0)
    step = Decimal(1).scaleb(-scale)
    return Decimal(10) ** (type_.precision - scale) - step, scale


def integer_range(table: str, name: str) -> tuple[int, int]:
    type_ = _base_type(column(table, name).type)
    top = INT64 if isinstance(type_, BigInteger) else INT32
    return -top - 1, top


def has_unstorable_characters(text: str) -> bool:
    """NUL (PostgreSQL refuses it in text) and lone surrogates (not encodable as UTF-8)."""
    return "\x00" in text or any(unicodedata.category(c) == "Cs" for c in text)


def problem(col: Column[Any], value: Any) -> str | None:
    """The Spanish reason why this column cannot store value on both backends, or None."""
    if value is None:
        return None
    type_ = _base_type(col.type)
    if isinstance(value, str) and isinstance(type_, String):
        if has_unstorable_characters(value):
            return NOT_ALLOWED
        if type_.length is not None and len(value) > type_.length:
            return too_long(type_.length)
    elif isinstance(value, Decimal) and isinstance(type_, Numeric) and type_.precision is not None:
        if not value.is_finite():
            return OUT_OF_RANGE
        limit, scale = money_limit(col.table.name, col.name)
        if value != value.quantize(Decimal(1).scaleb(-scale)):
            return TOO_MANY_DECIMALS.format(scale=scale)
        if abs(value) > limit:
            return money_too_large(limit)
    elif isinstance(value, int) and not isinstance(value, bool) and isinstance(type_, Integer):
        low, high = integer_range(col.table.name, col.name)
        if not low <= value <= high:
            return OUT_OF_RANGE
    return None


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _check(obj: Any, changed_only: bool) -> list[FieldError]:
    state = inspect(obj)
    errors: list[FieldError] = []
    for attr in state.mapper.column_attrs:
        if len(attr.columns) != 1 or attr.key not in state.dict:
            continue
        if changed_only and not state.attrs[attr.key].history.has_changes():
            continue
        col = attr.columns[0]
        message = problem(col, state.dict[attr.key])
        if message is not None:
            errors.append(FieldError(attr.key, _label(attr.key), message))
    return errors


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    errors: list[FieldError] = []
    for obj in session.new:
        errors.extend(_check(obj, changed_only=False))
    for obj in session.dirty:
        errors.extend(_check(obj, changed_only=True))
    if errors:
        raise ValidationError(errors)


def refuse_unstorable_values() -> None:
    """Every ORM flush refuses, in Spanish, a value one of the two backends could not store."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
