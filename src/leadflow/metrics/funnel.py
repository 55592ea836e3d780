"""Funnel metrics over histories: stage counts, inventory, flows, conversions and velocity.

Every rate is a :class:`~leadflow.lifecycle.Rate` (numerator, denominator, ``value`` that is
``None`` for 0/0). Period filters pick a *cohort* by the time of the step that defines it; each
function's docstring names that step.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple

from leadflow._time import to_utc
from leadflow.lifecycle import Actor, Rate, Stage, TransitionKind, time_in_stages
from leadflow.metrics.history import History, Period, in_period

__all__ = (
    "FUNNEL",
    "Flow",
    "StageVelocity",
    "conversion",
    "flows",
    "inventory_at",
    "lead_to_opportunity",
    "median",
    "percentile",
    "sal_acceptance",
    "stage_conversions",
    "stage_counts",
    "velocity",
    "win_rate",
)

FUNNEL: tuple[str, ...] = (Stage.MQL, Stage.SAL, Stage.SQL, Stage.OPPORTUNITY, Stage.WON)
"""The consecutive stages of the default funnel whose conversions are reported."""

_REJECTIONS = frozenset({TransitionKind.REJECT.value, TransitionKind.DISQUALIFY.value})


def stage_counts(histories: Iterable[History]) -> Counter[str]:
    """How many leads stand in each stage now."""
    return Counter(h.record.stage for h in histories)


def _moves(history: History) -> list[tuple[datetime, str | None, str]]:
    """The lead's moves between stages: its creation (from ``None``) and each stage change."""
    moves: list[tuple[datetime, str | None, str]] = []
    started = history.started_at
    if started is not None:
        moves.append((started, None, history.record.origin))
    moves.extend(
        (s.event.at, s.source, s.target) for s in history.record.history if s.source != s.target
    )
    return moves


def inventory_at(histories: Iterable[History], at: datetime) -> Counter[str]:
    """How many leads stood in each stage when instant ``at`` began.

    A lead exists from its ``started_at``; moves at exactly ``at`` are not counted yet, so that
    ``inventory_at(end) − inventory_at(start)`` equals the flows over ``[start, end)``.

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.
    """
    at = to_utc(at, "at")
    counts: Counter[str] = Counter()
    for history in histories:
        stage: str | None = None
        for when, _source, target in _moves(history):
            if when >= at:
                break
            stage = target
        if stage is not None:
            counts[stage] += 1
    return counts


class Flow(NamedTuple):
    """Moves into and out of one stage during a period (creation counts as inflow)."""

    stage: str
    inflow: int
    outflow: int

    @property
    def net(self) -> int:
        """``inflow − outflow``: the change of the stage's inventory over the period."""
        return self.inflow - self.outflow


def flows(histories: Iterable[History], period: Period) -> tuple[Flow, ...]:
    """Inflow and outflow of every stage touched during ``period``, sorted by stage name."""
    inflow: Counter[str] = Counter()
    outflow: Counter[str] = Counter()
    for history in histories:
        for when, source, target in _moves(history):
            if period.start <= when < period.end:
                inflow[target] += 1
                if source is not None:
                    outflow[source] += 1
    stages = sorted(set(inflow) | set(outflow))
    return tuple(Flow(s, inflow[s], outflow[s]) for s in stages)


def _cycles(history: History, entered: str) -> dict[int, tuple[datetime | None, set[str]]]:
    """Per cycle that entered ``entered``: when, and the stages reached afterwards."""
    record = history.record
    cycles: dict[int, tuple[datetime | None, set[str]]] = {}
    if record.origin == entered:
        cycles[0] = (history.started_at, set())
    for step in record.history:
        if step.source == step.target:
            continue
        if step.target == entered and step.cycle not in cycles:
            cycles[step.cycle] = (step.event.at, set())
        elif step.cycle in cycles:
            cycles[step.cycle][1].add(step.target)
    return cycles


def conversion(
    histories: Iterable[History],
    entered: str,
    reached: str,
    *,
    period: Period | None = None,
    recycled_as_new: bool = True,
) -> Rate:
    """The share of cycles that entered ``entered`` (in ``period``) and later reached ``reached``.

    Each cycle of a recycled lead counts as a lead of its own (``recycled_as_new``), as in
    :func:`leadflow.lifecycle.conversion`; the cohort is picked by the time of entering.
    """
    hits = total = 0
    for history in histories:
        cycles = [
            reached in later
            for when, later in _cycles(history, entered).values()
            if in_period(period, when)
        ]
        if not cycles:
            continue
        if recycled_as_new:
            total += len(cycles)
            hits += sum(cycles)
        else:
            total += 1
            hits += any(cycles)
    return Rate(hits, total)


