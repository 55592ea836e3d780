"""Hypothesis strategies for the SLA clock: zones with odd DST, random weeks, instants, durations.

Instants are whole UTC minutes clustered around DST switches and year ends, so the brute-force
reference in ``tests/sla/reference.py`` can step minute by minute and still be exact.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from leadflow.sla import BusinessCalendar
from tests.sla.reference import Reference

ZONES = (
    "Europe/Berlin",
    "America/Santiago",  # no 00:00-00:59 on 2026-09-06: the start of a day can be missing
    "Australia/Lord_Howe",  # DST shifts by 30 minutes
    "Australia/Sydney",
    "America/New_York",
    "Asia/Kolkata",
    "UTC",
)

# UTC instants worth clustering around: DST switches of the zones above, year ends.
ANCHORS = tuple(
    datetime(*parts, tzinfo=UTC)
    for parts in (
        (2026, 3, 29, 1),  # Europe/Berlin spring forward
        (2026, 10, 25, 1),  # Europe/Berlin fall back
        (2026, 4, 5, 3),  # America/Santiago fall back (local 00:00 -> 23:00)
        (2026, 9, 6, 4),  # America/Santiago spring forward (no local 00:00-00:59)
        (2026, 4, 4, 15),  # Australia/Lord_Howe and Sydney fall back
        (2026, 10, 3, 15),  # Australia/Lord_Howe and Sydney spring forward
        (2026, 3, 8, 7),  # America/New_York spring forward
        (2026, 11, 1, 6),  # America/New_York fall back
        (2026, 12, 31, 23),  # year end
        (2027, 1, 1, 0),
        (2026, 6, 6, 12),  # an ordinary weekend
    )
)

zones = st.sampled_from(ZONES).map(ZoneInfo)
# One anchor per test case, so instants, holidays and closures of a case land near each other.
anchors = st.shared(st.sampled_from(ANCHORS), key="sla-anchor")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def spans(draw: st.DrawFn) -> tuple[str, str]:
    """One span on a 15-minute grid; end at or before start is overnight; 24:00 allowed."""
    start = draw(st.integers(0, 95)) * 15
    end = draw(st.integers(0, 96)) * 15
    return _clock(start), _clock(end)


@st.composite
def weeks(draw: st.DrawFn, *, allow_empty: bool = False) -> dict[int, list[tuple[str, str]]]:
    """A random week: each day gets 0-2 spans."""
    week = {
        day: draw(st.lists(spans(), max_size=2, unique=True))
        for day in range(7)
        if draw(st.booleans())
    }
    if not allow_empty and not any(week.values()):
        week[draw(st.integers(0, 6))] = [draw(spans())]
    return week


@st.composite
def instants(draw: st.DrawFn, zone: ZoneInfo | None = None) -> datetime:
    """A whole-minute instant within two days of the case's anchor, in ``zone`` or a random zone."""
    anchor = draw(anchors)
    at = anchor + timedelta(minutes=draw(st.integers(-2 * 1440, 2 * 1440)))
    return at.astimezone(zone if zone is not None else draw(zones))


durations = st.integers(0, 2 * 1440).map(lambda m: timedelta(minutes=m))


@st.composite
def calendars(draw: st.DrawFn, *, allow_empty: bool = False) -> tuple[BusinessCalendar, Reference]:
    """A calendar with random hours, holidays and closures, and its brute-force twin."""
    zone = draw(zones)
    week = draw(weeks(allow_empty=allow_empty))
    anchor = draw(anchors).astimezone(zone).date()
    near = st.integers(-3, 3).map(lambda k: anchor + timedelta(days=k))
    holidays = draw(st.frozensets(near, max_size=2))
    closed_days = draw(st.frozensets(near, max_size=1))
    closed_instants: tuple[tuple[datetime, datetime], ...] = ()
    if draw(st.booleans()):
        lo = draw(instants())
        length = timedelta(minutes=draw(st.integers(0, 2 * 1440)))
        hi = (lo.astimezone(UTC) + length).astimezone(lo.tzinfo)  # physical, not wall, time
        closed_instants = ((lo, hi),)
    reference = Reference(
        week=week,
        zone=zone,
        holidays=holidays,
        closed_days=closed_days,
        closed_instants=tuple((a.astimezone(UTC), b.astimezone(UTC)) for a, b in closed_instants),
    )
    closures: list[date | tuple[datetime, datetime]] = [*closed_days, *closed_instants]
    calendar = BusinessCalendar(
        hours=reference.spec(), timezone=zone, holidays=holidays, closures=closures
    )
    return calendar, reference
