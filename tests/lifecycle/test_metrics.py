"""Metrics computed from lead histories."""

from __future__ import annotations

from datetime import timedelta

from leadflow.lifecycle import (
    LeadRecord,
    Rate,
    advance,
    advance_all,
    median_delay,
    mql_to_sql,
    new_lead,
    reason_actions,
    rejection_reasons,
    sal_acceptance,
    time_to_first_contact,
)
from tests.lifecycle.helpers import HANDOFF, PASSED, event, lead_in


def _recycled_then_converted() -> LeadRecord:
    record = lead_in("sal", "L-R")
    return advance_all(
        record,
        [
            event("recycle", hours=4, reason="wrong_timing"),
            event("reengage", "marketing", 10, lead=HANDOFF, campaign="nurture-mail"),
            event("accept", hours=11),
            event("qualify", hours=12, qualification=PASSED),
        ],
    )


def test_mql_to_sql_counts_recycled_cycles_as_new_by_default() -> None:
    records = [lead_in("sql", "L-1"), lead_in("nurture", "L-2"), _recycled_then_converted()]
    assert mql_to_sql(records) == Rate(2, 4)
    assert mql_to_sql(records, recycled_as_new=False) == Rate(2, 3)
    assert str(mql_to_sql(records)) == "2/4 (50.0 %)"
    assert mql_to_sql([]).value is None


def test_sal_acceptance_counts_sales_decisions_on_mqls() -> None:
    records = [
        lead_in("sal", "L-1"),
        lead_in("nurture", "L-2"),
        lead_in("disqualified", "L-3"),
        lead_in("mql", "L-4"),
    ]
    assert sal_acceptance(records) == Rate(1, 3)


def test_time_to_first_contact() -> None:
    record = lead_in("mql", "L-1")
    record, _ = advance(record, event("contact_attempt", hours=5))
    record, _ = advance(record, event("contact_attempt", hours=6))
    waiting = lead_in("mql", "L-2")
    started_in_mql = new_lead("L-3", "mql")
    delays = time_to_first_contact([record, waiting, started_in_mql])
    assert [(d.lead_id, d.delay) for d in delays] == [
        ("L-1", timedelta(hours=3)),
        ("L-2", None),
    ]
    assert median_delay(delays) == timedelta(hours=3)
    assert median_delay([]) is None


def test_rejection_reasons_per_campaign() -> None:
    records = [
        lead_in("nurture", "L-1"),
        lead_in("disqualified", "L-2"),
        lead_in("lost", "L-3"),
    ]
    by_campaign = rejection_reasons(records)
    assert by_campaign == {"webinar-q4": {"wrong_timing": 1, "too_small": 1}}


def test_reason_actions_turn_feedback_into_action() -> None:
    records = [lead_in("disqualified", "L-1"), lead_in("disqualified", "L-2"), lead_in("lost")]
    actions = reason_actions(records)
    assert [(a.code, a.count) for a in actions] == [("too_small", 2), ("no_budget", 1)]
    assert actions[0].marketing_action == "tighten ICP criteria in lead scoring"
