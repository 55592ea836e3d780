"""The hot path of a rule set: one lead's values in one pass, one step per rule, a flat result.

:class:`FastPath` evaluates exactly like :meth:`Program.evaluate` (the generic path, kept as the
reference the tests compare it with), but prepares what it can when the rules load: the fields
the rules read, the activity counts they need (``#kind|window``), a value rule per scoring line
where the condition has a simple shape (see :mod:`leadflow.rules.points`), and the decisions a
temperature or MQL line can produce.

Per lead it reads each needed field once into a list, walks the activities once (counting, in
the same list, those of the kinds some rule counts against the windows' bounds of
:mod:`leadflow.rules.windows`), runs the scoring lines in one ``map`` (see
:mod:`leadflow.rules.lines`) and adds up their points. The facts mapping the generic
conditions read is only built when some condition needs more than the scores. The points of
every scoring line are the record the evaluation keeps (with the program and the lead, in one
tuple): :attr:`~leadflow.rules.Evaluation.contributions` are built from it when read, without
running any rule again (:mod:`leadflow.rules.contributing`). Temperature and MQL are prepared
by :mod:`leadflow.rules.classifying`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime
from itertools import repeat
from operator import call
from types import MappingProxyType
from typing import Any

from leadflow._time import require_aware
from leadflow.errors import RuleEvaluationError
from leadflow.lead import Lead, validate_lead
from leadflow.rules.arguments import answers_mapping
from leadflow.rules.classifying import classification
from leadflow.rules.closures import Test
from leadflow.rules.evaluation import Decision, Evaluation, KnockoutHit
from leadflow.rules.facts import Facts, Getter, field_reader
from leadflow.rules.lines import SELF, fetcher, line_rule
from leadflow.rules.points import (
    TABLE_SIZE,
    CountRule,
    ValueRule,
    tabled,
    window_of,
)
from leadflow.rules.program import Program, first_branch
from leadflow.rules.totals import add_up, weighted
from leadflow.rules.windows import NO_CLOCK, Clock, Slot, clock_at, count_activities, slot

__all__ = ("FastPath",)

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NO_ANSWERS: Mapping[str, str] = _EMPTY
_new = tuple.__new__
_blank = Facts.__new__

_ZEROS = repeat(0.0)
"""What a scoring line gives when it does not count (see :mod:`leadflow.rules.points`)."""

# name, "$name", its rules' points (a slice of all points; None: all of them), at most,
# at least, formula terms
Span = tuple[
    str, str, slice | None, float | None, float | None, tuple[tuple[float, str], ...] | None
]


def _missing(lead: Lead) -> None:
    return None


class FastPath:
    """A :class:`Program` prepared for evaluating many leads quickly: the base of
    :class:`~leadflow.rules.RuleSet`, whose :meth:`evaluate` it is."""

    __slots__ = (
        "_blocks",
        "_chain",
        "_clock",
        "_counted",
        "_counted_more",
        "_direct",
        "_fetch",
        "_fns",
        "_grades",
        "_hot",
        "_keys",
        "_knockouts",
        "_light",
        "_mql",
        "_mql_alone",
        "_mql_test",
        "_program",
        "_qualifications",
        "_read",
        "_selfish",
        "_spans",
        "_temperature",
        "_zeros",
    )

    def __init__(self, program: Program) -> None:
        self._program = program
        rules: list[ValueRule | CountRule] = []
        for block in program.scores:
            if block.formula is None:
                rules.extend(line_rule(rule, block) for rule in block.rules)
        # no condition reads more than the scores: the scores themselves will do as facts, so
        # score comparisons read "fit" where the generic facts have "$fit"
        classifying = (*(program.temperature or ()), *((program.mql,) if program.mql else ()))
        light = self._light = not (
            any(rule[0] == SELF for rule in rules)
            or program.grades
            or program.knockouts
            or program.qualifications
            or any(b.test is not None and b.test not in program.on_scores for b in classifying)
        )
        prefix = "" if light else "$"
        spans: list[Span] = []
        start = 0
        for block in program.scores:
            key = prefix + block.name
            if block.formula is not None:
                terms = tuple((weight, prefix + term) for weight, term in block.formula)
                spans.append((block.name, key, None, None, None, terms))
                continue
            part = slice(start, start + len(block.rules))
            start = part.stop
            spans.append((block.name, key, part, block.at_most, block.at_least, None))
        whole = slice(0, len(rules))
        self._spans = tuple(
            (name, key, None if part == whole else part, most, least, formula)
            for name, key, part, most, least, formula in spans
        )
        # each activity count stops where no rule reading it needs more (if that is near)
        limits: dict[str, float] = {}
        for rule in rules:
            if len(rule) == 3:
                limits[rule[0]] = max(limits.get(rule[0], 0), rule[2])
        limits = {key: limit if limit <= TABLE_SIZE else math.inf for key, limit in limits.items()}
        self._fns = tuple(
            tabled(rule[1], int(limits[rule[0]]))
            if len(rule) == 3 and limits[rule[0]] < math.inf
            else rule[1]
            for rule in rules
        )
        # one list of values per lead: the fields (every one the rules read, so a custom field
        # of the wrong type is reported up front), the activity counts, then the facts
        # (each in the order the rules first read it: often the rules' values are the list)
        planned = dict(program.plan)
        fields: dict[str, Getter] = {}
        for rule in rules:
            key = rule[0]
            if key[:1] not in {"#", "*"} and key not in fields:
                fields[key] = planned.get(key) or program.getters.get(key, _missing)
        fields.update((key, get) for key, get in program.plan if key not in fields)
        self._keys = tuple(fields)
        self._read = field_reader(tuple(fields.values()))
        counts = tuple(dict.fromkeys(rule[0] for rule in rules if rule[0] in limits))
        layout = (*fields, *counts, SELF)
        index = {key: i for i, key in enumerate(layout)}
        counted: dict[str, list[Slot]] = {}
        for key in counts:
            kind, window = window_of(key)
            counted.setdefault(kind, []).append(slot(index[key], window, limits[key]))
        # kinds with one count (the usual case) apart, so the pass needs no inner loop
        self._counted = {kind: slots[0] for kind, slots in counted.items() if len(slots) == 1}
        self._counted_more = {kind: tuple(ss) for kind, ss in counted.items() if len(ss) > 1}
        self._zeros = [0] * len(limits)
        self._clock: Clock = NO_CLOCK
        self._selfish = any(rule[0] == SELF for rule in rules)
        reads = tuple(index[rule[0]] for rule in rules)
        self._direct = reads == tuple(range(len(reads)))  # the values are the rules' own
        self._fetch = fetcher(reads) if rules else None
        # scores are facts, no caps, floors or formulas: each block adds up its own map
        plain = all(
            most is None and least is None and not formula
            for *_, most, least, formula in self._spans
        )
        # each block's lines in the record of an evaluation (after the program and the lead)
        blocks = tuple(
            (name, slice(2 + (cut or whole).start, 2 + (cut or whole).stop))
            for name, _, cut, *_ in self._spans
        )
        self._blocks = blocks if light and plain else None
        self._grades = program.grades
        self._knockouts: tuple[tuple[Test, KnockoutHit], ...] = program.knockouts
        plan = classification(program, light=light)
        self._mql = program.mql
        self._mql_test = plan.mql_test
        self._mql_alone = plan.alone
        self._temperature = plan.temperature
        self._qualifications = program.qualifications
        # what evaluate reads on every call, in one attribute
        self._chain = (plan.chain, plan.otherwise, plan.mql_test, plan.thresholds)
        self._hot = (self._read, self._zeros, self._blocks, self._light)

    def _at(self, now: datetime) -> Clock:
        """The activity windows' bounds at ``now``, kept for the next lead at the same instant
        (one entry, replaced as a whole: safe to share between threads)."""
        clock = self._clock
        if clock[0] is now or clock[0] == now:
            return clock
        clock = self._clock = clock_at(now, self._counted, self._counted_more)
        return clock

    def _points(self, values: list[Any], f: dict[str, Any]) -> list[float]:
        """Every scoring line's points (see :mod:`leadflow.rules.points`), in file order."""
        fetch = self._fetch
        if fetch is None:
            return []
        if self._selfish:
            values.append(f)
        return list(map(call, self._fns, values if self._direct else fetch(values), _ZEROS))

    def _scores(self, points: list[float], f: dict[str, Any]) -> dict[str, float]:
        """The scores, in order, from the lines' points; each also goes into ``f``."""
        scores: dict[str, float] = {}
        for name, key, part, at_most, at_least, formula in self._spans:
            if formula is not None:
                total = 0.0
                for weight, term in formula:
                    total += weighted(weight, f[term])
                total = round(total, 2)  # as the generic path does
            else:
                total = add_up(points if part is None else points[part], 0.0)
                if not total.is_integer():
                    total = round(total, 2)
                if at_most is not None and total > at_most:
                    total = at_most
                if at_least is not None and total < at_least:
                    total = at_least
            scores[name] = f[key] = total
        return scores

    def evaluate(
        self,
        lead: Lead | Mapping[str, Any],
        *,
        now: datetime,
        answers: Mapping[str, str | None] | None = None,
    ) -> Evaluation:
        """Score, grade, classify and qualify one lead at the instant ``now``.

        Args:
            lead: a :class:`~leadflow.Lead`, or a mapping validated with
                :func:`~leadflow.validate_lead`.
            now: the evaluation instant (timezone-aware); activity windows and decay count
                back from it, and activities after it are ignored.
            answers: sales' answers to qualification criteria, e.g.
                ``{"budget": "approved"}``; criteria without an answer (or with ``None``) count
                as ``unknown``, and case and surrounding spaces do not matter.

        Raises:
            NaiveDatetimeError: ``now`` has no time zone.
            ArgumentTypeError: ``now`` is not a datetime, or ``answers`` not a mapping of
                criteria (text) to answers.
            LeadValidationError: ``lead`` is a mapping that is not a valid lead.
            RuleEvaluationError: an answer names an unknown criterion or answer, or a custom
                field holds a value of the wrong type.
        """
        program = self._program
        if type(now) is not datetime or now.tzinfo is not UTC:
            require_aware(now, "now")
        given: Mapping[str, str] = _NO_ANSWERS
        if answers is not None:
            answers_mapping(answers)
        if answers:
            given = program.check_answers(answers)
        if not isinstance(lead, Lead):
            lead = validate_lead(lead)
        # the same evaluation as Program.evaluate; self._values, self._facts, self._points
        # and self._scores written out: this is the hot path
        read, zeros, blocks, light = self._hot
        clock = self._clock
        if clock[0] is not now:
            clock = self._at(now)
        try:
            values = read(lead)
        except RuleEvaluationError as error:
            raise program.located(error) from None
        if zeros:
            values += zeros  # the counts, after the fields
            count_activities(values, lead, clock)
        scores: dict[str, Any] = {}  # the facts too, when no condition reads more
        f: dict[str, Any]
        if light:
            f = scores
        else:
            f = _blank(Facts)
            f.lead, f.now_ts, f.getters = lead, clock[1], program.getters  # type: ignore[attr-defined]
            f.update(zip(self._keys, values, strict=False))  # values go on with counts
        # every scoring line's points, in file order: the record contributions are built from
        # (after the program and the lead: the evaluation keeps them as one tuple)
        record: tuple[Any, ...]
        if blocks is not None:  # scores are facts; no caps, floors or formulas
            fetch = self._fetch
            if fetch is None:
                record = (program, lead)
            else:
                record = (
                    program,
                    lead,
                    *map(call, self._fns, values if self._direct else fetch(values), _ZEROS),
                )
            for name, part in blocks:
                total = add_up(record[part], 0.0)
                scores[name] = total if total.is_integer() else round(total, 2)
        else:
            points = self._points(values, f)
            record = (program, lead, *points)
            scores = self._scores(points, f)
        temperature: str | None = None
        outcomes: Mapping[bool | None, tuple[Decision, ...]] = self._mql_alone
        mql: bool | None = None
        if light:  # no grades, knock-outs or qualifications; conditions read scores
            chain, otherwise, mql_test, thresholds = self._chain
            if thresholds is not None:  # the usual shape, compared in line
                x_key, y_key, mql_x, mql_y, lines, otherwise = thresholds
                x, y = scores[x_key], scores[y_key]
                mql = x >= mql_x and y >= mql_y
                for at_x, at_y, temperature, outcomes in lines:  # noqa: B007
                    if x >= at_x and y >= at_y:
                        break
                else:
                    temperature, outcomes = otherwise
            else:
                if chain is not None:
                    for holds, temperature, outcomes in chain:  # noqa: B007
                        if holds(scores) is True:
                            break
                    else:
                        temperature, outcomes = otherwise
                mql = None if mql_test is None else mql_test(scores) is True
            return _new(
                Evaluation,
                (
                    lead.id,
                    now,
                    MappingProxyType(scores),
                    _EMPTY,
                    (),
                    temperature,
                    mql,
                    _EMPTY,
                    outcomes[mql],
                    record,
                ),
            )
        decisions: list[Decision] | None = None
        grades: Mapping[str, str] = _EMPTY
        if self._grades:
            decisions = []
            graded: dict[str, str] = {}
            for name, branches in self._grades:
                branch = first_branch(branches, f)
                graded[name] = f["%" + name] = branch.label
                decisions.append(branch.decision)
            grades = MappingProxyType(graded)
        knockouts: tuple[KnockoutHit, ...] = ()
        if self._knockouts:
            knockouts = tuple(hit for test, hit in self._knockouts if test(f) is True)
        if self._temperature is not None:
            if knockouts:
                temperature = "cold"
                hit = knockouts[0]
                reason = f"knocked out: {hit.reason}"
                decisions = decisions or []
                decisions.append(Decision("temperature", "cold", reason, hit.source, hit.line))
            else:
                for test, temperature, outcomes in self._temperature:  # noqa: B007
                    if test is None or test(f) is True:
                        break
        if not self._light:
            f["!temperature"] = temperature
        if self._mql is not None:
            if knockouts:
                mql = False
                reason = f"knocked out: {knockouts[0].reason}"
                decisions = decisions or []
                decisions.append(Decision("mql", "no", reason, self._mql.source, self._mql.line))
            else:
                mql = self._mql_test(f) is True  # type: ignore[misc]
        if decisions is None:
            made = outcomes[mql]
        else:
            if not knockouts:
                decisions.extend(outcomes[mql])
            made = tuple(decisions)
        qualifications: Mapping[str, Any] = _EMPTY
        if self._qualifications:
            qualify = program.qualify
            qualifications = MappingProxyType(
                {q.name: qualify(q, f, given) for q in self._qualifications}  # type: ignore[arg-type]
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
                record,
            ),
        )
