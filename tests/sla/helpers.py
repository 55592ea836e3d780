"""Constants and builders shared by the SLA tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
US = timedelta(microseconds=1)


def berlin(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in Berlin."""
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


SATURDAY_EVENING = berlin(2026, 6, 6, 19, 30)
FIRST = datetime(2026, 6, 1, 9, tzinfo=UTC)
