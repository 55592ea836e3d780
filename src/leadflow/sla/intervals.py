"""Open intervals of one UTC year, precomputed so that every calendar query is a bisect.

Local wall times become instants by whenever's "compatible" rule, which is what ``zoneinfo``
does for ``fold=0``: a time inside a DST gap moves forward by the length of the gap, and a time
inside a DST fold takes the earlier of its two instants. A span whose end then falls at or before
its start (e.g. ``02:30-03:00`` on the spring-forward day in Europe/Berlin) is empty.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from leadflow.sla.closures import Closures, merge_instants
from leadflow.sla.hours import WorkingHours

__all__ = ("ZERO", "YearTable", "build_year", "year_bounds")

ZERO: Final = timedelta(0)
_DAY: Final = timedelta(days=1)
_MAX_UTC: Final = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class YearTable:
    """Open intervals ``[starts[i], ends[i])`` inside one UTC year, sorted and disjoint.

    ``bounds`` interleaves starts and ends, so ``bisect_right(bounds, t)`` is odd exactly when
    ``t`` is open. ``before[i]`` is the open time in the year before ``starts[i]`` (one extra
    entry holds the total) and ``upto[i]`` the open time up to ``ends[i]``.
    """

    bounds: tuple[datetime, ...]
    starts: tuple[datetime, ...]
    ends: tuple[datetime, ...]
    before: tuple[timedelta, ...]
    upto: tuple[timedelta, ...]
    total: timedelta

    @classmethod
    def of(cls, intervals: list[tuple[datetime, datetime]]) -> YearTable:
        """Build the table from sorted, disjoint, non-empty intervals."""
        starts = tuple(s for s, _ in intervals)
        ends = tuple(e for _, e in intervals)
        before = [ZERO]
        for s, e in intervals:
            before.append(before[-1] + (e - s))
        return cls(
            bounds=tuple(b for pair in intervals for b in pair),
            starts=starts,
            ends=ends,
            before=tuple(before),
            upto=tuple(before[1:]),
            total=before[-1],
        )


EMPTY: Final = YearTable.of([])


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """Return the UTC instants ``[start, end)`` of UTC year ``year``."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC) if year < 9999 else _MAX_UTC
    return start, end


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    if minutes >= 1440:
        day, minutes = day + _DAY, minutes - 1440
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone).astimezone(UTC)


def _spans(day: date, hours: WorkingHours, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
    found = []
    for span in hours.days[day.weekday()]:
        end = span.end + 1440 if span.end <= span.start else span.end
        try:
            start_utc, end_utc = _local(day, span.start, zone), _local(day, end, zone)
        except OverflowError:  # the first or last representable day
            continue
        if end_utc > start_utc:
            found.append((start_utc, end_utc))
    return found


def _subtract(
    intervals: list[tuple[datetime, datetime]], holes: tuple[tuple[datetime, datetime], ...]
) -> list[tuple[datetime, datetime]]:
    result = []
    for start, end in intervals:
        pieces = [(start, end)]
        for lo, hi in holes:
            if hi <= start or lo >= end:
                continue
            pieces = [
                piece
                for s, e in pieces
                for piece in ((s, min(e, lo)), (max(s, hi), e))
                if piece[1] > piece[0]
            ]
        result.extend(pieces)
    return result


def build_year(
    year: int,
    hours: WorkingHours,
    zone: ZoneInfo,
    holidays: Callable[[int], frozenset[date]],
    closures: Closures,
) -> YearTable:
    """Compute the open intervals of UTC year ``year``.

    Every span starts on a local date; spans starting on a holiday or a closed date are
    dropped whole, then instant closures are cut out and the result is clipped to the year.
    """
    lo, hi = year_bounds(year)
    if hours.is_empty or closures.covers_instants(lo, hi):
        return EMPTY
    # A span starts on its local date and lasts less than two days; UTC offsets stay within
    # a day, so these local dates are the only ones whose spans can reach into the year.
    first = date(year - 1, 12, 28) if year > 1 else date.min
    last = date(year + 1, 1, 2) if year < 9999 else date.max
    if closures.covers_days(first, last):
        return EMPTY
    intervals: list[tuple[datetime, datetime]] = []
    day = first
    while True:
        if hours.days[day.weekday()] and day not in holidays(day.year) and not closures.closes(day):
            intervals.extend(_spans(day, hours, zone))
        if day == last:
            break
        day += _DAY
    merged = merge_instants(intervals)
    if closures.instants:
        merged = _subtract(merged, closures.instants)
    clipped = [(max(s, lo), min(e, hi)) for s, e in merged if e > lo and s < hi]
    return YearTable.of([(s, e) for s, e in clipped if e > s])
