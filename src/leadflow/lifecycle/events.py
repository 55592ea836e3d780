"""What happens to a lead: the event a host reports and the step the lifecycle records.

:class:`HandoffEvent` is the input (parsed from webhook JSON with :func:`parse_event`, or built in
Python); :class:`Step` is the recorded event in a lead's history: the event plus the stages it
moved between. Neither is a pydantic model, because both are built on every transition (an event
as a frozen slotted dataclass costs about 0.7 µs here, a pydantic model about 4 µs; a step is a
``NamedTuple``); pydantic still validates them at the JSON boundary, with ``AwareDatetime`` and
``extra="forbid"``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Final, NamedTuple

from pydantic import (
    AwareDatetime,
    ConfigDict,
    JsonValue,
    PlainSerializer,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    WrapSerializer,
)

from leadflow._time import require_aware
from leadflow.errors import ArgumentTypeError, EventValidationError, LeadValidationError, Problem
from leadflow.lead import Lead
from leadflow.lifecycle._args import check_bool, check_datetime, check_text

__all__ = (
    "CONTACT_ATTEMPT",
    "HandoffEvent",
    "Qualification",
    "Step",
    "parse_event",
)

CONTACT_ATTEMPT: Final = "contact_attempt"
"""Default name of the event that records a contact attempt without changing the stage."""

_STRICT: Final = ConfigDict(extra="forbid")


def _slot_setters(cls: type) -> tuple[Any, ...]:
    """The ``__set__`` of each slot of a slotted dataclass, in field order (hot-path builders)."""
    return tuple(cls.__dict__[f.name].__set__ for f in fields(cls))


@dataclass(frozen=True, slots=True)
class Qualification:
    """The result of a sales qualification (BANT, CHAMP, MEDDIC), as plain data.

    The lifecycle does not score leads; a host passes the verdict of its rules here, and the
    ``qualification_passed`` guard checks it before a lead becomes an SQL.

    >>> Qualification(passed=True, framework="bant", score=3)
    Qualification(passed=True, framework='bant', score=3, note=None)
    """

    __pydantic_config__: ClassVar[ConfigDict] = _STRICT

    passed: bool
    framework: str | None = None
    score: float | None = None
    """A finite number (NaN and infinity cannot round-trip through JSON)."""
    note: str | None = None

    def __post_init__(self) -> None:
        # pydantic has converted JSON already; this catches Python callers: passed="no" is
        # a truthy string and would otherwise promote the lead.
        check_bool(self.passed, "passed")
        check_text(self.framework, "framework", optional=True)
        check_text(self.note, "note", optional=True)
        score = self.score
        if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
            raise ArgumentTypeError("score", score, "a number or None")
        if isinstance(score, float) and not math.isfinite(score):
            problem = Problem("score", "expected a finite number", score)
            raise EventValidationError((problem,))


@dataclass(frozen=True, slots=True, init=False)
class HandoffEvent:
    """Something that happened to a lead: a transition name, when, who, and why.

    ``at`` must be timezone-aware and is stored as the same instant in UTC, so that histories
    compare and round-trip exactly. ``name`` is a transition of the graph (``"accept"``,
    ``"reject"``, ...) or the graph's contact-attempt event.

    Raises:
        NaiveDatetimeError: ``at`` has no time zone.

    >>> from datetime import datetime, timezone
    >>> event = HandoffEvent("accept", datetime(2026, 11, 23, 9, tzinfo=timezone.utc), "sales")
    >>> event.name, event.actor, event.at.isoformat()
    ('accept', 'sales', '2026-11-23T09:00:00+00:00')
    """

    __pydantic_config__: ClassVar[ConfigDict] = _STRICT

    name: str
    """The transition (or ``contact_attempt``)."""
    at: AwareDatetime
    """When it happened; stored in UTC."""
    actor: str
    """The actor role: ``marketing``, ``sales`` or ``system`` in the default graph."""
    actor_id: str | None = None
    """Who exactly (user id, rep e-mail, automation name)."""
    reason: str | None = None
    """A reason code from the graph's reason list; mandatory on rejections and the like."""
    note: str | None = None
    campaign: str | None = None
    idempotency_key: str | None = None
    """A key from the sender (webhook delivery id): a retry with the same key is applied once."""
    qualification: Qualification | None = None
    """The qualification verdict, needed to enter ``sql`` in the default graph."""
    lead: Annotated[Mapping[str, JsonValue] | None, PlainSerializer(lambda v: _thaw(v))] = None
    """The lead data the handoff was based on, as read-only JSON data. Pass raw data or a
    :class:`~leadflow.Lead`; a lead is stored as its JSON data (without defaults), frozen
    (mappings read-only, lists as tuples), so the recorded event cannot change afterwards and
    round-trips through JSON exactly."""

    def __init__(
        self,
        name: str,
        at: datetime,
        actor: str,
        actor_id: str | None = None,
        reason: str | None = None,
        note: str | None = None,
        campaign: str | None = None,
        idempotency_key: str | None = None,
        qualification: Qualification | None = None,
        lead: Mapping[str, JsonValue] | Lead | None = None,
    ) -> None:
        # Hand-written: filling the slots directly costs half of what the generated frozen
        # __init__ does, and an event is built per transition. pydantic skips __init__ and
        # calls __post_init__, so the checks live there; the type checks below run for Python
        # callers only (pydantic has checked the types of JSON input), on a cheap fast path.
        if type(name) is not str:
            name = check_text(name, "name")
        if type(actor) is not str:
            actor = check_text(actor, "actor")
        if not isinstance(at, datetime):
            check_datetime(at, "at")
        if (
            (actor_id is not None and type(actor_id) is not str)
            or (reason is not None and type(reason) is not str)
            or (note is not None and type(note) is not str)
            or (campaign is not None and type(campaign) is not str)
            or (idempotency_key is not None and type(idempotency_key) is not str)
        ):
            actor_id = check_text(actor_id, "actor_id", optional=True)
            reason = check_text(reason, "reason", optional=True)
            note = check_text(note, "note", optional=True)
            campaign = check_text(campaign, "campaign", optional=True)
            idempotency_key = check_text(idempotency_key, "idempotency_key", optional=True)
        if qualification is not None and not isinstance(qualification, Qualification):
            raise ArgumentTypeError(
                "qualification",
                qualification,
                "a Qualification or None",
                "build it as Qualification(passed=True, framework='bant')",
            )
        _set_name(self, name)
        _set_at(self, at)
        _set_actor(self, actor)
        _set_actor_id(self, actor_id)
        _set_reason(self, reason)
        _set_note(self, note)
        _set_campaign(self, campaign)
        _set_idempotency_key(self, idempotency_key)
        _set_qualification(self, qualification)
        _set_lead(self, lead)
        self.__post_init__()

    def __post_init__(self) -> None:
        if getattr(self.at, "tzinfo", None) is not UTC:
            at = require_aware(self.at, "at")
            try:
                object.__setattr__(self, "at", at.astimezone(UTC))
            except OverflowError:
                problem = Problem("at", "outside the range of UTC datetimes", at)
                raise EventValidationError((problem,)) from None
        lead: Any = self.lead
        if lead is not None:
            # a copy, so the caller cannot change a recorded event through its own dict
            data = (
                lead.model_dump(mode="json", exclude_defaults=True)
                if isinstance(lead, Lead)
                else lead
            )
            if not isinstance(data, Mapping):
                problem = Problem("lead", "expected a mapping of lead data", data)
                raise EventValidationError((problem,))
            problems: list[Problem] = []
            frozen = _freeze(data, "lead", problems)
            if problems:
                raise EventValidationError(tuple(problems))
            object.__setattr__(self, "lead", frozen)

    def to_dict(self) -> dict[str, Any]:
        """The event as JSON-ready data (what :func:`parse_event` reads)."""
        result: dict[str, Any] = _EVENT.dump_python(self, mode="json")
        return result


