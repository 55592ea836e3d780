"""Examples for ``BusinessCalendar``: the cases issue 3 names, checked against the reference too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadflow.errors import ConfigurationError, NaiveDatetimeError
from leadflow.sla import BusinessCalendar
from tests.sla.helpers import BERLIN, H, berlin
from tests.sla.reference import Reference

OFFICE = "mon-fri 08:00-18:00"


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def test_saturday_evening_lead_is_due_monday_noon(office):
    deadline = office.add(berlin(2026, 6, 6, 19, 30), 4 * H)
    assert deadline == berlin(2026, 6, 8, 12)
    assert deadline.tzinfo is BERLIN


def test_deadline_reached_at_closing_time_is_the_closing_time(office):
    assert office.add(berlin(2026, 6, 8, 14), 4 * H) == berlin(2026, 6, 8, 18)


def test_lead_arriving_exactly_at_closing_time_waits_for_the_morning(office):
    closing = berlin(2026, 6, 8, 18)
    assert not office.is_open(closing)
    assert office.is_open(utc(closing) - timedelta(microseconds=1))
    assert office.next_open(closing) == berlin(2026, 6, 9, 8)
    assert office.add(closing, 4 * H) == berlin(2026, 6, 9, 12)
    assert office.between(closing, berlin(2026, 6, 9, 8)) == timedelta(0)


def test_lead_arriving_exactly_at_opening_time(office):
    opening = berlin(2026, 6, 9, 8)
    assert office.is_open(opening)
    assert office.next_open(opening) == opening
    assert office.add(opening, 10 * H) == berlin(2026, 6, 9, 18)


def test_zero_duration_is_the_start_even_when_closed(office):
    sunday = berlin(2026, 6, 7, 10)
    assert office.add(sunday, timedelta(0)) == sunday


def test_between_is_negative_backwards(office):
    friday, monday = berlin(2026, 6, 5, 17), berlin(2026, 6, 8, 9)
    assert office.between(friday, monday) == 2 * H
    assert office.between(monday, friday) == -2 * H


def test_negative_add_is_the_earliest_instant(office):
    # between(Monday 09:00, x) == -1 h for every x from Friday 18:00 to Monday 08:00
    assert office.add(berlin(2026, 6, 8, 9), -H) == berlin(2026, 6, 5, 18)
    assert office.add(berlin(2026, 6, 8, 9), -2 * H) == berlin(2026, 6, 5, 17)


def test_inputs_in_any_zone_results_in_the_calendar_zone(office):
    start = datetime(2026, 6, 6, 17, 30, tzinfo=UTC)  # Saturday 19:30 in Berlin
    deadline = office.add(start, 4 * H)
    assert deadline.tzinfo is BERLIN
    assert utc(deadline) == datetime(2026, 6, 8, 10, tzinfo=UTC)
    tokyo = start.astimezone(ZoneInfo("Asia/Tokyo"))
    assert utc(office.add(tokyo, 4 * H)) == utc(deadline)


def test_naive_datetimes_raise(office):
    with pytest.raises(NaiveDatetimeError, match="start must be a timezone-aware"):
        office.add(datetime(2026, 6, 8, 9), H)
    with pytest.raises(NaiveDatetimeError, match="end must be"):
        office.between(berlin(2026, 6, 8, 9), datetime(2026, 6, 8, 10))
    with pytest.raises(NaiveDatetimeError, match="at must be"):
        office.is_open(datetime(2026, 6, 8, 9))


def test_duration_must_be_a_timedelta(office):
    with pytest.raises(TypeError, match="timedelta"):
        office.add(berlin(2026, 6, 8, 9), 4)


# -- DST in Europe/Berlin 2026 ---------------------------------------------------------------


def test_spring_forward_hour_does_not_exist():
    always = BusinessCalendar(hours="mon-sun 00:00-24:00", timezone="Europe/Berlin")
    assert always.between(berlin(2026, 3, 29, 0), berlin(2026, 3, 30, 0)) == 23 * H
    assert always.add(berlin(2026, 3, 29, 1), H) == berlin(2026, 3, 29, 3)
    night = BusinessCalendar(hours="sun 01:00-04:00", timezone="Europe/Berlin")
    assert night.between(berlin(2026, 3, 29), berlin(2026, 3, 30)) == 2 * H


def test_span_boundary_inside_the_spring_gap_moves_forward():
    # 02:30 does not exist on 29 March 2026; "compatible" makes it 03:30 CEST.
    cal = BusinessCalendar(hours="sun 02:30-05:00", timezone="Europe/Berlin")
    start = cal.next_open(berlin(2026, 3, 29))
    assert start == berlin(2026, 3, 29, 3, 30)
    assert utc(start) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert cal.between(berlin(2026, 3, 29), berlin(2026, 3, 30)) == 1.5 * H
    # both ends inside the gap move forward together: 03:10-03:50 CEST
    gap = BusinessCalendar(hours="sun 02:10-02:50", timezone="Europe/Berlin")
    assert gap.next_open(berlin(2026, 3, 29)) == berlin(2026, 3, 29, 3, 10)
    assert gap.between(berlin(2026, 3, 29), berlin(2026, 3, 30)) == timedelta(minutes=40)
    # an end that moves to or before its start leaves an empty span: 03:30-03:00 CEST
    empty = BusinessCalendar(hours="sun 02:30-03:00; mon 08:00-09:00", timezone="Europe/Berlin")
    assert empty.next_open(berlin(2026, 3, 29)) == berlin(2026, 3, 30, 8)


def test_fall_back_hour_counts_twice():
    night = BusinessCalendar(hours="sun 01:00-04:00", timezone="Europe/Berlin")
    assert night.between(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 4 * H
    first_three = night.add(berlin(2026, 10, 25, 1), 2 * H)
    assert utc(first_three) == datetime(2026, 10, 25, 1, tzinfo=UTC)  # 02:00 CET, second pass
    assert first_three.fold == 1
    assert night.add(berlin(2026, 10, 25, 1), 4 * H) == berlin(2026, 10, 25, 4)


def test_span_boundary_inside_the_fold_takes_the_earlier_instant():
    cal = BusinessCalendar(hours="sun 02:30-03:00", timezone="Europe/Berlin")
    opening = cal.next_open(berlin(2026, 10, 25))
    assert utc(opening) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    assert cal.between(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 1.5 * H


def test_office_hours_across_both_switches(office):
    # Friday before each switch, 16:00 + 4 h: the weekend switch changes nothing in office time
    assert office.add(berlin(2026, 3, 27, 16), 4 * H) == berlin(2026, 3, 30, 10)
    assert office.add(berlin(2026, 10, 23, 16), 4 * H) == berlin(2026, 10, 26, 10)
    assert office.between(berlin(2026, 3, 27, 16), berlin(2026, 3, 30, 10)) == 4 * H


# -- holidays and closures -------------------------------------------------------------------


def test_corpus_christi_is_a_holiday_in_bavaria_not_in_berlin():
    wednesday = berlin(2026, 6, 3, 16)
    bavaria = BusinessCalendar(hours=OFFICE, timezone="Europe/Berlin", holidays="DE-BY")
    berlin_cal = BusinessCalendar(hours=OFFICE, timezone="Europe/Berlin", holidays="DE-BE")
    assert date(2026, 6, 4) in bavaria.holidays_in(2026)
    assert date(2026, 6, 4) not in berlin_cal.holidays_in(2026)
    assert bavaria.add(wednesday, 4 * H) == berlin(2026, 6, 5, 10)
    assert berlin_cal.add(wednesday, 4 * H) == berlin(2026, 6, 4, 10)


def test_christmas_to_new_year():
    cal = BusinessCalendar(
        hours=OFFICE,
        timezone="Europe/Berlin",
        holidays="DE-BE",
        closures=[
            date(2026, 12, 24),
            (date(2026, 12, 28), date(2026, 12, 31)),
            (berlin(2026, 12, 23, 12), berlin(2026, 12, 23, 17)),
        ],
    )
    # Wednesday 23rd: open 08-12 and 17-18; 24th closed; 25th/26th holidays; 28th-31st closed;
    # 1 January holiday; 2-3 January weekend.
    assert cal.add(berlin(2026, 12, 23, 11), 2 * H) == berlin(2026, 12, 23, 18)
    assert cal.add(berlin(2026, 12, 23, 11), 4 * H) == berlin(2027, 1, 4, 10)
    assert cal.between(berlin(2026, 12, 23, 9), berlin(2027, 1, 5, 9)) == 15 * H
    assert not cal.is_open(berlin(2026, 12, 23, 14))
    assert cal.next_open(berlin(2026, 12, 23, 18)) == berlin(2027, 1, 4, 8)


def test_holidays_as_dates_and_none():
    dates = BusinessCalendar(hours=OFFICE, timezone=BERLIN, holidays=[date(2026, 6, 8)])
    assert dates.add(berlin(2026, 6, 5, 17), 2 * H) == berlin(2026, 6, 9, 9)
    plain = BusinessCalendar(hours=OFFICE, timezone=BERLIN, holidays=None)
    assert plain.add(berlin(2026, 12, 24, 17), 2 * H) == berlin(2026, 12, 25, 9)


def test_any_year_the_holidays_package_covers():
    cal = BusinessCalendar(hours=OFFICE, timezone=BERLIN, holidays="DE-BY")
    assert cal.add(berlin(2099, 12, 24, 17), 2 * H) == berlin(2099, 12, 28, 9)
    assert cal.add(berlin(1995, 6, 14, 17), 2 * H) == berlin(1995, 6, 16, 9)  # Corpus Christi
    span = cal.between(berlin(2025, 1, 1), berlin(2028, 1, 1))
    assert span == cal.between(berlin(2025, 1, 1), berlin(2026, 7, 1)) + cal.between(
        berlin(2026, 7, 1), berlin(2028, 1, 1)
    )


# -- other shapes of hours -------------------------------------------------------------------


def test_night_shift_runs_into_a_saturday_holiday():
    saturday = date(2026, 6, 13)
    cal = BusinessCalendar(hours="mon-fri 22:00-06:00", timezone=BERLIN, holidays=[saturday])
    assert cal.is_open(berlin(2026, 6, 13, 3))  # Friday's span runs on into the holiday
    assert cal.add(berlin(2026, 6, 12, 21), 8 * H) == berlin(2026, 6, 13, 6)
    assert cal.add(berlin(2026, 6, 12, 21), 9 * H) == berlin(2026, 6, 15, 23)


def test_a_holiday_closes_the_night_shift_starting_on_it():
    friday = date(2026, 6, 12)
    cal = BusinessCalendar(hours="mon-fri 22:00-06:00", timezone=BERLIN, holidays=[friday])
    assert cal.is_open(berlin(2026, 6, 12, 5))  # Thursday's span
    assert not cal.is_open(berlin(2026, 6, 12, 23))
    assert cal.next_open(berlin(2026, 6, 12, 7)) == berlin(2026, 6, 15, 22)


def test_night_shift_over_the_year_end():
    cal = BusinessCalendar(hours="mon-sun 22:00-06:00", timezone=BERLIN, holidays="DE")
    # 31 December is no holiday, so its span runs into New Year's Day; 1 January's does not start
    assert cal.is_open(berlin(2027, 1, 1, 5))
    assert not cal.is_open(berlin(2027, 1, 1, 23))
    assert cal.between(berlin(2026, 12, 31), berlin(2027, 1, 3)) == 16 * H
    assert cal.add(berlin(2026, 12, 31, 23), 7 * H) == berlin(2027, 1, 1, 6)
    assert cal.add(berlin(2026, 12, 31, 23), 8 * H) == berlin(2027, 1, 2, 23)


def test_wrapping_day_range_and_midnight_end():
    cal = BusinessCalendar(hours="fri-mon 18:00-24:00", timezone=BERLIN)
    assert str(cal.hours) == "mon 18:00-24:00; fri-sun 18:00-24:00"
    assert cal.add(berlin(2026, 6, 9, 12), 7 * H) == berlin(2026, 6, 13, 19)
    assert cal.between(berlin(2026, 6, 5), berlin(2026, 6, 9)) == 24 * H


def test_open_around_the_clock_is_physical_time():
    cal = BusinessCalendar(hours="mon-sun 00:00-24:00", timezone=BERLIN)
    start = berlin(2026, 10, 24, 12)
    deadline = cal.add(start, timedelta(days=2))
    assert utc(deadline) == utc(start) + timedelta(days=2)
    assert deadline == berlin(2026, 10, 26, 11)  # one wall hour less: the fold counted twice
    overnight = BusinessCalendar(hours="mon-sun 08:00-08:00", timezone=BERLIN)
    assert overnight.between(start, deadline) == timedelta(days=2)


def test_a_calendar_without_open_time_refuses_to_add():
    never = BusinessCalendar(hours="", timezone=BERLIN)
    assert never.between(berlin(2026, 1, 1), berlin(2027, 1, 1)) == timedelta(0)
    assert not never.is_open(berlin(2026, 1, 1))
    with pytest.raises(ConfigurationError, match="no open time after"):
        never.add(berlin(2026, 1, 1), H)
    with pytest.raises(ConfigurationError, match="no open time"):
        never.next_open(berlin(2026, 1, 1))


def test_closures_to_the_end_of_time_refuse_to_add():
    closed = BusinessCalendar(
        hours=OFFICE, timezone=BERLIN, closures=[(date(2026, 7, 1), date(9999, 12, 31))]
    )
    assert closed.add(berlin(2026, 6, 30, 17), H) == berlin(2026, 6, 30, 18)
    with pytest.raises(ConfigurationError, match="no open time after"):
        closed.add(berlin(2026, 6, 30, 17), 2 * H)


# -- other hemisphere --------------------------------------------------------------------------


def test_sydney_autumn_switch_in_april():
    sydney = ZoneInfo("Australia/Sydney")
    always = BusinessCalendar(hours="mon-sun 00:00-24:00", timezone=sydney)
    day = datetime(2026, 4, 5, tzinfo=sydney)
    assert always.between(day, datetime(2026, 4, 6, tzinfo=sydney)) == 25 * H
    office = BusinessCalendar(hours=OFFICE, timezone=sydney, holidays="AU-NSW")
    # Good Friday 3 April and Easter Monday 6 April 2026 are holidays in New South Wales
    thursday = datetime(2026, 4, 2, 16, tzinfo=sydney)
    assert office.add(thursday, 4 * H) == datetime(2026, 4, 7, 10, tzinfo=sydney)


def test_santiago_day_without_midnight():
    santiago = ZoneInfo("America/Santiago")
    cal = BusinessCalendar(hours="sun 00:00-06:00", timezone=santiago)
    opening = cal.next_open(datetime(2026, 9, 5, 12, tzinfo=santiago))
    assert utc(opening) == datetime(2026, 9, 6, 4, tzinfo=UTC)  # 01:00 -03, the switch itself
    assert (
        cal.between(datetime(2026, 9, 5, tzinfo=santiago), datetime(2026, 9, 7, tzinfo=santiago))
        == 5 * H
    )


def test_lord_howe_half_hour_switch():
    lord_howe = ZoneInfo("Australia/Lord_Howe")
    cal = BusinessCalendar(hours="sun 00:00-24:00", timezone=lord_howe)
    spring = datetime(2026, 10, 4, tzinfo=lord_howe)
    autumn = datetime(2026, 4, 5, tzinfo=lord_howe)
    assert cal.between(spring, spring + timedelta(days=1)) == timedelta(hours=23, minutes=30)
    assert cal.between(autumn, autumn + timedelta(days=1)) == timedelta(hours=24, minutes=30)


@pytest.mark.parametrize(
    ("zone_name", "start", "hours"),
    [
        ("Europe/Berlin", (2026, 3, 28, 20), 30),
        ("Europe/Berlin", (2026, 10, 24, 20), 30),
        ("America/Santiago", (2026, 9, 5, 20), 30),
        ("Australia/Lord_Howe", (2026, 10, 3, 20), 30),
        ("Australia/Sydney", (2026, 4, 4, 20), 30),
    ],
)
def test_dst_switches_match_the_reference(zone_name, start, hours):
    zone = ZoneInfo(zone_name)
    week = {d: [("00:00", "02:30"), ("22:00", "03:30")] for d in range(7)}
    reference = Reference(week=week, zone=zone)
    cal = BusinessCalendar(hours=reference.spec(), timezone=zone)
    year, month, day, hour = start
    begin = datetime(year, month, day, hour, tzinfo=zone)
    for minutes in range(0, hours * 60, 97):
        duration = timedelta(minutes=minutes)
        assert utc(cal.add(begin, duration)) == utc(reference.add(begin, duration))
    end = begin + timedelta(days=2)
    assert cal.between(begin, end) == reference.between(begin, end)


# -- value behaviour ---------------------------------------------------------------------------


def test_calendar_is_immutable_and_comparable(office):
    with pytest.raises(AttributeError, match="immutable"):
        office._zone = UTC
    twin = BusinessCalendar(hours=OFFICE, timezone="Europe/Berlin", holidays="DE-BE")
    assert twin == office
    assert hash(twin) == hash(office)
    assert twin != BusinessCalendar(hours=OFFICE, timezone="Europe/Berlin", holidays="DE-BY")
    assert "Europe/Berlin" in repr(office)


def test_unknown_zone_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="unknown time zone 'Mars/Olympus'"):
        BusinessCalendar(hours=OFFICE, timezone="Mars/Olympus")


def test_next_close(office):
    assert office.next_close(berlin(2026, 6, 8, 9)) == berlin(2026, 6, 8, 18)
    assert office.next_close(berlin(2026, 6, 6, 9)) == berlin(2026, 6, 6, 9)
    always = BusinessCalendar(hours="mon-sun 00:00-24:00", timezone=BERLIN, holidays="DE")
    assert always.next_close(berlin(2026, 12, 30, 12)) == berlin(2027, 1, 1)


def test_lazy_tables_do_not_change_answers():
    queries = [berlin(2026, 12, 31, 17), berlin(2025, 3, 3, 9), berlin(2027, 6, 1, 12)]
    forward = BusinessCalendar(hours=OFFICE, timezone=BERLIN, holidays="DE-BE")
    backward = BusinessCalendar(hours=OFFICE, timezone=BERLIN, holidays="DE-BE")
    first = [forward.add(q, 30 * H) for q in queries]
    second = [backward.add(q, 30 * H) for q in reversed(queries)][::-1]
    assert first == second


def test_concurrent_use_of_a_fresh_calendar():
    from concurrent.futures import ThreadPoolExecutor

    cal = BusinessCalendar(hours=OFFICE, timezone=BERLIN, holidays="DE-BY")
    starts = [berlin(2020 + k % 8, 1 + k % 12, 1 + k % 28, k % 24) for k in range(200)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda s: cal.add(s, 13 * H), starts))
    fresh = BusinessCalendar(hours=OFFICE, timezone=BERLIN, holidays="DE-BY")
    assert results == [fresh.add(s, 13 * H) for s in starts]


def test_public_names_resolve():
    import leadflow.sla

    for name in leadflow.sla.__all__:
        assert getattr(leadflow.sla, name) is not None
    assert tuple(sorted(leadflow.sla.__all__)) == tuple(sorted(set(leadflow.sla.__all__)))


def test_calendar_pickles_and_copies(office):
    import copy
    import pickle

    start = berlin(2026, 6, 6, 19, 30)
    restored = pickle.loads(pickle.dumps(office))  # noqa: S301 - our own bytes
    for twin in (restored, copy.deepcopy(office), copy.copy(office)):
        assert twin == office
        assert twin.add(start, 4 * H) == office.add(start, 4 * H)


def test_next_close_of_a_calendar_that_never_closes():
    always = BusinessCalendar(hours="mon-sun 00:00-24:00", timezone=BERLIN)
    assert always.hours.around_the_clock
    with pytest.raises(ConfigurationError, match="does not close within 50 years"):
        always.next_close(berlin(2026, 6, 8, 9))
    shifts = BusinessCalendar(hours="mon-sun 06:00-18:00, 18:00-06:00", timezone=BERLIN)
    assert shifts.hours.around_the_clock
    assert not BusinessCalendar(hours=OFFICE, timezone=BERLIN).hours.around_the_clock
    closing = BusinessCalendar(
        hours="mon-sun 00:00-24:00",
        timezone=BERLIN,
        closures=[(date(2030, 1, 1), date(2030, 1, 1))],
    )
    assert closing.next_close(berlin(2026, 6, 8, 9)) == berlin(2030, 1, 1)
