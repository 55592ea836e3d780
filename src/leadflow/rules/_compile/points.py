"""Points closures: what one scoring line gives one lead.

The hot path (:mod:`leadflow.rules._engine.engine`) runs every scoring line once per lead, as
``fn(value, 0.0)``: the line's points if it counts, else the ``0.0`` it is handed, so a block's
points add up without a filter. A line worth nothing gives ``-0.0`` when it counts (the same
sum), so the points recorded for :attr:`~leadflow.rules.Evaluation.contributions` still say it
counted.

A line whose condition has a simple shape (a field in a list, a range, a level, a comparison,
free-mail, an activity within a window) becomes a *value rule*: a fact key and a function of
that fact's value alone, often a plain ``dict.get`` on a table of the values that earn the
points, which costs no Python call at all. Activity lines read a count (``#kind|window``: how
many activities of the kind are at most ``window`` seconds old) that the hot path tallies in its
one pass over the activities, and become tables too where the points stop changing after a few
activities. Any other line is a *facts rule* (:func:`points_of`): a function of all the facts.

Each builder gives the same answer as the condition closure it replaces, missing values
included: a missing fact never earns points.
"""

from __future__ import annotations

import math
import operator as ops
from collections.abc import Callable, Mapping
from typing import Any

from leadflow.rules._compile.predicates import Test

__all__ = (
    "TABLE_SIZE",
    "CountRule",
    "Fuser",
    "PointsFn",
    "ValueFn",
    "ValueRule",
    "activity_points",
    "between_points",
    "count_key",
    "each_points",
    "membership_points",
    "operator_points",
    "points_of",
    "ranked_points",
    "same_points",
    "tabled",
    "window_of",
)

PointsFn = Callable[[dict[str, Any], float], float]
"""A facts rule: the points of a scoring line, given all the facts of one lead."""
ValueFn = Callable[[Any, float], float]
ValueRule = tuple[str, ValueFn]
"""A value rule: the fact key it reads, and the points for that fact's value."""
Fuser = Callable[[float], "ValueRule | CountRule"]
"""Builds the value rule of a simple condition, given the line's points."""
CountRule = tuple[str, ValueFn, float]
"""A value rule of an activity count, and the count from which its points stay the same: the
hot path stops counting there (when every rule on the count allows it, and within
:data:`TABLE_SIZE`) and looks the points up in a table made by :func:`tabled`."""

TABLE_SIZE = 64


def count_key(kind: str, window: float | None) -> str:
    """The fact key of ``how many activities of kind are at most window seconds old``."""
    return f"#{kind}|{'' if window is None else repr(window)}"


def window_of(key: str) -> tuple[str, float]:
    """The activity kind and window (``inf`` for any age) of a :func:`count_key`."""
    kind, _, window = key[1:].partition("|")
    return kind, float(window) if window else math.inf


def points_of(test: Test, points: float) -> PointsFn:
    """The facts rule of any condition: the points when ``test`` is ``True``."""

    def fn(f: dict[str, Any], default: float) -> float:
        return points if test(f) is True else default

    return fn


def _table(values: Any, points: float) -> ValueFn:
    """The points for the listed values, the default for any other (and a missing value)."""
    return {value: points for value in values}.get


def membership_points(key: str, wanted: frozenset[Any], inside: bool, points: float) -> ValueRule:  # noqa: FBT001
    if inside:
        return key, _table(wanted, points)

    def fn(v: Any, default: float) -> float:
        return points if v is not None and v not in wanted else default

    return key, fn


def between_points(key: str, low: Any, high: Any, points: float) -> ValueRule:

    def fn(v: Any, default: float) -> float:
        return points if v is not None and low <= v <= high else default

    return key, fn


def ranked_points(
    key: str,
    rank: Mapping[Any, int],
    bound: int,
    at_least: bool,  # noqa: FBT001
    points: float,
) -> ValueRule:
    """A level compared by rank (``seniority at least director``): a table of the levels."""
    levels = (v for v, r in rank.items() if (r >= bound if at_least else r <= bound))
    return key, _table(levels, points)


_OPERATORS: Mapping[str, Callable[[Any, Any], Any]] = {
    "is not": ops.ne,
    "<": ops.lt,
    "<=": ops.le,
    ">": ops.gt,
    ">=": ops.ge,
    "contains": ops.contains,
    "starts with": str.startswith,
    "ends with": str.endswith,
}


def operator_points(op: str, key: str, target: Any, points: float) -> ValueRule:
    """The value rule of :func:`leadflow.rules._compile.predicates.operator` (same missing-value rule)."""
    if op == "is":  # equal values hash alike: a table of one
        return key, _table((target,), points)
    compare = _OPERATORS[op]

    def fn(v: Any, default: float) -> float:
        return points if v is not None and compare(v, target) is True else default

    return key, fn


def same_points(key: str, value: bool, points: float) -> ValueRule:  # noqa: FBT001
    """A yes/no fact that is always set (``email is freemail``)."""
    return key, _table((value,), points)


def activity_points(kind: str, count: int, window: float | None, points: float) -> CountRule:
    """``demo_request within 30 days`` (or ``at least 3 times``): reads the count."""

    def fn(n: int, default: float) -> float:
        return points if n >= count else default

    return count_key(kind, window), fn, count


def each_points(kind: str, window: float | None, points: float, cap: float | None) -> CountRule:
    """``+10 each pricing_page_view within 30 days, at most 30``, without decay.

    Same figure as :func:`leadflow.rules._compile.program.rule_points`: points times the count, capped,
    rounded to two places; the default when that is zero (such a line never counts).
    """
    limit = None if cap is None else cap if points > 0 else -cap
    clamp = min if points > 0 else max
    need = math.inf  # the count from which the points no longer change
    if not points:
        need = 0
    elif limit is not None:
        need = next(
            (n for n in range(1, TABLE_SIZE + 1) if clamp(points * n, limit) == limit), need
        )

    def fn(n: int, default: float) -> float:
        if not n:
            return default
        total = points * n
        if limit is not None:
            total = clamp(total, limit)
        return (total if total.is_integer() else round(total, 2)) or default

    return count_key(kind, window), fn, need


def tabled(fn: ValueFn, limit: int) -> ValueFn:
    """``fn`` of a count that stops at ``limit``, as a table lookup (see :data:`CountRule`)."""
    table = {n: points for n in range(limit + 1) if (points := fn(n, None)) is not None}  # type: ignore[arg-type]
    return table.get
