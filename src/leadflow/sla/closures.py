"""Closures of a business calendar: whole days, inclusive date ranges, half-open instants."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from leadflow._time import to_utc
from leadflow.errors import ConfigurationError

__all__ = ("Closures", "parse_closures")

_EXPECTED = "a date, a (date, date) pair (inclusive), or a pair of aware datetimes (half-open)"
_EXAMPLE = "date(2026, 12, 24), (date(2026, 12, 27), date(2026, 12, 31))"


@dataclass(frozen=True, slots=True)
class Closures:
    """Normalised closures: closed dates, merged date ranges, merged UTC intervals.

    ``days`` and ``ranges`` close every span that *starts* on the date (like a holiday);
    ``instants`` remove physical time ``[start, end)`` whatever span it falls in.
    """

    days: frozenset[date] = frozenset()
    ranges: tuple[tuple[date, date], ...] = ()
    instants: tuple[tuple[datetime, datetime], ...] = ()

    def closes(self, day: date) -> bool:
        """Whether spans starting on ``day`` are closed by a date closure."""
        return day in self.days or any(lo <= day <= hi for lo, hi in self.ranges)

    def covers_days(self, first: date, last: date) -> bool:
        """Whether one date range closes every day from ``first`` to ``last``."""
        return any(lo <= first and last <= hi for lo, hi in self.ranges)

    def covers_instants(self, start: datetime, end: datetime) -> bool:
        """Whether one instant closure removes all of ``[start, end)``."""
        return any(lo <= start and end <= hi for lo, hi in self.instants)

    def __len__(self) -> int:
        return len(self.days) + len(self.ranges) + len(self.instants)


def _merge_dates(pairs: list[tuple[date, date]]) -> tuple[tuple[date, date], ...]:
    merged: list[tuple[date, date]] = []
    for lo, hi in sorted(pairs):
        if merged and lo.toordinal() <= merged[-1][1].toordinal() + 1:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return tuple(merged)


def merge_instants(pairs: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sort and merge overlapping or touching ``[start, end)`` intervals; drop empty ones."""
    merged: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(p for p in pairs if p[1] > p[0]):
        if merged and lo <= merged[-1][1]:
            if hi > merged[-1][1]:
                merged[-1] = (merged[-1][0], hi)
        else:
            merged.append((lo, hi))
    return merged


def _invalid(item: Any, message: str) -> ConfigurationError:
    return ConfigurationError(message, field="closures", value=item, expected=_EXPECTED)


def _backwards(item: Any, lo: date, hi: date) -> ConfigurationError:
    return _invalid(item, f"closure ({lo.isoformat()}, {hi.isoformat()}) ends before it starts")


def _one(item: Any, days: set[date], ranges: list[tuple[date, date]], instants: list[Any]) -> None:
    if isinstance(item, datetime):
        raise _invalid(
            item,
            f"closure {item!r} is a single datetime; close an interval with a pair "
            "(start, end) of aware datetimes, or a whole day with a date",
        )
    if isinstance(item, date):
        days.add(item)
        return
    if isinstance(item, tuple | list) and len(item) == 2:
        lo, hi = item
        if isinstance(lo, datetime) and isinstance(hi, datetime):
            lo_utc = to_utc(lo, "closure start")
            hi_utc = to_utc(hi, "closure end")
            if hi_utc < lo_utc:
                raise _backwards(item, lo, hi)
            instants.append((lo_utc, hi_utc))
            return
        if (
            isinstance(lo, date)
            and isinstance(hi, date)
            and not isinstance(lo, datetime)
            and not isinstance(hi, datetime)
        ):
            if hi < lo:
                raise _backwards(item, lo, hi)
            ranges.append((lo, hi))
            return
    raise _invalid(item, f"cannot read closure {item!r}; expected {_EXPECTED}")


def parse_closures(spec: Iterable[Any] | Closures | None) -> Closures:
    """Normalise a list of closures.

    >>> c = parse_closures([date(2026, 12, 24), (date(2026, 12, 27), date(2026, 12, 31))])
    >>> c.closes(date(2026, 12, 24)), c.closes(date(2026, 12, 31)), c.closes(date(2027, 1, 1))
    (True, True, False)

    Raises:
        ConfigurationError: ``spec`` is not a list of closures (a single date or pair must
            be wrapped in a list), an entry is not a date, a date pair or an aware datetime
            pair, or a pair ends before it starts.
        NaiveDatetimeError: a datetime pair holds a naive datetime.
    """
    if isinstance(spec, Closures):
        return spec
    if isinstance(spec, date | str) or not isinstance(spec, Iterable | None):
        raise ConfigurationError(
            f"closures must be a list of closures, got {spec!r}; e.g. [{_EXAMPLE}]",
            field="closures",
            value=spec,
            expected=f"a list of {_EXPECTED}",
        )
    days: set[date] = set()
    ranges: list[tuple[date, date]] = []
    instants: list[tuple[datetime, datetime]] = []
    for item in spec or ():
        _one(item, days, ranges, instants)
    return Closures(frozenset(days), _merge_dates(ranges), tuple(merge_instants(instants)))
