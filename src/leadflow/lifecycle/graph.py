"""The stage graph: stages with owners, transitions with actors, reasons and guards.

A :class:`Graph` is validated when it is built; every problem is reported at once in one
:class:`~leadflow.errors.GraphError`. The graph is shared by all leads and never changes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, TypeVar

from leadflow.errors import ArgumentTypeError, GraphError, Problem
from leadflow.lifecycle.events import CONTACT_ATTEMPT
from leadflow.lifecycle.guards import ContactAttempts, Guard, HandoffComplete
from leadflow.lifecycle.stages import REASON_KINDS, Actor, Owner, TransitionKind
from leadflow.reasons import STANDARD_REASONS, Reason

__all__ = ("Graph", "StageSpec", "Transition")

T = TypeVar("T")

_NAME: Final = re.compile(r"^[a-z][a-z0-9_]*$")
_KINDS: Final = frozenset(k.value for k in TransitionKind) - {TransitionKind.ATTEMPT.value}


@dataclass(frozen=True, slots=True)
class StageSpec:
    """A stage of the graph: its name, the team that owns it, and whether it ends the lifecycle."""

    name: str
    owner: str
    terminal: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class Transition:
    """An edge of the graph: ``name`` takes a lead from ``source`` to ``target``.

    Several transitions may share a name (``disqualify`` from many stages); the pair
    ``(source, name)`` is unique.
    """

    name: str
    source: str
    target: str
    actors: tuple[str, ...]
    """The actor roles that may take it."""
    kind: str = TransitionKind.PROGRESS
    reasons: tuple[str, ...] = ()
    """Reason codes accepted; mandatory for reject, disqualify, recycle and lost transitions."""
    guards: tuple[Guard, ...] = ()

    def __post_init__(self) -> None:
        # lists are accepted for convenience and stored as tuples, so the graph stays frozen
        for key in ("actors", "reasons", "guards"):
            value = getattr(self, key)
            if isinstance(value, list):
                object.__setattr__(self, key, tuple(value))

    @property
    def requires_reason(self) -> bool:
        """Whether an event must carry a reason code to take this transition."""
        return self.kind in REASON_KINDS


@dataclass(frozen=True, eq=False)
class Graph:
    """A validated lifecycle graph, shared by every lead that uses it.

    Raises:
        GraphError: the definition has problems; all of them are listed.

    >>> g = Graph("mini", (StageSpec("new", "marketing"), StageSpec("done", "sales", True)),
    ...           (Transition("finish", "new", "done", ("sales",)),), initial="new")
    >>> g.allowed_events("new")
    ('finish', 'contact_attempt')
    """

    name: str
    stages: tuple[StageSpec, ...]
    transitions: tuple[Transition, ...]
    initial: str
    entry: tuple[str, ...] = ()
    """Stages a new lead may start in (always includes ``initial``)."""
    reasons: Mapping[str, Reason] = field(default_factory=lambda: STANDARD_REASONS)
    owners: tuple[str, ...] = tuple(o.value for o in Owner)
    actors: tuple[str, ...] = tuple(a.value for a in Actor)
    attempt_event: str = CONTACT_ATTEMPT
    """The event that records a contact attempt (allowed in every non-terminal stage)."""
    source: str = field(default="<graph>", compare=False)
    """Where the definition came from, for messages."""
    _table: Mapping[tuple[str, str], Transition] = field(init=False, repr=False)
    _specs: Mapping[str, StageSpec] = field(init=False, repr=False)
    _events: Mapping[str, tuple[str, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        for key in ("stages", "transitions", "entry", "owners", "actors"):
            value = getattr(self, key)
            if isinstance(value, list):
                object.__setattr__(self, key, tuple(value))
        if isinstance(self.entry, tuple):
            entry = (self.initial, *(s for s in self.entry if s != self.initial))
            object.__setattr__(self, "entry", entry)
        if isinstance(self.reasons, Mapping):
            object.__setattr__(self, "reasons", MappingProxyType(dict(self.reasons)))
        problems = graph_problems(self)
        if problems:
            raise GraphError(tuple(problems), source=self.source)
        object.__setattr__(
            self, "_table", MappingProxyType({(t.source, t.name): t for t in self.transitions})
        )
        object.__setattr__(self, "_specs", MappingProxyType({s.name: s for s in self.stages}))
        events: dict[str, list[str]] = {s.name: [] for s in self.stages}
        for t in self.transitions:
            if t.name not in events[t.source]:
                events[t.source].append(t.name)
        for spec in self.stages:
            if not spec.terminal:
                events[spec.name].append(self.attempt_event)
        object.__setattr__(
            self, "_events", MappingProxyType({k: tuple(v) for k, v in events.items()})
        )

    def __repr__(self) -> str:
        # short: the default graph sits in the signature of advance(), and help() prints it
        return (
            f"<Graph {self.name!r}: {len(self.stages)} stages, {len(self.transitions)} "
            f"transitions, from {self.source}>"
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Graph):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash((self.name, self.stages, self.initial))

    def _key(self) -> tuple[object, ...]:
        return (
            self.name,
            self.stages,
            self.transitions,
            self.initial,
            self.entry,
            dict(self.reasons),
            self.owners,
            self.actors,
            self.attempt_event,
        )

    @property
    def stage_names(self) -> tuple[str, ...]:
        """The stage names in definition order."""
        return tuple(s.name for s in self.stages)

    @property
    def terminal_stages(self) -> tuple[str, ...]:
        """The stages that end the lifecycle."""
        return tuple(s.name for s in self.stages if s.terminal)

    def stage(self, name: str) -> StageSpec:
        """The stage called ``name``.

        Raises:
            KeyError: the graph has no such stage.
            ArgumentTypeError: ``name`` cannot be a stage name (unhashable).
        """
        try:
            return self._specs[name]
        except TypeError:
            raise ArgumentTypeError("name", name, "a stage name") from None

    def has_stage(self, name: str) -> bool:
        """Whether ``name`` is a stage of this graph."""
        try:
            return name in self._specs
        except TypeError:
            raise ArgumentTypeError("name", name, "a stage name") from None

    def is_terminal(self, name: str) -> bool:
        """Whether ``name`` is a terminal stage."""
        try:
            spec = self._specs.get(name)
        except TypeError:
            raise ArgumentTypeError("name", name, "a stage name") from None
        return spec is not None and spec.terminal

    def transition(self, stage: str, name: str) -> Transition | None:
        """The transition ``name`` out of ``stage``, or ``None`` if it is not an edge."""
        try:
            return self._table.get((stage, name))
        except TypeError:
            raise ArgumentTypeError("stage, name", (stage, name), "two names") from None

    def allowed_events(self, stage: str) -> tuple[str, ...]:
        """The event names accepted in ``stage`` (transitions, then the contact attempt)."""
        try:
            return self._events.get(stage, ())
        except TypeError:
            raise ArgumentTypeError("stage", stage, "a stage name") from None

    def sources_of(self, name: str) -> tuple[str, ...]:
        """The stages a transition called ``name`` leaves from."""
        return tuple(t.source for t in self.transitions if t.name == name)


def graph_problems(graph: Graph) -> list[Problem]:
    """Every problem of a graph definition, in a stable order (empty when it is valid)."""
    problems: list[Problem] = []
    add = problems.append
    owners = _names(graph.owners, "owners", "owner roles", problems)
    actors = _names(graph.actors, "actors", "actor roles", problems)
    reasons: Mapping[str, Reason] = {}
    if isinstance(graph.reasons, Mapping):
        reasons = graph.reasons
        for code, reason in reasons.items():
            if not isinstance(reason, Reason) or reason.code != code:
                add(Problem(f"reasons.{code}", "expected a Reason with this code", reason))
    else:
        add(Problem("reasons", "expected a mapping of reason codes to Reason", graph.reasons))
    stages = _items(graph.stages, StageSpec, "stages", problems)
    transitions = _items(graph.transitions, Transition, "transitions", problems)
    names: dict[str, StageSpec] = {}
    if not graph.stages:
        add(Problem("stages", "a graph needs at least one stage"))
    for i, spec in stages:
        where = f"stages[{i}]"
        if not isinstance(spec.name, str) or not _NAME.match(spec.name):
            add(Problem(f"{where}.name", _snake(spec.name), spec.name))
            continue
        if spec.name in names:
            add(Problem(f"{where}.name", f"duplicate stage {spec.name!r}", spec.name))
        names[spec.name] = spec
        if not isinstance(spec.owner, str) or spec.owner not in owners:
            add(
                Problem(
                    f"{where}.owner",
                    f"unknown owner {spec.owner!r} of stage {spec.name!r}; "
                    f"expected one of {', '.join(owners)}",
                    spec.owner,
                )
            )
        if not isinstance(spec.terminal, bool):
            add(Problem(f"{where}.terminal", "expected True or False", spec.terminal))
    if not isinstance(graph.attempt_event, str) or not _NAME.match(graph.attempt_event):
        add(Problem("attempt_event", _snake(graph.attempt_event), graph.attempt_event))
    elif graph.attempt_event in {t.name for _, t in transitions if isinstance(t.name, str)}:
        add(
            Problem(
                "attempt_event",
                "a transition has the contact-attempt event's name",
                graph.attempt_event,
            )
        )
    if not isinstance(graph.initial, str):
        add(Problem("initial", "expected a stage name", graph.initial))
    entry = graph.entry if isinstance(graph.entry, tuple) else ()
    if not isinstance(graph.entry, tuple):
        add(Problem("entry", "expected a tuple of stage names", graph.entry))
    for stage in entry:
        if not isinstance(stage, str) or stage not in names:
            field = "initial" if stage == graph.initial else "entry"
            if field != "initial" or isinstance(stage, str):
                add(Problem(field, f"unknown stage {stage!r}", stage))
    seen: set[tuple[str, str]] = set()
    context = _Context(names, owners, actors, reasons)
    for i, t in transitions:
        problems.extend(_transition_problems(context, i, t, seen))
    if names and not any(s.terminal for s in names.values()):
        add(Problem("stages", "no terminal stage; a lifecycle must be able to end"))
    edges = [t for _, t in transitions if isinstance(t.source, str) and isinstance(t.target, str)]
    problems.extend(_reachability_problems(entry, edges, names))
    return problems


@dataclass(frozen=True, slots=True)
class _Context:
    names: Mapping[str, StageSpec]
    owners: tuple[str, ...]
    actors: tuple[str, ...]
    reasons: Mapping[str, Reason]


def _names(value: object, where: str, what: str, problems: list[Problem]) -> tuple[str, ...]:
    names = _strings(value, where, what)
    if isinstance(names, Problem):
        problems.append(names)
        return ()
    return names


def _items(
    value: object, kind: type[T], where: str, problems: list[Problem]
) -> list[tuple[int, T]]:
    if not isinstance(value, tuple):
        problems.append(Problem(where, f"expected a tuple of {kind.__name__}", value))
        return []
    good: list[tuple[int, T]] = []
    for i, item in enumerate(value):
        if isinstance(item, kind):
            good.append((i, item))
        else:
            problems.append(Problem(f"{where}[{i}]", f"expected a {kind.__name__}", item))
    return good


def _transition_problems(
    context: _Context, i: int, t: Transition, seen: set[tuple[str, str]]
) -> Iterable[Problem]:
    names = context.names
    where = f"transitions[{i}] ({t.name}: {t.source} -> {t.target})"
    if not isinstance(t.name, str) or not _NAME.match(t.name):
        yield Problem(f"{where}.name", _snake(t.name), t.name)
    for end, stage in (("source", t.source), ("target", t.target)):
        if not isinstance(stage, str) or stage not in names:
            yield Problem(f"{where}.{end}", f"unknown stage {stage!r}", stage)
    if isinstance(t.source, str) and isinstance(t.name, str):
        if (t.source, t.name) in seen:
            yield Problem(where, f"duplicate transition {t.name!r} out of {t.source!r}")
        seen.add((t.source, t.name))
    source = names.get(t.source) if isinstance(t.source, str) else None
    if source is not None and source.terminal:
        yield Problem(where, f"transition out of terminal stage {t.source!r}")
    actors = _strings(t.actors, f"{where}.actors", "actor roles")
    if isinstance(actors, Problem):
        yield actors
    elif not actors:
        yield Problem(f"{where}.actors", "no actor may take it; name at least one")
    else:
        for actor in actors:
            if actor not in context.actors:
                yield Problem(
                    f"{where}.actors",
                    f"unknown actor {actor!r}; expected one of {', '.join(context.actors)}",
                    actor,
                )
    if not isinstance(t.kind, str) or t.kind not in _KINDS:
        yield Problem(
            f"{where}.kind",
            f"unknown kind {t.kind!r}; expected one of {', '.join(sorted(_KINDS))}",
            t.kind,
        )
    codes = _strings(t.reasons, f"{where}.reasons", "reason codes")
    if isinstance(codes, Problem):
        yield codes
        codes = ()
    elif isinstance(t.kind, str) and t.kind in REASON_KINDS and not codes:
        yield Problem(f"{where}.reasons", f"a {t.kind} transition needs a reason list")
    for code in codes:
        if code not in context.reasons:
            yield Problem(
                f"{where}.reasons", f"unknown reason code {code!r}; not in the reason list", code
            )
    guards = t.guards if isinstance(t.guards, tuple) else ()
    if not isinstance(t.guards, tuple):
        yield Problem(f"{where}.guards", "expected a tuple of guards", t.guards)
    for guard in guards:
        if not isinstance(guard, Guard):
            yield Problem(f"{where}.guards", "not a guard (needs name, check(), describe())", guard)
        elif isinstance(guard, ContactAttempts):
            yield from _attempts_problems(context, f"{where}.guards", guard)
        elif isinstance(guard, HandoffComplete):
            fields = _strings(guard.fields, f"{where}.guards", "lead field names")
            if isinstance(fields, Problem):
                yield fields


def _attempts_problems(context: _Context, where: str, guard: ContactAttempts) -> Iterable[Problem]:
    minimum = guard.minimum
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        yield Problem(where, f"guard {guard.name} needs an integer minimum >= 0", minimum)
    for values, what, known, says in (
        (guard.actors, "actor roles", context.actors, "counts attempts of unknown actor"),
        (guard.reasons, "reason codes", context.reasons, "names unknown reason code"),
    ):
        names = _strings(values, where, what)
        if isinstance(names, Problem):
            yield names
            continue
        for name in names:
            if name not in known:
                yield Problem(where, f"guard {guard.name} {says} {name!r}", name)


def _snake(value: object) -> str:
    hint = ""
    if isinstance(value, str):
        suggestion = re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")
        if _NAME.match(suggestion):
            hint = f"; e.g. {suggestion!r}"
    return f"expected a lower_snake_case name, got {value!r}{hint}"


def _strings(value: object, where: str, what: str) -> tuple[str, ...] | Problem:
    if isinstance(value, tuple) and all(isinstance(v, str) for v in value):
        return value
    return Problem(where, f"expected a tuple of {what}", value)


def _reachability_problems(
    entry: tuple[str, ...], transitions: list[Transition], names: Mapping[str, StageSpec]
) -> Iterable[Problem]:
    forward: dict[str, set[str]] = {n: set() for n in names}
    backward: dict[str, set[str]] = {n: set() for n in names}
    for t in transitions:
        if t.source in names and t.target in names:
            forward[t.source].add(t.target)
            backward[t.target].add(t.source)
    reached = _closure([s for s in entry if isinstance(s, str) and s in names], forward)
    ending = _closure([n for n, s in names.items() if s.terminal], backward)
    for name, spec in names.items():
        if name not in reached:
            yield Problem(
                "stages",
                f"stage {name!r} is unreachable from the entry stages ({', '.join(map(str, entry))})",
                name,
            )
        if not spec.terminal and name not in ending:
            yield Problem("stages", f"stage {name!r} has no way to a terminal stage", name)


def _closure(start: list[str], edges: Mapping[str, set[str]]) -> set[str]:
    seen = set(start)
    todo = list(start)
    while todo:
        for nxt in edges[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen
