"""Escalation ladders: who is told when a lead waits too long.

A ladder is a list of steps, each "``after`` this long (or at this share of the SLA target),
notify this role". A step is due once its instant has passed and the wait was not resolved
(feedback given, lead contacted) before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from operator import itemgetter
from typing import Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from leadflow._time import require_aware, to_utc
from leadflow.errors import ConfigurationError
from leadflow.sla._build import built
from leadflow.sla.calendar import BusinessCalendar
from leadflow.sla.stopwatch import Stopwatch, merged_pauses

__all__ = (
    "FEEDBACK_LADDER",
    "RESPONSE_LADDER",
    "Escalation",
    "EscalationLadder",
    "EscalationStep",
)

_CONFIG = ConfigDict(frozen=True, extra="forbid")


class EscalationStep(BaseModel):
    """One rung: after ``after`` (or at share ``at`` of the SLA target) notify ``notify``.

    ``clock="business"`` counts business time on the calendar (minus pauses);
    ``clock="elapsed"`` counts physical time.
    """

    model_config = _CONFIG

    notify: str = Field(min_length=1)
    after: timedelta | None = None
    at: float | None = Field(default=None, gt=0)
    clock: Literal["business", "elapsed"] = "elapsed"
    note: str = ""

    @model_validator(mode="after")
    def _one_trigger(self) -> Self:
        if (self.after is None) == (self.at is None):
            raise ValueError(
                "give exactly one of `after` (a duration) and `at` (a share of the target)"
            )
        if self.after is not None and self.after <= timedelta(0):
            raise ValueError(f"`after` must be positive, got {self.after}")
        if self.at is not None and self.clock != "business":
            raise ValueError(
                "a step at a share of the target counts business time: use clock='business'"
            )
        return self


class Escalation(BaseModel):
    """An escalation that is due: which ladder and step, whom to notify, since when."""

    model_config = _CONFIG

    ladder: str
    step: int = Field(ge=0)
    notify: str
    note: str
    due_at: AwareDatetime


class EscalationLadder(BaseModel):
    """Steps in the order they fire; :meth:`due` lists the ones due at ``now``.

    >>> from datetime import datetime, timedelta, UTC
    >>> handoff = datetime(2026, 6, 8, 9, tzinfo=UTC)
    >>> [e.notify for e in FEEDBACK_LADDER.due(handoff, now=handoff + timedelta(hours=49))]
    ['sales_manager']
    """

    model_config = _CONFIG

    name: str = Field(min_length=1)
    steps: tuple[EscalationStep, ...]

    def due(
        self,
        started_at: datetime,
        *,
        now: datetime,
        resolved_at: datetime | None = None,
        calendar: BusinessCalendar | None = None,
        pauses: Iterable[tuple[datetime, datetime | None]] = (),
        target: timedelta | None = None,
    ) -> tuple[Escalation, ...]:
        """Return the steps due at ``now``, in order, for a wait that began at ``started_at``.

        A step is due when its instant is before ``now`` ("after 48 hours" means strictly after)
        and the wait was not resolved at or before that instant; a ``resolved_at`` later than
        ``now`` is not known yet and is ignored. ``target`` is needed for steps given as a share.

        Raises:
            NaiveDatetimeError: a datetime argument is naive.
            ConfigurationError: a business-clock step without a calendar, or a share step
                without a target.
        """
        now_utc = to_utc(now, "now")
        resolved = None if resolved_at is None else to_utc(resolved_at, "resolved_at")
        if resolved is not None and resolved > now_utc:
            resolved = None  # not known yet at `now`
        watch = Stopwatch(
            require_aware(started_at, "started_at"),
            calendar,
            merged_pauses(pauses, now=now),
        )
        physical = Stopwatch(started_at)
        found = []
        for index, step in enumerate(self.steps):
            when = self._instant(step, watch, physical, calendar, target)
            if to_utc(when) < now_utc and (resolved is None or resolved > to_utc(when)):
                found.append(
                    Escalation(
                        ladder=self.name,
                        step=index,
                        notify=step.notify,
                        note=step.note,
                        due_at=when,
                    )
                )
        return tuple(sorted(found, key=lambda e: (to_utc(e.due_at), e.step)))

    def _due_on_calendar(
        self,
        start_utc: datetime,
        zone: tzinfo,
        now_utc: datetime,
        resolved: datetime | None,
        calendar: BusinessCalendar,
        target: timedelta,
        reached: dict[float, tuple[datetime, datetime]],
    ) -> tuple[Escalation, ...]:
        """:meth:`due` for the tracker's hot path: no pauses, a calendar, a target (all UTC).

        ``reached`` maps shares of the target to the instants already worked out (in ``zone``
        and in UTC), the deadline (1.0) and the warning; a step at one of those shares adds
        nothing more. ``resolved`` is the response known at ``now``, or ``None``.
        """
        found = []
        for index, step in enumerate(self.steps):
            share = step.at
            if share is not None:
                known = reached.get(share)
                if known is None:
                    known = reached[share] = _reach(calendar, start_utc, target * share, zone)
                when, when_utc = known
            elif step.clock == "business":
                assert step.after is not None  # noqa: S101 - guaranteed by EscalationStep
                when, when_utc = _reach(calendar, start_utc, step.after, zone)
            else:
                assert step.after is not None  # noqa: S101 - guaranteed by EscalationStep
                when_utc = start_utc + step.after
                when = when_utc.astimezone(zone)
            if when_utc < now_utc and (resolved is None or resolved > when_utc):
                fields = {
                    "ladder": self.name,
                    "step": index,
                    "notify": step.notify,
                    "note": step.note,
                    "due_at": when,
                }
                found.append((when_utc, index, built(Escalation, fields)))
        if len(found) > 1:
            found.sort(key=_ORDER)
        return tuple([item[2] for item in found])

    def _instant(
        self,
        step: EscalationStep,
        watch: Stopwatch,
        physical: Stopwatch,
        calendar: BusinessCalendar | None,
        target: timedelta | None,
    ) -> datetime:
        if step.clock == "elapsed":
            assert step.after is not None  # noqa: S101 - guaranteed by EscalationStep
            return physical.reaches(step.after)
        if calendar is None:
            raise ConfigurationError(
                f"escalation ladder {self.name!r} counts business time but got no calendar",
                field="calendar",
                value=None,
                expected="a BusinessCalendar",
            )
        if step.after is not None:
            return watch.reaches(step.after)
        if target is None:
            raise ConfigurationError(
                f"escalation ladder {self.name!r} has a step at {step.at:.0%} of the target "
                "but no target was given",
                field="target",
                value=None,
                expected="the SLA target duration",
            )
        assert step.at is not None  # noqa: S101 - guaranteed by EscalationStep
        return watch.reaches(target * step.at)


_ORDER = itemgetter(0, 1)


def _reach(
    calendar: BusinessCalendar, start_utc: datetime, span: timedelta, zone: tzinfo
) -> tuple[datetime, datetime]:
    """``Stopwatch.reaches(span)`` without pauses, in ``zone`` and in UTC."""
    when_utc = calendar._add_utc(start_utc, span, start_utc) if span else start_utc
    return when_utc.astimezone(zone), when_utc


FEEDBACK_LADDER = EscalationLadder(
    name="feedback",
    steps=(
        EscalationStep(
            after=timedelta(hours=48),
            notify="sales_manager",
            note="no feedback 48 hours after handoff",
        ),
    ),
)
"""A lead without feedback 48 hours after handoff is escalated to the sales manager."""

RESPONSE_LADDER = EscalationLadder(
    name="response",
    steps=(
        EscalationStep(at=0.75, clock="business", notify="owner", note="SLA at risk: 75 % used"),
        EscalationStep(at=1.0, clock="business", notify="sales_manager", note="SLA breached"),
    ),
)
"""For a response SLA: remind the owner at 75 % of the target, tell the sales manager at 100 %."""
