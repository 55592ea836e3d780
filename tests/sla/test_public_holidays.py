"""Public holidays: region codes through the holidays package, fixed dates, errors."""

from __future__ import annotations

from datetime import UTC, date, datetime

import holidays as holidays_package
import pytest

from leadflow.errors import ConfigurationError
from leadflow.sla import BusinessCalendar


def test_unknown_country_lists_valid_codes():
    with pytest.raises(
        ConfigurationError, match=r"unknown holiday country 'XX' in 'XX'; .*DE, .*US"
    ) as info:
        BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="UTC", holidays="XX")
    assert info.value.field == "holidays"


def test_unknown_subdivision_lists_valid_codes():
    with pytest.raises(
        ConfigurationError,
        match=r"unknown subdivision 'XY' of DE in holidays 'DE-XY'; valid codes: DE-BB, DE-BE, .*DE-BY",
    ):
        BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="UTC", holidays="DE-XY")


def test_region_codes_are_case_insensitive():
    cal = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="de-by")
    assert date(2026, 6, 4) in cal.holidays_in(2026)
    assert str(cal.holidays) == "DE-BY"


def test_holiday_categories():
    plain = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE")
    assert len(plain.holidays_in(2026)) == 9
    with pytest.raises(ConfigurationError, match="Category is not supported"):
        BusinessCalendar(
            hours="mon-fri 08:00-18:00", timezone="UTC", holidays="DE", holiday_categories=["nope"]
        )


def test_holidays_must_be_dates():
    with pytest.raises(ConfigurationError, match="holidays must be dates"):
        BusinessCalendar(
            hours="mon-fri 08:00-18:00", timezone="UTC", holidays=[datetime(2026, 1, 1, tzinfo=UTC)]
        )


@pytest.mark.parametrize("holidays", [date(2026, 1, 1), 5])
def test_holidays_must_be_a_code_dates_or_none(holidays):
    with pytest.raises(ConfigurationError, match="holidays must be a region code"):
        BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays=holidays)


def test_a_holidays_object_without_years_is_refused():
    # iterated, such an object is empty: the calendar used to get no holidays at all, silently
    empty = holidays_package.country_holidays("DE", subdiv="BY")
    with pytest.raises(ConfigurationError, match="holds no years; pass its region code"):
        BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays=empty)
    filled = holidays_package.country_holidays("DE", subdiv="BY", years=2026)
    calendar = BusinessCalendar(
        hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays=filled
    )
    assert date(2026, 6, 4) in calendar.holidays_in(2026)
