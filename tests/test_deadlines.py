"""Document deadlines on Colombian business days: pinned dates, Semana Santa moves included."""

from __future__ import annotations

from datetime import date

import pytest

from secop_desktop.core.documents import deadlines as d
from secop_desktop.core.documents.service import all_slots

# The fifth business day of April, checked by hand against the calendar. Semana Santa's Thursday
# and Friday fall in the first days of April in 2015, 2021 and 2026 and push the deadline to the 9th;
# in 2023 they fall on the 6th and 7th and push it to the 11th.
RUP_DEADLINES = {
    2015: date(2015, 4, 9),
    2019: date(2019, 4, 5),
    2020: date(2020, 4, 7),
    2021: date(2021, 4, 9),
    2022: date(2022, 4, 7),
    2023: date(2023, 4, 11),
    2024: date(2024, 4, 5),
    2025: date(2025, 4, 7),
    2026: date(2026, 4, 9),
    2027: date(2027, 4, 7),
    2028: date(2028, 4, 7),
}


@pytest.mark.parametrize(("year", "deadline"), sorted(RUP_DEADLINES.items()))
def test_rup_renewal_deadline_is_the_fifth_business_day_of_april(year: int, deadline: date) -> None:
    assert d.rup_renewal_deadline(year) == deadline
    assert d.is_business_day(deadline)
    business = [day for day in range(1, deadline.day + 1) if d.is_business_day(date(year, 4, day))]
    assert len(business) == 5


def test_semana_santa_and_moved_holidays_come_from_the_holidays_package() -> None:
    assert {date(2026, 4, 2), date(2026, 4, 3)} <= d.holidays_of(2026)  # Jueves y Viernes Santo
    assert {date(2025, 4, 17), date(2025, 4, 18)} <= d.holidays_of(2025)
    assert date(2025, 3, 24) in d.holidays_of(2025)  # San José, moved to Monday (Ley 51 de 1983)
    assert date(2025, 3, 19) not in d.holidays_of(2025)
    assert not d.is_business_day(date(2026, 4, 2)) and not d.is_business_day(date(2026, 4, 4))  # holiday, Saturday
    assert d.is_business_day(date(2026, 4, 1))


def test_adding_business_days_skips_weekends_and_holidays() -> None:
    assert d.add_business_days(date(2026, 4, 1), 1) == date(2026, 4, 6)  # over Semana Santa and the weekend
    assert d.add_business_days(date(2026, 4, 6), -1) == date(2026, 4, 1)
    assert d.add_business_days(date(2026, 4, 1), 0) == date(2026, 4, 1)
    assert d.add_business_days(date(2025, 12, 24), 1) == date(2025, 12, 26)
    assert d.nth_business_day(2025, 6, 1) == date(2025, 6, 3)  # 1 June a Sunday, 2 June Ascensión (moved)
    assert d.nth_business_day(2026, 1, 1) == date(2026, 1, 2)
    with pytest.raises(ValueError):
        d.nth_business_day(2026, 1, 0)


def test_a_rup_serves_until_next_years_april_deadline() -> None:
    renewed = date(2025, 3, 10)
    assert d.rup_valid_until(renewed) == date(2026, 4, 9)
    assert d.rup_in_force(renewed, date(2026, 4, 9))
    assert not d.rup_in_force(renewed, date(2026, 4, 10))
    deadline = d.rup_deadline(renewed, days_before=15)
    assert deadline.tipo == "rup" and deadline.vence == date(2026, 4, 9)
    assert deadline.recordar == date(2026, 3, 25)  # a Wednesday, 15 days before
    assert deadline.due(date(2026, 3, 30)) and not deadline.due(date(2026, 3, 24))
    assert not deadline.due(date(2026, 4, 10)) and deadline.days_left(date(2026, 4, 1)) == 8


def test_financial_statements_go_stale_when_the_next_year_closes() -> None:
    assert d.expected_fiscal_year(date(2026, 2, 1)) == 2025
    assert d.financial_statements_valid_until(2025) == date(2026, 12, 31)
    assert not d.financial_statements_stale(2025, date(2026, 12, 31))
    assert d.financial_statements_stale(2025, date(2027, 1, 1))
    deadline = d.financial_statements_deadline(2025, days_before=15)
    # 16 December 2026 is a Wednesday: a business day, so the reminder stays there.
    assert deadline.vence == date(2026, 12, 31) and deadline.recordar == date(2026, 12, 16)


def test_a_certificado_de_existencia_is_current_for_thirty_days() -> None:
    issued = date(2026, 3, 2)
    assert d.certificate_valid_until(issued) == date(2026, 4, 1)
    assert not d.certificate_stale(issued, date(2026, 4, 1))
    assert d.certificate_stale(issued, date(2026, 4, 2))
    assert d.certificate_stale(issued, date(2026, 3, 20), max_age_days=15)
    deadline = d.certificate_deadline(issued, days_before=5)
    assert deadline.tipo == "existencia_representacion" and deadline.recordar == date(2026, 3, 27)


def test_a_reminder_day_falling_on_a_holiday_or_weekend_moves_back_to_a_business_day() -> None:
    assert d.remind_on(date(2026, 4, 9), 6) == date(2026, 4, 1)  # 3 April is Viernes Santo, then the weekend
    assert d.remind_on(date(2026, 4, 9), 0) == date(2026, 4, 9)
    assert d.remind_on(date(2026, 4, 6), -3) == date(2026, 4, 6)


def test_deadline_kinds_are_document_slots() -> None:
    kinds = {s.tipo for s in all_slots()}
    made = [d.rup_deadline(date(2025, 1, 1)), d.financial_statements_deadline(2025),
            d.certificate_deadline(date(2025, 1, 1))]
    assert {x.tipo for x in made} <= kinds
