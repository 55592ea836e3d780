"""Rule coverage: which scoring lines, knock-outs and classification branches fired.

Built on the public :class:`~leadflow.rules.Evaluation` only: a scoring line fired when it gave
points (a :class:`~leadflow.rules.Contribution`), a knock-out when it is among the hits, a
temperature or grade line when it decided (a :class:`~leadflow.rules.Decision`), the ``mql``
rule's ``yes`` and ``no`` branches when it decided either way, and a ``pass when`` rule's
``passes`` and ``fails`` branches likewise. Decisions forced by a knock-out (``cold``, ``mql
no``) do not count for the branch: the branch's condition was never asked.

Known blind spots (the evaluation does not expose them yet): a scoring line whose condition held
but whose points came to 0 (an ``each`` rule capped at 0, points decayed to nothing) counts as
not fired; template lines (``use bant``) are not listed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from leadflow._rulelines import RuleLine, scan

if TYPE_CHECKING:  # pragma: no cover - `leadflow --help` does not import the rules engine
    from leadflow.rules import Evaluation

__all__ = ("Branch", "Coverage")


@dataclass(frozen=True, slots=True)
class Branch:
    """One thing a test can make happen: a rule line, or one outcome of a yes/no rule."""

    rule: RuleLine
    outcome: str = ""
    """``yes``/``no`` for ``mql``, ``passes``/``fails`` for ``pass when``, else ``""``."""

    def describe(self) -> str:
        rule = self.rule
        text = " ".join(rule.text.split()) + (f"  [{self.outcome}]" if self.outcome else "")
        prefix = {
            "score": f"score {rule.block}: ",
            "grade": f"grade {rule.block}: ",
            "temperature": "temperature: ",
            "pass": f"qualification {rule.block}: ",
        }.get(rule.kind, "")
        return prefix + text


def _key(source: str, line: int, outcome: str = "") -> tuple[str, int, str]:
    return os.path.normpath(source), line, outcome


@dataclass
class Coverage:
    """Counts which branches of one rule file fired over any number of evaluations."""

    branches: tuple[Branch, ...]
    fired: set[tuple[str, int, str]] = field(default_factory=set)

    @classmethod
    def of_file(cls, path: str | Path, *, source: str | None = None) -> Coverage:
        branches: list[Branch] = []
        for rule in scan(path, source=source):
            if rule.kind == "mql":
                branches += [Branch(rule, "yes"), Branch(rule, "no")]
            elif rule.kind == "pass":
                branches += [Branch(rule, "passes"), Branch(rule, "fails")]
            else:
                branches.append(Branch(rule))
        return cls(tuple(branches))

    def add(self, evaluation: Evaluation) -> None:
        """Count what fired in one evaluation."""
        fired = self.fired
        for c in evaluation.contributions:
            if c.points != 0:
                fired.add(_key(c.source, c.line))
        for hit in evaluation.knockouts:
            fired.add(_key(hit.source, hit.line))
        for d in evaluation.decisions:
            if d.rule.startswith("knocked out"):
                continue
            fired.add(_key(d.source, d.line, d.outcome if d.what == "mql" else ""))
        for q in evaluation.qualifications.values():
            fired.add(_key(q.source, q.line, "passes" if q.passed else "fails"))

    def add_all(self, evaluations: Iterable[Evaluation]) -> None:
        for evaluation in evaluations:
            self.add(evaluation)

    def missed(self) -> tuple[Branch, ...]:
        """The branches no evaluation fired, in file order."""
        return tuple(
            b
            for b in self.branches
            if _key(b.rule.source, b.rule.line, b.outcome) not in self.fired
        )

    @property
    def percent(self) -> float:
        """Covered branches in percent (100 for a file without branches)."""
        if not self.branches:
            return 100.0
        return round(100 * (len(self.branches) - len(self.missed())) / len(self.branches), 1)
