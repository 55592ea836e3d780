"""Checking conditions against what a rule set knows, and compiling them to Python closures.

A compiled condition takes the :class:`~leadflow.rules.facts.Facts` of one lead and answers
``True``, ``False`` or ``None`` (unknown: a value it needs is missing). ``and``/``or``/``not``
follow three-valued logic, and only ``True`` counts as a match, so a missing field never makes a
rule fire by accident, not even under ``not``; ask for it with ``is missing``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from leadflow.errors import RuleSyntaxError
from leadflow.rules import ast
from leadflow.rules.closures import (
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
from leadflow.rules.facts import ORDERED_LEVELS
from leadflow.rules.points import (
    Fuser,
    activity_points,
    between_points,
    membership_points,
    operator_points,
    ranked_points,
    same_points,
)
from leadflow.rules.syntax import MAX_KEPT, did_you_mean, error_at

if TYPE_CHECKING:
    from leadflow.rules.implication import WorkBudget

__all__ = ("GRADES", "TEMPERATURES", "Check", "Test", "did_you_mean")


GRADES = "ABCDEF"
"""Grade letters, best first."""

TEMPERATURES = ("hot", "warm", "cold")
"""The temperatures a lead can have; SLA policies key their response times on them."""

SUGGESTED = 50
"""Errors that get a "did you mean" (the message shows the first 20)."""

_NUMBER_OPS = {"<", "<=", ">", ">=", "is", "is not", "between", "in", "not in"}
_TEXT_OPS = {"is", "is not", "in", "not in", "contains", "starts with", "ends with"}
_LEVEL_OPS = {"is", "is not", "in", "not in", "at least", "at most"}


@dataclass
class Check:
    """What names mean in one rule set, and the errors found so far."""

    texts: Mapping[str, str]
    field_types: dict[str, str]
    kinds: set[str]
    lists: dict[str, ast.ListDef] = field(default_factory=dict)
    consts: dict[str, ast.ConstDef] = field(default_factory=dict)
    scores: set[str] = field(default_factory=set)
    grades: set[str] = field(default_factory=set)
    criteria: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[RuleSyntaxError] = field(default_factory=list)  # the first MAX_KEPT
    omitted: int = 0  # errors found beyond MAX_KEPT, counted but not built
    work: WorkBudget | None = None  # the never-match check's budget for the whole rule set
    # (named list, type) -> its values as that type, checked once
    list_values: dict[tuple[str, str], frozenset[Any]] = field(default_factory=dict)
    used: dict[str, ast.Pos] = field(default_factory=dict)  # fact key -> first reader
    temperature_refs: list[ast.Pos] = field(default_factory=list)
    # compiled simple conditions -> how to turn them into value rules (see points.py)
    fusers: dict[Test, Fuser] = field(default_factory=dict)
    # compiled comparisons of a score with a number -> (op, "$score", number)
    score_comparisons: dict[Test, tuple[str, str, float]] = field(default_factory=dict)
    # compiled conditions that read nothing but scores -> the comparisons they join by "and"
    on_scores: dict[Test, tuple[tuple[str, str, float], ...]] = field(default_factory=dict)
    # what the condition being compiled may refer to
    allow_scores: bool = False
    allow_temperature: bool = False
    allow_criteria: bool = False

    def fusable(self, test: Test, fuser: Fuser) -> Test:
        """Remember how to turn ``test`` into a value rule; return it."""
        self.fusers[test] = fuser
        return test

    def suggest(self, name: str, candidates: Iterable[str] | Callable[[], Iterable[str]]) -> str:
        """:func:`did_you_mean`, while the errors found are few enough to be shown (beyond
        :data:`SUGGESTED` errors, no suggestion: a file full of errors stays quick to check).
        ``candidates`` may be a function giving them, called only when a suggestion is made."""
        if len(self.errors) >= SUGGESTED:
            return ""
        return did_you_mean(name, candidates() if callable(candidates) else candidates)

    @property
    def found(self) -> int:
        """How many errors were found so far, kept or not."""
        return len(self.errors) + self.omitted

    def error(self, pos: ast.Pos, message: str) -> None:
        if len(self.errors) >= MAX_KEPT:
            self.omitted += 1
            return
        text = self.texts.get(pos.source, "")
        self.errors.append(
            error_at(text, pos.source, pos.line, pos.column, message, end_column=pos.end_column)
        )

    # -- names ---------------------------------------------------------------------------------
    def known_names(self) -> set[str]:
        names = set(self.field_types) | self.kinds | set(self.consts) | set(self.lists)
        if self.allow_scores:
            names |= self.scores | self.grades
        if self.allow_temperature:
            names.add("temperature")
        if self.allow_criteria:
            names |= set(self.criteria) | {"positive"}
        return names

    def resolve(self, name: str, pos: ast.Pos) -> tuple[str, str] | None:
        """The fact key and type of ``name``, or ``None`` after reporting why it is unknown."""
        if self.allow_criteria and name in self.criteria:
            return "?" + name, "criterion"
        if self.allow_criteria and name == "positive":
            return "?positive", "number"
        if name in self.scores or name in self.grades:
            if not self.allow_scores:
                self.error(
                    pos,
                    f"'{name}' cannot be used inside a score block; use it in "
                    "temperature, mql, grade, knockout or qualification rules",
                )
                return None
            return ("$" + name, "number") if name in self.scores else ("%" + name, "grade")
        if name == "temperature" and self.allow_temperature:
            self.temperature_refs.append(pos)
            return "!temperature", "temperature"
        if name in self.field_types:
            return name, self.field_types[name]
        if name in self.kinds:
            self.error(
                pos,
                f"'{name}' is an activity; test it as '{name} within 30 days' or "
                f"'{name} at least 2 times within 30 days'",
            )
            return None
        self.error(pos, f"unknown name '{name}'{self.suggest(name, self.known_names)}")
        return None

    # -- values --------------------------------------------------------------------------------
    def value(self, literal: ast.Literal) -> ast.Literal:
        """Replace a constant's name by its value."""
        if literal.kind == "name" and literal.value in self.consts:
            return self.consts[str(literal.value)].value
        return literal

    def items(self, literal: ast.Literal) -> tuple[ast.Literal, ...] | None:
        """The items of an inline list or a named list."""
        if literal.kind == "list":
            return tuple(self.value(i) for i in list_items(literal))
        if literal.kind == "name" and literal.value in self.lists:
            return tuple(self.value(i) for i in self.lists[str(literal.value)].items)
        self.error(
            literal.pos,
            f"unknown list '{literal.value}'{self.suggest(str(literal.value), self.lists)}",
        )
        return None

    def expect(self, literal: ast.Literal, type_: str, what: str) -> Any:
        """The Python value of ``literal`` if it fits a fact of ``type_``, else report it."""
        literal = self.value(literal)
        kind, value = literal.kind, literal.value
        if type_ in {"number"} and kind == "number":
            return value
        if type_ in {"text", "email", "list"} and kind == "text":
            return str(value).casefold()
        if type_ == "flag" and kind == "flag":
            return value
        if type_ in ORDERED_LEVELS and kind == "name":
            levels = ORDERED_LEVELS[type_]
            if value in levels and value != "unknown":
                return value
            self.error(
                literal.pos,
                f"unknown {type_.replace('_', ' ')} '{value}'; expected one of "
                f"{', '.join(lv for lv in levels if lv != 'unknown')}"
                f"{self.suggest(str(value), levels)}",
            )
            return None
        if type_ == "grade" and kind == "grade":
            if str(value) in GRADES:
                return value
            self.error(literal.pos, f"unknown grade '{value}'; grades are A to F")
            return None
        if type_ == "temperature" and kind == "name":
            if value in TEMPERATURES:
                return value
            self.error(
                literal.pos,
                f"unknown temperature '{value}'; expected hot, warm or cold"
                f"{self.suggest(str(value), TEMPERATURES)}",
            )
            return None
        if (
            kind == "name"
            and type_ == "number"
            and (close := self.suggest(str(value), self.consts))
        ):
            self.error(
                literal.pos,
                f"unknown constant '{value}'{close}; {what} is a number, so compare it with "
                "a number or a constant",
            )
            return None
        if kind == "name" and type_ in {"text", "email", "list"}:
            close = self.suggest(str(value), self.consts)
            self.error(
                literal.pos,
                f"unknown constant '{value}'{close}; to compare {what} with text, "
                f'write it in quotes: "{value}"',
            )
            return None
        shown = {
            "text": f'text "{value}"',
            "number": f"the number {_num(value)}",
            "flag": "yes/no",
            "grade": f"grade {value}",
            "list": "a list",
            "name": f"'{value}'",
        }[kind]
        self.error(literal.pos, f"{what} is {_article(type_)}; it cannot be compared with {shown}")
        return None

    # -- conditions ----------------------------------------------------------------------------
    def condition(self, cond: ast.Condition) -> Test:
        """Check ``cond`` and compile it; on errors, a test that never matches."""
        if isinstance(cond, ast.AllOf):
            tests = tuple(self.condition(c) for c in cond.items)
            found = self.score_comparisons
            if all(t in found for t in tests):
                comparisons = tuple(found[t] for t in tests)
                test = all_of_scores(comparisons)
                self.on_scores[test] = comparisons
                return test
            return all_of(tests)
        if isinstance(cond, ast.AnyOf):
            return any_of(tuple(self.condition(c) for c in cond.items))
        if isinstance(cond, ast.Negation):
            return negate(self.condition(cond.item))
        if isinstance(cond, ast.ActivityTest):
            return self.activity(cond)
        if isinstance(cond, ast.GradeCount):
            return self.grade_count(cond)
        return self.compare(cond)

    def activity(self, test: ast.ActivityTest) -> Test:
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

    def resolve_bare(self, test: ast.ActivityTest) -> Test | None:
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

    def grade_count(self, cond: ast.GradeCount) -> Test:
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

    def compare(self, cond: ast.Compare) -> Test:
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
                cond.pos, f"'{op}' does not apply to {name}, which is {_article(type_)}; use {hint}"
            )
            return never
        return self.compile_op(cond, key, type_)

    def compile_op(self, cond: ast.Compare, key: str, type_: str) -> Test:
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
            return self.fusable(
                membership(key, wanted, inside=inside),
                partial(membership_points, key, wanted, inside),
            )
        values = [self.expect(v, type_, name) for v in cond.values]
        if any(v is None for v in values):
            return never
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

    def criterion(self, cond: ast.Compare, key: str) -> Test:
        answers = self.criteria[cond.name]
        if cond.op in {"at least", "at most"} or (
            cond.op in {"is", "is not"} and self.value(cond.values[0]).kind == "grade"
        ):
            grade_key = key + "%"
            proxy = ast.Compare(cond.name, cond.op, cond.values, cond.pos)
            return self.compile_op(proxy, grade_key, "grade")
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
                item = ast.Literal("name", "yes" if item.value else "no", item.pos)
            if item.kind != "name" or item.value not in answers:
                self.error(
                    item.pos,
                    f"'{cond.name}' is answered with one of "
                    f"{', '.join(answers)}{self.suggest(str(item.value), answers)}",
                )
                return never
            wanted.add(str(item.value))
        return membership(key, frozenset(wanted), inside=cond.op in {"is", "in"})


def list_items(literal: ast.Literal) -> tuple[ast.Literal, ...]:
    """The items of a list literal (empty for any other literal)."""
    value = literal.value
    return tuple(v for v in value if isinstance(v, ast.Literal)) if isinstance(value, tuple) else ()


def _article(type_: str) -> str:
    return {
        "number": "a number",
        "text": "text",
        "email": "an email address",
        "list": "a list of texts",
        "seniority": "a seniority level",
        "buying_role": "a buying role",
        "grade": "a grade",
        "temperature": "a temperature",
        "flag": "yes or no",
        "time": "a point in time",
        "criterion": "a qualification criterion",
    }.get(type_, type_)


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def references(cond: ast.Condition) -> tuple[str, ...]:
    """Names a condition reads, in order of appearance (for the values shown by explain)."""
    found: list[str] = []
    stack: list[ast.Condition] = [cond]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.AllOf | ast.AnyOf):
            stack.extend(reversed(node.items))
        elif isinstance(node, ast.Negation):
            stack.append(node.item)
        elif isinstance(node, ast.Compare):
            found.append(node.name)
        elif isinstance(node, ast.ActivityTest):
            found.append(node.kind)
    return tuple(dict.fromkeys(found))
