"""The ``leadflow demo`` job: where the three pillars meet, passing results as data.

For each record of a batch: validate it and check its handoff data; score it with a rule file;
move its lifecycle record (knock-out → ``disqualified``, MQL → ``mql`` if the handoff data is
complete, other behaviour → ``iql``); and for every MQL put the response SLA of its temperature
on the office calendar, from the moment of its latest signal to ``now``.

This is integration code on top of the pillars: ``rules``, ``lifecycle`` and ``sla`` do not
know each other; only this module passes the evaluation's temperature and knock-out reason on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from leadflow._time import require_aware
from leadflow.handoff import quality_of, validate_each
from leadflow.lead import Lead
from leadflow.lifecycle import HandoffEvent, LeadRecord, new_lead, try_advance
from leadflow.rules import Evaluation, RuleSet
from leadflow.sla import BusinessCalendar, SlaPolicy, SlaStatus

__all__ = ("LeadRun", "render", "run")


@dataclass(frozen=True, slots=True)
class LeadRun:
    """What the demo job did with one valid lead."""

    lead: Lead
    evaluation: Evaluation
    record: LeadRecord
    refusal: str | None
    """Why the lifecycle refused the move the scores called for, if it did."""
    sla: SlaStatus | None
    """The response SLA of an MQL; ``None`` for leads that are not with sales."""


def _signal_at(lead: Lead, now: datetime) -> datetime:
    return lead.last_activity_at() or lead.created_at or now


def _lifecycle(lead: Lead, evaluation: Evaluation, at: datetime) -> tuple[LeadRecord, str | None]:
    record = new_lead(lead.id)
    if evaluation.knocked_out:
        event = HandoffEvent("disqualify", at, "system", reason=evaluation.reasons[0])
    elif evaluation.mql:
        event = HandoffEvent("promote", at, "system", lead=lead)
    elif lead.activities:
        event = HandoffEvent("engage", at, "system")
    else:
        return record, None
    outcome = try_advance(record, event)
    return outcome.record, None if outcome.ok else outcome.message


def run(
    leads: Iterable[Lead],
    *,
    rules: RuleSet,
    now: datetime,
    calendar: BusinessCalendar,
    policy: SlaPolicy | None = None,
) -> tuple[LeadRun, ...]:
    """Score, move and time every lead at ``now``; pure apart from what the arguments hold."""
    require_aware(now, "now")
    policy = policy or SlaPolicy()
    runs = []
    for lead in leads:
        evaluation = rules.evaluate(lead, now=now)
        at = min(_signal_at(lead, now), now)
        record, refusal = _lifecycle(lead, evaluation, at)
        sla = None
        if record.stage == "mql" and evaluation.temperature in policy.segments:
            target = policy.target(evaluation.temperature)
            if target.within is not None:
                sla = policy.track(evaluation.temperature, at, now=now, calendars=calendar)
        runs.append(LeadRun(lead, evaluation, record, refusal, sla))
    return tuple(runs)


def _when(value: datetime, zone: Any) -> str:
    return value.astimezone(zone).strftime("%a %d %b %H:%M")


def _duration(value: timedelta) -> str:
    minutes = int(abs(value).total_seconds() // 60)
    return f"{minutes // 60}h{minutes % 60:02d}"


def _sla_line(sla: SlaStatus, zone: Any) -> str:
    due = f"answer due {_when(sla.due_at, zone)}"
    since = f"since {_when(sla.started_at, zone)}"
    if sla.state == "breached":
        return f"{due} ({since}): BREACHED, {_duration(sla.remaining)} business time overdue"
    risk = ", AT RISK" if sla.at_risk else ""
    return f"{due} ({since}): {sla.state}{risk}, {_duration(sla.remaining)} business time left"


def render(runs: Sequence[LeadRun], *, now: datetime, calendar: BusinessCalendar) -> str:
    """A plain-text account of a demo run, one block per lead."""
    zone = calendar.timezone
    local = now.astimezone(zone)
    lines = [f"Scoring, lifecycle and SLA at {local:%a %d %b %Y %H:%M} ({zone})"]
    for item in runs:
        ev = item.evaluation
        scores = "  ".join(f"{name} {value:g}" for name, value in ev.scores.items())
        mql = "no mql rule" if ev.mql is None else "MQL" if ev.mql else "no MQL"
        temperature = ev.temperature or "no temperature"
        lines.append("")
        lines.append(f"{item.lead.id}  {item.lead.company}")
        lines.append(f"  {scores}  -> {temperature}, {mql}")
        if ev.knocked_out:
            lines.append(f"  knocked out: {', '.join(ev.reasons)}")
        lines.append(f"  stage: {item.record.stage}")
        if item.refusal:
            lines.append(f"  handoff refused: {item.refusal}")
        if item.sla is not None:
            lines.append(f"  {_sla_line(item.sla, zone)}")
            lines.extend(
                f"  escalated to {e.notify} at {_when(e.due_at, zone)}: {e.note}"
                for e in item.sla.escalations
            )
    return "\n".join(lines)


def demo_report(
    records: Sequence[Mapping[str, Any]],
    *,
    rules: RuleSet,
    now: datetime,
    calendar: BusinessCalendar,
) -> str:
    """The whole demo output: the data-quality report, then scoring, lifecycle and SLA."""
    outcomes = tuple(validate_each(records))  # each record validated once, for both parts
    leads = [lead for lead in outcomes if isinstance(lead, Lead)]  # the rest: in the report
    runs = run(leads, rules=rules, now=now, calendar=calendar)
    return "\n\n".join((quality_of(outcomes).render(), render(runs, now=now, calendar=calendar)))
