"""The one evaluator of a rule set: one lead's values in one pass, one step per rule, a flat result.

:class:`Engine` runs what :mod:`leadflow.rules._compile` built (a
:class:`~leadflow.rules._compile.program.Program`): :meth:`RuleSet.evaluate
<leadflow.rules.RuleSet.evaluate>`, :meth:`~leadflow.rules.RuleSet.score`,
:meth:`~leadflow.rules.RuleSet.score_many` and the language's ``test`` blocks all go through it.
When the rules load it prepares what it can: the fields the rules read, the activity counts
they need (``#kind|window``), a value rule per scoring line where the condition has a simple
shape (see :mod:`leadflow.rules._compile.points`), and the decisions a temperature or MQL line
can produce.

Per lead it reads each needed field once into a list, walks the activities once (counting, in
the same list, those of the kinds some rule counts against the windows' bounds of
:mod:`leadflow.rules._engine.windows`), runs the scoring lines in one ``map`` (see
:mod:`leadflow.rules._engine.lines`) and adds up their points. The facts mapping the generic
conditions read is only built when some condition needs more than the scores. The points of
every scoring line are the record the evaluation keeps (with the engine and the lead, in one
tuple): :attr:`~leadflow.rules.Evaluation.contributions` are built from it when read, without
running any rule again (:mod:`leadflow.rules._engine.contributions`). Temperature and MQL are
prepared by :mod:`leadflow.rules._engine.classifying`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from itertools import repeat
from operator import call
from types import MappingProxyType
from typing import Any

from leadflow._time import require_aware
from leadflow.errors import RuleEvaluationError
from leadflow.lead import Lead, validate_lead
from leadflow.rules._arguments import answers_mapping
from leadflow.rules._compile.points import (
    TABLE_SIZE,
    CountRule,
    ValueRule,
    tabled,
    window_of,
)
from leadflow.rules._compile.predicates import Test
from leadflow.rules._compile.program import Program, first_branch
from leadflow.rules._engine.classifying import Outcomes, classification
from leadflow.rules._engine.contributions import contributions_of, shown_counts
from leadflow.rules._engine.lines import SELF, fetcher, line_rule
from leadflow.rules._engine.totals import add_up, weighted
from leadflow.rules._engine.whynot import why_not
from leadflow.rules._engine.windows import NO_CLOCK, Clock, Slot, clock_at, count_activities, slot
from leadflow.rules._facts import Facts, Getter, field_reader, shadowed
from leadflow.rules.results import (
    Contribution,
    Decision,
    Evaluation,
    KnockoutHit,
    QualificationResult,
)

__all__ = ("Engine",)

_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NO_ANSWERS: Mapping[str, str] = _EMPTY
_new = tuple.__new__
_blank = Facts.__new__

_ZEROS = repeat(0.0)
"""What a scoring line gives when it does not count (see :mod:`leadflow.rules._compile.points`)."""

# name, "$name", its rules' points (a slice of all points; None: all of them), at most,
# at least, formula terms
Span = tuple[
    str, str, slice | None, float | None, float | None, tuple[tuple[float, str], ...] | None
]


def _missing(lead: Lead) -> None:
    return None


def _unanswered(program: Program) -> tuple[tuple[Any, dict[str, Any], tuple[Any, ...]], ...] | None:
    """Per qualification, what no answers give (every criterion unknown): the same for every
    lead but whether it passes. ``None`` where a criterion cannot be unknown."""
    unanswered = []
    for q in program.qualifications:
        if any("unknown" not in scale for _, scale in q.criteria):  # pragma: no cover
            return None  # Program.qualify says what is wrong, per lead
        answers = {criterion: "unknown" for criterion, _ in q.criteria}
        grades = {criterion: scale["unknown"] for criterion, scale in q.criteria}
        facts: dict[str, Any] = {}
        for criterion, scale in q.criteria:
            facts["?" + criterion] = "unknown"
            facts["?" + criterion + "%"] = scale["unknown"]
        positive = sum(1 for g in grades.values() if g in "AB")
        facts["?positive"] = float(positive)
        shown = (MappingProxyType(answers), MappingProxyType(grades), positive)
        unanswered.append((q, facts, (*shown, q.text, q.source, q.line)))
    return tuple(unanswered)


class Engine:
    """A :class:`Program` prepared for evaluating many leads quickly; a
    :class:`~leadflow.rules.RuleSet` holds one."""

    __slots__ = (
        "_aged",
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
        "_layout",
        "_light",
        "_lines",
        "_mql",
        "_mql_alone",
        "_mql_test",
        "_program",
        "_qualifications",
        "_read",
        "_selfish",
        "_shown",
        "_spans",
        "_temperature",
        "_unanswered",
        "_zeros",
    )

    def __init__(self, program: Program) -> None:
        self._program = program
        # per activity kind, the counts the contributions show (see contributions.shown_counts)
        self._shown = shown_counts(program.scores)
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
        layout = self._layout = (*fields, *counts, SELF)
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
        # per scoring line, in file order: the key it reads (a field, a count or SELF) and
        # its points function, for the vectorized batch path (leadflow.rules._vector)
        self._lines = tuple(zip((rule[0] for rule in rules), self._fns, strict=True))
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
        self._unanswered = _unanswered(program)
        # the facts age only the activities of the kinds the rules name
        self._aged = program.activities
        # what evaluate reads on every call, in one attribute
        self._chain = (plan.chain, plan.otherwise, plan.mql_test, plan.thresholds)
        self._hot = (self._read, self._zeros)

    @property
    def program(self) -> Program:
        """The compiled rules this engine runs."""
        return self._program

    @property
    def light(self) -> bool:
        """Whether no condition reads more than the scores (no grades, knock-outs,
        qualifications, facts rules): the facts mapping is never built."""
        return self._light

    def _at(self, now: datetime) -> Clock:
        """The activity windows' bounds at ``now``, kept for the next lead at the same instant.

        Instants are compared, not wall times: 02:30 before and after a clock change (``fold``)
        are an hour apart, yet equal as datetimes of one zone. The clock is one immutable tuple,
        replaced as a whole and read once per evaluation, so threads sharing the engine never
        see bounds of another instant (at worst two threads both work out the same bounds).
        """
        clock = self._clock
        if clock[0] is now:
            return clock
        now_utc = now.astimezone(UTC)
        if clock[0] is not None and clock[2] == now_utc:
            return clock
        clock = self._clock = clock_at(now, self._counted, self._counted_more)
        return clock

    def _points(self, values: list[Any], f: dict[str, Any]) -> list[float]:
        """Every scoring line's points (see :mod:`leadflow.rules._compile.points`), in file order."""
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
                total = round(total, 2)  # as a block's total is
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
        """:meth:`RuleSet.evaluate <leadflow.rules.RuleSet.evaluate>` (documented there)."""
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
        if lead.custom and (error := shadowed(lead)) is not None:
            raise error
        # self._values written out: this is the hot path
        read, zeros = self._hot
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
        if self._light:  # no grades, knock-outs or qualifications; conditions read scores
            return self._evaluate_light(lead, now, values)
        return self._evaluate_fully(lead, now, self._facts(lead, clock[1], values), values, given)

    # -- from facts worked out elsewhere (leadflow.rules._columnar) -----------------------------
    def count_bounds(self, now: datetime) -> tuple[tuple[str, int, datetime, float], ...]:
        """The activity counts the rules read, at ``now``: per count its kind, its place among
        the counts, the start of its window (an instant in UTC; the end is ``now``) and the
        count at which it stops."""
        clock = self._at(now)
        first = len(self._keys)
        bounds = [(kind, i - first, since, limit) for kind, (i, since, limit) in clock[3].items()]
        for kind, several in clock[4].items():
            bounds.extend((kind, i - first, since, limit) for i, since, limit in several)
        return tuple(sorted(bounds, key=lambda bound: bound[1]))

    def lines(self) -> tuple[tuple[str, Any], ...]:
        """Per scoring line of the blocks without a formula, in file order: the key it reads
        (a field read up front such as ``~industry``, an activity count ``#kind|window``, or
        the facts themselves for a line that needs them) and the function giving its points
        from that value, as the hot path calls it: ``fn(value, 0.0)``."""
        return self._lines

    def count_keys(self) -> tuple[str, ...]:
        """The activity counts the rules read (``#kind|window``), in the order of
        :meth:`count_bounds`: the place of a count there is its place here."""
        first = len(self._keys)
        return self._layout[first : first + len(self._zeros)]

    def evaluate_prepared(
        self,
        lead: Any,
        now: datetime,
        counts: list[int],
        ages: Mapping[str, list[float]],
    ) -> Evaluation:
        """:meth:`evaluate` of a valid lead without custom fields whose activities were counted
        and aged elsewhere: ``lead`` has the fields of a :class:`Lead` (its activities are not
        read), ``counts`` the counts of :meth:`count_bounds` in their order, ``ages`` the ages
        in seconds, youngest first, of the activities up to ``now`` of each kind the rules read
        (as ``@kind``; a kind without any is left out). No answers."""
        clock = self._clock
        if clock[0] is not now:
            clock = self._at(now)
        try:
            values = self._read(lead)
        except RuleEvaluationError as error:  # pragma: no cover - no custom fields here
            raise self._program.located(error) from None
        if self._zeros:
            values += counts
        if self._light:
            return self._evaluate_light(lead, now, values)
        f = self._facts(lead, clock[1], values)
        f["@@"] = True  # the activities' ages are in: a kind without any has none
        f.update(ages)
        return self._evaluate_fully(lead, now, f, values, _NO_ANSWERS)

    def _evaluate_light(self, lead: Any, now: datetime, values: list[Any]) -> Evaluation:
        """The evaluation of a light rule set (scores only; the scores are the facts too)."""
        scores: dict[str, Any] = {}
        record = self._record(lead, values, scores)
        temperature, mql, outcomes = self._classify_light(scores)
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

    def _record(self, lead: Lead, values: list[Any], f: dict[str, Any]) -> tuple[Any, ...]:
        """Every scoring line's points, in file order, after the engine and the lead: the
        record contributions are built from. The scores go into ``f``."""
        blocks = self._blocks
        if blocks is None:
            points = self._points(values, f)
            self._scores(points, f)
            return (self, lead, *points)
        # scores are facts; no caps, floors or formulas: each block adds up its own part
        fetch = self._fetch
        if fetch is None:
            record: tuple[Any, ...] = (self, lead)
        else:
            fns, direct = self._fns, self._direct
            record = (self, lead, *map(call, fns, values if direct else fetch(values), _ZEROS))
        for name, part in blocks:
            total = add_up(record[part], 0.0)
            f[name] = total if total.is_integer() else round(total, 2)
        return record

    def _classify_light(self, scores: dict[str, Any]) -> tuple[str | None, bool | None, Outcomes]:
        """Temperature, MQL and the decisions' outcomes of a light rule set."""
        chain, otherwise, mql_test, thresholds = self._chain
        if thresholds is not None:  # the usual shape, compared in line
            x_key, y_key, mql_x, mql_y, lines, last = thresholds
            x, y = scores[x_key], scores[y_key]
            mql = x >= mql_x and y >= mql_y
            for at_x, at_y, temperature, outcomes in lines:
                if x >= at_x and y >= at_y:
                    return temperature, mql, outcomes
            return last[0], mql, last[1]
        found: tuple[str | None, Outcomes] = (None, self._mql_alone)
        if chain is not None:
            found = otherwise
            for holds, label, outcomes in chain:
                if holds(scores) is True:
                    found = label, outcomes
                    break
        return found[0], None if mql_test is None else mql_test(scores) is True, found[1]

    def _evaluate_fully(
        self, lead: Lead, now: datetime, f: Facts, values: list[Any], given: Mapping[str, str]
    ) -> Evaluation:
        """The evaluation when some condition reads more than the scores."""
        record = self._record(lead, values, f)
        scores = {name: f[key] for name, key, *_ in self._spans}
        decisions: list[Decision] = []
        grades: Mapping[str, str] = _EMPTY
        if self._grades:
            graded: dict[str, str] = {}
            for name, branches in self._grades:
                branch = first_branch(branches, f)
                graded[name] = f["%" + name] = branch.label
                decisions.append(branch.decision)
            grades = MappingProxyType(graded)
        knockouts: tuple[KnockoutHit, ...] = ()
        if self._knockouts:
            knockouts = tuple(hit for test, hit in self._knockouts if test(f) is True)
        f["!knocked_out"] = bool(knockouts)
        temperature, outcomes = self._temperature_of(f, knockouts, decisions)
        f["!temperature"] = temperature
        mql = self._mql_of(f, knockouts, decisions)
        if not knockouts:
            decisions.extend(outcomes[mql])
        qualifications: Mapping[str, Any] = _EMPTY
        if self._qualifications and not given and self._unanswered is not None:
            found: dict[str, QualificationResult] = {}
            for q, facts, shown in self._unanswered:
                f.update(facts)
                found[q.name] = QualificationResult(q.name, q.test(f) is True, *shown)
            qualifications = MappingProxyType(found)
        elif self._qualifications:
            qualify = self._program.qualify
            qualifications = MappingProxyType(
                {q.name: qualify(q, f, given) for q in self._qualifications}
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
                tuple(decisions),
                record,
            ),
        )

    def _temperature_of(
        self, f: Facts, knockouts: tuple[KnockoutHit, ...], decisions: list[Decision]
    ) -> tuple[str | None, Outcomes]:
        """The temperature, and the outcomes of the line that decided it (a knock-out's
        decision goes straight into ``decisions``)."""
        if self._temperature is None:
            return None, self._mql_alone
        if knockouts:
            hit = knockouts[0]
            reason = f"knocked out: {hit.reason}"
            decisions.append(Decision("temperature", "cold", reason, hit.source, hit.line))
            return "cold", self._mql_alone
        for test, temperature, outcomes in self._temperature:
            if test is None or test(f) is True:
                return temperature, outcomes
        _, temperature, outcomes = self._temperature[-1]  # no "otherwise": the last line
        return temperature, outcomes

    def _mql_of(
        self, f: Facts, knockouts: tuple[KnockoutHit, ...], decisions: list[Decision]
    ) -> bool | None:
        """The MQL status (a knock-out's decision goes straight into ``decisions``)."""
        mql = self._mql
        if mql is None:
            return None
        if knockouts:
            reason = f"knocked out: {knockouts[0].reason}"
            decisions.append(Decision("mql", "no", reason, mql.source, mql.line))
            return False
        return self._mql_test(f) is True  # type: ignore[misc]

    # -- scores only (RuleSet.score and score_many) ---------------------------------------------
    def _facts(self, lead: Lead, now_ts: float, values: list[Any]) -> Facts:
        """The facts of ``lead`` for the generic conditions, with the fields already read."""
        f = _blank(Facts)
        f.lead, f.now_ts, f.getters, f.aged = lead, now_ts, self._program.getters, self._aged
        f.update(zip(self._keys, values, strict=False))  # values go on with counts
        return f

    def _values(self, lead: Lead, clock: Clock) -> list[Any]:
        """The fields the rules read, then the activity counts.

        Raises:
            RuleEvaluationError: a custom field holds a value of the wrong type, or ``custom``
                the name of a lead field or derived fact.
        """
        if lead.custom and (error := shadowed(lead)) is not None:
            raise error
        try:
            values = self._read(lead)
        except RuleEvaluationError as error:
            raise self._program.located(error) from None
        if self._zeros:
            values += self._zeros  # the counts, after the fields
            count_activities(values, lead, clock)
        return values

    def score_one(self, lead: Lead, now: datetime) -> dict[str, float]:
        """Only the scores of one lead (``now`` is aware; the lead valid)."""
        clock = self._at(now)
        values = self._values(lead, clock)
        f = self._facts(lead, clock[1], values) if self._selfish else {}
        return self._scores(self._points(values, f), f)

    def score_all(
        self, leads: Iterable[Lead | Mapping[str, Any]], now: datetime
    ) -> list[dict[str, float]]:
        """The scores of many leads at one instant, in input order."""
        score = self.score_one
        return [
            score(lead if isinstance(lead, Lead) else validate_lead(lead), now) for lead in leads
        ]

    # -- explanations --------------------------------------------------------------------------
    def why_not(self, evaluation: Evaluation, name: str) -> str:
        """:meth:`Evaluation.why_not <leadflow.rules.Evaluation.why_not>` (documented there).

        The facts of the lead are read again as the evaluation read them, with its scores,
        grades, knock-outs and temperature put back; nothing is decided again.
        """
        lead: Lead = evaluation.trace[1]
        clock = self._at(evaluation.now)
        f = self._facts(lead, clock[1], self._values(lead, clock))
        for block in self._program.scores:
            f["$" + block.name] = evaluation.scores[block.name]
        for grade, label in evaluation.grades.items():
            f["%" + grade] = label
        f["!knocked_out"] = evaluation.knocked_out
        f["!temperature"] = evaluation.temperature
        return why_not(self._program, evaluation, f, name)

    def contributions(
        self, lead: Lead, now: datetime, scores: Mapping[str, float], points: Sequence[float]
    ) -> tuple[Contribution, ...]:
        """The contributions an evaluation of ``lead`` at ``now`` recorded (see :meth:`_record`).

        Nothing is evaluated again: the lines that counted and their points are those of
        ``points``; a cap or floor line gives the difference between its block's points and
        its score, a formula term its sign times the term's score. Only the values shown are
        read from the lead, as the rules read them.
        """
        return contributions_of(self._program, self._shown, lead, now, scores, points)
