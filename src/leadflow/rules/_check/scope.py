"""What the names of a rule file mean, and the errors found so far: the checker's scope.

:class:`Check` resolves a name to the fact it reads and its type, replaces constants by their
values, checks a written value against the type it is compared with, and collects every error
(with a "did you mean" while they are few). The names are declared by
:mod:`leadflow.rules._check.names`; the conditions are checked and compiled by
:class:`leadflow.rules._compile.conditions.Compiler`, a :class:`Check` that also compiles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from leadflow.errors import RuleSyntaxError
from leadflow.rules._facts import ORDERED_LEVELS
from leadflow.rules._syntax import nodes
from leadflow.rules._syntax.parser import MAX_KEPT, did_you_mean, error_at

__all__ = (
    "GRADES",
    "SUGGESTED",
    "TEMPERATURES",
    "Check",
    "article",
    "did_you_mean",
    "list_items",
)


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
    """What names mean in one rule set, and the errors found so far.

    The fields below ``errors`` fill while the conditions are checked (see
    :class:`~leadflow.rules._compile.conditions.Compiler`); ``allow_*`` say what the condition
    being checked may refer to.
    """

    texts: Mapping[str, str]
    field_types: dict[str, str]
    kinds: set[str]
    lists: dict[str, nodes.ListDef] = field(default_factory=dict)
    consts: dict[str, nodes.ConstDef] = field(default_factory=dict)
    scores: set[str] = field(default_factory=set)
    grades: set[str] = field(default_factory=set)
    criteria: dict[str, dict[str, str]] = field(default_factory=dict)
    errors: list[RuleSyntaxError] = field(default_factory=list)  # the first MAX_KEPT
    omitted: int = 0  # errors found beyond MAX_KEPT, counted but not built
    # (named list, type) -> its values as that type, checked once
    list_values: dict[tuple[str, str], frozenset[Any]] = field(default_factory=dict)
    used: dict[str, nodes.Pos] = field(default_factory=dict)  # fact key -> first reader
    temperature_refs: list[nodes.Pos] = field(default_factory=list)
    # what the condition being compiled may refer to
    allow_scores: bool = False
    allow_temperature: bool = False
    allow_criteria: bool = False
    allow_knockouts: bool = False

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

    def error(self, pos: nodes.Pos, message: str) -> None:
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

    def resolve(self, name: str, pos: nodes.Pos) -> tuple[str, str] | None:
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
    def value(self, literal: nodes.Literal) -> nodes.Literal:
        """Replace a constant's name by its value."""
        if literal.kind == "name" and literal.value in self.consts:
            return self.consts[str(literal.value)].value
        return literal

    def items(self, literal: nodes.Literal) -> tuple[nodes.Literal, ...] | None:
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

    def expect(self, literal: nodes.Literal, type_: str, what: str) -> Any:
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
        hint = _quotes_hint(kind, type_, value)
        self.error(
            literal.pos, f"{what} is {article(type_)}; it cannot be compared with {shown}{hint}"
        )
        return None


def _quotes_hint(kind: str, type_: str, value: Any) -> str:
    """``; drop the quotes: director`` for a level, grade or temperature written as text."""
    if kind == "text" and type_ in {"seniority", "buying_role", "grade", "temperature"}:
        return f"; drop the quotes: {value}" if str(value).strip() else "; drop the quotes"
    return ""


def list_items(literal: nodes.Literal) -> tuple[nodes.Literal, ...]:
    """The items of a list literal (empty for any other literal)."""
    value = literal.value
    return (
        tuple(v for v in value if isinstance(v, nodes.Literal)) if isinstance(value, tuple) else ()
    )


def article(type_: str) -> str:
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
