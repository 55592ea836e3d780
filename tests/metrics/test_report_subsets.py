"""``build_report`` and ``evaluate_alerts`` hand some metrics only the leads they can count
(ever handed to sales, ever in ``mql``, with steps): each gives the same result on that subset
as on every lead, over random walks through the default graph."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow.lifecycle import DEFAULT_GRAPH, HandoffEvent, new_lead, try_advance
from leadflow.metrics import (
    History,
    Period,
    attribute,
    conversion,
    evaluate_alerts,
    feedback_within,
    first_contacts,
    group_by,
    icp_rejections,
    marketing_sourced,
    not_contacted_within,
    reasons_by,
    routing_within,
    sal_acceptance,
    synthetic_histories,
    touches_before_unreachable,
    velocity,
    weeks,
    win_rate,
)
from leadflow.metrics.alerts import _MQL
from leadflow.metrics.funnel import FUNNEL, ever_in
from leadflow.metrics.history import Touch
from leadflow.metrics.planning import open_pipeline
from leadflow.metrics.report import _HANDED
from tests.metrics.helpers import CALENDAR, DATA, PASSED
from tests.metrics.test_properties import ALWAYS

START = datetime(2026, 9, 7, tzinfo=UTC)
NOW = START + timedelta(days=70)
ORIGINS = tuple(DEFAULT_GRAPH.entry)
CAMPAIGNS = ("webinar", "ads", "fair", None)


def walk(lead_id: str, rng: random.Random) -> History:
    """A lead from a random entry stage, moved by random events the graph allows from where it
    stands (refused ones skipped), with random fields."""
    record = new_lead(lead_id, rng.choice(ORIGINS))
    created = at = START + timedelta(hours=rng.randrange(0, 40 * 24))
    for _ in range(rng.randrange(0, 9)):
        at += timedelta(minutes=rng.randrange(1, 6 * 24 * 60))
        names = DEFAULT_GRAPH.allowed_events(record.stage)
        if not names:
            break
        name = rng.choice(names)
        if name == "disqualify" and rng.random() < 0.85:  # terminal: keep most leads going
            name = rng.choice(names)
        transition = next(
            (t for t in DEFAULT_GRAPH.transitions if t.name == name and t.source == record.stage),
            None,  # contact_attempt: a touch, not a transition
        )
        actors: tuple[str, ...] = ("sales",)
        extra: dict[str, Any] = {}
        if transition is not None:
            actors = transition.actors
            if transition.reasons and (transition.requires_reason or rng.random() < 0.5):
                extra["reason"] = rng.choice(transition.reasons)
        if name in ("promote", "reengage"):
            extra["lead"] = DATA
        if name == "qualify":
            extra["qualification"] = PASSED
        event = HandoffEvent(name, at, rng.choice(actors), **extra)
        outcome = try_advance(record, event)
        if outcome.status == "applied":
            record = outcome.record
    routed = created + timedelta(minutes=rng.randrange(0, 20))
    fields = {
        "owner": rng.choice(("rep-1", "rep-2", None)),
        "campaign": rng.choice(CAMPAIGNS),
        "channel": rng.choice(("paid", "organic", None)),
        "temperature": rng.choice(("hot", "warm", "cold", None)),
        "routed_at": rng.choice((routed.isoformat(), "not a time", None)),
        "sourced_by": rng.choice(("marketing", "sales", None)),
    }
    touches = tuple(
        Touch(created - timedelta(days=rng.randrange(1, 30)), c, "paid")
        for c in rng.sample(("webinar", "ads", "fair"), rng.randrange(0, 3))
    )
    amount = rng.choice((None, float(rng.randrange(1_000, 90_000))))
    return History(record, fields, created, amount, tuple(sorted(touches)))


leads = st.builds(
    lambda count, seed, synthetic: (
        [walk(f"w{i}", random.Random(seed * 1_000 + i)) for i in range(count)]
        + synthetic_histories(synthetic, start=START, days=60, seed=seed)
    ),
    st.integers(0, 40),
    st.integers(0, 2**32),
    st.integers(0, 10),
)
periods = st.one_of(
    st.none(),
    st.tuples(st.integers(0, 70), st.integers(1, 40)).map(
        lambda p: Period(START + timedelta(days=p[0]), START + timedelta(days=p[0] + p[1]))
    ),
)


def test_the_subsets_are_the_stages_they_name() -> None:
    assert {*FUNNEL, "lost"} == _HANDED
    assert {"mql"} == _MQL


@settings(max_examples=60)
@given(leads, periods)
def test_the_sections_fed_a_subset_count_the_same_as_over_every_lead(items, period) -> None:
    handed = ever_in(items, _HANDED)
    moved = [h for h in items if h.record.history]
    assert all(h in items for h in handed)
    same_on_handed = (
        lambda h: first_contacts(h, CALENDAR),
        lambda h: win_rate(h, period=period),
        lambda h: sal_acceptance(h, period=period),
        lambda h: feedback_within(h, now=NOW, period=period),
        lambda h: routing_within(h, period=period),
        lambda h: marketing_sourced(h, period=period),
        lambda h: attribute(h, period=period),
        lambda h: attribute(h, model="linear", by="channel", period=period),
        open_pipeline,
    )
    for function in same_on_handed:
        assert function(handed) == function(items)
    same_on_moved = (
        lambda h: touches_before_unreachable(h, period=period),
        lambda h: reasons_by(h, "campaign", period=period),
        lambda h: velocity(h, period=period, by_cycle=True),
    )
    for function in same_on_moved:
        assert function(moved) == function(items)
    in_mql = ever_in(items, _MQL)
    assert first_contacts(in_mql, CALENDAR) == first_contacts(items, CALENDAR)
    assert sal_acceptance(in_mql, period=period) == sal_acceptance(items, period=period)


RATES = {
    "mql_to_sql": lambda h, p: conversion(h, "mql", "sql", period=p),
    "not_contacted_24h": lambda h, p: not_contacted_within(
        first_contacts(h, CALENDAR, period=p), CALENDAR, now=NOW
    ),
    "icp_rejections": lambda h, p: icp_rejections(h, period=p),
    "sal_acceptance": lambda h, p: sal_acceptance(h, period=p),
}


@settings(max_examples=30)
@given(leads, st.sampled_from(("campaign", "channel", None)))
def test_every_alert_rate_is_the_metric_over_every_lead_of_its_group(items, by) -> None:
    weekly = weeks(START.date(), (NOW - timedelta(days=1)).date(), CALENDAR.timezone)
    alerts = evaluate_alerts(items, weekly, CALENDAR, now=NOW, by=by, thresholds=ALWAYS)
    groups = group_by(items, by) if by else {None: items}
    starts = {p.start: p for p in weekly}
    for alert in alerts:
        assert alert.rate == RATES[alert.metric](groups[alert.group], starts[alert.period_start])
    assert {a.metric for a in alerts} <= set(RATES)


@settings(max_examples=30)
@given(leads)
def test_ever_in_keeps_exactly_the_leads_with_such_an_origin_or_step(items) -> None:
    for stages in ({"mql"}, _HANDED, {"cold", "won"}, frozenset()):
        kept = ever_in(items, frozenset(stages))
        expected = [
            h
            for h in items
            if h.record.origin in stages or any(s.target in stages for s in h.record.history)
        ]
        assert kept == expected
