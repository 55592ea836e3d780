"""``leadflow diff OLD NEW LEADS``: what a change to a rule file does to a sample of leads."""

from __future__ import annotations

import argparse
import difflib
import json
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from leadflow._cli.common import BAD_USAGE, OK, Exit, load_rules, parse_now, require_file, say
from leadflow._cli.score import problem_text

__all__ = ("add_parser", "changes")


def _yes_no(value: object) -> str:
    return "-" if value is None else ("yes" if value else "no")


def changes(old: Any, new: Any) -> list[tuple[str, str, str]]:
    """``(what, before, after)`` for every classification that differs between two evaluations."""
    out = []
    if old.mql != new.mql:
        out.append(("mql", _yes_no(old.mql), _yes_no(new.mql)))
    if old.temperature != new.temperature:
        out.append(("temperature", old.temperature or "-", new.temperature or "-"))
    for grade in dict.fromkeys([*old.grades, *new.grades]):
        before, after = old.grades.get(grade, "-"), new.grades.get(grade, "-")
        if before != after:
            out.append((f"grade {grade}", before, after))
    if old.reasons != new.reasons:
        out.append(("knockout", ",".join(old.reasons) or "none", ",".join(new.reasons) or "none"))
    return out


def _changed_lines(old: Path, new: Path) -> list[str]:
    before = old.read_text(encoding="utf-8-sig").splitlines()
    after = new.read_text(encoding="utf-8-sig").splitlines()
    return [
        line
        for line in difflib.unified_diff(before, after, str(old), str(new), n=0, lineterm="")
        if not line.startswith(("---", "+++"))
    ]


def run(args: argparse.Namespace) -> int:
    old_rules, new_rules = load_rules(args.old), load_rules(args.new)
    leads = require_file(args.leads, "leads file")
    now = parse_now(args.now)
    counts: Counter[tuple[str, str, str]] = Counter()
    examples: dict[tuple[str, str, str], list[str]] = {}
    scored = changed = 0
    for old, new in islice(_pairs(old_rules, new_rules, leads, now), args.limit):
        scored += 1
        found = changes(old, new)
        changed += bool(found)
        for change in found:
            counts[change] += 1
            shown = examples.setdefault(change, [])
            if len(shown) < args.examples:
                shown.append(old.lead_id)
    lines = _changed_lines(Path(args.old), Path(args.new))
    if args.format == "json":
        report = {
            "leads": scored,
            "changed": changed,
            "changes": [
                {"what": w, "from": b, "to": a, "count": n, "examples": examples[(w, b, a)]}
                for (w, b, a), n in counts.most_common()
            ],
            "rule_changes": lines,
        }
        print(json.dumps(report, indent=2))
        return OK
    print(f"{changed} of {scored} leads change ({args.old} -> {args.new})")
    for (what, before, after), n in counts.most_common():
        print(
            f"  {what}: {before} -> {after}: {n}  e.g. {', '.join(examples[(what, before, after)])}"
        )
    print()
    print("changed rule lines:" if lines else "no rule lines changed")
    for line in lines:
        print(f"  {line}")
    return OK


def _pairs(old: Any, new: Any, leads: Path, now: datetime) -> Iterator[tuple[Any, Any]]:
    """Both evaluations of every valid lead; invalid records are reported once, on stderr."""
    from leadflow import validate_lead
    from leadflow._records import read_records
    from leadflow.errors import LeadflowError

    try:
        for record in read_records(leads):
            problem = record.error
            if record.data is not None:
                data = dict(record.data)
                answers = data.pop("answers", None)
                answers = answers if isinstance(answers, dict) else None
                try:
                    lead = validate_lead(data)
                    pair = (
                        old.evaluate(lead, now=now, answers=answers),
                        new.evaluate(lead, now=now, answers=answers),
                    )
                except LeadflowError as error:
                    problem = problem_text(error)
                else:
                    yield pair
                    continue
            say(f"{leads}:{record.line}:1: {problem}")
    except (OSError, UnicodeDecodeError) as error:
        say(f"leadflow: cannot read {leads}: {error}")
        raise Exit(BAD_USAGE) from None


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "diff",
        help="re-score leads with two versions of a rule file and show who changes",
        description="Score the leads with OLD and NEW and count who changes MQL status, "
        "temperature, grade or knock-out, with the first examples, and list the rule lines "
        "that changed.",
    )
    parser.add_argument("old", metavar="OLD")
    parser.add_argument("new", metavar="NEW")
    parser.add_argument("leads", metavar="LEADS")
    parser.add_argument("--now", help="evaluation time, ISO 8601 with offset (default: now)")
    parser.add_argument(
        "--limit", type=int, default=None, metavar="N", help="only the first N leads"
    )
    parser.add_argument("--examples", type=int, default=5, metavar="N", help="examples per change")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)
    return parser
