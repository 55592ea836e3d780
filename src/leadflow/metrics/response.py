"""Both sides' SLAs over histories: first contact in business time, feedback, touches, aging.

A *handoff* is a cycle entering ``mql`` of a lead that has an owner (lead field ``owner``):
the lead is now sales' to work. Its *first contact* is the first contact attempt recorded in
that cycle after the handoff, or the step into ``sql`` when no attempt was recorded before
(qualifying a lead needs a conversation). Times are measured in business time on a
:class:`~leadflow.BusinessCalendar`.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from operator import itemgetter
from types import MappingProxyType
from typing import Final, NamedTuple

from leadflow._time import to_utc
from leadflow.errors import ArgumentTypeError, ConfigurationError, LeadflowError
from leadflow.lifecycle import Rate, ReasonCount, Stage, Step, TransitionKind
from leadflow.metrics.funnel import median, percentile
from leadflow.metrics.history import FieldValue, History, Period, check_period, in_period
from leadflow.reasons import STANDARD_REASONS, Reason
from leadflow.sla import BusinessCalendar, TouchRule

__all__ = (
    "DEFAULT_TARGETS",
    "AgingLead",
    "AgingLimit",
    "FirstContact",
    "ResponseTimes",
    "TouchesBeforeUnreachable",
    "aging",
    "feedback_within",
    "first_contacts",
    "not_contacted_within",
    "reasons_by",
    "response_times",
    "routing_within",
    "touches_before_unreachable",
    "weekly_first_contact",
)

DEFAULT_TARGETS: Final[Mapping[str | None, timedelta]] = MappingProxyType(
    {"hot": timedelta(hours=4), None: timedelta(hours=24)}
)
"""First-contact targets in business hours per temperature; ``None`` is every other one."""

_ATTEMPT = TransitionKind.ATTEMPT.value
_KIND = itemgetter(Step._fields.index("kind"))
"""A step's ``kind``, read in C."""
_REJECTIONS = (TransitionKind.REJECT.value, TransitionKind.DISQUALIFY.value)


class FirstContact(NamedTuple):
    """One handoff and its first contact; ``business`` is the business time in between."""

    lead_id: str
    cycle: int
    temperature: str | None
    handed_at: datetime
    contacted_at: datetime | None
    business: timedelta | None


def _handoffs(
    history: History, mql: str, sql: str
) -> Iterable[tuple[int, datetime, datetime | None]]:
    """Per cycle entering ``mql``: (cycle, handed_at, contacted_at or None)."""
    record = history.record
    open_cycle: tuple[int, datetime] | None = None
    if record.origin == mql and history.started_at is not None:
        open_cycle = (0, history.started_at)
    for step in record.history:
        if step.source != step.target and step.target == mql:
            if open_cycle is not None:
                yield (*open_cycle, None)
            open_cycle = (step.cycle, step.event.at)
        elif open_cycle is not None and (
            step.kind == _ATTEMPT or (step.target == sql and step.source != sql)
        ):
            yield (*open_cycle, step.event.at)
            open_cycle = None
    if open_cycle is not None:
        yield (*open_cycle, None)


def first_contacts(
    histories: Iterable[History],
    calendar: BusinessCalendar,
    *,
    period: Period | None = None,
    mql: str = Stage.MQL,
    sql: str = Stage.SQL,
    owner_field: str = "owner",
    temperature_field: str = "temperature",
) -> tuple[FirstContact, ...]:
    """Every handoff (handed over in ``period``) with its first contact in business time."""
    check_period(period)
    result = []
    for history in histories:
        if history.fields.get(owner_field) is None:
            continue
        temperature = history.fields.get(temperature_field)
        for cycle, handed, contacted in _handoffs(history, mql, sql):
            if not in_period(period, handed):
                continue
            business = None if contacted is None else calendar.between(handed, contacted)
            result.append(
                FirstContact(history.lead_id, cycle, temperature, handed, contacted, business)
            )
    return tuple(result)


def _missed(
    contact: FirstContact, within: timedelta, calendar: BusinessCalendar, now: datetime
) -> bool | None:
    """Whether the contact missed ``within``; ``None`` while it is still open and in time."""
    if contact.business is not None:
        return contact.business > within
    deadline = to_utc(calendar.add(contact.handed_at, within))
    return True if now >= deadline else None


def not_contacted_within(
    contacts: Iterable[FirstContact],
    calendar: BusinessCalendar,
    *,
    now: datetime,
    within: timedelta = timedelta(hours=24),
) -> Rate:
    """Handoffs not contacted within ``within`` business time, out of those decided by ``now``.

    A handoff still waiting whose deadline has not passed at ``now`` is not counted yet.

    Raises:
        NaiveDatetimeError: ``now`` has no time zone.
    """
    now = to_utc(now, "now")
    missed = decided = 0
    for contact in contacts:
        verdict = _missed(contact, within, calendar, now)
        if verdict is None:
            continue
        decided += 1
        missed += verdict
    return Rate(missed, decided)


class ResponseTimes(NamedTuple):
    """Time to first contact in business time: median, p90, and the share within target."""

    contacted: int
    median: timedelta | None
    p90: timedelta | None
    within_target: Mapping[str | None, Rate]
    """Per temperature (``None``: leads without one) the handoffs contacted within target."""


def response_times(
    contacts: Iterable[FirstContact],
    calendar: BusinessCalendar,
    *,
    now: datetime,
    targets: Mapping[str | None, timedelta] = DEFAULT_TARGETS,
) -> ResponseTimes:
    """Median and p90 business time to first contact, and per temperature the share of
    handoffs contacted within the target (``targets[None]`` for temperatures not listed).

    Raises:
        NaiveDatetimeError: ``now`` has no time zone.
    """
    now = to_utc(now, "now")
    default = targets.get(None, timedelta(hours=24))
    delays: list[timedelta] = []
    met: Counter[str | None] = Counter()
    decided: Counter[str | None] = Counter()
    for contact in contacts:
        if contact.business is not None:
            delays.append(contact.business)
        verdict = _missed(contact, targets.get(contact.temperature, default), calendar, now)
        if verdict is None:
            continue
        decided[contact.temperature] += 1
        met[contact.temperature] += not verdict
    delays.sort()
    shares = {
        t: Rate(met[t], decided[t]) for t in sorted(decided, key=lambda t: (t is None, t or ""))
    }
    return ResponseTimes(
        len(delays), median(delays), percentile(delays, 0.9), MappingProxyType(shares)
    )


def weekly_first_contact(
    contacts: Iterable[FirstContact], calendar: BusinessCalendar
) -> tuple[tuple[date, int, timedelta | None], ...]:
    """Per week (its Monday, in the calendar's zone) of handoff: contacted count and median
    business time to first contact."""
    by_week: dict[date, list[timedelta]] = {}
    zone = calendar.timezone
    for contact in contacts:
        day = contact.handed_at.astimezone(zone).date()
        monday = day - timedelta(days=day.weekday())
        values = by_week.setdefault(monday, [])
        if contact.business is not None:
            values.append(contact.business)
    result = []
    for monday in sorted(by_week):
        values = sorted(by_week[monday])
        result.append((monday, len(values), median(values)))
    return tuple(result)


def routing_within(
    histories: Iterable[History],
    *,
    period: Period | None = None,
    within: timedelta = timedelta(minutes=5),
    mql: str = Stage.MQL,
    field_name: str = "routed_at",
) -> Rate:
    """Marketing's routing SLA: first handoffs routed to a rep within ``within`` (5 minutes).

    The routing time is the lead field ``routed_at`` (an ISO time with zone); lifecycle records
    do not hold it. Leads without it, or never handed over, are not counted. Only the first
    handoff of a lead is measured (one field per lead).
    """
    check_period(period)
    met = counted = 0
    for history in histories:
        text = history.fields.get(field_name)
        if text is None:
            continue
        try:
            routed = to_utc(datetime.fromisoformat(text), field_name)
        except (ValueError, LeadflowError):
            continue
        handed = history.started_at if history.record.origin == mql else None
        if handed is None:
            handed = next(
                (s.event.at for s in history.record.history if s.target == mql != s.source), None
            )
        if handed is None or not in_period(period, handed):
            continue
        counted += 1
        met += routed - handed <= within
    return Rate(met, counted)


