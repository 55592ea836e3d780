"""The parts of an agreement file, as frozen values (what ``build`` makes of the parse tree)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Final, Literal

from leadflow.sla import BusinessCalendar

__all__ = (
    "MAX_DURATION",
    "MIN_SAMPLE",
    "MIN_SAMPLE_LIMIT",
    "Alert",
    "CalendarSpec",
    "Condition",
    "Duration",
    "Ladder",
    "Meeting",
    "Miss",
    "RouteRule",
    "Step",
    "Target",
    "Team",
    "TimerSpec",
    "Where",
    "duration_text",
)


@dataclass(frozen=True, slots=True)
class Where:
    """A place in the agreement file (1-based), for "the rule line that chose them"."""

    source: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True, slots=True)
class Duration:
    """A stated duration: physical (``elapsed``) or business time on a calendar."""

    amount: timedelta
    clock: Literal["business", "elapsed"]
    text: str
    calendar: str | None = None

    def after(self, start: datetime, calendars: Mapping[str, BusinessCalendar]) -> datetime:
        """The instant this duration after ``start`` (on its calendar for business time)."""
        if self.clock == "business" and self.calendar is not None:
            return calendars[self.calendar].add(start, self.amount)
        return start + self.amount


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    """A ``calendar`` block: the business calendar plus its lines as written."""

    name: str
    calendar: BusinessCalendar
    hours: str
    zone: str
    holidays: str | None
    closures: tuple[str, ...]
    day: timedelta
    """The length of one business day (a week's open time over its open days)."""


@dataclass(frozen=True, slots=True)
class Target:
    """A response target for one temperature (``None``: nurture, no sales target)."""

    temperature: str
    within: Duration | None
    warning: float


@dataclass(frozen=True, slots=True)
class Team:
    """A routing team: round robin over ``members``, optionally capped, with an overflow owner."""

    name: str
    members: tuple[str, ...]
    cap: int | None
    overflow: str | None
    lead: str | None
    where: Where


Condition = tuple[Any, ...]
"""A routing condition: ``("and"|"or", c, ...)``, ``("cmp", field, op, number)``,
``("is"|"is_not", field, value)``, ``("in"|"not_in", field, frozenset)``."""


@dataclass(frozen=True, slots=True)
class RouteRule:
    """``owner when condition`` (``condition`` ``None``: ``otherwise``)."""

    owner: str
    team: bool
    condition: Condition | None
    text: str
    where: Where


@dataclass(frozen=True, slots=True)
class Step:
    """One rung of a timer: at ``after`` since the start, tell ``notify``."""

    after: Duration
    notify: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Ladder:
    """``escalate DUTY { after D [business|elapsed] -> WHO ... }``: escalations of one duty.

    Each step is measured from the start of the duty (the handoff for ``response``) on its own
    clock and comes after the duty's due time.
    """

    duty: str
    steps: tuple[Step, ...]
    where: Where


@dataclass(frozen=True, slots=True)
class TimerSpec:
    """A duty that runs while a lead is in ``stage``: the first step is the due time."""

    name: str
    stage: str
    steps: tuple[Step, ...]
    text: str


MAX_DURATION: Final = timedelta(days=3660)
"""The longest duration an agreement file (and ``leadflow report --aging``) may state: about ten
years (120 months of 30 days, plus leap days); the file is untrusted input."""

MIN_SAMPLE: Final = 20
"""The fewest leads a rate is judged on when the file does not say (``at least N leads``), so
that three leads do not page a VP: the one definition, also ``Threshold.min_sample``'s default."""

MIN_SAMPLE_LIMIT: Final = 1_000_000
"""The largest minimum sample an agreement file may state (the file is untrusted input)."""


@dataclass(frozen=True, slots=True)
class Alert:
    """A metric threshold and whom to tell (judged by ``leadflow.metrics.alert_rules``)."""

    metric: str
    direction: Literal["below", "above"]
    percent: float
    notify: tuple[str, ...]
    text: str
    where: Where | None = None
    within: Duration | None = None
    """``uncontacted within D``: the first-contact limit (on the agreement's calendar)."""
    rejected: tuple[str, ...] = ()
    """``rejected X``: the reason codes X names (a code, or every code of category X)."""
    min_sample: int = MIN_SAMPLE
    """The fewest leads in the rate's denominator for a verdict: the line's ``of at least N
    leads``, else the block's ``alerts over D, at least N leads``, else :data:`MIN_SAMPLE`."""


@dataclass(frozen=True, slots=True)
class Miss:
    """A rung of the ladder for repeated alert misses."""

    after: str
    in_a_row: bool
    notify: tuple[str, ...]
    where: Where | None = None


@dataclass(frozen=True, slots=True)
class Meeting:
    """A recurring meeting of the rhythm."""

    name: str
    frequency: Literal["weekly", "monthly", "quarterly"]
    ordinal: str | None
    day: str
    at: time
    length: timedelta
    attendees: tuple[str, ...]


def duration_text(value: timedelta) -> str:
    """``2 weeks``, ``48 hours``, ``30 minutes``: the largest whole unit."""
    seconds = int(value.total_seconds())
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'' if n == 1 else 's'}"
    return f"{seconds} seconds"
