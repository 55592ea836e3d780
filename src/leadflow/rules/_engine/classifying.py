"""Temperature and MQL prepared for the hot path: tests on the scores, decisions made up front.

Every decision a temperature line or the MQL rule can produce is built once, per line and per
MQL outcome. When no condition reads more than the scores (a *light* rule set), the tests read
the scores by name; when every temperature line and the MQL rule has the usual shape
``x >= a and y >= b`` on the same two scores, :class:`Classification` also holds them as plain
bounds, which the hot path compares in line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from leadflow.rules._compile.predicates import Test, all_of_scores
from leadflow.rules._compile.program import CBranch, Program
from leadflow.rules.results import Decision

__all__ = ("Classification", "Line", "Outcomes", "Thresholds", "classification")

Outcomes = Mapping[bool | None, tuple[Decision, ...]]
"""The decisions of a lead a line classifies, by its MQL outcome (``None``: no MQL rule)."""

Line = tuple[Test | None, str, Outcomes]
"""A temperature line: its test (``None`` for ``otherwise``), its label and its outcomes."""

Thresholds = tuple[
    str,
    str,
    float,
    float,
    tuple[tuple[float, float, str, Outcomes], ...],
    tuple[str | None, Outcomes],
]
"""The two scores, the MQL bounds, per temperature line before ``otherwise`` its two bounds,
label and outcomes, then the label and outcomes of ``otherwise``."""


class Classification(NamedTuple):
    """What the hot path needs to classify a lead (see the module docstring)."""

    mql_test: Test | None
    alone: Outcomes
    """The decisions when there is no temperature: the MQL decision alone."""
    temperature: tuple[Line, ...] | None
    chain: tuple[tuple[Test, str, Outcomes], ...] | None
    """The temperature lines up to ``otherwise``."""
    otherwise: tuple[str | None, Outcomes]
    thresholds: Thresholds | None


def classification(program: Program, *, light: bool) -> Classification:
    """Prepare the temperature and MQL of ``program``; ``light``: the facts are the scores."""

    def on_scores(test: Test | None) -> Test | None:
        if test is None or not light:
            return test
        comparisons = program.on_scores[test]
        return all_of_scores(tuple((op, key[1:], bound) for op, key, bound in comparisons))

    mql = program.mql or CBranch("mql", None, "", "", 0)
    yes = Decision("mql", "yes", mql.text, mql.source, mql.line)
    no = Decision("mql", "no", mql.text, mql.source, mql.line)
    alone: Outcomes = {True: (yes,), False: (no,), None: ()}
    temperature = (
        None
        if program.temperature is None
        else tuple(
            (
                on_scores(b.test),
                b.label,
                {True: (b.decision, yes), False: (b.decision, no), None: (b.decision,)},
            )
            for b in program.temperature
        )
    )
    chain = None
    otherwise: tuple[str | None, Outcomes] = (None, alone)
    if temperature is not None:
        lines = list(temperature)
        stop = next((i for i, line in enumerate(lines) if line[0] is None), len(lines) - 1)
        chain = tuple((t, label, outs) for t, label, outs in lines[:stop] if t is not None)
        otherwise = lines[stop][1:]
    mql_test = None if program.mql is None else on_scores(program.mql.test)
    thresholds = _two_thresholds(program, temperature, otherwise) if light else None
    return Classification(mql_test, alone, temperature, chain, otherwise, thresholds)


def _two_thresholds(
    program: Program,
    temperature: tuple[Line, ...] | None,
    otherwise: tuple[str | None, Outcomes],
) -> Thresholds | None:
    """The temperature and MQL tests as bounds, when each is ``x >= a and y >= b`` on the same
    two scores ``x`` and ``y``."""
    if temperature is None or program.mql is None:
        return None
    mql = program.on_scores.get(program.mql.test)  # type: ignore[arg-type]
    if mql is None or len(mql) != 2:
        return None
    (_, x, mx), (_, y, my) = mql
    lines = []
    for branch, (_, label, outcomes) in zip(program.temperature or (), temperature, strict=True):
        if branch.test is None:
            break
        lines.append((program.on_scores[branch.test], label, outcomes))
    else:
        lines.pop()  # no "otherwise": the last line stands for it (as in the chain)
    shape = ((">=", x), (">=", y))
    for comparisons in (mql, *(c for c, _, _ in lines)):
        if tuple((op, key) for op, key, _ in comparisons) != shape:
            return None
    bounds = tuple((c[0][2], c[1][2], label, outcomes) for c, label, outcomes in lines)
    return x[1:], y[1:], mx, my, bounds, otherwise
