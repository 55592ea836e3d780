"""The weekly report: every number the revenue-operations lead reads, built in one call.

:func:`build_report` computes the sections from histories; :class:`Report` holds them and
renders Markdown, JSON and a self-contained HTML page (alerts first, then funnel, SLA
compliance, reasons with actions, velocity, planning).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from operator import attrgetter
from types import MappingProxyType
from typing import Any

from leadflow._time import to_utc
from leadflow.agreement import Agreement
from leadflow.errors import ArgumentTypeError
from leadflow.lifecycle import Rate, ReasonCount, Stage
from leadflow.metrics.agreed import alert_rules
from leadflow.metrics.alerts import (
    DEFAULT_LADDER,
    DEFAULT_THRESHOLDS,
    Alert,
    Rung,
    Threshold,
    evaluate_alerts,
)
from leadflow.metrics.attribution import MarketingSourced, Model, attribute, marketing_sourced
from leadflow.metrics.eventlog import aging_limits as agreed_aging_limits
from leadflow.metrics.funnel import (
    FUNNEL,
    StageVelocity,
    cohort_rates,
    ever_in,
    lead_to_opportunity,
    sal_acceptance,
    stage_counts,
    velocity,
    win_rate,
    with_steps,
)
from leadflow.metrics.history import (
    FieldValue,
    History,
    Period,
    check_period,
    check_periods,
    check_unique,
    weeks,
)
from leadflow.metrics.planning import (
    Coverage,
    ReverseFunnel,
    check_number,
    open_pipeline,
    pipeline_coverage,
    reverse_funnel,
)
from leadflow.metrics.render import report_to_dict, report_to_html, report_to_markdown
from leadflow.metrics.response import (
    DEFAULT_TARGETS,
    AgingLead,
    AgingLimit,
    ResponseTimes,
    TouchesBeforeUnreachable,
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
from leadflow.sla import BusinessCalendar

__all__ = ("Report", "build_report")

_HANDED = frozenset({*FUNNEL, Stage.LOST})
"""The stages a lead is in once handed to sales."""


@dataclass(frozen=True, slots=True)
class Report:
    """Every section of the report, as values; render with ``to_markdown``/``to_json``/``to_html``."""

    title: str
    period: Period
    now: datetime
    by: str | None
    leads: int
    events: int
    alerts: tuple[Alert, ...]
    """The misses still open: each threshold and group missed in its latest judged week."""
    stage_counts: Mapping[str, int]
    entered: tuple[tuple[str, int], ...]
    """Cycles entering each funnel stage in the period (the funnel chart)."""
    conversions: tuple[tuple[str, str, Rate], ...]
    lead_to_opportunity: Rate
    win_rate: Rate
    sal_acceptance: Rate
    mql_to_sql_by: Mapping[FieldValue, Rate]
    not_contacted: Rate
    response: ResponseTimes
    feedback: Rate
    routing: Rate
    """Marketing's routing within 5 minutes (lead field ``routed_at``; 0/0 without it)."""
    touches: TouchesBeforeUnreachable
    weekly_first_contact: tuple[tuple[date, int, timedelta | None], ...]
    reasons: Mapping[FieldValue, tuple[ReasonCount, ...]]
    velocity: tuple[StageVelocity, ...]
    aging: tuple[AgingLead, ...]
    coverage: Coverage | None
    reverse_funnel: ReverseFunnel | None
    sourced: MarketingSourced
    attribution: Mapping[FieldValue, float]
    attribution_model: str
    first_contact_target: timedelta

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (durations in hours, rates with their counts)."""
        return report_to_dict(self)

    def to_json(self) -> str:
        """The report as a JSON document (keys sorted, stable across runs)."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=True, ensure_ascii=False)

    def to_markdown(self) -> str:
        """The report as Markdown: alerts first, then funnel, SLAs, reasons, velocity, planning."""
        return report_to_markdown(self)

    def to_html(self) -> str:
        """One self-contained HTML page with the funnel and the weekly trend as inline SVG."""
        return report_to_html(self)


