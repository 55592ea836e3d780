"""``leadflow test FILE... [--coverage] [--fail-under PERCENT]``: run the ``test`` blocks."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from leadflow._cli.check import is_agreement_file
from leadflow._cli.common import (
    BAD_USAGE,
    FINDINGS,
    OK,
    Diagnostic,
    Exit,
    diagnostics_of,
    emit,
    require_file,
    split_failure,
)
from leadflow.errors import LeadflowError
from leadflow.rules import Coverage

__all__ = ("add_parser",)


def _indent(text: str, prefix: str = "    ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def _agreement_tests(
    path: str, tests: list[dict[str, Any]], diagnostics: list[Diagnostic], *, text: bool
) -> None:
    """Run the ``test`` blocks of an agreement file (events in, stage/owner/due times expected)."""
    from leadflow.agreement import load_agreement

    try:
        agreement = load_agreement(path)
    except LeadflowError as error:
        diagnostics.extend(diagnostics_of(error, path))
        return
    source = Path(path).read_text(encoding="utf-8").splitlines()
    for name, passed, failures in agreement.run_tests():
        opening = f"test {json.dumps(name, ensure_ascii=False)}"
        line = next((n for n, t in enumerate(source, 1) if t.lstrip().startswith(opening)), 1)
        tests.append(
            {
                "name": name,
                "file": path,
                "line": line,
                "passed": passed,
                "failures": [{"message": f} for f in failures],
                "explanation": "",
            }
        )
        diagnostics.extend(
            Diagnostic(path, line, 1, f"test {name!r} failed: {f}", "agreement-test")
            for f in failures
        )
        if text:
            print(f"{'PASS' if passed else 'FAIL'}  {path}:{line}  {name}")
            for failure in failures:
                print(f"    {failure}")


def run(args: argparse.Namespace) -> int:
    from leadflow.rules import load

    text = args.format == "text"
    diagnostics: list[Diagnostic] = []
    tests: list[dict[str, Any]] = []
    coverages: dict[str, Coverage] = {}
    missing = False
    for path in args.files:
        try:
            require_file(path, "rule file")
        except Exit:
            missing = True
            continue
        if is_agreement_file(path):
            _agreement_tests(path, tests, diagnostics, text=text)
            continue
        try:
            rules = load(path)
        except LeadflowError as error:
            diagnostics += diagnostics_of(error, path)
            continue
        coverage = rules.coverage()
        coverages[path] = coverage
        for result in rules.run_tests():
            explanation = result.evaluation.explain() if result.evaluation else ""
            coverage.add(result)
            failures = [split_failure(f) for f in result.failures]
            tests.append(
                {
                    "name": result.name,
                    "file": result.source,
                    "line": result.line,
                    "passed": result.passed,
                    "failures": failures,
                    "explanation": explanation,
                }
            )
            for failure in failures:
                diagnostics.append(
                    Diagnostic(
                        failure.get("file", result.source),
                        failure.get("line", result.line),
                        1,
                        f"test {result.name!r} failed: {failure['message'].split(': ', 1)[-1]}",
                        "rule-test",
                    )
                )
            if text:
                status = "PASS" if result.passed else "FAIL"
                print(f"{status}  {result.source}:{result.line}  {result.name}")
                if not result.passed:
                    for failure in failures:
                        if "expected" in failure:
                            print(f"    expected: {failure['expected']}")
                            print(f"    actual:   {failure['actual']}   (line {failure['line']})")
                        else:
                            print(f"    {failure['message']}")
                    if explanation:
                        print(_indent(explanation))
    failed = sum(not t["passed"] for t in tests)
    want_coverage = args.coverage or args.fail_under is not None
    total = sum(len(c.items) for c in coverages.values())
    missed = sorted(
        (item for c in coverages.values() for item in c.missed),
        key=lambda item: (item.source, item.line),
    )
    percent = 100.0 if total == 0 else round(100 * (total - len(missed)) / total, 1)
    under = args.fail_under is not None and percent < args.fail_under
    if args.format == "json":
        report: dict[str, Any] = {
            "tests": tests,
            "passed": len(tests) - failed,
            "failed": failed,
            "diagnostics": [_as_dict(d) for d in diagnostics],
        }
        if want_coverage:
            report["coverage"] = {
                "percent": percent,
                "branches": total,
                "covered": total - len(missed),
                "missed": [
                    {
                        "file": item.source,
                        "line": item.line,
                        "what": item.what,
                        "rule": item.rule,
                        "outcome": item.outcome,
                    }
                    for item in missed
                ],
                "fail_under": args.fail_under,
            }
        print(json.dumps(report, indent=2))
    else:
        emit(diagnostics, args.format)
    if text:
        print(f"{len(tests)} tests: {len(tests) - failed} passed, {failed} failed")
        if want_coverage:
            print(f"coverage: {total - len(missed)} of {total} branches fired ({percent}%)")
            for item in missed:
                print(f"  {item}")
            if under:
                print(f"coverage {percent}% is under --fail-under {args.fail_under}%")
    elif args.format == "github" and under:
        print(f"::error ::rule coverage {percent}% is under {args.fail_under}%")
    if missing:
        return BAD_USAGE
    return FINDINGS if diagnostics or under else OK


def _as_dict(diagnostic: Diagnostic) -> dict[str, Any]:
    return {name: getattr(diagnostic, name) for name in Diagnostic.__slots__}


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "test",
        help="run the test blocks of rule files",
        description="Run the test blocks of rule files. Exit 0: all pass, 1: a test fails, a "
        "file has errors or coverage is under --fail-under, 2: a file cannot be read.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument(
        "--coverage",
        action="store_true",
        help="list the scoring lines, knock-outs and branches no test fired",
    )
    parser.add_argument(
        "--fail-under",
        type=float,
        metavar="PERCENT",
        help="exit 1 when coverage is under PERCENT (implies --coverage)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text: a report on stdout, file:line:col lines on stderr; json: one object on "
        "stdout; github: annotations",
    )
    parser.set_defaults(run=run)
    return parser
