"""Turning lark's parse tree into the frozen statements of :mod:`leadflow.rules._syntax.nodes`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lark import Token, Tree

from leadflow.rules._syntax import nodes
from leadflow.rules._syntax.parser import error_at, raise_all
from leadflow.rules._syntax.testblocks import TestBuilder
from leadflow.rules._syntax.tokens import MAX_NUMBER, UNIT_SECONDS

__all__ = ("MAX_DEPTH", "MAX_NUMBER", "UNIT_SECONDS", "build")

MAX_DEPTH = 64
"""Deepest nesting of parentheses and ``not`` a condition may have."""

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


class _Builder(TestBuilder):
    """The statements of a rule file (test blocks: see :class:`TestBuilder`)."""

    # -- conditions --------------------------------------------------------------------------
    def condition(self, node: Tree[Token] | Token) -> nodes.Condition:
        assert isinstance(node, Tree)  # noqa: S101 - conditions are always trees
        kind = node.data
        pos = self.pos(node)
        children = node.children
        if kind == "group":
            return self.condition(children[0])
        if kind == "negation":
            return nodes.Negation(self.condition(children[0]), pos)
        if kind == "and_cond":
            return nodes.AllOf(tuple(self.condition(c) for c in children), pos)
        if kind == "or_cond":
            return nodes.AnyOf(tuple(self.condition(c) for c in children), pos)
        if kind == "activity":
            window = self.window(children[1]) if len(children) > 1 else None  # type: ignore[arg-type]
            return nodes.ActivityTest(str(children[0]), 1, window, pos)
        if kind == "activity_count":
            window = self.window(children[3]) if len(children) > 3 else None  # type: ignore[arg-type]
            count = self.count(children[1], "times")
            return nodes.ActivityTest(str(children[0]), count, window, pos)
        if kind in {"grade_count", "knocked_out"}:
            return self.unnamed(kind, children, pos)
        name = str(children[0])
        if kind == "compare":
            return nodes.Compare(name, str(children[1]), (self.literal(children[2]),), pos)
        if kind in {"is_missing", "is_set"}:
            return nodes.Compare(name, _OPS[kind], (), pos)
        if kind in {"in_", "not_in"}:
            target = children[1]
            if isinstance(target, Tree) and target.data == "list_ref":
                target = target.children[0]
            return nodes.Compare(name, _OPS[kind], (self.literal(target),), pos)
        values = tuple(self.literal(c) for c in children[1:])
        return nodes.Compare(name, _OPS[kind], values, pos)

    def unnamed(self, kind: str, children: list[Any], pos: nodes.Pos) -> nodes.Condition:
        """A condition about the lead's classification rather than a named fact."""
        if kind == "knocked_out":
            return nodes.KnockedOut(pos)
        number, _, grade, *better = children
        count = self.count(number, "grades")
        return nodes.GradeCount(count, str(grade), bool(better), pos)

    # -- statements --------------------------------------------------------------------------
    def statement(self, node: Tree[Token]) -> nodes.Statement:
        handler: Callable[[Tree[Token]], nodes.Statement] = getattr(self, "s_" + str(node.data))
        return handler(node)

    def s_use_stmt(self, node: Tree[Token]) -> nodes.Statement:
        return nodes.Use(str(node.children[0]), self.pos(node))

    def s_include_stmt(self, node: Tree[Token]) -> nodes.Statement:
        return nodes.Include(str(node.children[0])[1:-1], self.pos(node))

    def s_list_stmt(self, node: Tree[Token]) -> nodes.Statement:
        items = self.literal(node.children[1]).value
        assert isinstance(items, tuple)  # noqa: S101
        return nodes.ListDef(str(node.children[0]), items, self.pos(node))

    def s_const_stmt(self, node: Tree[Token]) -> nodes.Statement:
        return nodes.ConstDef(str(node.children[0]), self.literal(node.children[1]), self.pos(node))

    def s_field_stmt(self, node: Tree[Token]) -> nodes.Statement:
        return nodes.FieldDecl(str(node.children[0]), str(node.children[1]), self.pos(node))

    def s_activity_stmt(self, node: Tree[Token]) -> nodes.Statement:
        return nodes.ActivityDecl(tuple(str(c) for c in node.children), self.pos(node))

    def s_score_block(self, node: Tree[Token]) -> nodes.Statement:
        name, *items = node.children
        rules: list[nodes.Rule] = []
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
        return nodes.ScoreBlock(
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

    def rule(self, item: Tree[Token]) -> nodes.Rule:
        kids = item.children
        points = self.points(kids[0])
        if item.data == "points_rule":
            return nodes.Rule(
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
        test = nodes.ActivityTest(str(kind), 1, window, test_pos)
        return nodes.Rule(points, test, each=True, cap=cap, pos=self.span(kids[0], last))

    def s_score_formula(self, node: Tree[Token]) -> nodes.Statement:
        name, first, *rest = node.children
        terms = [self.term(1.0, first)]
        for sign, term in zip(rest[::2], rest[1::2], strict=True):
            terms.append(self.term(1.0 if str(sign) == "+" else -1.0, term))
        return nodes.ScoreFormula(str(name), tuple(terms), self.pos(node))

    def term(self, sign: float, node: Tree[Token] | Token) -> tuple[float, str, nodes.Pos]:
        """``fit`` or ``0.6 * fit``: the weight (with the sign before it) and the score."""
        assert isinstance(node, Tree)  # noqa: S101 - the grammar makes every term a tree
        *weight, score = node.children
        return (sign * self.number(weight[0]) if weight else sign), str(score), self.pos(score)

    def s_knockout_stmt(self, node: Tree[Token]) -> nodes.Statement:
        return nodes.Knockout(
            str(node.children[0]), self.condition(node.children[1]), self.pos(node)
        )

    def branch(self, node: Tree[Token]) -> nodes.Branch:
        label, rest = node.children
        if isinstance(rest, Token) and rest.type == "OTHERWISE":
            return nodes.Branch(str(label), None, self.pos(node))
        return nodes.Branch(str(label), self.condition(rest), self.pos(node))

    def s_temperature_block(self, node: Tree[Token]) -> nodes.Statement:
        branches = tuple(self.branch(c) for c in node.children if isinstance(c, Tree))
        return nodes.Temperature(branches, self.pos(node))

    def s_mql_stmt(self, node: Tree[Token]) -> nodes.Statement:
        return nodes.Mql(self.condition(node.children[0]), self.pos(node))

    def s_grade_block(self, node: Tree[Token]) -> nodes.Statement:
        name, *branches = node.children
        return nodes.GradeBlock(
            str(name),
            tuple(self.branch(b) for b in branches if isinstance(b, Tree)),
            self.pos(node),
        )

    def s_qualification_block(self, node: Tree[Token]) -> nodes.Statement:
        name, *items = node.children
        criteria: list[nodes.Criterion] = []
        passes: nodes.Condition | None = None
        pass_pos: nodes.Pos | None = None
        for item in items:
            assert isinstance(item, Tree)  # noqa: S101
            if item.data == "pass_rule":
                passes, pass_pos = self.condition(item.children[0]), self.pos(item)
                continue
            criterion, *answers = item.children
            pairs = tuple((str(a.children[0]), str(a.children[1])) for a in answers)  # type: ignore[union-attr]
            criteria.append(nodes.Criterion(str(criterion), pairs, self.pos(item)))
        return nodes.Qualification(str(name), tuple(criteria), passes, pass_pos, self.pos(node))


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


def build(tree: Tree[Token], text: str, source: str) -> tuple[nodes.Statement, ...]:
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
    statements: list[nodes.Statement] = []
    for node in tree.children:
        assert isinstance(node, Tree)  # noqa: S101 - start only holds statements
        statements.append(builder.statement(node))
    raise_all(builder.errors, omitted=builder.omitted)
    return tuple(statements)
