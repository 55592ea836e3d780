"""Building the ``test`` blocks of a rule file: one ``now``, one lead, answers, expectations."""

from __future__ import annotations

from lark import Token, Tree

from leadflow.rules._syntax import nodes
from leadflow.rules._syntax.parser import MAX_KEPT, error_at
from leadflow.rules._syntax.tokens import TokenReader, decimals, plural, shown

__all__ = ("TestBuilder",)


class TestBuilder(TokenReader):
    """The ``test`` block statements; the base of the rule file's builder."""

    __test__ = False  # not a pytest test class

    def s_test_block(self, node: Tree[Token]) -> nodes.Statement:
        name, *items = node.children
        now: tuple[str, str, str] | None = None
        now_pos: nodes.Pos | None = None
        lead: list[nodes.LeadItem] = []
        answers: list[tuple[str, str, nodes.Pos]] = []
        answered: dict[str, int] = {}  # criterion -> the line of its first answer
        expectations: list[nodes.Expectation] = []
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
        return nodes.TestBlock(
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
        if len(self.errors) >= MAX_KEPT:
            self.omitted += 1
            return
        self.errors.append(
            error_at(self.text, self.source, node.meta.line, node.meta.column, message)
        )

    def test_lead(self, node: Tree[Token]) -> list[nodes.LeadItem]:
        """The items of a test's ``lead { }`` block; each field is set once, activities repeat."""
        items: list[nodes.LeadItem] = []
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
    ) -> list[tuple[str, str, nodes.Pos]]:
        """The ``criterion answer`` pairs of an ``answers`` line; each criterion once per test."""
        answers: list[tuple[str, str, nodes.Pos]] = []
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

    def lead_item(self, node: Tree[Token]) -> nodes.LeadItem:
        kids = node.children
        name, pos = str(kids[0]), self.pos(node)
        if node.data in {"lead_value", "lead_list"}:
            return nodes.LeadItem(name, self.literal(kids[1]), 1, None, pos)
        if node.data == "lead_activity":
            return nodes.LeadItem(name, None, 1, self.ago(kids[1], kids[2]), pos)
        ago = self.ago(kids[3], kids[4])
        return nodes.LeadItem(name, None, self.count(kids[1], "times"), ago, pos)

    def ago(self, number: Tree[Token] | Token, unit: Tree[Token] | Token) -> float:
        """``5 days ago`` in seconds: zero or more, as a test lead's activities lie before now."""
        if float(str(number)) < 0:
            self.error(
                number,
                f"expected a time of 0 or more {plural(unit)} ago, found {shown(str(number))}",
            )
            return 0.0
        return self.span_of_time(number, unit)

    def expectation(self, node: Tree[Token]) -> nodes.Expectation:
        kids = [str(k) for k in node.children]
        pos = self.pos(node)
        what = str(node.data)
        if what == "expect_score":
            number = node.children[1]
            if len(decimals(str(number))) > 2:
                self.error(
                    number,
                    f"expected a score with at most two decimals, found {shown(str(number))}",
                )
            return nodes.Expectation("score", kids[0], self.number(number), pos)
        if what == "expect_temperature":
            return nodes.Expectation("temperature", "temperature", kids[0], pos)
        if what == "expect_mql":
            return nodes.Expectation("mql", "mql", kids[0] == "yes", pos)
        if what == "expect_grade":
            return nodes.Expectation("grade", kids[0], kids[1], pos)
        if what == "expect_knockout":
            return nodes.Expectation("knockout", kids[0], value=True, pos=pos)
        if what == "expect_no_knockout":
            return nodes.Expectation("no knockout", "knockout", value=False, pos=pos)
        return nodes.Expectation("qualification", kids[0], kids[1] == "passes", pos)
