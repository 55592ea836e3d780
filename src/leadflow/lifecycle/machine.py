"""Applying events to lead records: pure functions over a shared graph.

``advance`` raises a :class:`~leadflow.errors.TransitionError` subclass; ``try_advance`` returns
an :class:`Outcome` instead. Either way the input record is untouched: a refused event changes
nothing, and an applied one returns a new record with the recorded :class:`Step` appended.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final, Literal

from leadflow.errors import (
    ActorNotAllowedError,
    ArgumentTypeError,
    FutureEventError,
    GuardError,
    IdempotencyConflictError,
    MissingReasonError,
    OutOfOrderError,
    Problem,
    RecordIntegrityError,
    StaleRecordError,
    TerminalStageError,
    TransitionError,
    UnknownReasonError,
)
from leadflow.lifecycle._args import check_bool, check_count, check_datetime, check_timedelta
from leadflow.lifecycle.events import HandoffEvent, Step
from leadflow.lifecycle.graph import Graph
from leadflow.lifecycle.loader import DEFAULT_GRAPH
from leadflow.lifecycle.record import LeadRecord
from leadflow.lifecycle.stages import REASON_KINDS, TransitionKind

__all__ = (
    "DEFAULT_MAX_SKEW",
    "Outcome",
    "advance",
    "advance_all",
    "new_lead",
    "replay",
    "try_advance",
)

DEFAULT_MAX_SKEW: Final = timedelta(minutes=5)
"""How far after the ``now`` given to :func:`advance` an event may be dated (clock skew)."""

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
    lead_id = _text(lead_id, "lead_id")
    if not isinstance(graph, Graph):
        raise ArgumentTypeError("graph", graph, "a Graph")
    if stage is not None and not isinstance(stage, str):
        raise ArgumentTypeError("stage", stage, "a stage name or None")
    start = graph.initial if stage is None else str.__str__(stage)
    if start not in graph.entry:
        raise TransitionError(
            f"Lead {lead_id!r} cannot start in stage {start!r}; "
            f"entry stages: {', '.join(graph.entry)}.",
            lead_id=lead_id,
            stage=start,
            allowed_events=(),
        )
    return _new_tuple(LeadRecord, (lead_id, start, start, 0, 0, ()))


def advance(
    record: LeadRecord,
    event: HandoffEvent,
    graph: Graph = DEFAULT_GRAPH,
    *,
    tolerant: bool = False,
    now: datetime | None = None,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
    expected_version: int | None = None,
) -> tuple[LeadRecord, Step]:
    """Apply ``event`` to ``record``; return the new record and the recorded step.

    An event already in the history (same idempotency key and payload, or an identical event)
    is not applied again: the record comes back unchanged with the earlier step (found in
    constant time). With ``tolerant=True`` a contact attempt older than the latest event is
    accepted as a late fact: it is appended and marked ``late``; a late stage change is refused
    in both modes, so stages are never reordered.

    ``now`` (the caller's current time) refuses an event dated more than ``max_skew`` after it,
    so one event from a wrong clock (dated 2099) cannot enter the history and block every later
    one. ``expected_version`` refuses the event unless ``record.version`` equals it: pass the
    version the client read, and a concurrent change is detected instead of lost.

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
        FutureEventError: the event lies more than ``max_skew`` after ``now``.
        StaleRecordError: ``record.version`` is not ``expected_version``.
        RecordIntegrityError: the record contradicts its last step (edited or forged).
        ArgumentTypeError: an argument has the wrong type (named in the message).

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    >>> lead, step = advance(new_lead("L-1"), HandoffEvent("engage", at, "marketing"))
    >>> lead.stage, step.source, step.target
    ('iql', 'cold', 'iql')
    """
    if (
        type(record) is not LeadRecord
        or type(event) is not HandoffEvent
        or type(graph) is not Graph
        or type(tolerant) is not bool
        or now is not None
        or expected_version is not None
        or max_skew is not DEFAULT_MAX_SKEW
    ):
        now = _check_arguments(record, event, graph, tolerant, now, max_skew, expected_version)
    result = _apply(record, event, graph, tolerant, now, max_skew, expected_version)
    if isinstance(result, TransitionError):
        raise result
    return result


def try_advance(
    record: LeadRecord,
    event: HandoffEvent,
    graph: Graph = DEFAULT_GRAPH,
    *,
    tolerant: bool = False,
    now: datetime | None = None,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
    expected_version: int | None = None,
) -> Outcome:
    """Apply ``event`` like :func:`advance`, but return an :class:`Outcome` instead of raising.

    A refusal of the event is returned; wrong argument types still raise
    :class:`~leadflow.errors.ArgumentTypeError`.

    >>> from datetime import datetime, timezone
    >>> at = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    >>> outcome = try_advance(new_lead("L-1"), HandoffEvent("accept", at, "sales"))
    >>> outcome.status, outcome.refusal
    ('refused', 'transition')
    >>> print(outcome.message)
    Lead 'L-1' cannot 'accept' from stage 'cold'; 'accept' is allowed from: mql. Allowed in 'cold': engage, promote, disqualify, contact_attempt.
    """
    if (
        type(record) is not LeadRecord
        or type(event) is not HandoffEvent
        or type(graph) is not Graph
        or type(tolerant) is not bool
        or now is not None
        or expected_version is not None
        or max_skew is not DEFAULT_MAX_SKEW
    ):
        now = _check_arguments(record, event, graph, tolerant, now, max_skew, expected_version)
    result = _apply(record, event, graph, tolerant, now, max_skew, expected_version)
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
    now: datetime | None = None,
    max_skew: timedelta = DEFAULT_MAX_SKEW,
) -> LeadRecord:
    """Apply events in order with :func:`advance`; stop at the first refusal by raising it.

    Raises:
        TransitionError: as :func:`advance`, for the first event that is refused.
    """
    if isinstance(events, HandoffEvent | str | bytes | bytearray | dict) or not isinstance(
        events, Iterable
    ):
        raise ArgumentTypeError("events", events, "an iterable of HandoffEvent")
    for i, event in enumerate(events):
        if not isinstance(event, HandoffEvent):
            raise ArgumentTypeError(f"events[{i}]", event, "a HandoffEvent")
        record, _ = advance(record, event, graph, tolerant=tolerant, now=now, max_skew=max_skew)
    return record


def replay(record: LeadRecord, graph: Graph = DEFAULT_GRAPH) -> LeadRecord:
    """Rebuild a record from its origin and history; an intact record comes back equal.

    Raises:
        TransitionError: the history does not replay on ``graph`` (edited or another graph).
    """
    _check_arguments(
        record,
        _NO_EVENT,
        graph,
        tolerant=False,
        now=None,
        max_skew=DEFAULT_MAX_SKEW,
        expected_version=None,
    )
    rebuilt = LeadRecord(record.lead_id, record.origin, record.origin)
    for step in record.history:
        rebuilt, _ = advance(rebuilt, step.event, graph, tolerant=step.late)
    return rebuilt


def replay_problem(record: LeadRecord, graph: Graph) -> Problem | None:
    """The first step of ``record`` that does not replay on ``graph`` as recorded, or ``None``."""
    if not graph.has_stage(record.origin) or record.origin not in graph.entry:
        return Problem(
            "origin",
            f"{record.origin!r} is not an entry stage of graph {graph.name!r}",
            record.origin,
        )
    rebuilt = LeadRecord(record.lead_id, record.origin, record.origin)
    for i, step in enumerate(record.history):
        where = f"history[{i}] ({step.name!r} at {step.at.isoformat()})"
        result = _apply(rebuilt, step.event, graph, step.late, None, DEFAULT_MAX_SKEW, None)
        if isinstance(result, TransitionError):
            return Problem(where, f"does not replay on graph {graph.name!r}: {result}", step)
        rebuilt, replayed = result
        if replayed != step:
            return Problem(
                where,
                f"replays as {replayed.source} -> {replayed.target} ({replayed.kind}), "
                f"recorded as {step.source} -> {step.target} ({step.kind})",
                step,
            )
    return None


def _text(value: Any, argument: str) -> str:
    if type(value) is str:
        return value
    if isinstance(value, str):
        return str.__str__(value)
    raise ArgumentTypeError(argument, value, "a string")


_NO_EVENT: Final = object()


def _check_arguments(
    record: Any,
    event: Any,
    graph: Any,
    tolerant: Any,
    now: Any,
    max_skew: Any,
    expected_version: Any,
) -> datetime | None:
    """Refuse arguments of the wrong type with our error; return ``now`` in UTC."""
    if not isinstance(record, LeadRecord):
        raise ArgumentTypeError("record", record, "a LeadRecord", "start one with new_lead()")
    if event is not _NO_EVENT and not isinstance(event, HandoffEvent):
        raise ArgumentTypeError(
            "event", event, "a HandoffEvent", "parse webhook data with parse_event()"
        )
    if not isinstance(graph, Graph):
        raise ArgumentTypeError("graph", graph, "a Graph")
    check_bool(tolerant, "tolerant")
    check_timedelta(max_skew, "max_skew")
    check_count(expected_version, "expected_version", optional=True)
    if now is None:
        return None
    return check_datetime(now, "now")


def _apply(
    record: LeadRecord,
    event: HandoffEvent,
    graph: Graph,
    tolerant: bool,  # noqa: FBT001
    now: datetime | None,
    max_skew: timedelta,
    expected_version: int | None,
) -> tuple[LeadRecord, Step] | TransitionError:
    # A duplicate comes back as the input record itself; an applied event makes a new one.
    history = record.history
    stage = record.stage
    # O(1): a record whose stage is not where its last step ended was edited (or forged with
    # _replace); continuing from it would write a history that never happened.
    late = False
    last_at: datetime | None = None
    if history:
        if history[-1].target != stage:
            return _integrity_error(record, event)
        last_at = _latest(history)
        key = event.idempotency_key
        if key is not None or event.at <= last_at:
            found = _recorded(history, event)
            if found is not None:
                if found.event == event:
                    return record, found
                return _conflict(record, event, found)
        late = event.at < last_at
    elif record.origin != stage:
        return _integrity_error(record, event)
    if expected_version is not None and len(history) != expected_version:
        return StaleRecordError(
            f"Lead {record.lead_id!r} is at version {len(history)}, not at the expected "
            f"version {expected_version}: another writer changed it since it was read; "
            f"reload it and apply {event.name!r} again.",
            lead_id=record.lead_id,
            stage=stage,
            event=event.name,
            version=len(history),
            expected_version=expected_version,
        )
    if now is not None and event.at > now and event.at - now > max_skew:
        return FutureEventError(
            f"Lead {record.lead_id!r}: event {event.name!r} at {event.at.isoformat()} lies "
            f"{event.at - now} after now ({now.isoformat()}); at most {max_skew} of clock "
            "skew is accepted. Check the sender's clock.",
            lead_id=record.lead_id,
            stage=stage,
            event=event.name,
            at=event.at,
            now=now,
            max_skew=max_skew,
        )
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
    if late and (not tolerant or transition is not None) and last_at is not None:
        if transition is not None and tolerant:
            hint = "a late stage change is refused even in tolerant mode: stages never reorder."
        else:
            hint = "pass tolerant=True to accept late facts."
        if now is not None and last_at > now and last_at - now > max_skew:
            hint += (
                f" The latest recorded event lies after now ({now.isoformat()}): the history "
                "holds an event from a wrong clock; rebuild the record without it."
            )
        return OutOfOrderError(
            f"Lead {record.lead_id!r}: event {name!r} at {event.at.isoformat()} is older than "
            f"the latest recorded event at {last_at.isoformat()}; {hint}",
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
                    (*history, step) if len(history) < _SHORT else _append(history, step),
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
            (
                record.lead_id,
                transition.target,
                record.origin,
                cycle,
                attempts,
                (*history, step) if len(history) < _SHORT else _append(history, step),
            ),
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


_INDEXED: Final = 16
"""Histories at least this long carry an index of their events; shorter ones are scanned."""
_SHORT: Final = _INDEXED - 1


class _History(tuple[Step, ...]):
    """A history that carries ``positions``: event token -> indexes where it was recorded.

    The token is the idempotency key of a keyed event, the time of an unkeyed one. The index
    is shared by a record and every record advanced from it (appending adds one entry), so
    finding a duplicate costs O(1) instead of a scan of the history. Records that branch from
    one ancestor share it too: every hit is checked against this history's own step, and every
    step of this history was entered at its position, so nothing is missed or found wrongly.
    Equal to (and written to JSON as) a plain tuple.
    """

    positions: dict[object, list[int]]


def _token(event: HandoffEvent) -> object:
    key = event.idempotency_key
    return event.at if key is None else key


def _positions(history: tuple[Step, ...]) -> dict[object, list[int]]:
    positions: dict[object, list[int]] | None = getattr(history, "positions", None)
    if positions is None:
        positions = {}
        for i, step in enumerate(history):
            positions.setdefault(_token(step.event), []).append(i)
    return positions


def _append(history: tuple[Step, ...], step: Step) -> tuple[Step, ...]:
    if len(history) + 1 < _INDEXED:
        return (*history, step)
    positions = _positions(history)
    new = _History(history + (step,))  # noqa: RUF005 (one C-level copy, no iteration)
    positions.setdefault(_token(step.event), []).append(len(history))
    new.positions = positions
    return new


def _recorded(history: tuple[Step, ...], event: HandoffEvent) -> Step | None:
    """The step recorded for ``event``: same idempotency key, or (unkeyed) the identical event."""
    key = event.idempotency_key
    if len(history) < _INDEXED:
        for step in history:
            recorded = step.event
            if key is not None:
                if recorded.idempotency_key == key:
                    return step
            elif recorded.at == event.at and recorded == event:
                return step
        return None
    size = len(history)
    for i in _positions(history).get(_token(event), ()):
        if i < size:
            step = history[i]
            recorded = step.event
            if key is not None:
                if recorded.idempotency_key == key:
                    return step
            elif recorded == event:
                return step
    return None


def _integrity_error(record: LeadRecord, event: HandoffEvent) -> TransitionError:
    if record.history:
        last = record.history[-1]
        detail = (
            f"its stage {record.stage!r} is not where its last step ended "
            f"({last.name!r}: {last.source} -> {last.target})"
        )
    else:
        detail = f"its stage {record.stage!r} is not its origin {record.origin!r} (no history)"
    return RecordIntegrityError(
        f"Lead {record.lead_id!r}: the record contradicts itself: {detail}; it was edited or "
        f"forged, {event.name!r} is not applied. Rebuild it with replay() or read it with "
        "LeadRecord.from_json(data, graph=...).",
        lead_id=record.lead_id,
        stage=record.stage,
        event=event.name,
    )


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
