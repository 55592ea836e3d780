"""Agreement benchmark: ``Agreement.process`` per activity event against the pillars directly.

The activity events of the demo quarter (``leadflow demo``: ``examples/agreement.lf`` over 2,500
synthetic leads) are recorded with the state each one met. Then, in the same process:

- **engine**: ``agreement.process(state, event, now=at, routing=routing)`` with the typed event;
- **pillars**: the same work by hand: the lead with the new activity, ``rules.evaluate``, the
  lifecycle steps the agreement takes (``try_advance``: engage a cold lead on its activity, then
  promote an MQL-level lead, or reengage it from nurture) and the response SLA status
  (``policy.track``) of a lead with sales. The engine does more on top (routing, timers, the
  promise, notifications, the contact rule's window); that is the overhead measured.

The time is CPU time of the benchmark's thread, the two sides alternating in chunks of 250
events within each round (the machine is shared: wall time would count the other jobs' turns).
Before timing, every event is checked to give both sides the same lead, scores, temperature,
MQL verdict and lifecycle stage. The two runs alternate round by round and the median is reported (the machine is
shared, so a best-of on one side and then the other compares different loads).

Also: ``LeadState.from_json`` (verification, paid when a state is loaded), ``to_json``, and
``Agreement.due`` over 1,000,000 states (a generator cycling the quarter's states) with its peak
memory. Run: ``python benchmarks/bench_agreement.py [--quick] [--json FILE]`` (``--quick``: 5 rounds, ``due``
over 100,000 states).
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from leadflow.agreement import ActivityRecorded, Agreement, LeadState, Routing, load_agreement
from leadflow.lead import Activity, Lead
from leadflow.lifecycle import HandoffEvent, try_advance
from leadflow.synthetic import QUARTER_END, run_quarter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import versions

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5
ROUNDS = 9
CHUNK = 250


class Recorder:
    """The agreement, recording every activity event with the state and routing it met."""

    def __init__(self, agreement: Agreement) -> None:
        self._agreement = agreement
        self.calls: list[tuple[LeadState, ActivityRecorded, datetime, Routing]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._agreement, name)

    def process(self, state: Any, event: Any, *, now: datetime, routing: Any = None) -> Any:
        if state is not None and isinstance(event, dict) and event.get("type") == "activity":
            typed = ActivityRecorded(activity=Activity.model_validate(event["activity"]))
            self.calls.append((state, typed, now, routing))
        return self._agreement.process(state, event, now=now, routing=routing)


def best(run: Callable[[], None], n: int) -> float:
    times = []
    for _ in range(REPEATS):
        gc.collect()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) / n * 1e6


def interleaved(
    runs: dict[str, Callable[[list[Any]], None]], items: list[Any], rounds: int
) -> dict[str, list[float]]:
    """CPU µs per item of each run, per round, over ``rounds`` rounds (shared machine).

    Within a round the runs alternate chunk by chunk (``CHUNK`` items each, the order rotating),
    so both sides meet the same phases of the other jobs' load; the time is this thread's CPU
    time (``time.thread_time``), which does not count the turns other jobs take on the cores.
    """
    names = list(runs)
    times: dict[str, list[float]] = {name: [] for name in names}
    for _ in range(rounds):
        spent = dict.fromkeys(names, 0.0)
        gc.collect()
        for i, start in enumerate(range(0, len(items), CHUNK)):
            chunk = items[start : start + CHUNK]
            for name in names[i % 2 :] + names[: i % 2]:
                begin = time.thread_time()
                runs[name](chunk)
                spent[name] += time.thread_time() - begin
        for name in names:
            times[name].append(spent[name])
    return {name: [t / len(items) * 1e6 for t in ts] for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds, due over 100,000 states")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()
    rounds = 5 if args.quick else ROUNDS
    agreement = load_agreement(ROOT / "examples" / "agreement.lf")
    recorder = Recorder(agreement)
    started = time.perf_counter()
    quarter = run_quarter(recorder, count=2500)  # type: ignore[arg-type]
    quarter_s = time.perf_counter() - started
    calls = recorder.calls
    rules, graph, policy = agreement.rules, agreement.graph, agreement.policy
    calendars = agreement.calendars

    def engine(chunk: list[Any]) -> None:
        for state, event, now, routing in chunk:
            agreement.process(state, event, now=now, routing=routing)

    def by_hand(state: LeadState, event: ActivityRecorded, now: datetime) -> tuple[Lead, Any, str]:
        """The pillars' work for one activity: the lead, its evaluation, the stage after it."""
        lead: Lead = state.lead.model_copy(
            update={"activities": (*state.lead.activities, event.activity)}
        )
        evaluation = rules.evaluate(lead, now=now)
        record = state.record
        if record.stage == "cold":  # the agreement's "iql: any activity"
            record = try_advance(record, HandoffEvent("engage", now, "system"), graph).record
        if evaluation.mql and record.stage in ("iql", "nurture"):
            name = "promote" if record.stage == "iql" else "reengage"
            record = try_advance(record, HandoffEvent(name, now, "system", lead=lead), graph).record
        timer = state.timer("response")
        if timer is not None and timer.state == "running" and state.temperature:
            policy.track(state.temperature, timer.started_at, now=now, calendars=calendars)
        return lead, evaluation, record.stage

    def pillars(chunk: list[Any]) -> None:
        for state, event, now, _ in chunk:
            by_hand(state, event, now)

    n = len(calls)
    per_round = interleaved({"engine": engine, "pillars": pillars}, calls, rounds)
    engine_us = statistics.median(per_round["engine"])
    pillars_us = statistics.median(per_round["pillars"])
    ratios = [e / p for e, p in zip(per_round["engine"], per_round["pillars"], strict=True)]
    ratio = statistics.median(ratios)
    # Both sides computed the same thing: the same lead, scores, temperature, MQL verdict and
    # stage per event (checked after the timing: run before it, it slowed both sides down).
    # Not by hand: the contact rule's window ending before the event (a reject or recycle the
    # engine applies first; a few events of the quarter), so those compare the rest only.
    for state, event, now, routing in calls:
        reaction = agreement.process(state, event, now=now, routing=routing)
        lead, direct, stage = by_hand(state, event, now)
        assert reaction.evaluation is not None
        assert reaction.state.lead == lead, state.lead_id
        assert dict(reaction.evaluation.scores) == dict(direct.scores), state.lead_id
        assert reaction.evaluation.temperature == direct.temperature, state.lead_id
        assert reaction.evaluation.mql == direct.mql, state.lead_id
        window = any(t.event in ("reject", "recycle") for t in reaction.transitions)
        assert window or reaction.state.stage == stage, (state.lead_id, stage)

    states = list(quarter.states.values())
    texts = [s.to_json() for s in states]
    to_json_us = best(lambda: [s.to_json() for s in states], len(states))
    from_json_us = best(lambda: [LeadState.from_json(t) for t in texts], len(states))
    load_state_us = best(lambda: [agreement.load_state(t) for t in texts], len(states))

    million = 100_000 if args.quick else 1_000_000
    tracemalloc.start()
    start = time.perf_counter()
    due = sum(
        1
        for _ in agreement.due(
            itertools.islice(itertools.cycle(states), million),
            now=QUARTER_END,
            since=QUARTER_END - timedelta(days=1),
        )
    )
    due_s = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(
        f"Python {sys.version.split()[0]}, {platform.machine()}; process vs pillars: median of "
        f"{rounds} interleaved rounds (CPU time); state and due figures: best of {REPEATS}; "
        f"load average {os.getloadavg()[0]:.1f} (2 cores shared)"
    )
    print(f"demo quarter: {len(states)} leads, {quarter.events} events in {quarter_s:.2f} s")
    print()
    print(f"| operation ({n} activity events of the demo quarter) | µs per event |")
    print("|---|---:|")
    print(f"| `Agreement.process` (typed event) | {engine_us:.1f} |")
    print(f"| pillars directly: evaluate + advance + SLA status | {pillars_us:.1f} |")
    print(
        f"| ratio engine / pillars, median of the rounds' ratios | **{ratio:.2f}x** "
        f"({min(ratios):.2f}-{max(ratios):.2f}; target ≤ 1.3x) |"
    )
    print()
    print(f"| state ({len(states)} quarter states) | µs per state |")
    print("|---|---:|")
    print(f"| `LeadState.to_json` | {to_json_us:.1f} |")
    print(f"| `LeadState.from_json` (structure verified) | {from_json_us:.1f} |")
    print(f"| `Agreement.load_state` (+ fingerprint, history replayed) | {load_state_us:.1f} |")
    print()
    if args.json:
        low = {name: min(v) for name, v in per_round.items()}
        high = {name: max(v) for name, v in per_round.items()}
        names = {
            "engine": "Agreement.process (typed activity event)",
            "pillars": "pillars directly: evaluate + lifecycle steps + SLA status",
        }
        data = {
            "script": "bench_agreement",
            "python": sys.version.split()[0],
            "machine": f"{platform.machine()}, {sys.platform}, {os.cpu_count()} cores",
            "packages": versions("leadflow"),
            "setup": {
                "events": f"the {n:,} activity events of the demo quarter",
                "rounds": rounds,
                "unit": "CPU µs per event (thread time), sides alternating in chunks of 250",
            },
            "rows": [
                {
                    "name": names[name],
                    "us": statistics.median(per_round[name]),
                    "low": low[name],
                    "high": high[name],
                    "agrees": True,
                }
                for name in ("engine", "pillars")
            ],
            "ratios": {"Agreement.process / pillars (target ≤ 1.3x)": ratio},
            "extra": {
                "LeadState.to_json, µs per state (best of 5, wall)": round(to_json_us, 1),
                "LeadState.from_json (structure verified), µs per state": round(from_json_us, 1),
                "Agreement.load_state (+ fingerprint, history replayed), µs per state": round(
                    load_state_us, 1
                ),
                f"Agreement.due over {million:,} states, µs per state": round(
                    due_s / million * 1e6, 2
                ),
                "Agreement.due, peak traced memory KiB": round(peak / 1024),
                "load average (1 min) at the end": round(os.getloadavg()[0], 1),
            },
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(
        f"`Agreement.due` over {million:,} states: {due_s:.1f} s "
        f"({due_s / million * 1e6:.2f} µs per state), {due:,} items, "
        f"peak traced memory {peak / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
