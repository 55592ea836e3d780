"""A second, deliberately naive reference for the business calendar, written from issue 3 alone.

It shares no code with `leadflow.sla` or `tests/sla/reference.py`: it parses the hours spec
itself, lays every span of every local date in a range of years (2019 to 2034 by default) onto the UTC line with zoneinfo's
``fold=0`` ("compatible") rule, drops the spans that start on a holiday or closed date, cuts out
the closure intervals, merges what is left, and answers by scanning that list. Instants are whole
microseconds since the epoch, so every comparison is exact.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holidays_package

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = 1_000_000
SPAN = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


def micros(at: datetime) -> int:
    """Whole microseconds since the epoch of an aware datetime."""
    delta = at.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * US + delta.microseconds


def instant(us: int) -> datetime:
    """The UTC datetime of a microsecond count."""
    return EPOCH + timedelta(microseconds=us)


def duration_us(d: timedelta) -> int:
    """Whole microseconds of a timedelta."""
    return (d.days * 86_400 + d.seconds) * US + d.microseconds


def parse_days(text: str) -> set[int]:
    """Weekday numbers (0 = Monday) of 'mon', 'mon-fri', 'fri-mon' or 'mon,wed'."""
    result: set[int] = set()
    for item in text.split(","):
        first, _, last = item.partition("-")
        a, b = DAYS.index(first), DAYS.index(last or first)
        result.update((a + k) % 7 for k in range((b - a) % 7 + 1))
    return result


def parse_span(text: str) -> tuple[int, int]:
    """Start and end in minutes after the start date's midnight; an overnight end is +24 h."""
    m = SPAN.match(text)
    if m is None:
        raise ValueError(text)
    sh, sm, eh, em = (int(g) for g in m.groups())
    if sh > 23 or sm > 59 or em > 59 or eh > 24 or (eh == 24 and em != 0):
        raise ValueError(text)
    start, end = sh * 60 + sm, eh * 60 + em
    return (start, end) if end > start else (start, end + 24 * 60)


def parse_hours(spec: str) -> dict[int, list[tuple[int, int]]]:
    """Weekday (0 = Monday) to its spans, from the issue's string form."""
    table: dict[int, list[tuple[int, int]]] = {k: [] for k in range(7)}
    for group in spec.split(";"):
        if not group.strip():
            continue
        days, spans = group.split(None, 1)
        for k in parse_days(days):
            table[k].extend(parse_span(s.strip()) for s in spans.split(","))
    return table


