"""Evaluating leads whose facts were worked out per column (for :mod:`leadflow.batch`).

Internal to leadflow: the entry point of the batch path's columnar fast path, reached through
``RuleSet._columnar(now)`` (``leadflow.batch`` may not import the rules' private modules). A caller that has
already checked a lead's fields as :func:`leadflow.validate_lead` would (and builds no
:class:`~leadflow.Lead`) gives the rules those fields (:class:`LeadFields`), and counts and ages
the lead's activities itself, for a whole batch at once, from what :class:`Columnar` says the
rules read: the counts per kind and window (with the window's bounds as integer microseconds)
and the kinds whose activity ages some rule reads. The evaluation is then the one engine's, the
same as :meth:`RuleSet.evaluate <leadflow.rules.RuleSet.evaluate>` gives for the lead.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from leadflow._time import require_aware
from leadflow.emails import email_domain, is_freemail_domain
from leadflow.rules._engine.engine import Engine
from leadflow.rules._vector import Vector
from leadflow.rules.results import Evaluation
from leadflow.titles import BuyingRole, Seniority, buying_role_of, seniority_of

__all__ = ("Columnar", "CountBound", "LeadFields")

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_DAWN: Final = datetime.min.replace(tzinfo=UTC)

CountBound = tuple[str, int, int | None, float]
"""One activity count the rules read: the kind, its place among the counts, the start of the
window in microseconds since 1970 UTC (``None``: any age), and the count at which it stops
(it counts up to the first whole number at or above that, as the engine does)."""


class LeadFields:
    """The fields of a valid lead, as attributes, for the rules to read (not a :class:`Lead`).

    Give the checked values in the instance's ``__dict__`` (``fields.__dict__ = {...}``), as
    :class:`~leadflow.Lead` holds them: stripped text, the e-mail with its domain lower-cased,
    the country upper-cased. Fields left out are absent (``None``, or empty for the lists).
    Activities and custom fields are not read from here.
    """

    id: str
    first_name = last_name = title = phone = employees = industry = None
    country = region = source = channel = campaign = created_at = None
    interests: tuple[str, ...] = ()
    tech_stack: tuple[str, ...] = ()
    activities: tuple[Any, ...] = ()
    custom: Mapping[str, Any] = MappingProxyType({})

    email: str

    @property
    def email_domain(self) -> str:
        return email_domain(self.email)

    @property
    def is_freemail(self) -> bool:
        return is_freemail_domain(self.email_domain)

    @property
    def seniority(self) -> Seniority:
        return seniority_of(self.title)

    @property
    def buying_role(self) -> BuyingRole:
        return buying_role_of(self.title)


def _micros(instant: datetime) -> int | None:
    if instant == _DAWN:
        return None
    return (instant - _EPOCH) // _MICROSECOND


class Columnar:
    """What the rules read about activities at ``now``, and the evaluation from prepared facts.

    Attributes:
        counts: the activity counts, in the order :meth:`evaluate` takes them.
        age_kinds: the kinds whose ages (seconds before ``now``, youngest first, only those at
            or before ``now``) :meth:`evaluate` needs; empty when no rule reads ages.
        now_us: ``now`` in microseconds since 1970 UTC (a count's window ends there, included).
        now_ts: ``now.timestamp()``: an activity at ``t`` microseconds is ``now_ts - t / 1e6``
            seconds old, in floating point, as the engine computes it.
    """

    __slots__ = ("_engine", "age_kinds", "counts", "now", "now_ts", "now_us")

    fields = LeadFields
    """The class of the lead fields :meth:`evaluate` takes."""

    def __init__(self, engine: Engine, now: datetime) -> None:
        require_aware(now, "now")
        self._engine = engine
        self.now = now
        self.now_ts = now.timestamp()
        self.now_us = (now - _EPOCH) // _MICROSECOND
        self.counts: tuple[CountBound, ...] = tuple(
            (kind, place, _micros(since), limit)
            for kind, place, since, limit in engine.count_bounds(now)
        )
        # a light rule set reads nothing but field values, counts and scores: no ages
        kinds = () if engine.light else engine.program.activities
        self.age_kinds: tuple[str, ...] = tuple(kinds)

    def evaluate(
        self, lead: LeadFields, counts: list[int], ages: Mapping[str, list[float]]
    ) -> Evaluation:
        """The evaluation :meth:`RuleSet.evaluate` gives for the lead with these fields and
        activities at ``now`` (``ages`` keyed ``@kind``; ``counts`` as :attr:`counts`)."""
        return self._engine.evaluate_prepared(lead, self.now, counts, ages)

    def vector(self) -> Vector | None:
        """The evaluation of a whole batch per column (:mod:`leadflow.rules._vector`), or
        ``None`` when some rule has a shape it does not take (then evaluate row by row)."""
        return Vector.of(self._engine, self.now_ts, LeadFields)
