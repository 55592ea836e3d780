"""Each scoring line as the hot path runs it: the fact it reads, and its points from that fact.

See :mod:`leadflow.rules.points` for the value rules of simple conditions; a line that needs
more (decay, or a condition of another shape) is a *facts rule* reading all the facts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from leadflow.rules.points import CountRule, PointsFn, ValueRule, each_points, points_of
from leadflow.rules.program import CRule, CScore, rule_points

__all__ = ("SELF", "fetcher", "line_rule")

SELF = "*facts"
"""The key of a facts rule: it reads the facts themselves."""


def _decayed(rule: CRule, factor: float | None, period: float | None) -> PointsFn:
    def fn(f: dict[str, Any], default: float) -> float:
        return rule_points(rule, f, factor, period) or default  # type: ignore[arg-type]

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
