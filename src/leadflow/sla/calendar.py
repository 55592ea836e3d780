"""``BusinessCalendar``: business-hours deadlines and elapsed business time.

Business time is physical elapsed time while the calendar is open. Open intervals are computed
lazily per UTC year and kept as UTC instants with cumulative sums, so ``add``, ``between``,
``is_open`` and ``next_open`` each cost a bisect (plus one table build per year first touched).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from leadflow._time import RANGE, out_of_range, require_aware, require_timedelta, zone
from leadflow.errors import ConfigurationError, OutOfRangeError
from leadflow.sla.closures import Closures, parse_closures
from leadflow.sla.hours import WorkingHours, parse_hours
from leadflow.sla.intervals import ZERO, YearTable, build_year, year_bounds
from leadflow.sla.public_holidays import HolidaySource, holiday_source

__all__ = ("BusinessCalendar",)

_MIN_YEAR: Final = 1
_MAX_YEAR: Final = 9999
_CLOSE_HORIZON_YEARS: Final = 50
_FIRST_UTC: Final = datetime.min.replace(tzinfo=UTC)
_LAST_UTC: Final = datetime.max.replace(tzinfo=UTC)
_LONG: Final = timedelta(days=366 * 100)
"""Durations shorter than this are checked against datetime's range by the year loop alone."""


def _utc(value: datetime, argument: str) -> datetime:
    """Return ``value`` as an aware UTC datetime.

    Raises:
        NaiveDatetimeError: ``value`` is naive.
        ArgumentTypeError: ``value`` is not a datetime.
        OutOfRangeError: the instant is outside UTC years 1 to 9999.
    """
    if (
        type(value) is not datetime
        or value.tzinfo is None
        or (type(value.tzinfo) is not ZoneInfo and value.tzinfo is not UTC)
    ):
        require_aware(value, argument)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise out_of_range(argument, value) from None


