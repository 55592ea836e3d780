"""A loaded, checked rule file: evaluate leads with it, score them fast, run its tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from leadflow._time import require_aware
from leadflow.lead import Lead, validate_lead
from leadflow.rules._arguments import leads_iterable
from leadflow.rules._columnar import Columnar
from leadflow.rules._compile.program import Program
from leadflow.rules._coverage import Coverage
from leadflow.rules._engine.engine import Engine
from leadflow.rules._selftest import CompiledTest, run_test
from leadflow.rules.results import Evaluation, TestResult

__all__ = ("RuleSet",)


def _lead(lead: Lead | Mapping[str, Any]) -> Lead:
    if isinstance(lead, Lead):
        return lead
    return validate_lead(lead)


class RuleSet:
    """The rules of one file (with its includes and templates), checked and compiled.

    Build it with :func:`leadflow.rules.load` or :func:`leadflow.rules.parse`; its rules never
    change afterwards, so one instance can serve every thread of a host application. (It keeps
    the activity windows' bounds for the last instant it saw, replaced as a whole and matched
    by instant, not wall time, so that a batch at one instant works them out once; results
    never depend on it.) Every method runs the one evaluator of the rule language.

    >>> from datetime import datetime, timezone
    >>> from leadflow.rules import parse
    >>> rules = parse('''
    ... score fit {
    ...   +20  employees between 50 and 500
    ...   -30  email is freemail
    ... }
    ... ''', source="fit.lf")
    >>> lead = {"id": "L-1", "company": "ACME", "email": "max@acme.de", "employees": 120}
    >>> rules.evaluate(lead, now=datetime(2026, 11, 20, tzinfo=timezone.utc)).scores["fit"]
    20.0
    """

    __slots__ = ("_engine", "_program", "_tests", "notes", "source")

    def __init__(
        self,
        program: Program,
        tests: tuple[CompiledTest, ...],
        source: str,
        notes: tuple[str, ...] = (),
    ) -> None:
        self._program = program
        self._engine = Engine(program)
        self._tests = tests
        self.source = source
        """The file name the rules came from (or the ``source=`` given to ``parse``)."""
        self.notes = notes
        """What the checks left undone, each as ``file:line: what``; empty for most files.
        The check for lines that can never match has a budget of work for the whole rule set
        (``FILE_WORK`` in ``leadflow.rules._check.implication``); a note says where it stopped when it ran out."""

    def __repr__(self) -> str:
        return f"<RuleSet {self.source!r}: scores {', '.join(self.score_names) or '-'}>"

    @property
    def score_names(self) -> tuple[str, ...]:
        """The scores, in the order they are computed."""
        return tuple(s.name for s in self._program.scores)

    @property
    def grade_names(self) -> tuple[str, ...]:
        """The graded criteria of ``grade`` blocks."""
        return tuple(name for name, _ in self._program.grades)

    @property
    def qualification_names(self) -> tuple[str, ...]:
        """The qualification frameworks (``bant``, ``champ``, ``meddic`` or the file's own)."""
        return tuple(q.name for q in self._program.qualifications)

    @property
    def criteria(self) -> Mapping[str, tuple[str, ...]]:
        """Every qualification criterion with the answers sales can give."""
        out: dict[str, tuple[str, ...]] = {}
        for q in self._program.qualifications:
            for name, scale in q.criteria:
                out.setdefault(name, tuple(scale))
        return out

    @property
    def test_names(self) -> tuple[str, ...]:
        """The names of the file's ``test`` blocks."""
        return tuple(t.name for t in self._tests)

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
        return self._engine.evaluate(lead, now=now, answers=answers)

    def score(self, lead: Lead | Mapping[str, Any], *, now: datetime) -> dict[str, float]:
        """Only the scores of one lead: the fast path for re-scoring.

        The figures equal ``evaluate(lead, now=now).scores``.

        Raises:
            NaiveDatetimeError: ``now`` has no time zone.
            LeadValidationError: ``lead`` is a mapping that is not a valid lead.
        """
        require_aware(now, "now")
        return self._engine.score_one(_lead(lead), now)

    def score_many(
        self, leads: Iterable[Lead | Mapping[str, Any]], *, now: datetime
    ) -> list[dict[str, float]]:
        """The scores of many leads at one instant, in input order (see :meth:`score`).

        Raises:
            NaiveDatetimeError: ``now`` has no time zone.
            LeadValidationError: a lead is a mapping that is not a valid lead.
            ArgumentTypeError: ``leads`` is not an iterable of leads (one lead, a text).
        """
        require_aware(now, "now")
        leads_iterable(leads)
        return self._engine.score_all(leads, now)

    def _columnar(self, now: datetime) -> Columnar:
        """For ``leadflow.batch``'s columnar fast path, not part of the API: what these rules read
        about activities at ``now``, and the evaluation of a lead from facts worked out per
        batch (see ``leadflow.rules._columnar``)."""
        return Columnar(self._engine, now)

    def coverage(self) -> Coverage:
        """An empty :class:`~leadflow.rules.Coverage` of these rules: ``add`` evaluations (or
        the results of :meth:`run_tests`) to count which scoring lines, knock-outs and
        classification branches fired, and ``report()`` or ``missed`` what never did.

        >>> from leadflow.rules import parse
        >>> rules = parse('''
        ... score fit {
        ...   +20  employees between 50 and 500
        ...   +10  industry is "software"
        ... }
        ... test "mid-sized" {
        ...   now 2026-11-20 12:00 Europe/Berlin
        ...   lead {
        ...     employees 80
        ...   }
        ...   expect fit 20
        ... }
        ... ''', source="fit.lf")
        >>> coverage = rules.coverage()
        >>> coverage.update(rules.run_tests())
        >>> [f"{item.source}:{item.line}" for item in coverage.missed]
        ['fit.lf:4']
        """
        return Coverage(self._program, self.source)

    def run_tests(self) -> tuple[TestResult, ...]:
        """Run the file's ``test`` blocks; each result says what did not hold, and where.

        >>> from leadflow.rules import parse
        >>> rules = parse('''
        ... score fit {
        ...   +20  employees between 50 and 500
        ... }
        ... test "mid-sized" {
        ...   now 2026-11-20 12:00 Europe/Berlin
        ...   lead {
        ...     employees 80
        ...   }
        ...   expect fit 25
        ... }
        ... ''', source="fit.lf")
        >>> [(result.name, result.passed, result.failures) for result in rules.run_tests()]
        [('mid-sized', False, ('fit.lf:10: expected fit 25, got 20',))]
        """
        evaluate = self._engine.evaluate
        return tuple(run_test(t, evaluate) for t in self._tests)
