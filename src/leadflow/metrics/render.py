"""Rendering a :class:`~leadflow.metrics.Report` as JSON data, Markdown and one HTML page."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import TYPE_CHECKING, Any

from leadflow.lifecycle import Rate
from leadflow.metrics.svg import funnel_svg, trend_svg

if TYPE_CHECKING:
    from leadflow.metrics.report import Report

__all__ = ("report_to_dict", "report_to_html", "report_to_markdown")

_HOUR = timedelta(hours=1)
_DAY = timedelta(days=1)


def _rate(rate: Rate) -> dict[str, Any]:
    value = rate.value
    return {
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "value": None if value is None else round(value, 4),
    }


def _hours(value: timedelta | None) -> float | None:
    return None if value is None else round(value / _HOUR, 2)


def _days(value: timedelta | None) -> float | None:
    return None if value is None else round(value / _DAY, 2)


def _key(value: str | None) -> str:
    return "(none)" if value is None else value


def report_to_dict(report: Report) -> dict[str, Any]:
    """JSON-ready data: rates as numerator/denominator/value, durations in hours or days."""
    response = report.response
    return {
        "title": report.title,
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
        "now": report.now.isoformat(),
        "leads": report.leads,
        "events": report.events,
        "alerts": [
            {
                "metric": a.metric,
                "period": a.period,
                "group_field": a.group_field,
                "group": a.group,
                "rate": _rate(a.rate),
                "limit": a.limit,
                "direction": a.direction,
                "streak": a.streak,
                "level": a.level,
                "audience": a.audience,
                "action": a.action,
                "message": a.message,
            }
            for a in report.alerts
        ],
        "funnel": {
            "stage_counts": dict(report.stage_counts),
            "entered": dict(report.entered),
            "conversions": [
                {"from": a, "to": b, "rate": _rate(r)} for a, b, r in report.conversions
            ],
            "lead_to_opportunity": _rate(report.lead_to_opportunity),
            "win_rate": _rate(report.win_rate),
            "sal_acceptance": _rate(report.sal_acceptance),
            "mql_to_sql_by": {
                "field": report.by,
                "groups": {_key(k): _rate(r) for k, r in report.mql_to_sql_by.items()},
            },
        },
        "sla": {
            "not_contacted_within_24_business_hours": _rate(report.not_contacted),
            "first_contact_business_hours": {
                "contacted": response.contacted,
                "median": _hours(response.median),
                "p90": _hours(response.p90),
                "within_target": {_key(t): _rate(r) for t, r in response.within_target.items()},
            },
            "feedback_within_2_weeks": _rate(report.feedback),
            "routing_within_5_minutes": _rate(report.routing),
            "touches_before_unreachable": {
                "leads": report.touches.leads,
                "median": report.touches.median,
                "minimum": report.touches.minimum,
                "meets_rule": _rate(report.touches.meets_rule),
            },
            "weekly_first_contact": [
                {"week": w.isoformat(), "contacted": n, "median_hours": _hours(m)}
                for w, n, m in report.weekly_first_contact
            ],
            "aging": [
                {
                    "lead_id": a.lead_id,
                    "stage": a.stage,
                    "entered_at": a.entered_at.isoformat(),
                    "age_days": _days(a.age),
                    "limit_days": _days(a.limit),
                    "limit": a.limit_text,
                    "due_at": None if a.due_at is None else a.due_at.isoformat(),
                }
                for a in report.aging
            ],
        },
        "reasons": {
            "field": report.by,
            "groups": {
                _key(k): [
                    {
                        "code": r.code,
                        "count": r.count,
                        "label": r.label,
                        "action": r.marketing_action,
                    }
                    for r in rows
                ]
                for k, rows in report.reasons.items()
            },
        },
        "velocity": [
            {
                "stage": v.stage,
                "cycle": v.cycle,
                "stays": v.stays,
                "median_days": _days(v.median),
                "p90_days": _days(v.p90),
            }
            for v in report.velocity
        ],
        "planning": {
            "coverage": None
            if report.coverage is None
            else {
                "pipeline": report.coverage.pipeline,
                "target": report.coverage.target,
                "ratio": None if report.coverage.ratio is None else round(report.coverage.ratio, 3),
                "verdict": report.coverage.verdict,
            },
            "reverse_funnel": None
            if report.reverse_funnel is None
            else report.reverse_funnel._asdict(),
            "marketing_sourced": {
                "revenue": report.sourced.marketing,
                "total": report.sourced.total,
                "deals": report.sourced.deals,
                "marketing_deals": report.sourced.marketing_deals,
                "share": None if report.sourced.share is None else round(report.sourced.share, 4),
            },
            "attribution": {
                "model": report.attribution_model,
                "revenue": {_key(k): round(v, 2) for k, v in report.attribution.items()},
            },
        },
    }


def _fmt_h(value: timedelta | None) -> str:
    return "n/a" if value is None else f"{value / _HOUR:.1f} h"


def _fmt_d(value: timedelta | None) -> str:
    return "n/a" if value is None else f"{value / _DAY:.1f} d"


def _sections(report: Report) -> list[tuple[str, list[str], list[list[str]]]]:
    """Every table of the report as (heading, header, rows), in reading order."""
    r = report.response
    sections: list[tuple[str, list[str], list[list[str]]]] = []
    sections.append(
        (
            "Alerts",
            ["level", "metric", "period", "group", "rate", "limit", "escalate to", "action"],
            [
                [
                    a.level,
                    a.metric,
                    a.period,
                    "all" if a.group_field is None else f"{a.group_field}={_key(a.group)}",
                    str(a.rate),
                    f"{a.direction} {a.limit * 100:.0f} %",
                    a.audience,
                    a.action,
                ]
                for a in report.alerts
            ],
        )
    )
    funnel_rows = [[f"{a} → {b}", str(rate)] for a, b, rate in report.conversions]
    funnel_rows += [
        ["lead → opportunity", str(report.lead_to_opportunity)],
        ["win rate (won / decided)", str(report.win_rate)],
        ["SAL acceptance (accepted / sales decisions on MQLs)", str(report.sal_acceptance)],
    ]
    sections.append(("Funnel", ["conversion", "rate"], funnel_rows))
    sections.append(
        (
            f"MQL → SQL by {report.by}",
            [report.by or "group", "rate"],
            [[_key(k), str(v)] for k, v in report.mql_to_sql_by.items()],
        )
    )
    sla_rows = [
        ["handed to sales, not contacted within 24 business hours", str(report.not_contacted)],
        ["time to first contact, median (business hours)", _fmt_h(r.median)],
        ["time to first contact, p90 (business hours)", _fmt_h(r.p90)],
        *[
            [f"contacted within target, temperature {_key(t)}", str(rate)]
            for t, rate in r.within_target.items()
        ],
        ["marketing: routed to a rep within 5 minutes", str(report.routing)],
        ["sales: feedback (disposition) within 2 weeks", str(report.feedback)],
        [
            "touches before 'unreachable' (median; meeting the touch rule)",
            "n/a"
            if report.touches.median is None
            else f"{report.touches.median:g}; {report.touches.meets_rule}",
        ],
        ["leads aging beyond the agreed limit", str(len(report.aging))],
    ]
    sections.append(("SLA compliance", ["measure", "value"], sla_rows))
    sections.append(
        (
            "Leads aging beyond the agreed limit (oldest first, at most 20)",
            ["lead", "stage", "since", "age", "limit"],
            [
                [
                    a.lead_id,
                    a.stage,
                    f"{a.entered_at:%Y-%m-%d %H:%M} UTC",
                    _fmt_d(a.age),
                    a.limit_text or _fmt_d(a.limit),
                ]
                for a in report.aging[:20]
            ],
        )
    )
    reason_rows = [
        [_key(k), row.label, str(row.count), row.marketing_action]
        for k, rows in report.reasons.items()
        for row in rows
    ]
    sections.append(
        (
            "Rejection reasons and marketing actions",
            [report.by or "group", "reason", "count", "marketing action"],
            reason_rows,
        )
    )
    sections.append(
        (
            "Velocity (time in stage, finished stays)",
            ["stage", "cycle", "stays", "median", "p90"],
            [
                [v.stage, str(v.cycle), str(v.stays), _fmt_d(v.median), _fmt_d(v.p90)]
                for v in report.velocity
            ],
        )
    )
    planning = []
    if report.coverage is not None:
        c = report.coverage
        ratio = "n/a" if c.ratio is None else f"{c.ratio:.2f}x"
        planning.append(["pipeline coverage", f"{ratio} ({c.verdict})"])
    if report.reverse_funnel is not None:
        f = report.reverse_funnel
        for name in ("won", "opportunities", "sqls", "sals", "mqls"):
            value = getattr(f, name)
            planning.append([f"needed per month: {name}", "n/a" if value is None else str(value)])
    s = report.sourced
    share = "n/a" if s.share is None else f"{s.share * 100:.1f} %"
    planning.append(
        ["marketing-sourced revenue", f"{s.marketing:,.0f} of {s.total:,.0f} ({share})"]
    )
    planning += [
        [f"attributed revenue ({report.attribution_model}): {_key(k)}", f"{v:,.0f}"]
        for k, v in report.attribution.items()
    ]
    sections.append(("Planning", ["measure", "value"], planning))
    return sections


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"

    return [line(header), line(["---"] * len(header)), *(line(r) for r in rows)]


def _subtitle(report: Report) -> str:
    p = report.period
    span = p.label if p.label and p.label != "all" else f"{p.start:%Y-%m-%d} – {p.end:%Y-%m-%d}"
    return (
        f"Period {span} · {report.leads} leads, "
        f"{report.events} events · as of {report.now:%Y-%m-%d %H:%M} UTC"
    )


def report_to_markdown(report: Report) -> str:
    """The report as Markdown, alerts first."""
    lines = [f"# {report.title}", "", _subtitle(report), ""]
    for heading, header, rows in _sections(report):
        lines += [f"## {heading}", ""]
        if rows:
            lines += _md_table(header, rows)
        else:
            lines.append("No alerts." if heading == "Alerts" else "Nothing to report.")
        lines.append("")
    return "\n".join(lines)


_CSS = """
body{font-family:system-ui,sans-serif;margin:32px auto;max-width:1100px;color:#111;padding:0 16px}
h1{margin-bottom:4px}.sub{color:#555;margin-top:0}
h2{margin-top:28px;border-bottom:2px solid #e5e7eb;padding-bottom:4px}
table{border-collapse:collapse;width:100%;font-size:14px}
th,td{border:1px solid #e5e7eb;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#f3f4f6}td:not(:last-child){white-space:nowrap}.alerts td{background:#fef2f2}.ok{color:#15803d}
.charts{display:flex;gap:32px;flex-wrap:wrap;margin-bottom:12px}.charts figure{margin:0}
figcaption{font-size:13px;color:#555}
"""


def _html_table(header: list[str], rows: list[list[str]], cls: str = "") -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def report_to_html(report: Report) -> str:
    """One self-contained page: alerts first, the funnel and weekly trend as inline SVG."""
    target = report.first_contact_target / _HOUR
    trend = trend_svg(
        [
            (f"{w:%m-%d}", None if m is None else m / _HOUR)
            for w, _n, m in report.weekly_first_contact
        ],
        target=target,
    )
    charts = (
        "<div class='charts'>"
        f"<figure>{funnel_svg(list(report.entered))}<figcaption>Leads entering each stage in "
        "the period</figcaption></figure>"
        f"<figure>{trend}<figcaption>Median time to first contact per week of handoff "
        "(business hours)</figcaption></figure></div>"
    )
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(report.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(report.title)}</h1><p class='sub'>{escape(_subtitle(report))}</p>",
    ]
    for heading, header, rows in _sections(report):
        parts.append(f"<h2>{escape(heading)}</h2>")
        if heading == "Funnel":
            parts.append(charts)
        if rows:
            parts.append(_html_table(header, rows, "alerts" if heading == "Alerts" else ""))
        else:
            empty = "No alerts." if heading == "Alerts" else "Nothing to report."
            parts.append(f"<p class='ok'>{empty}</p>")
    parts.append("</body></html>")
    return "".join(parts)
