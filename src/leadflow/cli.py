"""The ``leadflow`` command: the outer shell that reads files and the clock, then calls the core."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from importlib.resources import files
from pathlib import Path
from typing import Any

from leadflow._version import __version__
from leadflow.errors import LeadflowError
from leadflow.handoff import data_quality

__all__ = ("main",)


def sample_leads_path() -> Path:
    """The shipped sample of leads: ``examples/leads.json`` in a checkout, package data in a wheel."""
    packaged = files("leadflow").joinpath("data/examples/leads.json")
    if packaged.is_file():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "examples" / "leads.json"


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
    path = Path(args.leads) if args.leads else sample_leads_path()
    records = _read_records(path)
    print(f"Handoff data check of {path.name}")
    print()
    print(data_quality(records).render())
    return 0


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="leadflow", description="The marketing-sales agreement of a B2B company as code."
    )
    parser.add_argument("--version", action="version", version=f"leadflow {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="run the main job on the shipped sample of leads")
    demo.add_argument("--leads", help="a JSON array of lead records (default: the shipped sample)")
    demo.set_defaults(run=_demo)
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
