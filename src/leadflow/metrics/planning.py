"""Planning math: pipeline coverage, the reverse funnel, the commission pool, maturity.

Planning works backwards: revenue target → won deals → opportunities → SQLs → SALs → MQLs,
with the measured conversion rates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from leadflow.errors import ArgumentTypeError, ConfigurationError, OutOfRangeError
from leadflow.lifecycle import Rate, Stage
from leadflow.metrics.history import History, require_iterable

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


_MAX_COUNT: Final = 10**12
"""The largest count a reverse funnel plans (a trillion leads a month): beyond it the inputs
are surely a mistake (a deal size of 1e-300, a rate of 1e-20), and refused."""
_MAX_MONTHS: Final = 1200
"""The longest plan :func:`reverse_funnel` spreads a target over: a century of months."""


def check_number(value: Any, argument: str, *, minimum: float = 0.0, above: bool = False) -> float:
    """``value`` as a finite float ``>= minimum`` (``> minimum`` with ``above``), else our error."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ArgumentTypeError(argument, value, "a number (int or float)")
    try:
        number = float(value)
    except OverflowError:  # an int beyond what a float holds
        raise OutOfRangeError(
            f"{argument} is too large for a float (an integer of {int(value).bit_length()} bits); "
            "expected at most about 1.8e308",
            argument=argument,
            value=value,
            expected="a finite number",
        ) from None
    bad = not math.isfinite(number) or number < minimum or (above and number == minimum)
    if bad:
        relation = ">" if above else ">="
        bound = f" {relation} {minimum:g}" if math.isfinite(minimum) else ""
        expected = f"a finite number{bound}"
        raise ConfigurationError(
            f"{argument} must be {expected}, got {value!r}",
            field=argument,
            value=value,
            expected=expected,
        )
    return number


