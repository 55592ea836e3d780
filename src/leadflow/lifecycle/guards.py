"""Guards: the conditions of the agreement a transition must meet, with the evidence they saw.

A guard is any object with a ``name`` and a pure ``check(record, event)`` that returns ``None``
when the transition may go ahead, or a :class:`GuardFailure` saying why not. Three guards ship
with leadflow and can be named in TOML/JSON graph files; host applications may pass their own
guard objects to graphs built in Python.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

from leadflow.errors import Problem
from leadflow.handoff import DEFAULT_HANDOFF, HandoffRequirements, check_handoff
from leadflow.lifecycle.stages import TransitionKind

if TYPE_CHECKING:
    from leadflow.lifecycle.events import HandoffEvent
    from leadflow.lifecycle.record import LeadRecord

__all__ = (
    "BUILTIN_GUARDS",
    "ContactAttempts",
    "Guard",
    "GuardFailure",
    "HandoffComplete",
    "QualificationPassed",
    "guard_from_dict",
    "guard_to_dict",
)

_ATTEMPT: Final = TransitionKind.ATTEMPT.value


@dataclass(frozen=True, slots=True)
class GuardFailure:
    """Why a guard refused a transition, in words and as data."""

    message: str
    evidence: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Guard(Protocol):
    """What a guard provides: a name, a pure check, and a description for exports."""

    @property
    def name(self) -> str:
        """The guard's identifier, e.g. ``"contact_attempts"``."""
        ...

    def check(self, record: LeadRecord, event: HandoffEvent) -> GuardFailure | None:
        """Return ``None`` if the transition may go ahead, else the failure with evidence."""
        ...

    def describe(self) -> str:
        """One line for the printed agreement, e.g. ``"unreachable needs 3 contact attempts"``."""
        ...


@dataclass(frozen=True, slots=True)
class ContactAttempts:
    """A listed reason (default "unreachable") is accepted only after ``minimum`` contact attempts.

    Attempts are the graph's contact-attempt events in the lead's current cycle; with
    ``actors``, only those taken by these roles count (the default graph counts the attempts of
    sales, so marketing's calls before the handoff do not make a lead "unreachable" for sales).

    >>> ContactAttempts().describe()
    'reason unreachable needs 3 contact attempts'
    >>> ContactAttempts(actors=("sales",)).describe()
    'reason unreachable needs 3 contact attempts by sales'
    """

    minimum: int = 3
    reasons: tuple[str, ...] = ("unreachable",)
    name: str = "contact_attempts"
    actors: tuple[str, ...] = ()
    """The actor roles whose attempts count; empty: everybody's."""

    def __post_init__(self) -> None:
        # Lists become tuples. A lone string stays and is reported by the graph (it would be
        # searched as a substring: reasons="unreachable" would accept "each").
        for key in ("reasons", "actors"):
            value = getattr(self, key)
            if isinstance(value, list):
                object.__setattr__(self, key, tuple(value))

    def check(self, record: LeadRecord, event: HandoffEvent) -> GuardFailure | None:
        """Refuse a listed reason while the cycle has fewer than ``minimum`` attempts."""
        if event.reason not in self.reasons:
            return None
        have = record.attempts
        if self.actors and have:
            have = sum(
                1
                for step in record.history
                if step.kind == _ATTEMPT
                and step.cycle == record.cycle
                and step.event.actor in self.actors
            )
        if have >= self.minimum:
            return None
        return GuardFailure(
            f"reason {event.reason!r} needs more contact attempts{self._by()} in this cycle: "
            f"have {have} attempt{'' if have == 1 else 's'}, need {self.minimum}",
            {"reason": event.reason, "have": have, "need": self.minimum},
        )

    def describe(self) -> str:
        """Say which reasons need how many attempts, by whom."""
        noun = "attempt" if self.minimum == 1 else "attempts"
        return f"reason {' / '.join(self.reasons)} needs {self.minimum} contact {noun}{self._by()}"

    def _by(self) -> str:
        return f" by {' or '.join(self.actors)}" if self.actors else ""


@dataclass(frozen=True, slots=True)
class QualificationPassed:
    """The event must carry a passed qualification result (BANT, CHAMP, MEDDIC, ...).

    >>> QualificationPassed().describe()
    'needs a passed qualification'
    """

    name: str = "qualification_passed"

    def check(self, record: LeadRecord, event: HandoffEvent) -> GuardFailure | None:
        """Refuse without a qualification result or with one that did not pass."""
        result = event.qualification
        if result is None:
            return GuardFailure(
                "needs a passed qualification result; the event carries none",
                {"qualification": None},
            )
        if not result.passed:
            framework = f" ({result.framework})" if result.framework else ""
            return GuardFailure(
                f"the qualification{framework} did not pass",
                {"passed": False, "framework": result.framework, "score": result.score},
            )
        return None

    def describe(self) -> str:
        """Name the condition."""
        return "needs a passed qualification"


