"""The result of evaluating a rule set for one lead, and its explanation."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from leadflow.errors import RuleEvaluationError

__all__ = (
    "Contribution",
    "Decision",
    "Evaluation",
    "KnockoutHit",
    "QualificationResult",
    "TestResult",
)


def fmt(value: Any) -> str:
    """Show a number without a needless ``.0``; texts in quotes; yes/no for booleans."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)  # the shortest text that reads back as the same number
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple):
        return "[" + ", ".join(fmt(v) for v in value) + "]"
    return str(value)


class Contribution(NamedTuple):
    """Points one rule line added to (or took from) a score.

    Attributes:
        score: the score the points went to.
        rule: the rule as written in the file (``+10 each pricing_page_view within 30 days``).
        source: the file the rule is in.
        line: its 1-based line.
        points: the points it gave this lead (after decay and its cap).
        values: the facts the rule looked at, as ``(name, value)`` pairs.
    """

    score: str
    rule: str
    source: str
    line: int
    points: float
    values: tuple[tuple[str, Any], ...] = ()


class Decision(NamedTuple):
    """Which line decided a grade, the temperature or the MQL status."""

    what: str
    outcome: str
    rule: str
    source: str
    line: int


class KnockoutHit(NamedTuple):
    """A knock-out that fired: the reason code and the line that fired it."""

    reason: str
    rule: str
    source: str
    line: int


@dataclass(frozen=True, slots=True)
class QualificationResult:
    """Sales' answers to a framework's criteria, the grades they earn, and pass or fail.

    Attributes:
        framework: ``bant``, ``champ``, ``meddic`` or a host's own.
        passed: whether the framework's ``pass when`` rule holds.
        answers: criterion → answer (``unknown`` where sales gave none).
        grades: criterion → grade letter.
        positive: how many criteria are graded A or B.
    """

    framework: str
    passed: bool
    answers: Mapping[str, str]
    grades: Mapping[str, str]
    positive: int
    rule: str
    source: str
    line: int


