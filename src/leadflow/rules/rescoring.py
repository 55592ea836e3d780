"""Re-scoring: only the scores of leads, for :meth:`RuleSet.score` and :meth:`RuleSet.score_many`.

The same steps as :meth:`~leadflow.rules.fastpath.FastPath.evaluate` up to the scores, one
method each, without the temperature, MQL and the :class:`~leadflow.rules.Evaluation`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from leadflow.errors import RuleEvaluationError
from leadflow.lead import Lead, validate_lead
from leadflow.rules.facts import Facts
from leadflow.rules.fastpath import FastPath
from leadflow.rules.windows import Clock, count_activities

__all__ = ("Rescoring",)

_blank = Facts.__new__


class Rescoring(FastPath):
    """A :class:`FastPath` that also gives only the scores."""

    __slots__ = ()

    def _facts(self, lead: Lead, now_ts: float, values: list[Any]) -> Facts:
        """The facts of ``lead`` for the generic conditions, with the fields already read."""
        f = _blank(Facts)
        f.lead, f.now_ts, f.getters = lead, now_ts, self._program.getters
        f.update(zip(self._keys, values, strict=False))  # values go on with counts
        return f

    def _values(self, lead: Lead, clock: Clock) -> list[Any]:
        """The fields the rules read, then the activity counts.

        Raises:
            RuleEvaluationError: a custom field holds a value of the wrong type.
        """
        try:
            values = self._read(lead)
        except RuleEvaluationError as error:
            raise self._program.located(error) from None
        if self._zeros:
            values += self._zeros  # the counts, after the fields
            count_activities(values, lead, clock)
        return values

    def _score_one(self, lead: Lead, now: datetime) -> dict[str, float]:
        """Only the scores of one lead."""
        clock = self._at(now)
        values = self._values(lead, clock)
        f = self._facts(lead, clock[1], values) if self._selfish else {}
        return self._scores(self._points(values, f), f)

    def _score_all(
        self, leads: Iterable[Lead | Mapping[str, Any]], now: datetime
    ) -> list[dict[str, float]]:
        score = self._score_one
        return [
            score(lead if isinstance(lead, Lead) else validate_lead(lead), now) for lead in leads
        ]
