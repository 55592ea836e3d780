"""`BusinessCalendar` against a second reference written from the issue text alone.

`tests/sla/independent_reference.py` lays every span of every local date onto the UTC line and
scans the merged list; these tests compare the calendar with it on random hours (several groups,
overlaps, overnight and 24-hour spans, wrapping day ranges), zones with odd DST rules, region and
date holidays, closures of every kind, and inputs in any zone, including instants inside a DST
fold (``fold=1``). Edge cases the fuzzing turned up are pinned as examples, with the expected
instant written out so that the reference is checked too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from leadflow.errors import ConfigurationError, NaiveDatetimeError
from leadflow.sla import BusinessCalendar
from tests.sla.independent_reference import Reference

BERLIN = ZoneInfo("Europe/Berlin")
SANTIAGO = ZoneInfo("America/Santiago")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
H = timedelta(hours=1)
M = timedelta(minutes=1)
YEARS = (2025, 2028)
ZONES = (
    "Europe/Berlin",
    "America/Santiago",
    "Australia/Lord_Howe",
    "America/New_York",
    "Pacific/Kiritimati",
    "Pacific/Chatham",
    "America/Havana",
    "UTC",
)
REGIONS = {
    "Europe/Berlin": "DE-BY",
    "America/Santiago": "CL",
    "Australia/Lord_Howe": "AU-NSW",
    "America/New_York": "US",
}
Spec = tuple[str, str, str | tuple[date, ...] | None, tuple[object, ...]]
DAY_EXPRS = (
    "mon",
    "sun",
    "sat",
    "mon-fri",
    "fri-mon",
    "sat-sun",
    "mon,wed",
    "tue,thu,sun",
    "mon-sun",
)
SPANS = (
    "08:00-18:00",
    "00:00-24:00",
    "00:00-00:00",
    "08:00-08:00",
    "22:00-06:00",
    "23:00-01:00",
    "01:30-03:30",
    "02:00-03:00",
    "00:00-01:00",
    "00:00-02:00",
    "23:00-24:00",
    "12:00-13:30",
    "10:00-14:00",
)


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


@cache
def transitions(name: str) -> tuple[datetime, ...]:
    """UTC instants (to the minute) where the zone's offset changes in 2026 and 2027."""
    tz = ZoneInfo(name)
    found = []
    t, end, step = datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC), 6 * H
    while t < end:
        if t.astimezone(tz).utcoffset() != (t + step).astimezone(tz).utcoffset():
            lo = t
            while (lo + M).astimezone(tz).utcoffset() == t.astimezone(tz).utcoffset():
                lo += M
            found.append(lo + M)
        t += step
    return tuple(found)


@cache
def reference(
    hours: str, zone: str, holidays: str | tuple[date, ...] | None, closures: tuple[object, ...]
) -> Reference:
    return Reference(hours, zone, holidays, closures, years=YEARS)


groups = st.tuples(
    st.sampled_from(DAY_EXPRS), st.lists(st.sampled_from(SPANS), min_size=1, max_size=3)
).map(lambda g: f"{g[0]} {', '.join(g[1])}")
hours_specs = st.lists(groups, min_size=1, max_size=3).map("; ".join)
days_2026 = st.dates(date(2026, 1, 1), date(2027, 12, 31))


def closure_after(pair: tuple[datetime, int]) -> tuple[datetime, datetime]:
    """A closure of ``minutes`` physical minutes from ``start``, expressed in ``start``'s zone.

    Adding a timedelta to an aware datetime is wall-clock arithmetic that resets ``fold``, so a
    start in a repeated hour (``fold=1``) plus a few minutes could land before the start; step
    on the UTC line instead.
    """
    start, minutes = pair
    return start, (start.astimezone(UTC) + minutes * M).astimezone(start.tzinfo)


@st.composite
def calendars(draw: st.DrawFn) -> Spec:
    zone = draw(st.sampled_from(ZONES))
    hours = draw(hours_specs)
    holidays = draw(
        st.one_of(
            st.none(),
            st.just(REGIONS.get(zone, "DE-BY")),
            st.lists(days_2026, max_size=8).map(tuple),
        )
    )
    instants = instants_in(zone)
    closures = draw(
        st.lists(
            st.one_of(
                days_2026,
                st.tuples(days_2026, st.integers(0, 10)).map(
                    lambda p: (p[0], p[0] + timedelta(days=p[1]))
                ),
                st.tuples(instants, st.integers(0, 3 * 1440)).map(closure_after),
            ),
            max_size=3,
        ).map(tuple)
    )
    return hours, zone, holidays, closures


def instants_in(zone: str) -> st.SearchStrategy[datetime]:
    """Aware instants in 2026-2027, near DST switches and year ends, in the zone or elsewhere."""
    anchors = (
        *transitions(zone),
        datetime(2027, 1, 1, tzinfo=UTC),
        datetime(2027, 12, 31, tzinfo=UTC),
    )
    near = st.tuples(st.sampled_from(anchors), st.integers(-2 * 1440, 2 * 1440)).map(
        lambda p: p[0] + p[1] * M
    )
    anywhere = st.integers(0, 2 * 365 * 1440).map(
        lambda m: datetime(2026, 1, 1, tzinfo=UTC) + m * M
    )
    return st.tuples(
        st.one_of(near, anywhere),
        st.sampled_from((zone, zone, "UTC", "Europe/Dublin", "Asia/Kolkata")),
    ).map(lambda p: p[0].astimezone(ZoneInfo(p[1])))  # astimezone sets fold=1 in a repeated hour


