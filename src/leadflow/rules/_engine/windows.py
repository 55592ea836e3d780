"""Activity windows for the hot path: counting a lead's activities per kind and window.

A count such as ``pricing_page_view within 30 days`` takes every activity of the kind from the
start of its window up to ``now``, both included. The bounds are instants in UTC, worked out
once per evaluation instant (:func:`clock_at`); an activity is then counted by comparing its
timestamp with them, which is exact in every time zone (fold and DST included) and costs no
timestamp conversion per activity.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from leadflow.lead import Lead

__all__ = ("NO_CLOCK", "Bound", "Clock", "Slot", "clock_at", "count_activities", "slot")

_DAWN = datetime.min.replace(tzinfo=UTC)
_EVER = (datetime.max.replace(tzinfo=UTC) - _DAWN).total_seconds()
"""A window at least this long holds every datetime there is."""

Slot = tuple[int, timedelta | None, float]
"""Where a count goes in the hot path's values, its window (``None``: any age) and the count
at which it stops (its rules' points stay the same from there)."""
Bound = tuple[int, datetime, float]
"""A :data:`Slot` with the window's start as an instant in UTC, for one evaluation instant."""
Clock = tuple[
    datetime | None, float, datetime, Mapping[str, Bound], Mapping[str, tuple[Bound, ...]]
]
"""``now``, its timestamp, ``now`` in UTC, then the bounds of each counted kind: of the kinds
with one count, and of the kinds with several."""

NO_CLOCK: Clock = (None, 0.0, _DAWN, {}, {})
"""The clock before the first evaluation."""


def slot(index: int, window: float, limit: float) -> Slot:
    """The slot of a count of activities at most ``window`` seconds old (``inf``: any age)."""
    return index, None if window >= _EVER else timedelta(seconds=window), limit


def _since(now_utc: datetime, slot: Slot) -> Bound:
    index, window, limit = slot
    if window is None:
        return index, _DAWN, limit
    try:
        return index, now_utc - window, limit
    except OverflowError:  # a window reaching back before year 1
        return index, _DAWN, limit


def clock_at(
    now: datetime, single: Mapping[str, Slot], several: Mapping[str, tuple[Slot, ...]]
) -> Clock:
    """The bounds of every counted kind's windows at ``now``."""
    now_utc = now.astimezone(UTC)
    return (
        now,
        now.timestamp(),
        now_utc,
        {kind: _since(now_utc, s) for kind, s in single.items()},
        {kind: tuple(_since(now_utc, s) for s in slots) for kind, slots in several.items()},
    )


def count_activities(values: list[Any], lead: Lead, clock: Clock) -> None:
    """Tally the activity counts into ``values``, each in its slot, up to its limit."""
    _, _, now_utc, single, several = clock
    for activity in lead.activities:
        kind = activity.kind
        if kind in single:
            i, since, limit = single[kind]
            if values[i] < limit and since <= activity.at <= now_utc:
                values[i] += 1
        elif several and (bounds := several.get(kind)) is not None:
            at = activity.at
            if at <= now_utc:
                for i, since, limit in bounds:
                    if since <= at and values[i] < limit:
                        values[i] += 1
