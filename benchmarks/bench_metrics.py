"""Metrics benchmark: `leadflow report` over a 1,000,000-event agreement log, and the metrics alone.

The input is the agreement's event log (``docs/metrics.md``), made from the demo's synthetic
quarter (``leadflow.synthetic.run_quarter`` over ``examples/agreement.lf``, every event the
agreement took recorded with its ``received_at``). Simulating a quarter costs more than
replaying it, so a base quarter of a few thousand leads is simulated once and its log
repeated with renamed lead ids (``L-10444`` → ``L-10444-07``), the copies interleaved in time
order, up to the number of events asked for. Generation is not timed.

Measured, in this order:

1. **The command**: ``leadflow report LOG --agreement examples/agreement.lf --format json``
   in a fresh process (the command replays in one process; it has no parallel option): wall
   time, events/s, peak RSS.
2. **The parts**: ``load_agreement`` in a fresh process; in this one the replay alone
   (``read_event_log``);
   ``build_report`` over the replayed histories on one core (best of 3), events/s with events
   counted as lines of the log.

Run: ``python benchmarks/bench_metrics.py [--events N] [--seed S] [--json PATH] [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from leadflow.agreement import Agreement, load_agreement
from leadflow.metrics import build_report, read_event_log
from leadflow.synthetic import run_quarter

ROOT = Path(__file__).resolve().parents[1]
AGREEMENT = ROOT / "examples" / "agreement.lf"
BASE_LEADS = 3000


class _Recording:
    """The agreement, recording every event it takes (for the log)."""

    def __init__(self, agreement: Agreement) -> None:
        self.agreement = agreement
        self.log: list[tuple[datetime, str, dict[str, Any]]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.agreement, name)

    def process(self, state: Any, event: Any, *, now: datetime, routing: Any = None) -> Any:
        reaction = self.agreement.process(state, event, now=now, routing=routing)
        self.log.append((now, reaction.state.lead_id, event))
        return reaction


def base_log(agreement: Agreement, seed: int, leads: int) -> list[tuple[str, str]]:
    """The synthetic quarter's event log: (lead id, JSON line) in the order processed."""
    recording = _Recording(agreement)
    run_quarter(recording, seed=seed, count=leads)  # type: ignore[arg-type]
    return [
        (lead_id, json.dumps({"lead_id": lead_id, "received_at": now.isoformat(), **event}))
        for now, lead_id, event in recording.log
    ]


