"""The SLA tracker: from a start, a target, pauses and ``now``, where does the SLA stand?

``track`` is a pure function of its inputs: the same arguments always give the same
:class:`SlaStatus`, and nothing reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict

from leadflow._time import aware_utc, require_aware, to_utc
from leadflow.errors import ConfigurationError
from leadflow.sla._build import built
from leadflow.sla.calendar import BusinessCalendar
from leadflow.sla.escalation import Escalation, EscalationLadder
from leadflow.sla.stopwatch import Stopwatch, merged_pauses

__all__ = ("Pauses", "SlaState", "SlaStatus", "track")


class SlaState(StrEnum):
    """Where an SLA stands at ``now``."""

    RUNNING = "running"
    PAUSED = "paused"
    MET = "met"
    BREACHED = "breached"


class SlaStatus(BaseModel):
    """The state of one SLA at ``now``.

    Attributes:
        state: running, paused, met or breached.
        due_at: the deadline; while a pause is open, the deadline if the pause ended at ``now``.
        warning_at: when the SLA becomes at risk (``warning`` share of the target used).
        at_risk: running or paused, and ``now`` is at or after ``warning_at``.
        elapsed: business time used so far (up to the response, if there was one).
        remaining: ``target - elapsed``; negative once the deadline has passed.
        met_at: when the response came (also set for a late response).
        breached_at: the deadline, once it passed without a response in time.
        escalations: the escalation steps due at ``now``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    state: SlaState
    now: AwareDatetime
    started_at: AwareDatetime
    target: timedelta
    due_at: AwareDatetime
    warning_at: AwareDatetime
    at_risk: bool
    elapsed: timedelta
    remaining: timedelta
    met_at: AwareDatetime | None = None
    breached_at: AwareDatetime | None = None
    escalations: tuple[Escalation, ...] = ()

    @property
    def open(self) -> bool:
        """Whether the SLA still waits for a response (running or paused)."""
        return self.state in (SlaState.RUNNING, SlaState.PAUSED)


Pauses = Iterable[tuple[datetime, datetime | None]]


def track(
    started_at: datetime,
    target: timedelta,
    *,
    now: datetime,
    calendar: BusinessCalendar | None = None,
    pauses: Pauses = (),
    met_at: datetime | None = None,
    warning: float = 0.75,
    escalation: EscalationLadder | None = None,
) -> SlaStatus:
    """Report the SLA that started at ``started_at`` with business-time ``target``, at ``now``.

    Business time runs on ``calendar`` (physical time when ``None``) and stops during
    ``pauses``: ``(start, end)`` pairs, where ``end=None`` is a pause still open at ``now``.
    ``met_at`` is the response (first contact); a response after ``now`` is not known yet and
    is ignored. The SLA is met when the response comes at or before the deadline, breached
    once ``now`` (or a late response) is after it. Results are in the calendar's zone.

    >>> from datetime import datetime, timedelta
    >>> cal = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin")
    >>> saturday = datetime(2026, 6, 6, 19, 30, tzinfo=cal.timezone)
    >>> status = track(saturday, timedelta(hours=4), calendar=cal,
    ...                now=datetime(2026, 6, 8, 11, tzinfo=cal.timezone))
    >>> status.state, status.due_at.strftime("%a %H:%M"), status.at_risk, status.remaining
    (<SlaState.RUNNING: 'running'>, 'Mon 12:00', True, datetime.timedelta(seconds=3600))

    Raises:
        NaiveDatetimeError: a datetime argument is naive.
        ConfigurationError: ``target`` is not positive, ``warning`` is not in (0, 1], or a
            pause ends before it starts.
    """
    require_aware(started_at, "started_at")
    require_aware(now, "now")
    if not isinstance(target, timedelta) or target <= timedelta(0):
        raise ConfigurationError(
            f"SLA target must be a positive timedelta, got {target!r}",
            field="target",
            value=target,
            expected="a positive timedelta",
        )
    if not 0 < warning <= 1:
        raise ConfigurationError(
            f"warning must be a share of the target in (0, 1], got {warning!r}",
            field="warning",
            value=warning,
            expected="a number in (0, 1], e.g. 0.75",
        )
    return track_checked(started_at, target, now, calendar, pauses, met_at, warning, escalation)


