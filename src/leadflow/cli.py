"""The ``leadflow`` command: the outer shell that reads files and the clock, then calls the core."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from leadflow._version import __version__
from leadflow.errors import LeadflowError

DEMO_NOW = "2026-11-25T10:00:00+01:00"
"""The demo's default evaluation time, so that its output is the same on every run."""

__all__ = ("main",)


def example_path(name: str) -> Path:
    """A shipped example file: ``examples/NAME`` in a checkout, package data in a wheel."""
    packaged = files("leadflow").joinpath(f"data/examples/{name}")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "examples" / name


def sample_leads_path() -> Path:
    """The shipped sample of leads (``examples/leads.json``)."""
    return example_path("leads.json")


def _parse_now(text: str) -> datetime:
    if text == "now":
        return datetime.now().astimezone()
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise SystemExit(f"leadflow: --now {text!r} is not an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise SystemExit(f"leadflow: --now {text!r} needs a UTC offset, e.g. {DEMO_NOW}")
    return value


def _read_records(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise SystemExit(f"leadflow: cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise SystemExit(f"leadflow: {path}:{error.lineno}:{error.colno}: {error.msg}") from None
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise SystemExit(f"leadflow: {path}: expected a JSON array of lead objects")
    return data


def _demo(args: argparse.Namespace) -> int:
    if args.leads is None or args.render:
        from leadflow.demo import quarter_main

        agreement = Path(args.agreement) if args.agreement else example_path("agreement.lf")
        return quarter_main(agreement, render=args.render, seed=args.seed, size=args.size)
    return _demo_leads(args)


def _demo_leads(args: argparse.Namespace) -> int:
    # Imported here so that `leadflow --help` does not pay for the pillars.
    from leadflow.demo import demo_report
    from leadflow.rules import load
    from leadflow.sla import BusinessCalendar

    path = Path(args.leads) if args.leads != "-" else sample_leads_path()
    records = _read_records(path)
    rules_path = Path(args.rules) if args.rules else example_path("scoring.lf")
    calendar = BusinessCalendar(
        hours=args.hours, timezone=args.timezone, holidays=args.holidays or None
    )
    rules, now = load(rules_path), _parse_now(args.now)  # every input checked before output
    report = demo_report(records, rules=rules, now=now, calendar=calendar)
    print(f"Handoff data check of {path.name}, scored with {rules_path.name}")
    print()
    print(report)
    return 0


def _report(args: argparse.Namespace) -> int:
    from leadflow.metrics.command import run_report

    return run_report(args)


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadflow", description="The marketing-sales agreement of a B2B company as code."
    )
    parser.add_argument("--version", action="version", version=f"leadflow {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="run examples/agreement.lf over a synthetic quarter (or --leads FILE per lead)"
    )
    demo.add_argument("--agreement", help="an agreement file (default: examples/agreement.lf)")
    demo.add_argument(
        "--render",
        nargs="?",
        const="markdown",
        choices=("markdown", "html"),
        help="print the agreement page instead (markdown or html)",
    )
    demo.add_argument("--seed", type=int, default=2026, help="seed of the synthetic quarter")
    demo.add_argument("--size", type=int, default=2500, help="leads in the synthetic quarter")
    demo.add_argument(
        "--leads",
        help="the per-lead demo on a JSON array of lead records ('-': the shipped sample)",
    )
    demo.add_argument("--rules", help="a rule file (default: the shipped examples/scoring.lf)")
    demo.add_argument(
        "--now", default=DEMO_NOW, help=f"evaluation time, ISO 8601 or 'now' (default {DEMO_NOW})"
    )
    demo.add_argument("--hours", default="mon-fri 08:00-18:00", help="office hours")
    demo.add_argument("--timezone", default="Europe/Berlin", help="office time zone")
    demo.add_argument(
        "--holidays", default="DE-BY", help="holiday region, e.g. DE-BY ('' for none)"
    )
    demo.set_defaults(run=_demo)
    report = commands.add_parser(
        "report", help="funnel, SLA compliance, alerts and planning over a JSONL history"
    )
    from leadflow.metrics.command import add_report_arguments

    add_report_arguments(report)
    report.set_defaults(run=_report)
    from leadflow._cli import register  # the commands for rule-file authors (check, test, ...)

    register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    args = _build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
    except LeadflowError as error:
        print(f"leadflow: {error}", file=sys.stderr)
        return 1
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
