"""``track``'s hot path (no pauses, a calendar) gives exactly what the stopwatch path gave.

``tests/sla/old_track.py`` keeps the tracker as it was before the hot path; every status,
escalation and error must be the same, down to the zone, the fold and the repr of each instant.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
