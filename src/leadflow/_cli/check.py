"""``leadflow check FILE...``: parse rule files (and lifecycle graphs) and run every static check."""

from __future__ import annotations

import argparse
import sys

from leadflow._cli.common import (
    BAD_USAGE,
    FINDINGS,
    OK,
    Diagnostic,
    Exit,
    diagnostics_of,
    emit,
    require_file,
)
from leadflow.errors import GraphError, LeadflowError

__all__ = ("add_parser",)

GRAPH_SUFFIXES = (".toml", ".json")


def _check_graph(path: str) -> list[Diagnostic]:
    from leadflow.lifecycle import load_graph

    try:
        load_graph(path)
    except GraphError as error:
        return [Diagnostic(path, 1, 1, str(p), error.code) for p in error.problems]
    except LeadflowError as error:
        return [Diagnostic(path, 1, 1, str(error), error.code)]
    return []


def _check_rules(path: str) -> list[Diagnostic]:
    from leadflow.rules import load

    try:
        load(path)
    except LeadflowError as error:
        return diagnostics_of(error, path)
    return []


def run(args: argparse.Namespace) -> int:
    diagnostics: list[Diagnostic] = []
    missing = False
    for path in args.files:
        try:
            require_file(path)
        except Exit:
            missing = True
            continue
        if path.endswith(GRAPH_SUFFIXES):
            diagnostics += _check_graph(path)
        else:
            diagnostics += _check_rules(path)
    emit(diagnostics, args.format)
    if args.format == "text":
        files = len(args.files)
        print(
            f"checked {files} file{'s' * (files != 1)}: {len(diagnostics)} errors", file=sys.stderr
        )
    if missing:
        return BAD_USAGE
    return FINDINGS if diagnostics else OK


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "check",
        help="parse rule files and run every static check",
        description="Parse rule files (*.lf) and lifecycle graphs (*.toml, *.json) and run every "
        "static check. Exit 0: no findings, 1: findings, 2: a file cannot be read.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text: file:line:col lines on stderr; json: a list on stdout; github: annotations",
    )
    parser.set_defaults(run=run)
    return parser
