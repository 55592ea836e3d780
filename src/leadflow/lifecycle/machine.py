"""Applying events to lead records: pure functions over a shared graph.

``advance`` raises a :class:`~leadflow.errors.TransitionError` subclass; ``try_advance`` returns
an :class:`Outcome` instead. Either way the input record is untouched: a refused event changes
nothing, and an applied one returns a new record with the recorded :class:`Step` appended.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Literal

from leadflow.errors import (
    ActorNotAllowedError,
    GuardError,
    IdempotencyConflictError,
    MissingReasonError,
    OutOfOrderError,
    TerminalStageError,
    TransitionError,
    UnknownReasonError,
)
from leadflow.lifecycle.events import HandoffEvent, Step
from leadflow.lifecycle.graph import Graph
from leadflow.lifecycle.loader import DEFAULT_GRAPH
from leadflow.lifecycle.record import LeadRecord
from leadflow.lifecycle.stages import REASON_KINDS, TransitionKind

__all__ = ("Outcome", "advance", "advance_all", "new_lead", "replay", "try_advance")

_ATTEMPT: Final = TransitionKind.ATTEMPT.value
_REENTER: Final = TransitionKind.REENTER.value
# Step(...) and LeadRecord(...) run a Python-level __new__; tuple.__new__ skips it (the
# values are trusted here) and halves the cost of a transition.
_new_tuple: Final = tuple.__new__
_REASON_KINDS: Final = frozenset(str(kind) for kind in REASON_KINDS)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an event: applied, a duplicate (applied before), or refused with why.

    ``record`` is the new record when applied, else the unchanged input; ``step`` is the
    recorded step (the earlier one for a duplicate); ``error`` is the refusal.
    """

    status: Literal["applied", "duplicate", "refused"]
    record: LeadRecord
    step: Step | None = None
    error: TransitionError | None = None

    @property
    def ok(self) -> bool:
        """Whether the event is in the history now (applied now or before)."""
        return self.error is None

    @property
    def refusal(self) -> str | None:
        """The refusal's error code (``"guard-failed"``, ``"missing-reason"``, ...), if refused."""
        return None if self.error is None else self.error.code

    @property
    def message(self) -> str:
        """Why the event was refused, or what happened."""
        if self.error is not None:
            return self.error.message
        step = self.step
        if step is None:
            return self.status
        verb = "was already applied" if self.status == "duplicate" else "applied"
        return f"{step.name!r} {verb}: {step.source} -> {step.target}"


def new_lead(lead_id: str, stage: str | None = None, *, graph: Graph = DEFAULT_GRAPH) -> LeadRecord:
    """Start the lifecycle record of a lead in the graph's initial stage or another entry stage.

    Raises:
        TransitionError: ``stage`` is not an entry stage of the graph.

    >>> new_lead("L-1")
    LeadRecord(lead_id='L-1', stage='cold', origin='cold', cycle=0, attempts=0, history=())
    >>> new_lead("L-2", "sal")
    Traceback (most recent call last):
    ...
    leadflow.errors.TransitionError: Lead 'L-2' cannot start in stage 'sal'; entry stages: cold, iql, mql.
    """
    start = graph.initial if stage is None else str(stage)
    if start not in graph.entry:
        raise TransitionError(
            f"Lead {lead_id!r} cannot start in stage {start!r}; "
            f"entry stages: {', '.join(graph.entry)}.",
            lead_id=lead_id,
            stage=start,
            allowed_events=(),
        )
    return LeadRecord(lead_id, start, start)


def advance(
    record: LeadRecord,
    event: HandoffEvent,
    graph: Graph = DEFAULT_GRAPH,
    *,
    tolerant: bool = False,
) -> tuple[LeadRecord, Step]:
    """Apply ``event`` to ``record``; return the new record and the recorded step.

    An event already in the history (same idempotency key and payload, or an identical event)
    is not applied again: the record comes back unchanged with the earlier step. With
    ``tolerant=True`` an event older than the latest one is accepted as a late fact: it is
    appended (marked ``late``) and judged against the current stage; stages are never reordered.

    Raises:
        TransitionError: not an edge of the graph (the message lists what is allowed).
        TerminalStageError: the lead is already won, lost or disqualified.
        ActorNotAllowedError: the actor role may not take this transition.
        MissingReasonError: the transition needs a reason code and got none.
        UnknownReasonError: the reason code is not in the transition's list.
        GuardError: a guard refused, with its evidence (``have 2 attempts, need 3``).
        OutOfOrderError: the event is older than the latest one (strict mode; late facts
            accepted earlier in tolerant mode do not count).
        IdempotencyConflictError: the idempotency key was used for a different event.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    >>> lead, step = advance(new_lead("L-1"), HandoffEvent("engage", at, "marketing"))
    >>> lead.stage, step.source, step.target
    ('iql', 'cold', 'iql')
    """
    result = _apply(record, event, graph, tolerant)
    if isinstance(result, TransitionError):
        raise result
    return result


