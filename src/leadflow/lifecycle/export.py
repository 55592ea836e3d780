"""The graph as a Mermaid ``stateDiagram-v2`` and as Markdown tables, to print and hang up.

Plain string building: no dependencies, same graph in, same text out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Final

from leadflow.errors import ArgumentTypeError
from leadflow.lifecycle.graph import Graph, Transition

__all__ = ("to_markdown", "to_mermaid")


_STYLES = {
    "marketing": "fill:#e0f2fe,stroke:#0369a1",
    "sales": "fill:#fef3c7,stroke:#b45309",
}

# Words Mermaid's state-diagram lexer reads as keywords at the start of a statement
# (case-insensitive); a stage called like this gets another id and its name as a label.
_RESERVED: Final = frozenset(
    {
        "accdescr",
        "acctitle",
        "as",
        "class",
        "classdef",
        "click",
        "default",
        "direction",
        "end",
        "hide",
        "note",
        "scale",
        "state",
        "style",
    }
)
# A transition label runs to the end of the line and may not contain ':' or ';'.
_LABEL_UNSAFE: Final = re.compile(r"[:;\r\n]+")
_NOT_WORD: Final = re.compile(r"\W")


def _label(t: Transition) -> str:
    rules = ["reason"] if t.requires_reason else []
    rules.extend(g.name for g in t.guards)
    text = f"{t.name} ({', '.join(t.actors)})"
    if rules:
        text += f" [{', '.join(rules)}]"
    return " ".join(_LABEL_UNSAFE.sub(" ", text).split())


def _ids(names: Iterable[str], taken: Iterable[str]) -> dict[str, str]:
    """Diagram ids: the name itself, or a prefixed word for names Mermaid cannot take."""
    used = set(taken)
    ids: dict[str, str] = {}
    for name in names:
        ident = name
        if name.lower() in _RESERVED or _NOT_WORD.search(name):
            ident = "s_" + _NOT_WORD.sub("_", name)
            while ident in used:
                ident += "_"
        used.add(ident)
        ids[name] = ident
    return ids


def _check_graph(graph: object) -> None:
    if not isinstance(graph, Graph):
        raise ArgumentTypeError("graph", graph, "a Graph")


def to_mermaid(graph: Graph) -> str:
    """The graph as a Mermaid ``stateDiagram-v2``; stages are coloured by owner.

    Each edge is labelled with the event and the actors that may take it, then in brackets
    ``reason`` when a reason code is mandatory and the guards. Stage names Mermaid reads as
    keywords (``state``, ``note``, ``end``, ...) get an id of their own and keep their name as
    the label; characters that would end a label early (``:``, ``;``) become spaces.

    >>> from leadflow.lifecycle import DEFAULT_GRAPH
    >>> print(to_mermaid(DEFAULT_GRAPH).splitlines()[6])
        mql --> nurture: reject (sales) [reason, contact_attempts]
    """
    _check_graph(graph)
    ids = _ids(graph.stage_names, graph.stage_names)
    classes = _ids(graph.owners, ())
    lines = ["stateDiagram-v2"]
    lines.extend(f'    state "{name}" as {ident}' for name, ident in ids.items() if ident != name)
    lines.extend(f"    [*] --> {ids[stage]}" for stage in graph.entry[:1])
    lines.extend(f"    {ids[t.source]} --> {ids[t.target]}: {_label(t)}" for t in graph.transitions)
    lines.extend(f"    {ids[stage]} --> [*]" for stage in graph.terminal_stages)
    for owner in graph.owners:
        style = _STYLES.get(owner, "fill:#f3f4f6,stroke:#4b5563")
        lines.append(f"    classDef {classes[owner]} {style}")
    for owner in graph.owners:
        members = [ids[s.name] for s in graph.stages if s.owner == owner]
        if members:
            lines.append(f"    class {','.join(members)} {classes[owner]}")
    return "\n".join(lines) + "\n"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _cell(text: str) -> str:
    # a table row is one line: line breaks become spaces, pipes are escaped
    return " ".join(text.split()).replace("|", "\\|")


def to_markdown(graph: Graph) -> str:
    """The graph as Markdown: stages with owners, transitions with rules, reasons with actions.

    Transitions that differ only in their source stage share a row.

    >>> from leadflow.lifecycle import DEFAULT_GRAPH
    >>> print(to_markdown(DEFAULT_GRAPH).splitlines()[4])
    | cold | marketing |  | in the target group, no contact yet (purchased list, trade-fair card) |
    """
    _check_graph(graph)
    lines = [
        f"### Lifecycle `{graph.name}`",
        "",
        _row(["stage", "owner", "terminal", "meaning"]),
        _row(["---"] * 4),
    ]
    lines.extend(
        _row([s.name, s.owner, "yes" if s.terminal else "", s.description]) for s in graph.stages
    )
    lines += ["", _row(["event", "from", "to", "actors", "reason", "guards"]), _row(["---"] * 6)]
    groups: dict[Transition, list[str]] = {}
    for t in graph.transitions:
        groups.setdefault(replace(t, source=""), []).append(t.source)
    everything = tuple(graph.reasons)
    for t, sources in groups.items():
        need = "required" if t.requires_reason else "optional"
        if not t.reasons:
            reason = ""
        elif t.reasons == everything:
            reason = f"{need}: any listed reason"
        else:
            reason = f"{need}: {', '.join(t.reasons)}"
        guards = "; ".join(g.describe() for g in t.guards)
        lines.append(
            _row([t.name, ", ".join(sources), t.target, ", ".join(t.actors), reason, guards])
        )
    lines += ["", _row(["reason", "label", "marketing action"]), _row(["---"] * 3)]
    lines.extend(_row([r.code, r.label, r.marketing_action]) for r in graph.reasons.values())
    lines.append(
        f"\nEvery non-terminal stage also accepts `{graph.attempt_event}`, which records a "
        "contact attempt and keeps the stage."
    )
    return "\n".join(lines) + "\n"