(
    _set_name,
    _set_at,
    _set_actor,
    _set_actor_id,
    _set_reason,
    _set_note,
    _set_campaign,
    _set_idempotency_key,
    _set_qualification,
    _set_lead,
) = _slot_setters(HandoffEvent)
_EVENT: Final = TypeAdapter(HandoffEvent)


def _freeze(value: Any, where: str, problems: list[Problem]) -> Any:
    """A read-only copy of JSON data (mappings as proxies, lists as tuples); collect problems."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            problems.append(Problem(where, "expected a finite number", value))
        return value
    if isinstance(value, list | tuple):
        return tuple(_freeze(v, f"{where}.{i}", problems) for i, v in enumerate(value))
    if isinstance(value, Mapping):
        frozen: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append(Problem(f"{where}.[key]", "expected a string key", key))
                continue
            frozen[key] = _freeze(item, f"{where}.{key}", problems)
        return MappingProxyType(frozen)
    problems.append(Problem(where, f"expected JSON data, got {type(value).__name__}", value))
    return None


def _thaw(value: Any) -> Any:
    """Plain JSON data again: read-only mappings as dicts, tuples as lists."""
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def parse_event(data: Mapping[str, Any] | str | bytes) -> HandoffEvent:
    """Build a :class:`HandoffEvent` from webhook JSON or a mapping, reporting every problem.

    Raises:
        EventValidationError: the data is not a valid event (naive time, unknown field, ...).

    >>> parse_event('{"name": "accept", "at": "2026-11-23T10:00:00+01:00", "actor": "sales"}').at
    datetime.datetime(2026, 11, 23, 9, 0, tzinfo=datetime.timezone.utc)
    >>> parse_event({"name": "accept", "at": "2026-11-23T10:00:00", "actor": "sales"})
    Traceback (most recent call last):
    ...
    leadflow.errors.EventValidationError: event is invalid (1 problem):
      - at: Input should have timezone info
    """
    if not isinstance(data, Mapping | str | bytes | bytearray):
        problem = Problem("<event>", "expected a JSON object, text or bytes", data)
        raise EventValidationError((problem,))
    try:
        if isinstance(data, str | bytes | bytearray):
            return _EVENT.validate_json(data)
        return _EVENT.validate_python(dict(data))
    except ValidationError as error:
        key = data.get("idempotency_key") if isinstance(data, Mapping) else None
        raise EventValidationError(
            problems_of(error), record_id=key if isinstance(key, str) else None
        ) from None


def problems_of(error: ValidationError) -> tuple[Problem, ...]:
    """Translate pydantic's errors into :class:`~leadflow.errors.Problem` values.

    Our own validation errors raised inside pydantic (from ``__post_init__``) are unpacked, so
    their problems appear as they are rather than as "Value error, ...".
    """
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        where = ".".join(str(part) for part in item["loc"])
        inner = item.get("ctx", {}).get("error")
        if isinstance(inner, LeadValidationError):
            problems.extend(
                Problem(f"{where}.{p.field}" if where else p.field, p.message, p.value)
                for p in inner.problems
            )
            continue
        problems.append(Problem(where or "<event>", item["msg"], item.get("input")))
    return tuple(problems)


class Step(NamedTuple):
    """A recorded event: the event, the stages it moved the lead between, and its cycle.

    A contact attempt is a step whose ``source`` equals its ``target``. A ``NamedTuple`` rather
    than a dataclass because one is built per transition and a tuple is built fastest; in JSON
    a step is an object like any other value.
    """

    event: HandoffEvent
    source: str
    target: str
    kind: str
    """The transition kind (``progress``, ``reject``, ... or ``attempt``)."""
    cycle: int = 0
    """How often the lead had re-entered the funnel from nurture when this happened."""
    late: bool = False
    """Accepted in tolerant mode although older than the step before it."""

    @property
    def name(self) -> str:
        """The event name."""
        return self.event.name

    @property
    def at(self) -> datetime:
        """When it happened (UTC)."""
        return self.event.at

    @property
    def actor(self) -> str:
        """The actor role."""
        return self.event.actor

    @property
    def reason(self) -> str | None:
        """The reason code, if any."""
        return self.event.reason

    @property
    def campaign(self) -> str | None:
        """The campaign named on the event, if any."""
        return self.event.campaign


def _step_as_object(step: Step, handler: SerializerFunctionWrapHandler) -> Any:
    return dict(zip(Step._fields, handler(step), strict=True))


StepData = Annotated[Step, WrapSerializer(_step_as_object)]
"""A :class:`Step` that pydantic writes as a JSON object rather than an array."""
