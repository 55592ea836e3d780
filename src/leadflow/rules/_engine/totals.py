"""Adding up points: a block's total, and a weighted term of a score formula.

The engine and the contributions use these (and so does the oracle of the tests), so they give
the same figures to the last bit.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from functools import partial, reduce
from operator import add

__all__ = ("add_up", "total_of", "weighted")


add_up: Callable[[Iterable[float], float], float] = (
    sum if sys.version_info < (3, 12) else partial(reduce, add)
)
"""``add_up(points, 0.0)`` adds from left to right (``sum`` compensates rounding from 3.12 on)."""


def total_of(points: Iterable[float]) -> float:
    """The sum of a block's points (those of lines that do not count are zeros), rounded.

    Same figure as adding the counting rules one by one from ``0.0``: adding ``0.0`` to a sum
    that started at ``0.0`` never changes it. A whole number is already rounded (``round`` to
    two places is slow, and most points are whole).
    """
    total: float = add_up(points, 0.0)
    return total if total.is_integer() else round(total, 2)


def weighted(weight: float, score: float) -> float:
    """One term of a score formula: ``weight`` times ``score``, to two decimals like a score
    (so the terms shown by explain add up to the formula's score)."""
    value = weight * score
    return value if value.is_integer() else round(value, 2)
