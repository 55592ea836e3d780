"""Time helpers shared by every pillar: aware-only datetimes, UTC instants, explicit zones."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from leadflow.errors import ConfigurationError, NaiveDatetimeError

__all__ = ("aware_utc", "is_aware", "require_aware", "to_utc", "zone")


def is_aware(value: datetime) -> bool:
    """Return whether ``value`` carries a usable UTC offset."""
    return value.tzinfo is not None and value.tzinfo.utcoffset(value) is not None


def require_aware(value: datetime, argument: str) -> datetime:
    """Return ``value`` unchanged if it is timezone-aware.

    Raises:
        NaiveDatetimeError: ``value`` has no ``tzinfo`` (or one that gives no offset).
        TypeError: ``value`` is not a datetime at all.
    """
    if not isinstance(value, datetime):
        raise TypeError(f"{argument} must be a datetime, got {type(value).__name__}")
    if not is_aware(value):
        raise NaiveDatetimeError(argument, value)
    return value


def to_utc(value: datetime, argument: str = "value") -> datetime:
    """Return the same instant in UTC; naive input raises :class:`NaiveDatetimeError`."""
    return require_aware(value, argument).astimezone(UTC)


def aware_utc(value: datetime, argument: str = "value") -> datetime:
    """:func:`to_utc` with a shortcut for the usual zones (``ZoneInfo`` and ``UTC``) on hot paths.

    Raises the same errors as :func:`to_utc`.
    """
    if type(value) is datetime and (type(value.tzinfo) is ZoneInfo or value.tzinfo is UTC):
        return value.astimezone(UTC)
    return require_aware(value, argument).astimezone(UTC)


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
