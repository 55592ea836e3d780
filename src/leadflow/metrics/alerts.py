"""Alerts: the agreement's thresholds per period and group, with the escalation ladder.

A threshold is a value (:class:`Threshold`), not code; :data:`DEFAULT_THRESHOLDS` holds the
four of the shipped agreement (``examples/agreement.lf``, read by
:func:`~leadflow.metrics.alert_rules`; a test keeps the two equal). A period is judged only
when the metric's denominator reaches the threshold's ``min_sample`` (default 20), so that
three leads do not page a VP; a period with too few leads breaks a streak of misses. With a
``window`` (``alerts over 30 days``) each period is judged on the rate of the ``window``
before its end, else on the period's own. A cohort rate is judged only once its ``settle``
time after the period has passed (MQL→SQL: 14 days, the feedback window). Consecutive misses
climb :data:`DEFAULT_LADDER`: a week → marketing ops and sales ops, a month (28 days) → the
VPs, three months in a row (89 days) → the executive board.
"""

from __future__ import annotations

import itertools
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from operator import itemgetter
from typing import Final, Literal, NamedTuple

from leadflow._time import to_utc
from leadflow.agreement.model import MIN_SAMPLE
from leadflow.errors import ConfigurationError
from leadflow.lifecycle import Actor, Rate, Stage, TransitionKind
from leadflow.metrics.funnel import _enters, _outcome, _paths, ever_in, with_steps
from leadflow.metrics.history import FieldValue, History, Period, check_period, check_periods
from leadflow.metrics.response import FirstContact, _missed, first_contacts
from leadflow.reasons import STANDARD_REASONS
from leadflow.sla import BusinessCalendar

__all__ = (
    "DEFAULT_LADDER",
    "DEFAULT_THRESHOLDS",
    "ICP_REASONS",
    "Alert",
    "AlertRules",
    "Rung",
    "Threshold",
    "evaluate_alerts",
    "icp_rejections",
)

ICP_REASONS: Final = frozenset(r.code for r in STANDARD_REASONS.values() if r.category == "icp")
"""The reasons that count as "outside the ICP" for the ICP alert: the standard reasons of
category ``icp`` (what ``rejected icp`` names in the agreement)."""

_REJECTIONS = frozenset({TransitionKind.REJECT.value, TransitionKind.DISQUALIFY.value})
_MQL: Final = frozenset({Stage.MQL.value})
_OF_MQLS: Final = frozenset({"mql_to_sql", "not_contacted_24h", "sal_acceptance"})
"""The metrics that count nothing of a lead never in ``mql`` (handoffs, decisions on MQLs)."""


@dataclass(frozen=True, slots=True)
class Threshold:
    """An agreed limit on a metric: alert when the rate is ``below`` or ``above`` ``limit``."""

    metric: Literal["mql_to_sql", "not_contacted_24h", "icp_rejections", "sal_acceptance"]
    limit: float
    direction: Literal["below", "above"]
    action: str
    """What the agreement says happens (who is informed, which workshop)."""
    min_sample: int = MIN_SAMPLE
    """The fewest leads in the rate's denominator for a verdict (20: the agreement's default,
    ``alerts over 30 days, at least 20 leads``)."""
    settle: timedelta = timedelta(0)
    """How long after a period ends before it is judged: a cohort rate (MQL→SQL) needs time
    for the leads to convert, so the latest week would always look bad."""
    window: timedelta | None = None
    """The span each period is judged on, ending with the period (``alerts over 30 days``);
    ``None``: the period itself."""
    within: timedelta = timedelta(hours=24)
    """``not_contacted_24h``: the first-contact limit (``uncontacted within 24 business
    hours``)."""
    clock: Literal["business", "elapsed"] = "business"
    """``not_contacted_24h``: whether ``within`` is business time on the report's calendar."""
    reasons: frozenset[str] = ICP_REASONS
    """``icp_rejections``: the rejection reasons counted as hits (``rejected icp``: every
    reason of category ``icp``)."""

    def missed(self, rate: Rate) -> bool | None:
        """Whether ``rate`` misses the limit; ``None`` when the sample is too small."""
        value = rate.value
        if value is None or rate.denominator < self.min_sample:
            return None
        return value < self.limit if self.direction == "below" else value > self.limit


