"""Properties of ``BusinessCalendar``, each also checked against the minute-stepping reference."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.sla.strategies import calendars, durations, instants

US = timedelta(microseconds=1)
FAR = timedelta(days=9)  # beyond this the reference would step too many minutes


def utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


@settings(max_examples=60)
@given(calendars(), instants(), durations)
def test_between_of_add_is_the_duration(pair, start, duration):
    calendar, reference = pair
    deadline = calendar.add(start, duration)
    assert deadline.tzinfo is calendar.timezone
    assert calendar.between(start, deadline) == duration
    assume(utc(deadline) - utc(start) <= FAR)
    assert utc(deadline) == utc(reference.add(start, duration))
    assert reference.between(start, deadline) == duration


@settings(max_examples=60)
@given(calendars(), instants(), durations, durations)
def test_add_composes(pair, start, first, second):
    calendar, reference = pair
    assert utc(calendar.add(calendar.add(start, first), second)) == utc(
        calendar.add(start, first + second)
    )
    both = calendar.add(start, first + second)
    assume(utc(both) - utc(start) <= FAR)
    middle = reference.add(start, first)
    assert utc(reference.add(middle, second)) == utc(both)


@settings(max_examples=60)
@given(calendars(), instants(), instants(), durations)
def test_add_is_monotonic_in_the_start(pair, one, two, duration):
    calendar, reference = pair
    early, late = sorted((utc(one), utc(two)))
    assert utc(calendar.add(early, duration)) <= utc(calendar.add(late, duration))
    assume(utc(calendar.add(late, duration)) - early <= FAR)
    assert utc(reference.add(early, duration)) <= utc(reference.add(late, duration))


@settings(max_examples=60)
@given(calendars(), instants(), durations, durations)
def test_add_is_monotonic_in_the_duration(pair, start, one, two):
    calendar, reference = pair
    short, long = sorted((one, two))
    assert utc(calendar.add(start, short)) <= utc(calendar.add(start, long))
    assume(utc(calendar.add(start, long)) - utc(start) <= FAR)
    assert utc(calendar.add(start, short)) == utc(reference.add(start, short))
    assert utc(calendar.add(start, long)) == utc(reference.add(start, long))


@settings(max_examples=60)
@given(calendars(), instants(), instants(), instants())
def test_between_is_additive(pair, a, b, c):
    calendar, reference = pair
    assert calendar.between(a, b) + calendar.between(b, c) == calendar.between(a, c)
    assert calendar.between(a, c) == reference.between(a, c)
    assert calendar.between(a, b) == reference.between(a, b)


@settings(max_examples=60)
@given(calendars(), instants(), instants())
def test_between_is_antisymmetric(pair, a, b):
    calendar, reference = pair
    assert calendar.between(a, b) == -calendar.between(b, a)
    assert calendar.between(b, a) == reference.between(b, a)


@settings(max_examples=60)
@given(calendars(), instants(), durations.filter(bool))
def test_a_deadline_is_open_or_a_closing_instant(pair, start, duration):
    calendar, reference = pair
    deadline = calendar.add(start, duration)
    assert calendar.is_open(deadline) or calendar.is_open(utc(deadline) - US)
    assume(utc(deadline) - utc(start) <= FAR)
    assert reference.is_open(deadline) or reference.is_open(utc(deadline) - timedelta(minutes=1))


@settings(max_examples=100)
@given(calendars(), instants())
def test_is_open_and_next_open_match_the_reference(pair, at):
    calendar, reference = pair
    assert calendar.is_open(at) == reference.is_open(at)
    following = calendar.next_open(at)
    assert calendar.is_open(following)
    assert utc(following) >= utc(at)
    assume(utc(following) - utc(at) <= FAR)
    assert calendar.between(at, following) == timedelta(0)
    minute = utc(at)
    while not reference.is_open(minute):
        minute += timedelta(minutes=1)
    assert utc(following) == minute


@settings(max_examples=60)
@given(calendars(), instants(), st.integers(1, 1440).map(lambda m: timedelta(minutes=m)))
def test_negative_add_is_the_earliest_instant_before(pair, start, duration):
    calendar, reference = pair
    earlier = calendar.add(start, -duration)
    assert calendar.between(start, earlier) == -duration
    assert calendar.between(
        start, utc(earlier) - US
    )  # UTC: wall-clock arithmetic would be wrong in a gap < -duration
    assume(utc(start) - utc(earlier) <= FAR)
    assert utc(earlier) == utc(reference.add(start, -duration))


@settings(max_examples=60)
@given(calendars(), instants())
def test_zero_duration_returns_the_start(pair, start):
    calendar, _ = pair
    assert utc(calendar.add(start, timedelta(0))) == utc(start)
