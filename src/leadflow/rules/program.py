"""A checked rule set compiled to closures, and the loop that evaluates it for one lead."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from leadflow.errors import RuleEvaluationError
from leadflow.lead import Lead
from leadflow.rules.conditions import Test, did_you_mean
from leadflow.rules.contributing import contributions_of, shown_counts
from leadflow.rules.evaluation import (
    Contribution,
    Decision,
    Evaluation,
    KnockoutHit,
    QualificationResult,
)
from leadflow.rules.facts import Facts, Getter, activity_ages
from leadflow.rules.points import CountRule, ValueRule
from leadflow.rules.totals import weighted

__all__ = (
    "CBranch",
    "CQualification",
    "CRule",
    "CScore",
    "Program",
    "first_branch",
    "rule_points",
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
    # (test, points, rule) per rule; no test where the points depend on counts or decay
    steps: tuple[tuple[Test | None, float, CRule], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        steps = tuple(
            (None if rule.each or rule.decays else rule.test, rule.points, rule)
            for rule in self.rules
        )
        object.__setattr__(self, "steps", steps)


@dataclass(frozen=True, slots=True)
class CBranch:
    label: str
    test: Test | None
    text: str
    source: str
    line: int
    what: str = ""
    decision: Decision = field(init=False, repr=False, compare=False)

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


def rule_points(rule: CRule, f: Facts, factor: float | None, period: float | None) -> float:
    if rule.each:
        ages = f[rule.key]
        n = len(ages) if rule.window is None else bisect_right(ages, rule.window)
        if not n:
            return 0.0
        if factor is not None and period is not None:
            points = float(sum(rule.points * factor ** (age // period) for age in ages[:n]))
        else:
            points = rule.points * n
        if rule.cap is not None:
            points = min(points, rule.cap) if rule.points > 0 else max(points, -rule.cap)
        return round(points, 2)
    if rule.test(f) is not True:  # type: ignore[misc]
        return 0.0
    # "at least 0 times" holds without any activity: nothing to age, so no decay
    if rule.decays and rule.count > 0 and factor is not None and period is not None:
        age: float = f[rule.key][rule.count - 1]
        return round(rule.points * float(factor ** (age // period)), 2)
    return rule.points


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
    # per activity kind, the counts the contributions show (see contributing.shown_counts)
    shown_counts: Mapping[str, tuple[tuple[str, float], ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "shown_counts", shown_counts(self.scores))

    def facts(self, lead: Lead, now: datetime) -> Facts:
        return self.facts_at(lead, now.timestamp())

    def facts_at(self, lead: Lead, now_ts: float) -> Facts:
        f = Facts(lead, now_ts, self.getters)
        try:
            for key, get in self.plan:
                f[key] = get(lead)
        except RuleEvaluationError as error:
            raise self.located(error) from None
        if self.activities:
            f["@@"] = True
            f.update(activity_ages(lead, now_ts, self.activities))
        return f

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

    def evaluate(self, lead: Lead, now: datetime, answers: Mapping[str, str]) -> Evaluation:
        """The generic evaluation: the reference :class:`~leadflow.rules.fastpath.FastPath`
        must agree with, and what ``test`` blocks run."""
        f = self.facts(lead, now)
        scores, trace = self.scores_traced(f)
        decisions: list[Decision] = []
        grades: dict[str, str] = {}
        for name, branches in self.grades:
            branch = first_branch(branches, f)
            grades[name] = branch.label
            f["%" + name] = branch.label
            decisions.append(branch.decision)
        knockouts = tuple(hit for test, hit in self.knockouts if test(f) is True)
        temperature: str | None = None
        if self.temperature is not None:
            if knockouts:
                temperature = "cold"
                hit = knockouts[0]
                decisions.append(
                    Decision(
                        "temperature", "cold", f"knocked out: {hit.reason}", hit.source, hit.line
                    )
                )
            else:
                branch = first_branch(self.temperature, f)
                temperature = branch.label
                decisions.append(branch.decision)
        f["!temperature"] = temperature
        mql: bool | None = None
        if self.mql is not None:
            mql = not knockouts and self.mql.test(f) is True  # type: ignore[misc]
            rule = self.mql.text if not knockouts else f"knocked out: {knockouts[0].reason}"
            decisions.append(
                Decision("mql", "yes" if mql else "no", rule, self.mql.source, self.mql.line)
            )
        qualifications = (
            MappingProxyType({q.name: self.qualify(q, f, answers) for q in self.qualifications})
            if self.qualifications
            else _EMPTY
        )
        return Evaluation(
            lead_id=lead.id,
            now=now,
            scores=MappingProxyType(scores),
            trace=(self, lead, *self.record(trace)),
            grades=MappingProxyType(grades) if grades else _EMPTY,
            knockouts=knockouts,
            temperature=temperature,
            mql=mql,
            qualifications=qualifications,
            decisions=tuple(decisions),
        )

    def scores_traced(self, f: Facts) -> tuple[dict[str, float], list[tuple[CRule, float]]]:
        """The scores, and which rules gave how many points (for :meth:`record`)."""
        trace: list[tuple[CRule, float]] = []
        scores: dict[str, float] = {}
        for block in self.scores:
            total = _run(block, f, trace)
            scores[block.name] = total
            f["$" + block.name] = total
        return scores, trace

    def record(self, trace: Iterable[tuple[CRule, float]]) -> list[float]:
        """The points of every scoring line of the blocks (formulas have none), in file order,
        as :class:`~leadflow.rules.fastpath.FastPath` records them while it scores: ``0.0`` for
        a line that did not count, ``-0.0`` for a line worth nothing that counted."""
        fired = {id(rule): points for rule, points in trace}
        return [
            0.0 if (points := fired.get(id(rule))) is None else points or -0.0
            for block in self.scores
            if block.formula is None
            for rule in block.rules
        ]

    def contributions(
        self, lead: Lead, now: datetime, scores: Mapping[str, float], points: Sequence[float]
    ) -> tuple[Contribution, ...]:
        """The contributions an evaluation of ``lead`` at ``now`` recorded (see :meth:`record`).

        Nothing is evaluated again: the lines that counted and their points are those of
        ``points``; a cap or floor line gives the difference between its block's points and
        its score, a formula term its sign times the term's score. Only the values shown are
        read from the lead, as the rules read them.
        """
        return contributions_of(self, lead, now, scores, points)

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


_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _run(block: CScore, f: Facts, trace: list[tuple[CRule, float]] | None) -> float:
    """One score for one lead; with ``trace``, also record which rules gave how many points."""
    total = 0.0
    if block.formula is not None:
        for weight, term in block.formula:
            total += weighted(weight, f["$" + term])
        if trace is not None:
            trace.extend((rule, weighted(rule.points, f["$" + rule.key])) for rule in block.rules)
        return round(total, 2)
    factor, period = block.factor, block.period
    for test, points, rule in block.steps:
        if test is None:
            points = rule_points(rule, f, factor, period)
            if not points:
                continue
        elif test(f) is not True:
            continue
        total += points
        if trace is not None:
            trace.append((rule, points))
    total = round(total, 2)
    at_most, at_least = block.at_most, block.at_least
    if at_most is not None and total > at_most:
        if trace is not None:
            trace.append((block.limits[0], round(at_most - total, 2)))
        total = at_most
    if at_least is not None and total < at_least:
        if trace is not None:
            trace.append((block.limits[1], round(at_least - total, 2)))
        total = at_least
    return total


def first_branch(branches: tuple[CBranch, ...], f: dict[str, Any]) -> CBranch:
    """The first branch whose test holds on the facts ``f`` (a branch without one always does)."""
    for branch in branches:
        test = branch.test
        if test is None or test(f) is True:
            return branch
    return branches[-1]  # pragma: no cover - the checker demands an "otherwise" branch
