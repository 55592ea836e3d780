"""``leadflow report HISTORY.jsonl``: the command-line shell around :func:`build_report`.

The top-level CLI owns the ``leadflow`` command; it wires this in with
:func:`add_report_arguments` and :func:`run_report`. :func:`report_main` runs it standalone
(``python -m leadflow.metrics``). The only I/O of the metrics package lives here. It reads no
clock: ``--now`` defaults to the latest event in the history. With ``--agreement FILE`` the
input is the agreement's event log, replayed lead by lead (:func:`read_event_log`), the
aging limits are the agreement's (:func:`aging_limits`; ``--aging`` adds or overrides stages)
and so are the alert thresholds and escalation ladder (:func:`alert_rules`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, TextIO

from leadflow._time import to_utc
from leadflow.agreement import Agreement, load_agreement
from leadflow.errors import LeadflowError
from leadflow.metrics.eventlog import aging_limits, read_event_log
from leadflow.metrics.history import History, Period, read_histories
from leadflow.metrics.report import build_report
from leadflow.metrics.response import AgingLimit
from leadflow.sla import BusinessCalendar

__all__ = ("add_report_arguments", "report_main", "run_report")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset, e.g. {text}+01:00")
    return value


def _limits(text: str) -> dict[str, timedelta]:
    limits = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        stage, _, days = part.partition("=")
        try:
            limits[stage.strip()] = timedelta(days=float(days.removesuffix("d")))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"aging limit {part!r} is not STAGE=DAYS, e.g. sal=7,sql=30"
            ) from None
    return limits


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``report`` command's arguments to ``parser``."""
    parser.add_argument(
        "history",
        help="JSONL history: one lead per line, or with --agreement the agreement's event log "
        "(one event per line); - for stdin (see docs/metrics.md)",
    )
    parser.add_argument(
        "--agreement",
        help="agreement file: read HISTORY as its event log and replay each lead through it "
        "(the calendar defaults to the agreement's response calendar; the aging limits, alert "
        "thresholds and escalation ladder are the agreement's)",
    )
    parser.add_argument("--from", dest="start", type=_date, help="first day of the period")
    parser.add_argument("--to", dest="end", type=_date, help="last day of the period (inclusive)")
    parser.add_argument(
        "--by", default="campaign", help="lead field to group by (default: campaign)"
    )
    parser.add_argument("--alert-by", help="also judge the alerts per group of this lead field")
    parser.add_argument("--format", choices=("md", "json", "html"), default="md")
    parser.add_argument("--out", help="write to this file instead of stdout")
    parser.add_argument("--now", type=_instant, help="as-of time (default: the latest event)")
    parser.add_argument("--hours", help="business hours (default: mon-fri 08:00-18:00)")
    parser.add_argument("--timezone", help="IANA zone of the hours (default: Europe/Berlin)")
    parser.add_argument("--holidays", help="holiday region, e.g. DE-BE (default: none)")
    parser.add_argument(
        "--aging",
        type=_limits,
        default={},
        help="aging limits as STAGE=DAYS,... (with --agreement: added to, and overriding, the "
        "agreement's own limits)",
    )
    parser.add_argument("--revenue-target", type=float, help="revenue target of the period")
    parser.add_argument("--deal-size", type=float, help="average deal size (reverse funnel)")


def _progress(histories: Iterable[History], stream: TextIO) -> Iterator[History]:
    """Pass histories through, drawing a count on ``stream`` every 5,000 leads."""
    count = 0
    for count, history in enumerate(histories, 1):
        if count % 5000 == 0:
            stream.write(f"\rreading history: {count:,} leads")
            stream.flush()
        yield history
    stream.write(f"\rreading history: {count:,} leads, building the report\n")
    stream.flush()


def _counted(lines: Iterable[str], stream: TextIO) -> Iterator[str]:
    """Pass event-log lines through, drawing a count on ``stream`` every 50,000 events."""
    count = 0
    for count, line in enumerate(lines, 1):
        if count % 50_000 == 0:
            stream.write(f"\rreplaying events: {count:,}")
            stream.flush()
        yield line
    stream.write(f"\rreplaying events: {count:,}, building the report\n")
    stream.flush()