def event_lines(base: list[tuple[str, str]], events: int) -> Iterator[str]:
    """``events`` lines: the base log's events, each repeated for every copy before the next."""
    copies = -(-events // len(base))
    written = 0
    for lead_id, line in base:
        quoted = f'"{lead_id}"'
        for copy in range(copies):
            if written == events:
                return
            yield line.replace(quoted, f'"{lead_id}-{copy:02d}"') + "\n"
            written += 1


def write_log(path: Path, seed: int, events: int) -> int:
    base = base_log(load_agreement(AGREEMENT), seed, BASE_LEADS if events > 20_000 else 300)
    with path.open("w", encoding="utf-8") as out:
        count = 0
        for line in event_lines(base, events):
            out.write(line)
            count += 1
    return count


def run_command(log: Path) -> dict[str, float]:
    """Wall time and peak RSS (MB) of ``leadflow report``, in a fresh process."""
    script = (
        "import resource, sys, time\n"
        "from leadflow.cli import main\n"
        "t0 = time.perf_counter()\n"
        "status = main(sys.argv[1:])\n"
        "wall = time.perf_counter() - t0\n"
        "own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "sys.stderr.write(f'@@ {wall} {own} {status}\\n')\n"
    )
    argv = [
        sys.executable,
        "-c",
        script,
        "report",
        str(log),
        "--agreement",
        str(AGREEMENT),
        "--format",
        "json",
        "--out",
        os.devnull,
    ]
    done = subprocess.run(argv, capture_output=True, text=True, check=False)  # noqa: S603
    line = next((x for x in done.stderr.splitlines() if x.startswith("@@ ")), None)
    if line is None or done.returncode:
        raise SystemExit(f"leadflow report failed:\n{done.stderr}")
    _, wall, own, _status = line.split()
    return {"wall": float(wall), "rss": int(own) / 1024}


def cold_load() -> float:
    """Seconds to import leadflow and load the agreement (with its rule file), in a fresh process."""
    script = (
        "import sys, time\n"
        "t0 = time.perf_counter()\n"
        "from leadflow.agreement import load_agreement\n"
        "load_agreement(sys.argv[1])\n"
        "print(time.perf_counter() - t0)\n"
    )
    argv = [sys.executable, "-c", script, str(AGREEMENT)]
    done = subprocess.run(argv, capture_output=True, text=True, check=True)  # noqa: S603
    return float(done.stdout.strip())


def best(fn: Callable[[], Any], repeats: int) -> float:
    """The best of ``repeats`` wall-clock timings, garbage collector off inside."""
    times = []
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        gc.enable()
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--quick", action="store_true", help="20,000 events, one round")
    parser.add_argument("--log", help="keep the generated log here (reused when it exists)")
    args = parser.parse_args()
    events = 20_000 if args.quick else args.events
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(args.log) if args.log else Path(tmp) / "events.jsonl"
        t0 = time.perf_counter()
        if not log.exists():
            events = write_log(log, args.seed, events)
        else:
            with log.open(encoding="utf-8") as handle:
                events = sum(1 for _ in handle)
        generated = time.perf_counter() - t0
        size = log.stat().st_size / 1e6
        print(f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores")
        print(f"log: {events:,} events, {size:.0f} MB (made in {generated:.1f} s, not timed)")
        load = os.getloadavg()[0]
        command = run_command(log)
        print(
            f"leadflow report: {command['wall']:.1f} s, {events / command['wall']:,.0f} "
            f"events/s, peak RSS {command['rss']:.0f} MB"
        )
        loading = cold_load()
        agreement = load_agreement(AGREEMENT)
        t0 = time.perf_counter()
        histories = read_event_log(str(log), agreement)
        replay = time.perf_counter() - t0
        calendar = agreement.calendars[agreement.default_calendar]
        now = max(s.event.at for h in histories for s in h.record.history)
        seconds = best(
            lambda: build_report(histories, calendar=calendar, now=now),
            1 if args.quick else 3,
        )
        steps = sum(len(h.record.history) for h in histories)
        print(f"load_agreement in a fresh process (imports included): {loading:.1f} s")
        print(
            f"replay in one process (read_event_log): {replay:.1f} s, {events / replay:,.0f} events/s"
        )
        print(
            f"build_report alone, one core: {seconds:.2f} s, {events / seconds:,.0f} log events/s "
            f"({steps:,} lifecycle steps, {len(histories):,} leads)"
        )
        load = max(load, os.getloadavg()[0])
    if args.json:
        extra: dict[str, Any] = {
            "events": events,
            "leads": len(histories),
            "lifecycle steps": steps,
            "log MB": round(size, 1),
        }
        extra["leadflow report, wall s"] = round(command["wall"], 1)
        extra["leadflow report, events/s"] = round(events / command["wall"])
        extra["leadflow report, peak RSS MB"] = round(command["rss"])
        extra["load_agreement in a fresh process (imports included), s"] = round(loading, 1)
        extra["replay alone (read_event_log), one process, s"] = round(replay, 1)
        extra["replay alone (read_event_log), one process, events/s"] = round(events / replay)
        extra["build_report alone, one core, s"] = round(seconds, 2)
        extra["build_report alone, one core, log events/s"] = round(events / seconds)
        extra["load average (1 min) during the run, max"] = round(load, 1)
        data = {
            "script": "bench_metrics",
            "python": platform.python_version(),
            "machine": f"{platform.machine()}, {sys.platform}, {os.cpu_count()} cores",
            "packages": {"leadflow": _version()},
            "setup": {
                "seed": args.seed,
                "agreement": "examples/agreement.lf",
                "log": f"demo quarter of {BASE_LEADS:,} leads, copies with renamed ids",
            },
            "rows": [],
            "ratios": {},
            "extra": extra,
        }
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _version() -> str:
    from leadflow import __version__

    return __version__


_ = resource  # the child script reads it

if __name__ == "__main__":
    main()
