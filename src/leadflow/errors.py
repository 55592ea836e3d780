"""Every error leadflow raises on purpose.

One base class, one tree. Errors about bad input also subclass :class:`ValueError`, so host code
that already catches ``ValueError`` keeps working::

    LeadflowError                          .code, .context
    ├── ConfigurationError(+ValueError)    bad graph, policy, calendar or region (.field .value .expected)
    │   └── GraphError                     a lifecycle graph is invalid; .problems lists every problem
    ├── NaiveDatetimeError(+ValueError)    a naive datetime reached a public function (.argument)
    ├── ArgumentTypeError(+TypeError)      an argument of the wrong type (.argument .value .expected)
    ├── OutOfRangeError(+OverflowError, +ValueError)
    │                                      an instant or duration beyond what datetime can hold
    │                                      (years 1 to 9999) (.argument .value .expected)
    ├── LeadValidationError(+ValueError)   a lead failed validation; .problems lists every problem
    │   ├── EventValidationError           a lifecycle event (webhook payload) failed validation
    │   └── HistoryError                   a line of a metrics history file failed validation
    ├── TransitionError                    .lead_id .stage .event .allowed_events (not an edge)
    │   ├── TerminalStageError             the lead is already in a terminal stage
    │   ├── ActorNotAllowedError           .actor .allowed_actors
    │   ├── MissingReasonError             .reason (None: missing) .allowed_reasons
    │   │   └── UnknownReasonError         the reason code is not in the allowed list
    │   ├── GuardError                     .guard .evidence (e.g. {"have": 2, "need": 3})
    │   ├── OutOfOrderError                .at .last_at: the event is older than the latest one
    │   ├── FutureEventError(+ValueError)  .at .now .max_skew: the event lies after the given now
    │   ├── IdempotencyConflictError       .idempotency_key .recorded: same key, other payload
    │   ├── StaleRecordError               .version .expected_version: the record changed meanwhile
    │   └── RecordIntegrityError(+ValueError)  the record contradicts its own history (forged)
    ├── RuleError
    │   ├── RuleSyntaxError(+ValueError)   .source .line .column (1-based) .end_column .expected .snippet
    │   │   └── AgreementSyntaxError       an agreement file does not parse or fails a cross-check
    │   └── RuleEvaluationError            .rule .field .line .column
    ├── PolicyError(+ValueError)           .policy .temperature: no target for that segment
    └── AgreementInputError(+ValueError)   Agreement.process got an event, state or routing it cannot use

Pydantic models (``Lead``, ``Activity``, ...) raise pydantic's ``ValidationError`` from their
constructors, which is a ``ValueError`` but cannot derive from :class:`LeadflowError`; use
:func:`leadflow.validate_lead` to get a :class:`LeadValidationError` instead.

Every class sets ``code``, a stable identifier listed in ``docs/errors.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = (
    "ActorNotAllowedError",
    "AgreementInputError",
    "AgreementSyntaxError",
    "ArgumentTypeError",
    "ConfigurationError",
    "EventValidationError",
    "FutureEventError",
    "GraphError",
    "GuardError",
    "HistoryError",
    "IdempotencyConflictError",
    "LeadValidationError",
    "LeadflowError",
    "MissingReasonError",
    "NaiveDatetimeError",
    "OutOfOrderError",
    "OutOfRangeError",
    "PolicyError",
    "Problem",
    "RecordIntegrityError",
    "RuleError",
    "RuleEvaluationError",
    "RuleSyntaxError",
    "StaleRecordError",
    "TerminalStageError",
    "TransitionError",
    "UnknownReasonError",
)


class LeadflowError(Exception):
    """Base class of every error leadflow raises on purpose.

    ``context`` holds the structured facts behind the message (field, value, expected, ...), so
    host applications can act on them without parsing text.
    """

    code: ClassVar[str] = "leadflow"

    def __init__(self, message: str, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context: Mapping[str, Any] = dict(context)

    def __str__(self) -> str:
        return self.message


class ConfigurationError(LeadflowError, ValueError):
    """A graph, policy, calendar or other configuration is invalid.

    Attributes:
        field: which setting is wrong (``"hours"``, ``"holidays"``, ...).
        value: the offending value.
        expected: what would have been accepted, in words.
    """

    code: ClassVar[str] = "configuration"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: Any = None,
        expected: str | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message, field=field, value=value, expected=expected, **context)
        self.field = field
        self.value = value
        self.expected = expected


class NaiveDatetimeError(LeadflowError, ValueError):
    """A naive datetime (without ``tzinfo``) was passed where an instant is needed.

    Attributes:
        argument: the name of the parameter that received it.
        value: the naive datetime.
    """

    code: ClassVar[str] = "naive-datetime"

    def __init__(self, argument: str, value: Any) -> None:
        super().__init__(
            f"{argument} must be a timezone-aware datetime, got naive {value!r}; "
            f"attach a zone, e.g. {argument}.replace(tzinfo=ZoneInfo('Europe/Berlin'))",
            argument=argument,
            value=value,
        )
        self.argument = argument
        self.value = value


class ArgumentTypeError(LeadflowError, TypeError):
    """An argument of the wrong type reached a public function (a string where a list is
    expected, a text where a datetime is expected, ...); nothing was done.

    Also a :class:`TypeError`, which is what Python raises for a wrong type.

    Attributes:
        argument: the name of the parameter that received it.
        value: the value received.
        expected: what would have been accepted, in words.
    """

    code: ClassVar[str] = "argument-type"

    def __init__(self, argument: str, value: Any, expected: str, hint: str = "") -> None:
        super().__init__(
            f"{argument} must be {expected}, got "
            + ("None" if value is None else f"{type(value).__name__} {_short(value)}")
            + (f"; {hint}" if hint else ""),
            argument=argument,
            value=value,
            expected=expected,
        )
        self.argument = argument
        self.value = value
        self.expected = expected


class OutOfRangeError(LeadflowError, OverflowError, ValueError):
    """An instant or duration lies beyond what ``datetime`` can represent (years 1 to 9999).

    Raised for an input whose UTC instant falls outside that range (``datetime(9999, 12, 31, 23,
    tzinfo=ZoneInfo("America/New_York"))`` is in year 10000 in UTC) and for a result that would
    (``cal.add(start, timedelta.max)``). Also an :class:`OverflowError`, which ``datetime``
    arithmetic raises, and a :class:`ValueError`.

    Attributes:
        argument: the parameter whose value (or whose result) is out of range.
        value: the value received.
        expected: what would have been accepted, in words.
    """

    code: ClassVar[str] = "out-of-range"

    def __init__(self, message: str, *, argument: str, value: Any, expected: str) -> None:
        super().__init__(message, argument=argument, value=value, expected=expected)
        self.argument = argument
        self.value = value
        self.expected = expected


def _short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__} object>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem found while validating input: where, what, and the value found."""

    field: str
    message: str
    value: Any = None

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


