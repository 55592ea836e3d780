"""Reading the tokens of a rule file's parse tree: numbers, positions, values and windows.

:class:`TokenReader` is the base of the builders (:mod:`leadflow.rules._syntax.builder`,
:mod:`leadflow.rules._syntax.testblocks`): it turns tokens into values within the language's limits
and collects an error for each token that is out of them.
"""

from __future__ import annotations

import math

from lark import Token, Tree

from leadflow.errors import RuleSyntaxError
from leadflow.rules._syntax import nodes
from leadflow.rules._syntax.parser import MAX_KEPT, error_at

__all__ = ("MAX_NUMBER", "UNIT_SECONDS", "TokenReader", "decimals", "plural", "shown")

MAX_NUMBER = 1_000_000_000_000
"""Largest absolute value of any number written in a rule file."""

UNIT_SECONDS = {"hour": 3600.0, "day": 86400.0, "week": 7 * 86400.0, "month": 30 * 86400.0}
"""Seconds per time unit; a month is 30 days, so windows never depend on the calendar."""


def shown(text: str) -> str:
    """``text`` in quotes, cut short when it is long."""
    return f"'{text}'" if len(text) <= 16 else f"'{text[:12]}…'"


class TokenReader:
    """Values of tokens within the limits of the language, and the errors of those out of them."""

    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.errors: list[RuleSyntaxError] = []  # the first MAX_KEPT
        self.omitted = 0  # errors found beyond MAX_KEPT, counted but not built

    def error(self, token: Tree[Token] | Token, message: str) -> None:
        if len(self.errors) >= MAX_KEPT:
            self.omitted += 1
            return
        pos = self.pos(token)
        self.errors.append(
            error_at(
                self.text, self.source, pos.line, pos.column, message, end_column=pos.end_column
            )
        )

    # -- numbers -----------------------------------------------------------------------------
    def number(self, token: Tree[Token] | Token) -> float:
        """The value of a number token (``12``, ``-3.5``, ``+10``, ``25%``), within the bound."""
        assert isinstance(token, Token)  # noqa: S101 - the grammar makes numbers tokens
        text = token.value.rstrip("%")
        whole = text.lstrip("+-").split(".", 1)[0].lstrip("0")
        value = float(text) if len(whole) <= len(str(MAX_NUMBER)) else math.inf
        if abs(value) <= MAX_NUMBER:
            return value
        bound = f"at least -{MAX_NUMBER:,}" if text.startswith("-") else f"at most {MAX_NUMBER:,}"
        self.error(token, f"expected a number of {bound}, found {shown(token.value)}")
        return 0.0

    def points(self, token: Tree[Token] | Token) -> float:
        """Points (``+10``, ``-2.5``) or a cap on points: a number with at most two decimals."""
        assert isinstance(token, Token)  # noqa: S101
        if len(decimals(token.value)) > 2:
            self.error(
                token, f"expected points with at most two decimals, found {shown(token.value)}"
            )
            return 0.0
        return self.number(token)

    def count(self, token: Tree[Token] | Token, what: str) -> int:
        """A count of times or grades: a whole number, zero or more."""
        assert isinstance(token, Token)  # noqa: S101
        if decimals(token.value) or token.value.startswith("-"):
            self.error(
                token,
                f"expected a whole number of {what}, zero or more, found {shown(token.value)}",
            )
            return 1
        return int(self.number(token))

    def span_of_time(self, number: Tree[Token] | Token, unit: Tree[Token] | Token) -> float:
        """``30 days`` in seconds, with the number within the bound."""
        return self.number(number) * UNIT_SECONDS[str(unit).rstrip("s")]

    # -- positions ---------------------------------------------------------------------------
    def pos(self, node: Tree[Token] | Token) -> nodes.Pos:
        if isinstance(node, Token):
            start, end = node.start_pos or 0, node.end_pos or 0
            line, column = node.line or 1, node.column or 1
        else:
            meta = node.meta
            if getattr(meta, "empty", True):
                return nodes.Pos(self.source, 1, 1, 1, "")
            start, end, line, column = meta.start_pos, meta.end_pos, meta.line, meta.column
        text = self.text[start:end].rstrip()
        first_line = text.split("\n", 1)[0]
        return nodes.Pos(self.source, line, column, column + len(first_line), first_line)

    def span(self, first: Tree[Token] | Token, last: Tree[Token] | Token) -> nodes.Pos:
        a, b = self.pos(first), self.pos(last)
        start = self._offset(first)
        end = self._end(last)
        text = self.text[start:end].rstrip().split("\n", 1)[0]
        return nodes.Pos(self.source, a.line, a.column, b.end_column, text)

    @staticmethod
    def _offset(node: Tree[Token] | Token) -> int:
        return (node.start_pos or 0) if isinstance(node, Token) else node.meta.start_pos

    @staticmethod
    def _end(node: Tree[Token] | Token) -> int:
        return (node.end_pos or 0) if isinstance(node, Token) else node.meta.end_pos

    # -- values ------------------------------------------------------------------------------
    def literal(self, node: Tree[Token] | Token) -> nodes.Literal:
        if isinstance(node, Tree) and node.data == "list_lit":
            items = tuple(self.literal(child) for child in node.children)
            return nodes.Literal("list", items, self.pos(node))
        token = node.children[0] if isinstance(node, Tree) else node
        assert isinstance(token, Token)  # noqa: S101 - the grammar puts one token in a value
        pos = self.pos(token)
        kind = token.type
        if kind == "STRING":
            raw = token.value[1:-1]
            return nodes.Literal("text", raw.replace('\\"', '"').replace("\\\\", "\\"), pos)
        if kind == "NUMBER":
            return nodes.Literal("number", self.number(token), pos)
        if kind in {"YES", "NO"}:
            return nodes.Literal("flag", kind == "YES", pos)
        if kind == "GRADE":
            return nodes.Literal("grade", token.value, pos)
        return nodes.Literal("name", token.value, pos)

    def window(self, node: Tree[Token]) -> float:
        """``within 30 days`` in seconds: a window is longer than 0."""
        number, unit = node.children
        if float(str(number)) <= 0:
            self.error(
                number,
                f"expected a window of more than 0 {plural(unit)}, found {shown(str(number))}",
            )
            return 1.0
        return self.span_of_time(number, unit)


def plural(unit: Tree[Token] | Token) -> str:
    """The unit of a window as written, in the plural: ``days`` for ``day``."""
    return str(unit).rstrip("s") + "s"


def decimals(number: str) -> str:
    """The significant decimals of a number token: ``'5'`` for ``+0.50``."""
    return number.rstrip("%").partition(".")[2].rstrip("0")
