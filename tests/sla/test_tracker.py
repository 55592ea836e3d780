"""The tracker: state, deadline, warning, pauses, escalations; the stopwatch under it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from leadflow.errors import ConfigurationError, NaiveDatetimeError
from leadflow.sla import (
    RESPONSE_LADDER,
    SlaState,
    SlaStatus,
    track,
)
from leadflow.sla.stopwatch import Stopwatch, merged_pauses
from tests.sla.helpers import SATURDAY_EVENING, US, H, berlin
from tests.sla.strategies import calendars, durations, instants


def test_running_then_at_risk_then_breached(office):
    status = track(SATURDAY_EVENING, 4 * H, calendar=office, now=berlin(2026, 6, 8, 10))
    assert status.state is SlaState.RUNNING
    assert status.due_at == berlin(2026, 6, 8, 12)
    assert status.warning_at == berlin(2026, 6, 8, 11)
    assert not status.at_risk
    assert status.elapsed == 2 * H
    assert status.remaining == 2 * H
    assert track(SATURDAY_EVENING, 4 * H, calendar=office, now=berlin(2026, 6, 8, 11)).at_risk
    on_time = track(SATURDAY_EVENING, 4 * H, calendar=office, now=berlin(2026, 6, 8, 12))
    assert on_time.state is SlaState.RUNNING
    assert on_time.remaining == timedelta(0)
    late = track(SATURDAY_EVENING, 4 * H, calendar=office, now=berlin(2026, 6, 8, 13))
    assert late.state is SlaState.BREACHED
    assert late.breached_at == berlin(2026, 6, 8, 12)
    assert late.remaining == -H
    assert not late.at_risk
    assert not late.open


def test_met_and_late_response(office):
    met = track(
        SATURDAY_EVENING,
        4 * H,
        calendar=office,
        now=berlin(2026, 6, 9),
        met_at=berlin(2026, 6, 8, 12),
    )
    assert met.state is SlaState.MET
    assert met.met_at == berlin(2026, 6, 8, 12)
    assert met.breached_at is None
    assert met.elapsed == 4 * H
    assert met.remaining == timedelta(0)
    late = track(
        SATURDAY_EVENING,
        4 * H,
        calendar=office,
        now=berlin(2026, 6, 9),
        met_at=berlin(2026, 6, 8, 15),
    )
    assert late.state is SlaState.BREACHED
    assert late.met_at == berlin(2026, 6, 8, 15)
    assert late.breached_at == berlin(2026, 6, 8, 12)
    assert late.remaining == -3 * H


def test_a_response_after_now_is_not_known_yet(office):
    status = track(
        SATURDAY_EVENING,
        4 * H,
        calendar=office,
        now=berlin(2026, 6, 8, 9),
        met_at=berlin(2026, 6, 8, 10),
    )
    assert status.state is SlaState.RUNNING
    assert status.met_at is None


def test_pauses_stop_the_clock(office):
    # waiting for the customer Monday 09:00-11:00: the deadline moves by two hours
    pauses = [(berlin(2026, 6, 8, 9), berlin(2026, 6, 8, 11))]
    status = track(
        SATURDAY_EVENING, 4 * H, calendar=office, now=berlin(2026, 6, 8, 10), pauses=pauses
    )
    assert status.state is SlaState.PAUSED
    assert status.due_at == berlin(2026, 6, 8, 14)
    assert status.elapsed == H
    assert status.warning_at == berlin(2026, 6, 8, 13)


def test_an_open_pause_projects_the_deadline_from_now(office):
    pauses = [(berlin(2026, 6, 8, 9), None)]
    status = track(
        SATURDAY_EVENING, 4 * H, calendar=office, now=berlin(2026, 6, 8, 16), pauses=pauses
    )
    assert status.state is SlaState.PAUSED
    assert status.elapsed == H
    assert status.due_at == berlin(2026, 6, 9, 9)  # 2 h left today, 1 h tomorrow


def test_physical_clock_without_calendar():
    qualified = datetime(2026, 6, 6, 23, 58, tzinfo=UTC)
    status = track(qualified, timedelta(minutes=5), now=qualified + timedelta(minutes=6))
    assert status.state is SlaState.BREACHED
    assert status.due_at == datetime(2026, 6, 7, 0, 3, tzinfo=UTC)


def test_tracker_errors(office):
    with pytest.raises(ConfigurationError, match="positive timedelta"):
        track(SATURDAY_EVENING, timedelta(0), calendar=office, now=SATURDAY_EVENING)
    with pytest.raises(ConfigurationError, match=r"warning must be a share"):
        track(SATURDAY_EVENING, H, calendar=office, now=SATURDAY_EVENING, warning=1.5)
    with pytest.raises(NaiveDatetimeError, match="now must be"):
        track(SATURDAY_EVENING, H, calendar=office, now=datetime(2026, 6, 8))
    with pytest.raises(ConfigurationError, match="ends before it starts"):
        track(
            SATURDAY_EVENING,
            H,
            calendar=office,
            now=SATURDAY_EVENING,
            pauses=[(berlin(2026, 6, 8, 11), berlin(2026, 6, 8, 9))],
        )


def test_status_is_a_frozen_json_value(office):
    status = track(
        SATURDAY_EVENING,
        4 * H,
        calendar=office,
        now=berlin(2026, 6, 8, 13),
        escalation=RESPONSE_LADDER,
    )
    with pytest.raises(ValidationError):
        status.state = SlaState.MET  # type: ignore[misc]
    again = SlaStatus.model_validate_json(status.model_dump_json())
    assert again == status


def test_response_ladder_in_the_tracker(office):
    at_risk = track(
        SATURDAY_EVENING,
        4 * H,
        calendar=office,
        now=berlin(2026, 6, 8, 11, 30),
        escalation=RESPONSE_LADDER,
    )
    assert [e.notify for e in at_risk.escalations] == ["owner"]
    assert at_risk.escalations[0].due_at == berlin(2026, 6, 8, 11)
    breached = track(
        SATURDAY_EVENING,
        4 * H,
        calendar=office,
        now=berlin(2026, 6, 8, 12, 1),
        escalation=RESPONSE_LADDER,
    )
    assert [e.notify for e in breached.escalations] == ["owner", "sales_manager"]
    answered = track(
        SATURDAY_EVENING,
        4 * H,
        calendar=office,
        now=berlin(2026, 6, 8, 13),
        met_at=berlin(2026, 6, 8, 10),
        escalation=RESPONSE_LADDER,
    )
    assert answered.escalations == ()


@settings(max_examples=60)
@given(
    calendars(),
    instants(),
    durations.filter(bool),
    st.lists(st.tuples(instants(), durations), max_size=3),
)
def test_stopwatch_reaches_the_earliest_instant(pair, start, duration, raw_pauses):
    calendar, _ = pair
    now = max(start, *(p for p, _ in raw_pauses)) if raw_pauses else start
    pauses = merged_pauses([(p, (p.astimezone(UTC) + d)) for p, d in raw_pauses], now=now)
    watch = Stopwatch(start.astimezone(calendar.timezone), calendar, pauses)
    due = watch.reaches(duration)
    assert watch.elapsed(due) == duration
    assert watch.elapsed(due.astimezone(UTC) - US) < duration
    if not pauses:
        assert due.astimezone(UTC) == calendar.add(start, duration).astimezone(UTC)


@settings(max_examples=60)
@given(calendars(), instants(), durations.filter(bool), instants(), instants())
def test_track_is_consistent_and_monotonic_in_now(pair, start, target, one, two):
    calendar, _ = pair
    early, late = sorted((one, two), key=lambda t: t.astimezone(UTC))
    first = track(start, target, calendar=calendar, now=early)
    second = track(start, target, calendar=calendar, now=late)
    for status in (first, second):
        assert status.elapsed + status.remaining == target
        assert status.due_at.astimezone(UTC) == calendar.add(start, target).astimezone(UTC)
        breached = status.now.astimezone(UTC) > status.due_at.astimezone(UTC)
        assert (status.state is SlaState.BREACHED) == breached
    assert first.elapsed <= second.elapsed
    assert track(start, target, calendar=calendar, now=early) == first  # pure