def _rate(value: Any, argument: str) -> float | None:
    """A conversion rate in [0, 1] (a number or a measured :class:`Rate`), ``None`` unknown."""
    if value is None:
        return None
    if isinstance(value, Rate):
        if value.value is None:
            raise ConfigurationError(
                f"{argument} is the measured rate {value}, which has no denominator (nothing "
                "was counted); expected a measured rate of at least one lead, a number, or "
                "None for an unknown rate",
                field=argument,
                value=value,
                expected="a Rate with a denominator, a number in [0, 1] or None",
            )
        return value.value
    number = check_number(value, argument)
    if number > 1:
        raise ConfigurationError(
            f"{argument} must be a share between 0 and 1, got {value!r}"
            + (f" (a percentage? write {number / 100:g})" if number <= 100 else ""),
            field=argument,
            value=value,
            expected="a number in [0, 1], a Rate or None",
        )
    return number


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

    A target of 0 means "no target" (ratio ``None``).

    Raises:
        ConfigurationError: ``pipeline`` or ``target`` is negative, NaN or infinite, or
            ``healthy`` is not two finite bounds ``low <= high``.
        ArgumentTypeError: one of them is not a number.

    >>> pipeline_coverage(1_200_000, 300_000).verdict
    'healthy'
    """
    check_number(pipeline, "pipeline")
    check_number(target, "target")
    if not isinstance(healthy, tuple | list) or len(healthy) != 2:
        raise ArgumentTypeError("healthy", healthy, "a pair (low, high), e.g. (3.0, 5.0)")
    low = check_number(healthy[0], "healthy[0]")
    high = check_number(healthy[1], "healthy[1]", minimum=low)
    if target == 0:
        return Coverage(pipeline, target, None, "no target")
    ratio = pipeline / target
    if not math.isfinite(ratio):
        raise OutOfRangeError(
            f"pipeline coverage {pipeline!r} / {target!r} is beyond a float; expected a "
            "target that is not vanishingly small next to the pipeline",
            argument="target",
            value=target,
            expected="a ratio a float can hold",
        )
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
    win_rate: float | Rate | None,
    sql_to_opportunity: float | Rate | None,
    sal_to_sql: float | Rate | None,
    mql_to_sal: float | Rate | None,
    months: int = 1,
) -> ReverseFunnel:
    """From a revenue target and the conversion rates to the deals, opportunities, SQLs, SALs
    and MQLs needed per month (rounded up at every level).

    A rate is a share in [0, 1] or a measured :class:`~leadflow.lifecycle.Rate` (e.g.
    ``win_rate(histories)``); ``None`` (unknown) or 0 (never converts) leave that level and the
    ones below it ``None``. A revenue target of 0 needs nothing (all counts 0).

    Raises:
        ConfigurationError: ``revenue_target`` is negative, NaN or infinite;
            ``average_deal_size`` is not a positive finite number; ``months`` is not 1 to 1200;
            a rate lies outside [0, 1] or is a measured rate of nothing (0/0).
        ArgumentTypeError: an argument is not a number (``months``: not an int).
        OutOfRangeError: a level would need more than 10**12 leads a month.

    >>> reverse_funnel(300_000, 25_000, win_rate=0.25, sql_to_opportunity=0.5,
    ...                sal_to_sql=0.6, mql_to_sal=0.8, months=3)
    ReverseFunnel(revenue=100000.0, won=4, opportunities=16, sqls=32, sals=54, mqls=68)
    """
    target = check_number(revenue_target, "revenue_target")
    size = check_number(average_deal_size, "average_deal_size", above=True)
    if isinstance(months, bool) or not isinstance(months, int):
        raise ArgumentTypeError("months", months, "a whole number of months (int)")
    if not 0 < months <= _MAX_MONTHS:
        raise ConfigurationError(
            f"reverse_funnel needs a number of months from 1 to {_MAX_MONTHS}, got "
            f"{'a larger one' if months > _MAX_MONTHS else months}",
            field="months",
            value=months,
            expected=f"a whole number from 1 to {_MAX_MONTHS}",
        )
    rates = {
        "win_rate": _rate(win_rate, "win_rate"),
        "sql_to_opportunity": _rate(sql_to_opportunity, "sql_to_opportunity"),
        "sal_to_sql": _rate(sal_to_sql, "sal_to_sql"),
        "mql_to_sal": _rate(mql_to_sal, "mql_to_sal"),
    }
    revenue = target / months
    levels: list[int | None] = [_count(revenue / size, "average_deal_size", average_deal_size)]
    for name, rate in rates.items():
        previous = levels[-1]
        levels.append(None if previous is None or not rate else _count(previous / rate, name, rate))
    return ReverseFunnel(revenue, *levels)


def _count(needed: float, argument: str, value: Any) -> int:
    """``needed`` rounded up (ignoring float noise), refused beyond :data:`_MAX_COUNT`."""
    if not needed <= _MAX_COUNT:  # also inf
        raise OutOfRangeError(
            f"the reverse funnel would need {needed:.3g} leads a month (from {argument}="
            f"{value!r}); expected plans of at most {_MAX_COUNT:.0e} a month: check the target, "
            "the deal size and the rates",
            argument=argument,
            value=value,
            expected=f"at most {_MAX_COUNT:.0e} leads a month",
        )
    return math.ceil(needed - 1e-9)


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

    A negative commission is a clawback (a refunded or cancelled deal) and is netted against
    the others; a negative net total is refused, since a pool cannot be negative. Shares lie in
    [0, 1]; a ``pipeline_target`` of 0 never accelerates.

    Raises:
        ConfigurationError: a commission is NaN or infinite, the net total is negative,
            ``pipeline``/``pipeline_target``/``accelerator_above`` is negative or not finite,
            or a share lies outside [0, 1].
        ArgumentTypeError: ``commissions`` is not a list of numbers, or an argument not a
            number.

    >>> commission_pool([1000.0, 500.0], pipeline=130.0, pipeline_target=100.0)
    CommissionPool(commissions=1500.0, share=0.15, accelerated=True, pool=225.0)
    >>> commission_pool([1000.0, -200.0], pipeline=100.0, pipeline_target=100.0).pool
    80.0
    """
    require_iterable(commissions, "commissions", "a list of numbers")
    amounts = list(commissions)
    for i, amount in enumerate(amounts):
        check_number(amount, f"commissions[{i}]", minimum=-math.inf)
    check_number(pipeline, "pipeline")
    check_number(pipeline_target, "pipeline_target")
    for name, value in (("share", share), ("accelerated_share", accelerated_share)):
        if check_number(value, name) > 1:
            raise ConfigurationError(
                f"{name} must be a share between 0 and 1, got {value!r}",
                field=name,
                value=value,
                expected="a number in [0, 1]",
            )
    check_number(accelerator_above, "accelerator_above")
    total = sum(amounts)
    try:
        finite = math.isfinite(total)
    except OverflowError:  # ints summing beyond a float
        finite = False
    if not finite or total < 0:
        raise ConfigurationError(
            f"the commissions net to {total!r}; expected a finite total >= 0 (clawbacks may "
            "not exceed the commissions: a pool cannot be negative)",
            field="commissions",
            value=total,
            expected="a finite net total >= 0",
        )
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
    below it the teams work together without definitions (next: define the process). Answers
    are read without regard to case and spacing (``"Defined  Terms"`` is ``"defined terms"``).

    Raises:
        ConfigurationError: an answer is not one of the levels.

    >>> assess_maturity("aligned", "defined terms").position
    'below the diagonal'
    """
    levels = []
    for given, known, name in (
        (relationship, RELATIONSHIP_LEVELS, "relationship"),
        (lead_management, LEAD_MANAGEMENT_LEVELS, "lead_management"),
    ):
        answer = " ".join(given.split()).lower() if isinstance(given, str) else given
        if answer not in known:
            raise ConfigurationError(
                f"unknown {name} level {given!r}; expected one of {', '.join(known)}",
                field=name,
                value=given,
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
