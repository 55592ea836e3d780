"""Time helpers shared by every pillar: aware-only datetimes, UTC instants, explicit zones."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadflow.errors import (
    ArgumentTypeError,
    ConfigurationError,
    NaiveDatetimeError,
    OutOfRangeError,
)

__all__ = (
    "RANGE",
    "is_aware",
    "out_of_range",
    "require_aware",
    "require_timedelta",
    "results_in_range",
    "to_utc",
    "zone",
)

RANGE: Final = "an instant between 0001-01-01 and 9999-12-31 (UTC), the range datetime can hold"


def is_aware(value: datetime) -> bool:
    """Return whether ``value`` carries a usable UTC offset."""
    return value.tzinfo is not None and value.tzinfo.utcoffset(value) is not None


def require_aware(value: datetime, argument: str) -> datetime:
    """Return ``value`` unchanged if it is timezone-aware.

    Raises:
        NaiveDatetimeError: ``value`` has no ``tzinfo`` (or one that gives no offset).
        ArgumentTypeError: ``value`` is not a datetime at all (a ``TypeError``).
    """
    if not isinstance(value, datetime):
        raise ArgumentTypeError(argument, value, "a timezone-aware datetime")
    try:
        aware = is_aware(value)
    except Exception as error:  # a tzinfo whose utcoffset() itself fails
        raise ArgumentTypeError(
            argument, value, f"an aware datetime whose tzinfo gives an offset ({error})"
        ) from None
    if not aware:
        raise NaiveDatetimeError(argument, value)
    return value


def out_of_range(argument: str, value: Any, what: str | None = None) -> OutOfRangeError:
    """The error for ``value`` (or, with ``what``, a result computed from it) beyond datetime."""
    shown = value.isoformat() if isinstance(value, datetime) else repr(value)
    subject = f"{argument}={shown}" if what is None else f"{what} (from {argument}={shown})"
    return OutOfRangeError(
        f"{subject} lies outside the range datetime can represent; expected {RANGE}",
        argument=argument,
        value=value,
        expected=RANGE,
    )


def to_utc(value: datetime, argument: str = "value") -> datetime:
    """Return the same instant in UTC.

    Raises:
        NaiveDatetimeError: ``value`` is naive.
        ArgumentTypeError: ``value`` is not a datetime.
        OutOfRangeError: the instant falls outside UTC years 1 to 9999 (e.g. 9999-12-31 23:00
            in New York is in year 10000 in UTC).
    """
    try:
        return require_aware(value, argument).astimezone(UTC)
    except OverflowError:
        raise out_of_range(argument, value) from None


def require_timedelta(value: timedelta, argument: str) -> timedelta:
    """Return ``value`` unchanged if it is a ``timedelta``.

    Raises:
        ArgumentTypeError: ``value`` is not a ``timedelta``.
    """
    if not isinstance(value, timedelta):
        raise ArgumentTypeError(argument, value, "a datetime.timedelta")
    return value


@cache
def zone(name: str) -> ZoneInfo:
    """Return the IANA zone ``name``.

    Raises:
        ConfigurationError: the name is not a known IANA time zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"unknown time zone {name!r}; expected an IANA name such as 'Europe/Berlin'",
            field="timezone",
            value=name,
            expected="an IANA time zone name",
        ) from None


@contextmanager
def results_in_range(argument: str, value: Any) -> Iterator[None]:
    """Turn an ``OverflowError`` of datetime arithmetic in the block into :class:`OutOfRangeError`.

    ``argument``/``value`` name the input the result was computed from (the duration, usually).
    """
    try:
        yield
    except OutOfRangeError:
        raise
    except OverflowError:
        raise out_of_range(argument, value, "a time computed") from None
