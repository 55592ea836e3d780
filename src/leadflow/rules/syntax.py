"""Parsing rule text with lark, and turning lark's errors into messages a person can act on."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache
from importlib.resources import files

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternStr

from leadflow.errors import RuleSyntaxError

__all__ = ("MAX_ERRORS", "error_at", "parse_tree", "raise_all", "snippet")

MAX_ERRORS = 20
"""At most this many independent errors are collected before reporting."""

_WORDS = {
    "POINTS": "points such as '+10'",
    "NUMBER": "a number",
    "PERCENT": "a percentage such as '25%'",
    "SIGN": "'+' or '-'",
    "CMP": "a comparison such as '>='",
    "HALF": "'half'",
    "OTHERWISE": "'otherwise'",
    "TIMES": "'times'",
    "GRADES": "'grades are'",
    "OR_BETTER": "'or better'",
    "UNIT": "a time unit (hours, days, weeks, months)",
    "YES": "'yes'",
    "NO": "'no'",
    "PASS_FAIL": "'passes' or 'fails'",
    "DATE": "a date such as 2026-11-20",
    "TIME": "a time such as 12:00",
    "ZONE": "a time zone such as Europe/Berlin",
    "GRADE": "a grade letter such as A",
    "NAME": "a name",
    "STRING": "text in quotes",
    "_NL": "end of line",
    "$END": "end of file",
}

_STATEMENT_START = re.compile(
    r"(use|include|list|const|field|activity|score|knockout|temperature|mql|grade|qualification|test)\b"
)


@cache
def _parser() -> Lark:
    grammar = files("leadflow.rules").joinpath("grammar.lark").read_text(encoding="utf-8")
    return Lark(
        grammar,
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
        cache=False,
    )


@cache
def _terminal_words() -> dict[str, str]:
    words = dict(_WORDS)
    for terminal in _parser().terminals:
        if isinstance(terminal.pattern, PatternStr):
            words[terminal.name] = f"'{terminal.pattern.value}'"
    return words


@lru_cache(maxsize=8)
def _lines(text: str) -> list[str]:
    return text.split("\n")


def snippet(text: str, line: int, column: int) -> str:
    """The source line ``line`` of ``text`` with a caret under ``column`` (both 1-based)."""
    lines = _lines(text)
    source_line = lines[line - 1] if 0 < line <= len(lines) else ""
    source_line = source_line.replace("\t", " ")
    return f"  {source_line}\n  {' ' * (column - 1)}^"


def error_at(
    text: str,
    source: str,
    line: int,
    column: int,
    what: str,
    *,
    end_column: int | None = None,
    expected: tuple[str, ...] = (),
) -> RuleSyntaxError:
    """Build a positioned :class:`RuleSyntaxError` for ``what`` at ``line``:``column``."""
    shown = snippet(text, line, column)
    return RuleSyntaxError(
        f"{source}:{line}:{column}: {what}\n{shown}",
        source=source,
        line=line,
        column=column,
        end_column=end_column,
        expected=expected,
        snippet=shown,
    )


def raise_all(errors: Iterable[RuleSyntaxError]) -> None:
    """Raise one error carrying every error in ``errors`` (sorted by position), if any."""
    found = sorted(errors, key=lambda e: (e.source, e.line, e.column))
    if not found:
        return
    first = found[0]
    if len(found) == 1:
        raise first
    count = len(found)
    message = f"{count} errors in rules:\n" + "\n".join(str(e) for e in found)
    raise RuleSyntaxError(
        message,
        source=first.source,
        line=first.line,
        column=first.column,
        end_column=first.end_column,
        expected=first.expected,
        snippet=first.snippet,
        errors=tuple(found),
    )


def _end_position(text: str) -> tuple[int, int]:
    stripped = text.rstrip()
    if not stripped:
        return 1, 1
    lines = stripped.split("\n")
    return len(lines), len(lines[-1].replace("\r", "")) + 1


def _expected_words(names: Iterable[str]) -> tuple[str, ...]:
    words = _terminal_words()
    return tuple(sorted({words.get(name, name.lower()) for name in names}))


def _join(words: tuple[str, ...]) -> str:
    if not words:
        return "something else"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _translate(
    error: UnexpectedInput, chunk: str, source: str, text: str, skipped: int, *, last: bool
) -> RuleSyntaxError:
    """Describe ``error`` in ``chunk``, a part of ``text`` that starts after ``skipped`` lines."""
    if isinstance(error, UnexpectedToken):
        token = error.token
        expected = _expected_words(_accepted(error))
        if token.type == "$END":
            line, column = _end_position(chunk)
            found = "end of file" if last else "the start of the next statement"
        else:
            line, column = token.line or 1, token.column or 1
            if token.type == "_NL":
                found = "end of line"
                line, column = _line_end(chunk, token)
            else:
                found = f"'{token.value}'"
        end = column + (len(token.value) if token.type not in {"$END", "_NL"} else 0)
        return error_at(
            text,
            source,
            line + skipped,
            column,
            f"expected {_join(expected)}, found {found}",
            end_column=end,
            expected=expected,
        )
    if isinstance(error, UnexpectedCharacters):
        expected = _expected_words(error.allowed or ())
        at = error.pos_in_stream or 0
        word = re.match(r"[^\s,()\[\]{}]+", chunk[at:])
        found = word.group(0) if word else chunk[at : at + 1]
        hint = ""
        if found[:1] == '"':
            hint = " (text in quotes must end on the same line)"
        elif found[:1].isupper() and "STRING" in (error.allowed or ()):
            hint = f' (write text in quotes: "{found}")'
        return error_at(
            text,
            source,
            (error.line or 1) + skipped,
            error.column or 1,
            f"expected {_join(expected)}, found '{found}'{hint}",
            end_column=(error.column or 1) + len(found),
            expected=expected,
        )
    line, column = _end_position(chunk)  # pragma: no cover - LALR raises only the two above
    return error_at(text, source, line + skipped, column, "unexpected end")  # pragma: no cover


def _line_end(text: str, token: Token) -> tuple[int, int]:
    """Line and column just after the last visible character before a newline token."""
    start = token.start_pos or 0
    before = text[:start].rstrip(" \t")
    comment = before.rfind("#")
    line_start = before.rfind("\n") + 1
    if comment >= line_start and '"' not in before[comment:]:
        before = before[:comment].rstrip(" \t")
    line = before.count("\n") + 1
    return line, len(before) - (before.rfind("\n") + 1) + 1


def _statements_after(text: str, after_line: int) -> list[tuple[int, int]]:
    """(lines before it, offset) of each unindented statement keyword after ``after_line``."""
    starts: list[tuple[int, int]] = []
    offset = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if number > after_line and _STATEMENT_START.match(line):
            starts.append((number - 1, offset))
        offset += len(line) + 1
    return starts


def parse_tree(text: str, source: str) -> Tree[Token]:
    """Parse ``text`` into a lark tree, or raise one error listing every syntax error found.

    After the first error, every later statement (a line that starts with a statement keyword)
    is parsed on its own, so independent mistakes are reported together, in linear time.

    Raises:
        RuleSyntaxError: the text does not follow the grammar.
    """
    parser = _parser()
    try:
        return parser.parse(text + "\n")
    except UnexpectedInput as error:
        errors = [_translate(error, text, source, text, 0, last=True)]
    starts = _statements_after(text, errors[0].line)
    for index, (skipped, offset) in enumerate(starts):
        if len(errors) >= MAX_ERRORS:
            break
        last = index + 1 == len(starts)
        chunk = text[offset : len(text) if last else starts[index + 1][1]]
        try:
            parser.parse(chunk + "\n")
        except UnexpectedInput as error:
            errors.append(_translate(error, chunk, source, text, skipped, last=last))
    raise_all(errors)
    raise AssertionError("unreachable: raise_all raised")  # pragma: no cover


def _accepted(error: UnexpectedToken) -> set[str]:
    """The terminals that can really come next (LALR's own list may include merged states)."""
    parser = error.interactive_parser
    if parser is not None:
        accepted = parser.accepts()  # type: ignore[no-untyped-call]
        if accepted:
            return set(accepted)
    return set(error.expected)
