"""Contributions: which scoring lines gave a lead how many points, with the values they read.

:meth:`RuleSet.evaluate <leadflow.rules.RuleSet.evaluate>` records the points of every scoring
line; :func:`contributions_of` turns that record into :class:`Contribution` tuples when
:attr:`Evaluation.contributions <leadflow.rules.Evaluation.contributions>` is read, without
testing any condition again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from math import copysign

from leadflow.lead import Lead
from leadflow.rules._compile.program import CRule, CScore, Program
from leadflow.rules._engine.totals import total_of, weighted
from leadflow.rules._facts import Facts
from leadflow.rules.results import Contribution

__all__ = (
    "contributions_of",
    "count_read",
    "counts_shown",
    "shown_counts",
)

_new = tuple.__new__


def contributions_of(
    program: Program,
    shown_counts: Mapping[str, tuple[tuple[str, float], ...]],
    lead: Lead,
    now: datetime,
    scores: Mapping[str, float],
    points: Sequence[float],
) -> tuple[Contribution, ...]:
    """The contributions recorded by an evaluation of ``lead`` at ``now``.

    ``points`` are those of every scoring line of the blocks, in file order: the lines that
    counted are the ones with points (or ``-0.0``, a line worth nothing that counted); a cap or
    floor line gives the difference between its block's points and its score, a formula term
    its weight times the term's score. Only the values shown are read from the lead.
    """
    counted = _counted(program, scores, points)
    now_ts = now.timestamp()
    facts = Facts(lead, now_ts, program.getters)
    for name, total in scores.items():
        facts["$" + name] = total
    if shown_counts:  # every activity count a line shows, in one pass
        facts.update(counts_shown(lead, now_ts, shown_counts))
    out: list[Contribution] = []
    for rule, given in counted:
        values = tuple([(label, facts[key]) for label, key in rule.reads])
        out.append(
            _new(Contribution, (rule.score, rule.text, rule.source, rule.line, given, values))
        )
    return tuple(out)


def _counted(
    program: Program, scores: Mapping[str, float], points: Sequence[float]
) -> list[tuple[CRule, float]]:
    """The lines that counted and their points (caps, floors and formula terms included)."""
    counted: list[tuple[CRule, float]] = []
    add = counted.append
    start = 0
    for block in program.scores:
        if block.formula is not None:
            for rule in block.rules:
                add((rule, weighted(rule.points, scores[rule.key])))
            continue
        stop = start + len(block.rules)
        own = points[start:stop]
        start = stop
        for rule, given in zip(block.rules, own, strict=True):
            if given:
                add((rule, given))
            elif copysign(1.0, given) < 0:  # a line worth nothing that counted
                add((rule, rule.points))
        if block.at_most is not None or block.at_least is not None:
            counted.extend(_limited(block, total_of(own)))
    return counted


def _limited(block: CScore, total: float) -> list[tuple[CRule, float]]:
    """The cap or floor line of ``block`` that changed its ``total``, with the difference."""
    out = []
    if block.at_most is not None and total > block.at_most:
        out.append((block.limits[0], round(block.at_most - total, 2)))
        total = block.at_most
    if block.at_least is not None and total < block.at_least:
        out.append((block.limits[1], round(block.at_least - total, 2)))
    return out


@lru_cache(maxsize=1024)
def count_read(key: str) -> tuple[str, float | None]:
    """``@kind|window`` (or ``@kind``) as the ages' key ``@kind`` and the window in seconds."""
    kind, _, window = key.partition("|")
    return kind, float(window) if window else None


def shown_counts(
    blocks: Iterable[CScore],
) -> Mapping[str, tuple[tuple[str, float], ...]]:
    """Per activity kind, each count key (``@kind|window``) a line of ``blocks`` shows, with its
    window in seconds (``inf``: any age)."""
    wanted: dict[str, dict[str, float]] = {}
    for block in blocks:
        for rule in (*block.rules, *block.limits):
            for _, key in rule.reads:
                if key[:1] == "@":
                    kind, window = count_read(key)
                    wanted.setdefault(kind[1:], {})[key] = math.inf if window is None else window
    return {kind: tuple(keys.items()) for kind, keys in wanted.items()}


def counts_shown(
    lead: Lead, now_ts: float, wanted: Mapping[str, tuple[tuple[str, float], ...]]
) -> dict[str, int]:
    """For each key of :func:`shown_counts`, how many activities of its kind lie in its window, in one pass."""
    counts = dict.fromkeys((key for keys in wanted.values() for key, _ in keys), 0)
    for activity in lead.activities:
        windows = wanted.get(activity.kind)
        if windows is not None:
            age = now_ts - activity.at.timestamp()
            if age >= 0:
                for key, window in windows:
                    if age <= window:
                        counts[key] += 1
    return counts