_MONTH: Final = timedelta(days=30)

DEFAULT_THRESHOLDS: Final[tuple[Threshold, ...]] = (
    Threshold(
        "mql_to_sql", 0.30, "below", "tell marketing", settle=timedelta(days=14), window=_MONTH
    ),
    Threshold("not_contacted_24h", 0.10, "above", "tell sales_leadership", window=_MONTH),
    Threshold("icp_rejections", 0.20, "above", "tell icp_workshop", window=_MONTH),
    Threshold("sal_acceptance", 0.60, "below", "tell revops", window=_MONTH),
)
"""The shipped agreement's ``alerts over 30 days { ... }``."""


@dataclass(frozen=True, slots=True)
class Rung:
    """A rung of the escalation ladder: misses spanning ``days`` or more go to ``audience``.

    The first rung is the floor: every miss reaches at least it.
    """

    days: float
    level: str
    audience: str


DEFAULT_LADDER: Final[tuple[Rung, ...]] = (
    Rung(7.0, "1 week", "marketing_ops, sales_ops"),
    Rung(28.0, "1 month", "vp_sales, vp_marketing"),
    Rung(89.0, "3 months in a row", "executive_board"),
)
"""The shipped agreement's ``escalate misses { ... }``: a month is 28 days, three months in a
row 89 (the shortest such spans, so a calendar month of misses always reaches its rung)."""


class AlertRules(NamedTuple):
    """An agreement's thresholds and escalation ladder (:func:`~leadflow.metrics.alert_rules`)."""

    thresholds: tuple[Threshold, ...]
    ladder: tuple[Rung, ...]


@dataclass(frozen=True, slots=True)
class Alert:
    """A missed threshold in one period and group, with its rung on the ladder."""

    metric: str
    period: str
    period_start: datetime
    group_field: str | None
    group: FieldValue
    rate: Rate
    limit: float
    direction: str
    streak: int
    """How many periods in a row (this one included) missed the threshold."""
    level: str
    audience: str
    action: str

    @property
    def message(self) -> str:
        """One line for a person: what, where, how far off, and who acts."""
        where = "" if self.group_field is None else f" for {self.group_field}={self.group}"
        value = self.rate.value or 0.0
        row = "" if self.streak == 1 else f", {self.streak} periods in a row"
        return (
            f"{self.metric} {value * 100:.1f} % ({self.rate.numerator}/{self.rate.denominator})"
            f" is {self.direction} {self.limit * 100:.0f} % in {self.period}{where}{row}."
            f" Action: {self.action}. Escalation: {self.audience}."
        )


def icp_rejections(
    histories: Iterable[History],
    *,
    period: Period | None = None,
    reasons: frozenset[str] = ICP_REASONS,
) -> Rate:
    """Rejections and disqualifications by sales (in ``period``) whose reason is outside the
    ICP, out of all of them."""
    check_period(period)
    hits = total = 0
    for history in histories:
        for step in history.record.history:
            if step.kind not in _REJECTIONS or step.event.actor != Actor.SALES:
                continue
            if period is not None and not period.contains(step.event.at):
                continue
            total += 1
            hits += step.event.reason in reasons
    return Rate(hits, total)


Outcome = tuple[datetime, bool]
"""One counted item of a rate: its anchor time (picks the period) and whether it is a hit."""


Metric = Callable[[History, list[Outcome]], None]
"""Appends one history's counted items for a threshold's metric to the list given."""


