"""The one-page agreement a sales manager reads and signs, generated from the file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import PurePath
from typing import TYPE_CHECKING

from leadflow.agreement.model import Condition, duration_text
from leadflow.errors import AgreementInputError

if TYPE_CHECKING:
    from leadflow.agreement.engine import Agreement

__all__ = ("render",)


@dataclass(frozen=True, slots=True)
class _Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class _Section:
    title: str
    lines: tuple[str, ...] = ()
    table: _Table | None = None


_DUTIES = {
    "feedback": "Feedback on an MQL (accept or reject)",
    "disposition": "Disposition of a SAL (qualify, recycle or disqualify)",
    "mql_age": "MQL not accepted",
}


def _list(items: tuple[str, ...] | list[str]) -> str:
    return ", ".join(items) if items else "-"


def _condition(c: Condition) -> str:
    kind = c[0]
    if kind in ("and", "or"):
        return f" {kind} ".join(_condition(x) for x in c[1:])
    name = c[1]
    if kind == "cmp":
        return f"{name} {c[2]} {c[3]:g}"
    if kind in ("is", "is_not"):
        value = c[2] if isinstance(c[2], str) else f"{c[2]:g}"
        return f"{name} {'is' if kind == 'is' else 'is not'} {value}"
    return f"{name} {'in' if kind == 'in' else 'not in'} {', '.join(sorted(c[2]))}"


def _sections(a: Agreement) -> list[_Section]:
    p = a.parts
    cal = a.calendar_specs[a.default_calendar]
    out: list[_Section] = []
    handoff = a.handoff
    required = [
        "business email" if f == "email" and handoff.business_email else f for f in handoff.required
    ]
    out.append(
        _Section(
            "Definitions",
            (
                f"**Complete enough for sales** (required for MQL): {_list(required)}; "
                f"recommended: {_list(handoff.recommended)}.",
                f"**Scoring** as signed in `{PurePath(a.rules.source).name}`: scores {_list(a.rules.score_names)}; "
                "temperatures hot, warm, cold.",
                "**IQL** on any engagement activity. **MQL** when the rule file's `mql` rule "
                "holds and the data is complete. **SAL** when sales accepts. **SQL** when "
                f"{_list([q.upper() for q in a.rules.qualification_names]) or 'a qualification'} passes.",
            ),
        )
    )
    hours = f"{cal.hours}, {cal.zone}"
    if cal.holidays:
        hours += f", public holidays {cal.holidays}"
    if cal.closures:
        hours += f", closed {_list(cal.closures)}"
    rows = [
        (
            t.temperature,
            "nurture, no sales target" if t.within is None else f"within {t.within.text}",
            "-" if t.within is None else f"{t.warning:.0%}".replace("%", " %") + " → owner",
            "-" if t.within is None else f"→ {_list(a.breach_notify)}",
        )
        for t in a.targets.values()
    ]
    lines = [f"**Business hours** ({cal.name}): {hours}."]
    if a.promise_text:
        shown = re.sub(r"\{due[^}]*\}", "[due time]", a.promise_text)
        lines.append(f"**Promise** sent to the customer at once: “{shown}”")
    out.append(
        _Section(
            "Response times (sales)",
            tuple(lines),
            _Table(("temperature", "first contact", "warning", "breach"), tuple(rows)),
        )
    )
    route_rows = [
        (
            f"team {r.owner}" if r.team else r.owner,
            "otherwise" if r.condition is None else _condition(r.condition),
            str(r.where.line),
        )
        for r in a.route_rules
    ]
    team_lines = []
    for t in a.teams.values():
        text = f"**Team {t.name}**: {_list(t.members)}, round robin"
        if t.cap:
            text += f", at most {t.cap} open each, overflow to {t.overflow}"
        if t.lead:
            text += f", team lead {t.lead}"
        team_lines.append(text + ".")
    within = f" within {a.route_within.text} (marketing)" if a.route_within else ""
    out.append(
        _Section(
            f"Routing{within}",
            tuple(team_lines),
            _Table(("owner", "when", "line"), tuple(route_rows)),
        )
    )
    duties = [
        f"**Contact**: a lead is unreachable only after {a.contact_text}; the lifecycle "
        "refuses “unreachable” before that.",
    ]
    if a.response_ladder:
        steps = "; ".join(f"after {s.after.text} tell {_list(s.notify)}" for s in a.response_ladder)
        duties.append(f"**First contact still missing** (escalation, from the handoff): {steps}.")
    for spec in a.timer_specs.values():
        steps = "; ".join(f"after {s.after.text} tell {_list(s.notify)}" for s in spec.steps)
        label = _DUTIES.get(spec.name, f"{spec.stage.upper()} aging")
        duties.append(f"**{label}**: {steps}.")
    if a.roles:
        duties.append(
            "**Roles**: " + "; ".join(f"`{code}` {label}" for code, label in a.roles.items()) + "."
        )
    out.append(_Section("Contact and feedback duties", tuple(duties)))
    out.append(
        _Section(
            "Reasons and what marketing does",
            ("A rejection or disqualification names one of these reasons (code or label).",),
            _Table(
                ("code", "reason", "marketing action"),
                tuple((c, r.label, r.marketing_action) for c, r in a.reasons.items()),
            ),
        )
    )
    alert_rows = tuple(
        (
            x.metric,
            f"{x.direction} {x.percent:g} %",
            f"{x.min_sample:,} lead{'' if x.min_sample == 1 else 's'}",
            _list(x.notify),
        )
        for x in p.alerts
    )
    miss_lines = tuple(
        f"Missed for {m.after}{' in a row' if m.in_a_row else ''}: {_list(m.notify)}."
        for m in p.misses
    )
    if alert_rows or miss_lines:
        over = f" (over {p.alerts_over})" if p.alerts_over else ""
        sample = (
            ("A rate on fewer leads than its minimum sample is not judged.",) if alert_rows else ()
        )
        header = ("metric", "threshold", "minimum sample", "tell")
        out.append(
            _Section(
                f"Alerts and escalation{over}",
                sample + miss_lines,
                _Table(header, alert_rows) if alert_rows else None,
            )
        )
    if p.meetings:
        rows2 = tuple(
            (
                m.name.replace("_", " "),
                f"{m.frequency} on {m.ordinal + ' ' if m.ordinal else ''}{m.day} {m.at:%H:%M}",
                duration_text(m.length),
                _list(m.attendees),
            )
            for m in p.meetings
        )
        out.append(_Section("Meetings", (), _Table(("meeting", "when", "length", "with"), rows2)))
    return out


def _markdown(a: Agreement, sections: list[_Section]) -> str:
    lines = [f"# {a.title or 'Marketing and sales agreement'}", ""]
    meta = []
    if a.parts.review:
        meta.append(f"Reviewed {a.parts.review}.")
    meta.append(f"Generated from `{PurePath(a.source).name}` (fingerprint `{a.fingerprint}`).")
    lines += [" ".join(meta), ""]
    for s in sections:
        lines += [f"## {s.title}", ""]
        lines += [f"- {x}" for x in s.lines]
        if s.lines:
            lines.append("")
        if s.table:
            lines.append("| " + " | ".join(s.table.header) + " |")
            lines.append("|" + "---|" * len(s.table.header))
            lines += [
                "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in s.table.rows
            ]
            lines.append("")
    lines += ["## Signatures", ""]
    for who in a.parts.signed or ("Marketing", "Sales"):
        lines.append(f"- {who}: ______________________  date: __________")
    return "\n".join(lines).rstrip() + "\n"


_CSS = """
@page { size: A4; margin: 12mm 14mm; }
* { box-sizing: border-box; }
body { font: 9pt/1.35 "Helvetica Neue", Arial, sans-serif; color: #1f2937; margin: 0 auto;
       max-width: 182mm; padding: 8mm 0; }
