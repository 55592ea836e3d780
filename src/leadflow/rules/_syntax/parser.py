"""Parsing rule text with lark, and turning lark's errors into messages a person can act on."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from copy import copy
from functools import cache, lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import PatternRE, PatternStr, TerminalDef
from lark.parsers.lalr_parser_state import ParserState

from leadflow._grammars import Grammar, load_parser
from leadflow._snippets import MAX_KEPT, SNIPPET_WIDTH, snippet
from leadflow.errors import RuleSyntaxError

__all__ = (
    "MAX_ERRORS",
    "MAX_KEPT",
    "SNIPPET_WIDTH",
    "did_you_mean",
    "error_at",
    "normalize",
    "parse_tree",
    "position",
    "raise_all",
    "snippet",
)

MAX_ERRORS = 20
"""At most this many syntax errors are collected per file, and shown in one message."""

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

# Operators of other languages, longest first, and the words the rule language uses instead.
_FOREIGN = (("&&", "and"), ("||", "or"), ("!=", "is not"), ("==", "is"), ("!", "not"))
_KEYWORD = re.compile(r"'([a-z]+)'")

_STATEMENT_START = re.compile(
    r"(use|include|list|const|field|activity|score|knockout|temperature|mql|grade|qualification|test)\b"
)


_WHOLE_WORD = r"(?![a-z0-9_])"
_KEYWORD_RE = re.compile(r"([a-z]+)" + re.escape(_WHOLE_WORD))


def _whole_word(terminal: TerminalDef) -> None:
    """Make a keyword terminal match whole words only: ``atleast`` is a name, not ``at least``.

    lark reads a keyword written as a string as soon as the text starts with it; as a regular
    expression that no letter, digit or ``_`` may follow, with the priority of the grammar's
    other word terminals, it wins over ``NAME`` only for the whole word.
    """
    pattern = terminal.pattern
    if isinstance(pattern, PatternStr) and re.fullmatch(r"[a-z]+", pattern.value):
        terminal.pattern = PatternRE(re.escape(pattern.value) + _WHOLE_WORD)
        terminal.priority = 2


def _build(grammar: str) -> Lark:
    return Lark(
        grammar,
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=False,
        cache=False,
        edit_terminals=_whole_word,
    )


GRAMMAR = Grammar(
    "leadflow.rules", "grammar.lark", "lalr, positions, whole-word keywords 1", _build
)
"""The rule language's grammar (its parser tables ship saved: :mod:`leadflow._grammars`)."""


@cache
def _parser() -> Lark:
    return load_parser(GRAMMAR)


@cache
def _terminal_words() -> dict[str, str]:
    words = dict(_WORDS)
    for terminal in _parser().terminals:
        pattern = terminal.pattern
        if isinstance(pattern, PatternStr):
            words[terminal.name] = f"'{pattern.value}'"
        elif (keyword := _KEYWORD_RE.fullmatch(pattern.value)) is not None:
            words[terminal.name] = f"'{keyword[1]}'"
    return words


@lru_cache(maxsize=8)
def normalize(text: str) -> str:
    """``text`` without a leading byte order mark, with every line ending as ``\\n``.

    >>> normalize("\\ufeffmql when fit >= 5\\r\\nuse bant\\r")
    'mql when fit >= 5\\nuse bant\\n'
    """
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``text[index]``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or an empty string."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


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


