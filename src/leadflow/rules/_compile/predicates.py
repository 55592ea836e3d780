"""The closures compiled conditions are made of: each takes a lead's facts and answers
``True``, ``False`` or ``None`` (unknown: a value it needs is missing)."""

from __future__ import annotations

import operator as ops
from bisect import bisect_right
from collections.abc import Callable
from functools import partial
from typing import Any

__all__ = (
    "Test",
    "activity_test",
    "all_of",
    "all_of_loop",
    "all_of_scores",
    "any_of",
    "any_of_loop",
    "comparable",
    "membership",
    "negate",
    "never",
    "operator",
)

Test = Callable[[dict[str, Any]], bool | None]


def activity_test(key: str, count: int, window: float | None) -> Test:
    """At least ``count`` activities in the ages list at ``key``, within ``window`` seconds."""
    if window is None:
        return lambda f: len(f[key]) >= count
    return lambda f: bisect_right(f[key], window) >= count


def membership(key: str, wanted: frozenset[Any], *, inside: bool) -> Test:
    def test(f: dict[str, Any]) -> bool | None:
        value = f[key]
        if value is None:
            return None
        return (value in wanted) is inside

    return test


def operator(op: str, key: str, target: Any, type_: str) -> Test:
    if op == "is":
        return lambda f: None if (v := f[key]) is None else v == target
    if op == "is not":
        return lambda f: None if (v := f[key]) is None else v != target
    if op == "<":
        return lambda f: None if (v := f[key]) is None else v < target
    if op == "<=":
        return lambda f: None if (v := f[key]) is None else v <= target
    if op == ">":
        return lambda f: None if (v := f[key]) is None else v > target
    if op == ">=":
        return lambda f: None if (v := f[key]) is None else v >= target
    if op == "contains":
        if type_ == "list":
            return lambda f: None if (v := f[key]) is None else target in v
        return lambda f: None if (v := f[key]) is None else target in v
    if op == "starts with":
        return lambda f: None if (v := f[key]) is None else v.startswith(target)
    return lambda f: None if (v := f[key]) is None else v.endswith(target)


# ``value op target`` as ``flipped(target, value)``, so a partial binds the target
_FLIPPED: dict[str, Callable[[Any, Any], Any]] = {
    "is": ops.eq,
    "is not": ops.ne,
    "<": ops.gt,
    "<=": ops.ge,
    ">": ops.lt,
    ">=": ops.le,
}


def comparable(op: str) -> bool:
    """Whether :func:`all_of_scores` takes comparisons with ``op``."""
    return op in _FLIPPED


def all_of_scores(comparisons: tuple[tuple[str, str, float], ...]) -> Test:
    """``fit >= 40 and engagement >= 40``: ``and`` over comparisons of scores with numbers.

    A score always has a value, so the three-valued ``and`` is the plain one; up to three
    comparisons are written out.
    """
    keys = tuple(key for _, key, _ in comparisons)
    ops_ = tuple(_FLIPPED[op] for op, _, _ in comparisons)
    bounds = tuple(target for _, _, target in comparisons)
    if all(op == ">=" for op, _, _ in comparisons) and len(keys) <= 2:  # the usual shape
        if len(keys) == 1:
            (k1,), (b1,) = keys, bounds
            return lambda f: f[k1] >= b1
        (k1, k2), (b1, b2) = keys, bounds
        return lambda f: f[k1] >= b1 and f[k2] >= b2
    if len(keys) == 1:
        (k1,), (o1,), (b1,) = keys, ops_, bounds
        return lambda f: o1(b1, f[k1])
    if len(keys) == 2:
        (k1, k2), (o1, o2), (b1, b2) = keys, ops_, bounds
        return lambda f: o1(b1, f[k1]) and o2(b2, f[k2])
    if len(keys) == 3:
        (k1, k2, k3), (o1, o2, o3), (b1, b2, b3) = keys, ops_, bounds
        return lambda f: o1(b1, f[k1]) and o2(b2, f[k2]) and o3(b3, f[k3])
    tests = tuple(partial(o, b) for o, b in zip(ops_, bounds, strict=True))
    fetch = ops.itemgetter(*keys)
    return lambda f: all(map(ops.call, tests, fetch(f)))


def never(facts: dict[str, Any]) -> bool:
    return False


def all_of(tests: tuple[Test, ...]) -> Test:
    if len(tests) == 2:
        return _all_of_2(*tests)
    return all_of_loop(tests)


def _all_of_2(first: Test, second: Test) -> Test:
    """``first and second`` written out: the shape of most temperature and MQL lines."""

    def test(f: dict[str, Any]) -> bool | None:
        a = first(f)
        if a is False:
            return False
        b = second(f)
        if b is False:
            return False
        return None if a is None or b is None else True

    return test


def all_of_loop(tests: tuple[Test, ...]) -> Test:
    """``and`` over any number of conditions (three-valued)."""

    def test(f: dict[str, Any]) -> bool | None:
        unknown = False
        for t in tests:
            result = t(f)
            if result is False:
                return False
            if result is None:
                unknown = True
        return None if unknown else True

    return test


def any_of(tests: tuple[Test, ...]) -> Test:
    if len(tests) == 2:
        return _any_of_2(*tests)
    return any_of_loop(tests)


def _any_of_2(first: Test, second: Test) -> Test:
    def test(f: dict[str, Any]) -> bool | None:
        a = first(f)
        if a is True:
            return True
        b = second(f)
        if b is True:
            return True
        return None if a is None or b is None else False

    return test


def any_of_loop(tests: tuple[Test, ...]) -> Test:
    """``or`` over any number of conditions (three-valued)."""

    def test(f: dict[str, Any]) -> bool | None:
        unknown = False
        for t in tests:
            result = t(f)
            if result is True:
                return True
            if result is None:
                unknown = True
        return None if unknown else False

    return test


def negate(inner: Test) -> Test:
    def test(f: dict[str, Any]) -> bool | None:
        result = inner(f)
        return None if result is None else not result

    return test
