"""Compiling conditions to predicates, checking each name and type on the way.

A compiled condition (a :data:`~leadflow.rules._compile.predicates.Test`) takes the
:class:`~leadflow.rules._facts.Facts` of one lead and answers ``True``, ``False`` or ``None``
(unknown: a value it needs is missing). ``and``/``or``/``not`` follow three-valued logic, and
only ``True`` counts as a match, so a missing field never makes a rule fire by accident, not
even under ``not``; ask for it with ``is missing``.

Every condition form (:data:`~leadflow.rules._syntax.nodes.Condition`) is handled in
:meth:`Compiler.condition` by one ``match`` ending in ``assert_never``: a new form that is not
compiled here fails mypy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any, assert_never

from leadflow.rules._check.implication import WorkBudget
from leadflow.rules._check.scope import GRADES, Check, article
from leadflow.rules._compile.clauses import Clause, Reads, clause
from leadflow.rules._compile.points import (
    Fuser,
    activity_points,
    between_points,
    membership_points,
    operator_points,
    ranked_points,
    same_points,
)
from leadflow.rules._compile.predicates import (
    Test,
    activity_test,
    all_of,
    all_of_scores,
    any_of,
    comparable,
    membership,
    negate,
    never,
    operator,
)
from leadflow.rules._facts import ORDERED_LEVELS
from leadflow.rules._syntax import nodes

__all__ = ("Compiler", "Test", "references")

_NUMBER_OPS = {"<", "<=", ">", ">=", "is", "is not", "between", "in", "not in"}
_TEXT_OPS = {"is", "is not", "in", "not in", "contains", "starts with", "ends with"}
_LEVEL_OPS = {"is", "is not", "in", "not in", "at least", "at most"}


@dataclass
class Compiler(Check):
    """A :class:`~leadflow.rules._check.scope.Check` that compiles the conditions it checks."""

    # compiled simple conditions -> how to turn them into value rules (see points.py)
    fusers: dict[Test, Fuser] = field(default_factory=dict)
    # compiled comparisons of a score with a number -> (op, "$score", number)
    score_comparisons: dict[Test, tuple[str, str, float]] = field(default_factory=dict)
    # compiled conditions that read nothing but scores -> the comparisons they join by "and"
    on_scores: dict[Test, tuple[tuple[str, str, float], ...]] = field(default_factory=dict)
    # the never-match check's budget of work for the whole rule set (see _check/reach.py)
    work: WorkBudget = field(default_factory=WorkBudget)
    # each condition node compiled (by id, while the statements live) -> its test, and each
    # comparison -> the fact it reads and its values: the why-not clauses (see clauses.py)
    tests: dict[int, Test] = field(default_factory=dict)
    reads: dict[int, Reads] = field(default_factory=dict)

    def clause(self, cond: nodes.Condition) -> Clause:
        """``cond``, compiled before, as a :class:`Clause` for the why-not explanations."""
        return clause(cond, self.tests, self.reads)

    def fusable(self, test: Test, fuser: Fuser) -> Test:
        """Remember how to turn ``test`` into a value rule; return it."""
        self.fusers[test] = fuser
        return test

    # -- conditions ----------------------------------------------------------------------------
    def condition(self, cond: nodes.Condition) -> Test:
        """Check ``cond`` and compile it; on errors, a test that never matches."""
        test = self.tests[id(cond)] = self.form(cond)
        return test

    def form(self, cond: nodes.Condition) -> Test:
        """:meth:`condition`, one form at a time."""
        match cond:
            case nodes.AllOf():
                tests = tuple(self.condition(c) for c in cond.items)
                found = self.score_comparisons
                if all(t in found for t in tests):
                    comparisons = tuple(found[t] for t in tests)
                    test = all_of_scores(comparisons)
                    self.on_scores[test] = comparisons
                    return test
                return all_of(tests)
            case nodes.AnyOf():
                return any_of(tuple(self.condition(c) for c in cond.items))
            case nodes.Negation():
                return negate(self.condition(cond.item))
            case nodes.ActivityTest():
                return self.activity(cond)
            case nodes.GradeCount():
                return self.grade_count(cond)
            case nodes.Compare():
                return self.compare(cond)
            case nodes.KnockedOut():
                return self.knocked_out(cond)
            case _:
                assert_never(cond)

    def knocked_out(self, cond: nodes.KnockedOut) -> Test:
        if not self.allow_knockouts:
            self.error(
                cond.pos,
                "'knocked out' can be used only in temperature, mql and qualification rules "
                "(knock-outs are decided after the scores and grades)",
            )
            return never
        return _knocked_out

    def activity(self, test: nodes.ActivityTest) -> Test:
        if test.kind not in self.kinds:
            if test.count == 1 and test.window is None:
                resolved = self.resolve_bare(test)
                if resolved is not None:
                    return resolved
                return never
            if test.kind in self.field_types:
                self.error(
                    test.pos,
                    f"'{test.kind}' is a lead field, not an activity; 'within' and 'times' "
                    "apply to activities",
                )
                return never
            self.error(
                test.pos,
                f"unknown activity kind '{test.kind}'{self.suggest(test.kind, self.kinds)}",
            )
            return never
        key = "@" + test.kind
        self.used.setdefault(key, test.pos)
        return self.fusable(
            activity_test(key, test.count, test.window),
            partial(activity_points, test.kind, test.count, test.window),
        )

    def resolve_bare(self, test: nodes.ActivityTest) -> Test | None:
        """A bare name that is not an activity: a yes/no field, or an error."""
        if self.field_types.get(test.kind) == "flag":
            key = test.kind
            self.used.setdefault(key, test.pos)
            return lambda f: None if (v := f[key]) is None else v is True
        if test.kind in self.field_types or test.kind in self.scores or test.kind in self.grades:
            self.error(
                test.pos,
                f"'{test.kind}' alone is not a condition; compare it, e.g. '{test.kind} is set'",
            )
            return None
        hint = self.suggest(test.kind, lambda: self.kinds | set(self.field_types))
        self.error(test.pos, f"unknown activity kind or field '{test.kind}'{hint}")
        return None

    def grade_count(self, cond: nodes.GradeCount) -> Test:
        if not self.allow_scores or not self.grades:
            self.error(
                cond.pos,
                "counting grades needs 'grade' blocks, and can be used only in "
                "temperature, mql, knockout and qualification rules",
            )
            return never
        if cond.grade not in GRADES:
            self.error(cond.pos, f"unknown grade '{cond.grade}'; grades are A to F")
            return never
        keys = tuple("%" + g for g in sorted(self.grades))
        accepted = frozenset(
            GRADES[: GRADES.index(cond.grade) + 1] if cond.or_better else cond.grade
        )
        count = cond.count

        def test(f: dict[str, Any]) -> bool:
            return sum(1 for k in keys if f[k] in accepted) >= count

        return test

    def compare(self, cond: nodes.Compare) -> Test:
        resolved = self.resolve(cond.name, cond.pos)
        if resolved is None:
            return never
        key, type_ = resolved
        op, name = cond.op, cond.name
        if op in {"is missing", "is set"}:
            if type_ in {"number", "grade", "temperature", "criterion"} and key[0] in "$%!?":
                self.error(cond.pos, f"'{name}' always has a value; '{op}' applies to lead fields")
                return never
            want_missing = op == "is missing"
            self.used.setdefault(key, cond.pos)
            self.reads[id(cond)] = (key, type_, ())
            return lambda f: (f[key] is None) is want_missing
        if (
            type_ == "email"
            and op in {"is", "is not"}
            and self.value(cond.values[0]).kind == "name"
        ):
            word = self.value(cond.values[0]).value
            if word not in {"freemail", "business"}:
                self.error(
                    cond.values[0].pos,
                    f"an email is 'freemail' or 'business', not '{word}'"
                    f"{self.suggest(str(word), ('freemail', 'business'))}",
                )
                return never
            free = (word == "freemail") is (op == "is")
            self.reads[id(cond)] = ("@freemail", "email", (word,))
            self.used.setdefault("@freemail", cond.pos)
            return self.fusable(
                lambda f: f["@freemail"] is free, partial(same_points, "@freemail", free)
            )
        if type_ == "criterion":
            return self.criterion(cond, key)
        allowed = {
            "number": _NUMBER_OPS,
            "text": _TEXT_OPS,
            "email": _TEXT_OPS,
            "list": {"contains"},
            "seniority": _LEVEL_OPS,
            "buying_role": _LEVEL_OPS,
            "grade": _LEVEL_OPS,
            "temperature": {"is", "is not", "in", "not in"},
            "flag": {"is", "is not"},
            "time": set(),
        }[type_]
        if type_ == "buying_role":
            allowed = allowed - {"at least", "at most"}
        if op not in allowed:
            hint = ", ".join(sorted(allowed | {"is missing", "is set"}))
            if type_ == "number" and op in {"at least", "at most"}:
                hint = "'>=' or '<='"
            self.error(
                cond.pos, f"'{op}' does not apply to {name}, which is {article(type_)}; use {hint}"
            )
            return never
        return self.compile_op(cond, key, type_)

    def compile_op(self, cond: nodes.Compare, key: str, type_: str) -> Test:
        op, name = cond.op, cond.name
        folded = type_ in {"text", "email", "list"}
        if folded:
            key = "~" + key
        self.used.setdefault(key, cond.pos)
        if op in {"in", "not in"}:
            target = cond.values[0]
            # a named list is checked once per type, however many rules use it
            known = (str(target.value), type_) if target.kind == "name" else None
            wanted = self.list_values.get(known) if known is not None else None
            if wanted is None:
                items = self.items(target)
                if items is None:
                    return never
                wanted = frozenset(self.expect(i, type_, name) for i in items)
                if known is not None:
                    self.list_values[known] = wanted
            inside = op == "in"
            self.reads[id(cond)] = (key, type_, (wanted,))
            return self.fusable(
                membership(key, wanted, inside=inside),
                partial(membership_points, key, wanted, inside),
            )
        values = [self.expect(v, type_, name) for v in cond.values]
        if any(v is None for v in values):
            return never
        self.reads[id(cond)] = (key, type_, tuple(values))
        if op == "between":
            low, high = values
            return self.fusable(
                lambda f: None if (v := f[key]) is None else low <= v <= high,
                partial(between_points, key, low, high),
            )
        if op in {"at least", "at most"}:
            order = GRADES[::-1] if type_ == "grade" else ORDERED_LEVELS[type_]
            rank = {level: i for i, level in enumerate(order)}
            bound = rank[values[0]]
            fuser = partial(ranked_points, key, rank, bound, op == "at least")
            if op == "at least":
                return self.fusable(
                    lambda f: None if (v := f[key]) is None else rank[v] >= bound, fuser
                )
            return self.fusable(
                lambda f: None if (v := f[key]) is None else rank[v] <= bound, fuser
            )
        test = self.fusable(
            operator(op, key, values[0], type_), partial(operator_points, op, key, values[0])
        )
        if key[:1] == "$" and comparable(op):
            self.score_comparisons[test] = (op, key, values[0])
            self.on_scores[test] = ((op, key, values[0]),)
        return test

    def criterion(self, cond: nodes.Compare, key: str) -> Test:
        answers = self.criteria[cond.name]
        if cond.op in {"at least", "at most"} or (
            cond.op in {"is", "is not"} and self.value(cond.values[0]).kind == "grade"
        ):
            grade_key = key + "%"
            proxy = nodes.Compare(cond.name, cond.op, cond.values, cond.pos)
            test = self.compile_op(proxy, grade_key, "grade")
            if id(proxy) in self.reads:
                self.reads[id(cond)] = self.reads.pop(id(proxy))
            return test
        if cond.op not in {"is", "is not", "in", "not in"}:
            self.error(
                cond.pos,
                f"'{cond.op}' does not apply to the criterion {cond.name}; use "
                "is, is not, in, at least (a grade) or at most (a grade)",
            )
            return never
        items = (self.items(cond.values[0]) if cond.op in {"in", "not in"} else cond.values) or ()
        wanted = set()
        for item in items:
            if item.kind == "flag":  # an answer may be called yes or no
                item = nodes.Literal("name", "yes" if item.value else "no", item.pos)
            if item.kind != "name" or item.value not in answers:
                self.error(
                    item.pos,
                    f"'{cond.name}' is answered with one of "
                    f"{', '.join(answers)}{self.suggest(str(item.value), answers)}",
                )
                return never
            wanted.add(str(item.value))
        self.reads[id(cond)] = (key, "criterion", (frozenset(wanted),))
        return membership(key, frozenset(wanted), inside=cond.op in {"is", "in"})


def _knocked_out(f: dict[str, Any]) -> bool:
    return f["!knocked_out"] is True


def references(cond: nodes.Condition) -> tuple[str, ...]:
    """Names a condition reads, in order of appearance (for the values shown by explain)."""
    found: list[str] = []
    stack: list[nodes.Condition] = [cond]
    while stack:
        node = stack.pop()
        match node:
            case nodes.AllOf() | nodes.AnyOf():
                stack.extend(reversed(node.items))
            case nodes.Negation():
                stack.append(node.item)
            case nodes.Compare():
                found.append(node.name)
            case nodes.ActivityTest():
                found.append(node.kind)
            case nodes.GradeCount() | nodes.KnockedOut():
                pass  # reads the grades or knock-outs, shown by their own lines
            case _:
                assert_never(node)
    return tuple(dict.fromkeys(found))