def build_report(
    histories: Iterable[History],
    *,
    calendar: BusinessCalendar,
    now: datetime,
    period: Period | None = None,
    by: str | None = "campaign",
    alert_periods: Sequence[Period] | None = None,
    alert_by: str | None = None,
    thresholds: Sequence[Threshold] | None = None,
    ladder: Sequence[Rung] | None = None,
    agreement: Agreement | None = None,
    targets: Mapping[str | None, timedelta] = DEFAULT_TARGETS,
    aging_limits: Mapping[str, timedelta | AgingLimit] | None = None,
    revenue_target: float | None = None,
    average_deal_size: float | None = None,
    attribution_model: Model = "u_shaped",
    title: str = "Lead funnel report",
) -> Report:
    """Compute the report over ``histories`` (one per lead, in any order).

    ``period`` picks the cohorts (default: from the earliest lead to ``now``); ``by`` names the
    lead field for MQL→SQL and reasons per group; alerts are judged per week of the period
    (``alert_periods``), per group of ``alert_by`` when given. Planning appears when
    ``revenue_target`` (for the period) is given; the reverse funnel needs
    ``average_deal_size`` too. ``aging_limits`` per stage (elapsed time or an
    :class:`AgingLimit`, e.g. :func:`~leadflow.metrics.aging_limits` of the agreement) pick
    the leads aging beyond the agreed limit; none given, none are listed.

    With ``agreement``, its alert thresholds and escalation ladder
    (:func:`~leadflow.metrics.alert_rules`) and its aging limits are the report's, unless
    ``thresholds``, ``ladder`` or ``aging_limits`` are given; without it, the defaults
    (:data:`DEFAULT_THRESHOLDS`, :data:`DEFAULT_LADDER`: the shipped agreement's) and no aging
    limits.

    Raises:
        NaiveDatetimeError: ``now`` has no time zone.
        ConfigurationError: a lead appears twice; ``revenue_target`` is negative, NaN or
            infinite; ``average_deal_size`` is not a positive finite number.
        ArgumentTypeError: ``histories`` is not an iterable of :class:`History`, ``period``
            not a :class:`Period`, ``alert_periods`` not a sequence of them, ``by`` or
            ``alert_by`` not a field name, or a planning figure not a number.
        OutOfRangeError: the reverse funnel would need more than 10**12 leads a month.
    """
    check_period(period)
    if revenue_target is not None:
        check_number(revenue_target, "revenue_target")
    if average_deal_size is not None:
        check_number(average_deal_size, "average_deal_size", above=True)
    if alert_periods is not None:
        alert_periods = check_periods(alert_periods, "alert_periods")
    for name, value in (("by", by), ("alert_by", alert_by)):
        if value is not None and not isinstance(value, str):
            raise ArgumentTypeError(name, value, "a lead field name or None")
    now = to_utc(now, "now")
    rules = None if agreement is None else alert_rules(agreement)
    if thresholds is None:
        thresholds = DEFAULT_THRESHOLDS if rules is None else rules.thresholds
    if ladder is None:
        ladder = DEFAULT_LADDER if rules is None else rules.ladder
    if aging_limits is None and agreement is not None:
        aging_limits = dict(agreed_aging_limits(agreement))
    items = sorted(check_unique(histories), key=attrgetter("record.lead_id"))
    if period is None:
        starts = [at for h in items if (at := h.started_at) is not None]
        first = min(starts, default=now)
        period = Period(first, max(now, first + timedelta(seconds=1)), "all")
    zone = calendar.timezone
    if alert_periods is None:
        first_day = period.start.astimezone(zone).date()
        last = (period.end - timedelta(microseconds=1)).astimezone(zone).date()
        alert_periods = weeks(first_day, max(first_day, last), zone)  # an empty period: 1 week
    group_field = by or "campaign"
    # The sections on handoffs, decisions on MQLs and deals count no lead that never was in
    # one of these stages, and some sections count steps only: each reads only the leads it
    # can count (the same numbers; tested).
    handed = ever_in(items, _HANDED)
    moved = with_steps(items)  # the sections that only read steps
    every_contact = first_contacts(handed, calendar)
    contacts = tuple(c for c in every_contact if period.contains(c.handed_at))
    steps = list(itertools.pairwise(FUNNEL))
    mql_sql = (Stage.MQL, Stage.SQL)
    entries = [(stage, stage) for stage in FUNNEL]  # denominators: cycles entering the stage
    pairs = [*steps, mql_sql, *entries]
    by_group = cohort_rates(items, pairs, period=period, by=group_field)
    totals = {pair: [0, 0] for pair in pairs}
    for group_rates in by_group.values():
        for pair, rate in group_rates.items():
            totals[pair][0] += rate.numerator
            totals[pair][1] += rate.denominator
    conversions = tuple((a, b, Rate(*totals[a, b])) for a, b in steps)
    rates = {(a, b): r.value for a, b, r in conversions}
    coverage = reverse = None
    if revenue_target is not None:
        coverage = pipeline_coverage(open_pipeline(handed), revenue_target)
        if average_deal_size is not None:
            months = max(1, round(period.days / 30.4))
            reverse = reverse_funnel(
                revenue_target,
                average_deal_size,
                win_rate=rates.get((Stage.OPPORTUNITY, Stage.WON)),
                sql_to_opportunity=rates.get((Stage.SQL, Stage.OPPORTUNITY)),
                sal_to_sql=rates.get((Stage.SAL, Stage.SQL)),
                mql_to_sal=rates.get((Stage.MQL, Stage.SAL)),
                months=months,
            )
    return Report(
        title=title,
        period=period,
        now=now,
        by=group_field,
        leads=len(items),
        events=sum(len(h.record.history) for h in moved),
        alerts=evaluate_alerts(
            items,
            alert_periods,
            calendar,
            now=now,
            by=alert_by,
            thresholds=thresholds,
            ladder=ladder,
            current=True,
            contacts=every_contact,
        ),
        stage_counts=MappingProxyType(dict(sorted(stage_counts(items).items()))),
        entered=tuple((stage, totals[stage, stage][1]) for stage in FUNNEL),
        conversions=conversions,
        lead_to_opportunity=lead_to_opportunity(items, period=period),
        win_rate=win_rate(handed, period=period),
        sal_acceptance=sal_acceptance(handed, period=period),
        mql_to_sql_by=MappingProxyType(
            {
                key: by_group[key][mql_sql]
                for key in sorted(by_group, key=lambda k: (k is None, k or ""))
            }
        ),
        not_contacted=not_contacted_within(contacts, calendar, now=now),
        response=response_times(contacts, calendar, now=now, targets=targets),
        feedback=feedback_within(handed, now=now, period=period),
        routing=routing_within(handed, period=period),
        touches=touches_before_unreachable(moved, period=period),
        weekly_first_contact=weekly_first_contact(contacts, calendar),
        reasons=MappingProxyType(reasons_by(moved, group_field, period=period)),
        velocity=velocity(moved, period=period, by_cycle=True),
        aging=aging(items, aging_limits or {}, now=now),
        coverage=coverage,
        reverse_funnel=reverse,
        sourced=marketing_sourced(handed, period=period),
        attribution=MappingProxyType(
            dict(
                sorted(
                    attribute(handed, model=attribution_model, period=period).items(),
                    key=lambda kv: (-kv[1], str(kv[0])),
                )
            )
        ),
        attribution_model=attribution_model,
        first_contact_target=targets.get(None, timedelta(hours=24)),
    )
