"""Planning math: pipeline coverage, the reverse funnel, the commission pool, maturity.

Planning works backwards: revenue target → won deals → opportunities → SQLs → SALs → MQLs,
with the measured conversion rates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, NamedTuple

from leadflow.errors import ConfigurationError
from leadflow.lifecycle import Stage
from leadflow.metrics.history import History

__all__ = (
    "LEAD_MANAGEMENT_LEVELS",
    "RELATIONSHIP_LEVELS",
    "CommissionPool",
    "Coverage",
    "Maturity",
    "ReverseFunnel",
    "assess_maturity",
    "commission_pool",
    "open_pipeline",
    "pipeline_coverage",
    "reverse_funnel",
)


def open_pipeline(
    histories: Iterable[History], stages: Iterable[str] = (Stage.OPPORTUNITY,)
) -> float:
    """The summed ``amount`` of the leads standing in ``stages`` now (open pipeline value)."""
    wanted = frozenset(stages)
    return sum(h.amount or 0.0 for h in histories if h.record.stage in wanted)


class Coverage(NamedTuple):
    """Pipeline coverage: open pipeline / revenue target (healthy: 3–5x)."""

    pipeline: float
    target: float
    ratio: float | None
    """``None`` when the target is 0."""
    verdict: str
    """``"below 3x"``, ``"healthy"``, ``"above 5x"`` or ``"no target"``."""


def pipeline_coverage(
    pipeline: float, target: float, *, healthy: tuple[float, float] = (3.0, 5.0)
) -> Coverage:
    """Open pipeline value over the revenue target, judged against the healthy band.

    >>> pipeline_coverage(1_200_000, 300_000).verdict
    'healthy'
    """
    if target <= 0:
        return Coverage(pipeline, target, None, "no target")
    ratio = pipeline / target
    low, high = healthy
    verdict = (
        f"below {low:g}x" if ratio < low else f"above {high:g}x" if ratio > high else "healthy"
    )
    return Coverage(pipeline, target, ratio, verdict)


class ReverseFunnel(NamedTuple):
    """What a revenue target needs per month; ``None`` where a rate is unknown or 0."""

    revenue: float
    won: int | None
    opportunities: int | None
    sqls: int | None
    sals: int | None
    mqls: int | None


def reverse_funnel(
    revenue_target: float,
    average_deal_size: float,
    *,
    win_rate: float | None,
    sql_to_opportunity: float | None,
    sal_to_sql: float | None,
    mql_to_sal: float | None,
    months: int = 1,
) -> ReverseFunnel:
    """From a revenue target and the conversion rates to the deals, opportunities, SQLs, SALs
    and MQLs needed per month (rounded up at every level).

    Raises:
        ConfigurationError: ``average_deal_size`` or ``months`` is not positive.

    >>> reverse_funnel(300_000, 25_000, win_rate=0.25, sql_to_opportunity=0.5,
    ...                sal_to_sql=0.6, mql_to_sal=0.8, months=3)
    ReverseFunnel(revenue=100000.0, won=4, opportunities=16, sqls=32, sals=54, mqls=68)
    """
    if average_deal_size <= 0 or months <= 0:
        raise ConfigurationError(
            f"reverse_funnel needs a positive average deal size and months, got "
            f"{average_deal_size!r} and {months!r}",
            field="average_deal_size" if average_deal_size <= 0 else "months",
            value=average_deal_size if average_deal_size <= 0 else months,
            expected="a positive number",
        )
    revenue = revenue_target / months
    levels: list[int | None] = [math.ceil(revenue / average_deal_size - 1e-9)]
    for rate in (win_rate, sql_to_opportunity, sal_to_sql, mql_to_sal):
        previous = levels[-1]
        levels.append(None if previous is None or not rate else math.ceil(previous / rate - 1e-9))
    return ReverseFunnel(revenue, *levels)


@dataclass(frozen=True, slots=True)
class CommissionPool:
    """The marketing pool of a quarter: a share of the sales commissions on marketing-sourced
    deals, raised by the accelerator when pipeline beat its target by more than the margin."""

    commissions: float
    share: float
    accelerated: bool
    pool: float


def commission_pool(
    commissions: Iterable[float],
    *,
    pipeline: float,
    pipeline_target: float,
    share: float = 0.10,
    accelerated_share: float = 0.15,
    accelerator_above: float = 0.20,
) -> CommissionPool:
    """The marketing bonus pool from the sales commissions on marketing-sourced deals.

    >>> commission_pool([1000.0, 500.0], pipeline=130.0, pipeline_target=100.0)
    CommissionPool(commissions=1500.0, share=0.15, accelerated=True, pool=225.0)
    """
    total = sum(commissions)
    accelerated = pipeline_target > 0 and pipeline > pipeline_target * (1 + accelerator_above)
    chosen = accelerated_share if accelerated else share
    return CommissionPool(total, chosen, accelerated, round(total * chosen, 2))


RELATIONSHIP_LEVELS: Final = ("undefined", "defined", "aligned", "integrated")
"""Marketing–sales relationship (Kotler, Rackham, Krishnaswamy, 2006), lowest first."""
LEAD_MANAGEMENT_LEVELS: Final = ("none", "defined terms", "defined process", "own department")
"""Lead-management maturity, lowest first."""

_NEXT_RELATIONSHIP: Final = (
    "agree shared lead definitions and a written SLA",
    "hold weekly pipeline reviews and shared KPIs",
    "share targets and a hybrid commission model",
    "keep the integrated model and review it quarterly",
)
_NEXT_PROCESS: Final = (
    "define the lead stages (cold, IQL, MQL, SAL, SQL) in writing",
    "document the handoff process and support it with software",
    "set up a lead-management team integrated with the CRM",
    "keep the lead-management department and review it quarterly",
)


class Maturity(NamedTuple):
    """Where a company stands on the two maturity axes and what to do next."""

    relationship: int
    lead_management: int
    position: str
    """``"on the diagonal"``, ``"above the diagonal"`` (a process on paper, not lived) or
    ``"below the diagonal"`` (definitions missing)."""
    next_step: str


def assess_maturity(relationship: str, lead_management: str) -> Maturity:
    """Place the answers on the Lead Management Maturity Model's two axes.

    ``relationship`` is one of :data:`RELATIONSHIP_LEVELS`, ``lead_management`` one of
    :data:`LEAD_MANAGEMENT_LEVELS`. Lead management is the vertical axis: above the diagonal
    the process exists on paper but the teams do not live it (next: work on the relationship);
    below it the teams work together without definitions (next: define the process).

    Raises:
        ConfigurationError: an answer is not one of the levels.

    >>> assess_maturity("aligned", "defined terms").position
    'below the diagonal'
    """
    levels = []
    for answer, known, name in (
        (relationship, RELATIONSHIP_LEVELS, "relationship"),
        (lead_management, LEAD_MANAGEMENT_LEVELS, "lead_management"),
    ):
        if answer not in known:
            raise ConfigurationError(
                f"unknown {name} level {answer!r}; expected one of {', '.join(known)}",
                field=name,
                value=answer,
                expected=", ".join(known),
            )
        levels.append(known.index(answer))
    x, y = levels
    if y > x:
        return Maturity(x, y, "above the diagonal", _NEXT_RELATIONSHIP[x])
    if y < x:
        return Maturity(x, y, "below the diagonal", _NEXT_PROCESS[y])
    step = f"{_NEXT_RELATIONSHIP[x]}; {_NEXT_PROCESS[y]}" if x < 3 else _NEXT_PROCESS[3]
    return Maturity(x, y, "on the diagonal", step)