def raise_all(
    errors: Iterable[RuleSyntaxError], *, stopped: bool = False, omitted: int = 0
) -> None:
    """Raise one error carrying the errors in ``errors`` (sorted by position), if any.

    Its message shows the first :data:`MAX_ERRORS` and counts the rest; ``.errors`` keeps the
    first :data:`MAX_KEPT` and ``.omitted`` counts the others (``omitted``: errors found but
    already dropped by the caller). ``stopped``: the search stopped at :data:`MAX_ERRORS`
    errors with text left unchecked.
    """
    found = sorted(errors, key=lambda e: (e.source, e.line, e.column))
    if not found:
        return
    omitted += max(0, len(found) - MAX_KEPT)
    found = found[:MAX_KEPT]
    first = found[0]
    if len(found) == 1 and not stopped and not omitted:
        raise first
    count = len(found) + omitted
    message = f"{count} errors in rules:\n" + "\n".join(str(e) for e in found[:MAX_ERRORS])
    if count > MAX_ERRORS:
        message += f"\n… and {count - MAX_ERRORS} more"
    if stopped:
        message += f"\n… the rest of the file was not checked after {count} syntax errors"
    raise RuleSyntaxError(
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
        at = token.start_pos if token.type not in {"$END", "_NL"} else None
        foreign = _foreign(chunk, at, expected)
        if foreign:
            return _foreign_error(text, source, line + skipped, column, foreign, expected)
        what, end = _token_message(token, chunk, at, found, expected, skipped, end)
        return error_at(
            text,
            source,
            line + skipped,
            column,
            what,
            end_column=end,
            expected=expected,
        )
    if isinstance(error, UnexpectedCharacters):
        at = error.pos_in_stream or 0
        accepted = _accepted_in(error.state) or set(error.allowed or ())
        expected = _expected_words(accepted)
        foreign = _foreign(chunk, at, expected)
        if foreign:
            line = (error.line or 1) + skipped
            return _foreign_error(text, source, line, error.column or 1, foreign, expected)
        word = re.match(r"[^\s,()\[\]{}]+", chunk[at:])
        found = word.group(0) if word else chunk[at : at + 1]
        hint = ""
        if found[:1] == '"':
            hint = " (text in quotes must end on the same line)"
        elif found[:1].isupper() and "STRING" in accepted:
            hint = f' (write text in quotes: "{found}")'
        elif not found.isprintable():
            found = found.encode("unicode_escape").decode("ascii")
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


def _token_message(
    token: Token,
    chunk: str,
    at: int | None,
    found: str,
    expected: tuple[str, ...],
    skipped: int,
    end: int,
) -> tuple[str, int]:
    """What to say about an unexpected token ``found`` at ``chunk[at]`` (``None``: at the end
    of a line or of the text), and the column the caret's span ends at."""
    if at is not None and (phrase := _phrase_hint(chunk, at)) is not None:
        return phrase, end - len(str(token.value)) + len(phrase.split("'")[1])
    if "'}'" in expected and (token.type == "$END" or _STATEMENT_START.match(found[1:])):
        block = _open_block(chunk, len(chunk) if at is None else at)
        if block is not None:
            opened, header = block
            return (
                f"block `{header}` opened on line {opened + skipped} is not closed: "
                f"expected '}}', found {found}"
            ), end
    hint = _keyword_hint(str(token.value), expected) if token.type == "NAME" else ""
    return f"expected {_join(expected)}, found {found}{hint}", end


def _foreign(chunk: str, at: int | None, expected: tuple[str, ...]) -> tuple[str, str] | None:
    """The operator of another language at ``at`` and the word to use instead, if any."""
    if at is None:
        return None
    for operator, word in _FOREIGN:
        if chunk.startswith(operator, at):
            return operator, word
    if chunk.startswith("=", at) and "'is'" in expected:
        return "=", "is"
    return None


def _foreign_error(
    text: str,
    source: str,
    line: int,
    column: int,
    foreign: tuple[str, str],
    expected: tuple[str, ...],
) -> RuleSyntaxError:
    operator, word = foreign
    return error_at(
        text,
        source,
        line,
        column,
        f"write '{word}' instead of '{operator}'",
        end_column=column + len(operator),
        expected=expected,
    )


def _keyword_hint(found: str, expected: tuple[str, ...]) -> str:
    """`` (did you mean 'score'?)`` when ``found`` looks like a misspelt expected keyword, or
    `` (keywords are whole words: write 'at least')`` when it is one glued to the next word."""
    keywords = [m.group(1) for word in expected if (m := _KEYWORD.fullmatch(word))]
    for keyword in sorted(keywords, key=len, reverse=True):
        rest = found[len(keyword) :]
        if found.startswith(keyword) and rest:
            return f" (keywords are whole words: write '{keyword} {rest}')"
    return did_you_mean(found, keywords)


def _open_block(chunk: str, upto: int) -> tuple[int, str] | None:
    """The innermost block still open at ``chunk[upto]``: its line and its header."""
    stack: list[tuple[int, str]] = []
    for number, raw in enumerate(chunk[:upto].split("\n"), start=1):
        line = raw.split("#", 1)[0].strip() if '"' not in raw else raw.strip()
        if line.endswith("{"):
            stack.append((number, " ".join(line[:-1].split())))
        elif line == "}" and stack:
            stack.pop()
    return stack[-1] if stack else None


_RANGE = re.compile(r"(-?[0-9]+(?:\.[0-9]+)?)\s*\.\.\s*(-?[0-9]+(?:\.[0-9]+)?)")
_LAST = re.compile(r"(last|past|the last|the past)\s+([0-9]+(?:\.[0-9]+)?)\s+([a-z]+)")
_IN_LAST = re.compile(r"\b(?:in|within)\s+(?:the\s+)?(?:last|past)\s*$")


def _phrase_hint(chunk: str, at: int) -> str | None:
    """A message naming what to write instead, for phrases of other languages that people write
    for a range (``50..500``) or a window (``within last 30 days``, ``in last 30 days``)."""
    rest = chunk[at : chunk.find("\n", at) if "\n" in chunk[at:] else len(chunk)]
    if m := _RANGE.match(rest):
        return f"found '{m.group(0)}': write 'between {m.group(1)} and {m.group(2)}'"
    if m := _LAST.match(rest):
        return f"found '{m.group(0)}': write 'within {m.group(2)} {m.group(3)}'"
    window = re.match(r"([0-9]+(?:\.[0-9]+)?)\s+([a-z]+)", rest)
    if window and _IN_LAST.search(chunk[:at]):
        phrase = _IN_LAST.search(chunk[:at])
        assert phrase is not None  # noqa: S101
        written = " ".join(phrase.group(0).split()) + " " + window.group(0)
        return (
            f"found '{written}': write 'within {window.group(1)} {window.group(2)}' "
            "(windows count back from now)"
        )
    return None


def _line_end(text: str, token: Token) -> tuple[int, int]:
    """Line and column just after the last visible character before a newline token."""
    start = token.start_pos or 0
    before = text[:start].rstrip(" \t")
    comment = before.rfind("#")
    line_start = before.rfind("\n") + 1
    if comment >= line_start and '"' not in before[comment:]:
        before = before[:comment].rstrip(" \t")
    return position(before, len(before))


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
    stopped = False
    for index, (skipped, offset) in enumerate(starts):
        if len(errors) >= MAX_ERRORS:
            stopped = True
            break
        last = index + 1 == len(starts)
        chunk = text[offset : len(text) if last else starts[index + 1][1]]
        try:
            parser.parse(chunk + "\n")
        except UnexpectedInput as error:
            errors.append(_translate(error, chunk, source, text, skipped, last=last))
    raise_all(errors, stopped=stopped)
    raise AssertionError("unreachable: raise_all raised")  # pragma: no cover


def _accepted_in(state: object) -> set[str]:
    """The terminals the parser in ``state`` can take next, where the lexer found no token.

    The lexer's own list is that of a state LALR may share with other contexts (``)`` and
    ``]`` although no parenthesis or list is open), so each choice is tried on a copy, as
    lark's ``InteractiveParser.accepts`` does.
    """
    if not isinstance(state, ParserState):
        return set()  # pragma: no cover - lark's contextual lexer passes its parser state
    quiet = copy(state.parse_conf)
    quiet.callbacks = {}
    accepted: set[str] = set()
    for terminal in state.parse_conf.parse_table.states[state.position]:
        if terminal.isupper() and terminal != "$END":  # a stray character is not the end
            cursor = state.copy(deepcopy_values=False)
            cursor.parse_conf = quiet
            try:
                cursor.feed_token(Token(terminal, ""))
            except UnexpectedToken:
                continue
            accepted.add(terminal)
    return accepted


def _accepted(error: UnexpectedToken) -> set[str]:
    """The terminals that can really come next (LALR's own list may include merged states)."""
    parser = error.interactive_parser
    if parser is not None:
        accepted = parser.accepts()  # type: ignore[no-untyped-call]
        if accepted:
            return set(accepted)
    return set(error.expected)