def _replay(path: str, agreement: Agreement, stream: IO[str] | None) -> list[History]:
    source = "<stdin>" if path == "-" else path
    tty = stream is not None and stream.isatty()
    with nullcontext(sys.stdin) if path == "-" else Path(path).open(encoding="utf-8") as lines:
        counted = _counted(lines, stream) if tty else lines  # type: ignore[arg-type]
        return read_event_log(counted, agreement, source=source)


def _read(path: str, stream: IO[str] | None) -> list[History]:
    source = "<stdin>" if path == "-" else path
    if path == "-":
        lines: Iterable[str] = sys.stdin
        return _collect(read_histories(lines, source=source), stream)
    with Path(path).open(encoding="utf-8") as handle:
        return _collect(read_histories(handle, source=source), stream)


def _collect(histories: Iterator[History], stream: IO[str] | None) -> list[History]:
    if stream is not None and stream.isatty():
        return list(_progress(histories, stream))  # type: ignore[arg-type]
    return list(histories)


def _calendar(args: argparse.Namespace, agreement: Agreement | None) -> BusinessCalendar:
    """The business calendar: the options given, else the agreement's, else the defaults."""
    hours, zone, holidays = args.hours, args.timezone, args.holidays
    if agreement is not None and hours is None and zone is None and holidays is None:
        return agreement.calendars[agreement.default_calendar]
    return BusinessCalendar(
        hours or "mon-fri 08:00-18:00", zone or "Europe/Berlin", holidays or None
    )


def run_report(args: argparse.Namespace, *, stderr: IO[str] | None = None) -> int:
    """Run the ``report`` command with parsed ``args``; returns the exit status.

    Raises:
        SystemExit: a file cannot be read or written (with the reason).
        LeadflowError: the history or the calendar is invalid.
    """
    stream = sys.stderr if stderr is None else stderr
    agreement = None
    if getattr(args, "agreement", None):
        try:
            agreement = load_agreement(args.agreement)
        except OSError as error:
            raise SystemExit(f"leadflow: cannot read {args.agreement}: {error.strerror}") from None
    try:
        if agreement is None:
            histories = _read(args.history, stream)
        else:
            histories = _replay(args.history, agreement, stream)
    except OSError as error:
        raise SystemExit(f"leadflow: cannot read {args.history}: {error.strerror}") from None
    calendar = _calendar(args, agreement)
    zone = calendar.timezone
    latest = max(
        (s.event.at for h in histories for s in h.record.history),
        default=None,
    )
    now = to_utc(args.now, "now") if args.now else None
    period = None
    if args.start or args.end:
        first = args.start or min(
            (h.started_at.astimezone(zone).date() for h in histories if h.started_at),
            default=args.end,
        )
        last = (
            args.end
            or (now or latest or datetime.combine(first, time(), zone)).astimezone(zone).date()
        )
        start = datetime.combine(first, time(), zone)
        end = datetime.combine(last + timedelta(days=1), time(), zone)
        period = Period(to_utc(start), to_utc(end), f"{first} – {last}")
        if now is None:
            now = min(to_utc(end), latest) if latest else to_utc(end)
    if now is None:
        now = latest or datetime.combine(date(1970, 1, 1), time(), zone)
    limits: dict[str, timedelta | AgingLimit] = {}
    if agreement is not None:
        limits.update(aging_limits(agreement))
    limits.update(args.aging)
    report = build_report(
        histories,
        calendar=calendar,
        now=now,
        period=period,
        by=args.by,
        alert_by=args.alert_by,
        aging_limits=limits,
        agreement=agreement,
        revenue_target=args.revenue_target,
        average_deal_size=args.deal_size,
    )
    text = {"md": report.to_markdown, "json": report.to_json, "html": report.to_html}[args.format]()
    if args.out:
        try:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        except OSError as error:
            raise SystemExit(f"leadflow: cannot write {args.out}: {error.strerror}") from None
    else:
        sys.stdout.write(text + "\n")
    return 0


def report_main(argv: Sequence[str] | None = None) -> int:
    """``leadflow report`` as a standalone entry point; prints errors, returns the status."""
    parser = argparse.ArgumentParser(
        prog="leadflow report",
        description="Funnel, SLA compliance, alerts and planning from a lead history.",
    )
    add_report_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_report(args)
    except LeadflowError as error:
        sys.stderr.write(f"leadflow: {error}\n")
        return 1
