"""A checked rule set compiled to predicates: what :mod:`leadflow.rules._engine` runs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from leadflow.errors import RuleEvaluationError
from leadflow.rules._check.scope import did_you_mean
from leadflow.rules._compile.clauses import Clause
from leadflow.rules._compile.points import CountRule, ValueRule
from leadflow.rules._compile.predicates import Test
from leadflow.rules._facts import Facts, Getter
from leadflow.rules.results import Decision, KnockoutHit, QualificationResult

__all__ = (
    "CBranch",
    "CQualification",
    "CRule",
    "CScore",
    "Program",
    "first_branch",
)


@dataclass(frozen=True, slots=True)
class CRule:
    """One compiled scoring line (or a cap, floor or formula term, to show in explain)."""

    score: str
    points: float
    test: Test | None  # None for "each" rules
    key: str  # "@kind" of the activity it counts or ages, or ""
    window: float | None
    count: int
    each: bool
    cap: float | None
    decays: bool
    reads: tuple[tuple[str, str], ...]  # (label, fact key) shown by explain
    text: str
    source: str
    line: int
    # the value rule of a plain rule whose condition has a simple shape (see points.py)
    fused: ValueRule | CountRule | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class CScore:
    """One compiled score: a block of rules, or a sum of other scores."""

    name: str
    rules: tuple[CRule, ...]
    at_most: float | None
    at_least: float | None
    factor: float | None
    period: float | None
    formula: tuple[tuple[float, str], ...] | None  # (weight, score) per term
    source: str
    line: int
    limits: tuple[CRule, CRule]  # "at most" and "at least" lines, as shown by explain


@dataclass(frozen=True, slots=True)
class CBranch:
    label: str
    test: Test | None
    text: str
    source: str
    line: int
    what: str = ""
    decision: Decision = field(init=False, repr=False, compare=False)
    clause: Clause | None = field(default=None, repr=False, compare=False)  # for why-not

    def __post_init__(self) -> None:
        decision = Decision(self.what, self.label, self.text, self.source, self.line)
        object.__setattr__(self, "decision", decision)


@dataclass(frozen=True, slots=True)
class CQualification:
    name: str
    criteria: tuple[tuple[str, Mapping[str, str]], ...]
    test: Test
    text: str
    source: str
    line: int
    clause: Clause | None = field(default=None, repr=False, compare=False)  # for why-not


@dataclass(frozen=True, slots=True)
class Program:
    """Everything a rule set does, in evaluation order."""

    getters: Mapping[str, Getter]
    plan: tuple[tuple[str, Getter], ...]  # facts every evaluation needs, computed up front
    activities: Mapping[str, str]  # kind -> "@kind" for the kinds the rules read
    readers: Mapping[str, tuple[str, str, int, int]]  # custom field -> first rule reading it
    scores: tuple[CScore, ...]
    grades: tuple[tuple[str, tuple[CBranch, ...]], ...]
    knockouts: tuple[tuple[Test, KnockoutHit], ...]
    temperature: tuple[CBranch, ...] | None
    mql: CBranch | None
    qualifications: tuple[CQualification, ...]
    sources: tuple[str, ...] = ()  # files read, the loaded one first
    # (source, line) of every statement, includes and templates in place (for explain's order)
    places: tuple[tuple[str, int], ...] = ()
    # conditions that read nothing but scores -> the comparisons they join by "and"
    on_scores: Mapping[Test, tuple[tuple[str, str, float], ...]] = field(default_factory=dict)
    # the condition of each knock-out, in the order of ``knockouts`` (for why-not)
    knockout_clauses: tuple[Clause, ...] = ()

    def located(self, error: RuleEvaluationError) -> RuleEvaluationError:
        """The same error, naming the first rule that reads the field."""
        field = error.field or ""
        reader = self.readers.get(field) or self.readers.get("~" + field)
        if reader is None:  # pragma: no cover - every planned custom fact has a reader
            return error
        text, source, line, column = reader
        return RuleEvaluationError(
            f"{source}:{line}:{column}: {error.message} (read by '{text}')",
            rule=text,
            field=field,
            line=line,
            column=column,
            value=error.context.get("value"),
        )

    def qualify(
        self, q: CQualification, f: Facts, answers: Mapping[str, str]
    ) -> QualificationResult:
        given: dict[str, str] = {}
        grades: dict[str, str] = {}
        for criterion, scale in q.criteria:
            answer = answers.get(criterion, "unknown")
            given[criterion] = answer
            grades[criterion] = scale[answer]
            f["?" + criterion] = answer
            f["?" + criterion + "%"] = scale[answer]
        positive = sum(1 for g in grades.values() if g in "AB")
        f["?positive"] = float(positive)
        passed = q.test(f) is True
        return QualificationResult(
            q.name,
            passed,
            MappingProxyType(given),
            MappingProxyType(grades),
            positive,
            q.text,
            q.source,
            q.line,
        )

    def check_answers(self, answers: Mapping[str, str | None]) -> dict[str, str]:
        """Sales' answers as the rules read them, or refuse them.

        An answer is compared without regard to case, with spaces and dashes between words read
        as ``_`` (``"Decision Maker"`` is ``decision_maker``), and ``None`` or blank text (a CRM
        field left empty) is ``unknown``.

        Raises:
            RuleEvaluationError: an answer to an unknown criterion, an answer a criterion does
                not offer, or one that is not text; naming the criterion and its answers.
        """
        scales: dict[str, Mapping[str, str]] = {}
        for q in self.qualifications:
            for criterion, scale in q.criteria:
                scales.setdefault(criterion, scale)
        given: dict[str, str] = {}
        for criterion, raw in answers.items():
            if criterion not in scales:
                known = ", ".join(sorted(scales)) or "none (the rules have no qualification)"
                raise RuleEvaluationError(
                    f"answer for unknown criterion {criterion!r}"
                    f"{did_you_mean(criterion, scales)}; criteria: {known}",
                    field=criterion,
                )
            if raw is not None and not isinstance(raw, str):
                raise RuleEvaluationError(
                    f"the answer for {criterion!r} must be text such as "
                    f"{next(iter(scales[criterion]))!r}, not {raw!r}",
                    field=criterion,
                    value=raw,
                )
            # "Decision Maker" and "decision-maker" from a CRM picklist are decision_maker
            answer = "_".join(re.split(r"[\s\-]+", (raw or "").strip().casefold())) or "unknown"
            for q in self.qualifications:
                for name, s in q.criteria:
                    if name == criterion and answer not in s:
                        raise RuleEvaluationError(
                            f"{criterion!r} cannot be answered {raw!r} in {q.name}; "
                            f"answers: {', '.join(s)}{did_you_mean(answer, s)}",
                            rule=q.name,
                            field=criterion,
                        )
            given[criterion] = answer
        return given


def first_branch(branches: tuple[CBranch, ...], f: dict[str, Any]) -> CBranch:
    """The first branch whose test holds on the facts ``f`` (a branch without one always does)."""
    for branch in branches:
        test = branch.test
        if test is None or test(f) is True:
            return branch
    return branches[-1]  # pragma: no cover - the checker demands an "otherwise" branch
