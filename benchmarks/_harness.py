"""What every benchmark script shares: interleaved timing, agreement before timing, JSON out.

- Contenders are timed **interleaved in one process**: each round runs every contender once, in
  a rotated order, so that the machine's other work falls on all of them alike; a figure is the
  **median** of the rounds (the range is kept too).
- A contender is timed only after its results were compared with the reference on every input;
  one that disagrees is reported with the number of disagreements and an example, not timed.
- ``--json PATH`` writes the figures; ``benchmarks/report.py`` turns them into the tables of
  ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any


@dataclass
class Contender:
    """One way to do the benchmark's work: ``run()`` does it for ``count`` items."""

    name: str
    run: Callable[[], Sequence[Any]]
    count: int
    group: str = ""
    note: str = ""
    reference: str | None = None  # the contender whose results this one must equal
    same: Callable[[Any, Any], bool] | None = None  # how to compare one result
    disagreements: int = 0
    example: str = ""
    times: list[float] = field(default_factory=list)  # µs per item, one per round

    @property
    def timed(self) -> bool:
        return self.disagreements == 0


def check(contenders: Sequence[Contender]) -> dict[str, Sequence[Any]]:
    """Run every contender once and compare its results with its reference's, item by item."""
    results: dict[str, Sequence[Any]] = {}
    for c in contenders:
        results[c.name] = c.run()
    for c in contenders:
        if c.reference is None:
            continue
        ours, theirs = results[c.reference], results[c.name]
        same = c.same or (lambda a, b: a == b)
        if len(ours) != len(theirs):
            c.disagreements, c.example = abs(len(ours) - len(theirs)), "different counts"
            continue
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            if not same(a, b):
                c.disagreements += 1
                if not c.example:
                    c.example = f"item {i}: {c.reference} gave {a!r}, {c.name} gave {b!r}"
    return results


def interleaved(contenders: Sequence[Contender], rounds: int, *, collect: bool = True) -> None:
    """Time every agreeing contender ``rounds`` times, interleaved, rotating the order."""
    active = [c for c in contenders if c.timed]
    for r in range(rounds):
        order = active[r % len(active) :] + active[: r % len(active)]
        for c in order:
            gc.collect()
            if not collect:
                gc.disable()
            try:
                start = time.perf_counter()
                c.run()
                elapsed = time.perf_counter() - start
            finally:
                gc.enable()
            c.times.append(elapsed / c.count * 1e6)


def median(c: Contender) -> float:
    return statistics.median(c.times)


def versions(*names: str) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "absent"
    return out


def arguments(description: str, **defaults: Any) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="CI size: fewer items and rounds")
    parser.add_argument("--rounds", type=int, default=defaults.get("rounds", 7))
    parser.add_argument("--seed", type=int, default=defaults.get("seed", 20261204))
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    return parser


def report(
    script: str,
    contenders: Sequence[Contender],
    *,
    setup: dict[str, Any],
    ratios: dict[str, float] | None = None,
    extra: dict[str, Any] | None = None,
    packages: Sequence[str] = (),
    json_path: Path | None = None,
) -> dict[str, Any]:
    """Print the figures and, with ``json_path``, write them for ``report.py``."""
    rows = []
    print(f"Python {platform.python_version()} on {platform.machine()}, {sys.platform}")
    for key, value in setup.items():
        print(f"  {key}: {value}")
    print(f"\n{'contender':<60} {'µs/item':>10} {'range':>19}")
    for c in contenders:
        if c.timed:
            lo, hi = min(c.times), max(c.times)
            print(f"{c.name:<60} {median(c):>10.2f} {f'{lo:.2f}–{hi:.2f}':>19}")
            rows.append(
                {
                    "name": c.name,
                    "group": c.group,
                    "note": c.note,
                    "us": median(c),
                    "low": lo,
                    "high": hi,
                    "rounds": len(c.times),
                    "count": c.count,
                    "agrees": True,
                }
            )
        else:
            print(
                f"{c.name:<60} {'DISAGREES':>10}  {c.disagreements:,} of {c.count:,}: {c.example}"
            )
            rows.append(
                {
                    "name": c.name,
                    "group": c.group,
                    "note": c.note,
                    "agrees": False,
                    "disagreements": c.disagreements,
                    "count": c.count,
                    "example": c.example[:300],
                }
            )
    for key, value in (ratios or {}).items():
        print(f"  {key}: {value:.2f}")
    for key, value in (extra or {}).items():
        print(f"  {key}: {value}")
    data = {
        "script": script,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {sys.platform}",
        "packages": versions("leadflow", *packages),
        "setup": setup,
        "rows": rows,
        "ratios": ratios or {},
        "extra": extra or {},
    }
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return data


def find(contenders: Sequence[Contender], name: str) -> Contender:
    return next(c for c in contenders if c.name == name)


def ratio(contenders: Sequence[Contender], slow: str, fast: str) -> float:
    """The median over the rounds of ``slow / fast`` (timed in the same round, so the machine's
    load cancels out); NaN when either was not timed."""
    a, b = find(contenders, slow), find(contenders, fast)
    if not (a.timed and b.timed):
        return float("nan")
    return statistics.median(x / y for x, y in zip(a.times, b.times, strict=True))
