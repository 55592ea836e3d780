"""Alerts: the agreement's thresholds per period and group, with the escalation ladder.

A threshold is a value (:class:`Threshold`), not code; :data:`DEFAULT_THRESHOLDS` holds the
source material's four. A period is judged only when the metric's denominator reaches the
threshold's ``min_sample`` (default 20), so that three leads do not page a VP; a period with
too few leads breaks a streak of misses. A cohort rate is judged only once its ``settle`` time
after the period has passed (MQL→SQL: 14 days, the feedback window). Consecutive misses climb :data:`DEFAULT_LADDER`:
a week → marketing ops and sales ops, a month (28 days) → VP review, three months in a row
(89 days) → executive intervention.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final, Literal

from leadflow._time import to_utc
from leadflow.errors import ConfigurationError
from leadflow.lifecycle import Actor, Rate, Stage, TransitionKind
from leadflow.metrics.funnel import _enters, _outcome, _paths
from leadflow.metrics.history import FieldValue, History, Period
from leadflow.metrics.response import FirstContact, _missed, first_contacts
from leadflow.sla import BusinessCalendar

__all__ = (
    "DEFAULT_LADDER",
    "DEFAULT_THRESHOLDS",
    "ICP_REASONS",
    "Alert",
    "Rung",
    "Threshold",
    "evaluate_alerts",
    "icp_rejections",
)

ICP_REASONS: Final = frozenset({"no_icp_fit", "too_small", "wrong_industry"})
"""The reasons that count as "outside the ICP" for the ICP alert."""

_REJECTIONS = frozenset({TransitionKind.REJECT.value, TransitionKind.DISQUALIFY.value})
_MQL: Final = frozenset({Stage.MQL.value})


@dataclass(frozen=True, slots=True)
class Threshold:
    """An agreed limit on a metric: alert when the rate is ``below`` or ``above`` ``limit``."""

    metric: Literal["mql_to_sql", "not_contacted_24h", "icp_rejections", "sal_acceptance"]
    limit: float
    direction: Literal["below", "above"]
    action: str
    """What the agreement says happens (who is informed, which workshop)."""
    min_sample: int = 20
    settle: timedelta = timedelta(0)
    """How long after a period ends before it is judged: a cohort rate (MQL→SQL) needs time
    for the leads to convert, so the latest week would always look bad."""

    def missed(self, rate: Rate) -> bool | None:
        """Whether ``rate`` misses the limit; ``None`` when the sample is too small."""
        value = rate.value
        if value is None or rate.denominator < self.min_sample:
            return None
        return value < self.limit if self.direction == "below" else value > self.limit


DEFAULT_THRESHOLDS: Final[tuple[Threshold, ...]] = (
    Threshold("mql_to_sql", 0.30, "below", "inform marketing", settle=timedelta(days=14)),
    Threshold("not_contacted_24h", 0.10, "above", "inform sales leadership"),
    Threshold("icp_rejections", 0.20, "above", "ICP clarification workshop"),
    Threshold(
        "sal_acceptance", 0.60, "below", "review qualification (bad leads or cherry-picking)"
    ),
)


@dataclass(frozen=True, slots=True)
class Rung:
    """A rung of the escalation ladder: misses spanning ``days`` or more go to ``audience``."""

    days: float
    level: str
    audience: str


DEFAULT_LADDER: Final[tuple[Rung, ...]] = (
    Rung(0, "ops", "marketing ops and sales ops"),
    Rung(28, "vp", "VP review"),
    Rung(89, "executive", "executive intervention"),
)


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


def _items(
    calendar: BusinessCalendar,
    now: datetime,
    contacts: Mapping[str, Sequence[FirstContact]] | None,
) -> dict[str, Callable[[History], Iterator[Outcome]]]:
    """Per metric: the counted items of one history, as the metric's own function counts them."""

    def mql_to_sql(history: History) -> Iterator[Outcome]:
        if not _enters(history, _MQL):
            return
        for path in _paths(history).values():
            outcome = _outcome(path, Stage.MQL, Stage.SQL)
            if outcome is not None and outcome[0] is not None:
                yield outcome[0], outcome[1]

    def sal(history: History) -> Iterator[Outcome]:
        for step in history.record.history:
            if step.source != Stage.MQL:
                continue
            if step.target == Stage.SAL:
                yield step.event.at, True
            elif step.kind in _REJECTIONS and step.event.actor == Actor.SALES:
                yield step.event.at, False

    def icp(history: History) -> Iterator[Outcome]:
        for step in history.record.history:
            if step.kind in _REJECTIONS and step.event.actor == Actor.SALES:
                yield step.event.at, step.event.reason in ICP_REASONS

    day = timedelta(hours=24)

    def not_contacted(history: History) -> Iterator[Outcome]:
        found = (
            first_contacts((history,), calendar)
            if contacts is None
            else contacts.get(history.lead_id, ())
        )
        for contact in found:
            verdict = _missed(contact, day, calendar, now)
            if verdict is not None:
                yield contact.handed_at, verdict

    return {
        "mql_to_sql": mql_to_sql,
        "not_contacted_24h": not_contacted,
        "icp_rejections": icp,
        "sal_acceptance": sal,
    }


def _counts(
    items: Sequence[History],
    metric: Callable[[History], Iterator[Outcome]],
    periods: Sequence[Period],
    by: str | None,
) -> dict[tuple[FieldValue, int], list[int]]:
    """[hits, total] per (group, period index), in one pass over the histories."""
    starts = [p.start for p in periods]
    counts: dict[tuple[FieldValue, int], list[int]] = {}
    for history in items:
        key = None if by is None else history.fields.get(by)
        for when, hit in metric(history):
            index = bisect_right(starts, when) - 1
            if index < 0 or when >= periods[index].end:
                continue
            cell = counts.get((key, index))
            if cell is None:
                cell = counts[key, index] = [0, 0]
            cell[0] += hit
            cell[1] += 1
    return counts


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

    Raises:
        NaiveDatetimeError: ``now`` has no time zone.
        ConfigurationError: two periods overlap.
    """
    now = to_utc(now, "now")
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
    metrics = _items(calendar, now, by_lead)
    counted = {
        name: _counts(items, metrics[name], ordered, by) for name in {t.metric for t in thresholds}
    }
    alerts: list[Alert] = []
    for key in keys:
        for threshold in thresholds:
            counts = counted[threshold.metric]
            streak_start: datetime | None = None
            streak = 0
            found: list[Alert] = []
            for index, period in enumerate(ordered):
                if period.end + threshold.settle > now:
                    continue
                rate = Rate(*counts.get((key, index), (0, 0)))
                if not threshold.missed(rate):
                    streak_start, streak = None, 0
                    if current:
                        found.clear()
                    continue
                if streak_start is None:
                    streak_start = period.start
                streak += 1
                rung = _rung(ladder, (period.end - streak_start) / timedelta(days=1))
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
