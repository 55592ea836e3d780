"""A stopwatch over business time: started at an instant, stopped during pauses.

Shared by the tracker and the escalation ladders. Without a calendar it measures physical time
(for SLAs that run around the clock, such as routing within 5 minutes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from leadflow._time import to_utc
from leadflow.errors import ArgumentTypeError, ConfigurationError
from leadflow.sla.calendar import BusinessCalendar
from leadflow.sla.closures import merge_instants

__all__ = ("Stopwatch", "merged_pauses", "pause_pairs")

_ZERO = timedelta(0)
_PAUSES = "an iterable of (start, end) pairs of aware datetimes (end None while open)"


def pause_pairs(
    pauses: Iterable[tuple[datetime, datetime | None]],
) -> tuple[tuple[datetime, datetime | None], ...]:
    """Return ``pauses`` as a tuple of pairs, checking the shape (not yet the datetimes).

    Raises:
        ArgumentTypeError: ``pauses`` is not an iterable of pairs.
    """
    if isinstance(pauses, str | bytes | Mapping) or not isinstance(pauses, Iterable):
        raise ArgumentTypeError("pauses", pauses, _PAUSES)
    found = tuple(pauses)
    for pair in found:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise ArgumentTypeError("pauses", pair, _PAUSES)
    return tuple((start, end) for start, end in found)


def merged_pauses(
    pauses: Iterable[tuple[datetime, datetime | None]], *, now: datetime
) -> tuple[tuple[datetime, datetime], ...]:
    """Return pauses as merged UTC intervals; an open pause (no end) lasts until ``now``.

    Raises:
        NaiveDatetimeError: a pause bound is naive.
        ConfigurationError: a pause ends before it starts.
    """
    now_utc = to_utc(now, "now")
    found = []
    for start, end in pause_pairs(pauses):
        lo = to_utc(start, "pause start")
        hi = now_utc if end is None else to_utc(end, "pause end")
        if end is not None and hi < lo:
            raise ConfigurationError(
                f"pause ({start.isoformat()}, {end.isoformat()}) ends before it starts",
                field="pauses",
                value=(start, end),
                expected="pauses whose end is at or after their start",
            )
        found.append((lo, max(lo, hi)))
    return tuple(merge_instants(found))


@dataclass(frozen=True, slots=True)
class Stopwatch:
    """Business time since ``start`` on ``calendar`` (physical time when ``None``), minus pauses."""

    start: datetime
    calendar: BusinessCalendar | None = None
    pauses: tuple[tuple[datetime, datetime], ...] = ()

    def _between(self, a: datetime, b: datetime) -> timedelta:
        if self.calendar is None:
            return b.astimezone(UTC) - a.astimezone(UTC)
        return self.calendar.between(a, b)

    def _add(self, at: datetime, duration: timedelta) -> datetime:
        if self.calendar is None:
            return (at.astimezone(UTC) + duration).astimezone(self.start.tzinfo)
        return self.calendar.add(at, duration)

    def elapsed(self, at: datetime) -> timedelta:
        """Business time from ``start`` to ``at`` with the pauses left out; 0 before ``start``."""
        at = max(at.astimezone(UTC), self.start.astimezone(UTC))
        total = self._between(self.start, at)
        for lo, hi in self.pauses:
            lo, hi = max(lo, self.start), min(hi, at)
            if hi > lo:
                total -= self._between(lo, hi)
        return total

    def reaches(self, duration: timedelta) -> datetime:
        """Return the earliest instant at which :meth:`elapsed` equals ``duration`` (>= 0)."""
        position = self.start.astimezone(UTC)
        remaining = max(duration, _ZERO)
        if not remaining:
            return self._add(position, remaining)
        for lo, hi in self.pauses:
            if hi <= position:
                continue
            if lo > position:
                available = self._between(position, lo)
                if available >= remaining:
                    return self._add(position, remaining)
                remaining -= available
            position = max(position, hi)
        return self._add(position, remaining)

    def paused_at(self, at: datetime) -> bool:
        """Whether ``at`` lies inside a pause."""
        u = at.astimezone(UTC)
        return any(lo <= u < hi for lo, hi in self.pauses)
