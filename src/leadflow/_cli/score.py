"""``leadflow score RULES LEADS``: score a file of leads, streamed, one output row per lead."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from leadflow._cli.common import (
    BAD_USAGE,
    FINDINGS,
    OK,
    Exit,
    load_rules,
    open_out,
    parse_now,
    require_file,
    say,
)
from leadflow._records import Record, activities_by_lead, read_records
from leadflow.errors import LeadflowError, LeadValidationError

__all__ = ("add_parser", "evaluations", "row_of")

PROGRESS_EVERY = 5000


def problem_text(error: LeadflowError) -> str:
    """A one-line description of why a record is not a valid lead."""
    if isinstance(error, LeadValidationError):
        return "invalid lead: " + "; ".join(str(p) for p in error.problems)
    return str(error).splitlines()[0]


def evaluations(
    rules: Any,
    path: Path,
    *,
    now: datetime,
    activities: Mapping[str, list[dict[str, Any]]] | None = None,
    strict: bool = False,
    counts: dict[str, int] | None = None,
) -> Iterator[tuple[Record, Any]]:
    """Evaluate the records of a leads file one by one; invalid ones are reported on stderr.

    Yields ``(record, evaluation)`` for valid leads. With ``strict`` the first invalid record
    stops the run (:class:`Exit` with code 1).
    """
    from leadflow import validate_lead

    counts = counts if counts is not None else {}
    counts.setdefault("valid", 0)
    counts.setdefault("invalid", 0)
    try:
        records = read_records(path)
        for record in records:
            problem = record.error
            evaluation = None
            if record.data is not None:
                data = record.data
                answers = data.pop("answers", None)
                if activities is not None and isinstance(data.get("id"), str):
                    extra = activities.get(data["id"])
                    if extra:
                        data["activities"] = [*data.get("activities", ()), *extra]
                try:
                    lead = validate_lead(data)
                    evaluation = rules.evaluate(
                        lead, now=now, answers=answers if isinstance(answers, dict) else None
                    )
                except LeadflowError as error:
                    problem = problem_text(error)
            if evaluation is None:
                counts["invalid"] += 1
                say(f"{path}:{record.line}:1: {problem}")
                if strict:
                    say("leadflow: stopped at the first invalid record (--strict)")
                    raise Exit(FINDINGS)
                continue
            counts["valid"] += 1
            yield record, evaluation
    except OSError as error:
        say(f"leadflow: cannot read {path}: {error.strerror}")
        raise Exit(BAD_USAGE) from None
    except UnicodeDecodeError as error:
        say(f"leadflow: cannot read {path}: not UTF-8 text ({error.reason})")
        raise Exit(BAD_USAGE) from None


def row_of(evaluation: Any, *, explain: bool = False) -> dict[str, Any]:
    """The JSON shape of one scored lead."""
    row: dict[str, Any] = {
        "id": evaluation.lead_id,
        "scores": dict(evaluation.scores),
        "grades": dict(evaluation.grades),
        "temperature": evaluation.temperature,
        "mql": evaluation.mql,
        "knockouts": list(evaluation.reasons),
        "qualifications": {n: q.passed for n, q in evaluation.qualifications.items()},
    }
    if explain:
        row["explanation"] = evaluation.explain()
    return row


def _yes_no(value: object) -> str:
    return "" if value is None else ("yes" if value else "no")


class _Writer:
    def __init__(self, form: str, out: TextIO, rules: Any, *, explain: bool) -> None:
        self.form, self.out, self.explain = form, out, explain
        self.scores: tuple[str, ...] = rules.score_names
        self.grades: tuple[str, ...] = rules.grade_names
        self.quals: tuple[str, ...] = rules.qualification_names
        self.csv = csv.writer(out, lineterminator="\n") if form == "csv" else None
        header = [
            "id",
            *self.scores,
            *(f"grade_{g}" for g in self.grades),
            "temperature",
            "mql",
            "knockouts",
            *self.quals,
        ]
        if self.csv is not None:
            self.csv.writerow([*header, *(["explanation"] if explain else [])])
        elif form == "table":
            self.widths = [max(12, len(h)) for h in header]
            self.widths[0] = 20
            print(self._line(header), file=out)

    def _line(self, cells: list[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, self.widths, strict=True)).rstrip()

    def write(self, evaluation: Any) -> None:
        if self.form == "jsonl":
            self.out.write(json.dumps(row_of(evaluation, explain=self.explain)) + "\n")
            return
        from leadflow.rules.results import fmt

        cells = [
            evaluation.lead_id,
            *(fmt(evaluation.scores[s]) for s in self.scores),
            *(evaluation.grades.get(g, "") for g in self.grades),
            evaluation.temperature or "",
            _yes_no(evaluation.mql),
            ";".join(evaluation.reasons),
            *("passes" if evaluation.qualifications[q].passed else "fails" for q in self.quals),
        ]
        if self.csv is not None:
            self.csv.writerow([*cells, *([evaluation.explain()] if self.explain else [])])
        else:
            print(self._line(cells), file=self.out)
            if self.explain:
                print(
                    "\n".join("    " + x for x in evaluation.explain().splitlines()), file=self.out
                )


def read_activities(path: str | None) -> dict[str, list[dict[str, Any]]] | None:
    if path is None:
        return None
    try:
        grouped, invalid = activities_by_lead(require_file(path, "activities file"))
    except OSError as error:
        say(f"leadflow: cannot read {path}: {error.strerror}")
        raise Exit(BAD_USAGE) from None
    for record in invalid:
        say(f"{path}:{record.line}:1: {record.error}")
    return grouped


def run(args: argparse.Namespace) -> int:
    rules = load_rules(args.rules)
    leads = require_file(args.leads, "leads file")
    now = parse_now(args.now)
    activities = read_activities(args.activities)
    out = open_out(args.out)
    counts: dict[str, int] = {}
    progress = sys.stderr.isatty()
    try:
        writer = _Writer(args.format, out, rules, explain=args.explain)
        for n, (_, evaluation) in enumerate(
            evaluations(
                rules, leads, now=now, activities=activities, strict=args.strict, counts=counts
            ),
            start=1,
        ):
            writer.write(evaluation)
            if progress and n % PROGRESS_EVERY == 0:
                sys.stderr.write(f"\rscoring {leads.name}: {n:,} leads")
                sys.stderr.flush()
    finally:
        if out is not sys.stdout:
            out.close()
        if progress:
            sys.stderr.write("\r\x1b[K")
    say(
        f"scored {counts.get('valid', 0)} leads, skipped {counts.get('invalid', 0)} invalid records"
    )
    return OK


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "score",
        help="score a file of leads with a rule file",
        description="Score every lead of a JSON, JSONL or CSV file, streamed. Invalid records are "
        "reported on stderr as FILE:LINE:1 and skipped (--strict: the run stops with exit 1). "
        "Exit 1 also when the rule file has errors, 2 for a file that cannot be read.",
    )
    parser.add_argument("rules", metavar="RULES", help="the rule file")
    parser.add_argument("leads", metavar="LEADS", help="leads as .json (array), .jsonl or .csv")
    parser.add_argument("--now", help="evaluation time, ISO 8601 with offset (default: now)")
    parser.add_argument("--explain", action="store_true", help="add each lead's explanation")
    parser.add_argument("--format", choices=("jsonl", "csv", "table"), default="jsonl")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")
    parser.add_argument(
        "--activities", metavar="FILE", help="activities by lead_id (.jsonl or .csv) to add"
    )
    parser.add_argument(
        "--strict", action="store_true", help="stop with exit 1 at the first invalid record"
    )
    parser.set_defaults(run=run)
    return parser
