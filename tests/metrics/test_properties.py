"""Invariants of the metrics over random synthetic histories."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow.lifecycle import Rate
from leadflow.metrics import (
    DEFAULT_LADDER,
    MODELS,
    Period,
    Threshold,
    attribute,
    build_report,
    cohort_rates,
    conversion,
    evaluate_alerts,
    first_contacts,
    flows,
    group_by,
    icp_rejections,
    inventory_at,
    marketing_sourced,
    not_contacted_within,
    read_histories,
    sal_acceptance,
    stage_counts,
    synthetic_histories,
    time_in_stages,
    velocity,
    weeks,
    weights,
)
from tests.metrics.helpers import CALENDAR

START = datetime(2026, 9, 7, tzinfo=UTC)
NOW = START + timedelta(days=70)
FIELDS = ("campaign", "channel", "owner", "temperature", "country", "no_such_field")

histories = st.builds(
    lambda count, seed: synthetic_histories(count, start=START, days=60, seed=seed),
    st.integers(0, 25),
    st.integers(0, 2**32),
)
instants = st.integers(-5, 75 * 24).map(lambda h: START + timedelta(hours=h))


def rates_in(data: Any) -> list[dict[str, Any]]:
    """Every rate (numerator, denominator, value) anywhere in the report's JSON data."""
    if isinstance(data, dict):
        found = [data] if set(data) == {"numerator", "denominator", "value"} else []
        return found + [r for v in data.values() for r in rates_in(v)]
    if isinstance(data, list):
        return [r for v in data for r in rates_in(v)]
    return []


@settings(max_examples=25)
@given(histories)
def test_every_rate_lies_in_zero_to_one_and_none_only_for_zero_denominators(items) -> None:
    data = build_report(items, calendar=CALENDAR, now=NOW).to_dict()
    rates = rates_in(data)
    assert len(rates) >= 10
    for rate in rates:
        assert 0 <= rate["numerator"] <= rate["denominator"]
        if rate["denominator"] == 0:
            assert rate["value"] is None
        else:
            assert 0 <= rate["value"] <= 1


@given(histories, instants, instants)
def test_inflow_minus_outflow_is_the_change_in_inventory(items, a, b) -> None:
    start, end = min(a, b), max(a, b)
    before, after = inventory_at(items, start), inventory_at(items, end)
    net = Counter()
    for flow in flows(items, Period(start, end)):
        net[flow.stage] += flow.net
    for stage in set(before) | set(after) | set(net):
        assert after[stage] - before[stage] == net[stage]


def _sum(rates: list[Rate]) -> Rate:
    return Rate(sum(r.numerator for r in rates), sum(r.denominator for r in rates))


@given(histories, st.sampled_from(FIELDS), instants)
def test_grouping_partitions_the_totals(items, field, cut) -> None:
    groups = group_by(items, field)
    assert sum(len(g) for g in groups.values()) == len(items)
    period = Period(START, max(START, cut + timedelta(hours=1)))
    metrics = (
        lambda h: conversion(h, "mql", "sql", period=period),
        lambda h: sal_acceptance(h, period=period),
        lambda h: icp_rejections(h, period=period),
        lambda h: not_contacted_within(first_contacts(h, CALENDAR), CALENDAR, now=NOW),
    )
    for metric in metrics:
        assert _sum([metric(g) for g in groups.values()]) == metric(items)
    assert sum((stage_counts(g) for g in groups.values()), Counter()) == stage_counts(items)
    pair = ("mql", "sql")
    by_group = cohort_rates(items, [pair], period=period, by=field)
    assert _sum([rates[pair] for rates in by_group.values()]) == metrics[0](items)


STAGES = ("cold", "iql", "mql", "sal", "sql", "opportunity", "won", "lost", "nurture")


@given(
    histories,
    st.lists(
        st.tuples(st.sampled_from(STAGES), st.sampled_from(STAGES)),
        min_size=1,
        max_size=8,
        unique=True,
    ),
    st.sampled_from(FIELDS),
    instants,
)
def test_cohort_rates_are_conversion_per_pair_and_group(items, pairs, field, cut) -> None:
    period = Period(START, max(START, cut + timedelta(hours=1)))
    by_group = cohort_rates(items, pairs, period=period, by=field)
    groups = group_by(items, field)
    assert set(by_group) == set(groups)
    for key, group in groups.items():
        for a, b in pairs:
            assert by_group[key][a, b] == conversion(group, a, b, period=period)


@given(st.integers(1, 300), st.sampled_from(MODELS))
def test_attribution_weights_sum_to_one_per_deal(count, model) -> None:
    shares = weights(count, model)
    assert len(shares) == count
    assert abs(sum(shares) - 1) < 1e-9
    assert all(0 <= s <= 1 for s in shares)


