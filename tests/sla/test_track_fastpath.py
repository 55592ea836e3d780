"""``track``'s hot path (no pauses, a calendar) gives exactly what the stopwatch path gave.

``tests/sla/old_track.py`` keeps the tracker as it was before the hot path; every status,
escalation and error must be the same, down to the zone, the fold and the repr of each instant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from leadflow.errors import ConfigurationError
from leadflow.sla import (
    FEEDBACK_LADDER,
    RESPONSE_LADDER,
    BusinessCalendar,
    EscalationLadder,
    EscalationStep,
    SlaPolicy,
    track,
)
from tests.sla.helpers import BERLIN, H, berlin
from tests.sla.old_track import old_policy_track, old_track
from tests.sla.strategies import anchors, calendars, instants, zones

LADDERS = (
    None,
    RESPONSE_LADDER,
    FEEDBACK_LADDER,
    EscalationLadder(
        name="mixed",
        steps=(
            EscalationStep(at=1.5, clock="business", notify="director"),
            EscalationStep(after=timedelta(hours=3), clock="business", notify="lead"),
            EscalationStep(after=timedelta(hours=1), notify="owner"),
            EscalationStep(at=0.5, clock="business", notify="owner"),
            EscalationStep(at=0.75, clock="business", notify="twin"),
        ),
    ),
    EscalationLadder(name="empty", steps=()),
)


def outcome(call: Any) -> tuple[str, Any]:
    try:
        status = call()
    except Exception as error:
        return "error", (type(error), str(error))
    instants_ = [getattr(status, f) for f in ("now", "started_at", "due_at", "warning_at")]
    return "status", (
        repr(status),
        status.model_dump(),
        [(t.tzinfo, t.fold, t.utcoffset()) for t in instants_],
        status.model_fields_set,
    )


@st.composite
def wall_times(draw: st.DrawFn) -> datetime:
    """Local wall times near the case's anchor, folds and DST gaps included."""
    zone = draw(zones)
    local = draw(anchors).astimezone(zone).replace(tzinfo=None)
    local += timedelta(minutes=draw(st.integers(-1440, 1440)) * 15 // 15)
    return local.replace(tzinfo=zone, fold=draw(st.integers(0, 1)))


moments = st.one_of(instants(), wall_times())
targets = st.integers(1, 3 * 1440).map(lambda m: timedelta(minutes=m)) | st.sampled_from(
    [timedelta(microseconds=1), timedelta(microseconds=3), 4 * H, 24 * H]
)


@settings(max_examples=150, deadline=None)
@given(
    calendars(allow_empty=True),
    moments,
    targets,
    moments,
    st.none() | moments,
    st.sampled_from([0.75, 1.0, 0.5, 1e-9, 0.333]),
    st.sampled_from(LADDERS),
)
def test_hot_path_equals_the_stopwatch_path(case, start, target, now, met, warning, ladder):
    calendar, _ = case
    kwargs = {"now": now, "calendar": calendar, "met_at": met, "warning": warning}
    ours = outcome(lambda: track(start, target, escalation=ladder, **kwargs))
    old = outcome(lambda: old_track(start, target, escalation=ladder, **kwargs))
    assert ours == old


@settings(max_examples=60, deadline=None)
@given(calendars(), moments, moments, st.none() | moments, st.sampled_from(["hot", "warm"]))
def test_policy_track_equals_the_old_policy_track(case, start, now, met, segment):
    calendar, _ = case
    policy = SlaPolicy()
    kwargs = {"now": now, "calendars": calendar, "met_at": met}
    ours = outcome(lambda: policy.track(segment, start, **kwargs))
    assert ours == outcome(lambda: old_policy_track(policy, segment, start, **kwargs))


OFFICE = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE-BE")
GAP = datetime(2026, 3, 29, 2, 30, tzinfo=BERLIN)  # does not exist: clocks jump 02:00 -> 03:00
FOLD = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("start", "now", "met"),
    [
        (GAP, berlin(2026, 3, 30, 11), None),
        (FOLD, berlin(2026, 10, 26, 9), None),
        (berlin(2026, 6, 6, 19, 30), GAP, None),
        (berlin(2026, 6, 8, 9), berlin(2026, 6, 9, 9), berlin(2026, 6, 8, 12, 59)),
        (berlin(2026, 12, 31, 17), datetime(2027, 1, 4, 12, tzinfo=UTC), None),
        (datetime(2026, 6, 8, 9, tzinfo=ZoneInfo("America/New_York")), berlin(2026, 6, 9), None),
        (datetime(2026, 6, 8, 9), berlin(2026, 6, 9), None),  # naive start: same error
        (berlin(2026, 6, 8, 9), datetime(2026, 6, 9), None),  # naive now: same error
        (berlin(2026, 6, 8, 9), berlin(2026, 6, 9), datetime(2026, 6, 9)),  # naive response
    ],
)
@pytest.mark.parametrize("ladder", LADDERS)
def test_edges(start, now, met, ladder):
    for target in (4 * H, 24 * H):
        kwargs = {"now": now, "calendar": OFFICE, "met_at": met, "escalation": ladder}
        assert outcome(lambda: track(start, target, **kwargs)) == outcome(  # noqa: B023
            lambda: old_track(start, target, **kwargs)  # noqa: B023
        )