class BusinessCalendar:
    """Office hours in a time zone, minus public holidays and closures.

    Args:
        hours: weekly hours, e.g. ``"mon-fri 08:00-18:00"`` (see :mod:`leadflow.sla.hours`),
            a mapping ``{"mon-fri": "08:00-18:00"}`` or a :class:`WorkingHours`.
        timezone: IANA zone name or ``ZoneInfo``; results carry this zone.
        holidays: ``"CC"`` / ``"CC-SUBDIV"`` resolved with the ``holidays`` package, an
            iterable of dates, or ``None``.
        closures: dates (closed days), ``(date, date)`` pairs (inclusive ranges) and pairs of
            aware datetimes (half-open intervals).
        holiday_categories: categories passed to ``holidays`` (default: public holidays).

    A span belongs to the local date on which it starts: a holiday or closed date closes every
    span starting on it, and a span starting the evening before runs on into it. The calendar
    is immutable; per-year tables are cached inside it and are a pure function of its settings.

    >>> from datetime import datetime, timedelta
    >>> cal = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin")
    >>> saturday_evening = datetime(2026, 6, 6, 19, 30, tzinfo=cal.timezone)
    >>> cal.add(saturday_evening, timedelta(hours=4))
    datetime.datetime(2026, 6, 8, 12, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))

    Raises:
        ConfigurationError: malformed hours, unknown zone, region or closure.
    """

    __slots__ = (
        "_closures",
        "_epoch",
        "_holidays",
        "_hours",
        "_never_closes",
        "_never_open",
        "_tables",
        "_totals",
        "_zone",
    )

    _hours: WorkingHours
    _zone: ZoneInfo
    _holidays: HolidaySource
    _closures: Closures
    _epoch: datetime
    _never_open: bool
    _never_closes: bool
    _tables: dict[int, YearTable]
    _totals: dict[int, timedelta]

    def __init__(
        self,
        hours: str | Mapping[str, str | Iterable[str]] | WorkingHours,
        timezone: str | ZoneInfo,
        holidays: str | Iterable[date] | HolidaySource | None = None,
        closures: Iterable[Any] | Closures | None = (),
        *,
        holiday_categories: Iterable[str] | None = None,
    ) -> None:
        if isinstance(timezone, ZoneInfo):
            tz = timezone
        elif isinstance(timezone, str):
            tz = zone(timezone)
        else:
            raise ConfigurationError(
                f"timezone must be an IANA name or a ZoneInfo, got {timezone!r}",
                field="timezone",
                value=timezone,
                expected="an IANA time zone name",
            )
        parsed = parse_hours(hours)
        setattr_ = object.__setattr__
        setattr_(self, "_hours", parsed)
        setattr_(self, "_zone", tz)
        # 1970-01-01 00:00 wall time in the zone: ``zone.fromutc(_epoch + (u - EPOCH))`` is
        # ``u.astimezone(zone)`` for a UTC ``u`` (the tracker's hot path converts with it).
        setattr_(self, "_epoch", datetime(1970, 1, 1, tzinfo=tz))
        setattr_(self, "_holidays", holiday_source(holidays, holiday_categories))
        setattr_(self, "_closures", parse_closures(closures))
        setattr_(self, "_never_open", parsed.is_empty)
        setattr_(
            self,
            "_never_closes",
            parsed.around_the_clock and not self._closures and self._holidays.is_empty,
        )
        setattr_(self, "_tables", {})
        setattr_(self, "_totals", {})

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"BusinessCalendar is immutable; cannot set {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._hours, self._zone, self._holidays, self._closures))

    # -- settings ---------------------------------------------------------------------------

    @property
    def hours(self) -> WorkingHours:
        """The weekly working hours."""
        return self._hours

    @property
    def timezone(self) -> ZoneInfo:
        """The calendar's zone; every result is expressed in it."""
        return self._zone

    @property
    def holidays(self) -> HolidaySource:
        """Where the public holidays come from."""
        return self._holidays

    @property
    def closures(self) -> Closures:
        """The normalised closures."""
        return self._closures

    def holidays_in(self, year: int) -> frozenset[date]:
        """Return the public holidays of local calendar year ``year``."""
        return self._holidays.dates(year)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[Any, ...]:
        return (self._hours, self._zone.key, self._holidays, self._closures)

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar(hours={str(self._hours)!r}, timezone={self._zone.key!r}, "
            f"holidays={str(self._holidays)!r}, closures={len(self._closures)})"
        )

    # -- tables -----------------------------------------------------------------------------

    def _table(self, year: int) -> YearTable:
        table = self._tables.get(year)
        if table is None:
            table = build_year(year, self._hours, self._zone, self._holidays.dates, self._closures)
            self._tables[year] = table  # same value whichever thread stores it
        return table

    def _total(self, year: int) -> timedelta:
        """The open time of UTC year ``year``; walks over many years keep only this, not tables."""
        table = self._tables.get(year)
        if table is not None:
            return table.total
        total = self._totals.get(year)
        if total is None:
            built = build_year(year, self._hours, self._zone, self._holidays.dates, self._closures)
            total = self._totals[year] = built.total
        return total

    def _in_zone(self, u: datetime, what: str, argument: str, value: datetime) -> datetime:
        """``u`` in the calendar's zone, or the error naming ``what`` (a result) is out of range."""
        try:
            return u.astimezone(self._zone)
        except OverflowError:
            raise out_of_range(argument, value, f"{what} {u.isoformat()}") from None

    def _never_open_error(self, operation: str, at: datetime) -> ConfigurationError:
        return ConfigurationError(
            f"calendar {self!r} has no open time {operation} {at.isoformat()}; "
            "check its hours, holidays and closures",
            field="hours",
            value=str(self._hours),
            expected="at least one open span",
        )

    # -- queries ----------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        """Return whether the calendar is open at instant ``at`` (spans are half-open).

        Raises:
            NaiveDatetimeError: ``at`` is naive.
        """
        u = _utc(at, "at")
        table = self._tables.get(u.year) or self._table(u.year)
        return bisect_right(table.bounds, u) & 1 == 1

    def next_open(self, at: datetime) -> datetime:
        """Return the first open instant at or after ``at`` (``at`` itself when open).

        Raises:
            NaiveDatetimeError: ``at`` is naive.
            ConfigurationError: the calendar is never open again.
        """
        u = _utc(at, "at")
        year = u.year
        table = self._tables.get(year) or self._table(year)
        k = bisect_right(table.bounds, u)
        if k & 1:
            return self._in_zone(u, "the next opening", "at", at)
        i = k >> 1
        while i >= len(table.starts):
            year += 1
            if self._never_open or year > _MAX_YEAR:
                raise self._never_open_error("at or after", at)
            table, i = self._table(year), 0
        return self._in_zone(table.starts[i], "the next opening", "at", at)

    def next_close(self, at: datetime) -> datetime:
        """Return the first closed instant at or after ``at`` (``at`` itself when closed).

        Raises:
            NaiveDatetimeError: ``at`` is naive.
            ConfigurationError: the calendar does not close within 50 years after ``at``
                (at once for hours around the clock without holidays or closures).
        """
        u = _utc(at, "at")
        year = u.year
        table = self._table(year)
        k = bisect_right(table.bounds, u)
        if not k & 1:
            return self._in_zone(u, "the next closing", "at", at)
        if self._never_closes:
            raise self._never_closes_error(at)
        end = table.ends[k >> 1]
        # an interval clipped at the year end may go on in the next year
        while end == year_bounds(year)[1]:
            year += 1
            if year > min(u.year + _CLOSE_HORIZON_YEARS, _MAX_YEAR):
                raise self._never_closes_error(at)
            table = self._table(year)
            if not table.starts or table.starts[0] != end:
                break
            end = table.ends[0]
        return self._in_zone(end, "the next closing", "at", at)

    def _never_closes_error(self, at: datetime) -> ConfigurationError:
        return ConfigurationError(
            f"calendar {self!r} does not close within {_CLOSE_HORIZON_YEARS} years after "
            f"{at.isoformat()}",
            field="hours",
            value=str(self._hours),
            expected="some closed time",
        )

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Return the business time elapsed from ``start`` to ``end``; negative when end < start.

        >>> from datetime import datetime
        >>> cal = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin")
        >>> cal.between(datetime(2026, 6, 5, 17, tzinfo=cal.timezone),
        ...             datetime(2026, 6, 8, 9, tzinfo=cal.timezone))
        datetime.timedelta(seconds=7200)

        Raises:
            NaiveDatetimeError: ``start`` or ``end`` is naive.
        """
        a, b = _utc(start, "start"), _utc(end, "end")
        if b < a:
            return -self._between(b, a)
        return self._between(a, b)

    def _position(self, table: YearTable, u: datetime) -> timedelta:
        k = bisect_right(table.bounds, u)
        i = k >> 1
        if k & 1:
            return table.before[i] + (u - table.starts[i])
        return table.before[i]

    def _between(self, a: datetime, b: datetime) -> timedelta:
        ya, yb = a.year, b.year
        first = self._tables.get(ya) or self._table(ya)
        if ya == yb:
            return self._position(first, b) - self._position(first, a)
        total = first.total - self._position(first, a)
        for year in range(ya + 1, yb):
            total += self._total(year)
        return total + self._position(self._table(yb), b)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Return the deadline: the earliest instant at which ``between(start, it) == duration``.

        ``add(t, timedelta(0))`` is ``t`` (in the calendar's zone). A deadline reached exactly
        at a closing time is that closing time, not the next opening. A negative duration counts
        back and, by the same rule, lands on the earliest instant: Monday 09:00 minus 1 hour on
        Mon-Fri 08:00-18:00 is Friday 18:00.

        >>> from datetime import datetime, timedelta
        >>> cal = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin")
        >>> cal.add(datetime(2026, 6, 8, 14, tzinfo=cal.timezone), timedelta(hours=4))
        datetime.datetime(2026, 6, 8, 18, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Berlin'))

        Raises:
            NaiveDatetimeError: ``start`` is naive.
            ConfigurationError: the calendar has no open time to reach the deadline in.
            ArgumentTypeError: ``duration`` is not a ``timedelta`` (a ``TypeError``).
            OutOfRangeError: the deadline lies outside the years 1 to 9999 that datetime can
                hold (``add(start, timedelta.max)``), or ``start`` does.
        """
        u = _utc(start, "start")
        if type(duration) is not timedelta:
            require_timedelta(duration, "duration")
        if not duration:
            return self._in_zone(u, "the deadline", "start", start)
        if self._never_open:
            raise self._never_open_error("after" if duration > ZERO else "before", start)
        # Business time never runs faster than physical time: a duration longer than what is
        # left of datetime's range cannot be reached (and would overflow the sums below).
        if (duration > _LONG or duration < -_LONG) and (
            duration > _LAST_UTC - u or duration < _FIRST_UTC - u
        ):
            raise self._beyond_range(start, duration)
        year = u.year
        table = self._tables.get(year) or self._table(year)
        target = self._position(table, u) + duration
        if duration > ZERO:
            total = table.total
            while target > total:
                target -= total
                year += 1
                if year > _MAX_YEAR:
                    raise self._beyond_range(start, duration, _MAX_YEAR)
                total = self._total(year)
        else:
            while target <= ZERO:
                year -= 1
                if year < _MIN_YEAR:
                    raise self._beyond_range(start, duration, _MIN_YEAR)
                target += self._total(year)
        if year != u.year:
            table = self._table(year)
        i = bisect_left(table.upto, target)
        deadline = table.ends[i] - (table.upto[i] - target)
        try:
            return deadline.astimezone(self._zone)
        except OverflowError:
            raise out_of_range("start", start, f"the deadline {deadline.isoformat()}") from None

    # -- the tracker's hot path ----------------------------------------------------------------

    def _track(
        self, u: datetime, target: timedelta, share: timedelta, stop: datetime
    ) -> tuple[timedelta, datetime, datetime, timedelta] | None:
        """What ``add(u, target)``, ``add(u, share)`` and ``between(u, stop)`` give, in UTC.

        Returns ``(position, deadline, warning, elapsed)``: ``position`` is the open time of
        ``u``'s UTC year before ``u`` (for :meth:`_reach`). One walk: the start is looked up in
        its year table once, the warning found from there, and the deadline from the warning's
        interval on (the open time still to go after the warning is ``target - share``, so the
        deadline's interval is the warning's or a later one: the search starts there and gives
        the index a search of the whole year gives). Each instant is computed with ``add``'s
        own expression, ``ends[i] - (upto[i] - reach)``, so both are ``add``'s results exactly.
        ``u`` and ``stop`` are UTC, ``stop >= u`` and ``0 <= share <= target``; ``None``
        wherever ``add`` would raise (never open, beyond datetime's range) or the duration is
        long: the caller then takes the general path, which raises the errors.
        """
        if self._never_open or target > _LONG:
            return None
        year = u.year
        table = self._tables.get(year) or self._table(year)
        bounds, before = table.bounds, table.before
        k = bisect_right(bounds, u)
        i = k >> 1
        position = before[i] + (u - table.starts[i]) if k & 1 else before[i]
        reach = position + target
        upto, ends = table.upto, table.ends
        if reach <= table.total:  # the deadline, and so the warning, in this year's table
            # Every search starts where the last one ended (``upto`` is sorted, and interval
            # ``i`` is the first whose ``upto`` can reach beyond ``position``), so it gives
            # the index a search of the whole table gives.
            j = i
            if not share:
                warning = u  # add(u, 0) is u itself
            else:
                early = position + share
                if upto[j] < early:
                    j = bisect_left(upto, early, j + 1)
                warning = ends[j] - (upto[j] - early)
            if upto[j] < reach:
                j = bisect_left(upto, reach, j + 1)
            deadline = ends[j] - (upto[j] - reach)
        else:
            found = self._reach(year, table, reach)
            if found is None:
                return None
            deadline = found
            if not share:
                warning = u
            else:
                found = self._reach(year, table, position + share)
                if found is None:
                    return None
                warning = found
        if stop.year == year:
            k = bisect_right(bounds, stop, k)  # stop >= u: no bound before u's is after stop
            i = k >> 1
            if k & 1:
                elapsed = before[i] + (stop - table.starts[i]) - position
            else:
                elapsed = before[i] - position
        else:
            elapsed = self._between(u, stop)
        return position, deadline, warning, elapsed

    def _reach(self, year: int, table: YearTable, target: timedelta) -> datetime | None:
        """The UTC instant at which the open time since the start of UTC year ``year`` (whose
        table is ``table``) reaches ``target`` > 0, walking on into later years as ``add``
        does; ``None`` past year 9999, where ``add`` raises."""
        total = table.total
        if target > total:
            while target > total:
                target -= total
                year += 1
                if year > _MAX_YEAR:
                    return None
                total = self._total(year)
            table = self._table(year)
        upto = table.upto
        i = bisect_left(upto, target)
        return table.ends[i] - (upto[i] - target)

    def _beyond_range(
        self, start: datetime, duration: timedelta, last_year: int | None = None
    ) -> OutOfRangeError | ConfigurationError:
        where = "after" if duration > ZERO else "before"
        if last_year is not None and not self._total(last_year):
            # closed at the end of datetime's range too: closures "to the end of time"
            return self._never_open_error(where, start)
        return OutOfRangeError(
            f"the deadline {abs(duration)} of business time {where} {start.isoformat()} on "
            f"{self!r} lies outside the range datetime can represent; expected a duration "
            f"whose deadline is {RANGE}",
            argument="duration",
            value=duration,
            expected=RANGE,
        )
