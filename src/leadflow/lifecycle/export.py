"""The graph as a Mermaid ``stateDiagram-v2`` and as Markdown tables, to print and hang up.

Plain string building: no dependencies, same graph in, same text out.
"""

from __future__ import annotations

from dataclasses import replace

from leadflow.lifecycle.graph import Graph, Transition

__all__ = ("to_markdown", "to_mermaid")


_STYLES = {
    "marketing": "fill:#e0f2fe,stroke:#0369a1",
    "sales": "fill:#fef3c7,stroke:#b45309",
}


def _label(t: Transition) -> str:
    parts = [", ".join(t.actors)]
    if t.requires_reason:
        parts.append("reason")
    parts.extend(g.name for g in t.guards)
    return f"{t.name} ({'; '.join(parts)})"


def to_mermaid(graph: Graph) -> str:
    """The graph as a Mermaid ``stateDiagram-v2``; stages are coloured by owner.

    Each edge is labelled with the event, the actors that may take it, ``reason`` when a reason
    code is mandatory, and the guards.

    >>> from leadflow.lifecycle import DEFAULT_GRAPH
    >>> print(to_mermaid(DEFAULT_GRAPH).splitlines()[2])
        cold --> iql: engage (marketing, system)
    """
    lines = ["stateDiagram-v2"]
    lines.extend(f"    [*] --> {stage}" for stage in graph.entry[:1])
    lines.extend(f"    {t.source} --> {t.target}: {_label(t)}" for t in graph.transitions)
    lines.extend(f"    {stage} --> [*]" for stage in graph.terminal_stages)
    for owner in graph.owners:
        style = _STYLES.get(owner, "fill:#f3f4f6,stroke:#4b5563")
        lines.append(f"    classDef {owner} {style}")
    for owner in graph.owners:
        members = [s.name for s in graph.stages if s.owner == owner]
        if members:
            lines.append(f"    class {','.join(members)} {owner}")
    return "\n".join(lines) + "\n"


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def to_markdown(graph: Graph) -> str:
    """The graph as Markdown: stages with owners, transitions with rules, reasons with actions.

    Transitions that differ only in their source stage share a row.

    >>> from leadflow.lifecycle import DEFAULT_GRAPH
    >>> print(to_markdown(DEFAULT_GRAPH).splitlines()[4])
    | cold | marketing |  | in the target group, no contact yet (purchased list, trade-fair card) |
    """
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