@dataclass(frozen=True, slots=True)
class HandoffComplete:
    """The lead data on the event must hold the required handoff fields.

    Uses :func:`leadflow.check_handoff`; ``fields`` defaults to the required fields of the one
    definition, :data:`leadflow.handoff.DEFAULT_HANDOFF` (company, business email, title,
    source), so the guard, ``check_handoff`` and an agreement file agree.

    >>> HandoffComplete().describe()
    'needs handoff data: company, email, title, source'
    """

    fields: tuple[str, ...] = DEFAULT_HANDOFF.required
    name: str = "handoff_complete"
    business_email: bool = DEFAULT_HANDOFF.business_email
    """Whether a free-mail address fails a required ``email`` (as in the default definition)."""

    def __post_init__(self) -> None:
        if isinstance(self.fields, list):
            object.__setattr__(self, "fields", tuple(self.fields))

    def check(self, record: LeadRecord, event: HandoffEvent) -> GuardFailure | None:
        """Refuse when the event carries no lead data or lacks a mandatory field."""
        if event.lead is None:
            return GuardFailure(
                f"needs the handoff data ({', '.join(self.fields)}); the event carries no lead data",
                {"missing": self.fields},
            )
        required = HandoffRequirements(
            required=self.fields, recommended=(), business_email=self.business_email
        )
        report = check_handoff(event.lead, required)
        missing = tuple(f for f in self.fields if f in report.missing or _blank(event.lead, f))
        if missing:
            return GuardFailure(
                f"handoff data incomplete: missing {', '.join(missing)}", {"missing": missing}
            )
        return None

    def describe(self) -> str:
        """List the fields."""
        return f"needs handoff data: {', '.join(self.fields)}"


def _blank(lead: Any, name: str) -> bool:
    value = lead.get(name) if isinstance(lead, Mapping) else getattr(lead, name, None)
    return value is None or (isinstance(value, str) and not value.strip())


BUILTIN_GUARDS: Final[
    Mapping[str, type[ContactAttempts | QualificationPassed | HandoffComplete]]
] = {
    "contact_attempts": ContactAttempts,
    "qualification_passed": QualificationPassed,
    "handoff_complete": HandoffComplete,
}
"""The guards a graph file can name, by name."""


def guard_from_dict(data: Any, where: str) -> tuple[Guard | None, list[Problem]]:
    """Build a built-in guard from file data such as ``{"name": "contact_attempts", "minimum": 3}``."""
    if isinstance(data, str):
        data = {"name": data}
    if not isinstance(data, Mapping):
        return None, [Problem(where, "expected a guard name or table", data)]
    name = data.get("name")
    kind = BUILTIN_GUARDS.get(name) if isinstance(name, str) else None
    if kind is None:
        return None, [
            Problem(
                f"{where}.name",
                f"unknown guard {name!r}; expected one of {', '.join(BUILTIN_GUARDS)}",
                name,
            )
        ]
    params = {k: v for k, v in data.items() if k != "name"}
    problems: list[Problem] = []
    if kind is ContactAttempts:
        minimum = params.pop("minimum", 3)
        reasons = params.pop("reasons", ["unreachable"])
        actors = params.pop("actors", [])
        if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
            problems.append(Problem(f"{where}.minimum", "expected an integer >= 0", minimum))
        if not _strings(reasons):
            problems.append(Problem(f"{where}.reasons", "expected a list of reason codes", reasons))
        if not _strings(actors):
            problems.append(Problem(f"{where}.actors", "expected a list of actor roles", actors))
        guard: Guard | None = None
        if not problems:
            guard = ContactAttempts(minimum=minimum, reasons=tuple(reasons), actors=tuple(actors))
    elif kind is HandoffComplete:
        fields = params.pop("fields", list(DEFAULT_HANDOFF.required))
        business = params.pop("business_email", DEFAULT_HANDOFF.business_email)
        if not _strings(fields) or not fields:
            problems.append(Problem(f"{where}.fields", "expected a list of field names", fields))
            guard = None
        else:
            guard = HandoffComplete(fields=tuple(fields), business_email=bool(business))
    else:
        guard = QualificationPassed()
    problems.extend(
        Problem(f"{where}.{k}", f"unknown setting of guard {name!r}", v) for k, v in params.items()
    )
    return (None if problems else guard), problems


def guard_to_dict(guard: Guard) -> dict[str, Any]:
    """File data for a built-in guard (the inverse of :func:`guard_from_dict`)."""
    if isinstance(guard, ContactAttempts):
        data: dict[str, Any] = {
            "name": guard.name,
            "minimum": guard.minimum,
            "reasons": list(guard.reasons),
        }
        if guard.actors:
            data["actors"] = list(guard.actors)
        return data
    if isinstance(guard, HandoffComplete):
        data = {"name": guard.name, "fields": list(guard.fields)}
        if guard.business_email != DEFAULT_HANDOFF.business_email:
            data["business_email"] = guard.business_email
        return data
    return {"name": guard.name}


def _strings(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)
