"""The lifecycle's own frozen record of a lead: stage, cycle, attempts and the full history."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Final, NamedTuple

from pydantic import (
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    WrapSerializer,
)

from leadflow.errors import ArgumentTypeError, LeadValidationError, Problem
from leadflow.lifecycle._args import check_count, check_text
from leadflow.lifecycle.events import HandoffEvent, Step, StepData, problems_of
from leadflow.lifecycle.stages import TransitionKind

if TYPE_CHECKING:
    from leadflow.lifecycle.graph import Graph

_KINDS: Final = frozenset(k.value for k in TransitionKind)
_ATTEMPT: Final = TransitionKind.ATTEMPT.value
_REENTER: Final = TransitionKind.REENTER.value

__all__ = ("LeadRecord",)


class _Fields(NamedTuple):
    lead_id: str
    stage: str
    origin: str
    cycle: int
    attempts: int
    history: tuple[StepData, ...]


class LeadRecord(_Fields):
    """Where a lead stands in the lifecycle, and how it got there.

    Records are values: :func:`~leadflow.lifecycle.advance` returns a new one and leaves the
    input untouched. ``history`` is the append-only log of :class:`Step` values; replaying it
    from ``origin`` gives the same record (see :func:`~leadflow.lifecycle.replay`). The record
    holds no graph and no machine: the graph is shared and passed in.

    Fields: ``lead_id``; ``stage``; ``origin``, the stage the lead entered in (defaults to
    ``stage``); ``cycle``, how often the lead re-entered the funnel from nurture (0 for a
    first-time lead); ``attempts``, contact attempts in the current cycle; ``history``.

    A ``NamedTuple`` rather than a dataclass because one is built per transition and a tuple is
    built fastest (about 0.1 µs against 0.4 µs here); in JSON it is an object.

    A record built here (or read by :meth:`from_json`) must agree with its own history: the
    stage is the last step's target, each step starts where the one before ended, the counts
    follow from the steps. What contradicts itself raises
    :class:`~leadflow.errors.LeadValidationError` naming the first bad step.

    >>> LeadRecord("L-1", "cold")
    LeadRecord(lead_id='L-1', stage='cold', origin='cold', cycle=0, attempts=0, history=())
    >>> LeadRecord("L-1", "cold").version
    0
    """

    __slots__ = ()

    def __new__(
        cls,
        lead_id: str,
        stage: str,
        origin: str = "",
        cycle: int = 0,
        attempts: int = 0,
        history: tuple[StepData, ...] = (),
    ) -> LeadRecord:
        if type(lead_id) is not str or type(stage) is not str or type(origin) is not str:
            lead_id = check_text(lead_id, "lead_id")
            stage = check_text(stage, "stage")
            origin = check_text(origin, "origin")
        if type(cycle) is not int or type(attempts) is not int or cycle < 0 or attempts < 0:
            check_count(cycle, "cycle")
            check_count(attempts, "attempts")
        if type(history) is not tuple:
            if not isinstance(history, tuple | list):
                raise ArgumentTypeError("history", history, "a tuple of Step")
            history = tuple(history)
        record = _new_tuple(cls, (lead_id, stage, origin or stage, cycle, attempts, history))
        if history or (origin and origin != stage):
            problem = integrity_problem(record)
            if problem is not None:
                raise LeadValidationError((problem,), record_id=lead_id)
        return record

    @property
    def version(self) -> int:
        """The number of applied steps: what a host store compares and sets.

        Pass it back as ``advance(..., expected_version=)`` to refuse an update from a writer
        that read the record before another one changed it (optimistic concurrency).
        """
        return len(self.history)

    @property
    def last_at(self) -> datetime | None:
        """The latest time in the history, ``None`` for a fresh record.

        Late facts accepted in tolerant mode do not move it back: it is the time of the last
        step that was in order, and strict mode refuses events older than it.
        """
        for step in reversed(self.history):
            if not step.late:
                return step.event.at
        return None

    @property
    def entered_at(self) -> datetime | None:
        """When the lead entered its current stage; ``None`` if it never moved (origin stage).

        Contact attempts do not count as entering: they keep the stage.
        """
        for step in reversed(self.history):
            if step.source != step.target:
                return step.event.at
        return None

    def to_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        result: dict[str, Any] = _RECORD.dump_python(self, mode="json")
        return result

    def to_json(self) -> str:
        """The record as a JSON document; :meth:`from_json` reads it back unchanged."""
        return _RECORD.dump_json(self).decode()

    @classmethod
    def from_json(
        cls, data: str | bytes | dict[str, Any], *, graph: Graph | None = None
    ) -> LeadRecord:
        """Read a record written by :meth:`to_json` (or the data of :meth:`to_dict`).

        The record must agree with its own history (see the class). With ``graph``, the
        history is also replayed on it and must give the same record step by step: a stored
        record that was edited (a stage it never reached, a skipped guard) is refused, naming
        the first step that does not replay.

        Raises:
            LeadValidationError: the data is not a valid record; every problem is listed.
            ArgumentTypeError: ``data`` is not text, bytes or a dict.
        """
        if not isinstance(data, str | bytes | bytearray | dict):
            raise ArgumentTypeError("data", data, "JSON text, bytes or a dict")
        if graph is not None:
            from leadflow.lifecycle.graph import Graph

            if not isinstance(graph, Graph):
                raise ArgumentTypeError("graph", graph, "a Graph or None")
        try:
            if isinstance(data, dict):
                record = _RECORD.validate_python(data)
            else:
                record = _RECORD.validate_json(data)
        except ValidationError as error:
            lead_id = data.get("lead_id") if isinstance(data, dict) else None
            raise LeadValidationError(
                problems_of(error), record_id=lead_id if isinstance(lead_id, str) else None
            ) from None
        if graph is not None:
            from leadflow.lifecycle.machine import replay_problem

            problem = replay_problem(record, graph)
            if problem is not None:
                raise LeadValidationError((problem,), record_id=record.lead_id)
        return record


_new_tuple: Final = tuple.__new__


def integrity_problem(record: LeadRecord) -> Problem | None:
    """The first way ``record`` contradicts itself, or ``None``; needs no graph (O(history)).

    The history starts in ``origin`` at cycle 0; each step starts where the one before ended,
    has a known kind, its cycle and lateness follow from the steps before it (only a contact
    attempt may be late), idempotency keys are unique; and the record's stage, cycle and
    attempts are what the history gives.
    """
    stage, cycle, attempts, latest = record.origin, 0, 0, None
    keys: set[str] = set()
    for i, step in enumerate(record.history):
        if not isinstance(step, Step):
            return Problem(f"history[{i}]", "expected a Step", step)
        event = step.event
        if not (
            isinstance(event, HandoffEvent)
            and isinstance(step.source, str)
            and isinstance(step.target, str)
            and isinstance(step.kind, str)
            and type(step.cycle) is int
            and type(step.late) is bool
        ):
            return Problem(
                f"history[{i}]",
                "expected Step(HandoffEvent, source, target, kind, cycle: int, late: bool)",
                step,
            )
        where = f"history[{i}] ({step.kind} {event.name!r} at {event.at.isoformat()})"
        kind = step.kind
        if kind == _REENTER:
            cycle, attempts = cycle + 1, 0
        elif kind == _ATTEMPT:
            attempts += 1
        problem = None
        if kind not in _KINDS:
            problem = f"unknown step kind {kind!r}; expected one of {', '.join(sorted(_KINDS))}"
        elif step.source != stage:
            problem = f"starts in {step.source!r}, but the lead was in {stage!r}"
        elif kind == _ATTEMPT and step.source != step.target:
            problem = "a contact attempt must keep the stage"
        elif step.cycle != cycle:
            problem = f"says cycle {step.cycle}, but the steps before give cycle {cycle}"
        elif step.late is not (latest is not None and event.at < latest):
            problem = (
                "is marked late but is not older than the step before"
                if step.late
                else f"is older than the step before ({latest.isoformat() if latest else ''}) "
                "but not marked late"
            )
        elif step.late and kind != _ATTEMPT:
            problem = "a late step may not change the stage"
        elif event.idempotency_key is not None and event.idempotency_key in keys:
            problem = f"repeats idempotency key {event.idempotency_key!r}"
        if problem is not None:
            return Problem(where, problem, step)
        if event.idempotency_key is not None:
            keys.add(event.idempotency_key)
        if not step.late:
            latest = event.at
        stage = step.target
    if not record.history:
        if record.stage != record.origin:
            return Problem(
                "stage",
                f"is {record.stage!r} without history, but origin is {record.origin!r}",
                record.stage,
            )
        return None
    for name, have, want in (
        ("stage", record.stage, stage),
        ("cycle", record.cycle, cycle),
        ("attempts", record.attempts, attempts),
    ):
        if have != want:
            return Problem(name, f"is {have!r}, but the history gives {want!r}", have)
    return None


def _as_object(record: LeadRecord, handler: SerializerFunctionWrapHandler) -> Any:
    return dict(zip(_Fields._fields, handler(record), strict=True))


_RECORD: Final = TypeAdapter(Annotated[LeadRecord, WrapSerializer(_as_object)])
