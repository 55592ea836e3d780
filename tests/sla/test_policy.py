"""Response-time policies and the auto-responder's promise."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pydantic import ValidationError

from leadflow.errors import ConfigurationError, NaiveDatetimeError, PolicyError
from leadflow.sla import (
    BusinessCalendar,
    ResponseTarget,
    SlaPolicy,
    SlaState,
    TouchRule,
    promise,
)
from tests.sla.helpers import SATURDAY_EVENING, H, berlin


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
        match="no target for segment 'lukewarm'; did you mean 'warm'\\? "
        "known segments: hot, warm, standard, cold",
    ):
        SlaPolicy().target("lukewarm")
    with pytest.raises(PolicyError, match="segment 'xyz'; known segments: hot, warm"):
        SlaPolicy().target("xyz")
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
    with pytest.raises(
        ValidationError, match="segments must be unique, ignoring case; repeated: hot"
    ):
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


def test_segment_names_match_ignoring_case_and_typos_get_a_suggestion(office):
    policy = SlaPolicy()
    assert policy.target("HOT") is policy.target("hot") is policy.target(" Hot ")
    assert policy.deadline("Hot", SATURDAY_EVENING, office) == berlin(2026, 6, 8, 12)
    with pytest.raises(PolicyError, match="segment 'hott'; did you mean 'hot'\\?") as info:
        policy.track("hott", SATURDAY_EVENING, now=SATURDAY_EVENING, calendars=office)
    assert isinstance(info.value, ValueError)
    with pytest.raises(ValidationError, match="ignoring case; repeated: Hot, hot"):
        SlaPolicy(
            targets=(
                ResponseTarget(segment="hot", within=H),
                ResponseTarget(segment="Hot", within=H),
            )
        )