def try_advance(
    record: LeadRecord,
    event: HandoffEvent,
    graph: Graph = DEFAULT_GRAPH,
    *,
    tolerant: bool = False,
) -> Outcome:
    """Apply ``event`` like :func:`advance`, but return an :class:`Outcome` instead of raising.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    >>> outcome = try_advance(new_lead("L-1"), HandoffEvent("accept", at, "sales"))
    >>> outcome.status, outcome.refusal
    ('refused', 'transition')
    >>> print(outcome.message)
    Lead 'L-1' cannot 'accept' from stage 'cold'; 'accept' is allowed from: mql. Allowed in 'cold': engage, promote, disqualify, contact_attempt.
    """
    result = _apply(record, event, graph, tolerant)
    if isinstance(result, TransitionError):
        return Outcome("refused", record, None, result)
    new, step = result
    return Outcome("duplicate" if new is record else "applied", new, step)


def advance_all(
    record: LeadRecord,
    events: Iterable[HandoffEvent],
    graph: Graph = DEFAULT_GRAPH,
    *,
    tolerant: bool = False,
) -> LeadRecord:
    """Apply events in order with :func:`advance`; stop at the first refusal by raising it.

    Raises:
        TransitionError: as :func:`advance`, for the first event that is refused.
    """
    for event in events:
        record, _ = advance(record, event, graph, tolerant=tolerant)
    return record


def replay(record: LeadRecord, graph: Graph = DEFAULT_GRAPH) -> LeadRecord:
    """Rebuild a record from its origin and history; an intact record comes back equal.

    Raises:
        TransitionError: the history does not replay on ``graph`` (edited or another graph).
    """
    rebuilt = LeadRecord(record.lead_id, record.origin, record.origin)
    for step in record.history:
        rebuilt, _ = advance(rebuilt, step.event, graph, tolerant=step.late)
    return rebuilt


def _apply(
    record: LeadRecord,
    event: HandoffEvent,
    graph: Graph,
    tolerant: bool,  # noqa: FBT001
) -> tuple[LeadRecord, Step] | TransitionError:
    # A duplicate comes back as the input record itself; an applied event makes a new one.
    history = record.history
    late = False
    if history:
        last_at = _latest(history)
        key = event.idempotency_key
        if key is not None:
            for step in history:
                if step.event.idempotency_key == key:
                    if step.event == event:
                        return record, step
                    return _conflict(record, event, step)
        elif event.at <= last_at:
            for step in history:
                if step.event.at == event.at and step.event == event:
                    return record, step
        late = event.at < last_at
    stage = record.stage
    name = event.name
    transition = graph.transition(stage, name)
    if transition is None and graph.is_terminal(stage):
        return TerminalStageError(
            f"Lead {record.lead_id!r} is in terminal stage {stage!r}; nothing may follow "
            f"({name!r} refused).",
            lead_id=record.lead_id,
            stage=stage,
            event=name,
            allowed_events=(),
        )
    if late and not tolerant:
        return OutOfOrderError(
            f"Lead {record.lead_id!r}: event {name!r} at {event.at.isoformat()} is older than "
            f"the latest recorded event at {last_at.isoformat()}; "
            "pass tolerant=True to accept late facts.",
            lead_id=record.lead_id,
            stage=stage,
            event=name,
            allowed_events=graph.allowed_events(stage),
            at=event.at,
            last_at=last_at,
        )
    if transition is None:
        if name != graph.attempt_event or not graph.has_stage(stage):
            return _not_an_edge(record, event, graph)
        if event.actor not in graph.actors:
            return _actor_error(record, event, graph.actors)
        if event.reason is not None and event.reason not in graph.reasons:
            return _unknown_reason(record, event, graph, tuple(graph.reasons))
        step = _new_tuple(Step, (event, stage, stage, _ATTEMPT, record.cycle, late))
        return (
            _new_tuple(
                LeadRecord,
                (
                    record.lead_id,
                    stage,
                    record.origin,
                    record.cycle,
                    record.attempts + 1,
                    (*history, step),
                ),
            ),
            step,
        )
    if event.actor not in transition.actors:
        return _actor_error(record, event, transition.actors)
    reason = event.reason
    if reason is None:
        if transition.kind in _REASON_KINDS:
            return MissingReasonError(
                f"Lead {record.lead_id!r} cannot {name!r} from stage {stage!r} without a "
                f"reason; allowed reasons: {', '.join(transition.reasons)}.",
                lead_id=record.lead_id,
                stage=stage,
                event=name,
                allowed_events=graph.allowed_events(stage),
                reason=None,
                allowed_reasons=transition.reasons,
            )
    elif reason not in (transition.reasons or graph.reasons):
        return _unknown_reason(record, event, graph, transition.reasons or tuple(graph.reasons))
    for guard in transition.guards:
        failure = guard.check(record, event)
        if failure is not None:
            return GuardError(
                f"Lead {record.lead_id!r} cannot {name!r} from stage {stage!r}: "
                f"guard {guard.name} refused: {failure.message}.",
                lead_id=record.lead_id,
                stage=stage,
                event=name,
                allowed_events=graph.allowed_events(stage),
                guard=guard.name,
                evidence=failure.evidence,
            )
    cycle, attempts = record.cycle, record.attempts
    if transition.kind == _REENTER:
        cycle, attempts = cycle + 1, 0
    step = _new_tuple(Step, (event, stage, transition.target, transition.kind, cycle, late))
    return (
        _new_tuple(
            LeadRecord,
            (record.lead_id, transition.target, record.origin, cycle, attempts, (*history, step)),
        ),
        step,
    )