def feedback_within(
    histories: Iterable[History],
    *,
    now: datetime,
    period: Period | None = None,
    within: timedelta = timedelta(days=14),
    mql: str = Stage.MQL,
    owner_field: str = "owner",
) -> Rate:
    """Sales' disposition feedback: handoffs decided (accepted, rejected, disqualified: any
    move out of ``mql``) within ``within`` wall-clock time, out of those decided or overdue.

    Raises:
        NaiveDatetimeError: ``now`` has no time zone.
    """
    check_period(period)
    now = to_utc(now, "now")
    met = counted = 0
    for history in histories:
        if history.fields.get(owner_field) is None:
            continue
        handed: datetime | None = None
        if history.record.origin == mql:
            handed = history.started_at
        for step in history.record.history:
            if step.source == step.target:
                continue
            if step.target == mql:
                handed = step.event.at
            elif step.source == mql and handed is not None:
                if in_period(period, handed):
                    counted += 1
                    met += step.event.at - handed <= within
                handed = None
        if handed is not None and in_period(period, handed) and now - handed > within:
            counted += 1
    return Rate(met, counted)


class TouchesBeforeUnreachable(NamedTuple):
    """Leads given up as unreachable and how many contact attempts they got first."""

    leads: int
    median: float | None
    minimum: int | None
    meets_rule: Rate
    """Those with at least the agreed number of touches."""


def touches_before_unreachable(
    histories: Iterable[History],
    *,
    period: Period | None = None,
    rule: TouchRule | None = None,
    reason: str = "unreachable",
) -> TouchesBeforeUnreachable:
    """Contact attempts in the cycle before each step with reason ``unreachable`` (in ``period``),
    against the agreement's touch rule (default: 6 touches)."""
    check_period(period)
    need = (rule or TouchRule()).min_touches
    touches: list[int] = []
    for history in histories:
        attempts, cycle = 0, 0
        for step in history.record.history:
            if step.cycle != cycle:
                attempts, cycle = 0, step.cycle
            if step.kind == _ATTEMPT:
                attempts += 1
            elif step.event.reason == reason and in_period(period, step.event.at):
                touches.append(attempts)
    touches.sort()
    mid = len(touches) // 2
    middle = (
        None
        if not touches
        else float(touches[mid])
        if len(touches) % 2
        else (touches[mid - 1] + touches[mid]) / 2
    )
    meets = Rate(sum(t >= need for t in touches), len(touches))
    return TouchesBeforeUnreachable(len(touches), middle, touches[0] if touches else None, meets)


class AgingLimit(NamedTuple):
    """How long a lead may stay in a stage: ``amount`` of elapsed time, or of business time on
    ``calendar`` when one is given. ``text`` is the limit as agreed ("2 business days")."""

    amount: timedelta
    calendar: BusinessCalendar | None = None
    text: str = ""

    def due(self, entered: datetime) -> datetime:
        """When a lead that entered the stage at ``entered`` is beyond the limit."""
        if self.calendar is None:
            return entered + self.amount
        return self.calendar.add(entered, self.amount)

    def describe(self) -> str:
        """``text``, else the amount in days ("3 days")."""
        return self.text or f"{self.amount / timedelta(days=1):g} days"


class AgingLead(NamedTuple):
    """A lead that has stayed in its stage longer than the agreed limit."""

    lead_id: str
    stage: str
    entered_at: datetime
    age: timedelta
    """Elapsed time since the lead entered the stage."""
    limit: timedelta
    """The limit's amount (business time for a business-time limit)."""
    due_at: datetime | None = None
    """When the lead went beyond the limit."""
    limit_text: str = ""
    """The limit as agreed, e.g. "2 business days"."""


