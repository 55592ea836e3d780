"""The SLA tracker: from a start, a target, pauses and ``now``, where does the SLA stand?

``track`` is a pure function of its inputs: the same arguments always give the same
:class:`SlaStatus`, and nothing reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Final
from zoneinfo import ZoneInfo

from pydantic import AwareDatetime, BaseModel, ConfigDict

from leadflow._time import results_in_range, to_utc
from leadflow.errors import ArgumentTypeError, ConfigurationError
from leadflow.sla.calendar import BusinessCalendar
from leadflow.sla.escalation import (
    _ESCALATION_FIELDS,
    DEADLINE,
    OTHER,
    WARNING,
    Escalation,
    EscalationLadder,
    Rung,
    _new,
    _set_dict,
    _set_extra,
    _set_fields_set,
    _set_private,
)
from leadflow.sla.stopwatch import Stopwatch, merged_pauses, pause_pairs

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

_STATUS_FIELDS: Final = set(SlaStatus.model_fields)
_ZERO: Final = timedelta(0)
# Enum members as constants: ``SlaState.MET`` is a class attribute look-up through the enum's
# metaclass on every access.
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_RUNNING: Final = SlaState.RUNNING
_MET: Final = SlaState.MET
_BREACHED: Final = SlaState.BREACHED


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
        ArgumentTypeError: an argument has the wrong type (a ``TypeError``).
        OutOfRangeError: an instant, or the deadline, lies beyond datetime's years 1 to 9999.
    """
    if calendar is not None and type(pauses) is tuple and not pauses:
        status = _on_calendar(started_at, target, now, calendar, met_at, warning, escalation)
        if status is not None:
            return status
    to_utc(started_at, "started_at")
    now_utc = to_utc(now, "now")
    if not isinstance(target, timedelta):
        raise ArgumentTypeError("target", target, "a positive datetime.timedelta")
    if calendar is not None and not isinstance(calendar, BusinessCalendar):
        raise ArgumentTypeError("calendar", calendar, "a BusinessCalendar or None")
    if isinstance(warning, bool) or not isinstance(warning, int | float):
        raise ArgumentTypeError("warning", warning, "a number in (0, 1], e.g. 0.75")
    if escalation is not None and not isinstance(escalation, EscalationLadder):
        raise ArgumentTypeError("escalation", escalation, "an EscalationLadder or None")
    if target <= timedelta(0):
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
    pairs = pause_pairs(pauses)
    with results_in_range("target", target):
        return _track(started_at, target, now_utc, calendar, pairs, met_at, warning, escalation)


def _track(
    started_at: datetime,
    target: timedelta,
    now_utc: datetime,
    calendar: BusinessCalendar | None,
    pauses: tuple[tuple[datetime, datetime | None], ...],
    met_at: datetime | None,
    warning: float,
    escalation: EscalationLadder | None,
) -> SlaStatus:
    now = now_utc
    response = None if met_at is None else to_utc(met_at, "met_at")
    if response is not None and response > now_utc:
        response = None
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


_Plan = tuple[EscalationLadder | None, timedelta, str, tuple[Rung, ...] | None, bool, bool]
_PLANS: dict[tuple[timedelta, float, int], _Plan] = {}
_PLANS_KEPT: Final = 256


def _plan(target: timedelta, warning: float, escalation: EscalationLadder | None) -> _Plan:
    """``(escalation, target * warning, its name, its rungs, in_order, later)`` for the hot
    path.

    The rungs and ``in_order`` are :meth:`EscalationLadder._rungs`'s (rungs ``None`` without
    a ladder); ``later``: every rung is at the warning or at the deadline, so none is due
    while ``now`` is at or before the warning. Cached in ``_PLANS`` (a policy tracks every lead of a segment with the same
    target, warning and ladder), keyed by the ladder's ``id``: the entry keeps the ladder
    alive, so the ``id`` cannot be reused while the entry exists, and the entry is used only
    for that very ladder. At most ``_PLANS_KEPT`` entries (then the cache starts over).
    ``OverflowError`` for a share of the target beyond ``timedelta``.
    """
    share = target * warning
    if escalation is None:
        plan: _Plan = (None, share, "", None, True, True)
    else:
        rungs, in_order = escalation._rungs(target, share)
        later = all(not rung[3] and rung[5] != OTHER for rung in rungs)
        plan = (escalation, share, escalation.name, rungs, in_order, later)
    if len(_PLANS) >= _PLANS_KEPT:
        _PLANS.clear()
    _PLANS[target, warning, id(escalation)] = plan
    return plan


