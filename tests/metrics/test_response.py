"""Both sides' SLAs: first contact in business time, not contacted, feedback, touches, aging."""

from __future__ import annotations

from datetime import timedelta

import pytest

from leadflow.errors import NaiveDatetimeError
from leadflow.lifecycle import Rate
from leadflow.metrics import (
    AgingLimit,
    aging,
    feedback_within,
    first_contacts,
    not_contacted_within,
    reasons_by,
    response_times,
    routing_within,
    touches_before_unreachable,
    weekly_first_contact,
)
from leadflow.sla import TouchRule
from tests.metrics.helpers import CALENDAR, at, history

H = timedelta(hours=1)
# Monday 2 Nov 2026 09:00 Berlin is hour 0; Friday 6 Nov 17:00 Berlin is hour 104.
FRIDAY_EVENING = history("L-fri", [("contact_attempt", 167.5)], created=104, temperature="hot")
QUICK = history("L-quick", [("contact_attempt", 2), ("accept", 3)], temperature="hot")
QUALIFIED_WITHOUT_ATTEMPT = history("L-q", [("accept", 1), ("qualify", 5)])
NEVER = history("L-never", [], created=10)
NO_OWNER = history("L-noowner", [], owner=None)
ALL = [FRIDAY_EVENING, QUICK, QUALIFIED_WITHOUT_ATTEMPT, NEVER, NO_OWNER]


def test_first_contact_is_measured_in_business_time() -> None:
    contacts = {c.lead_id: c for c in first_contacts(ALL, CALENDAR)}
    assert "L-noowner" not in contacts  # not handed to sales
    # Friday 17:00 to Monday 08:30 Berlin: one business hour on Friday, half an hour on Monday
    assert contacts["L-fri"].business == timedelta(hours=1, minutes=30)
    assert contacts["L-quick"].business == 2 * H
    assert contacts["L-q"].contacted_at == at(5)  # the qualification counts as the contact
    assert contacts["L-never"].contacted_at is None


def test_not_contacted_within_24_business_hours_counts_only_decided_handoffs() -> None:
    contacts = first_contacts(ALL, CALENDAR)
    # handed over Monday 19:00 Berlin: at Tuesday 05:00 not a business hour has passed
    assert not_contacted_within(contacts, CALENDAR, now=at(20)) == Rate(0, 3)
    assert not_contacted_within(contacts, CALENDAR, now=at(200)) == Rate(1, 4)
    with pytest.raises(NaiveDatetimeError):
        not_contacted_within(contacts, CALENDAR, now=at(0).replace(tzinfo=None))


def test_response_times_median_p90_and_share_within_target_per_temperature() -> None:
    times = response_times(first_contacts(ALL, CALENDAR), CALENDAR, now=at(200))
    assert times.contacted == 3
    assert times.median == 2 * H
    assert times.p90 == 5 * H
    assert times.within_target == {"hot": Rate(2, 2), "warm": Rate(1, 2)}
    strict = response_times(
        first_contacts(ALL, CALENDAR), CALENDAR, now=at(200), targets={"hot": H, None: 24 * H}
    )
    assert strict.within_target["hot"] == Rate(0, 2)


def test_weekly_trend_groups_handoffs_by_their_monday() -> None:
    weeks = weekly_first_contact(first_contacts(ALL, CALENDAR), CALENDAR)
    assert [(str(monday), count) for monday, count, _ in weeks] == [("2026-11-02", 3)]
    assert weeks[0][2] == 2 * H


def test_feedback_within_two_weeks() -> None:
    late = history("L-late", [("accept", 400)])
    assert feedback_within([QUICK, late, NEVER], now=at(500)) == Rate(1, 3)
    assert feedback_within([NEVER], now=at(11)) == Rate(0, 0)  # still in time


def test_touches_before_unreachable_against_the_touch_rule() -> None:
    three = history(
        "L-u",
        [
            ("contact_attempt", 1),
            ("contact_attempt", 2),
            ("contact_attempt", 3),
            ("reject", 4, "unreachable"),
        ],
    )
    summary = touches_before_unreachable([three, QUICK])
    assert (summary.leads, summary.median, summary.minimum) == (1, 3.0, 3)
    assert summary.meets_rule == Rate(0, 1)
    assert touches_before_unreachable([three], rule=TouchRule(min_touches=3)).meets_rule == Rate(
        1, 1
    )
    assert touches_before_unreachable([]).median is None


def test_aging_lists_leads_beyond_the_limit_oldest_first() -> None:
    old = aging(ALL, {"mql": 48 * H, "sal": 24 * H}, now=at(100))
    assert [(a.lead_id, a.stage) for a in old] == [
        ("L-noowner", "mql"),
        ("L-quick", "sal"),
        ("L-never", "mql"),
    ]
    assert old[0].age == 100 * H


def test_a_business_time_limit_runs_on_the_calendar_only() -> None:
    # entered mql Friday 6 Nov 17:00 Berlin (hour 104); 2 business days = 20 business hours
    friday = history("L-fri-mql", [], created=104)
    limit = AgingLimit(20 * H, CALENDAR, "2 business days")
    # Monday 18:00 Berlin: 73 hours elapsed, but only 11 business hours
    assert aging([friday], {"mql": limit}, now=at(177)) == ()
    assert aging([friday], {"mql": 48 * H}, now=at(177))  # elapsed 48 h: beyond
    # Tuesday 17:30 Berlin: 20.5 business hours
    (late,) = aging([friday], {"mql": limit}, now=at(200.5))
    assert (late.lead_id, late.limit, late.limit_text) == ("L-fri-mql", 20 * H, "2 business days")
    assert late.due_at == at(200)  # Tuesday 17:00 Berlin
    assert late.age == 96.5 * H


def test_reasons_by_campaign_with_the_marketing_action() -> None:
    small = history("L-s", [("reject", 2, "too_small")], campaign="fair")
    small2 = history("L-s2", [("disqualify", 2, "too_small")], campaign="fair")
    odd = history("L-o", [("reject", 2, "no_budget")], campaign=None)
    rows = reasons_by([small, small2, odd, QUICK])
    assert list(rows) == ["fair", None]
    assert rows["fair"][0].count == 2
    assert rows["fair"][0].marketing_action == "tighten ICP criteria in lead scoring"


def test_routing_within_five_minutes_reads_the_routed_at_field() -> None:
    fast = history("L-f", [], routed_at=at(0.05).isoformat())
    slow = history("L-s", [], routed_at=at(0.5).isoformat())
    promoted = history("L-p", [("promote", 2)], origin="iql", routed_at=at(2.01).isoformat())
    unknown = history("L-u", [])
    garbled = history("L-g", [], routed_at="soon")
    assert routing_within([fast, slow, promoted, unknown, garbled]) == Rate(2, 3)
