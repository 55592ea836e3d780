"""Type checks of public lifecycle arguments: our error, with the argument named.

A wrong type deep inside would surface as a foreign ``TypeError``/``AttributeError``, or worse,
pass silently: a string where a list of names is expected iterates as one-letter names
(``reasons="student"`` would accept ``"s"``). These helpers refuse it at the boundary.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from leadflow._time import is_aware
from leadflow.errors import ArgumentTypeError, ConfigurationError, NaiveDatetimeError

__all__ = (
    "check_bool",
    "check_count",
    "check_datetime",
    "check_names",
    "check_text",
    "check_timedelta",
)


def check_text(value: Any, argument: str, *, optional: bool = False) -> Any:
    """``value`` as a plain ``str`` (a ``StrEnum`` member becomes its value)."""
    if type(value) is str or (optional and value is None):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    raise ArgumentTypeError(argument, value, "a string" + (" or None" if optional else ""))


def check_names(value: Any, argument: str, what: str = "names") -> tuple[str, ...]:
    """A list, tuple or set of strings as a tuple; a lone string is refused, not split."""
    if isinstance(value, str | bytes | bytearray):
        raise ArgumentTypeError(
            argument,
            value,
            f"a list or tuple of {what}",
            f"a lone string would be read letter by letter; write ({value!r},)",
        )
    if isinstance(value, tuple) and all(type(v) is str for v in value):
        return value
    if not isinstance(value, Iterable) or isinstance(value, dict):
        raise ArgumentTypeError(argument, value, f"a list or tuple of {what}")
    items = tuple(value)
    for item in items:
        if not isinstance(item, str):
            raise ArgumentTypeError(f"{argument}[...]", item, f"a string (one of the {what})")
    return tuple(str.__str__(v) for v in items)


def check_datetime(value: Any, argument: str) -> datetime:
    """An aware ``datetime``; a text, a ``date`` or ``None`` is our error, naming ``argument``."""
    if isinstance(value, datetime):
        if not is_aware(value):
            raise NaiveDatetimeError(argument, value)
        return value
    hint = ""
    if isinstance(value, str):
        hint = "parse it first, e.g. datetime.fromisoformat(text), or use parse_event()"
    elif isinstance(value, date):
        hint = "a date has no time of day; pass datetime(y, m, d, h, tzinfo=...)"
    raise ArgumentTypeError(argument, value, "a timezone-aware datetime", hint)


def check_bool(value: Any, argument: str) -> bool:
    """``True`` or ``False``; a truthy text such as ``"no"`` is refused."""
    if value is True or value is False:
        return value
    raise ArgumentTypeError(argument, value, "True or False")


def check_count(value: Any, argument: str, *, optional: bool = False) -> Any:
    """An integer >= 0 (not a bool)."""
    if optional and value is None:
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentTypeError(
            argument, value, "an integer >= 0" + (" or None" if optional else "")
        )
    if value < 0:
        raise ConfigurationError(
            f"{argument} must be an integer >= 0, got {value}",
            field=argument,
            value=value,
            expected="an integer >= 0",
        )
    return value


def check_timedelta(value: Any, argument: str) -> timedelta:
    """A ``timedelta`` >= 0."""
    if not isinstance(value, timedelta):
        raise ArgumentTypeError(argument, value, "a datetime.timedelta")
    if value < timedelta(0):
        raise ConfigurationError(
            f"{argument} must not be negative, got {value}",
            field=argument,
            value=value,
            expected="a timedelta >= 0",
        )
    return value