def _listed(problems: tuple[Problem, ...]) -> str:
    """``(N problems):`` and one indented line per problem, the tail of a validation message."""
    noun = "problem" if len(problems) == 1 else "problems"
    lines = "\n".join(f"  - {p}" for p in problems)
    return f"({len(problems)} {noun}):\n{lines}"


class GraphError(ConfigurationError):
    """A lifecycle graph definition is invalid; every problem is listed, not just the first.

    Attributes:
        problems: each problem with the place it was found (``stages[3].owner``, ...).
        source: the file or name the graph came from.
    """

    code: ClassVar[str] = "graph"

    def __init__(self, problems: tuple[Problem, ...], *, source: str = "<graph>") -> None:
        super().__init__(
            f"lifecycle graph {source} is invalid {_listed(problems)}",
            field="graph",
            value=source,
            expected="a valid lifecycle graph",
            problems=problems,
            source=source,
        )
        self.problems = problems
        self.source = source


class LeadValidationError(LeadflowError, ValueError):
    """A lead (or another input record) failed validation; nothing was built.

    Attributes:
        problems: every problem found, not just the first.
        record_id: the ``id`` of the record when it could be read, else ``None``.
    """

    code: ClassVar[str] = "lead-validation"
    _record: ClassVar[str] = "lead"
    """What the message calls the record."""

    def __init__(self, problems: tuple[Problem, ...], *, record_id: str | None = None) -> None:
        who = self._record if record_id is None else f"{self._record} {record_id!r}"
        super().__init__(
            f"{who} is invalid {_listed(problems)}",
            problems=problems,
            record_id=record_id,
        )
        self.problems = problems
        self.record_id = record_id


class EventValidationError(LeadValidationError):
    """A lifecycle event (webhook payload) failed validation; nothing was applied."""

    code: ClassVar[str] = "event-validation"
    _record: ClassVar[str] = "event"


class HistoryError(LeadValidationError):
    """A line of a history file (``leadflow.metrics``) failed validation; ``record_id`` is
    ``FILE:LINE``."""

    code: ClassVar[str] = "history"
    _record: ClassVar[str] = "history line"


