"""Graphs from TOML or JSON files and plain data, and back; the default B2B graph.

Every problem in a file is collected (missing keys, wrong types, unknown guards, and then the
graph's own checks) and reported in one :class:`~leadflow.errors.GraphError`.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, Final

from leadflow.errors import ArgumentTypeError, ConfigurationError, GraphError, Problem
from leadflow.lifecycle._args import check_text
from leadflow.lifecycle.events import CONTACT_ATTEMPT
from leadflow.lifecycle.graph import Graph, StageSpec, Transition, graph_problems
from leadflow.lifecycle.guards import (
    ContactAttempts,
    Guard,
    HandoffComplete,
    QualificationPassed,
    guard_from_dict,
    guard_to_dict,
)
from leadflow.lifecycle.stages import Actor, Owner, TransitionKind
from leadflow.reasons import STANDARD_REASONS, Reason

__all__ = (
    "DEFAULT_GRAPH",
    "NAMED_REASONS",
    "default_graph",
    "graph_from_dict",
    "graph_from_text",
    "graph_to_dict",
    "load_graph",
)

_TOP: Final = frozenset(
    {
        "name",
        "initial",
        "entry",
        "owners",
        "actors",
        "attempt_event",
        "reasons",
        "stages",
        "transitions",
    }
)
_STAGE_KEYS: Final = frozenset({"name", "owner", "terminal", "description"})
_TRANSITION_KEYS: Final = frozenset({"name", "from", "to", "actors", "kind", "reasons", "guards"})
_REASON_KEYS: Final = frozenset({"label", "category", "marketing_action"})


def load_graph(path: str | Path) -> Graph:
    """Load and validate a graph from a ``.toml`` or ``.json`` file.

    Raises:
        GraphError: the file is not a valid graph (not UTF-8, a syntax error, wrong types,
            unknown keys, or the graph's own problems); every problem is listed.
        ConfigurationError: the file type is neither TOML nor JSON.
        OSError: the file cannot be read (missing, a directory, no permission).
        ArgumentTypeError: ``path`` is not a string or path.
    """
    if not isinstance(path, str | Path):
        raise ArgumentTypeError("path", path, "a file path (str or pathlib.Path)")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark from an editor is fine
    except ValueError as error:  # a NUL in the path
        if isinstance(error, UnicodeDecodeError):
            problem = Problem("<file>", f"not UTF-8 text ({error.reason} at byte {error.start})")
            raise GraphError((problem,), source=str(path)) from None
        raise ConfigurationError(
            f"cannot load a graph from {str(path)!r}: {error}",
            field="path",
            value=str(path),
            expected="a file path without NUL characters",
        ) from None
    return graph_from_text(text, suffix=path.suffix, source=str(path))


def graph_from_text(text: str, *, suffix: str, source: str = "<graph>") -> Graph:
    """Parse graph text as TOML (``.toml``) or JSON (``.json``) and validate it.

    Raises:
        GraphError: the text cannot be parsed or the graph has problems.
        ConfigurationError: ``suffix`` is neither ``.toml`` nor ``.json``.
        ArgumentTypeError: ``text`` or ``suffix`` is not a string.
    """
    check_text(text, "text")
    check_text(suffix, "suffix")
    try:
        if suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            raise ConfigurationError(
                f"cannot load a graph from {source!r}: expected a .toml or .json file",
                field="path",
                value=source,
                expected=".toml or .json",
            )
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as error:
        raise GraphError((Problem("<file>", str(error)),), source=source) from None
    except RecursionError:
        problem = Problem("<file>", "nested too deeply to be a graph definition")
        raise GraphError((problem,), source=source) from None
    return graph_from_dict(data, source=source)


def graph_from_dict(data: Any, *, source: str = "<graph>") -> Graph:
    """Build a graph from plain data (the parsed TOML/JSON), reporting every problem at once.

    Raises:
        GraphError: the data is not a valid graph.
    """
    if not isinstance(data, Mapping):
        raise GraphError((Problem("<graph>", "expected a table of settings", data),), source=source)
    problems: list[Problem] = [
        Problem(key, "unknown setting", data[key]) for key in data if key not in _TOP
    ]
    name = _text(data, "name", "<graph>", problems, default="graph")
    initial = _text(data, "initial", "<graph>", problems)
    entry = _names(data.get("entry", []), "entry", problems)
    owners = _names(data.get("owners", [o.value for o in Owner]), "owners", problems)
    actors = _names(data.get("actors", [a.value for a in Actor]), "actors", problems)
    attempt = _text(data, "attempt_event", "<graph>", problems, default=CONTACT_ATTEMPT)
    reasons = _reasons(data.get("reasons", "standard"), problems)
    stages = _stages(data.get("stages"), problems)
    transitions = _transitions(data.get("transitions"), tuple(reasons), problems)
    # Build without validation first so the graph's own checks join the file's problems.
    draft = object.__new__(Graph)
    for key, value in {
        "name": name,
        "stages": stages,
        "transitions": transitions,
        "initial": initial,
        "entry": (initial, *(s for s in entry if s != initial)),
        "reasons": reasons,
        "owners": owners,
        "actors": actors,
        "attempt_event": attempt,
        "source": source,
    }.items():
        object.__setattr__(draft, key, value)
    # A setting already reported as malformed is not reported again as, say, an unknown stage.
    malformed = {p.field for p in problems}
    problems.extend(p for p in graph_problems(draft) if p.field not in malformed)
    if problems:
        raise GraphError(tuple(problems), source=source)
    return Graph(
        name,
        stages,
        transitions,
        initial,
        entry,
        reasons,
        owners,
        actors,
        attempt,
        source=source,
    )


def graph_to_dict(graph: Graph) -> dict[str, Any]:
    """The graph as plain data that :func:`graph_from_dict` reads back into an equal graph.

    Raises:
        ConfigurationError: a transition uses a host-defined guard, which has no file form.
        ArgumentTypeError: ``graph`` is not a Graph.
    """
    if not isinstance(graph, Graph):
        raise ArgumentTypeError("graph", graph, "a Graph")
    standard = dict(graph.reasons) == dict(STANDARD_REASONS)
    return {
        "name": graph.name,
        "initial": graph.initial,
        "entry": list(graph.entry),
        "owners": list(graph.owners),
        "actors": list(graph.actors),
        "attempt_event": graph.attempt_event,
        "reasons": "standard"
        if standard
        else {
            code: {"label": r.label, "category": r.category, "marketing_action": r.marketing_action}
            for code, r in graph.reasons.items()
        },
        "stages": [
            {"name": s.name, "owner": s.owner, "terminal": s.terminal, "description": s.description}
            for s in graph.stages
        ],
        "transitions": [
            {
                "name": t.name,
                "from": [t.source],
                "to": t.target,
                "actors": list(t.actors),
                "kind": str(t.kind),
                "reasons": list(t.reasons),
                "guards": [_guard_data(g) for g in t.guards],
            }
            for t in graph.transitions
        ],
    }


def _guard_data(guard: Guard) -> dict[str, Any]:
    if not isinstance(guard, ContactAttempts | HandoffComplete | QualificationPassed):
        raise ConfigurationError(
            f"guard {guard.name!r} is defined in Python and has no file form",
            field="guards",
            value=guard,
            expected="a built-in guard",
        )
    return guard_to_dict(guard)


def _text(
    data: Mapping[str, Any], key: str, where: str, problems: list[Problem], default: str = ""
) -> str:
    value = data.get(key, default or None)
    if not isinstance(value, str) or not value:
        field = key if where == "<graph>" else f"{where}.{key}"
        problems.append(Problem(field, "expected a non-empty string", value))
        return default
    return value


def _names(value: Any, where: str, problems: list[Problem]) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem(where, "expected a list of names", value))
        return ()
    return tuple(value)


def _reasons(value: Any, problems: list[Problem]) -> dict[str, Reason]:
    if value == "standard":
        return dict(STANDARD_REASONS)
    if not isinstance(value, Mapping) or not value:
        problems.append(Problem("reasons", 'expected "standard" or a table of reason codes', value))
        return dict(STANDARD_REASONS)
    reasons: dict[str, Reason] = {}
    for code, spec in value.items():
        where = f"reasons.{code}"
        if not isinstance(spec, Mapping):
            problems.append(
                Problem(where, "expected a table with label and marketing_action", spec)
            )
            continue
        problems.extend(_unknown_settings(where, spec, _REASON_KEYS))
        label = spec.get("label", code)
        action = spec.get("marketing_action")
        category = spec.get("category", "other")
        bad = [
            Problem(f"{where}.{key}", what, got)
            for key, got, what in (
                ("label", label, "expected a string"),
                ("category", category, "expected a string"),
                ("marketing_action", action, "expected the marketing action it calls for"),
            )
            if not isinstance(got, str) or not got
        ]
        problems.extend(bad)
        if not bad:
            reasons[code] = Reason(code, str(label), str(category), str(action))
    return reasons


def _unknown_settings(
    where: str, spec: Mapping[str, Any], known: frozenset[str]
) -> Iterator[Problem]:
    return (Problem(f"{where}.{k}", "unknown setting", spec[k]) for k in spec if k not in known)


def _tables(
    value: Any, section: str, noun: str, shape: str, known: frozenset[str], problems: list[Problem]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield ``(where, table)`` for each table in list ``section``; report the rest to ``problems``."""
    if not isinstance(value, list):
        problems.append(Problem(section, f"expected a list of {noun} tables", value))
        return
    for i, spec in enumerate(value):
        where = f"{section}[{i}]"
        if not isinstance(spec, Mapping):
            problems.append(Problem(where, f"expected a table with {shape}", spec))
            continue
        problems.extend(_unknown_settings(where, spec, known))
        yield where, spec


def _stages(value: Any, problems: list[Problem]) -> tuple[StageSpec, ...]:
    stages: list[StageSpec] = []
    for where, spec in _tables(value, "stages", "stage", "name and owner", _STAGE_KEYS, problems):
        name, owner = spec.get("name"), spec.get("owner")
        terminal, description = spec.get("terminal", False), spec.get("description", "")
        bad = [
            Problem(f"{where}.{key}", f"expected {what}", got)
            for key, got, ok, what in (
                ("name", name, isinstance(name, str), "a stage name"),
                ("owner", owner, isinstance(owner, str), "an owner"),
                ("terminal", terminal, isinstance(terminal, bool), "true or false"),
                ("description", description, isinstance(description, str), "a string"),
            )
            if not ok
        ]
        problems.extend(bad)
        if not bad:
            stages.append(StageSpec(str(name), str(owner), bool(terminal), str(description)))
    return tuple(stages)


def _transitions(
    value: Any, all_reasons: tuple[str, ...], problems: list[Problem]
) -> tuple[Transition, ...]:
    result: list[Transition] = []
    tables = _tables(
        value,
        "transitions",
        "transition",
        "name, from, to and actors",
        _TRANSITION_KEYS,
        problems,
    )
    for where, spec in tables:
        count = len(problems)
        name = _text(spec, "name", where, problems)
        target = _text(spec, "to", where, problems)
        sources = _names(spec.get("from"), f"{where}.from", problems)
        actors = _names(spec.get("actors"), f"{where}.actors", problems)
        if not sources and len(problems) == count:
            problems.append(Problem(f"{where}.from", "expected at least one source stage", []))
        broken = len(problems) > count
        kind = spec.get("kind", TransitionKind.PROGRESS.value)
        raw_reasons = spec.get("reasons", [])
        reasons = (
            all_reasons
            if raw_reasons == "all"
            else _names(raw_reasons, f"{where}.reasons", problems)
        )
        guards: list[Guard] = []
        raw_guards = spec.get("guards", [])
        if not isinstance(raw_guards, list):
            problems.append(Problem(f"{where}.guards", "expected a list of guards", raw_guards))
            raw_guards = []
        for j, raw in enumerate(raw_guards):
            guard, guard_problems = guard_from_dict(raw, f"{where}.guards[{j}]")
            problems.extend(guard_problems)
            if guard is not None:
                guards.append(guard)
        if broken:
            continue
        result.extend(
            Transition(name, source, target, actors, str(kind), reasons, tuple(guards))
            for source in sources
        )
    return tuple(result)


def default_graph(
    *, contact_attempts: int = 3, reasons: Mapping[str, Reason] | None = None
) -> Graph:
    """The default B2B graph with the numbers of your own agreement.

    Args:
        contact_attempts: how many contact attempts a cycle needs before sales may give
            ``unreachable`` as the reason of a rejection, recycle or disqualification (the
            source material's SLA says 3).
        reasons: the reason list to use instead of ``leadflow.reasons.STANDARD_REASONS``;
            transitions that accept any reason take all of them. ``lose`` and ``recycle``
            accept a fixed selection of the standard codes (a lost deal is not a ``student``),
            so each code of that selection must be in the list: see :data:`NAMED_REASONS`.

    Raises:
        ConfigurationError: ``contact_attempts`` is not an integer >= 0, or the reason list
            lacks a code that ``lose`` or ``recycle`` names (the message says which and why).
        ArgumentTypeError: ``reasons`` is not a mapping of codes to ``Reason``.

    >>> default_graph(contact_attempts=5).transition("mql", "reject").guards[0].describe()
    'reason unreachable needs 5 contact attempts by sales'
    """
    valid = isinstance(contact_attempts, int) and not isinstance(contact_attempts, bool)
    if not valid or contact_attempts < 0:
        raise ConfigurationError(
            f"contact_attempts must be an integer >= 0, got {contact_attempts!r}",
            field="contact_attempts",
            value=contact_attempts,
            expected="an integer >= 0",
        )
    data = tomllib.loads(_DEFAULT_TEXT)
    for transition in data["transitions"]:
        for guard in transition.get("guards", []):
            if guard["name"] == "contact_attempts":
                guard["minimum"] = contact_attempts
    if reasons is not None:
        if not isinstance(reasons, Mapping):
            raise ArgumentTypeError(
                "reasons",
                reasons,
                "a mapping of reason codes to leadflow.reasons.Reason",
                "e.g. {**STANDARD_REASONS, 'acquired': Reason(...)}",
            )
        for code, reason in reasons.items():
            if not isinstance(reason, Reason):
                raise ArgumentTypeError(f"reasons[{code!r}]", reason, "a leadflow.reasons.Reason")
        lacking = {
            name: [code for code in codes if code not in reasons]
            for name, codes in NAMED_REASONS.items()
        }
        lacking = {name: codes for name, codes in lacking.items() if codes}
        if lacking:
            which = "; ".join(
                f"{name!r} names {', '.join(codes)}" for name, codes in lacking.items()
            )
            raise ConfigurationError(
                f"default_graph(reasons=...): the reason list lacks codes the default graph's "
                f"transitions accept by name ({which}). Those transitions take a fixed "
                "selection of reasons rather than the whole list; keep these codes in your "
                "list (relabel them if you like), or load your own graph with load_graph().",
                field="reasons",
                value=tuple(reasons),
                expected=f"a reason list containing {', '.join(sorted({c for cs in lacking.values() for c in cs}))}",
            )
        data["reasons"] = (
            {
                code: {
                    "label": r.label,
                    "category": r.category,
                    "marketing_action": r.marketing_action,
                }
                for code, r in reasons.items()
            }
            if isinstance(reasons, Mapping)
            else reasons
        )
    return graph_from_dict(data, source="default_graph.toml")


_DEFAULT_TEXT: Final = (
    files("leadflow.lifecycle").joinpath("default_graph.toml").read_text(encoding="utf-8")
)

NAMED_REASONS: Final[Mapping[str, tuple[str, ...]]] = {
    t["name"]: tuple(t["reasons"])
    for t in tomllib.loads(_DEFAULT_TEXT)["transitions"]
    if isinstance(t.get("reasons"), list)
}
"""The default graph's transitions that accept a fixed selection of reason codes, with it."""

DEFAULT_GRAPH: Final[Graph] = default_graph()
"""The default B2B graph (``leadflow/lifecycle/default_graph.toml``), shared by all leads."""
