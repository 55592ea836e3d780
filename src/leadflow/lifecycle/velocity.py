"""Time in stage: one entry per stay of a lead in a stage, per cycle.

A *stay* starts when a step moves the lead into a stage and ends with the next step that moves it
out; contact attempts (steps whose source equals their target) do not end a stay. The first stay,
in the record's ``origin``, has no recorded entry time (a record does not know when it was
created) unless ``created_at`` is passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

from leadflow._time import to_utc
from leadflow.errors import ArgumentTypeError, ConfigurationError, FutureEventError
from leadflow.lifecycle.machine import DEFAULT_MAX_SKEW
from leadflow.lifecycle.record import LeadRecord

__all__ = ("Stay", "time_in_stages")


class Stay(NamedTuple):
    """One stay of a lead in a stage.

    ``entered_at`` is ``None`` for the origin stay when the creation time is unknown;
    ``left_at`` is ``None`` while the lead is still in the stage; ``duration`` is ``left_at −
    entered_at`` (wall-clock), or up to ``now`` for the current stay when ``now`` is given, else
    ``None``.
    """

    stage: str
    cycle: int
    entered_at: datetime | None
    left_at: datetime | None
    duration: timedelta | None


def time_in_stages(
    record: LeadRecord, *, now: datetime | None = None, created_at: datetime | None = None
) -> tuple[Stay, ...]:
    """Every stay of the lead in a stage, in order, with the cycle it belongs to.

    Answers "how long did this recycled lead spend in each stage of each cycle" in one call.

    ``now`` may lie before the lead entered its current stage by at most
    :data:`~leadflow.lifecycle.DEFAULT_MAX_SKEW` (5 minutes of clock skew, as
    :func:`~leadflow.lifecycle.advance` accepts): the current stay then lasted 0. Further
    before, the record holds an event after ``now``, which is refused.

    Raises:
        NaiveDatetimeError: ``now`` or ``created_at`` has no time zone.
        ArgumentTypeError: ``record`` is not a :class:`LeadRecord` (or a time not a datetime).
        FutureEventError: ``now`` lies more than ``DEFAULT_MAX_SKEW`` before the step that
            moved the lead into its current stage.
        ConfigurationError: ``created_at`` lies more than ``DEFAULT_MAX_SKEW`` after the first
            step (within it, the origin stay lasted 0).

    >>> from datetime import datetime, timezone
    >>> from leadflow.lifecycle import HandoffEvent, advance, new_lead
    >>> def at(day):
    ...     return datetime(2026, 11, day, 9, tzinfo=timezone.utc)
    >>> data = {"company": "Muster GmbH", "email": "anna@muster.de", "title": "CTO", "source": "web_form"}
    >>> lead = new_lead("L-1", "mql")
    >>> lead, _ = advance(lead, HandoffEvent("accept", at(2), "sales"))
    >>> lead, _ = advance(lead, HandoffEvent("recycle", at(5), "sales", reason="wrong_timing"))
    >>> lead, _ = advance(lead, HandoffEvent("reengage", at(20), "system", lead=data))
    >>> lead, _ = advance(lead, HandoffEvent("accept", at(21), "sales"))
    >>> for stay in time_in_stages(lead, now=at(23)):
    ...     print(stay.stage, stay.cycle, stay.duration)
    mql 0 None
    sal 0 3 days, 0:00:00
    nurture 0 15 days, 0:00:00
    mql 1 1 day, 0:00:00
    sal 1 2 days, 0:00:00
    >>> lead.entered_at == at(21)
    True
    """
    if not isinstance(record, LeadRecord):
        raise ArgumentTypeError(
            "record", record, "a LeadRecord", "e.g. new_lead(...) or LeadRecord.from_json(...)"
        )
    now_utc = None if now is None else to_utc(now, "now")
    entered = None if created_at is None else to_utc(created_at, "created_at")
    first = next((s.event.at for s in record.history), None)
    if entered is not None and first is not None and entered > first:
        if created_too_late(record, entered):
            raise ConfigurationError(
                f"Lead {record.lead_id!r}: created_at {entered.isoformat()} lies "
                f"{entered - first} after its first step ({first.isoformat()}); expected the "
                "time the lead entered its origin stage, at or before that step",
                field="created_at",
                value=created_at,
                expected=f"at most {DEFAULT_MAX_SKEW} after {first.isoformat()}",
                lead_id=record.lead_id,
            )
        entered = first  # clock skew: the origin stay lasted 0
    stays: list[Stay] = []
    stage, cycle = record.origin, 0
    for step in record.history:
        if step.source == step.target:
            continue
        left = step.event.at
        duration = None if entered is None else left - entered
        stays.append(Stay(stage, cycle, entered, left, duration))
        stage, cycle, entered = step.target, step.cycle, left
    current = None
    if entered is not None and now_utc is not None:
        current = now_utc - entered
        if current < timedelta(0):
            if -current > DEFAULT_MAX_SKEW:
                raise _before_entry(record, now_utc, entered)
            current = timedelta(0)  # clock skew: the stay has just begun
    stays.append(Stay(stage, cycle, entered, None, current))
    return tuple(stays)


def created_too_late(record: LeadRecord, created_at: datetime) -> bool:
    """Whether ``created_at`` (aware) lies more than :data:`DEFAULT_MAX_SKEW` after the record's
    first step: a creation time the record contradicts (within the skew, clock noise)."""
    history = record.history
    return bool(history) and to_utc(created_at, "created_at") - history[0].event.at > (
        DEFAULT_MAX_SKEW
    )


def _before_entry(record: LeadRecord, now: datetime, entered: datetime) -> FutureEventError:
    """``now`` lies before the lead entered its current stage (beyond the clock skew)."""
    step = next((s for s in reversed(record.history) if s.source != s.target), None)
    return FutureEventError(
        f"Lead {record.lead_id!r} entered stage {record.stage!r} at {entered.isoformat()}, "
        f"{entered - now} after now ({now.isoformat()}); expected a now at most "
        f"{DEFAULT_MAX_SKEW} before the latest stage change. Pass the current time as now.",
        lead_id=record.lead_id,
        stage=record.stage,
        event=None if step is None else step.event.name,
        at=entered,
        now=now,
        max_skew=DEFAULT_MAX_SKEW,
    )