def track_checked(
    started_at: datetime,
    target: timedelta,
    now: datetime,
    calendar: BusinessCalendar | None,
    pauses: Pauses,
    met_at: datetime | None,
    warning: float,
    escalation: EscalationLadder | None,
) -> SlaStatus:
    """:func:`track` once ``target`` and ``warning`` are known to be valid (a policy's are)."""
    start_utc = aware_utc(started_at, "started_at")
    now_utc = aware_utc(now, "now")
    response = None if met_at is None else aware_utc(met_at, "met_at")
    if response is not None and response > now_utc:
        response = None
    if pauses != ():
        pauses = tuple(pauses)
    if calendar is not None and not pauses:
        return _track_on_calendar(
            started_at, start_utc, target, now_utc, calendar, response, warning, escalation
        )
    merged = merged_pauses(pauses, now=now)
    start = started_at if calendar is None else started_at.astimezone(calendar.timezone)
    watch = Stopwatch(start, calendar, merged)
    due_at = watch.reaches(target)
    warning_at = watch.reaches(target * warning)
    stop = now_utc if response is None else response
    elapsed = watch.elapsed(stop)
    zone = start.tzinfo
    due_utc = to_utc(due_at)
    met = breached = None
    if response is not None:
        met = response.astimezone(zone)
        state = SlaState.MET if response <= due_utc else SlaState.BREACHED
        breached = None if state is SlaState.MET else due_at
    elif now_utc > due_utc:
        state, breached = SlaState.BREACHED, due_at
    elif watch.paused_at(now_utc) or any(
        end is None and to_utc(begin) <= now_utc for begin, end in pauses
    ):
        state = SlaState.PAUSED
    else:
        state = SlaState.RUNNING
    escalations: tuple[Escalation, ...] = ()
    if escalation is not None:
        escalations = escalation.due(
            start,
            now=now,
            resolved_at=met_at,
            calendar=calendar,
            pauses=pauses,
            target=target,
        )
    return SlaStatus(
        state=state,
        now=now_utc.astimezone(zone),
        started_at=start,
        target=target,
        due_at=due_at,
        warning_at=warning_at,
        at_risk=state in (SlaState.RUNNING, SlaState.PAUSED) and now_utc >= to_utc(warning_at),
        elapsed=elapsed,
        remaining=target - elapsed,
        met_at=met,
        breached_at=breached,
        escalations=escalations,
    )


_LADDERS: dict[int, tuple[EscalationLadder, float]] = {}


def _lowest_share(ladder: EscalationLadder) -> float:
    """The lowest share of the target among the ladder's steps; 0 if a step is not a share.

    No step at a share at or above the warning can be due before the warning instant: the
    tracker skips the ladder then. Kept per ladder object (the ladder is frozen).
    """
    known = _LADDERS.get(id(ladder))
    if known is not None and known[0] is ladder:
        return known[1]
    shares = [step.at if step.at is not None else 0.0 for step in ladder.steps]
    lowest = min(shares, default=1.0)
    if len(_LADDERS) >= 64:
        _LADDERS.clear()
    _LADDERS[id(ladder)] = (ladder, lowest)
    return lowest


_SPANS: dict[tuple[timedelta, float], timedelta] = {}
"""``target * warning`` (a timedelta times a float costs 0.3 µs): a cache of a pure function."""


def _track_on_calendar(
    started_at: datetime,
    start_utc: datetime,
    target: timedelta,
    now_utc: datetime,
    calendar: BusinessCalendar,
    response: datetime | None,
    warning: float,
    escalation: EscalationLadder | None,
) -> SlaStatus:
    """:func:`track` without pauses on a calendar: two additions and one difference in all.

    The same results as the general path (which the stopwatch serves), computed from one lookup
    of the start's position in the calendar's year table; the escalation steps at a share of
    the target reuse the deadline and the warning instead of adding again.
    """
    zone = calendar._zone
    warning_span = _SPANS.get((target, warning))
    if warning_span is None:
        if len(_SPANS) >= 256:
            _SPANS.clear()
        warning_span = _SPANS[target, warning] = target * warning
    stop = now_utc if response is None else response
    due_utc, warning_utc, elapsed = calendar._track(start_utc, target, warning_span, stop)
    due_at = due_utc.astimezone(zone)
    warning_at = warning_utc.astimezone(zone)
    if response is not None:
        state = SlaState.MET if response <= due_utc else SlaState.BREACHED
    elif now_utc > due_utc:
        state = SlaState.BREACHED
    else:
        state = SlaState.RUNNING
    escalations: tuple[Escalation, ...] = ()
    if escalation is not None and (now_utc > warning_utc or _lowest_share(escalation) < warning):
        reached = {1.0: (due_at, due_utc), warning: (warning_at, warning_utc)}
        escalations = escalation._due_on_calendar(
            start_utc, zone, now_utc, response, calendar, target, reached
        )
    fields: dict[str, Any] = {
        "state": state,
        "now": now_utc.astimezone(zone),
        "started_at": started_at.astimezone(zone),
        "target": target,
        "due_at": due_at,
        "warning_at": warning_at,
        "at_risk": state is SlaState.RUNNING and now_utc >= warning_utc,
        "elapsed": elapsed,
        "remaining": target - elapsed,
        "met_at": None if response is None else response.astimezone(zone),
        "breached_at": due_at if state is SlaState.BREACHED else None,
        "escalations": escalations,
    }
    return built(SlaStatus, fields)
