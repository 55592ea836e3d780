"""Turning lark's parse tree into the frozen statements of :mod:`leadflow.rules.ast`."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from lark import Token, Tree

from leadflow.errors import RuleSyntaxError
from leadflow.rules import ast
from leadflow.rules.syntax import error_at, raise_all

__all__ = ("MAX_DEPTH", "MAX_NUMBER", "UNIT_SECONDS", "build")

MAX_DEPTH = 64
"""Deepest nesting of parentheses and ``not`` a condition may have."""

MAX_NUMBER = 1_000_000_000_000
"""Largest absolute value of any number written in a rule file."""

UNIT_SECONDS = {"hour": 3600.0, "day": 86400.0, "week": 7 * 86400.0, "month": 30 * 86400.0}
"""Seconds per time unit; a month is 30 days, so windows never depend on the calendar."""

_OPS = {
    "is_": "is",
    "is_not": "is not",
    "is_missing": "is missing",
    "is_set": "is set",
    "in_": "in",
    "not_in": "not in",
    "between": "between",
    "at_least": "at least",
    "at_most": "at most",
    "contains": "contains",
    "starts_with": "starts with",
    "ends_with": "ends with",
}


def _shown(text: str) -> str:
    """``text`` in quotes, cut short when it is long."""
    return f"'{text}'" if len(text) <= 16 else f"'{text[:12]}…'"


class _Builder:
    def __init__(self, text: str, source: str) -> None:
        self.text = text
        self.source = source
        self.errors: list[RuleSyntaxError] = []

    def error(self, token: Tree[Token] | Token, message: str) -> None:
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
        self.error(token, f"expected a number of {bound}, found {_shown(token.value)}")
        return 0.0

    def points(self, token: Tree[Token] | Token) -> float:
        """Points (``+10``, ``-2.5``) or a cap on points: a number with at most two decimals."""
        assert isinstance(token, Token)  # noqa: S101
        if len(_decimals(token.value)) > 2:
            self.error(
                token, f"expected points with at most two decimals, found {_shown(token.value)}"
            )
            return 0.0
        return self.number(token)

    def count(self, token: Tree[Token] | Token, what: str) -> int:
        """A count of times or grades: a whole number, zero or more."""
        assert isinstance(token, Token)  # noqa: S101
        if _decimals(token.value) or token.value.startswith("-"):
            self.error(
                token,
                f"expected a whole number of {what}, zero or more, found {_shown(token.value)}",
            )
            return 1
        return int(self.number(token))

    def span_of_time(self, number: Tree[Token] | Token, unit: Tree[Token] | Token) -> float:
        """``30 days`` in seconds, with the number within the bound."""
        return self.number(number) * UNIT_SECONDS[str(unit).rstrip("s")]

    # -- positions ---------------------------------------------------------------------------
    def pos(self, node: Tree[Token] | Token) -> ast.Pos:
        if isinstance(node, Token):
            start, end = node.start_pos or 0, node.end_pos or 0
            line, column = node.line or 1, node.column or 1
        else:
            meta = node.meta
            if getattr(meta, "empty", True):
                return ast.Pos(self.source, 1, 1, 1, "")
            start, end, line, column = meta.start_pos, meta.end_pos, meta.line, meta.column
        text = self.text[start:end].rstrip()
        first_line = text.split("\n", 1)[0]
        return ast.Pos(self.source, line, column, column + len(first_line), first_line)

    def span(self, first: Tree[Token] | Token, last: Tree[Token] | Token) -> ast.Pos:
        a, b = self.pos(first), self.pos(last)
        start = self._offset(first)
        end = self._end(last)
        text = self.text[start:end].rstrip().split("\n", 1)[0]
        return ast.Pos(self.source, a.line, a.column, b.end_column, text)

    @staticmethod
    def _offset(node: Tree[Token] | Token) -> int:
        return (node.start_pos or 0) if isinstance(node, Token) else node.meta.start_pos

    @staticmethod
    def _end(node: Tree[Token] | Token) -> int:
        return (node.end_pos or 0) if isinstance(node, Token) else node.meta.end_pos

    # -- values ------------------------------------------------------------------------------
    def literal(self, node: Tree[Token] | Token) -> ast.Literal:
        if isinstance(node, Tree) and node.data == "list_lit":
            items = tuple(self.literal(child) for child in node.children)
            return ast.Literal("list", items, self.pos(node))
        token = node.children[0] if isinstance(node, Tree) else node
        assert isinstance(token, Token)  # noqa: S101 - the grammar puts one token in a value
        pos = self.pos(token)
        kind = token.type
        if kind == "STRING":
            raw = token.value[1:-1]
            return ast.Literal("text", raw.replace('\\"', '"').replace("\\\\", "\\"), pos)
        if kind == "NUMBER":
            return ast.Literal("number", self.number(token), pos)
        if kind in {"YES", "NO"}:
            return ast.Literal("flag", kind == "YES", pos)
        if kind == "GRADE":
            return ast.Literal("grade", token.value, pos)
        return ast.Literal("name", token.value, pos)

    def window(self, node: Tree[Token]) -> float:
        """``within 30 days`` in seconds: a window is longer than 0."""
        number, unit = node.children
        if float(str(number)) <= 0:
            self.error(
                number,
                f"expected a window of more than 0 {_plural(unit)}, found {_shown(str(number))}",
            )
            return 1.0
        return self.span_of_time(number, unit)

    # -- conditions --------------------------------------------------------------------------
    def condition(self, node: Tree[Token] | Token) -> ast.Condition:
        assert isinstance(node, Tree)  # noqa: S101 - conditions are always trees
        kind = node.data
        pos = self.pos(node)
        children = node.children
        if kind == "group":
            return self.condition(children[0])
        if kind == "negation":
            return ast.Negation(self.condition(children[0]), pos)
        if kind == "and_cond":
            return ast.AllOf(tuple(self.condition(c) for c in children), pos)
        if kind == "or_cond":
            return ast.AnyOf(tuple(self.condition(c) for c in children), pos)
        if kind == "activity":
            window = self.window(children[1]) if len(children) > 1 else None  # type: ignore[arg-type]
            return ast.ActivityTest(str(children[0]), 1, window, pos)
        if kind == "activity_count":
            window = self.window(children[3]) if len(children) > 3 else None  # type: ignore[arg-type]
            count = self.count(children[1], "times")
            return ast.ActivityTest(str(children[0]), count, window, pos)
        if kind == "grade_count":
            number, _, grade, *better = children
            count = self.count(number, "grades")
            return ast.GradeCount(count, str(grade), bool(better), pos)
        name = str(children[0])
        if kind == "compare":
            return ast.Compare(name, str(children[1]), (self.literal(children[2]),), pos)
        if kind in {"is_missing", "is_set"}:
            return ast.Compare(name, _OPS[kind], (), pos)
        if kind in {"in_", "not_in"}:
            target = children[1]
            if isinstance(target, Tree) and target.data == "list_ref":
                target = target.children[0]
            return ast.Compare(name, _OPS[kind], (self.literal(target),), pos)
        values = tuple(self.literal(c) for c in children[1:])
        return ast.Compare(name, _OPS[kind], values, pos)

    # -- statements --------------------------------------------------------------------------
    def statement(self, node: Tree[Token]) -> ast.Statement:
        handler: Callable[[Tree[Token]], ast.Statement] = getattr(self, "s_" + str(node.data))
        return handler(node)

    def s_use_stmt(self, node: Tree[Token]) -> ast.Statement:
        return ast.Use(str(node.children[0]), self.pos(node))

    def s_include_stmt(self, node: Tree[Token]) -> ast.Statement:
        return ast.Include(str(node.children[0])[1:-1], self.pos(node))

    def s_list_stmt(self, node: Tree[Token]) -> ast.Statement:
        items = self.literal(node.children[1]).value
        assert isinstance(items, tuple)  # noqa: S101
        return ast.ListDef(str(node.children[0]), items, self.pos(node))

    def s_const_stmt(self, node: Tree[Token]) -> ast.Statement:
        return ast.ConstDef(str(node.children[0]), self.literal(node.children[1]), self.pos(node))

    def s_field_stmt(self, node: Tree[Token]) -> ast.Statement:
        return ast.FieldDecl(str(node.children[0]), str(node.children[1]), self.pos(node))

    def s_activity_stmt(self, node: Tree[Token]) -> ast.Statement:
        return ast.ActivityDecl(tuple(str(c) for c in node.children), self.pos(node))

    def s_score_block(self, node: Tree[Token]) -> ast.Statement:
        name, *items = node.children
        rules: list[ast.Rule] = []
        at_most = at_least = factor = period = None
        decay_text = ""
        lines = [0, 0]
        seen: dict[str, int] = {}
        for item in items:
            assert isinstance(item, Tree)  # noqa: S101
            kids = item.children
            if item.data in {"cap", "floor", "decay"}:
                what = {"cap": "at most", "floor": "at least", "decay": "decay"}[item.data]
                if item.data in seen:
                    self.error(
                        item,
                        f"score {name} has one '{what}' line; the first is on line "
                        f"{seen[item.data]}",
                    )
                    continue
                seen[item.data] = item.meta.line
            if item.data == "cap":
                at_most = self.points(kids[0])
                lines[0] = item.meta.line
            elif item.data == "floor":
                at_least = self.points(kids[0])
                lines[1] = item.meta.line
            elif item.data == "decay":
                rate, number, unit = kids
                factor = 0.5 if str(rate) == "half" else 1 - self.number(rate) / 100
                period = self.number(number) * UNIT_SECONDS[str(unit).rstrip("s")]
                decay_text = self.pos(item).text
            else:
                rules.append(self.rule(item))
        return ast.ScoreBlock(
            str(name),
            tuple(rules),
            at_most,
            at_least,
            factor,
            period,
            decay_text,
            (lines[0], lines[1]),
            self.pos(node),
        )

    def rule(self, item: Tree[Token]) -> ast.Rule:
        kids = item.children
        points = self.points(kids[0])
        if item.data == "points_rule":
            return ast.Rule(
                points,
                self.condition(kids[1]),
                each=False,
                cap=None,
                pos=self.span(kids[0], kids[1]),
            )
        kind = kids[1]
        window = None
        cap = None
        last: Tree[Token] | Token = kind
        for extra in kids[2:]:
            if isinstance(extra, Tree):
                window = self.window(extra)
            else:
                cap = self.points(extra)
            last = extra
        test_pos = self.span(kind, kids[2] if len(kids) > 2 and isinstance(kids[2], Tree) else kind)
        test = ast.ActivityTest(str(kind), 1, window, test_pos)
        return ast.Rule(points, test, each=True, cap=cap, pos=self.span(kids[0], last))

    def s_score_formula(self, node: Tree[Token]) -> ast.Statement:
        name, first, *rest = node.children
        terms = [self.term(1.0, first)]
        for sign, term in zip(rest[::2], rest[1::2], strict=True):
            terms.append(self.term(1.0 if str(sign) == "+" else -1.0, term))
        return ast.ScoreFormula(str(name), tuple(terms), self.pos(node))

    def term(self, sign: float, node: Tree[Token] | Token) -> tuple[float, str, ast.Pos]:
        """``fit`` or ``0.6 * fit``: the weight (with the sign before it) and the score."""
        assert isinstance(node, Tree)  # noqa: S101 - the grammar makes every term a tree
        *weight, score = node.children
        return (sign * self.number(weight[0]) if weight else sign), str(score), self.pos(score)

    def s_knockout_stmt(self, node: Tree[Token]) -> ast.Statement:
        return ast.Knockout(str(node.children[0]), self.condition(node.children[1]), self.pos(node))

    def branch(self, node: Tree[Token]) -> ast.Branch:
        label, rest = node.children
        if isinstance(rest, Token) and rest.type == "OTHERWISE":
            return ast.Branch(str(label), None, self.pos(node))
        return ast.Branch(str(label), self.condition(rest), self.pos(node))

    def s_temperature_block(self, node: Tree[Token]) -> ast.Statement:
        branches = tuple(self.branch(c) for c in node.children if isinstance(c, Tree))
        return ast.Temperature(branches, self.pos(node))

    def s_mql_stmt(self, node: Tree[Token]) -> ast.Statement:
        return ast.Mql(self.condition(node.children[0]), self.pos(node))

    def s_grade_block(self, node: Tree[Token]) -> ast.Statement:
        name, *branches = node.children
        return ast.GradeBlock(
            str(name),
            tuple(self.branch(b) for b in branches if isinstance(b, Tree)),
            self.pos(node),
        )

    def s_qualification_block(self, node: Tree[Token]) -> ast.Statement:
        name, *items = node.children
        criteria: list[ast.Criterion] = []
        passes: ast.Condition | None = None
        pass_pos: ast.Pos | None = None
        for item in items:
            assert isinstance(item, Tree)  # noqa: S101
            if item.data == "pass_rule":
                passes, pass_pos = self.condition(item.children[0]), self.pos(item)
                continue
            criterion, *answers = item.children
            pairs = tuple((str(a.children[0]), str(a.children[1])) for a in answers)  # type: ignore[union-attr]
            criteria.append(ast.Criterion(str(criterion), pairs, self.pos(item)))
        return ast.Qualification(str(name), tuple(criteria), passes, pass_pos, self.pos(node))

    def s_test_block(self, node: Tree[Token]) -> ast.Statement:
        name, *items = node.children
        now: tuple[str, str, str] | None = None
        now_pos: ast.Pos | None = None
        lead: list[ast.LeadItem] = []
        answers: list[tuple[str, str, ast.Pos]] = []
        answered: dict[str, int] = {}  # criterion -> the line of its first answer
        expectations: list[ast.Expectation] = []
        firsts: dict[str, int] = {}  # "now", "lead" -> the line of the first one
        for item in items:
            assert isinstance(item, Tree)  # noqa: S101
            what = str(item.data).removeprefix("test_")
            if what in firsts:
                kind = "block" if what == "lead" else "line"
                self.error_at_start(
                    item, f"a test has one '{what}' {kind}; the first is on line {firsts[what]}"
                )
                continue
            if what in {"now", "lead"}:
                firsts[what] = item.meta.line
            if what == "now":
                date, time, zone = (str(c) for c in item.children)
                now, now_pos = (date, time, zone), self.pos(item)
            elif what == "lead":
                lead = self.test_lead(item)
            elif what == "answers":
                answers.extend(self.test_answers(item, answered))
            else:
                expectations.extend(self.expectation(e) for e in item.children)  # type: ignore[arg-type]
        return ast.TestBlock(
            str(name)[1:-1],
            now,
            tuple(lead),
            tuple(answers),
            tuple(expectations),
            self.pos(node),
            now_pos,
        )

    def error_at_start(self, node: Tree[Token], message: str) -> None:
        """Report ``message`` at the first column of ``node``, with no underline."""
        self.errors.append(
            error_at(self.text, self.source, node.meta.line, node.meta.column, message)
        )

    def test_lead(self, node: Tree[Token]) -> list[ast.LeadItem]:
        """The items of a test's ``lead { }`` block; each field is set once, activities repeat."""
        items: list[ast.LeadItem] = []
        fields: dict[str, int] = {}
        for line in node.children:
            assert isinstance(line, Tree)  # noqa: S101
            for child in line.children:
                assert isinstance(child, Tree)  # noqa: S101
                item = self.lead_item(child)
                if item.ago is None and item.name in fields:
                    self.error(
                        child,
                        f"{item.name} is set twice in this lead; "
                        f"the first is on line {fields[item.name]}",
                    )
                    continue
                if item.ago is None:
                    fields[item.name] = item.pos.line
                items.append(item)
        return items

    def test_answers(
        self, node: Tree[Token], answered: dict[str, int]
    ) -> list[tuple[str, str, ast.Pos]]:
        """The ``criterion answer`` pairs of an ``answers`` line; each criterion once per test."""
        answers: list[tuple[str, str, ast.Pos]] = []
        for answer in node.children:
            assert isinstance(answer, Tree)  # noqa: S101
            criterion, value = (str(c) for c in answer.children)
            if criterion in answered:
                self.error(
                    answer,
                    f"{criterion} is answered twice in this test; "
                    f"the first is on line {answered[criterion]}",
                )
                continue
            answered[criterion] = answer.meta.line
            answers.append((criterion, value, self.pos(answer)))
        return answers

    def lead_item(self, node: Tree[Token]) -> ast.LeadItem:
        kids = node.children
        name, pos = str(kids[0]), self.pos(node)
        if node.data in {"lead_value", "lead_list"}:
            return ast.LeadItem(name, self.literal(kids[1]), 1, None, pos)
        if node.data == "lead_activity":
            return ast.LeadItem(name, None, 1, self.ago(kids[1], kids[2]), pos)
        ago = self.ago(kids[3], kids[4])
        return ast.LeadItem(name, None, self.count(kids[1], "times"), ago, pos)

    def ago(self, number: Tree[Token] | Token, unit: Tree[Token] | Token) -> float:
        """``5 days ago`` in seconds: zero or more, as a test lead's activities lie before now."""
        if float(str(number)) < 0:
            self.error(
                number,
                f"expected a time of 0 or more {_plural(unit)} ago, found {_shown(str(number))}",
            )
            return 0.0
        return self.span_of_time(number, unit)

    def expectation(self, node: Tree[Token]) -> ast.Expectation:
        kids = [str(k) for k in node.children]
        pos = self.pos(node)
        what = str(node.data)
        if what == "expect_score":
            number = node.children[1]
            if len(_decimals(str(number))) > 2:
                self.error(
                    number,
                    f"expected a score with at most two decimals, found {_shown(str(number))}",
                )
            return ast.Expectation("score", kids[0], self.number(number), pos)
        if what == "expect_temperature":
            return ast.Expectation("temperature", "temperature", kids[0], pos)
        if what == "expect_mql":
            return ast.Expectation("mql", "mql", kids[0] == "yes", pos)
        if what == "expect_grade":
            return ast.Expectation("grade", kids[0], kids[1], pos)
        if what == "expect_knockout":
            return ast.Expectation("knockout", kids[0], value=True, pos=pos)
        if what == "expect_no_knockout":
            return ast.Expectation("no knockout", "knockout", value=False, pos=pos)
        return ast.Expectation("qualification", kids[0], kids[1] == "passes", pos)