@given(histories, st.sampled_from(MODELS), st.sampled_from(("campaign", "channel")))
def test_attribution_spreads_all_won_revenue(items, model, by) -> None:
    total = sum(attribute(items, model=model, by=by).values())
    assert abs(total - marketing_sourced(items).total) < 1e-6 * max(1.0, total)


@settings(max_examples=15)
@given(histories, st.randoms(use_true_random=False))
def test_another_interleaving_of_leads_gives_the_same_report(items, random) -> None:
    lines = [json.dumps(h.to_dict()) for h in items]
    shuffled = lines[:]
    random.shuffle(shuffled)
    first = build_report(read_histories(lines), calendar=CALENDAR, now=NOW, alert_by="channel")
    again = build_report(read_histories(shuffled), calendar=CALENDAR, now=NOW, alert_by="channel")
    assert first.to_json() == again.to_json()
    assert first == again


ALWAYS = [
    Threshold(metric, 2.0, "below", "look", min_sample=1)
    for metric in ("mql_to_sql", "not_contacted_24h", "icp_rejections", "sal_acceptance")
]


@settings(max_examples=25)
@given(histories, st.sampled_from(("campaign", "channel", None)))
def test_alert_rates_are_the_metrics_own_rates_per_period_and_group(items, by) -> None:
    periods = weeks(START.date(), (NOW - timedelta(days=1)).date(), CALENDAR.timezone)
    alerts = evaluate_alerts(items, periods, CALENDAR, now=NOW, by=by, thresholds=ALWAYS)
    contacts = first_contacts(items, CALENDAR)
    reused = evaluate_alerts(
        items, periods, CALENDAR, now=NOW, by=by, thresholds=ALWAYS, contacts=contacts
    )
    assert reused == alerts
    functions = {
        "mql_to_sql": lambda h, p: conversion(h, "mql", "sql", period=p),
        "not_contacted_24h": lambda h, p: not_contacted_within(
            first_contacts(h, CALENDAR, period=p), CALENDAR, now=NOW
        ),
        "icp_rejections": lambda h, p: icp_rejections(h, period=p),
        "sal_acceptance": lambda h, p: sal_acceptance(h, period=p),
    }
    groups = group_by(items, by) if by else {None: items}
    starts = {p.start: p for p in periods}
    for alert in alerts:
        expected = functions[alert.metric](groups[alert.group], starts[alert.period_start])
        assert alert.rate == expected
    for metric, function in functions.items():
        for period in periods:
            if period.end + timedelta(days=14) > NOW:
                continue
            for key, members in groups.items():
                if function(members, period).denominator:
                    assert any(
                        a.metric == metric and a.group == key and a.period_start == period.start
                        for a in alerts
                    )


@given(histories, instants, instants)
def test_velocity_counts_exactly_the_finished_stays_of_time_in_stages(items, a, b) -> None:
    period = Period(min(a, b), max(a, b))
    expected: Counter[tuple[str, int]] = Counter()
    for history in items:
        for stay in time_in_stages(history.record, created_at=history.created_at):
            if (
                stay.duration is not None
                and stay.left_at is not None
                and period.contains(stay.left_at)
            ):
                expected[stay.stage, stay.cycle] += 1
    rows = velocity(items, period=period, by_cycle=True)
    assert {(v.stage, v.cycle): v.stays for v in rows} == dict(expected)
    assert all(v.median is not None and v.p90 is not None and v.median <= v.p90 for v in rows)


@settings(max_examples=25)
@given(
    histories,
    st.sampled_from(("mql_to_sql", "not_contacted_24h", "icp_rejections", "sal_acceptance")),
    st.sampled_from(("below", "above")),
    st.floats(0, 1),
    st.floats(0, 1),
    st.sampled_from((None, timedelta(days=30))),
)
def test_a_stricter_threshold_never_removes_an_alert(
    items, metric, direction, first, second, window
) -> None:
    low, high = sorted((first, second))
    # "below": raising the limit is stricter; "above": lowering it is
    loose, strict = (low, high) if direction == "below" else (high, low)
    periods = weeks(START.date(), (NOW - timedelta(days=1)).date(), CALENDAR.timezone)

    def misses(limit: float) -> dict[tuple[object, datetime], tuple[int, str]]:
        threshold = Threshold(metric, limit, direction, "tell", min_sample=1, window=window)
        found = evaluate_alerts(items, periods, CALENDAR, now=NOW, thresholds=[threshold])
        return {(a.group, a.period_start): (a.streak, a.level) for a in found}

    before, after = misses(loose), misses(strict)
    assert set(before) <= set(after)
    rungs = [rung.level for rung in DEFAULT_LADDER]
    for key, (streak, level) in before.items():
        assert after[key][0] >= streak
        assert rungs.index(after[key][1]) >= rungs.index(level)
