"""The ``leadflow`` commands for people who write rule files, one module per command.

``leadflow.cli`` builds the parser and calls :func:`register`; each command module adds its
sub-parser and a ``run(args) -> int`` that returns the exit code (see ``common``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from functools import wraps

from leadflow._cli import check, diagram, diff, explain, schema, score, testing
from leadflow._cli.common import OK, Exit

__all__ = ("register",)

_COMMANDS = (check, testing, score, explain, diff, diagram, schema)


def _guarded(run: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    @wraps(run)
    def guarded(args: argparse.Namespace) -> int:
        try:
            return run(args)
        except Exit as stop:
            return stop.code
        except BrokenPipeError:  # pragma: no cover - `leadflow score ... | head` closed the pipe
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes stdout
            return OK

    return guarded


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add every command's sub-parser to the ``leadflow`` parser."""
    for module in _COMMANDS:
        parser = module.add_parser(commands)
        parser.set_defaults(run=_guarded(parser.get_default("run")))
