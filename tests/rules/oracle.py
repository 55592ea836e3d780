"""A slow, obviously-correct interpreter of compiled rules: the oracle the engine is tested against.

It evaluates a :class:`~leadflow.rules._compile.program.Program` the plain way: every fact of a
lead computed through :class:`~leadflow.rules._facts.Facts`, every condition's predicate called
line by line, the points added up block by block. It shares the compiled predicates with the
engine but none of the engine's preparation (value rules, tables, activity counts in one pass,
classification in line, the light path). It lives in ``tests/`` and only here: the library has
one evaluator, :class:`~leadflow.rules._engine.engine.Engine`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from leadflow.errors import RuleEvaluationError
from leadflow.lead import Lead
from leadflow.rules import Contribution, Decision, Evaluation, RuleSet
from leadflow.rules._compile.program import CBranch, CRule, CScore, Program
from leadflow.rules._engine.totals import weighted
from leadflow.rules._facts import Facts, activity_ages

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def facts(program: Program, lead: Lead, now: datetime) -> Facts:
    """Every fact the rules read up front, the rest on first use."""
    now_ts = now.timestamp()
    f = Facts(lead, now_ts, program.getters)
    try:
        for key, get in program.plan:
            f[key] = get(lead)
    except RuleEvaluationError as error:
        raise program.located(error) from None
    if program.activities:
        f["@@"] = True
        f.update(activity_ages(lead, now_ts, program.activities))
    return f


def rule_points(rule: CRule, f: Facts, factor: float | None, period: float | None) -> float:
    """What one scoring line gives."""
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
    assert rule.test is not None
    if rule.test(f) is not True:
        return 0.0
    if rule.decays and rule.count > 0 and factor is not None and period is not None:
        age: float = f[rule.key][rule.count - 1]
        return round(rule.points * float(factor ** (age // period)), 2)
    return rule.points


def run_block(block: CScore, f: Facts, trace: list[tuple[CRule, float]]) -> float:
    """One score for one lead, recording which rules gave how many points."""
    total = 0.0
    if block.formula is not None:
        for weight, term in block.formula:
            total += weighted(weight, f["$" + term])
        trace.extend((rule, weighted(rule.points, f["$" + rule.key])) for rule in block.rules)
        return round(total, 2)
    for rule in block.rules:
        if rule.each or rule.decays:
            points = rule_points(rule, f, block.factor, block.period)
            if not points:
                continue
        elif rule.test(f) is not True:  # type: ignore[misc]
            continue
        else:
            points = rule.points
        total += points
        trace.append((rule, points))
    total = round(total, 2)
    if block.at_most is not None and total > block.at_most:
        trace.append((block.limits[0], round(block.at_most - total, 2)))
        total = block.at_most
    if block.at_least is not None and total < block.at_least:
        trace.append((block.limits[1], round(block.at_least - total, 2)))
        total = block.at_least
    return total


def scores_traced(program: Program, f: Facts) -> tuple[dict[str, float], list[tuple[CRule, float]]]:
    """The scores, and which rules gave how many points."""
    trace: list[tuple[CRule, float]] = []
    scores: dict[str, float] = {}
    for block in program.scores:
        scores[block.name] = f["$" + block.name] = run_block(block, f, trace)
    return scores, trace


def record(program: Program, trace: Iterable[tuple[CRule, float]]) -> list[float]:
    """The points of every scoring line of the blocks, in file order, as the engine records
    them: ``0.0`` for a line that did not count, ``-0.0`` for a line worth nothing that did."""
    fired = {id(rule): points for rule, points in trace}
    return [
        0.0 if (points := fired.get(id(rule))) is None else points or -0.0
        for block in program.scores
        if block.formula is None
        for rule in block.rules
    ]


def first_branch(branches: tuple[CBranch, ...], f: Facts) -> CBranch:
    for branch in branches:
        if branch.test is None or branch.test(f) is True:
            return branch
    return branches[-1]


def shown(f: Facts, key: str) -> Any:
    """The value a contribution shows for ``key``, read from the full facts."""
    if key[:1] == "@":
        kind, _, window = key.partition("|")
        ages = f[kind]
        return len(ages) if not window else bisect_right(ages, float(window))
    return f[key]


def contribution(rule: CRule, points: float, f: Facts) -> Contribution:
    """What ``rule`` gave, with the values it looks at."""
    values = tuple((label, shown(f, key)) for label, key in rule.reads)
    return Contribution(rule.score, rule.text, rule.source, rule.line, points, values)


def evaluate(
    rules: RuleSet, lead: Lead, now: datetime, answers: Mapping[str, str] | None = None
) -> Evaluation:
    """The evaluation of ``lead`` at ``now``, line by line (``answers`` already checked).

    The record kept for the contributions names the rule set's engine, as the engine's own
    evaluations do, so that the two compare equal.
    """
    program: Program = rules._program
    f = facts(program, lead, now)
    scores, trace = scores_traced(program, f)
    decisions: list[Decision] = []
    grades: dict[str, str] = {}
    for name, branches in program.grades:
        branch = first_branch(branches, f)
        grades[name] = f["%" + name] = branch.label
        decisions.append(branch.decision)
    knockouts = tuple(hit for test, hit in program.knockouts if test(f) is True)
    f["!knocked_out"] = bool(knockouts)
    temperature: str | None = None
    if program.temperature is not None:
        if knockouts:
            temperature, hit = "cold", knockouts[0]
            reason = f"knocked out: {hit.reason}"
            decisions.append(Decision("temperature", "cold", reason, hit.source, hit.line))
        else:
            branch = first_branch(program.temperature, f)
            temperature = branch.label
            decisions.append(branch.decision)
    f["!temperature"] = temperature
    mql: bool | None = None
    if program.mql is not None:
        mql = not knockouts and program.mql.test(f) is True  # type: ignore[misc]
        rule = program.mql.text if not knockouts else f"knocked out: {knockouts[0].reason}"
        where = program.mql.source, program.mql.line
        decisions.append(Decision("mql", "yes" if mql else "no", rule, *where))
    qualifications = (
        MappingProxyType(
            {q.name: program.qualify(q, f, answers or {}) for q in program.qualifications}
        )
        if program.qualifications
        else _EMPTY
    )
    return Evaluation(
        lead_id=lead.id,
        now=now,
        scores=MappingProxyType(scores),
        trace=(rules._engine, lead, *record(program, trace)),
        grades=MappingProxyType(grades) if grades else _EMPTY,
        knockouts=knockouts,
        temperature=temperature,
        mql=mql,
        qualifications=qualifications,
        decisions=tuple(decisions),
    )