def _on_calendar(
    started_at: datetime,
    target: timedelta,
    now: datetime,
    calendar: BusinessCalendar,
    met_at: datetime | None,
    warning: float,
    escalation: EscalationLadder | None,
    plan: _Plan | None = None,
) -> SlaStatus | None:
    """``track`` without pauses on a calendar: the hot path of an SLA check.

    The start is looked up in the calendar's year table once, and the warning, the deadline
    and the elapsed time derived from it in one walk (``BusinessCalendar._track``); the
    escalation ladder, prepared once per target (:func:`_plan`), reuses them. Gives exactly
    the status of the general path (``tests/sla/test_track_fastpath``) or ``None`` wherever
    that path would raise or the inputs are unusual (a datetime subclass, another tzinfo, a
    type to reject): the caller then takes the general path, which validates and raises.

    The escalations are :meth:`EscalationLadder.due`'s: a step is due when its instant is
    before ``now`` and the response did not come at or before it. Steps at the warning's or
    the deadline's business time reuse those instants; a business-clock step no longer than
    the target whose instant cannot have passed (business time runs no faster than physical
    time) is skipped without adding; the rest add from the start's place in its table.

    ``plan``: :func:`_plan`'s result for ``target``, ``warning`` and ``escalation``, which
    the caller checked (``SlaPolicy`` prepares one per segment); ``None`` to check them here.
    """
    if not (
        type(started_at) is datetime
        and type(now) is datetime
        and ((kind := type(started_at.tzinfo)) is ZoneInfo or kind is timezone)
        and ((kind := type(now.tzinfo)) is ZoneInfo or kind is timezone)
        and (
            met_at is None
            or (
                type(met_at) is datetime
                and ((kind := type(met_at.tzinfo)) is ZoneInfo or kind is timezone)
            )
        )
        and type(calendar) is BusinessCalendar
    ):
        return None
    if plan is None and not (
        type(target) is timedelta
        and (type(warning) is float or type(warning) is int)
        and (escalation is None or type(escalation) is EscalationLadder)
        and target > _ZERO
        and 0 < warning <= 1
    ):
        return None
    try:
        u = started_at.astimezone(UTC)
        now_utc = now.astimezone(UTC)
        response = None if met_at is None else met_at.astimezone(UTC)
        if response is not None and response > now_utc:
            response = None
        stop = now_utc if response is None else response
        if plan is None:
            plan = _PLANS.get((target, warning, id(escalation)))
            if plan is None or plan[0] is not escalation:
                plan = _plan(target, warning, escalation)
        _, share, ladder, rungs, in_order, later = plan
        found = calendar._track(u, target, share, u if stop < u else stop)
        if found is None:
            return None
        position, due_utc, warning_utc, elapsed = found
        # UTC -> the calendar's zone: ``x.astimezone(zone)`` ends with ``zone.fromutc`` of x's
        # UTC wall time carrying ``zone``; handing it that value directly gives the same result
        # without astimezone's own work (about 3x faster: five conversions per status).
        zone = calendar._zone
        fromutc, epoch = zone.fromutc, calendar._epoch
        due_at = fromutc(epoch + (due_utc - _EPOCH))
        warning_at = fromutc(epoch + (warning_utc - _EPOCH))
        escalations: tuple[Escalation, ...] = ()
        if rungs and not (later and now_utc <= warning_utc):
            due: list[Escalation] = []
            instants: list[datetime] = []
            for index, notify, note, physical, duration, reuse in rungs:
                when: datetime | None = None
                if physical:
                    when_utc = u + duration
                elif reuse == WARNING:
                    when_utc, when = warning_utc, warning_at
                elif reuse == DEADLINE:
                    when_utc, when = due_utc, due_at
                elif duration <= target and now_utc - u <= duration:
                    continue  # at or after now: not due, and at or before the deadline
                elif not duration:
                    when_utc = u
                else:
                    table = calendar._table(u.year)
                    reached = calendar._reach(u.year, table, position + duration)
                    if reached is None:
                        return None
                    when_utc = reached
                if when_utc >= now_utc or (response is not None and response <= when_utc):
                    if when is None and not 1 < when_utc.year < 9999:
                        fromutc(epoch + (when_utc - _EPOCH))  # near datetime's ends: may overflow
                    continue
                if when is None:
                    when = fromutc(epoch + (when_utc - _EPOCH))
                step = _new(Escalation)  # model_construct without validating (see escalation.py)
                _set_dict(
                    step,
                    {
                        "ladder": ladder,
                        "step": index,
                        "notify": notify,
                        "note": note,
                        "due_at": when,
                    },
                )
                _set_fields_set(step, _ESCALATION_FIELDS.copy())
                _set_extra(step, None)
                _set_private(step, None)
                due.append(step)
                if not in_order:
                    instants.append(when_utc)
            if due:
                if len(due) > 1 and not in_order:  # by instant, then step, as due() sorts
                    order = sorted(range(len(due)), key=lambda i: (instants[i], due[i].step))
                    due = [due[i] for i in order]
                escalations = tuple(due)
        met = breached = None
        at_risk = False
        if response is not None:
            met = fromutc(epoch + (response - _EPOCH))
            if response <= due_utc:
                state = _MET
            else:
                state, breached = _BREACHED, due_at
        elif now_utc > due_utc:
            state, breached = _BREACHED, due_at
        else:
            state, at_risk = _RUNNING, now_utc >= warning_utc
        values = {
            "state": state,
            "now": fromutc(epoch + (now_utc - _EPOCH)),
            # astimezone keeps a start already in the zone as it is (even a wall time in a gap)
            "started_at": (
                started_at if started_at.tzinfo is zone else fromutc(epoch + (u - _EPOCH))
            ),
            "target": target,
            "due_at": due_at,
            "warning_at": warning_at,
            "at_risk": at_risk,
            "elapsed": elapsed,
            "remaining": target - elapsed,
            "met_at": met,
            "breached_at": breached,
            "escalations": escalations,
        }
    except OverflowError:  # an instant beyond datetime's range: the general path says which
        return None
    status = _new(SlaStatus)  # model_construct without validating (see escalation.py)
    _set_dict(status, values)
    _set_fields_set(status, _STATUS_FIELDS.copy())
    _set_extra(status, None)
    _set_private(status, None)
    return status
