"""A brute-force business calendar that steps minute by minute: slow, simple, independent.

It shares no code with ``leadflow.sla``. It reads the semantics straight from issue 3:

- each local date D whose weekday has spans, and which is neither a holiday nor a closed date,
  opens every span ``[D start, D' end)``; ``D'`` is the next day for overnight spans and 24:00;
- local times become instants with ``fold=0`` (whenever's "compatible" rule: forward in a gap,
  the earlier instant in a fold);
- an instant is open when some such span covers it and no instant closure does;
- business time is the number of open minutes (all inputs are whole UTC minutes, and every span
  boundary of the zones used in the tests is a whole minute);
- ``add(t, d)`` is the earliest instant with ``between(t, instant) == d``; ``add(t, 0) == t``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

MINUTE = timedelta(minutes=1)
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _instant(day: date, hhmm: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(x) for x in hhmm.split(":"))
    if hours == 24:
        day, hours = day + timedelta(days=1), 0
    local = datetime(day.year, day.month, day.day, hours, minutes, tzinfo=zone)  # fold=0
    return local.astimezone(UTC)


@dataclass(frozen=True)
class Reference:
    """``week[weekday]`` lists ``("HH:MM", "HH:MM")`` spans; Monday is 0."""

    week: dict[int, list[tuple[str, str]]]
    zone: ZoneInfo
    holidays: frozenset[date] = frozenset()
    closed_days: frozenset[date] = frozenset()
    closed_instants: tuple[tuple[datetime, datetime], ...] = ()
    _spans: dict[date, list[tuple[datetime, datetime]]] = field(default_factory=dict)

    def spans_of(self, day: date) -> list[tuple[datetime, datetime]]:
        if day not in self._spans:
            found = []
            if day not in self.holidays and day not in self.closed_days:
                for start, end in self.week.get(day.weekday(), []):
                    next_day = end <= start  # overnight, as strings "HH:MM" compare like times
                    found.append(
                        (
                            _instant(day, start, self.zone),
                            _instant(day + timedelta(days=next_day), end, self.zone),
                        )
                    )
            self._spans[day] = found
        return self._spans[day]

    def is_open(self, at: datetime) -> bool:
        u = at.astimezone(UTC)
        local_day = u.astimezone(self.zone).date()
        covered = any(
            s <= u < e
            for offset in range(-3, 2)
            for s, e in self.spans_of(local_day + timedelta(days=offset))
        )
        return covered and not any(lo <= u < hi for lo, hi in self.closed_instants)

    def between(self, start: datetime, end: datetime) -> timedelta:
        a, b = start.astimezone(UTC), end.astimezone(UTC)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        count = 0
        while a < b:
            count += self.is_open(a)
            a += MINUTE
        return sign * count * MINUTE

    def add(self, start: datetime, duration: timedelta) -> datetime:
        at = start.astimezone(UTC)
        wanted = abs(duration) // MINUTE
        count = 0
        if duration >= timedelta(0):
            while count < wanted:
                count += self.is_open(at)
                at += MINUTE
            return at
        while count < wanted:
            at -= MINUTE
            count += self.is_open(at)
        # earliest: walk back over the closed minutes before the instant found
        for _ in range(14 * 24 * 60):
            if self.is_open(at - MINUTE):
                break
            at -= MINUTE
        return at

    def spec(self) -> str:
        """Render the week as the text form ``BusinessCalendar`` parses."""
        return "; ".join(
            f"{DAY_NAMES[day]} " + ", ".join(f"{s}-{e}" for s, e in spans)
            for day, spans in sorted(self.week.items())
            if spans
        )
