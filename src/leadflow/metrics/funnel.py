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
from collections.abc import Set as AbstractSet
from datetime import datetime, timedelta
from operator import attrgetter, itemgetter
from typing import NamedTuple

from leadflow._time import to_utc
from leadflow.lifecycle import Actor, Rate, Stage, Step, TransitionKind
from leadflow.metrics.history import FieldValue, History, Period, check_period, in_period

__all__ = (
    "FUNNEL",
    "Flow",
    "StageVelocity",
    "cohort_rates",
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


_STAGE = attrgetter("record.stage")


def stage_counts(histories: Iterable[History]) -> Counter[str]:
    """How many leads stand in each stage now."""
    return Counter(map(_STAGE, histories))


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
    check_period(period, optional=False)
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


Path = list[tuple[str, "datetime | None"]]
"""The stages a lead entered in one cycle, in order, with the time of entering."""


def _paths(history: History) -> dict[int, Path]:
    """Per cycle: the stages entered, in order (the origin with ``started_at`` in cycle 0)."""
    record = history.record
    first: Path = [(record.origin, history.started_at)]
    paths: dict[int, Path] = {0: first}
    current, path = 0, first
    for step in record.history:
        target = step.target
        if step.source != target:
            cycle = step.cycle
            if cycle != current:
                found = paths.get(cycle)
                if found is None:
                    found = paths[cycle] = []
                current, path = cycle, found
            path.append((target, step.event.at))
    return paths


_TARGET = itemgetter(Step._fields.index("target"))
"""A step's ``target``, read in C."""


def _enters(history: History, stages: AbstractSet[str]) -> bool:
    """Whether the lead ever was in one of ``stages`` (its origin or a step's target)."""
    record = history.record
    return record.origin in stages or not stages.isdisjoint(map(_TARGET, record.history))


def ever_in(histories: Iterable[History], stages: AbstractSet[str]) -> list[History]:
    """The histories of the leads that ever were in one of ``stages`` (origin or a step)."""
    return [h for h in histories if _enters(h, stages)]


def with_steps(histories: Iterable[History]) -> list[History]:
    """The histories of the leads with at least one recorded step."""
    return [h for h in histories if h.record.history]


def _outcome(path: Path, entered: str, reached: str) -> tuple[datetime | None, bool] | None:
    """When the cycle first entered ``entered`` and whether it reached ``reached`` later."""
    for index, (stage, when) in enumerate(path):
        if stage == entered:
            return when, any(s == reached for s, _ in path[index + 1 :])
    return None


def cohort_rates(
    histories: Iterable[History],
    pairs: Sequence[tuple[str, str]],
    *,
    period: Period | None = None,
    by: str | None = None,
) -> dict[FieldValue, dict[tuple[str, str], Rate]]:
    """:func:`conversion` for many stage pairs and every group of lead field ``by``, in one pass.

    Each cycle of a recycled lead counts on its own; the cohort of a pair ``(a, b)`` is the
    cycles that entered ``a`` in ``period``.
    """
    check_period(period)
    counts: dict[FieldValue, dict[tuple[str, str], list[int]]] = {}
    from_stage: dict[str, list[tuple[str, str]]] = {}
    for pair in pairs:
        from_stage.setdefault(pair[0], []).append(pair)
    for history in histories:
        key = None if by is None else history.fields.get(by)
        cells = counts.get(key)
        if cells is None:
            cells = counts[key] = {pair: [0, 0] for pair in pairs}
        if not _enters(history, from_stage.keys()):
            continue
        for path in _paths(history).values():
            first: dict[str, tuple[int, datetime | None]] = {}
            last: dict[str, int] = {}
            for index, (stage, when) in enumerate(path):
                if stage not in first:
                    first[stage] = (index, when)
                last[stage] = index
            for stage, (index, when) in first.items():
                counted = from_stage.get(stage)
                if counted is None or (
                    period is not None and (when is None or not period.start <= when < period.end)
                ):
                    continue
                for pair in counted:
                    cell = cells[pair]
                    cell[0] += last.get(pair[1], -1) > index
                    cell[1] += 1
    return {
        key: {pair: Rate(*cell) for pair, cell in cells.items()} for key, cells in counts.items()
    }


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
    Without ``recycled_as_new`` each lead counts once and converts if any cycle did.
    """
    check_period(period)
    hits = total = 0
    for history in histories:
        cycles = []
        for path in _paths(history).values():
            outcome = _outcome(path, entered, reached)
            if outcome is not None and in_period(period, outcome[0]):
                cycles.append(outcome[1])
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
    check_period(period)
    pairs = list(itertools.pairwise(stages))
    totals = {pair: [0, 0] for pair in pairs}
    for rates in cohort_rates(histories, pairs, period=period).values():
        for pair, rate in rates.items():
            totals[pair][0] += rate.numerator
            totals[pair][1] += rate.denominator
    return tuple((a, b, Rate(*totals[a, b])) for a, b in pairs)


def lead_to_opportunity(
    histories: Iterable[History],
    *,
    period: Period | None = None,
    opportunity: str = Stage.OPPORTUNITY,
) -> Rate:
    """The share of leads (each lead once, cohort by ``started_at``) that ever became an
    opportunity."""
    check_period(period)
    hits = total = 0
    for history in histories:
        if not in_period(period, history.started_at):
            continue
        total += 1
        record = history.record
        hits += record.origin == opportunity or opportunity in map(_TARGET, record.history)
    return Rate(hits, total)


def win_rate(
    histories: Iterable[History],
    *,
    period: Period | None = None,
    won: str = Stage.WON,
    lost: str = Stage.LOST,
) -> Rate:
    """Won opportunities out of the decided ones (won + lost), decided in ``period``."""
    check_period(period)
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
    check_period(period)
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
    check_period(period)
    durations: dict[tuple[str, int | None], list[timedelta]] = {}
    start, end = (None, None) if period is None else period[:2]
    for history in histories:
        # the finished stays of time_in_stages(), inlined: no Stay per stay on this hot path
        entered, stage, cycle = history.created_at, history.record.origin, 0
        for step in history.record.history:
            if step.source == step.target:
                continue
            left = step.event.at
            if entered is not None and (start is None or start <= left < end):  # type: ignore[operator]  # start and end are set together
                key = (stage, cycle if by_cycle else None)
                values = durations.get(key)
                if values is None:
                    values = durations[key] = []
                values.append(left - entered)
            entered, stage, cycle = left, step.target, step.cycle
    result = []
    for (name, number), values in sorted(durations.items(), key=lambda kv: _order(*kv[0])):
        values.sort()
        result.append(
            StageVelocity(name, number, len(values), median(values), percentile(values, 0.9))
        )
    return tuple(result)