class TransitionError(LeadflowError):
    """A lifecycle transition is not allowed; the lead is unchanged.

    Attributes:
        lead_id: the lead the event was applied to.
        stage: the stage the lead is in.
        event: the event (transition name) that was refused.
        allowed_events: the events that are allowed from ``stage``.
    """

    code: ClassVar[str] = "transition"

    def __init__(
        self,
        message: str,
        *,
        lead_id: str | None = None,
        stage: str | None = None,
        event: str | None = None,
        allowed_events: tuple[str, ...] = (),
        **context: Any,
    ) -> None:
        super().__init__(
            message,
            lead_id=lead_id,
            stage=stage,
            event=event,
            allowed_events=allowed_events,
            **context,
        )
        self.lead_id = lead_id
        self.stage = stage
        self.event = event
        self.allowed_events = allowed_events


class TerminalStageError(TransitionError):
    """The lead is already in a terminal stage (won, lost, disqualified); nothing may follow."""

    code: ClassVar[str] = "terminal-stage"


class ActorNotAllowedError(TransitionError):
    """The actor role may not take this transition (e.g. marketing accepting for sales).

    Attributes:
        actor: the actor role that tried.
        allowed_actors: the roles that may take the transition.
    """

    code: ClassVar[str] = "actor-not-allowed"

    def __init__(
        self,
        message: str,
        *,
        actor: str | None = None,
        allowed_actors: tuple[str, ...] = (),
        **context: Any,
    ) -> None:
        super().__init__(message, actor=actor, allowed_actors=allowed_actors, **context)
        self.actor = actor
        self.allowed_actors = allowed_actors


class MissingReasonError(TransitionError):
    """A transition that needs a reason code got none, or one outside the allowed list.

    Attributes:
        reason: the reason code given, ``None`` when it was missing.
        allowed_reasons: the reason codes the transition accepts.
    """

    code: ClassVar[str] = "missing-reason"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        allowed_reasons: tuple[str, ...] = (),
        **context: Any,
    ) -> None:
        super().__init__(message, reason=reason, allowed_reasons=allowed_reasons, **context)
        self.reason = reason
        self.allowed_reasons = allowed_reasons


class UnknownReasonError(MissingReasonError):
    """The reason code given is not one the transition accepts; ``allowed_reasons`` lists them."""

    code: ClassVar[str] = "unknown-reason"


class GuardError(TransitionError):
    """A guard of the agreement refused the transition, with the evidence it saw.

    Attributes:
        guard: the guard's name (``"contact_attempts"``, ``"qualification_passed"``, ...).
        evidence: the facts behind the refusal, e.g. ``{"have": 2, "need": 3}``.
    """

    code: ClassVar[str] = "guard-failed"

    def __init__(
        self,
        message: str,
        *,
        guard: str | None = None,
        evidence: Mapping[str, Any] | None = None,
        **context: Any,
    ) -> None:
        evidence = dict(evidence or {})
        super().__init__(message, guard=guard, evidence=evidence, **context)
        self.guard = guard
        self.evidence: Mapping[str, Any] = evidence


class OutOfOrderError(TransitionError):
    """The event is older than the latest recorded event of the lead (strict ordering).

    Attributes:
        at: the event's timestamp.
        last_at: the latest time in the history (late facts accepted in tolerant mode excluded).
    """

    code: ClassVar[str] = "out-of-order"

    def __init__(
        self, message: str, *, at: Any = None, last_at: Any = None, **context: Any
    ) -> None:
        super().__init__(message, at=at, last_at=last_at, **context)
        self.at = at
        self.last_at = last_at


class FutureEventError(TransitionError, ValueError):
    """The event is dated more than ``max_skew`` after the ``now`` given to ``advance``.

    Attributes:
        at: the event's timestamp.
        now: the current time the caller passed.
        max_skew: how far after ``now`` an event may lie (clock skew between systems).
    """

    code: ClassVar[str] = "future-event"

    def __init__(
        self,
        message: str,
        *,
        at: Any = None,
        now: Any = None,
        max_skew: Any = None,
        **context: Any,
    ) -> None:
        super().__init__(message, at=at, now=now, max_skew=max_skew, **context)
        self.at = at
        self.now = now
        self.max_skew = max_skew


class StaleRecordError(TransitionError):
    """Optimistic concurrency: the record is not at the version the caller expected.

    Another writer applied an event since the caller read the record; reload and try again.

    Attributes:
        version: the record's version (the number of steps in its history).
        expected_version: the version the caller expected.
    """

    code: ClassVar[str] = "stale-record"

    def __init__(
        self,
        message: str,
        *,
        version: int | None = None,
        expected_version: int | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message, version=version, expected_version=expected_version, **context)
        self.version = version
        self.expected_version = expected_version