durations = st.one_of(
    st.integers(-300 * 60, 300 * 60).map(lambda m: m * M),
    st.integers(-(10**8), 10**8).map(lambda us: timedelta(microseconds=us)),
    st.sampled_from((timedelta(0), H, 4 * H, 24 * H, -H)),
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[Spec, datetime, datetime, timedelta]:
    spec = draw(calendars())
    instants = instants_in(spec[1])
    return spec, draw(instants), draw(instants), draw(durations)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_calendar_agrees_with_the_independent_reference(
    case: tuple[Spec, datetime, datetime, timedelta],
) -> None:
    (hours, zone, holidays, closures), t, other, d = case
    ref = reference(hours, zone, holidays, closures)
    assume(ref.ivs)
    cal = BusinessCalendar(hours=hours, timezone=zone, holidays=holidays, closures=closures)
    tz = ZoneInfo(zone)
    assert cal.between(t, other) == ref.between(t, other)
    assert cal.is_open(t) == ref.is_open(t)
    got, want = cal.next_open(t), ref.next_open(t)
    assert utc(got) == utc(want)
    assert got.tzinfo is tz
    for duration in (d, ref.between(t, other), -ref.between(t, other)):
        try:
            want = ref.add(t, duration)
        except OverflowError:  # beyond the reference's table
            continue
        got = cal.add(t, duration)
        assert utc(got) == utc(want), (t, duration)
        assert got.tzinfo is tz


# -- edge cases, each with the instant written out ----------------------------------------------


def both(
    hours: str,
    zone: str = "Europe/Berlin",
    holidays: list[date] | None = None,
    closures: list[object] | None = None,
) -> tuple[BusinessCalendar, Reference]:
    cal = BusinessCalendar(hours=hours, timezone=zone, holidays=holidays, closures=closures)
    return cal, Reference(hours, zone, holidays, closures or (), years=YEARS)


def test_overlapping_groups_are_the_union() -> None:
    cal, ref = both("mon 08:00-12:00; mon 10:00-14:00")
    monday = datetime(2026, 6, 8, tzinfo=BERLIN)
    assert cal.between(monday, monday + 24 * H) == ref.between(monday, monday + 24 * H) == 6 * H
    assert cal.add(monday + 7 * H, 5 * H) == monday + 13 * H


def test_a_span_ending_where_it_starts_lasts_24_hours() -> None:
    cal, ref = both("mon 08:00-08:00")
    monday = datetime(2026, 6, 8, tzinfo=BERLIN)
    assert cal.between(monday, monday + 48 * H) == ref.between(monday, monday + 48 * H) == 24 * H
    assert cal.is_open(monday + 31 * H + 59 * M)
    assert not cal.is_open(monday + 32 * H)


def test_around_the_clock_is_continuous_over_dst_and_year_end() -> None:
    cal, ref = both("mon-sun 00:00-24:00")
    start = datetime(2026, 3, 1, tzinfo=BERLIN)
    assert cal.between(start, start + 400 * 24 * H) == ref.between(start, start + 400 * 24 * H)
    assert utc(cal.add(start, 9000 * H)) == utc(start) + 9000 * H
    assert utc(cal.add(start, -9000 * H)) == utc(start) - 9000 * H


def test_overnight_span_runs_into_a_holiday_and_a_holiday_stops_its_own_span() -> None:
    saturday_off = [date(2026, 6, 13)]
    cal, ref = both("fri-sat 22:00-06:00", holidays=saturday_off)
    assert cal.is_open(datetime(2026, 6, 13, 5, tzinfo=BERLIN))  # Friday's shift
    assert not cal.is_open(datetime(2026, 6, 13, 23, tzinfo=BERLIN))  # Saturday's shift
    friday = datetime(2026, 6, 12, tzinfo=BERLIN)
    assert cal.between(friday, friday + 72 * H) == ref.between(friday, friday + 72 * H) == 8 * H


def test_santiago_sunday_span_from_a_midnight_that_does_not_exist() -> None:
    cal, ref = both("sun 00:00-02:00; sat 22:00-24:00", "America/Santiago")
    saturday = datetime(2026, 9, 5, 12, tzinfo=SANTIAGO)
    # Saturday 22:00-24:00: 24:00 is the missing midnight, read as 01:00 (-03): still 2 hours.
    # Sunday 00:00-02:00 starts at that same 01:00, so 1 hour; the two join up.
    assert (
        cal.between(saturday, saturday + 24 * H)
        == ref.between(saturday, saturday + 24 * H)
        == 3 * H
    )
    assert cal.add(saturday, 150 * M) == datetime(2026, 9, 6, 1, 30, tzinfo=SANTIAGO)
    assert utc(cal.next_open(datetime(2026, 9, 5, 20, tzinfo=UTC))) == datetime(
        2026, 9, 6, 2, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("day", "length"),
    [(date(2026, 3, 29), 1 * H), (date(2026, 10, 25), 3 * H), (date(2026, 6, 7), 2 * H)],
)
def test_berlin_span_across_the_switch(day: date, length: timedelta) -> None:
    cal, ref = both("sun 01:30-03:30")
    start = datetime.combine(day, datetime.min.time(), BERLIN)
    assert cal.between(start, start + 24 * H) == ref.between(start, start + 24 * H) == length


def test_lord_howe_half_hour_switches() -> None:
    cal, ref = both("sun 01:00-03:00", "Australia/Lord_Howe")
    for day, length in ((date(2026, 4, 5), 150 * M), (date(2026, 10, 4), 90 * M)):
        start = datetime.combine(day, datetime.min.time(), LORD_HOWE)
        assert cal.between(start, start + 24 * H) == ref.between(start, start + 24 * H) == length


def test_an_input_in_the_repeated_hour() -> None:
    cal, _ = both("sun 01:30-03:30")
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)  # 01:30 UTC
    first = second.replace(fold=0)  # 00:30 UTC
    assert cal.between(first, second) == H
    assert utc(cal.add(second, 30 * M)) == datetime(2026, 10, 25, 2, tzinfo=UTC)
    assert utc(cal.add(second, -90 * M)) == datetime(2026, 10, 25, 0, tzinfo=UTC)


