"""What every ``leadflow`` command shares: exit codes, diagnostics, loading rule files, ``--now``."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TextIO

from leadflow.errors import LeadflowError, RuleSyntaxError

__all__ = (
    "BAD_USAGE",
    "FINDINGS",
    "OK",
    "Diagnostic",
    "Exit",
    "emit",
    "load_rules",
    "open_out",
    "parse_now",
    "require_file",
)

OK: Final = 0
"""Success."""
FINDINGS: Final = 1
"""Findings in a rule file: errors, failed tests, coverage under the bar, invalid records (``--strict``)."""
BAD_USAGE: Final = 2
"""Bad usage, or a file that is missing or cannot be read."""


class Exit(Exception):  # noqa: N818 - a control-flow signal, not an error a host sees
    """Stop the command with this exit code (the message is already printed)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem at one place of a file."""

    file: str
    line: int
    column: int
    message: str
    code: str = "rule-syntax"
    severity: str = "error"
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


def _without_place(error: RuleSyntaxError) -> str:
    first = str(error).splitlines()[0] if str(error) else ""
    prefix = f"{error.source}:{error.line}:{error.column}: "
    return first.removeprefix(prefix)


def diagnostics_of(error: LeadflowError, path: str) -> list[Diagnostic]:
    """One diagnostic per independent error of a rule file that did not load."""
    if isinstance(error, RuleSyntaxError):
        return [
            Diagnostic(
                e.source, e.line, e.column, _without_place(e), e.code, end_column=e.end_column
            )
            for e in error.errors
        ]
    return [Diagnostic(path, 1, 1, str(error).splitlines()[0], error.code)]


def say(message: str) -> None:
    """A line for the person at the terminal (stderr)."""
    print(message, file=sys.stderr)


def require_file(path: str, what: str = "file") -> Path:
    """The path of a readable regular file, or exit 2 with ``leadflow: cannot read ...``."""
    file = Path(path)
    if not file.is_file():
        reason = "it is a folder" if file.is_dir() else "no such file"
        say(f"leadflow: cannot read {what} {path}: {reason}")
        raise Exit(BAD_USAGE)
    return file


def load_rules(path: str, *, quiet: bool = False) -> Any:
    """Load a rule file for a command; on errors print them (unless ``quiet``) and exit 1."""
    from leadflow.rules import load

    require_file(path, "rule file")
    try:
        return load(path)
    except LeadflowError as error:
        if not quiet:
            for diagnostic in diagnostics_of(error, path):
                say(str(diagnostic))
        raise Exit(FINDINGS) from None


def emit(diagnostics: Iterable[Diagnostic], form: str, *, out: TextIO | None = None) -> None:
    """Print diagnostics: ``text`` to stderr, ``json`` (a list) or ``github`` to stdout."""
    items = list(diagnostics)
    if form == "json":
        print(json.dumps([asdict(d) for d in items], indent=2), file=out or sys.stdout)
    elif form == "github":
        for d in items:
            message = d.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(
                f"::{d.severity} file={d.file},line={d.line},col={d.column}::{message}",
                file=out or sys.stdout,
            )
    else:
        for d in items:
            print(str(d), file=out or sys.stderr)


def parse_now(text: str | None) -> datetime:
    """``--now``: an ISO 8601 date-time with offset, or ``now`` / nothing for the wall clock."""
    if text is None or text == "now":
        from leadflow.cli import _parse_now  # the one module allowed to read the wall clock

        return _parse_now("now")
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        say(
            f"leadflow: --now {text!r} is not an ISO 8601 date-time, e.g. 2026-11-20T12:00:00+01:00"
        )
        raise Exit(BAD_USAGE) from None
    if value.tzinfo is None:
        say(f"leadflow: --now {text!r} needs a UTC offset, e.g. 2026-11-20T12:00:00+01:00")
        raise Exit(BAD_USAGE)
    return value


def open_out(path: str | None) -> TextIO:
    """``--out FILE`` opened for writing, or stdout."""
    if path is None:
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8", newline="")
    except OSError as error:
        say(f"leadflow: cannot write {path}: {error.strerror}")
        raise Exit(BAD_USAGE) from None


_FAILURE: Final = re.compile(
    r"^(?P<file>.*):(?P<line>\d+): expected (?P<expected>.*?), got (?P<actual>.*)$"
)


def split_failure(message: str) -> dict[str, Any]:
    """A test failure message as ``{file, line, expected, actual, message}``."""
    match = _FAILURE.match(message)
    if not match:
        return {"message": message}
    return {
        "file": match["file"],
        "line": int(match["line"]),
        "expected": match["expected"],
        "actual": match["actual"],
        "message": message,
    }
