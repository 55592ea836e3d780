"""``leadflow diagram [FILE]``: the lifecycle graph, or an agreement's flow, as Mermaid."""

from __future__ import annotations

import argparse

from leadflow._cli.common import FINDINGS, OK, Diagnostic, diagnostics_of, emit, require_file
from leadflow.errors import GraphError, LeadflowError

__all__ = ("add_parser",)


def agreement_mermaid(path: str) -> str:
    """The flow an agreement file runs: its lifecycle graph with the agreement's own steps and
    duties as notes (when a lead moves by itself, the handoff fields, targets and timers)."""
    from leadflow.agreement import load_agreement
    from leadflow.lifecycle import to_mermaid

    agreement = load_agreement(path)
    lines = to_mermaid(agreement.graph).splitlines()
    notes: dict[str, list[str]] = {}
    if agreement.iql_any_activity:
        notes.setdefault("cold", []).append("becomes iql on any engagement activity")
    required = ", ".join(agreement.handoff.required)
    notes.setdefault("mql", []).append(f"by itself when the mql rule holds and {required} are set")
    targets = [
        f"{t.temperature}: {t.within.text if t.within else 'nurture, no sales target'}"
        for t in agreement.targets.values()
    ]
    if targets:
        notes["mql"].append("first contact " + "; ".join(targets))
    for timer in agreement.timer_specs.values():
        notes.setdefault(timer.stage, []).append(timer.text)
    for stage, texts in notes.items():
        lines.append(f"    note right of {stage}")
        lines.extend(f"        {text}" for text in texts)
        lines.append("    end note")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from leadflow._cli.check import is_agreement_file
    from leadflow.lifecycle import DEFAULT_GRAPH, load_graph, to_mermaid

    graph = DEFAULT_GRAPH
    if args.file is not None and is_agreement_file(args.file):
        try:
            print(agreement_mermaid(args.file))
        except LeadflowError as error:
            emit(diagnostics_of(error, args.file), "text")
            return FINDINGS
        return OK
    if args.file is not None:
        require_file(args.file, "graph file")
        try:
            graph = load_graph(args.file)
        except GraphError as error:
            emit([Diagnostic(args.file, 1, 1, str(p), error.code) for p in error.problems], "text")
            return FINDINGS
        except LeadflowError as error:
            emit([Diagnostic(args.file, 1, 1, str(error), error.code)], "text")
            return FINDINGS
    print(to_mermaid(graph))
    return OK


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "diagram",
        help="print the lifecycle graph, or an agreement's flow, as Mermaid",
        description="Print a lifecycle graph (.toml or .json; default: the shipped graph) or the "
        "flow of an agreement file (its graph with the automatic steps, handoff fields, targets "
        "and timers as notes) as a Mermaid stateDiagram-v2, e.g. for a README or a pull request.",
    )
    parser.add_argument(
        "file", nargs="?", metavar="FILE", help="a lifecycle graph file or an agreement file"
    )
    parser.set_defaults(run=run)
    return parser