def test_negative_durations_take_the_earliest_instant() -> None:
    cal, ref = both("mon-fri 08:00-18:00")
    friday_close = datetime(2026, 6, 5, 18, tzinfo=BERLIN)
    for start, back in (
        (datetime(2026, 6, 8, 9, tzinfo=BERLIN), H),
        (datetime(2026, 6, 8, 8, 30, tzinfo=BERLIN), 30 * M),
    ):
        assert cal.add(start, -back) == ref.add(start, -back) == friday_close
    assert cal.add(datetime(2026, 6, 8, 10, tzinfo=BERLIN), -H) == datetime(
        2026, 6, 8, 9, tzinfo=BERLIN
    )


def test_closures_in_another_zone_and_overlapping() -> None:
    closures = [
        (
            datetime(2026, 6, 8, 7, tzinfo=UTC),
            datetime(2026, 6, 8, 9, tzinfo=UTC),
        ),  # 09:00-11:00 Berlin
        (datetime(2026, 6, 8, 10, 30, tzinfo=BERLIN), datetime(2026, 6, 8, 12, tzinfo=BERLIN)),
        (date(2026, 6, 9), date(2026, 6, 10)),
        date(2026, 6, 10),
    ]
    cal, ref = both("mon-fri 08:00-18:00", closures=closures)
    monday = datetime(2026, 6, 8, 8, tzinfo=BERLIN)
    assert cal.between(monday, monday + 72 * H) == ref.between(monday, monday + 72 * H) == 7 * H
    assert cal.add(monday, 2 * H) == datetime(2026, 6, 8, 13, tzinfo=BERLIN)
    assert cal.add(monday, 7 * H) == datetime(2026, 6, 8, 18, tzinfo=BERLIN)
    assert cal.add(monday, 7 * H + M) == datetime(2026, 6, 11, 8, 1, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("closure", "error"),
    [
        ((datetime(2026, 6, 8, 9), datetime(2026, 6, 8, 10)), NaiveDatetimeError),
        ((datetime(2026, 6, 8, 9, tzinfo=BERLIN), datetime(2026, 6, 8, 10)), NaiveDatetimeError),
        ((date(2026, 6, 8), datetime(2026, 6, 8, 10, tzinfo=BERLIN)), ConfigurationError),
        ((datetime(2026, 6, 8, 9, tzinfo=BERLIN), date(2026, 6, 9)), ConfigurationError),
    ],
)
def test_bad_closure_pairs_are_clear_errors(
    closure: tuple[object, object], error: type[Exception]
) -> None:
    with pytest.raises(error, match="closure"):
        BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", closures=[closure])


def test_the_closure_generator_steps_on_the_utc_line_inside_a_fold() -> None:
    # 23:30 on 2026-04-04 happens twice in Santiago; the second time (fold=1) is 03:30 UTC.
    # Wall arithmetic gave an end of 23:40 fold=0, i.e. 02:40 UTC: before the start.
    start = datetime(2026, 4, 4, 23, 30, fold=1, tzinfo=SANTIAGO)
    lo, hi = closure_after((start, 10))
    assert utc(hi) - utc(lo) == 10 * M
    cal, ref = both("mon-sun 00:00-24:00", "America/Santiago", closures=[(lo, hi)])
    day, later = datetime(2026, 4, 4, 12, tzinfo=SANTIAGO), datetime(2026, 4, 5, 12, tzinfo=UTC)
    assert cal.between(day, later) == ref.between(day, later) == utc(later) - utc(day) - 10 * M
