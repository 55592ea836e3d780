"""What ``Agreement.process`` returns: the new state and every action, as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from leadflow.agreement.state import LeadState, Routing, _slot_setters

if TYPE_CHECKING:
    from leadflow.rules import Evaluation

__all__ = (
    "Action",
    "Assigned",
    "Held",
    "Notify",
    "PromiseSent",
    "Reaction",
    "TimerMet",
    "TimerStarted",
    "TimerStopped",
    "Transitioned",
)


@dataclass(frozen=True, slots=True)
class Transitioned:
    """The lifecycle moved the lead (``actor`` ``system`` for the agreement's automatic steps)."""

    event: str
    source: str
    target: str
    actor: str
    reason: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Assigned:
    """The lead got an owner; ``rule`` is the routing line that chose them."""

    owner: str
    team: str | None
    rule: str
    overflow: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class Held:
    """The lead is MQL-level but not complete enough for sales; it stays with marketing."""

    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TimerStarted:
    """A duty's clock started: its due and warning times."""

    name: str
    started_at: datetime
    due_at: datetime
    warning_at: datetime | None


@dataclass(frozen=True, slots=True)
class TimerMet:
    """A duty was done at ``at``; ``late`` when that was after its due time."""

    name: str
    at: datetime
    due_at: datetime
    late: bool


@dataclass(frozen=True, slots=True)
class TimerStopped:
    """A duty ended because the lead left the stage another way."""

    name: str
    at: datetime


@dataclass(frozen=True, slots=True)
class PromiseSent:
    """The auto-responder's promise to the customer, with the due time it names."""

    text: str
    due_at: datetime


@dataclass(frozen=True, slots=True)
class Notify:
    """Tell ``recipient`` (a person, a role or a team) ``message``."""

    recipient: str
    message: str


Action = (
    Transitioned | Assigned | Held | TimerStarted | TimerMet | TimerStopped | PromiseSent | Notify
)


@dataclass(frozen=True, slots=True)
class Reaction:
    """The result of one event: the new state, the updated routing value, and the actions.

    Pure data: the host stores ``state`` and ``routing`` and executes ``actions`` (send the
    promise, notify, write the owner to the CRM).
    """

    state: LeadState
    routing: Routing
    actions: tuple[Action, ...]
    evaluation: Evaluation | None = None
    """The scoring of this event (``None`` for events that do not re-score)."""
    duplicate: bool = False
    """The event's id was seen before with the same payload: nothing was applied again."""
    note: str = ""
    """Why nothing happened, for a duplicate (empty otherwise)."""

    @property
    def transitions(self) -> tuple[Transitioned, ...]:
        """The lifecycle moves, in order."""
        return tuple(a for a in self.actions if isinstance(a, Transitioned))

    @property
    def notifications(self) -> tuple[Notify, ...]:
        """Everybody to tell, in order."""
        return tuple(a for a in self.actions if isinstance(a, Notify))

    @property
    def assigned(self) -> Assigned | None:
        """The owner assignment of this event, if any."""
        return next((a for a in self.actions if isinstance(a, Assigned)), None)

    @property
    def promise(self) -> PromiseSent | None:
        """The promise to send to the customer, if any."""
        return next((a for a in self.actions if isinstance(a, PromiseSent)), None)

    @property
    def temperature(self) -> str | None:
        """The lead's temperature after the event."""
        return self.state.temperature

    def explain(self) -> str:
        """The scoring explanation (empty for events that do not re-score)."""
        return "" if self.evaluation is None else self.evaluation.explain()


# -- builders for the engine's hot path -------------------------------------------------------
# ``Agreement.process`` builds these values from data it made and checked itself; filling the
# slots directly costs half of what the generated frozen ``__init__`` does (one
# ``object.__setattr__`` per field). Values built from user data go through the classes.

_new = object.__new__


_r_state, _r_routing, _r_actions, _r_evaluation, _r_duplicate, _r_note = _slot_setters(Reaction)
_tr_event, _tr_source, _tr_target, _tr_actor, _tr_reason, _tr_at = _slot_setters(Transitioned)
_ts_name, _ts_started_at, _ts_due_at, _ts_warning_at = _slot_setters(TimerStarted)
_tm_name, _tm_at, _tm_due_at, _tm_late = _slot_setters(TimerMet)
_n_recipient, _n_message = _slot_setters(Notify)


def new_reaction(
    state: LeadState, routing: Routing, actions: tuple[Action, ...], evaluation: Evaluation | None
) -> Reaction:
    """``Reaction(state, routing, actions, evaluation)`` (an applied event, not a duplicate)."""
    new: Reaction = _new(Reaction)
    _r_state(new, state)
    _r_routing(new, routing)
    _r_actions(new, actions)
    _r_evaluation(new, evaluation)
    _r_duplicate(new, False)  # noqa: FBT003 - a slot setter takes the value positionally
    _r_note(new, "")
    return new


def new_transitioned(
    event: str, source: str, target: str, actor: str, reason: str | None, at: datetime
) -> Transitioned:
    """``Transitioned(event, source, target, actor, reason, at)``."""
    new: Transitioned = _new(Transitioned)
    _tr_event(new, event)
    _tr_source(new, source)
    _tr_target(new, target)
    _tr_actor(new, actor)
    _tr_reason(new, reason)
    _tr_at(new, at)
    return new


def new_timer_started(
    name: str, started_at: datetime, due_at: datetime, warning_at: datetime | None
) -> TimerStarted:
    """``TimerStarted(name, started_at, due_at, warning_at)``."""
    new: TimerStarted = _new(TimerStarted)
    _ts_name(new, name)
    _ts_started_at(new, started_at)
    _ts_due_at(new, due_at)
    _ts_warning_at(new, warning_at)
    return new


def new_timer_met(name: str, at: datetime, due_at: datetime, *, late: bool) -> TimerMet:
    """``TimerMet(name, at, due_at, late)``."""
    new: TimerMet = _new(TimerMet)
    _tm_name(new, name)
    _tm_at(new, at)
    _tm_due_at(new, due_at)
    _tm_late(new, late)
    return new


def new_notify(recipient: str, message: str) -> Notify:
    """``Notify(recipient, message)``."""
    new: Notify = _new(Notify)
    _n_recipient(new, recipient)
    _n_message(new, message)
    return new
