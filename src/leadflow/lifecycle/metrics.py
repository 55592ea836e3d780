"""Shared metrics computed from lead histories: pure functions over records.

MQL→SQL conversion, SAL acceptance rate, time to first contact, and rejection reasons per
campaign with the marketing action each calls for. Stage names default to the default graph's
and can be passed for host graphs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leadflow.errors import ArgumentTypeError
from leadflow.lifecycle._args import check_bool, check_names, check_text
from leadflow.lifecycle.record import LeadRecord
from leadflow.lifecycle.stages import Actor, Stage, TransitionKind
from leadflow.reasons import STANDARD_REASONS, Reason

__all__ = (
    "ContactDelay",
    "Rate",
    "ReasonCount",
    "conversion",
    "median_delay",
    "mql_to_sql",
    "reason_actions",
    "rejection_reasons",
    "sal_acceptance",
    "time_to_first_contact",
)

_REJECTIONS = (TransitionKind.REJECT.value, TransitionKind.DISQUALIFY.value)


def _records(records: Any) -> Iterator[LeadRecord]:
    """The records, refusing a lone record (a tuple of its fields) or anything else."""
    if isinstance(records, LeadRecord) or not isinstance(records, Iterable):
        raise ArgumentTypeError(
            "records", records, "an iterable of LeadRecord", "wrap one in [...]"
        )
    for record in records:
        if not isinstance(record, LeadRecord):
            raise ArgumentTypeError("records[...]", record, "a LeadRecord")
        yield record


@dataclass(frozen=True, slots=True)
class Rate:
    """A ratio with its counts; ``value`` is ``None`` when nothing was counted.

    >>> str(Rate(12, 30))
    '12/30 (40.0 %)'
    """

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        """The ratio as a fraction of 1, or ``None`` for 0/0."""
        return self.numerator / self.denominator if self.denominator else None

    def __str__(self) -> str:
        value = self.value
        percent = "n/a" if value is None else f"{value * 100:.1f} %"
        return f"{self.numerator}/{self.denominator} ({percent})"


def conversion(
    records: Iterable[LeadRecord],
    entered: str,
    reached: str,
    *,
    recycled_as_new: bool = True,
) -> Rate:
    """The share of leads that entered ``entered`` and later reached ``reached``.

    With ``recycled_as_new`` (the default) every cycle counts as a lead of its own: a lead
    recycled to nurture and re-entering counts again. Otherwise each lead counts once and
    converts if any of its cycles reached ``reached``.
    """
    entered = check_text(entered, "entered")
    reached = check_text(reached, "reached")
    check_bool(recycled_as_new, "recycled_as_new")
    hits = total = 0
    for record in _records(records):
        cycles: dict[int, bool] = {}
        if record.origin == entered:
            cycles[0] = False
        for step in record.history:
            if step.target == step.source:
                continue
            if step.target == entered:
                cycles.setdefault(step.cycle, False)
            elif step.target == reached and step.cycle in cycles:
                cycles[step.cycle] = True
        if not cycles:
            continue
        if recycled_as_new:
            total += len(cycles)
            hits += sum(cycles.values())
        else:
            total += 1
            hits += any(cycles.values())
    return Rate(hits, total)


def mql_to_sql(records: Iterable[LeadRecord], *, recycled_as_new: bool = True) -> Rate:
    """MQL→SQL conversion of the default graph (40 %+ good, below 20 % a problem).

    >>> from datetime import datetime, timezone
    >>> from leadflow.lifecycle import HandoffEvent, advance, new_lead
    >>> at = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    >>> lead, _ = advance(new_lead("L-1", "mql"), HandoffEvent("accept", at, "sales"))
    >>> str(mql_to_sql([lead, new_lead("L-2", "mql")]))
    '0/2 (0.0 %)'
    """
    return conversion(records, Stage.MQL, Stage.SQL, recycled_as_new=recycled_as_new)


def sal_acceptance(
    records: Iterable[LeadRecord], *, mql: str = Stage.MQL, sal: str = Stage.SAL
) -> Rate:
    """The share of sales decisions on MQLs that accepted them (below 60 % signals a problem).

    Decisions are the steps out of ``mql`` into ``sal`` (accepted) and the rejections and
    disqualifications of an MQL by sales.
    """
    mql, sal = check_text(mql, "mql"), check_text(sal, "sal")
    accepted = decided = 0
    for record in _records(records):
        for step in record.history:
            if step.source != mql:
                continue
            if step.target == sal:
                accepted += 1
                decided += 1
            elif step.kind in _REJECTIONS and step.actor == Actor.SALES:
                decided += 1
    return Rate(accepted, decided)


@dataclass(frozen=True, slots=True)
class ContactDelay:
    """How long a lead waited in one cycle from becoming an MQL to the first contact attempt."""

    lead_id: str
    cycle: int
    entered_at: datetime
    contacted_at: datetime | None
    """``None`` while nobody has tried to contact the lead."""

    @property
    def delay(self) -> timedelta | None:
        """Wall-clock time to first contact, ``None`` if not contacted yet."""
        return None if self.contacted_at is None else self.contacted_at - self.entered_at


def time_to_first_contact(
    records: Iterable[LeadRecord], *, entered: str = Stage.MQL
) -> tuple[ContactDelay, ...]:
    """For each lead and cycle that entered ``entered``: when the first contact attempt came.

    Leads that started in ``entered`` have no entry time in their history and are skipped.
    Wall-clock time; the SLA pillar measures business time.
    """
    entered = check_text(entered, "entered")
    delays: list[ContactDelay] = []
    for record in _records(records):
        open_entry: tuple[int, datetime] | None = None
        for step in record.history:
            if step.target == entered and step.source != entered:
                if open_entry is not None:
                    delays.append(ContactDelay(record.lead_id, *open_entry, None))
                open_entry = (step.cycle, step.at)
            elif step.kind == TransitionKind.ATTEMPT and open_entry is not None:
                delays.append(ContactDelay(record.lead_id, *open_entry, step.at))
                open_entry = None
        if open_entry is not None:
            delays.append(ContactDelay(record.lead_id, *open_entry, None))
    return tuple(delays)


def median_delay(delays: Iterable[ContactDelay]) -> timedelta | None:
    """The median time to first contact over the contacted leads, ``None`` if there are none."""
    if not isinstance(delays, Iterable) or isinstance(delays, ContactDelay):
        raise ArgumentTypeError("delays", delays, "an iterable of ContactDelay")
    items = list(delays)
    for item in items:
        if not isinstance(item, ContactDelay):
            raise ArgumentTypeError("delays[...]", item, "a ContactDelay")
    values = sorted(d.delay for d in items if d.delay is not None)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def rejection_reasons(
    records: Iterable[LeadRecord], *, kinds: Iterable[str] = _REJECTIONS
) -> dict[str | None, Counter[str]]:
    """Reason codes of rejections and disqualifications, counted per campaign.

    A step's campaign is the one named on its event, else the last campaign named earlier in
    the lead's history (the campaign that brought the lead in), else ``None``.
    """
    wanted = frozenset(check_names(kinds, "kinds", "transition kinds"))
    result: dict[str | None, Counter[str]] = {}
    for record in _records(records):
        campaign: str | None = None
        for step in record.history:
            if step.campaign is not None:
                campaign = step.campaign
            if step.kind in wanted and step.reason is not None:
                result.setdefault(campaign, Counter())[step.reason] += 1
    return result


@dataclass(frozen=True, slots=True)
class ReasonCount:
    """How often a reason was given, and what marketing should do about it."""

    code: str
    count: int
    label: str
    marketing_action: str


def reason_actions(
    records: Iterable[LeadRecord],
    *,
    reasons: Mapping[str, Reason] = STANDARD_REASONS,
    kinds: Iterable[str] = (*_REJECTIONS, TransitionKind.RECYCLE.value, TransitionKind.LOST.value),
) -> tuple[ReasonCount, ...]:
    """Every reason given (most frequent first) with the marketing action it calls for.

    The agenda of the monthly lead council: feedback turned into action.
    """
    wanted = frozenset(check_names(kinds, "kinds", "transition kinds"))
    if not isinstance(reasons, Mapping):
        raise ArgumentTypeError("reasons", reasons, "a mapping of reason codes to Reason")
    counts: Counter[str] = Counter(
        step.reason
        for record in _records(records)
        for step in record.history
        if step.kind in wanted and step.reason is not None
    )
    result = []
    for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        reason = reasons.get(code)
        label = reason.label if reason else code
        action = reason.marketing_action if reason else "no action on file for this reason"
        result.append(ReasonCount(code, count, label, action))
    return tuple(result)
