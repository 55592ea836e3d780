"""Funnel metrics: counts, inventory, flows, conversions, win rate, SAL acceptance, velocity."""

from __future__ import annotations

from datetime import timedelta

from leadflow.lifecycle import Rate
from leadflow.metrics import (
    Flow,
    Period,
    conversion,
    flows,
    inventory_at,
    lead_to_opportunity,
    sal_acceptance,
    stage_conversions,
    stage_counts,
    velocity,
    win_rate,
)
from tests.metrics.helpers import at, history

WON = history("L-won", [("accept", 1), ("qualify", 30), ("convert", 50), ("win", 100)])
LOST = history(
    "L-lost", [("accept", 2), ("qualify", 20), ("convert", 40), ("lose", 90, "no_budget")]
)
REJECTED = history("L-rej", [("reject", 3, "no_icp_fit")], created=1)
RECYCLED = history(
    "L-rec",
    [
        ("accept", 2),
        ("recycle", 10, "wrong_timing"),
        ("reengage", 200),
        ("accept", 201),
        ("qualify", 230),
    ],
)
ALL = [WON, LOST, REJECTED, RECYCLED]


def test_a_zero_denominator_is_none_not_an_error() -> None:
    assert conversion([], "mql", "sql") == Rate(0, 0)
    assert conversion([], "mql", "sql").value is None
    assert win_rate([]).value is None
    assert sal_acceptance([]).value is None


def test_conversions_count_cycles_and_the_cohort_is_picked_by_entry_time() -> None:
    assert [(a, b, str(r)) for a, b, r in stage_conversions(ALL)] == [
        ("mql", "sal", "4/5 (80.0 %)"),
        ("sal", "sql", "3/4 (75.0 %)"),
        ("sql", "opportunity", "2/3 (66.7 %)"),
        ("opportunity", "won", "1/2 (50.0 %)"),
    ]
    assert conversion(ALL, "mql", "sql", recycled_as_new=False) == Rate(3, 4)
    second_cycle = Period(at(150), at(250))
    assert conversion(ALL, "mql", "sql", period=second_cycle) == Rate(1, 1)


def test_lead_to_opportunity_win_rate_and_sal_acceptance() -> None:
    assert lead_to_opportunity(ALL) == Rate(2, 4)
    assert win_rate(ALL) == Rate(1, 2)
    assert win_rate(ALL, period=Period(at(95), at(200))) == Rate(1, 1)
    assert sal_acceptance(ALL) == Rate(4, 5)
    # marketing's disqualification of an MQL is not a sales decision
    marketing = history("L-m", [("disqualify", 3, "duplicate")])
    record = marketing.record._replace(
        history=tuple(
            s._replace(
                event=type(s.event)(s.event.name, s.event.at, "marketing", reason=s.event.reason)
            )
            for s in marketing.record.history
        )
    )
    assert sal_acceptance([type(marketing)(record, marketing.fields)]) == Rate(0, 0)


def test_stage_counts_inventory_and_flows_agree() -> None:
    assert stage_counts(ALL) == {"won": 1, "lost": 1, "nurture": 1, "sql": 1}
    period = Period(at(0), at(60))
    assert inventory_at(ALL, at(0)) == {}  # created at hour 0: not there yet when 0 begins
    assert inventory_at(ALL, at(60))["opportunity"] == 2
    assert Flow("mql", 4, 4) in flows(ALL, period)
    assert Flow("opportunity", 2, 0) in flows(ALL, period)
    before, after = inventory_at(ALL, period.start), inventory_at(ALL, period.end)
    for flow in flows(ALL, period):
        assert after[flow.stage] - before[flow.stage] == flow.net


def test_velocity_median_and_p90_per_stage_and_cycle() -> None:
    rows = {(v.stage, v.cycle): v for v in velocity(ALL, by_cycle=True)}
    assert rows[("mql", 0)].stays == 4
    assert rows[("mql", 0)].median == timedelta(hours=2)
    assert rows[("mql", 0)].p90 == timedelta(hours=2)  # nearest rank of 1, 2, 2, 2
    assert rows[("mql", 1)].median == timedelta(hours=1)
    assert rows[("nurture", 0)].median == timedelta(hours=190)
    pooled = {v.stage: v for v in velocity(ALL)}
    assert pooled["mql"].stays == 5
    assert pooled["mql"].cycle is None
    assert [v.stage for v in velocity(ALL)][:3] == ["mql", "sal", "sql"]
