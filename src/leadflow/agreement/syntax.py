"""Parsing agreement files with lark, and turning lark's errors into messages a person can act on."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from functools import cache

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from leadflow._grammars import Grammar, load_parser
from leadflow._snippets import MAX_KEPT, snippet
from leadflow.errors import AgreementSyntaxError

__all__ = ("did_you_mean", "error_at", "parse_tree", "raise_all")

_WORDS = {
    "NUMBER": "a number",
    "STRING": "text in quotes",
    "NAME": "a name",
    "DATE": "a date such as 2026-12-24",
    "TIME": "a time such as 09:00",
    "UNIT": "a time unit (minutes, hours, days, weeks, months)",
    "ZONE": "a time zone such as Europe/Berlin",
    "REGION": "a holiday region such as DE-BY",
    "CMP": "a comparison such as '>='",
    "DIRECTION": "'below' or 'above'",
    "FREQUENCY": "'weekly', 'monthly' or 'quarterly'",
    "ORDINAL": "'first', 'second', 'third', 'fourth' or 'last'",
    "DAY": "a weekday such as monday",
    "BUSINESS": "'business'",
    "ELAPSED": "'elapsed'",
    "IN_A_ROW": "'in a row'",
    "$END": "end of file",
}


def _build(grammar: str) -> Lark:
    return Lark(grammar, parser="lalr", propagate_positions=True, maybe_placeholders=False)


GRAMMAR = Grammar("leadflow.agreement", "grammar.lark", "lalr, positions 1", _build)
"""The agreement language's grammar (its parser tables ship saved: :mod:`leadflow._grammars`)."""


@cache
def _parser() -> Lark:
    return load_parser(GRAMMAR)


def error_at(
    text: str,
    source: str,
    line: int,
    column: int,
    what: str,
    *,
    expected: tuple[str, ...] = (),
    end_column: int | None = None,
) -> AgreementSyntaxError:
    """A positioned :class:`AgreementSyntaxError` for ``what`` at ``line``:``column``."""
    shown = snippet(text, line, column)
    return AgreementSyntaxError(
        f"{source}:{line}:{column}: {what}\n{shown}",
        source=source,
        line=line,
        column=column,
        end_column=end_column,
        expected=expected,
        snippet=shown,
    )


def raise_all(errors: Iterable[AgreementSyntaxError]) -> None:
    """Raise the first error (by position) carrying all of them, if there are any."""
    found = sorted(errors, key=lambda e: (e.line, e.column))
    if not found:
        return
    omitted = max(0, len(found) - MAX_KEPT)
    found = found[:MAX_KEPT]
    first = found[0]
    message = first.message
    if len(found) > 1:
        rest = "\n".join(e.message for e in found[1:])
        message = f"{message}\n({len(found) - 1 + omitted} more)\n{rest}"
    raise AgreementSyntaxError(
        message,
        source=first.source,
        line=first.line,
        column=first.column,
        end_column=first.end_column,
        expected=first.expected,
        snippet=first.snippet,
        errors=tuple(found),
        omitted=omitted,
    )


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` or the list of valid names."""
    names = sorted(set(known))
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of: {', '.join(names)}" if names else ""


def _word(terminal: str) -> str:
    if terminal in _WORDS:
        return _WORDS[terminal]
    pattern = _parser().get_terminal(terminal).pattern.value
    return f"'{pattern}'"


def _end(text: str) -> tuple[int, int]:
    lines = text.splitlines() or [""]
    return len(lines), len(lines[-1]) + 1


def parse_tree(text: str, source: str) -> Tree[Token]:
    """The parse tree of ``text``; a syntax error names the position and what was expected."""
    try:
        return _parser().parse(text)
    except UnexpectedInput as error:
        expected: tuple[str, ...] = ()
        if isinstance(error, UnexpectedToken | UnexpectedEOF):
            expected = tuple(sorted({_word(t) for t in error.expected if not t.startswith("_")}))
        elif isinstance(error, UnexpectedCharacters):
            expected = tuple(sorted({_word(t) for t in error.allowed or ()}))
        if isinstance(error, UnexpectedToken) and error.token.type != "$END":
            found = f"'{error.token}'"
            line, column = error.line, error.column
        elif isinstance(error, UnexpectedCharacters):
            lines = text.splitlines()
            row = lines[error.line - 1] if 0 < error.line <= len(lines) else ""
            found = f"'{row[error.column - 1 : error.column]}'"
            line, column = error.line, error.column
        else:
            found = "end of file"
            line, column = _end(text)
        what = f"expected {' or '.join(expected) or 'something else'}, found {found}"
        if len(expected) > 4:
            what = f"unexpected {found}; expected one of: {', '.join(expected)}"
        raise error_at(text, source, line, column, what, expected=expected) from None
