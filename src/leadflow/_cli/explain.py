"""``leadflow explain RULES LEADS --lead ID [--why-not NAME]``: one lead, every line that counted."""

from __future__ import annotations

import argparse
import json

from leadflow._cli.common import BAD_USAGE, OK, load_rules, parse_now, require_file, say
from leadflow._cli.score import evaluations, read_activities, row_of
from leadflow.errors import RuleEvaluationError

__all__ = ("add_parser",)


def run(args: argparse.Namespace) -> int:
    rules = load_rules(args.rules)
    leads = require_file(args.leads, "leads file")
    now = parse_now(args.now)
    activities = read_activities(args.activities)
    for _record, evaluation in evaluations(rules, leads, now=now, activities=activities):
        if evaluation.lead_id != args.lead:
            continue
        answer = None
        if args.why_not:
            try:
                answer = evaluation.why_not(args.why_not)
            except RuleEvaluationError as error:
                say(f"leadflow: --why-not: {error}")
                return BAD_USAGE
        if args.format == "json":
            out = {"lead": row_of(evaluation, explain=True)}
            if answer is not None:
                out["why_not"] = answer
            print(json.dumps(out, indent=2))
        else:
            print(evaluation.explain())
            if answer is not None:
                print()
                print(answer)
        return OK
    say(f"leadflow: no valid lead with id {args.lead!r} in {args.leads}")
    return BAD_USAGE


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "explain",
        help="explain the scores and decisions of one lead, and why something did not happen",
        description="Print the explanation of one lead of a leads file; --why-not NAME says why "
        "NAME (mql, hot, warm, a grade like 'position A', a qualification like bant, or a "
        "knock-out reason) did not happen. Exit 2 when the lead is not in the file.",
    )
    parser.add_argument("rules", metavar="RULES")
    parser.add_argument("leads", metavar="LEADS")
    parser.add_argument("--lead", required=True, metavar="ID", help="the lead's id")
    parser.add_argument("--why-not", metavar="NAME", help="a classification that did not happen")
    parser.add_argument("--now", help="evaluation time, ISO 8601 with offset (default: now)")
    parser.add_argument("--activities", metavar="FILE", help="activities by lead_id to add")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)
    return parser