def test_a_calendar_that_is_never_open_raises_the_same_error():
    never = BusinessCalendar(hours={}, timezone="Europe/Berlin")
    args = (berlin(2026, 6, 8, 9), 4 * H)
    kwargs = {"now": berlin(2026, 6, 9), "calendar": never, "escalation": RESPONSE_LADDER}
    ours, old = outcome(lambda: track(*args, **kwargs)), outcome(lambda: old_track(*args, **kwargs))
    assert ours == old
    assert ours[0] == "error"


# -- the one walk and the prepared ladders ---------------------------------------------------

shares = st.sampled_from([0.75, 1.0, 0.5, 1e-9, 0.333, 0.999999]) | st.floats(
    min_value=0, max_value=1, exclude_min=True
)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants(), targets, shares, instants())
def test_one_walk_gives_the_two_additions_and_between(case, start, target, warning, stop):
    """``_track`` finds the warning, then the deadline from the warning's interval on: the same
    instants as two separate ``add`` calls from the start, and ``between`` up to ``stop``, on
    random hours (breaks, overnight spans), zones (DST gaps and folds), holidays, closures and
    year ends."""
    calendar, _ = case
    u = start.astimezone(UTC)
    stop_utc = max(u, stop.astimezone(UTC))
    share = target * warning
    found = calendar._track(u, target, share, stop_utc)
    assert found is not None
    position, deadline, warning_at, elapsed = found
    assert deadline == calendar.add(start, target).astimezone(UTC)
    assert warning_at == calendar.add(start, share).astimezone(UTC)  # == across zones: no fold
    assert elapsed == calendar.between(start, stop_utc)
    assert deadline.tzinfo is UTC
    assert warning_at.tzinfo is UTC
    assert position == calendar._position(calendar._table(u.year), u)


@settings(max_examples=100, deadline=None)
@given(calendars(), instants(), st.integers(1, 1440).map(lambda m: timedelta(minutes=m)))
def test_a_warning_at_an_interval_end_continues_into_the_next_interval(case, start, first):
    """A warning that lands exactly on a closing time (the earliest instant, not the next
    opening): the deadline search goes on from that interval, past breaks and closed days."""
    calendar, _ = case
    warning_at = calendar.add(start, first)
    try:
        closing = calendar.next_close(warning_at)
    except ConfigurationError:  # open around the clock: no closing time to land on
        assume(False)
    to_closing = calendar.between(start, closing)  # the warning's business time moved to a close
    target = to_closing + first
    found = calendar._track(start.astimezone(UTC), target, to_closing, start.astimezone(UTC))
    assert found is not None
    assert found[2] == calendar.add(start, to_closing).astimezone(UTC)
    assert found[1] == calendar.add(start, target).astimezone(UTC)


ORDERED = EscalationLadder(
    name="ordered",
    steps=(
        EscalationStep(at=0.5, clock="business", notify="owner"),
        EscalationStep(after=2 * H, clock="business", notify="owner"),
        EscalationStep(at=0.75, clock="business", notify="lead"),
        EscalationStep(at=0.75, clock="business", notify="twin"),
        EscalationStep(at=1.0, clock="business", notify="manager"),
        EscalationStep(at=2.0, clock="business", notify="director"),
    ),
)
BACKWARDS = EscalationLadder(
    name="backwards",
    steps=(
        EscalationStep(at=1.0, clock="business", notify="manager"),
        EscalationStep(at=0.75, clock="business", notify="owner"),
        EscalationStep(after=1 * H, clock="business", notify="first"),
    ),
)


@settings(max_examples=100, deadline=None)
@given(
    calendars(),
    moments,
    targets,
    moments,
    st.none() | moments,
    st.sampled_from([0.75, 0.5, 1.0]),
    st.sampled_from([ORDERED, BACKWARDS, RESPONSE_LADDER]),
)
def test_prepared_ladders_list_what_the_stopwatch_path_lists(
    case, start, target, now, met, warning, ladder
):
    """Ladders whose steps come in order of their instants (no sort) and ladders that do not,
    business-time steps given as durations, shares equal to the warning, the deadline or
    neither: the same escalations, in the same order, as the tracker before the hot path."""
    calendar, _ = case
    kwargs = {"now": now, "calendar": calendar, "met_at": met, "warning": warning}
    ours = outcome(lambda: track(start, target, escalation=ladder, **kwargs))
    assert ours == outcome(lambda: old_track(start, target, escalation=ladder, **kwargs))


