"""Each scoring line as the hot path runs it: the fact it reads, and its points from that fact.

See :mod:`leadflow.rules._compile.points` for the value rules of simple conditions; a line that needs
more (decay, or a condition of another shape) is a *facts rule* reading all the facts.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from leadflow.rules._compile.points import CountRule, PointsFn, ValueRule, each_points, points_of
from leadflow.rules._compile.program import CRule, CScore

__all__ = ("SELF", "fetcher", "line_rule", "rule_points")

SELF = "*facts"
"""The key of a facts rule: it reads the facts themselves."""


def rule_points(
    rule: CRule, f: dict[str, Any], factor: float | None, period: float | None
) -> float:
    """The points of a line that needs the facts: ``each`` lines and decaying ones."""
    if rule.each:
        ages = f[rule.key]
        n = len(ages) if rule.window is None else bisect_right(ages, rule.window)
        if not n:
            return 0.0
        if factor is not None and period is not None:
            points = float(sum(rule.points * factor ** (age // period) for age in ages[:n]))
        else:
            points = rule.points * n
        if rule.cap is not None:
            points = min(points, rule.cap) if rule.points > 0 else max(points, -rule.cap)
        return round(points, 2)
    if rule.test(f) is not True:  # type: ignore[misc]
        return 0.0
    # "at least 0 times" holds without any activity: nothing to age, so no decay
    if rule.decays and rule.count > 0 and factor is not None and period is not None:
        age: float = f[rule.key][rule.count - 1]
        return round(rule.points * float(factor ** (age // period)), 2)
    return rule.points


def _decayed(rule: CRule, factor: float | None, period: float | None) -> PointsFn:
    def fn(f: dict[str, Any], default: float) -> float:
        return rule_points(rule, f, factor, period) or default

    return fn


def line_rule(rule: CRule, block: CScore) -> ValueRule | CountRule:
    """The key a scoring line reads and the function of its value giving the line's points.

    A value rule where the line allows it, else a facts rule reading :data:`SELF`.
    """
    decay = block.factor is not None and block.period is not None
    if rule.each:
        if decay:
            return SELF, _decayed(rule, block.factor, block.period)
        return each_points(rule.key[1:], rule.window, rule.points, rule.cap)
    if rule.decays and decay:
        return SELF, _decayed(rule, block.factor, block.period)
    if rule.fused is not None:
        return rule.fused
    assert rule.test is not None  # noqa: S101 - plain rules always have a condition
    return SELF, points_of(rule.test, rule.points or -0.0)  # -0.0: see assemble._rule


def fetcher(indexes: tuple[int, ...]) -> Callable[[list[Any]], Sequence[Any]]:
    if len(indexes) == 1:
        index = indexes[0]
        return lambda values: (values[index],)
    return itemgetter(*indexes)
