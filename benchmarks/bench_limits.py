"""Worst cases of untrusted input: time and peak memory of parsing and checking them.

Each case runs in a fresh process (so one case's memory does not count for the next) and is
timed once, in wall-clock and CPU seconds (the CPU figure is less disturbed by other work on
the machine); peak memory is the process's peak resident size minus its size after the imports.
The goal: every rule file under ``MAX_BYTES`` parses and checks in under 2 s and 200 MB.

    python benchmarks/bench_limits.py [--case NAME] [--timeout 60]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from collections.abc import Callable

from leadflow.errors import LeadflowError


def _tests_text() -> str:
    """320 test blocks (about 30 KB), each lead holding 10,000 activities."""
    head = "score e {\n  +1 each demo_request\n}\n"
    block = (
        'test "t{i}" {{\n  now 2026-11-20 12:00 UTC\n  lead {{\n'
        "    demo_request 10000 times 1 day ago\n  }}\n  expect e 10000\n}}\n"
    )
    return head + "".join(block.format(i=i) for i in range(320))


def _never_match_text(count: int = 200) -> str:
    """``count`` temperature lines of 32 ``or``-ed sizes each (700 bytes a line), no two alike."""
    lines = []
    for i in range(count):
        tests = " or ".join(f"employees is {i * 32 + k}" for k in range(32))
        lines.append(f"  {('hot', 'warm')[i % 2]} when {tests}")
    return "temperature {\n" + "\n".join(lines) + "\n  cold otherwise\n}\n"


def _unknown_names_text(count: int = 16_000) -> str:
    """One line naming ``count`` unknown fields (16,000: about 229 KB)."""
    return "mql when " + " or ".join(f"u{i} > 1" for i in range(count)) + "\n"


def _valid_text(size: int = 960_000) -> str:
    """A valid file of about ``size`` bytes: score blocks of 50 rules each."""
    parts: list[str] = []
    total = 0
    block = 0
    while total < size:
        rules = "".join(f"  +1  employees >= {k}\n" for k in range(50))
        text = f"score s{block} {{\n{rules}}}\n"
        parts.append(text)
        total += len(text)
        block += 1
    return "".join(parts)


def _syntax_errors_text() -> str:
    """4,000 lines, each a statement with a syntax error."""
    return "mql when employees >>= 1\n" * 4_000


def _parse(make: Callable[[], str]) -> Callable[[], object]:
    def run() -> object:
        from leadflow.rules import parse

        text = make()
        try:
            rules = parse(text, source="bench.lf")
        except LeadflowError as error:
            return f"{type(error).__name__} ({len(getattr(error, 'errors', ()))} kept)"
        spent = "; never-match budget spent" if rules.notes else ""
        return f"accepted ({len(rules.test_names)} tests{spent})"

    return run


def _hours() -> object:
    from leadflow.sla.hours import parse_hours

    try:
        parse_hours("mon" + " " * 50_000 + "x")
    except LeadflowError as error:
        return type(error).__name__
    return "accepted"  # pragma: no cover


CASES: dict[str, Callable[[], object]] = {
    "320 test blocks of 10,000 activities": _parse(_tests_text),
    "200 lines of 32 or-ed thresholds": _parse(_never_match_text),
    "280 lines of 32 or-ed thresholds (199 KB)": _parse(lambda: _never_match_text(280)),
    "16,000 unknown names on one line": _parse(_unknown_names_text),
    "14,000 unknown names on one line (199 KB)": _parse(lambda: _unknown_names_text(14_000)),
    "hours: 'mon' + 50,000 spaces + 'x'": _hours,
    "valid file of 0.96 MB": _parse(_valid_text),
    "valid file of 199 KB": _parse(lambda: _valid_text(198_000)),
    "4,000 lines with syntax errors (100 KB)": _parse(_syntax_errors_text),
}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _one(name: str) -> None:
    import leadflow.rules
    import leadflow.sla  # noqa: F401

    base = _rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    outcome = CASES[name]()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{seconds:.2f}\t{cpu:.2f}\t{_rss_mb() - base:.0f}\t{outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", choices=sorted(CASES))
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _one(args.one)
        return
    print("| case | seconds | CPU seconds | peak MB | outcome |\n|---|---:|---:|---:|---|")
    for name in [args.case] if args.case else CASES:
        try:
            done = subprocess.run(  # noqa: S603 - runs this script
                [sys.executable, __file__, "--one", name],
                capture_output=True,
                text=True,
                timeout=args.timeout,
                check=True,
            )
            seconds, cpu, peak, outcome = done.stdout.strip().split("\t")
        except subprocess.TimeoutExpired:
            seconds, cpu, peak, outcome = f"> {args.timeout:.0f}", "?", "?", "timed out"
        except subprocess.CalledProcessError as error:
            seconds, cpu, peak = "?", "?", "?"
            outcome = f"crashed: {error.stderr.strip()[-200:]}"
        print(f"| {name} | {seconds} | {cpu} | {peak} | {outcome} |", flush=True)


if __name__ == "__main__":
    main()