def test_prepared_ladders_are_told_apart_and_the_cache_starts_over():
    """Two ladders with the same target and warning get their own steps; past the cache's size
    every target still gets its own."""
    start, now = berlin(2026, 6, 8, 9), berlin(2026, 6, 10, 9)
    for ladder in (RESPONSE_LADDER, ORDERED, BACKWARDS, RESPONSE_LADDER):
        kwargs = {"now": now, "calendar": OFFICE, "escalation": ladder}
        assert outcome(lambda: track(start, 4 * H, **kwargs)) == outcome(  # noqa: B023
            lambda: old_track(start, 4 * H, **kwargs)  # noqa: B023
        )
    for minutes in range(1, 300, 1):
        target = timedelta(minutes=minutes)
        kwargs = {"now": now, "calendar": OFFICE, "escalation": ORDERED}
        status = track(start, target, **kwargs)
        assert status == old_track(start, target, **kwargs)


@pytest.mark.parametrize("segment", ["hot", "Hot", " warm ", "WARM", "standard", "cold", "hoot", 7])
@pytest.mark.parametrize("named", [False, True])
def test_policy_track_looks_segments_and_calendars_up_as_before(segment, named):
    """The policy's own hot path (a segment named exactly as in the policy, a single calendar)
    and every other way in: case-insensitive names, no target, unknown names, non-text, a
    mapping of calendars, a missing calendar."""
    policy = SlaPolicy()
    calendars_: Any = {"office": OFFICE} if named else OFFICE
    for chosen in (calendars_, {"other": OFFICE}) if named else (calendars_,):
        kwargs = {"now": berlin(2026, 6, 9, 15), "calendars": chosen}
        start = berlin(2026, 6, 8, 16)
        ours = outcome(lambda: policy.track(segment, start, **kwargs))  # noqa: B023
        assert ours == outcome(
            lambda: old_policy_track(policy, segment, start, **kwargs)  # noqa: B023
        )


SWITCHES = st.sampled_from(
    [  # (zone, a UTC instant of one of its DST switches, or near datetime's ends)
        ("Europe/Berlin", datetime(2026, 10, 25, 1, tzinfo=UTC)),
        ("Europe/Berlin", datetime(2026, 3, 29, 1, tzinfo=UTC)),
        ("America/New_York", datetime(2026, 11, 1, 6, tzinfo=UTC)),
        ("America/Santiago", datetime(2026, 4, 5, 3, tzinfo=UTC)),
        ("America/Santiago", datetime(2026, 9, 6, 4, tzinfo=UTC)),
        ("Australia/Lord_Howe", datetime(2026, 4, 4, 15, tzinfo=UTC)),
        ("Australia/Sydney", datetime(2026, 4, 4, 16, tzinfo=UTC)),
        ("Asia/Kolkata", datetime(2026, 6, 6, 12, tzinfo=UTC)),
        ("America/New_York", datetime(1, 1, 1, 4, tzinfo=UTC)),
        ("Asia/Kolkata", datetime(9999, 12, 31, 20, tzinfo=UTC)),
    ]
)


@settings(max_examples=300, deadline=None)
@given(SWITCHES, st.integers(-3 * 3600, 3 * 3600), st.integers(0, 999999))
def test_the_hot_paths_zone_conversion_is_astimezone(switch, seconds, microseconds):
    """``zone.fromutc(epoch + (u - EPOCH))`` (the tracker's conversion) gives what
    ``u.astimezone(zone)`` gives, fold and all (the hours around DST switches of odd zones,
    30-minute shifts), or the same error near datetime's ends."""
    key, at = switch
    zone = ZoneInfo(key)
    calendar = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone=zone)
    try:
        u = at + timedelta(seconds=seconds, microseconds=microseconds)
    except OverflowError:
        assume(False)

    def theirs() -> Any:
        return u.astimezone(zone)

    def ours() -> Any:
        return zone.fromutc(calendar._epoch + (u - datetime(1970, 1, 1, tzinfo=UTC)))

    def result(call: Any) -> Any:
        try:
            value = call()
        except OverflowError as error:
            return "OverflowError", str(error)
        return repr(value), value.fold, value.utcoffset()

    assert result(ours) == result(theirs)
