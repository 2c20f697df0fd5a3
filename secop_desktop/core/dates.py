"""Dates as the guide shows them, e.g. '15 días de tiempo transcurrido (23/01/2017 03:41:30 PM(UTC-05:00) Bogotá, Lima, Quito)'."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from secop_desktop.vocab import ZONA_HORARIA_BOGOTA, ZONA_IANA


def _zone(zona: str) -> ZoneInfo:
    return ZoneInfo(ZONA_IANA.get(zona, "America/Bogota"))


def format_fecha(moment: datetime, zona: str = ZONA_HORARIA_BOGOTA, *, compact: bool = False) -> str:
    """'23/01/2017 03:41:30 PM (UTC-05:00) Bogotá, Lima, Quito'; compact drops the space before the zone."""
    local = moment.astimezone(_zone(zona))
    separator = "" if compact else " "
    return f"{local:%d/%m/%Y %I:%M:%S} {'AM' if local.hour < 12 else 'PM'}{separator}{zona}"


def _plural(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def elapsed_words(then: datetime, now: datetime) -> str:
    """Largest whole unit of the time between then and now: minutos, horas, días, meses, años."""
    seconds = max(0, int((now - then).total_seconds()))
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if hours < 1:
        return _plural(minutes, "minuto", "minutos")
    if days < 1:
        return _plural(hours, "hora", "horas")
    if days < 30:
        return _plural(days, "día", "días")
    if days < 365:
        return _plural(days // 30, "mes", "meses")
    return _plural(days // 365, "año", "años")


def format_elapsed(then: datetime, now: datetime, zona: str = ZONA_HORARIA_BOGOTA) -> str:
    return f"{elapsed_words(then, now)} de tiempo transcurrido ({format_fecha(then, zona, compact=True)})"


def hace(then: datetime, now: datetime) -> str:
    """'hace un momento', 'hace 1 minuto', 'hace 5 minutos', 'hace 2 horas', 'hace 3 días' (never 'hace 0 minutos')."""
    if (now - then).total_seconds() < 60:
        return "hace un momento"
    return f"hace {elapsed_words(then, now)}"
