"""Escalation ladders: who is told when a lead waits too long.

A ladder is a list of steps, each "``after`` this long (or at this share of the SLA target),
notify this role". A step is due once its instant has passed and the wait was not resolved
(feedback given, lead contacted) before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Final, Literal, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from leadflow._time import results_in_range, to_utc
from leadflow.errors import ArgumentTypeError, ConfigurationError
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
# ``cls.model_construct(**values)`` for a model whose ``values`` the SLA clock computed itself
# (instants in the calendar's zone, business times, states), which validating again would
# return unchanged; the status of one lead is built on every check:
#     model = _new(cls); _set_dict(model, values); _set_fields_set(model, set(values))
#     _set_extra(model, None); _set_private(model, None)
# the instance model_construct makes (fields set, no extra, no private attributes), without its
# per-field loop. BaseModel keeps these in slots; their descriptors set them as
# object.__setattr__ does, without its attribute look-up.
_new: Final = object.__new__
_set_dict: Final = BaseModel.__dict__["__dict__"].__set__
_set_fields_set: Final = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra: Final = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private: Final = BaseModel.__dict__["__pydantic_private__"].__set__


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


_ESCALATION_FIELDS: Final = set(Escalation.model_fields)

OTHER: Final = 0
WARNING: Final = 1
DEADLINE: Final = 2
Rung = tuple[int, str, str, bool, timedelta, int]
"""A step prepared for the tracker's hot path (:meth:`EscalationLadder._rungs`)."""
Rungs = tuple[tuple[Rung, ...], bool]
"""A ladder's rungs, and whether their instants come in step order."""


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
            ArgumentTypeError: an argument has the wrong type (a ``TypeError``).
            OutOfRangeError: an instant, or a step's instant, lies beyond datetime's range.
        """
        to_utc(started_at, "started_at")
        if calendar is not None and not isinstance(calendar, BusinessCalendar):
            raise ArgumentTypeError("calendar", calendar, "a BusinessCalendar or None")
        if target is not None and not isinstance(target, timedelta):
            raise ArgumentTypeError("target", target, "a datetime.timedelta or None")
        with results_in_range("started_at", started_at):
            return self._due(started_at, now, resolved_at, calendar, pauses, target)

    def _due(
        self,
        started_at: datetime,
        now: datetime,
        resolved_at: datetime | None,
        calendar: BusinessCalendar | None,
        pauses: Iterable[tuple[datetime, datetime | None]],
        target: timedelta | None,
    ) -> tuple[Escalation, ...]:
        now_utc = to_utc(now, "now")
        resolved = None if resolved_at is None else to_utc(resolved_at, "resolved_at")
        if resolved is not None and resolved > now_utc:
            resolved = None  # not known yet at `now`
        watch = Stopwatch(
            started_at,
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

    def _rungs(self, target: timedelta, share: timedelta) -> Rungs:
        """The steps for the tracker's hot path, for SLA ``target`` with warning at ``share``.

        Returns ``(rungs, in_order)``. Each rung is ``(index, notify, note, elapsed, duration,
        known)``: ``elapsed`` for a physical-time step (``duration`` is then its ``after``),
        else ``duration`` is the business time of the step and ``known`` says whether its
        instant is the warning (``WARNING``), the deadline (``DEADLINE``) or neither
        (``OTHER``), which the tracker's hot path then reuses instead of adding again.
        ``in_order``: every step counts business time and none is shorter than the one
        before, so their instants (``add`` never goes back for a longer duration) come in step
        order, which is the order :meth:`due` sorts them in (instant, then step): no sort
        needed. A pure function of the ladder and its arguments, so the tracker caches it per
        ladder, target and warning. ``OverflowError`` for a share beyond ``timedelta``.
        """
        rungs = []
        in_order = True
        for index, step in enumerate(self.steps):
            if step.clock == "elapsed":
                assert step.after is not None  # noqa: S101 - guaranteed by EscalationStep
                rungs.append((index, step.notify, step.note, True, step.after, OTHER))
                in_order = False
                continue
            duration = step.after if step.after is not None else target * step.at  # type: ignore[operator]
            if rungs and duration < rungs[-1][4]:
                in_order = False
            known = WARNING if duration == share else DEADLINE if duration == target else OTHER
            rungs.append((index, step.notify, step.note, False, duration, known))
        return tuple(rungs), in_order

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
