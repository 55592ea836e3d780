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
import json
import math
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import nullcontext
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, BinaryIO

from leadflow._time import to_utc
from leadflow.agreement import Agreement, load_agreement
from leadflow.agreement.model import MAX_DURATION
from leadflow.errors import LeadflowError
from leadflow.metrics.eventlog import aging_limits, read_event_log
from leadflow.metrics.history import History, Period, read_histories
from leadflow.metrics.report import build_report
from leadflow.metrics.response import _DEFAULT_STAGES, AgingLimit
from leadflow.sla import BusinessCalendar

__all__ = ("add_report_arguments", "report_main", "run_report")


def _date(text: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-30") from None
    if not date.min < day < date.max:  # the period runs from midnight to the next midnight
        raise argparse.ArgumentTypeError(f"{text!r} lies outside 0001-01-02 to 9999-12-30")
    return day


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset, e.g. {text}+01:00")
    return value


_LONGEST_AGING = MAX_DURATION.days
"""Days: the longest aging limit ``--aging`` takes (as in an agreement file)."""


def _limits(text: str) -> dict[str, timedelta]:
    limits = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        stage, _, days = (x.strip() for x in part.partition("="))
        try:
            count = float(days.removesuffix("d"))
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"aging limit {part!r} is not STAGE=DAYS, e.g. sal=7,sql=30"
            ) from None
        if stage not in _DEFAULT_STAGES:
            raise argparse.ArgumentTypeError(
                f"aging limit {part!r}: unknown stage {stage!r} (stages: {', '.join(_DEFAULT_STAGES)})"
            )
        if not 0 < count <= _LONGEST_AGING:
            raise argparse.ArgumentTypeError(
                f"aging limit {part!r}: more than 0 and at most {_LONGEST_AGING:,} days"
            )
        limits[stage] = timedelta(days=count)
    return limits


def _amount(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and 0 < value < 1e15):
        raise argparse.ArgumentTypeError(f"{text!r}: a positive amount below 10^15")
    return value


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
    parser.add_argument("--revenue-target", type=_amount, help="revenue target of the period")
    parser.add_argument("--deal-size", type=_amount, help="average deal size (reverse funnel)")


class _Stop(Exception):  # noqa: N818 - a command's early exit, not an error of leadflow
    """The command ends with this message on stderr and exit status 2."""


class _Progress:
    """A bar over the bytes of the file (a count on stdin) on stderr, redrawn now and then."""

    def __init__(self, stream: IO[str], what: str, total: int | None, every: int) -> None:
        self.stream, self.what, self.total, self.every = stream, what, total, every
        self.count = self.done = 0

    def step(self, size: int) -> None:
        self.count += 1
        self.done += size
        if self.count % self.every == 0:
            self.draw()

    def draw(self, tail: str = "") -> None:
        text = f"{self.what}: {self.count:,}"
        if self.total:
            width = 30
            filled = min(width, width * self.done // self.total)
            share = min(100, 100 * self.done // self.total)
            text = f"[{'#' * filled}{'.' * (width - filled)}] {share:3d} %  {text}"
        self.stream.write(f"\r{text}{tail}")
        self.stream.flush()


def _lines(
    handle: BinaryIO, source: str, progress: _Progress | None, *, agreement: bool
) -> Iterator[str]:
    """The decoded lines of ``handle``; the first non-blank one is checked for the right kind."""
    checked = False
    for number, raw in enumerate(handle, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise _Stop(
                f"{source}:{number}:{error.start + 1}: not UTF-8 text (byte "
                f"0x{raw[error.start]:02x}); save the file as UTF-8"
            ) from None
        if progress is not None:
            progress.step(len(raw))
        if not checked and line.strip():
            checked = True
            _check_kind(line, source, number, agreement=agreement)
        yield line


def _check_kind(line: str, source: str, number: int, *, agreement: bool) -> None:
    """A lead history read as an event log, or the other way round: say which option fits."""
    try:
        data = json.loads(line)
    except ValueError:
        return  # the reader reports it, with its place
    if not isinstance(data, dict):
        return
    if agreement and "record" in data and "lead_id" not in data:
        raise _Stop(
            f"{source}:{number}: this is a lead history (one lead per line, as read_histories "
            "reads), not an agreement event log; run without --agreement"
        )
    if not agreement and "lead_id" in data and "type" in data and "record" not in data:
        raise _Stop(
            f"{source}:{number}: this is an agreement event log (one event per line); "
            "add --agreement FILE to replay it through the agreement"
        )


def _histories(path: str, agreement: Agreement | None, stream: IO[str]) -> list[History]:
    """Read (a history) or replay (an event log, with ``agreement``) ``path``; ``-`` is stdin."""
    source = "<stdin>" if path == "-" else path
    tty = stream.isatty()
    what = "replaying events" if agreement is not None else "reading leads"
    progress = None
    try:
        with nullcontext(sys.stdin.buffer) if path == "-" else Path(path).open("rb") as handle:
            total = None if path == "-" else os.fstat(handle.fileno()).st_size
            if tty:
                progress = _Progress(stream, what, total, 50_000 if agreement else 5_000)
            lines = _lines(handle, source, progress, agreement=agreement is not None)
            if agreement is not None:
                histories = read_event_log(lines, agreement, source=source)
            else:
                histories = list(read_histories(lines, source=source))
    except OSError as error:
        raise _Stop(f"cannot read {path}: {error.strerror}") from None
    if progress is not None:
        progress.draw(", building the report\n")
    return histories


def _note_missing_fields(
    histories: Sequence[History], names: Iterable[str | None], stream: IO[str]
) -> None:
    """A ``--by`` field no lead has puts every lead in one group: say so (not an error)."""
    if not histories:
        return
    for name in names:
        if name is None or any(h.fields.get(name) is not None for h in histories):
            continue
        seen = sorted({k for h in histories for k, v in h.fields.items() if v is not None})
        stream.write(
            f"leadflow: note: no lead has a value for {name!r}, so every lead is in one group "
            f"(fields with values: {', '.join(seen) or 'none'})\n"
        )


def _calendar(args: argparse.Namespace, agreement: Agreement | None) -> BusinessCalendar:
    """The business calendar: the options given, else the agreement's, else the defaults."""
    hours, zone, holidays = args.hours, args.timezone, args.holidays
    if agreement is not None and hours is None and zone is None and holidays is None:
        return agreement.calendars[agreement.default_calendar]
    return BusinessCalendar(
        hours or "mon-fri 08:00-18:00", zone or "Europe/Berlin", holidays or None
    )


def run_report(args: argparse.Namespace, *, stderr: IO[str] | None = None) -> int:
    """Run the ``report`` command with parsed ``args``; returns the exit status: 0, or 2
    with the reason on ``stderr`` when a file cannot be read or written, is not UTF-8, or is
    the other kind of history (an event log without ``--agreement``, a lead history with it).

    Raises:
        LeadflowError: the agreement, the history or the calendar is invalid.
    """
    stream = sys.stderr if stderr is None else stderr
    try:
        return _run(args, stream)
    except _Stop as stop:
        stream.write(f"leadflow: {stop}\n")
        return 2


def _run(args: argparse.Namespace, stream: IO[str]) -> int:
    agreement = None
    if getattr(args, "agreement", None):
        agreement = load_agreement(args.agreement)
    if args.start and args.end and args.start > args.end:
        raise _Stop(f"--from {args.start} lies after --to {args.end}")
    histories = _histories(args.history, agreement, stream)
    _note_missing_fields(histories, (args.by, args.alert_by), stream)
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
            raise _Stop(f"cannot write {args.out}: {error.strerror}") from None
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