def _plural(unit: Tree[Token] | Token) -> str:
    """The unit of a window as written, in the plural: ``days`` for ``day``."""
    return str(unit).rstrip("s") + "s"


def _decimals(number: str) -> str:
    """The significant decimals of a number token: ``'5'`` for ``+0.50``."""
    return number.rstrip("%").partition(".")[2].rstrip("0")


def _check_depth(tree: Tree[Token], text: str, source: str) -> None:
    stack: list[tuple[Any, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if not isinstance(node, Tree):
            continue
        if depth > MAX_DEPTH:
            line, column = node.meta.line, node.meta.column
            raise error_at(
                text,
                source,
                line,
                column,
                f"condition nested too deeply: at most {MAX_DEPTH} levels of "
                "parentheses and 'not' are allowed",
            )
        nested = depth + (1 if node.data in {"group", "negation"} else 0)
        stack.extend((child, nested) for child in node.children)


def build(tree: Tree[Token], text: str, source: str) -> tuple[ast.Statement, ...]:
    """Convert a parse tree of ``text`` into statements, checking the nesting depth first.

    Raises:
        RuleSyntaxError: a condition is nested deeper than :data:`MAX_DEPTH` levels, a number
            is beyond :data:`MAX_NUMBER`, points or an expected score have more than two
            decimals, a count of times or grades is not a whole number of zero or more, a window
            is not longer than 0, a test activity lies after ``now``, or a test says a thing
            twice (two ``now`` lines or ``lead`` blocks, a lead field set twice, a criterion
            answered twice).
    """
    _check_depth(tree, text, source)
    builder = _Builder(text, source)
    statements: list[ast.Statement] = []
    for node in tree.children:
        assert isinstance(node, Tree)  # noqa: S101 - start only holds statements
        statements.append(builder.statement(node))
    raise_all(builder.errors)
    return tuple(statements)
