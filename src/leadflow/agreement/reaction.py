"""What ``Agreement.process`` returns: the new state and every action, as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from leadflow.agreement.state import LeadState, Routing

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