def _items(
    threshold: Threshold,
    calendar: BusinessCalendar,
    now: datetime,
    contacts: Mapping[str, Sequence[FirstContact]] | None,
) -> Metric:
    """The counted items of one history for ``threshold``'s metric, as its own function counts."""

    def mql_to_sql(history: History, out: list[Outcome]) -> None:
        if not _enters(history, _MQL):
            return
        for path in _paths(history).values():
            outcome = _outcome(path, Stage.MQL, Stage.SQL)
            if outcome is not None and outcome[0] is not None:
                out.append((outcome[0], outcome[1]))

    def sal(history: History, out: list[Outcome]) -> None:
        for step in history.record.history:
            if step.source != Stage.MQL:
                continue
            if step.target == Stage.SAL:
                out.append((step.event.at, True))
            elif step.kind in _REJECTIONS and step.event.actor == Actor.SALES:
                out.append((step.event.at, False))

    reasons = threshold.reasons

    def icp(history: History, out: list[Outcome]) -> None:
        for step in history.record.history:
            if step.kind in _REJECTIONS and step.event.actor == Actor.SALES:
                out.append((step.event.at, step.event.reason in reasons))

    within = threshold.within
    business = threshold.clock == "business"

    def not_contacted(history: History, out: list[Outcome]) -> None:
        found = (
            first_contacts((history,), calendar)
            if contacts is None
            else contacts.get(history.record.lead_id, ())
        )
        for contact in found:
            if business:
                verdict = _missed(contact, within, calendar, now)
            elif contact.contacted_at is not None:
                verdict = contact.contacted_at - contact.handed_at > within
            else:
                verdict = True if now >= contact.handed_at + within else None
            if verdict is not None:
                out.append((contact.handed_at, verdict))

    metrics: dict[str, Metric] = {
        "mql_to_sql": mql_to_sql,
        "not_contacted_24h": not_contacted,
        "icp_rejections": icp,
        "sal_acceptance": sal,
    }
    return metrics[threshold.metric]


class _Series(NamedTuple):
    """One group's counted items in time order: their times and the running count of hits."""

    times: list[datetime]
    hits: list[int]
    """``hits[i]``: hits among the first ``i`` items."""

    def rate(self, start: datetime, end: datetime) -> Rate:
        low, high = bisect_left(self.times, start), bisect_left(self.times, end)
        return Rate(self.hits[high] - self.hits[low], high - low)


def _series(items: Sequence[History], metric: Metric, by: str | None) -> dict[FieldValue, _Series]:
    """Per group of ``by``: the metric's counted items in time order, in one pass."""
    found: dict[FieldValue, list[Outcome]] = {}
    if by is None:
        outcomes: list[Outcome] = []
        found[None] = outcomes
        for history in items:
            metric(history, outcomes)
    else:
        for history in items:
            key = history.fields.get(by)
            group = found.get(key)
            if group is None:
                group = found[key] = []
            metric(history, group)
    series = {}
    for key, group in found.items():
        group.sort(key=itemgetter(0))
        series[key] = _Series(
            [when for when, _ in group],
            list(itertools.accumulate((hit for _, hit in group), initial=0)),
        )
    return series


_NONE: Final = _Series([], [0])


def _counted_as(threshold: Threshold) -> tuple[object, ...]:
    """What decides the counted items: thresholds that share it share one pass."""
    if threshold.metric == "not_contacted_24h":
        return (threshold.metric, threshold.within, threshold.clock)
    if threshold.metric == "icp_rejections":
        return (threshold.metric, threshold.reasons)
    return (threshold.metric,)


def _wall_days(start: datetime, end: datetime, zone: tzinfo) -> float:
    """Days from ``start`` to ``end`` on the wall clock of ``zone``: four weeks across a DST
    change are 28 days (27 days 23 hours of physical time)."""
    local = end.astimezone(zone).replace(tzinfo=None) - start.astimezone(zone).replace(tzinfo=None)
    return local / timedelta(days=1)


def _rung(ladder: Sequence[Rung], days: float) -> Rung:
    chosen = ladder[0]
    for rung in ladder:
        if days >= rung.days:
            chosen = rung
    return chosen


