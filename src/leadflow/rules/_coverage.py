"""Which rules fired over many evaluations: scoring lines, knock-outs, classification branches.

:meth:`RuleSet.coverage <leadflow.rules.RuleSet.coverage>` gives an empty :class:`Coverage`;
``add`` counts one evaluation (or the evaluation of one ``test`` block's result) from what the
evaluation recorded anyway (the points of every scoring line, the knock-outs, the decisions),
so counting costs a fraction of evaluating.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from itertools import compress, islice
from typing import NamedTuple

from leadflow.errors import ArgumentTypeError
from leadflow.rules._compile.program import Program
from leadflow.rules.results import Evaluation, TestResult

__all__ = ("Coverage", "CoverageItem")


class CoverageItem(NamedTuple):
    """One thing that can fire, and how often it did.

    Attributes:
        what: ``score fit`` (a scoring line of that score), ``knockout``, ``temperature``,
            ``mql``, ``grade position`` or ``qualification bant``.
        outcome: ``fired`` for a scoring line or knock-out; the temperature, ``yes`` / ``no``,
            the grade letter, or ``passes`` / ``fails``.
        rule: the line as written.
        source: the file it is in.
        line: its 1-based line.
        hits: how many of the evaluations added it fired in.
    """

    what: str
    outcome: str
    rule: str
    source: str
    line: int
    hits: int

    def __str__(self) -> str:
        what = f"{self.what} line" if self.what.startswith("score ") else self.what
        done = f"never {self.outcome}" if not self.hits else f"{self.outcome} {self.hits}x"
        return f"{self.source}:{self.line}: {what} {done}: {_flat(self.rule)}"


def _evaluation_of(given: object) -> Evaluation | None:
    if isinstance(given, TestResult):
        return given.evaluation
    if not isinstance(given, Evaluation):
        raise ArgumentTypeError("evaluation", given, "an Evaluation or TestResult")
    return given


def _flat(text: str) -> str:
    return " ".join(text.split())


class Coverage:
    """Counts of the scoring lines, knock-outs and classification branches that fired.

    Build it with :meth:`RuleSet.coverage <leadflow.rules.RuleSet.coverage>`, then ``add``
    evaluations of that rule set (or the results of its ``run_tests()``): adding costs less
    than evaluating. Not thread-safe: give each thread its own and ``merge`` them.

    >>> from datetime import datetime, timezone
    >>> from leadflow.rules import parse
    >>> rules = parse('''
    ... score fit {
    ...   +20  employees between 50 and 500
    ...   -30  email is freemail
    ... }
    ... mql when fit >= 20
    ... ''', source="fit.lf")
    >>> coverage = rules.coverage()
    >>> now = datetime(2026, 11, 20, tzinfo=timezone.utc)
    >>> for size in (80, 3000):
    ...     lead = {"id": f"L-{size}", "company": "ACME", "email": "it@acme.de",
    ...             "employees": size}
    ...     coverage.add(rules.evaluate(lead, now=now))
    >>> print(coverage.report())
    coverage of fit.lf: 3 of 4 (75.0%) over 2 evaluations; never:
    fit.lf:4: score fit line never fired: -30 email is freemail
    >>> [(item.line, item.outcome, item.hits) for item in coverage.items]
    [(3, 'fired', 1), (4, 'fired', 0), (6, 'yes', 1), (6, 'no', 1)]
    """

    __slots__ = ("_keys", "_lines", "_outcomes", "_program", "_rules", "_zero", "evaluations")

    def __init__(self, program: Program, source: str = "") -> None:
        self._program = program
        self._rules = source or (program.sources[0] if program.sources else "")
        lines = [rule for block in program.scores if block.formula is None for rule in block.rules]
        self._lines = [0] * len(lines)
        # lines worth 0 points give -0.0 when they count (falsy): looked at one by one
        self._zero = tuple(i for i, rule in enumerate(lines) if rule.points == 0)
        keys: list[tuple[str, str, str, str, int]] = [
            (f"score {rule.score}", "fired", rule.text, rule.source, rule.line) for rule in lines
        ]
        keys.extend(("knockout", "fired", h.rule, h.source, h.line) for _, h in program.knockouts)
        for name, branches in program.grades:
            keys.extend((f"grade {name}", b.label, b.text, b.source, b.line) for b in branches)
        for b in program.temperature or ():
            keys.append(("temperature", b.label, b.text, b.source, b.line))
        if program.mql is not None:
            mql = program.mql
            keys.extend(
                ("mql", outcome, mql.text, mql.source, mql.line) for outcome in ("yes", "no")
            )
        for q in program.qualifications:
            keys.extend(
                (f"qualification {q.name}", outcome, q.text, q.source, q.line)
                for outcome in ("passes", "fails")
            )
        self._keys = tuple(keys)
        # (source, line, outcome) -> count, for everything but the scoring lines
        self._outcomes: dict[tuple[str, int, str], int] = {
            (source, line, outcome): 0 for _, outcome, _, source, line in keys[len(lines) :]
        }
        self.evaluations = 0
        """How many evaluations were added."""

    def __repr__(self) -> str:
        fired = sum(1 for item in self.items if item.hits)
        return f"<Coverage {self._rules!r}: {fired} of {len(self._keys)} fired>"

    def add(self, evaluation: Evaluation | TestResult) -> None:
        """Count what fired in one evaluation of the rule set (a test result: its evaluation).

        Raises:
            ArgumentTypeError: ``evaluation`` is not an evaluation (or test result) of this
                rule set.
        """
        if type(evaluation) is not Evaluation:
            found = _evaluation_of(evaluation)
            if found is None:
                return  # a test whose lead could not be evaluated
            evaluation = found
        trace = evaluation.trace
        if not trace or trace[0].program is not self._program:
            raise ArgumentTypeError(
                "evaluation", evaluation, f"an evaluation made by this rule set ({self._rules})"
            )
        self.evaluations += 1
        counts = self._lines
        for i in compress(range(len(counts)), islice(trace, 2, None)):
            counts[i] += 1
        for i in self._zero:
            if math.copysign(1.0, trace[2 + i]) < 0:  # a line worth 0 that counted
                counts[i] += 1
        outcomes = self._outcomes
        for hit in evaluation.knockouts:
            outcomes[hit.source, hit.line, "fired"] += 1
        for decision in evaluation.decisions:
            key = decision.source, decision.line, decision.outcome
            if key in outcomes:  # a knock-out's "cold" names the knock-out's line: no branch
                outcomes[key] += 1
        for q in evaluation.qualifications.values():
            outcomes[q.source, q.line, "passes" if q.passed else "fails"] += 1

    def update(self, evaluations: Iterable[Evaluation | TestResult]) -> None:
        """:meth:`add` each of ``evaluations`` (e.g. ``rules.run_tests()``)."""
        add = self.add
        for evaluation in evaluations:
            add(evaluation)

    def merge(self, other: Coverage) -> None:
        """Add the counts of ``other``, a coverage of the same rule set (another thread's)."""
        if not isinstance(other, Coverage) or other._program is not self._program:
            raise ArgumentTypeError("other", other, "a Coverage of the same rule set")
        self.evaluations += other.evaluations
        for i, count in enumerate(other._lines):
            self._lines[i] += count
        for key, count in other._outcomes.items():
            self._outcomes[key] += count

    @property
    def items(self) -> tuple[CoverageItem, ...]:
        """Everything that can fire, in the order of the rule set, with its count."""
        counts = [
            *self._lines,
            *(self._outcomes[s, ln, o] for _, o, _, s, ln in self._keys[len(self._lines) :]),
        ]
        return tuple(
            CoverageItem(what, outcome, rule, source, line, count)
            for (what, outcome, rule, source, line), count in zip(self._keys, counts, strict=True)
        )

    @property
    def missed(self) -> tuple[CoverageItem, ...]:
        """The items that never fired."""
        return tuple(item for item in self.items if not item.hits)

    @property
    def percent(self) -> float:
        """The share of items that fired at least once, in percent (100 for a rule set with
        nothing to fire)."""
        items = self.items
        if not items:
            return 100.0
        return round(100 * sum(1 for item in items if item.hits) / len(items), 1)

    def report(self) -> str:
        """A summary line, then each item that never fired as ``file:line: what``."""
        items = self.items
        fired = sum(1 for item in items if item.hits)
        head = (
            f"coverage of {self._rules}: {fired} of {len(items)} ({self.percent:.1f}%) "
            f"over {self.evaluations} evaluation{'s' if self.evaluations != 1 else ''}"
        )
        missed = [str(item) for item in items if not item.hits]
        return "\n".join([head + ("; never:" if missed else ""), *missed])
