"""The tracker, the policy, the promise, the touch rule and the escalation ladders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from leadflow.errors import ConfigurationError, NaiveDatetimeError, PolicyError
from leadflow.sla import (
    FEEDBACK_LADDER,
    RESPONSE_LADDER,
    BusinessCalendar,
    EscalationLadder,
    EscalationStep,
    ResponseTarget,
    SlaPolicy,
    SlaState,
    SlaStatus,
    TouchRule,
    promise,
    track,
)
from leadflow.sla.stopwatch import Stopwatch, merged_pauses
from tests.sla.strategies import calendars, durations, instants

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
US = timedelta(microseconds=1)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture(scope="module")
def office() -> BusinessCalendar:
    return BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE-BE")


SATURDAY_EVENING = berlin(2026, 6, 6, 19, 30)


# -- tracker -----------------------------------------------------------------------------------


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
        assert due == calendar.add(start, duration)


@settings(max_examples=60)
@given(calendars(), instants(), durations.filter(bool), instants(), instants())
def test_track_is_consistent_and_monotonic_in_now(pair, start, target, one, two):
    calendar, _ = pair
    early, late = sorted((one, two), key=lambda t: t.astimezone(UTC))
    first = track(start, target, calendar=calendar, now=early)
    second = track(start, target, calendar=calendar, now=late)
    for status in (first, second):
        assert status.elapsed + status.remaining == target
        assert status.due_at == calendar.add(start, target)
        assert (status.state is SlaState.BREACHED) == (status.now > status.due_at)
    assert first.elapsed <= second.elapsed
    assert track(start, target, calendar=calendar, now=early) == first  # pure


# -- policy --------------------------------------------------------------------------------------


def test_default_policy_follows_the_agreement():
    policy = SlaPolicy()
    assert policy.target("hot").within == 4 * H
    assert policy.target("warm").within == 24 * H
    assert policy.target("standard").within == 24 * H
    assert policy.target("cold").within is None
    assert policy.target("cold").action == "nurture"
    assert policy.target("hot").warning == 0.75
    assert policy.routing_within == timedelta(minutes=5)
    assert policy.feedback_within == 48 * H
    assert policy.touches == TouchRule(min_touches=6, over=timedelta(days=14))


def test_policy_deadline_and_promise(office):
    policy = SlaPolicy()
    assert policy.deadline("hot", SATURDAY_EVENING, office) == berlin(2026, 6, 8, 12)
    assert policy.deadline("warm", SATURDAY_EVENING, {"office": office}) == berlin(2026, 6, 10, 12)
    offer = policy.promise("hot", SATURDAY_EVENING, office)
    assert offer.answer_by == berlin(2026, 6, 8, 12)
    assert str(offer) == "You will get an answer by Monday, 08 June 2026, 12:00."


def test_cold_leads_have_no_sales_target(office):
    with pytest.raises(
        PolicyError, match="no sales response target for 'cold' leads; they go to nurture"
    ) as info:
        SlaPolicy().deadline("cold", SATURDAY_EVENING, office)
    assert info.value.temperature == "cold"
    assert info.value.policy == "default"


def test_unknown_segment_and_missing_calendar(office):
    with pytest.raises(
        PolicyError,
        match="no target for segment 'lukewarm'; known segments: hot, warm, standard, cold",
    ):
        SlaPolicy().target("lukewarm")
    with pytest.raises(
        ConfigurationError, match="needs calendar 'office' for segment 'hot'; given: 'support'"
    ):
        SlaPolicy().deadline("hot", SATURDAY_EVENING, {"support": office})


def test_named_calendars_per_segment(office):
    always = BusinessCalendar(hours="mon-sun 00:00-24:00", timezone="Europe/Berlin")
    policy = SlaPolicy(
        name="on-call",
        targets=(
            ResponseTarget(segment="hot", within=2 * H, calendar="on_call"),
            ResponseTarget(segment="standard", within=24 * H),
        ),
    )
    calendars = {"office": office, "on_call": always}
    assert policy.deadline("hot", SATURDAY_EVENING, calendars) == berlin(2026, 6, 6, 21, 30)
    assert policy.deadline("standard", SATURDAY_EVENING, calendars) == berlin(2026, 6, 10, 12)


def test_policy_validation():
    with pytest.raises(ValidationError, match="segments must be unique; repeated: hot"):
        SlaPolicy(
            targets=(
                ResponseTarget(segment="hot", within=H),
                ResponseTarget(segment="hot", within=H),
            )
        )
    with pytest.raises(ValidationError, match="must be positive"):
        ResponseTarget(segment="hot", within=-H)
    with pytest.raises(ValidationError):
        ResponseTarget(segment="hot", within=H, warning=0)


def test_policy_tracking_routing_and_feedback(office):
    policy = SlaPolicy()
    status = policy.track("hot", SATURDAY_EVENING, now=berlin(2026, 6, 8, 11, 30), calendars=office)
    assert status.at_risk
    assert [e.notify for e in status.escalations] == ["owner"]
    qualified = berlin(2026, 6, 6, 19, 30)
    assert (
        policy.track_routing(qualified, now=qualified + timedelta(minutes=4)).state
        is SlaState.RUNNING
    )
    routed = policy.track_routing(
        qualified, now=qualified + timedelta(minutes=9), routed_at=qualified + timedelta(minutes=3)
    )
    assert routed.state is SlaState.MET
    assert policy.feedback_escalations(qualified, now=qualified + 47 * H) == ()
    due = policy.feedback_escalations(qualified, now=qualified + 49 * H)
    assert [e.notify for e in due] == ["sales_manager"]
    assert due[0].due_at == qualified + 48 * H
    assert (
        policy.feedback_escalations(
            qualified, now=qualified + 49 * H, feedback_at=qualified + 47 * H
        )
        == ()
    )


def test_policy_is_a_json_value():
    policy = SlaPolicy()
    assert SlaPolicy.model_validate_json(policy.model_dump_json()) == policy


# -- promise -------------------------------------------------------------------------------------


def test_promise_rounds_up(office):
    received = berlin(2026, 6, 8, 9, 7)
    plain = promise(received, 2 * H, office)
    assert plain.answer_by == berlin(2026, 6, 8, 11, 7)
    rounded = promise(received, 2 * H, office, round_to=timedelta(minutes=15))
    assert rounded.answer_by == berlin(2026, 6, 8, 11, 15)
    exact = promise(berlin(2026, 6, 8, 9), 2 * H, office, round_to=timedelta(minutes=15))
    assert exact.answer_by == berlin(2026, 6, 8, 11)
    assert (
        rounded.text("Antwort bis {answer_by:%d.%m. %H:%M} Uhr") == "Antwort bis 08.06. 11:15 Uhr"
    )


def test_promise_errors(office):
    with pytest.raises(ConfigurationError, match="divide a day"):
        promise(SATURDAY_EVENING, H, office, round_to=timedelta(minutes=7))
    with pytest.raises(ConfigurationError, match="zero or more"):
        promise(SATURDAY_EVENING, -H, office)
    with pytest.raises(NaiveDatetimeError):
        promise(datetime(2026, 6, 8), H, office)


# -- touch rule ----------------------------------------------------------------------------------

FIRST = datetime(2026, 6, 1, 9, tzinfo=UTC)


def test_touch_rule_satisfied():
    touches = [FIRST + timedelta(days=d) for d in (0, 1, 3, 6, 9, 13)]
    check = TouchRule().check(touches, now=FIRST + timedelta(days=14))
    assert check.satisfied
    assert check.missing_touches == 0
    assert check.wait == timedelta(0)
    assert check.message == "may disqualify: 6 touches over 14 days"


def test_touch_rule_says_what_is_missing():
    touches = [FIRST + timedelta(days=d) for d in (0, 2, 4, 7)]
    check = TouchRule().check(touches, now=FIRST + timedelta(days=10, hours=3))
    assert not check.satisfied
    assert check.missing_touches == 2
    assert check.wait == timedelta(days=3, hours=21)
    assert check.window_ends_at == FIRST + timedelta(days=14)
    assert check.message == (
        "not yet: 2 more touches needed (4 of 6) and 3 days 21 h more "
        "(2 weeks after the first touch on 2026-06-01 09:00 UTC)"
    )
    enough_touches = [FIRST + timedelta(hours=h) for h in range(6)]
    early = TouchRule().check(enough_touches, now=FIRST + timedelta(days=2))
    assert early.missing_touches == 0
    assert early.message.startswith("not yet: 12 days more (2 weeks after")


def test_touch_rule_ignores_future_touches_and_handles_none():
    check = TouchRule(min_touches=3, over=timedelta(days=7)).check(
        [FIRST, FIRST + timedelta(days=30)], now=FIRST + timedelta(days=8)
    )
    assert check.touches == 1
    assert check.message == "not yet: 2 more touches needed (1 of 3)"
    nothing = TouchRule().check([], now=FIRST)
    assert nothing.message == "not yet: no touches made; 6 needed over 14 days"
    with pytest.raises(NaiveDatetimeError):
        TouchRule().check([datetime(2026, 6, 1)], now=FIRST)


# -- escalation ladders --------------------------------------------------------------------------


def test_feedback_ladder_is_48_hours_to_the_sales_manager():
    handoff = FIRST
    assert FEEDBACK_LADDER.due(handoff, now=handoff + 48 * H) == ()
    (step,) = FEEDBACK_LADDER.due(handoff, now=handoff + 48 * H + US)
    assert step.notify == "sales_manager"
    assert step.note == "no feedback 48 hours after handoff"
    assert FEEDBACK_LADDER.due(handoff, now=handoff + 50 * H, resolved_at=handoff + 48 * H) == ()


def test_business_clock_ladder(office):
    ladder = EscalationLadder(
        name="custom",
        steps=(
            EscalationStep(after=8 * H, clock="business", notify="team_lead"),
            EscalationStep(after=72 * H, notify="vp_sales"),
        ),
    )
    due = ladder.due(SATURDAY_EVENING, now=berlin(2026, 6, 9, 17), calendar=office)
    assert [(e.notify, e.due_at) for e in due] == [("team_lead", berlin(2026, 6, 8, 16))]
    with pytest.raises(ConfigurationError, match="counts business time but got no calendar"):
        ladder.due(SATURDAY_EVENING, now=berlin(2026, 6, 9, 17))
    with pytest.raises(ConfigurationError, match="75% of the target but no target"):
        RESPONSE_LADDER.due(SATURDAY_EVENING, now=berlin(2026, 6, 9, 17), calendar=office)


def test_escalation_step_validation():
    with pytest.raises(ValidationError, match="exactly one of"):
        EscalationStep(notify="x")
    with pytest.raises(ValidationError, match="exactly one of"):
        EscalationStep(notify="x", after=H, at=0.5, clock="business")
    with pytest.raises(ValidationError, match="use clock='business'"):
        EscalationStep(notify="x", at=0.5)
    with pytest.raises(ValidationError, match="must be positive"):
        EscalationStep(notify="x", after=-H)
