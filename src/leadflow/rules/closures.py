"""The closures compiled conditions are made of: each takes a lead's facts and answers
``True``, ``False`` or ``None`` (unknown: a value it needs is missing)."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import Any

__all__ = (
    "Test",
    "activity_test",
    "all_of",
    "any_of",
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


def never(facts: dict[str, Any]) -> bool:
    return False


def all_of(tests: tuple[Test, ...]) -> Test:
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