h1 { font-size: 15pt; margin: 0 0 1mm; color: #0f172a; }
.meta { color: #64748b; margin: 0 0 3mm; font-size: 8pt; }
h2 { font-size: 10.5pt; margin: 3.5mm 0 1mm; padding-bottom: 0.5mm; color: #0369a1;
     border-bottom: 0.6pt solid #bae6fd; break-after: avoid; }
section { break-inside: avoid; }
ul { margin: 0.5mm 0 1mm; padding-left: 4mm; }
li { margin: 0.3mm 0; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0; font-size: 8.2pt; }
th, td { text-align: left; padding: 0.7mm 1.5mm; border-bottom: 0.4pt solid #e2e8f0;
         vertical-align: top; }
th { background: #f1f5f9; font-weight: 600; }
code { font: 8pt ui-monospace, Menlo, monospace; }
.sign { display: flex; gap: 10mm; margin-top: 9mm; }
.sign div { flex: 1; border-top: 0.6pt solid #334155; padding-top: 1mm; font-size: 8pt; }
"""


def _html_inline(text: str) -> str:
    out = escape(text)
    parts = out.split("**")
    out = "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
    parts = out.split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def _html(a: Agreement, sections: list[_Section]) -> str:
    title = escape(a.title or "Marketing and sales agreement")
    body = [f"<h1>{title}</h1>"]
    meta = f"Generated from {escape(PurePath(a.source).name)} (fingerprint {a.fingerprint})."
    if a.parts.review:
        meta = f"Reviewed {escape(a.parts.review)}. " + meta
    body.append(f'<p class="meta">{meta}</p>')
    for s in sections:
        body.append(f"<section><h2>{_html_inline(s.title)}</h2>")
        if s.lines:
            body.append("<ul>" + "".join(f"<li>{_html_inline(x)}</li>" for x in s.lines) + "</ul>")
        if s.table:
            head = "".join(f"<th>{escape(h)}</th>" for h in s.table.header)
            rows = "".join(
                "<tr>" + "".join(f"<td>{_html_inline(c)}</td>" for c in row) + "</tr>"
                for row in s.table.rows
            )
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        body.append("</section>")
    signers = a.parts.signed or ("Marketing", "Sales")
    body.append(
        '<div class="sign">'
        + "".join(f"<div>{escape(s)}<br>date, signature</div>" for s in signers)
        + "</div>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def render(agreement: Agreement, fmt: str) -> str:
    """The agreement page as ``"markdown"`` or ``"html"``."""
    sections = _sections(agreement)
    if fmt == "markdown":
        return _markdown(agreement, sections)
    if fmt == "html":
        return _html(agreement, sections)
    raise AgreementInputError(
        f"unknown format {fmt!r}; expected 'markdown' or 'html'",
        field="fmt",
        value=fmt,
        expected="markdown, html",
    )
