"""Metrics benchmark: events per second of the weekly report once the lead states exist.

A synthetic quarter (``leadflow.metrics.synthetic_histories``: leads moved through the default
graph with ``advance``) is built first, outside the timings. Then, one core:

- ``build_report`` over the histories (every section: funnel, SLA compliance in business time,
  weekly alerts over 13 weeks, reasons, velocity per cycle, planning, attribution);
- the single metrics it is made of, to see where the time goes;
- reading the JSONL history format (``read_histories``: pydantic validation of every record),
  the cost a file-based report adds on top.

Run: ``python benchmarks/bench_metrics.py [LEADS]`` (default 40,000 leads, about 190,000 events).
"""

from __future__ import annotations

import gc
import json
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from leadflow.metrics import (
    build_report,
    conversion,
    evaluate_alerts,
    first_contacts,
    read_histories,
    synthetic_histories,
    velocity,
    weeks,
)
from leadflow.sla import BusinessCalendar

START = datetime(2026, 9, 7, tzinfo=UTC)
NOW = START + timedelta(days=95)
REPEATS = 5


def best(fn: Callable[[], Any]) -> float:
    """The best of REPEATS wall-clock timings, garbage collector off inside."""
    times = []
    for _ in range(REPEATS):
        gc.collect()
        gc.disable()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        gc.enable()
    return min(times)


def main() -> None:
    leads = int(sys.argv[1]) if len(sys.argv) > 1 else 40_000
    calendar = BusinessCalendar("mon-fri 08:00-18:00", "Europe/Berlin", "DE-BE")
    t0 = time.perf_counter()
    histories = synthetic_histories(leads, start=START, days=91, seed=1)
    built = time.perf_counter() - t0
    events = sum(len(h.record.history) for h in histories)
    lines = [json.dumps(h.to_dict()) for h in histories]
    periods = weeks(START.date(), (NOW - timedelta(days=1)).date(), calendar.timezone)
    print(
        f"Python {platform.python_version()}, {platform.machine()}; {leads:,} leads, "
        f"{events:,} events (built with advance in {built:.1f} s: {events / built:,.0f} events/s)"
    )
    print()
    print("| what | seconds | events/s |")
    print("|---|---:|---:|")
    rows = {
        "`build_report` (all sections, alerts over 13 weeks)": lambda: build_report(
            histories, calendar=calendar, now=NOW, revenue_target=1e6, average_deal_size=4e4
        ),
        "`build_report` + `to_html()`": lambda: build_report(
            histories, calendar=calendar, now=NOW
        ).to_html(),
        "`conversion` mql → sql": lambda: conversion(histories, "mql", "sql"),
        "`first_contacts` (business time)": lambda: first_contacts(histories, calendar),
        "`velocity` per cycle": lambda: velocity(histories, by_cycle=True),
        "`evaluate_alerts`, 4 thresholds × 13 weeks": lambda: evaluate_alerts(
            histories, periods, calendar, now=NOW
        ),
        "`read_histories` (JSONL → histories)": lambda: list(read_histories(lines)),
    }
    for name, fn in rows.items():
        seconds = best(fn)
        print(f"| {name} | {seconds:.2f} | {events / seconds:,.0f} |")


if __name__ == "__main__":
    main()