class RecordIntegrityError(TransitionError, ValueError):
    """The record contradicts its own history (its stage is not the last step's target, a
    negative count, ...): it was edited or forged, and nothing is applied to it."""

    code: ClassVar[str] = "record-integrity"


class IdempotencyConflictError(TransitionError):
    """An idempotency key already recorded arrived again with a different payload.

    Attributes:
        idempotency_key: the reused key.
        recorded: the event recorded under that key first.
    """

    code: ClassVar[str] = "idempotency-conflict"

    def __init__(
        self,
        message: str,
        *,
        idempotency_key: str | None = None,
        recorded: Any = None,
        **context: Any,
    ) -> None:
        super().__init__(message, idempotency_key=idempotency_key, recorded=recorded, **context)
        self.idempotency_key = idempotency_key
        self.recorded = recorded


class RuleError(LeadflowError):
    """Base of errors about rule files."""

    code: ClassVar[str] = "rule"


class RuleSyntaxError(RuleError, ValueError):
    """A rule file cannot be parsed or fails its static checks.

    Attributes:
        source: file name (or the ``source=`` given to ``parse``).
        line, column: 1-based position of the problem.
        end_column: 1-based column just after the offending text, when known.
        expected: what would have been accepted there, in words.
        snippet: the source line with a caret under the position.
        errors: the independent errors found (this error is the first of them), at most
            ``leadflow._snippets.MAX_KEPT`` (100) of them.
        omitted: how many more errors were found than ``errors`` keeps.
    """

    code: ClassVar[str] = "rule-syntax"

    def __init__(
        self,
        message: str,
        *,
        source: str = "<rules>",
        line: int = 1,
        column: int = 1,
        end_column: int | None = None,
        expected: tuple[str, ...] = (),
        snippet: str = "",
        errors: tuple[RuleSyntaxError, ...] = (),
        omitted: int = 0,
        **context: Any,
    ) -> None:
        super().__init__(
            message,
            source=source,
            line=line,
            column=column,
            end_column=end_column,
            expected=expected,
            **context,
        )
        self.source = source
        self.line = line
        self.column = column
        self.end_column = end_column
        self.expected = expected
        self.snippet = snippet
        self.errors: tuple[RuleSyntaxError, ...] = errors or (self,)
        self.omitted = omitted


class RuleEvaluationError(RuleError):
    """A rule could not be evaluated against a lead (e.g. a host-declared field of the wrong type).

    Attributes:
        rule: the rule's name or text.
        field: the lead field involved.
        line, column: 1-based position of the rule in its file.
    """

    code: ClassVar[str] = "rule-evaluation"

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message, rule=rule, field=field, line=line, column=column, **context)
        self.rule = rule
        self.field = field
        self.line = line
        self.column = column


class PolicyError(LeadflowError, ValueError):
    """An SLA policy cannot answer for the lead it was asked about.

    Attributes:
        policy: the policy's name.
        temperature: the lead temperature or segment that had no target.
    """

    code: ClassVar[str] = "policy"

    def __init__(
        self,
        message: str,
        *,
        policy: str | None = None,
        temperature: str | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message, policy=policy, temperature=temperature, **context)
        self.policy = policy
        self.temperature = temperature


class AgreementSyntaxError(RuleSyntaxError):
    """An agreement file does not parse, or one of its cross-references does not resolve.

    Same attributes and message form as :class:`RuleSyntaxError` (``file:line:col``, the source
    line with a caret, "did you mean"); an error in an included rule file is raised as the
    rule file's own :class:`RuleSyntaxError`.
    """

    code: ClassVar[str] = "agreement-syntax"


class AgreementInputError(LeadflowError, ValueError):
    """``Agreement.process`` (or ``LeadState.from_json``) got input it cannot use.

    Unknown event type or field, an event for another lead, a state from another agreement, an
    event too far in the future, a reason not in the list, a routing value naming a member no
    longer in the team. Nothing changed: the inputs are values and stay as they were.

    Attributes:
        field: which part of the input is wrong (``"type"``, ``"state.agreement"``, ...).
        value: the offending value.
        expected: what would have been accepted, in words.
    """

    code: ClassVar[str] = "agreement-input"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        value: Any = None,
        expected: str | None = None,
        **context: Any,
    ) -> None:
        super().__init__(message, field=field, value=value, expected=expected, **context)
        self.field = field
        self.value = value
        self.expected = expected
