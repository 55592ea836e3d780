"""The rule file as frozen values: statements, conditions and their positions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

__all__ = (
    "ActivityDecl",
    "ActivityTest",
    "AllOf",
    "AnyOf",
    "Branch",
    "Compare",
    "Condition",
    "ConstDef",
    "Criterion",
    "Expectation",
    "FieldDecl",
    "GradeBlock",
    "GradeCount",
    "Include",
    "KnockedOut",
    "Knockout",
    "LeadItem",
    "ListDef",
    "Literal",
    "Mql",
    "Negation",
    "Pos",
    "Qualification",
    "Rule",
    "ScoreBlock",
    "ScoreFormula",
    "Statement",
    "Temperature",
    "TestBlock",
    "Use",
)

Scalar: TypeAlias = str | float | bool


@dataclass(frozen=True, slots=True)
class Pos:
    """Where a piece of rule text sits: file, 1-based line and columns, and its text."""

    source: str
    line: int
    column: int
    end_column: int
    text: str


@dataclass(frozen=True, slots=True)
class Literal:
    """A value written in a rule: text, number, yes/no, a bare name or a grade letter."""

    kind: str  # "text" | "number" | "flag" | "name" | "grade" | "list"
    value: Scalar | tuple[Literal, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Compare:
    """A test of one named thing (field, score, grade, criterion) against a value."""

    name: str
    op: str  # < <= > >= is, is not, in, not in, between, at least, at most, contains, ...
    values: tuple[Literal, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class ActivityTest:
    """At least ``count`` activities of ``kind``, within ``window`` seconds before now if set."""

    kind: str
    count: int
    window: float | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class GradeCount:
    """At least ``count`` grades equal to ``grade`` (or better)."""

    count: int
    grade: str
    or_better: bool
    pos: Pos


@dataclass(frozen=True, slots=True)
class KnockedOut:
    """``knocked out``: whether some knock-out fired (read by temperature, mql and pass rules)."""

    pos: Pos


@dataclass(frozen=True, slots=True)
class AllOf:
    items: tuple[Condition, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Condition, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Negation:
    item: Condition
    pos: Pos


Condition: TypeAlias = Compare | ActivityTest | GradeCount | KnockedOut | AllOf | AnyOf | Negation


@dataclass(frozen=True, slots=True)
class Use:
    template: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class Include:
    path: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class ListDef:
    name: str
    items: tuple[Literal, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class ConstDef:
    name: str
    value: Literal
    pos: Pos


@dataclass(frozen=True, slots=True)
class FieldDecl:
    name: str
    type: str
    pos: Pos


@dataclass(frozen=True, slots=True)
class ActivityDecl:
    kinds: tuple[str, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Rule:
    """One scoring line: points when the condition holds, or per occurrence when ``each``."""

    points: float
    condition: Condition
    each: bool
    cap: float | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class ScoreBlock:
    name: str
    rules: tuple[Rule, ...]
    at_most: float | None
    at_least: float | None
    decay_factor: float | None  # remaining share per period, e.g. 0.5 for "half"
    decay_period: float | None  # seconds
    decay_text: str
    limit_lines: tuple[int, int]  # lines of "at most" and "at least" (0 when absent)
    pos: Pos


@dataclass(frozen=True, slots=True)
class ScoreFormula:
    name: str
    terms: tuple[tuple[float, str, Pos], ...]  # (weight with its sign, score name, position)
    pos: Pos


@dataclass(frozen=True, slots=True)
class Knockout:
    reason: str
    condition: Condition
    pos: Pos


@dataclass(frozen=True, slots=True)
class Branch:
    """``label when condition`` or ``label otherwise`` (condition ``None``)."""

    label: str
    condition: Condition | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class Temperature:
    branches: tuple[Branch, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Mql:
    condition: Condition
    pos: Pos


@dataclass(frozen=True, slots=True)
class GradeBlock:
    name: str
    branches: tuple[Branch, ...]
    pos: Pos


@dataclass(frozen=True, slots=True)
class Criterion:
    name: str
    answers: tuple[tuple[str, str], ...]  # (answer, grade)
    pos: Pos


@dataclass(frozen=True, slots=True)
class Qualification:
    name: str
    criteria: tuple[Criterion, ...]
    passes: Condition | None
    pass_pos: Pos | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class LeadItem:
    """One ``name value`` of a test lead; activities carry ``count`` and ``ago`` seconds."""

    name: str
    value: Literal | None
    count: int
    ago: float | None
    pos: Pos


@dataclass(frozen=True, slots=True)
class Expectation:
    what: str  # "score" | "temperature" | "mql" | "grade" | "knockout" | "no knockout" | "qualification"
    name: str
    value: Scalar
    pos: Pos


@dataclass(frozen=True, slots=True)
class TestBlock:
    name: str
    now: tuple[str, str, str] | None  # date, time, zone
    lead: tuple[LeadItem, ...]
    answers: tuple[tuple[str, str, Pos], ...]
    expectations: tuple[Expectation, ...]
    pos: Pos
    now_pos: Pos | None = None  # the 'now' line


Statement: TypeAlias = (
    Use
    | Include
    | ListDef
    | ConstDef
    | FieldDecl
    | ActivityDecl
    | ScoreBlock
    | ScoreFormula
    | Knockout
    | Temperature
    | Mql
    | GradeBlock
    | Qualification
    | TestBlock
)
