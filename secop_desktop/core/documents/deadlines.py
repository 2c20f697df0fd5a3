"""When the supplier's documents stop serving: Colombian business days and the rules' deadlines.

Pure functions over dates (no clock, no database): the caller passes today.

- RUP: renewed every year "a más tardar el quinto día hábil del mes de abril" or its effects cease
  (Decreto 1082 de 2015, art. 2.2.1.1.1.5.1). A registration or renewal made in a year serves
  until the fifth business day of April of the next year.
- Estados financieros "a 31 de diciembre del año anterior": those of fiscal year F are the ones
  asked during F + 1, and go stale when that year closes.
- Certificado de existencia y representación legal: usually asked no older than 30 days.

Business days are Monday to Friday except Colombian public holidays, taken from the `holidays`
package (Ley 51 de 1983's Monday moves and Semana Santa included), never from a hand-written table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

# Imported by module (not through holidays.country_holidays) so a frozen bundle finds it.
from holidays.countries.colombia import Colombia

RUP_BUSINESS_DAY = 5  # "quinto día hábil"
RUP_MONTH = 4  # "del mes de abril"
CERTIFICATE_MAX_AGE_DAYS = 30


@lru_cache(maxsize=64)
def holidays_of(year: int) -> frozenset[date]:
    """Colombia's public holidays in `year`."""
    return frozenset(Colombia(years=year))


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in holidays_of(day.year)


def add_business_days(day: date, n: int) -> date:
    """The n-th business day after `day` (before it when n is negative); `day` itself for n = 0."""
    step = 1 if n >= 0 else -1
    left = abs(n)
    while left:
        day += timedelta(days=step)
        if is_business_day(day):
            left -= 1
    return day


def nth_business_day(year: int, month: int, n: int) -> date:
    """The n-th business day (1 = the first) of a month."""
    if n < 1:
        raise ValueError("n starts at 1")
    first = date(year, month, 1)
    return first if n == 1 and is_business_day(first) else add_business_days(first - timedelta(days=1), n)


def rup_renewal_deadline(year: int) -> date:
    """The last day to renew the RUP in `year`: the fifth business day of April."""
    return nth_business_day(year, RUP_MONTH, RUP_BUSINESS_DAY)


def rup_valid_until(registered_or_renewed: date) -> date:
    """The last day a RUP registered or renewed on that date is in force without a new renewal."""
    return rup_renewal_deadline(registered_or_renewed.year + 1)


def rup_in_force(registered_or_renewed: date, today: date) -> bool:
    return registered_or_renewed <= today <= rup_valid_until(registered_or_renewed)


def financial_statements_valid_until(fiscal_year: int) -> date:
    """Statements at 31 December of `fiscal_year` serve through the next year and no longer."""
    return date(fiscal_year + 1, 12, 31)


def expected_fiscal_year(today: date) -> int:
    """The year whose statements are asked today ("a 31 de diciembre del año anterior")."""
    return today.year - 1


def financial_statements_stale(fiscal_year: int, today: date) -> bool:
    return today > financial_statements_valid_until(fiscal_year)


def certificate_valid_until(issued: date, max_age_days: int = CERTIFICATE_MAX_AGE_DAYS) -> date:
    """The last day a certificado de existencia issued on `issued` is no older than max_age_days."""
    return issued + timedelta(days=max_age_days)


def certificate_stale(issued: date, today: date, max_age_days: int = CERTIFICATE_MAX_AGE_DAYS) -> bool:
    return today > certificate_valid_until(issued, max_age_days)


@dataclass(frozen=True)
class Deadline:
    """One document's last valid day, and the day to remind about it."""

    tipo: str  # the document slot: "rup", "estados_financieros" or "existencia_representacion"
    vence: date
    recordar: date

    def due(self, today: date) -> bool:
        """Whether the reminder should go out today (or should have: a missed day still reminds)."""
        return self.recordar <= today <= self.vence

    def days_left(self, today: date) -> int:
        return (self.vence - today).days


def remind_on(deadline: date, days_before: int) -> date:
    """The reminder day: `days_before` calendar days before, moved back to a business day."""
    day = deadline - timedelta(days=max(days_before, 0))
    while not is_business_day(day):
        day -= timedelta(days=1)
    return day


def rup_deadline(registered_or_renewed: date, days_before: int = 15) -> Deadline:
    vence = rup_valid_until(registered_or_renewed)
    return Deadline("rup", vence, remind_on(vence, days_before))


def financial_statements_deadline(fiscal_year: int, days_before: int = 15) -> Deadline:
    vence = financial_statements_valid_until(fiscal_year)
    return Deadline("estados_financieros", vence, remind_on(vence, days_before))


def certificate_deadline(issued: date, days_before: int = 5,
                         max_age_days: int = CERTIFICATE_MAX_AGE_DAYS) -> Deadline:
    vence = certificate_valid_until(issued, max_age_days)
    return Deadline("existencia_representacion", vence, remind_on(vence, days_before))


def business_days_left(today: date, deadline: date) -> int:
    """Business days after today up to and including the deadline (0 on the deadline or after it)."""
    left = 0
    day = today
    while day < deadline:
        day += timedelta(days=1)
        if is_business_day(day):
            left += 1
    return left


# -- the validity a document gets when it is attached ---------------------------------------------

# The document slots whose life the rules above set; the others serve until they are replaced.
TIPOS_CON_VIGENCIA = ("rup", "estados_financieros", "existencia_representacion")
DEFAULT_REMINDER_DAYS = 15


def has_validity(tipo: str) -> bool:
    return tipo in TIPOS_CON_VIGENCIA


def default_valid_from(tipo: str, today: date) -> date | None:
    """The usual first day for a document attached today: the RUP renewed and the certificate issued
    about now; the statements cut "a 31 de diciembre del año anterior"."""
    if tipo == "estados_financieros":
        return date(expected_fiscal_year(today), 12, 31)
    if tipo in ("rup", "existencia_representacion"):
        return today
    return None


def default_valid_until(tipo: str, valid_from: date) -> date | None:
    """The last day the rules give a document that serves from valid_from (None: no rule)."""
    if tipo == "rup":
        return rup_valid_until(valid_from)
    if tipo == "estados_financieros":
        return financial_statements_valid_until(valid_from.year)
    if tipo == "existencia_representacion":
        return certificate_valid_until(valid_from)
    return None


def deadline_for(tipo: str, vence: date, days_before: int = DEFAULT_REMINDER_DAYS) -> Deadline:
    """A stored valido_hasta as a Deadline, with its reminder day."""
    return Deadline(tipo, vence, remind_on(vence, days_before))