def local_instant(day: date, minutes: int, tz: ZoneInfo) -> int:
    """The instant of the wall time `minutes` after `day`'s midnight, with fold=0."""
    extra, minutes = divmod(minutes, 24 * 60)
    wall = datetime.combine(day + timedelta(days=extra), time(minutes // 60, minutes % 60), tz)
    return micros(wall)


def region_holidays(region: str, year: int) -> set[date]:
    """The public holidays of 'CC' or 'CC-SUBDIV' in one year."""
    country, _, subdiv = region.partition("-")
    return set(holidays_package.country_holidays(country, subdiv=subdiv or None, years=year))


class Reference:
    """The brute-force calendar: hours, zone, holiday region or dates, closures."""

    def __init__(
        self,
        hours: str,
        timezone: str,
        holidays: str | Iterable[date] | None = None,
        closures: Iterable[Any] = (),
        years: tuple[int, int] = (2019, 2034),
    ) -> None:
        first_day, last_day = date(years[0], 1, 1), date(years[1], 12, 31)
        self.tz = ZoneInfo(timezone)
        table = parse_hours(hours)
        closed: set[date] = set()
        if isinstance(holidays, str):
            for year in range(years[0], years[1] + 1):
                closed |= region_holidays(holidays, year)
        elif holidays is not None:
            closed.update(holidays)
        cuts: list[tuple[int, int]] = []
        for item in closures:
            if isinstance(item, tuple) and isinstance(item[0], datetime):
                cuts.append((micros(item[0]), micros(item[1])))
            elif isinstance(item, tuple):
                day = item[0]
                while day <= item[1]:
                    closed.add(day)
                    day += timedelta(days=1)
            else:
                closed.add(item)
        raw: list[tuple[int, int]] = []
        day = first_day
        while day <= last_day:
            if day not in closed:
                for s, e in table[day.weekday()]:
                    a, b = local_instant(day, s, self.tz), local_instant(day, e, self.tz)
                    if b > a:
                        raw.append((a, b))
            day += timedelta(days=1)
        for ca, cb in cuts:
            kept = []
            for a, b in raw:
                if cb <= a or ca >= b:
                    kept.append((a, b))
                    continue
                if a < ca:
                    kept.append((a, ca))
                if cb < b:
                    kept.append((cb, b))
            raw = kept
        raw.sort()
        merged: list[tuple[int, int]] = []
        for a, b in raw:
            if merged and a <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], b))
            else:
                merged.append((a, b))
        # Spans of dates outside the table never reach these bounds, so inside them it is exact.
        self.lo = micros(datetime.combine(first_day + timedelta(days=2), time(), UTC))
        self.hi = micros(datetime.combine(last_day - timedelta(days=2), time(), UTC))
        self.ivs = [
            (max(a, self.lo), min(b, self.hi)) for a, b in merged if b > self.lo and a < self.hi
        ]
        self.ends = [b for _, b in self.ivs]

    def _check(self, *points: int) -> None:
        for p in points:
            if not self.lo < p < self.hi:
                raise OverflowError("outside the reference's table")

    def between_us(self, a: int, b: int) -> int:
        """Open microseconds in [a, b), negated when b < a."""
        if b < a:
            return -self.between_us(b, a)
        self._check(a, b)
        total = 0
        for s, e in self.ivs[bisect.bisect_right(self.ends, a) :]:
            if s >= b:
                break
            total += min(e, b) - max(s, a)
        return total

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time from start to end."""
        return timedelta(microseconds=self.between_us(micros(start), micros(end)))

    def is_open(self, at: datetime) -> bool:
        """Whether `at` lies in an open interval."""
        t = micros(at)
        self._check(t)
        k = bisect.bisect_right(self.ends, t)
        return k < len(self.ivs) and self.ivs[k][0] <= t

    def next_open(self, at: datetime) -> datetime:
        """`at` when open, else the next opening."""
        t = micros(at)
        self._check(t)
        for s, _ in self.ivs[bisect.bisect_right(self.ends, t) :]:
            return instant(max(s, t)).astimezone(self.tz)
        raise OverflowError("no opening in the table")

    def add(self, start: datetime, d: timedelta) -> datetime:
        """The earliest x with between(start, x) == d."""
        t, left = micros(start), duration_us(d)
        self._check(t)
        if left == 0:
            return start.astimezone(self.tz)
        if left > 0:
            for s, e in self.ivs[bisect.bisect_right(self.ends, t) :]:
                lo = max(s, t)
                if e - lo >= left:
                    self._check(lo + left)
                    return instant(lo + left).astimezone(self.tz)
                left -= e - lo
            raise OverflowError("no deadline in the table")
        left = -left
        before = [
            (s, min(e, t)) for s, e in self.ivs[: bisect.bisect_left(self.ends, t) + 1] if s < t
        ]
        for k in range(len(before) - 1, -1, -1):
            s, e = before[k]
            if e - s > left:
                return instant(e - left).astimezone(self.tz)
            if e - s == left:
                # Reached exactly at an opening: every instant back to the previous close has the
                # same business time behind it, and the earliest of them is that close.
                if k == 0:
                    break
                return instant(before[k - 1][1]).astimezone(self.tz)
            left -= e - s
        raise OverflowError("no deadline in the table")
