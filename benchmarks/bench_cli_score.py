"""``leadflow score`` over a large JSONL file: leads per second and peak memory.

Writes N generated leads (0–6 activities each, some invalid records) to a JSONL file, then runs
``leadflow score examples/scoring.lf FILE --now ...`` in a child process, output to /dev/null,
and reports the wall time, leads per second and the child's peak RSS. Run it at two sizes to see
that the memory does not grow with the file:

    python benchmarks/bench_cli_score.py --leads 100000
    python benchmarks/bench_cli_score.py --leads 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 25, 9, tzinfo=UTC)
KINDS = ("demo_request", "pricing_page_view", "content_download", "webinar_attended", "email_open")
TITLES = ("Head of IT", "CEO", "IT-Direktor", "Werkstudent", "Einkaufsleiter", "Developer", None)
INDUSTRIES = ("software", "manufacturing", "finance", "retail", None)
COUNTRIES = ("DE", "AT", "CH", "FR", "US", "BR", None)


def lead(i: int, rng: random.Random) -> dict[str, object]:
    record: dict[str, object] = {
        "id": f"L-{i}",
        "company": f"Company {i % 50_000}",
        "email": f"p{i}@{'gmail.com' if rng.random() < 0.1 else f'c{i % 50_000}.de'}",
    }
    for key, choices in (("title", TITLES), ("industry", INDUSTRIES), ("country", COUNTRIES)):
        value = rng.choice(choices)
        if value is not None:
            record[key] = value
    if rng.random() < 0.8:
        record["employees"] = rng.randint(1, 5000)
    record["activities"] = [
        {
            "kind": rng.choice(KINDS),
            "at": (NOW - timedelta(minutes=rng.randint(0, 120 * 24 * 60))).isoformat(),
        }
        for _ in range(rng.randint(0, 6))
    ]
    if i % 1000 == 999:  # an invalid record now and then: reported, skipped
        record["email"] = "not-an-address"
    return record


def write(path: Path, count: int) -> None:
    rng = random.Random(12)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            out.write(json.dumps(lead(i, rng)) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "leads.jsonl"
        started = time.perf_counter()
        write(path, args.leads)
        size = path.stat().st_size
        print(
            f"wrote {args.leads:,} leads ({size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s"
        )
        command = [
            sys.executable,
            "-m",
            "leadflow.cli",
            "score",
            str(ROOT / "examples" / "scoring.lf"),
            str(path),
            "--now",
            NOW.isoformat(),
            "--out",
            os.devnull,
        ]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)  # noqa: S603
        seconds = time.perf_counter() - started
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        peak_mb = usage.ru_maxrss / 1024
        cpu = usage.ru_utime + usage.ru_stime
        print(done.stderr.splitlines()[-1])
        print(f"{args.leads:,} leads in {seconds:.1f} s wall: {args.leads / seconds:,.0f} leads/s")
        print(f"CPU time {cpu:.1f} s: {args.leads / cpu:,.0f} leads/s per core")
        print(f"peak RSS of the leadflow process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
