"""The ``leadflow demo`` job: where the three pillars meet, passing results as data.

For each record of a batch: validate it and check its handoff data; score it with a rule file;
move its lifecycle record (knock-out → ``disqualified``, MQL → ``mql`` if the handoff data is
complete, other behaviour → ``iql``); and for every MQL put the response SLA of its temperature
on the office calendar, from the moment of its latest signal to ``now``.

This is integration code on top of the pillars: ``rules``, ``lifecycle`` and ``sla`` do not
know each other; only this module passes the evaluation's temperature and knock-out reason on.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from leadflow._time import require_aware
from leadflow.handoff import quality_of, validate_each
from leadflow.lead import Lead
from leadflow.lifecycle import HandoffEvent, LeadRecord, new_lead, try_advance
from leadflow.rules import Evaluation, RuleSet
from leadflow.sla import BusinessCalendar, SlaPolicy, SlaStatus
from leadflow.synthetic import Quarter

__all__ = ("LeadRun", "quarter_report", "render", "run")


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


# -- the quarter: examples/agreement.lf end to end over a synthetic quarter --------------------


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    - "


def quarter_report(quarter: Quarter) -> str:
    """What a revenue-operations lead wants on one screen, from a simulated quarter."""
    a, now = quarter.agreement, quarter.now
    office = a.calendars[a.default_calendar]
    states = list(quarter.states.values())
    total = len(quarter.arrivals)
    closed = sum(1 for at in quarter.arrivals.values() if not office.is_open(at))
    weekend = sum(
        1 for at in quarter.arrivals.values() if at.astimezone(office.timezone).weekday() >= 5
    )
    holiday = sum(
        1
        for at in quarter.arrivals.values()
        if at.astimezone(office.timezone).date() in office.holidays_in(at.year)
    )
    lines = [
        f"{a.title}: the quarter up to {now.astimezone(office.timezone):%a %d %b %Y %H:%M}",
        f"{total} leads, {quarter.events} events processed ({quarter.refused} refused by the agreement); "
        f"{closed} arrived while the office was closed ({weekend} on weekends, {holiday} on public holidays)",
        "",
    ]
    counts = Counter(s.stage for s in states)
    stages = [s for s in a.graph.stage_names if counts[s]]
    lines.append("Leads per stage   " + "  ".join(f"{s} {counts[s]}" for s in stages))
    if quarter.held:
        required = ", ".join(
            "business email" if f == "email" and a.handoff.business_email else f
            for f in a.handoff.required
        )
        held = ", ".join(
            f"{n} {len(ids)}" for n, ids in sorted(quarter.held.items(), key=lambda kv: -len(kv[1]))
        )
        lines.append(
            f"Kept from sales   MQL-level but lacking a required field ({required}): {held}"
        )
    lines.append(f"Promises sent     {quarter.promises} auto-responses with a concrete answer time")
    lines.append("")
    lines.append("Owner     assigned  open now  first contact on time")
    by_owner: dict[str, list[bool]] = {}
    compliance: dict[str, Counter[str]] = {}
    for state in states:
        for timer in state.timers:
            if timer.name != "response":
                continue
            temperature = quarter.response_temperature.get((state.lead_id, timer.started_at), "-")
            outcome = _outcome(timer.state, timer.done_at, timer.due_at, now)
            compliance.setdefault(temperature, Counter())[outcome] += 1
            if state.owner and outcome in ("on time", "late", "breached"):
                by_owner.setdefault(state.owner, []).append(outcome == "on time")
    for owner in sorted(quarter.assigned, key=lambda o: -quarter.assigned[o]):
        results = by_owner.get(owner, [])
        lines.append(
            f"{owner:<9} {quarter.assigned[owner]:>8}  {quarter.routing.load(owner):>8}  "
            f"{_pct(sum(results), len(results))} of {len(results)}"
        )
    if quarter.overflow:
        lines.append(
            f"          {quarter.overflow} leads went to an overflow owner because a team was at its cap"
        )
    lines.append("")
    lines.append(
        "Response SLA   target                     on time  late  breached  running  stopped  compliance"
    )
    for temperature, target in a.targets.items():
        c = compliance.get(temperature, Counter())
        judged = c["on time"] + c["late"] + c["breached"]
        text = "nurture (no sales target)" if target.within is None else f"{target.within.text}"
        lines.append(
            f"{temperature:<14} {text:<26} {c['on time']:>7} {c['late']:>5} {c['breached']:>9} "
            f"{c['running']:>8} {c['stopped']:>8}  {_pct(c['on time'], judged)}"
        )
    fired: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    for state in states:
        for timer in state.timers:
            end = min(timer.done_at or now, now)
            for alarm in timer.alarms:
                if alarm.at <= end:
                    who = tuple(
                        state.owner if n == "owner" and state.owner else n for n in alarm.notify
                    )
                    fired[
                        (timer.name, alarm.kind, who if alarm.kind != "warning" else ("owner",))
                    ] += 1
    lines.append("")
    lines.append("Breaches and escalations (sent)")
    for (name, kind, recipients), n in sorted(fired.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {n:>5}  {name:<12} {kind:<10} -> {', '.join(recipients)}")
    due_now = sum(1 for _ in a.due(states, now=now, since=now - timedelta(days=1)))
    lines.append(f"  {due_now:>5}  reminders due in the last 24 hours (Agreement.due)")
    reasons: Counter[tuple[str, str]] = Counter()
    for state in states:
        for step in state.record.history:
            if step.event.reason:
                by = (
                    "knock-out"
                    if step.event.actor == "system" and step.event.reason != "unreachable"
                    else step.event.actor
                )
                reasons[(step.event.reason, by)] += 1
    lines.extend(_report_lines(quarter))
    lines.append("")
    lines.append("Reasons                     by         count  marketing action")
    for (code, by), n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])):
        action = a.reasons[code].marketing_action if code in a.reasons else "-"
        lines.append(f"  {code:<25} {by:<10} {n:>5}  {action}")
    return "\n".join(lines)


def _report_lines(quarter: Quarter) -> list[str]:
    """The metrics report's funnel and open alerts for the quarter (``leadflow report``).

    The histories are the quarter's final states (:func:`~leadflow.metrics.state_histories`);
    the alerts, their ladder and the aging limits are the agreement's, judged per week of the
    quarter.
    """
    from leadflow.agreement.model import duration_text
    from leadflow.metrics import alert_rules, build_report, state_histories

    a = quarter.agreement
    report = build_report(
        state_histories(quarter.states.values()),
        calendar=a.calendars[a.default_calendar],
        now=quarter.now,
        agreement=a,
    )
    thresholds = alert_rules(a).thresholds
    windows = {t.window for t in thresholds}
    window = windows.pop() if len(windows) == 1 else None
    over = "" if window is None else f"rates over {duration_text(window)}, "
    sample = min((t.min_sample for t in thresholds), default=20)
    entered = "  ".join(f"{stage} {count}" for stage, count in report.entered)
    steps = "  ".join(f"{x}→{y} {rate}" for x, y, rate in report.conversions)
    lines = [
        "",
        f"Funnel (report)   entered: {entered}",
        f"  conversion      {steps}",
        f"  lead→opportunity {report.lead_to_opportunity}, win rate {report.win_rate}, "
        f"SAL acceptance {report.sal_acceptance}; {len(report.aging)} leads aging beyond "
        "the agreed limit",
        "",
        f"Alerts (report)   {len(report.alerts) or 'none'} open, {over}judged per week "
        f"(at least {sample} leads each)",
    ]
    lines.extend(f"  {alert.level:<17} {alert.message}" for alert in report.alerts)
    return lines


def _outcome(state: str, done_at: datetime | None, due_at: datetime, now: datetime) -> str:
    if state == "met":
        return "on time" if done_at is not None and done_at <= due_at else "late"
    if state == "stopped":
        return "stopped"
    return "breached" if due_at <= now else "running"


def quarter_main(path: Path, *, render: str | None, seed: int, size: int) -> int:
    """``leadflow demo``: load the agreement, then print its page or run the quarter."""
    from leadflow.agreement import load_agreement
    from leadflow.synthetic import run_quarter

    agreement = load_agreement(path)
    if render is not None:
        sys.stdout.write(agreement.render(render))
        return 0
    progress = _progress_bar if sys.stderr.isatty() else None
    quarter = run_quarter(agreement, seed=seed, count=size, progress=progress)
    if progress is not None:
        sys.stderr.write("\r" + " " * 60 + "\r")
    print(quarter_report(quarter))
    return 0


def _progress_bar(done: int, total: int) -> None:
    width = 40
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total} events")
    sys.stderr.flush()
