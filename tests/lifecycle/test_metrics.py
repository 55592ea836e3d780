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


def test_metrics_on_a_hand_computed_funnel() -> None:
    """Five leads, every number worked out by hand in the comments."""
    promote = {"lead": HANDOFF}
    # A: promoted at 2 h (webinar), accepted at 3 h, first contact at 5 h, SQL at 6 h.
    a = advance_all(
        lead_in("iql", "A"),
        [
            event("promote", "marketing", 2, campaign="webinar", **promote),
            event("accept", hours=3),
            event("contact_attempt", hours=5),
            event("qualify", hours=6, qualification=PASSED),
        ],
    )
    # B: starts as an MQL (no entry time), rejected at 1 h (fair), back at 24 h, accepted at
    # 25 h, first contact at 30 h: a second cycle.
    b = advance_all(
        new_lead("B", "mql"),
        [
            event("reject", hours=1, reason="only_information", campaign="fair"),
            event("reengage", "system", 24, **promote),
            event("accept", hours=25),
            event("contact_attempt", hours=30),
        ],
    )
    # C: promoted at 2 h (webinar), disqualified by sales at 4 h: too small.
    c = advance_all(
        lead_in("iql", "C"),
        [
            event("promote", "marketing", 2, campaign="webinar", **promote),
            event("disqualify", hours=4, reason="too_small"),
        ],
    )
    # D: promoted at 2 h (fair), disqualified by marketing at 3 h: a duplicate (no sales decision).
    d = advance_all(
        lead_in("iql", "D"),
        [
            event("promote", "marketing", 2, campaign="fair", **promote),
            event("disqualify", "marketing", 3, reason="duplicate"),
        ],
    )
    # E: promoted at 2 h, nothing since.
    e = advance_all(lead_in("iql", "E"), [event("promote", "system", 2, **promote)])
    leads = [a, b, c, d, e]
    # MQL cycles: A, B (twice), C, D, E = 6, of which A reached SQL; per lead 1 of 5.
    assert mql_to_sql(leads) == Rate(1, 6)
    assert mql_to_sql(leads, recycled_as_new=False) == Rate(1, 5)
    # Sales decisions on MQLs: A accept, B reject, B accept, C disqualify = 2 of 4.
    assert sal_acceptance(leads) == Rate(2, 4)
    assert str(sal_acceptance(leads)) == "2/4 (50.0 %)"
    # First contact: A 5 h - 2 h = 3 h; B's second cycle 30 h - 24 h = 6 h; C, D, E never.
    delays = {(x.lead_id, x.cycle): x.delay for x in time_to_first_contact(leads)}
    assert delays == {
        ("A", 0): timedelta(hours=3),
        ("B", 1): timedelta(hours=6),
        ("C", 0): None,
        ("D", 0): None,
        ("E", 0): None,
    }
    assert median_delay(time_to_first_contact(leads)) == timedelta(hours=4, minutes=30)
    # Reasons per campaign: B's rejection names "fair"; C and D inherit their promotion's.
    assert rejection_reasons(leads) == {
        "fair": {"only_information": 1, "duplicate": 1},
        "webinar": {"too_small": 1},
    }
    assert [(r.code, r.count) for r in reason_actions(leads)] == [
        ("duplicate", 1),
        ("only_information", 1),
        ("too_small", 1),
    ]
    assert (
        reason_actions(leads)[1].marketing_action == "nurture path instead of direct sales handoff"
    )
