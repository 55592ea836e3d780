"""The hot path of a rule set: one lead's facts in one pass, one step per rule, a flat result.

:class:`FastPath` evaluates exactly like :meth:`Program.evaluate` (the generic path, kept as the
reference the tests compare it with), but prepares what it can when the rules load: the fact
getters the rules need, the activity counts they read (``#kind|window``), a value rule per
scoring line where the condition has a simple shape (see :mod:`leadflow.rules.points`), and the
decisions a temperature or MQL line can produce. Per lead it reads each needed field once, walks
the activities once (an age only for the kinds some rule counts), runs every scoring line once in
one ``map`` and keeps only the points; contributions are rebuilt from those points when asked for.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from operator import call, itemgetter
from types import MappingProxyType
from typing import Any

from leadflow.errors import RuleEvaluationError
from leadflow.lead import Lead, validate_lead
from leadflow.rules.closures import Test
from leadflow.rules.evaluation import Decision, Evaluation, KnockoutHit
from leadflow.rules.facts import Facts
from leadflow.rules.points import (
    TABLE_SIZE,
    CountRule,
    PointsFn,
    ValueRule,
    each_points,
    points_of,
    tabled,
    window_of,
)
from leadflow.rules.program import CBranch, CRule, CScore, Program, add_up, rule_points

__all__ = ("FastPath",)

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_new = tuple.__new__
_blank = Facts.__new__

_SELF = "*facts"
"""The key under which a facts rule finds the facts themselves (set only while rules run)."""

# name, "$name", its rules' points (a slice of all points; None: all of them), at most,
# at least, formula terms
Span = tuple[str, str, slice | None, float | None, float | None, tuple[tuple[int, str], ...] | None]


def _decayed(rule: CRule, factor: float | None, period: float | None) -> PointsFn:
    def fn(f: dict[str, Any]) -> float | None:
        return rule_points(rule, f, factor, period) or None  # type: ignore[arg-type]

    return fn


def _rule(rule: CRule, block: CScore) -> ValueRule | CountRule:
    """The fact key a scoring line reads and the function of it giving the line's points.

    A value rule where the line allows it, else a facts rule reading :data:`_SELF`.
    """
    decay = block.factor is not None and block.period is not None
    if rule.each:
        if decay:
            return _SELF, _decayed(rule, block.factor, block.period)
        return each_points(rule.key[1:], rule.window, rule.points, rule.cap)
    if rule.decays and decay:
        return _SELF, _decayed(rule, block.factor, block.period)
    if rule.fused is not None:
        return rule.fused
    assert rule.test is not None  # noqa: S101 - plain rules always have a condition
    return _SELF, points_of(rule.test, rule.points)


def _fetch(keys: tuple[str, ...]) -> Callable[[dict[str, Any]], Sequence[Any]]:
    if len(keys) == 1:
        key = keys[0]
        return lambda f: (f[key],)
    return itemgetter(*keys)


def _first(branches: tuple[CBranch, ...], f: dict[str, Any]) -> CBranch:
    for branch in branches:
        test = branch.test
        if test is None or test(f) is True:
            return branch
    return branches[-1]  # pragma: no cover - the checker demands an "otherwise" branch


class FastPath:
    """A :class:`Program` prepared for evaluating many leads quickly."""

    __slots__ = (
        "counted",
        "counts",
        "fetch",
        "fns",
        "grades",
        "knockouts",
        "mql",
        "mql_alone",
        "plan",
        "program",
        "qualifications",
        "selfish",
        "spans",
        "temperature",
    )

    def __init__(self, program: Program) -> None:
        self.program = program
        self.plan = program.plan
        rules: list[ValueRule | CountRule] = []
        spans: list[Span] = []
        for block in program.scores:
            if block.formula is not None:
                spans.append((block.name, "$" + block.name, None, None, None, block.formula))
                continue
            start = len(rules)
            rules.extend(_rule(rule, block) for rule in block.rules)
            part = slice(start, len(rules))
            spans.append((block.name, "$" + block.name, part, block.at_most, block.at_least, None))
        whole = slice(0, len(rules))
        self.spans = tuple(
            (name, key, None if part == whole else part, most, least, formula)
            for name, key, part, most, least, formula in spans
        )
        keys = tuple(rule[0] for rule in rules)
        self.fetch = _fetch(keys) if keys else None
        self.selfish = _SELF in keys
        # each activity count stops where no rule reading it needs more (if that is near)
        limits: dict[str, float] = {}
        for rule in rules:
            if len(rule) == 3:
                limits[rule[0]] = max(limits.get(rule[0], 0), rule[2])
        limits = {key: limit if limit <= TABLE_SIZE else math.inf for key, limit in limits.items()}
        self.fns = tuple(
            tabled(rule[1], int(limits[rule[0]]))
            if len(rule) == 3 and limits[rule[0]] < math.inf
            else rule[1]
            for rule in rules
        )
        counted: dict[str, list[tuple[str, float, float]]] = {}
        for key, limit in sorted(limits.items()):
            kind, window = window_of(key)
            counted.setdefault(kind, []).append((key, window, limit))
        self.counted = {kind: tuple(slots) for kind, slots in counted.items()}
        self.counts = dict.fromkeys(limits, 0)
        self.grades = program.grades
        self.knockouts: tuple[tuple[Test, KnockoutHit], ...] = program.knockouts
        mql = program.mql or CBranch("mql", None, "", "", 0)
        yes = Decision("mql", "yes", mql.text, mql.source, mql.line)
        no = Decision("mql", "no", mql.text, mql.source, mql.line)
        self.mql = program.mql
        self.mql_alone = {True: (yes,), False: (no,), None: ()}
        # per temperature line: its test, its label, and the decisions of a lead it classifies
        # (by MQL outcome), when no grade or knock-out adds decisions of its own
        self.temperature = (
            None
            if program.temperature is None
            else tuple(
                (
                    b.test,
                    b.label,
                    {True: (b.decision, yes), False: (b.decision, no), None: (b.decision,)},
                )
                for b in program.temperature
            )
        )
        self.qualifications = program.qualifications

    def facts(self, lead: Lead, now_ts: float) -> Facts:
        """Every fact the rules read about ``lead``, computed at once (others on first use).

        Raises:
            RuleEvaluationError: a custom field holds a value of the wrong type.
        """
        f = _blank(Facts)
        f.lead, f.now_ts, f.getters = lead, now_ts, self.program.getters
        f.update(self.counts)
        try:
            for key, get in self.plan:
                f[key] = get(lead)
        except RuleEvaluationError as error:
            raise self.program.located(error) from None
        counted = self.counted
        if counted and lead.activities:
            wanted = counted.get
            for activity in lead.activities:
                slots = wanted(activity.kind)
                if slots is not None:
                    age = now_ts - activity.at.timestamp()
                    if age >= 0:
                        for key, window, limit in slots:
                            if age <= window:
                                n = f[key]
                                if n < limit:
                                    f[key] = n + 1
        return f

    def points(self, f: dict[str, Any]) -> list[float | None]:
        """Every scoring line's points (``None`` where a line does not count), in file order."""
        fetch = self.fetch
        if fetch is None:
            return []
        if not self.selfish:
            return list(map(call, self.fns, fetch(f)))
        f[_SELF] = f
        try:
            return list(map(call, self.fns, fetch(f)))
        finally:
            del f[_SELF]  # no reference cycle left behind

    def scores(self, f: dict[str, Any], points: list[float | None]) -> dict[str, float]:
        """The scores, in order, from the lines' points; each also goes into ``f``."""
        scores: dict[str, float] = {}
        for name, key, part, at_most, at_least, formula in self.spans:
            if formula is not None:
                total = 0.0
                for sign, term in formula:
                    total += sign * f["$" + term]
                total = round(total, 2)  # as the generic path does
            else:
                total = add_up(filter(None, points if part is None else points[part]), 0.0)
                if not total.is_integer():
                    total = round(total, 2)
                if at_most is not None and total > at_most:
                    total = at_most
                if at_least is not None and total < at_least:
                    total = at_least
            scores[name] = f[key] = total
        return scores

    def score_many(
        self, leads: Iterable[Lead | Mapping[str, Any]], now: datetime
    ) -> list[dict[str, float]]:
        now_ts = now.timestamp()
        facts, points, scores = self.facts, self.points, self.scores
        out = []
        for lead in leads:
            f = facts(lead if isinstance(lead, Lead) else validate_lead(lead), now_ts)
            out.append(scores(f, points(f)))
        return out

    def evaluate(self, lead: Lead, now: datetime, answers: Mapping[str, str]) -> Evaluation:
        """The same evaluation as :meth:`Program.evaluate`.

        Raises:
            RuleEvaluationError: a custom field holds a value of the wrong type.
        """
        # self.facts, self.points and self.scores written out: this is the hot path
        program = self.program
        now_ts = now.timestamp()
        f = _blank(Facts)
        f.lead, f.now_ts, f.getters = lead, now_ts, program.getters
        f.update(self.counts)
        try:
            for key, get in self.plan:
                f[key] = get(lead)
        except RuleEvaluationError as error:
            raise program.located(error) from None
        counted = self.counted
        if counted and lead.activities:
            wanted = counted.get
            for activity in lead.activities:
                slots = wanted(activity.kind)
                if slots is not None:
                    age = now_ts - activity.at.timestamp()
                    if age >= 0:
                        for key, window, limit in slots:
                            if age <= window:
                                n = f[key]
                                if n < limit:
                                    f[key] = n + 1
        fetch = self.fetch
        if fetch is None:
            points: list[float | None] = []
        elif self.selfish:
            f[_SELF] = f
            try:
                points = list(map(call, self.fns, fetch(f)))
            finally:
                del f[_SELF]
        else:
            points = list(map(call, self.fns, fetch(f)))
        scores: dict[str, float] = {}
        for name, key, part, at_most, at_least, formula in self.spans:
            if formula is not None:
                total = 0.0
                for sign, term in formula:
                    total += sign * f["$" + term]
                total = round(total, 2)
            else:
                total = add_up(filter(None, points if part is None else points[part]), 0.0)
                if not total.is_integer():
                    total = round(total, 2)
                if at_most is not None and total > at_most:
                    total = at_most
                if at_least is not None and total < at_least:
                    total = at_least
            scores[name] = f[key] = total
        decisions: list[Decision] | None = None
        grades: Mapping[str, str] = _EMPTY
        if self.grades:
            decisions = []
            graded: dict[str, str] = {}
            for name, branches in self.grades:
                branch = _first(branches, f)
                graded[name] = f["%" + name] = branch.label
                decisions.append(branch.decision)
            grades = MappingProxyType(graded)
        knockouts: tuple[KnockoutHit, ...] = ()
        if self.knockouts:
            knockouts = tuple(hit for test, hit in self.knockouts if test(f) is True)
        temperature: str | None = None
        outcomes: Mapping[bool | None, tuple[Decision, ...]] = self.mql_alone
        if self.temperature is not None:
            if knockouts:
                temperature = "cold"
                hit = knockouts[0]
                reason = f"knocked out: {hit.reason}"
                decisions = decisions or []
                decisions.append(Decision("temperature", "cold", reason, hit.source, hit.line))
            else:
                for test, temperature, outcomes in self.temperature:  # noqa: B007
                    if test is None or test(f) is True:
                        break
        f["!temperature"] = temperature
        mql: bool | None = None
        if self.mql is not None:
            if knockouts:
                mql = False
                reason = f"knocked out: {knockouts[0].reason}"
                decisions = decisions or []
                decisions.append(Decision("mql", "no", reason, self.mql.source, self.mql.line))
            else:
                mql = self.mql.test(f) is True  # type: ignore[misc]
        if decisions is None:
            made = outcomes[mql]
        else:
            if not knockouts:
                decisions.extend(outcomes[mql])
            made = tuple(decisions)
        qualifications: Mapping[str, Any] = _EMPTY
        if self.qualifications:
            qualify = program.qualify
            qualifications = MappingProxyType(
                {q.name: qualify(q, f, answers) for q in self.qualifications}
            )
        return _new(
            Evaluation,
            (
                lead.id,
                now,
                MappingProxyType(scores),
                grades,
                knockouts,
                temperature,
                mql,
                qualifications,
                made,
                (program, lead, *points),
            ),
        )