class Evaluation(NamedTuple):
    """Everything a rule set decided about one lead at one instant (an immutable record).

    ``sum(c.points for c in contributions if c.score == name) == scores[name]`` holds for every
    score: caps and floors appear as contributions of their own.
    """

    lead_id: str
    now: datetime
    scores: Mapping[str, float]
    grades: Mapping[str, str]
    knockouts: tuple[KnockoutHit, ...]
    temperature: str | None
    mql: bool | None
    qualifications: Mapping[str, QualificationResult]
    decisions: tuple[Decision, ...]
    trace: tuple[Any, ...] = ()
    """Private: the engine, the lead, then the points each scoring line gave (recorded while
    scoring), that :attr:`contributions` are built from."""

    def __repr__(self) -> str:
        return (
            f"Evaluation(lead_id={self.lead_id!r}, scores={dict(self.scores)!r}, "
            f"temperature={self.temperature!r}, mql={self.mql!r}, grades={dict(self.grades)!r}, "
            f"reasons={self.reasons!r})"
        )

    @property
    def contributions(self) -> tuple[Contribution, ...]:
        """Every rule that gave points, in file order, with the values it looked at."""
        if not self.trace:
            return ()
        engine, lead, *points = self.trace
        return engine.contributions(lead, self.now, self.scores, points)  # type: ignore[no-any-return]

    @property
    def knocked_out(self) -> bool:
        """Whether at least one knock-out fired."""
        return bool(self.knockouts)

    @property
    def reasons(self) -> tuple[str, ...]:
        """The reason codes of the knock-outs that fired, in file order, without repeats."""
        return tuple(dict.fromkeys(k.reason for k in self.knockouts))

    @property
    def qualification(self) -> QualificationResult | None:
        """The result of the first qualification framework in the file, if any."""
        return next(iter(self.qualifications.values()), None)

    def why_not(self, name: str) -> str:
        """Why a classification did not happen for this lead, as text (a line per knock-out
        of that reason).

        ``name`` is ``"mql"``, a temperature (``"hot"``), a grade (``"position A"``, or
        ``"position"`` for the block's best grade), a qualification (``"bant"``) or a
        knock-out's reason code (``"student"``). For a classification that did not happen, the
        answer names the rule and, for each part of its condition that failed, what was needed
        and what the lead had (for ``or``, each alternative); for a score that falls short, the
        scoring lines that gave no points and would close the gap, those closing it alone
        first. For a knock-out that fired, the part of its condition that held; for a
        classification that happened, it says so.

        >>> from datetime import datetime, timezone
        >>> from leadflow.rules import parse
        >>> rules = parse('''
        ... score fit {
        ...   +20  employees between 50 and 500
        ...   +15  seniority at least director
        ... }
        ... score engagement {
        ...   +40  demo_request within 30 days
        ...   +15  webinar_attended within 60 days
        ...   +10 each  email_open within 30 days, at most 20
        ... }
        ... mql when fit >= 30 and engagement >= 25
        ... ''', source="scoring.lf")
        >>> lead = {"id": "L-7", "company": "ACME", "email": "cio@acme.de", "title": "CIO",
        ...         "employees": 80, "activities": [
        ...             {"kind": "email_open", "at": "2026-11-18T09:00:00+00:00"},
        ...             {"kind": "email_open", "at": "2026-11-19T09:00:00+00:00"}]}
        >>> result = rules.evaluate(lead, now=datetime(2026, 11, 20, tzinfo=timezone.utc))
        >>> print(result.why_not("mql"))
        mql needs fit >= 30 and engagement >= 25 (line 11): engagement >= 25: engagement is 20, 5 short; the nearest points: +15 webinar_attended within 60 days, line 8; +40 demo_request within 30 days, line 7
        >>> result.why_not("fit")
        Traceback (most recent call last):
        ...
        leadflow.errors.RuleEvaluationError: why_not: the rules decide nothing called 'fit'; they decide: mql

        Raises:
            RuleEvaluationError: the rules decide nothing called ``name`` (with a "did you mean"
                and the names they do decide).
        """
        if not self.trace:
            raise RuleEvaluationError(
                "why_not needs an evaluation made by RuleSet.evaluate", field=name
            )
        return self.trace[0].why_not(self, name)  # type: ignore[no-any-return]

    def explain(self) -> str:
        """The evaluation as text, one line per rule that counted, in the file's order.

        Every score line is followed by the rules that gave it points; their points add up to
        the score.
        """
        program = self.trace[0].program if self.trace else None
        rank = {source: i for i, source in enumerate(getattr(program, "sources", ()))}
        places: tuple[tuple[str, int], ...] = getattr(program, "places", ())
        starts: dict[str, list[tuple[int, int]]] = {}  # source -> (line, statement number)
        for number, (source, line) in enumerate(places):
            starts.setdefault(source, []).append((line, number))
        where_block = {b.name: (b.source, b.line) for b in getattr(program, "scores", ())}
        sections: list[tuple[tuple[int, int], list[str]]] = []

        def add(source: str, line: int, lines: list[str]) -> None:
            # in the order of the statements, includes and templates in place
            found = starts.get(source, ())
            at = bisect_right(found, (line, len(places))) - 1
            number = found[at][1] if at >= 0 else len(places) + rank.get(source, len(rank))
            sections.append(((number, line), lines))

        contributions = self.contributions
        for name, total in self.scores.items():
            lines = [f"score {name} = {fmt(total)}"]
            for c in contributions:
                if c.score == name:
                    points = ("+" if c.points >= 0 else "") + fmt(c.points)
                    values = ", ".join(f"{k} {fmt(v)}" for k, v in c.values)
                    lines.append(
                        f"  {points:>7}  {c.source + ':' + str(c.line):<16} {_flat(c.rule)}"
                        + (f"  ({values})" if values else "")
                    )
            add(*where_block.get(name, ("", 0)), lines)
        for hit in self.knockouts:
            add(
                hit.source,
                hit.line,
                [f"knockout {hit.reason}  {hit.source}:{hit.line}  {_flat(hit.rule)}"],
            )
        for d in self.decisions:
            add(d.source, d.line, [f"{d.what} = {d.outcome}  {d.source}:{d.line}  {_flat(d.rule)}"])
        for q in self.qualifications.values():
            verdict = "passes" if q.passed else "fails"
            lines = [
                f"qualification {q.framework} {verdict} ({q.positive} of {len(q.grades)} "
                f"positive)  {q.source}:{q.line}  {_flat(q.rule)}"
            ]
            lines.extend(
                f"  {criterion:<20} {q.answers[criterion]:<16} {grade}"
                for criterion, grade in q.grades.items()
            )
            add(q.source, q.line, lines)
        out = [f"lead {self.lead_id} at {self.now.isoformat()}"]
        for _, lines in sorted(sections, key=lambda section: section[0]):
            out.extend(lines)
        return "\n".join(out)


def _flat(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class TestResult:
    """The outcome of one ``test`` block of a rule file.

    Attributes:
        name: the test's name.
        passed: whether every expectation held.
        failures: one message per expectation that did not hold.
    """

    name: str
    passed: bool
    failures: tuple[str, ...]
    source: str
    line: int
    evaluation: Evaluation | None = None

    def __str__(self) -> str:
        head = f"{self.source}:{self.line}: test {self.name!r} " + (
            "passed" if self.passed else "failed"
        )
        return "\n".join([head, *(f"  {f}" for f in self.failures)])
