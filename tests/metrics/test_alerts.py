"""Alerts: thresholds as values, minimum sample, settling, per group, the escalation ladder."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest

from leadflow.lifecycle import Rate
from leadflow.metrics import (
    DEFAULT_THRESHOLDS,
    Threshold,
    evaluate_alerts,
    icp_rejections,
    weeks,
)
from tests.metrics.helpers import CALENDAR, at, history

BERLIN = ZoneInfo("Europe/Berlin")
SAL = replace(DEFAULT_THRESHOLDS[3], min_sample=1, window=None)  # each week on its own leads


def rejected_every_week(count: int, *, campaign: str = "webinar", start: int = 0):
    """One MQL per week from week ``start`` on, rejected by sales an hour after it came in."""
    return [
        history(
            f"L-{campaign}-{w}",
            [("reject", w * 168 + 1, "no_icp_fit")],
            created=w * 168,
            campaign=campaign,
        )
        for w in range(start, start + count)
    ]


PERIODS = weeks(date(2026, 11, 2), date(2027, 2, 7), BERLIN)  # 14 weeks from Monday 2 Nov


def test_the_ladder_climbs_with_the_length_of_the_streak() -> None:
    alerts = evaluate_alerts(
        rejected_every_week(14), PERIODS, CALENDAR, now=at(24 * 7 * 15), thresholds=[SAL]
    )
    by_week = sorted(alerts, key=lambda a: a.period_start)
    assert [a.streak for a in by_week] == list(range(1, 15))
    assert [a.level for a in by_week] == ["1 week"] * 3 + ["1 month"] * 9 + [
        "3 months in a row"
    ] * 2
    assert by_week[3].audience == "vp_sales, vp_marketing"
    assert by_week[-1].audience == "executive_board"
    assert alerts[0].level == "3 months in a row"  # the highest rung first
    assert by_week[0].message == (
        "sal_acceptance 0.0 % (0/1) is below 60 % in 2026-W45. Action: tell revops."
        " Escalation: marketing_ops, sales_ops."
    )


def test_a_week_without_a_miss_breaks_the_streak_and_current_keeps_open_misses_only() -> None:
    leads = [*rejected_every_week(5), history("L-ok", [("accept", 5 * 168 + 1)], created=5 * 168)]
    leads += rejected_every_week(2, start=6)
    alerts = evaluate_alerts(leads, PERIODS[:8], CALENDAR, now=at(24 * 7 * 9), thresholds=[SAL])
    assert max(a.streak for a in alerts) == 5
    current = evaluate_alerts(
        leads, PERIODS[:8], CALENDAR, now=at(24 * 7 * 9), thresholds=[SAL], current=True
    )
    assert [(a.period, a.streak, a.level) for a in current] == [("2026-W52", 2, "1 week")]


def test_minimum_sample_keeps_small_groups_quiet() -> None:
    leads = rejected_every_week(3)
    assert evaluate_alerts(leads, PERIODS[:3], CALENDAR, now=at(24 * 7 * 4)) == ()
    assert DEFAULT_THRESHOLDS[3].missed(Rate(0, 19)) is None
    assert DEFAULT_THRESHOLDS[3].missed(Rate(0, 20)) is True
    assert DEFAULT_THRESHOLDS[3].missed(Rate(0, 0)) is None


def test_alerts_per_group_judge_each_group_on_its_own_leads() -> None:
    leads = rejected_every_week(2, campaign="fair") + [
        history(f"L-ok-{w}-{i}", [("accept", w * 168 + 1)], created=w * 168, campaign="web")
        for w in range(2)
        for i in range(2)
    ]
    alerts = evaluate_alerts(
        leads, PERIODS[:2], CALENDAR, now=at(24 * 7 * 3), thresholds=[SAL], by="campaign"
    )
    assert {(a.group_field, a.group) for a in alerts} == {("campaign", "fair")}
    pooled = evaluate_alerts(leads, PERIODS[:2], CALENDAR, now=at(24 * 7 * 3), thresholds=[SAL])
    assert pooled == ()  # 2 of 3 accepted each week: 66.7 %


def test_a_cohort_rate_waits_for_its_settle_time() -> None:
    mql_to_sql = replace(DEFAULT_THRESHOLDS[0], min_sample=1, window=None)
    assert mql_to_sql.settle == timedelta(days=14)
    leads = rejected_every_week(1)
    assert (
        evaluate_alerts(leads, PERIODS[:1], CALENDAR, now=at(24 * 10), thresholds=[mql_to_sql])
        == ()
    )
    late = evaluate_alerts(leads, PERIODS[:1], CALENDAR, now=at(24 * 22), thresholds=[mql_to_sql])
    assert [a.metric for a in late] == ["mql_to_sql"]


def test_icp_rejections_counts_only_sales_rejections_with_icp_reasons() -> None:
    leads = [
        history("L-1", [("reject", 1, "too_small")]),
        history("L-2", [("reject", 1, "no_budget")]),
        history("L-3", [("disqualify", 1, "wrong_industry")]),
    ]
    assert icp_rejections(leads) == Rate(2, 3)
    custom = Threshold("icp_rejections", 0.5, "above", "workshop", min_sample=3)
    assert custom.missed(icp_rejections(leads)) is True


def test_overlapping_periods_are_refused() -> None:
    from leadflow.errors import ConfigurationError
    from leadflow.metrics import Period

    overlapping = [Period(at(0), at(48), "a"), Period(at(24), at(72), "b")]
    with pytest.raises(ConfigurationError, match="alert periods a and b overlap"):
        evaluate_alerts([], overlapping, CALENDAR, now=at(100))


def test_a_window_judges_each_week_on_the_rate_of_the_window_before_its_end() -> None:
    # 5 rejections in weeks 0-4, one acceptance in week 5, 2 rejections in weeks 6-7
    leads = [*rejected_every_week(5), history("L-ok", [("accept", 5 * 168 + 1)], created=5 * 168)]
    leads += rejected_every_week(2, start=6)
    windowed = replace(SAL, window=timedelta(days=30))
    alerts = evaluate_alerts(
        leads, PERIODS[:8], CALENDAR, now=at(24 * 7 * 9), thresholds=[windowed]
    )
    by_week = sorted(alerts, key=lambda a: a.period_start)
    # the acceptance is one of four in the 30 days before week 5 ends: still a miss
    assert [a.streak for a in by_week] == list(range(1, 9))
    assert by_week[5].rate == Rate(1, 4)  # weeks 2-5; week 1 lies 31 days back
    assert by_week[0].rate == Rate(0, 1)  # the window reaches back before the first week


def test_uncontacted_within_an_elapsed_limit_counts_wall_clock_time() -> None:
    # handed over Friday 17:00 Berlin, contacted Monday 09:00: 64 hours, 2 business hours
    friday = 4 * 24 + 8
    leads = [history("L-1", [("contact_attempt", friday + 64)], created=friday)]
    business = Threshold("not_contacted_24h", 0.10, "above", "tell sales", min_sample=1)
    elapsed = replace(business, clock="elapsed")
    now = at(24 * 14)
    assert evaluate_alerts(leads, PERIODS[:1], CALENDAR, now=now, thresholds=[business]) == ()
    (alert,) = evaluate_alerts(leads, PERIODS[:1], CALENDAR, now=now, thresholds=[elapsed])
    assert alert.rate == Rate(1, 1)


def test_the_icp_threshold_counts_its_own_reasons() -> None:
    leads = [
        history("L-1", [("reject", 1, "no_budget")]),
        history("L-2", [("reject", 1, "too_small")]),
    ]
    budget = Threshold(
        "icp_rejections",
        0.6,
        "above",
        "tell finance",
        min_sample=1,
        reasons=frozenset({"no_budget", "too_small"}),
    )
    icp = replace(budget, reasons=DEFAULT_THRESHOLDS[2].reasons)
    now = at(24 * 8)
    (alert,) = evaluate_alerts(leads, PERIODS[:1], CALENDAR, now=now, thresholds=[budget, icp])
    assert (alert.action, alert.rate) == ("tell finance", Rate(2, 2))


def test_an_empty_ladder_is_refused() -> None:
    from leadflow.errors import ConfigurationError

    with pytest.raises(ConfigurationError, match="the escalation ladder has no rung"):
        evaluate_alerts([], PERIODS[:1], CALENDAR, now=at(100), ladder=())


def test_a_month_of_weekly_misses_reaches_its_rung_across_a_dst_change() -> None:
    # 8 March to 4 April 2027: four weeks, 27 days 23 hours of physical time (DST on 28 March)
    spring = weeks(date(2027, 3, 8), date(2027, 4, 4), BERLIN)
    assert spring[-1].end - spring[0].start == timedelta(days=28, hours=-1)
    leads = rejected_every_week(4, start=18)  # 18 weeks after Monday 2 November: 8 March
    assert all(spring[0].contains(h.record.history[0].event.at) for h in leads[:1])
    alerts = evaluate_alerts(leads, spring, CALENDAR, now=spring[-1].end, thresholds=[SAL])
    by_week = sorted(alerts, key=lambda a: a.period_start)
    assert [a.level for a in by_week] == ["1 week"] * 3 + ["1 month"]