def evaluate_alerts(
    histories: Iterable[History],
    periods: Sequence[Period],
    calendar: BusinessCalendar,
    *,
    now: datetime,
    by: str | None = None,
    thresholds: Sequence[Threshold] = DEFAULT_THRESHOLDS,
    ladder: Sequence[Rung] = DEFAULT_LADDER,
    current: bool = False,
    contacts: Iterable[FirstContact] | None = None,
) -> tuple[Alert, ...]:
    """Every missed threshold per period (in order) and per group of lead field ``by``.

    With ``current``, only the misses still open: those of the latest period judged for each
    threshold and group (what this week's report pages about). Sorted with the highest rung
    and the latest period first. ``contacts``: the result of :func:`first_contacts` over the
    same histories without a period, when the caller has it (saves the business-time math).
    A threshold with a ``window`` judges each period on the rate of the ``window`` ending with
    it (reaching back before the first period); misses of consecutive periods climb ``ladder``.

    Raises:
        NaiveDatetimeError: ``now`` has no time zone.
        ConfigurationError: two periods overlap, or the ladder has no rung.
    """
    now = to_utc(now, "now")
    periods = check_periods(periods)
    zone = calendar.timezone
    if not ladder:
        raise ConfigurationError(
            "the escalation ladder has no rung; expected at least one, e.g. DEFAULT_LADDER",
            field="ladder",
            value=ladder,
            expected="at least one Rung",
        )
    ordered = sorted(periods)
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise ConfigurationError(
                f"alert periods {before.label or before.start} and {after.label or after.start}"
                " overlap; expected consecutive periods such as weeks() or months()",
                field="periods",
                value=(before, after),
                expected="non-overlapping periods",
            )
    items = list(histories)
    keys = sorted(
        {None} if by is None else {h.fields.get(by) for h in items},
        key=lambda k: (k is None, k or ""),
    )
    by_lead: dict[str, list[FirstContact]] | None = None
    if contacts is not None:
        by_lead = {}
        for contact in contacts:
            by_lead.setdefault(contact.lead_id, []).append(contact)
    counted: dict[tuple[object, ...], dict[FieldValue, _Series]] = {}
    mqls: list[History] | None = None
    for threshold in thresholds:
        same = _counted_as(threshold)
        if same not in counted:
            read = items
            if threshold.metric in _OF_MQLS:
                read = mqls = ever_in(items, _MQL) if mqls is None else mqls
            elif threshold.metric == "icp_rejections":  # counts steps only
                read = with_steps(items)
            counted[same] = _series(read, _items(threshold, calendar, now, by_lead), by)
    alerts: list[Alert] = []
    for key in keys:
        for threshold in thresholds:
            series = counted[_counted_as(threshold)].get(key, _NONE)
            streak_start: datetime | None = None
            streak = 0
            found: list[Alert] = []
            for period in ordered:
                if period.end + threshold.settle > now:
                    continue
                start = period.start if threshold.window is None else period.end - threshold.window
                rate = series.rate(start, period.end)
                if not threshold.missed(rate):
                    streak_start, streak = None, 0
                    if current:
                        found.clear()
                    continue
                if streak_start is None:
                    streak_start = period.start
                streak += 1
                rung = _rung(ladder, _wall_days(streak_start, period.end, zone))
                if current:
                    found.clear()
                found.append(
                    Alert(
                        threshold.metric,
                        period.label or period.start.date().isoformat(),
                        period.start,
                        by,
                        key,
                        rate,
                        threshold.limit,
                        threshold.direction,
                        streak,
                        rung.level,
                        rung.audience,
                        threshold.action,
                    )
                )
            alerts.extend(found)
    levels = {rung.level: i for i, rung in enumerate(ladder)}
    alerts.sort(
        key=lambda a: (-levels.get(a.level, 0), -a.period_start.timestamp(), a.metric, str(a.group))
    )
    return tuple(alerts)
