"""The SLA tracker as it was before its hot path (issue 16), kept as the reference the fast
path is checked against: stopwatch for every instant, the ladder adding again, pydantic
validating every status."""

from __future__ import annotations

from datetime import datetime, timedelta

from leadflow._time import require_aware, to_utc
from leadflow.errors import ConfigurationError
from leadflow.sla import BusinessCalendar, Escalation, EscalationLadder, SlaPolicy
from leadflow.sla.stopwatch import Stopwatch, merged_pauses
from leadflow.sla.tracker import Pauses, SlaState, SlaStatus


def old_track(
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
    require_aware(started_at, "started_at")
    now_utc = to_utc(now, "now")
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
    response = None if met_at is None else to_utc(met_at, "met_at")
    if response is not None and response > now_utc:
        response = None
    pauses = tuple(pauses)
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


def old_policy_track(
    policy: SlaPolicy,
    segment: str,
    started_at: datetime,
    *,
    now: datetime,
    calendars: BusinessCalendar,
    pauses: Pauses = (),
    met_at: datetime | None = None,
) -> SlaStatus:
    target, within = policy._timed(segment)
    return old_track(
        started_at,
        within,
        now=now,
        calendar=policy.calendar_for(target, calendars),
        pauses=pauses,
        met_at=met_at,
        warning=target.warning,
        escalation=policy.response_escalation,
    )
