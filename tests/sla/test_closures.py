"""Closures: whole days, inclusive date ranges, half-open instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from leadflow.errors import ConfigurationError, NaiveDatetimeError
from leadflow.sla import BusinessCalendar, parse_closures


def test_closure_kinds():
    berlin = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin").timezone
    closures = parse_closures(
        [
            date(2026, 12, 24),
            (date(2026, 12, 27), date(2026, 12, 31)),
            (datetime(2026, 12, 23, 12, tzinfo=berlin), datetime(2026, 12, 23, 17, tzinfo=berlin)),
        ]
    )
    assert closures.days == frozenset({date(2026, 12, 24)})
    assert closures.ranges == ((date(2026, 12, 27), date(2026, 12, 31)),)
    assert closures.instants == (
        (datetime(2026, 12, 23, 11, tzinfo=UTC), datetime(2026, 12, 23, 16, tzinfo=UTC)),
    )
    assert len(closures) == 3


def test_overlapping_closures_merge():
    closures = parse_closures(
        [
            (date(2026, 1, 1), date(2026, 1, 5)),
            (date(2026, 1, 6), date(2026, 1, 9)),
            [date(2026, 1, 3), date(2026, 1, 4)],
        ]
    )
    assert closures.ranges == ((date(2026, 1, 1), date(2026, 1, 9)),)


@pytest.mark.parametrize(
    ("closure", "message"),
    [
        (datetime(2026, 1, 1, tzinfo=UTC), "is a single datetime"),
        ((date(2026, 1, 5), date(2026, 1, 1)), "ends before it starts"),
        (
            (datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)),
            "ends before it starts",
        ),
        ((date(2026, 1, 1), datetime(2026, 1, 2, tzinfo=UTC)), "cannot read closure"),
        ("2026-01-01", "cannot read closure"),
        ((date(2026, 1, 1),), "cannot read closure"),
    ],
)
def test_bad_closures(closure, message):
    with pytest.raises(ConfigurationError, match=message):
        parse_closures([closure])


def test_naive_closure_datetimes_raise():
    with pytest.raises(NaiveDatetimeError, match="closure start"):
        parse_closures([(datetime(2026, 1, 1), datetime(2026, 1, 2, tzinfo=UTC))])


def test_instant_closure_cuts_a_half_day():
    cal = BusinessCalendar(
        hours="mon-fri 08:00-18:00",
        timezone="UTC",
        closures=[(datetime(2026, 6, 8, 12, tzinfo=UTC), datetime(2026, 6, 8, 14, tzinfo=UTC))],
    )
    assert cal.between(
        datetime(2026, 6, 8, tzinfo=UTC), datetime(2026, 6, 9, tzinfo=UTC)
    ) == timedelta(hours=8)
    assert cal.is_open(datetime(2026, 6, 8, 14, tzinfo=UTC))
    assert not cal.is_open(datetime(2026, 6, 8, 12, tzinfo=UTC))
    assert cal.add(datetime(2026, 6, 8, 11, tzinfo=UTC), timedelta(hours=1)) == datetime(
        2026, 6, 8, 12, tzinfo=UTC
    )
    assert cal.add(datetime(2026, 6, 8, 11, tzinfo=UTC), timedelta(hours=2)) == datetime(
        2026, 6, 8, 15, tzinfo=UTC
    )


@pytest.mark.parametrize("closures", [date(2026, 12, 24), "2026-12-24", 5])
def test_closures_must_be_a_list(closures):
    # a bare date used to fail with "'datetime.date' object is not iterable"
    with pytest.raises(ConfigurationError, match="closures must be a list of closures"):
        BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", closures=closures)