def _latest(history: tuple[Step, ...]) -> datetime:
    """The latest time in a history: that of the last step not accepted as a late fact.

    Steps in order only ever move forward in time, so a late step never moves the clock back.
    """
    for step in reversed(history):
        if not step.late:
            return step.event.at
    return history[0].event.at  # unreachable: the first step is never late


def _unknown_reason(
    record: LeadRecord, event: HandoffEvent, graph: Graph, allowed: tuple[str, ...]
) -> TransitionError:
    return UnknownReasonError(
        f"Lead {record.lead_id!r} cannot {event.name!r} from stage {record.stage!r} with reason "
        f"{event.reason!r}; allowed reasons: {', '.join(allowed)}.",
        lead_id=record.lead_id,
        stage=record.stage,
        event=event.name,
        allowed_events=graph.allowed_events(record.stage),
        reason=event.reason,
        allowed_reasons=allowed,
    )


def _conflict(record: LeadRecord, event: HandoffEvent, step: Step) -> TransitionError:
    first = step.event
    return IdempotencyConflictError(
        f"Lead {record.lead_id!r}: idempotency key {event.idempotency_key!r} was already used "
        f"for a different event ({first.name!r} at {first.at.isoformat()} by {first.actor}); "
        f"refusing {event.name!r} at {event.at.isoformat()}.",
        lead_id=record.lead_id,
        stage=record.stage,
        event=event.name,
        idempotency_key=event.idempotency_key,
        recorded=first,
    )


def _actor_error(
    record: LeadRecord, event: HandoffEvent, allowed: tuple[str, ...]
) -> TransitionError:
    return ActorNotAllowedError(
        f"Lead {record.lead_id!r}: actor {event.actor!r} may not {event.name!r} from stage "
        f"{record.stage!r}; allowed actors: {', '.join(allowed)}.",
        lead_id=record.lead_id,
        stage=record.stage,
        event=event.name,
        actor=event.actor,
        allowed_actors=allowed,
    )


def _not_an_edge(record: LeadRecord, event: HandoffEvent, graph: Graph) -> TransitionError:
    stage, name = record.stage, event.name
    allowed = graph.allowed_events(stage)
    if not graph.has_stage(stage):
        detail = f"{stage!r} is not a stage of graph {graph.name!r}."
    else:
        sources = graph.sources_of(name)
        detail = (
            f"{name!r} is allowed from: {', '.join(sources)}."
            if sources
            else f"{name!r} is not an event of graph {graph.name!r}."
        )
        detail += f" Allowed in {stage!r}: {', '.join(allowed)}."
    return TransitionError(
        f"Lead {record.lead_id!r} cannot {name!r} from stage {stage!r}; {detail}",
        lead_id=record.lead_id,
        stage=stage,
        event=name,
        allowed_events=allowed,
    )