def aging(
    histories: Iterable[History],
    limits: Mapping[str, timedelta | AgingLimit],
    *,
    now: datetime,
) -> tuple[AgingLead, ...]:
    """Leads whose current stage has a limit in ``limits`` and who stayed longer, oldest first.

    A :class:`~datetime.timedelta` limit is elapsed time; an :class:`AgingLimit` with a
    calendar is business time on it (a lead is beyond it once ``now`` passes its due time).
    :func:`~leadflow.metrics.aging_limits` reads the limits an agreement file states. A limit
    names a stage of the default graph or one some lead of ``histories`` was ever in (a host
    graph's); a limit of 0 lists every lead in the stage.

    Raises:
        NaiveDatetimeError: ``now`` has no time zone.
        ConfigurationError: a limit names an unknown stage (the known ones are listed) or is
            negative.
        ArgumentTypeError: ``limits`` is not a mapping of stage names to a ``timedelta`` or an
            :class:`AgingLimit`.
    """
    now = to_utc(now, "now")
    checked = _check_limits(limits)
    unknown = [stage for stage in checked if stage not in _DEFAULT_STAGES]
    if unknown:  # a host graph's stage, or a typo: look at the stages the leads were in
        histories = list(histories)
        _refuse_unknown(unknown, histories)
    result = []
    for history in histories:
        limit = checked.get(history.record.stage)
        if limit is None:
            continue
        entered = history.record.entered_at or history.started_at
        if entered is None:
            continue
        due = limit.due(entered)
        if now > due:
            result.append(
                AgingLead(
                    history.lead_id,
                    history.record.stage,
                    entered,
                    now - entered,
                    limit.amount,
                    to_utc(due, "due"),
                    limit.describe(),
                )
            )
    result.sort(key=lambda a: (-a.age, a.lead_id))
    return tuple(result)


_DEFAULT_STAGES: Final = tuple(stage.value for stage in Stage)
"""The default graph's stages, in its order: the stages an aging limit may name."""


def _check_limits(limits: object) -> dict[str, AgingLimit]:
    """The limits as :class:`AgingLimit` per stage; a wrong type or a negative limit refused."""
    if not isinstance(limits, Mapping):
        raise ArgumentTypeError(
            "limits", limits, "a mapping of stage names to a timedelta or an AgingLimit"
        )
    checked: dict[str, AgingLimit] = {}
    for stage, given in limits.items():
        if not isinstance(stage, str):
            raise ArgumentTypeError("limits (a key)", stage, "a stage name (str)")
        limit = given if isinstance(given, AgingLimit) else AgingLimit(given)
        if not isinstance(limit.amount, timedelta):
            raise ArgumentTypeError(
                f"limits[{stage!r}]", given, "a datetime.timedelta or an AgingLimit"
            )
        if limit.amount < timedelta(0):
            raise ConfigurationError(
                f"the aging limit of stage {stage!r} is negative ({limit.amount}); expected a "
                "duration >= 0",
                field=f"limits[{stage!r}]",
                value=given,
                expected="a duration >= 0",
            )
        checked[str(stage)] = limit
    return checked


def _refuse_unknown(unknown: list[str], histories: list[History]) -> None:
    """Refuse a limit on a stage neither the default graph has nor any lead was in."""
    seen: set[str] = set()
    for history in histories:
        record = history.record
        seen.add(record.origin)
        seen.update(step.target for step in record.history)
    known = sorted({*_DEFAULT_STAGES, *seen})
    for stage in unknown:
        if stage in seen:
            continue
        close = difflib.get_close_matches(stage, known, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ConfigurationError(
            f"aging limit for unknown stage {stage!r}{hint}; expected one of: {', '.join(known)}",
            field="limits",
            value=stage,
            expected=f"one of {', '.join(known)}",
        )


def reasons_by(
    histories: Iterable[History],
    field_name: str = "campaign",
    *,
    period: Period | None = None,
    kinds: Iterable[str] = _REJECTIONS,
    reasons: Mapping[str, Reason] = STANDARD_REASONS,
) -> dict[FieldValue, tuple[ReasonCount, ...]]:
    """Reasons of rejections and disqualifications (steps in ``period``) per value of a lead
    field, most frequent first, each with its marketing action."""
    check_period(period)
    wanted = frozenset(kinds)
    counts: dict[FieldValue, Counter[str]] = {}
    for history in histories:
        steps = history.record.history
        if wanted.isdisjoint(map(_KIND, steps)):
            continue
        key = history.fields.get(field_name)
        for step in steps:
            if step.kind not in wanted:
                continue
            code = step.event.reason
            if code is not None and in_period(period, step.event.at):
                counts.setdefault(key, Counter())[code] += 1
    result: dict[FieldValue, tuple[ReasonCount, ...]] = {}
    for key in sorted(counts, key=lambda k: (k is None, k or "")):
        rows = []
        for code, count in sorted(counts[key].items(), key=lambda kv: (-kv[1], kv[0])):
            reason = reasons.get(code)
            label = reason.label if reason else code
            action = reason.marketing_action if reason else "no action on file for this reason"
            rows.append(ReasonCount(code, count, label, action))
        result[key] = tuple(rows)
    return result
