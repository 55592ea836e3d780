"""``leadflow check FILE...``: parse rule files (and lifecycle graphs) and run every static check."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

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
_AGREEMENT = re.compile(r'^agreement\s+"', re.MULTILINE)
"""An agreement file opens its own block ``agreement "Title" { ... }``; a rule file never does."""


def is_agreement_file(path: str) -> bool:
    """Whether ``path`` holds an agreement (checked with :func:`leadflow.load_agreement`)."""
    try:
        head = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return _AGREEMENT.search(head) is not None


def _check_agreement(path: str) -> list[Diagnostic]:
    from leadflow.agreement import load_agreement

    try:
        load_agreement(path)
    except LeadflowError as error:
        return diagnostics_of(error, path)
    return []


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
        elif is_agreement_file(path):
            diagnostics += _check_agreement(path)
        else:
            diagnostics += _check_rules(path)
    emit(diagnostics, args.format)
    if args.format == "text":
        files, errors = len(args.files), len(diagnostics)
        print(
            f"checked {files} file{'s' * (files != 1)}: {errors} error{'s' * (errors != 1)}",
            file=sys.stderr,
        )
    if missing:
        return BAD_USAGE
    return FINDINGS if diagnostics else OK


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "check",
        help="parse rule and agreement files and run every static check",
        description="Parse rule files and agreement files (*.lf; an agreement file opens with an "
        "`agreement` block) and lifecycle graphs (*.toml, *.json) and run every static check. "
        "Exit 0: no findings, 1: findings, 2: a file cannot be read.",
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