def stage_conversions(
    histories: Iterable[History],
    stages: Sequence[str] = FUNNEL,
    *,
    period: Period | None = None,
) -> tuple[tuple[str, str, Rate], ...]:
    """Conversion between each pair of consecutive stages (MQL→SAL, SAL→SQL, ...)."""
    items = list(histories)
    return tuple(
        (a, b, conversion(items, a, b, period=period)) for a, b in itertools.pairwise(stages)
    )


def lead_to_opportunity(
    histories: Iterable[History],
    *,
    period: Period | None = None,
    opportunity: str = Stage.OPPORTUNITY,
) -> Rate:
    """The share of leads (each lead once, cohort by ``started_at``) that ever became an
    opportunity."""
    hits = total = 0
    for history in histories:
        if not in_period(period, history.started_at):
            continue
        total += 1
        hits += history.record.origin == opportunity or any(
            s.target == opportunity for s in history.record.history
        )
    return Rate(hits, total)


def win_rate(
    histories: Iterable[History],
    *,
    period: Period | None = None,
    won: str = Stage.WON,
    lost: str = Stage.LOST,
) -> Rate:
    """Won opportunities out of the decided ones (won + lost), decided in ``period``."""
    wins = decided = 0
    for history in histories:
        for step in history.record.history:
            if step.target in (won, lost) and step.source != step.target:
                if not in_period(period, step.event.at):
                    continue
                decided += 1
                wins += step.target == won
    return Rate(wins, decided)


def sal_acceptance(
    histories: Iterable[History],
    *,
    period: Period | None = None,
    mql: str = Stage.MQL,
    sal: str = Stage.SAL,
) -> Rate:
    """The share of sales decisions on MQLs that accepted them (below 60 % signals a problem).

    The definition of :func:`leadflow.lifecycle.sal_acceptance`: decisions are the steps out of
    ``mql`` into ``sal`` (accepted) and the rejections and disqualifications of an MQL by sales;
    the cohort is picked by the time of the decision.
    """
    accepted = decided = 0
    for history in histories:
        for step in history.record.history:
            if step.source != mql or not in_period(period, step.event.at):
                continue
            if step.target == sal:
                accepted += 1
                decided += 1
            elif step.kind in _REJECTIONS and step.event.actor == Actor.SALES:
                decided += 1
    return Rate(accepted, decided)


def median(values: Sequence[timedelta]) -> timedelta | None:
    """The median of sorted ``values`` (mean of the middle two), ``None`` when empty."""
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def percentile(values: Sequence[timedelta], share: float) -> timedelta | None:
    """The nearest-rank percentile of sorted ``values`` (``share`` 0.9 for p90)."""
    if not values:
        return None
    return values[max(0, math.ceil(share * len(values)) - 1)]


class StageVelocity(NamedTuple):
    """How long stays in a stage lasted: count, median and p90 (wall-clock)."""

    stage: str
    cycle: int | None
    """The cycle, or ``None`` when all cycles are pooled."""
    stays: int
    median: timedelta | None
    p90: timedelta | None


_RANK = {s: i for i, s in enumerate((Stage.COLD, Stage.IQL, *FUNNEL[:-1], Stage.NURTURE))}


def _order(stage: str, cycle: int | None) -> tuple[int, int, str]:
    """Cycles in order, stages in funnel order (unknown stages after, by name)."""
    return (cycle or 0, _RANK.get(stage, len(_RANK)), stage)


def velocity(
    histories: Iterable[History], *, period: Period | None = None, by_cycle: bool = False
) -> tuple[StageVelocity, ...]:
    """Median and p90 time in each stage over the finished stays (left in ``period``).

    With ``by_cycle`` each cycle of recycled leads is reported on its own row.
    """
    durations: dict[tuple[str, int | None], list[timedelta]] = {}
    for history in histories:
        for stay in time_in_stages(history.record, created_at=history.created_at):
            if stay.duration is None or stay.left_at is None:
                continue
            if not in_period(period, stay.left_at):
                continue
            key = (stay.stage, stay.cycle if by_cycle else None)
            durations.setdefault(key, []).append(stay.duration)
    result = []
    for (stage, cycle), values in sorted(durations.items(), key=lambda kv: _order(*kv[0])):
        values.sort()
        result.append(
            StageVelocity(stage, cycle, len(values), median(values), percentile(values, 0.9))
        )
    return tuple(result)
