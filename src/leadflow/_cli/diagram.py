"""``leadflow diagram [FILE]``: the lifecycle graph as a Mermaid ``stateDiagram-v2``."""

from __future__ import annotations

import argparse

from leadflow._cli.common import FINDINGS, OK, Diagnostic, emit, require_file
from leadflow.errors import GraphError, LeadflowError

__all__ = ("add_parser",)


def run(args: argparse.Namespace) -> int:
    from leadflow.lifecycle import DEFAULT_GRAPH, load_graph, to_mermaid

    graph = DEFAULT_GRAPH
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
        help="print the lifecycle graph as Mermaid",
        description="Print a lifecycle graph (.toml or .json; default: the shipped graph) as a "
        "Mermaid stateDiagram-v2, e.g. for a README or a pull request.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="a lifecycle graph file")
    parser.set_defaults(run=run)
    return parser
