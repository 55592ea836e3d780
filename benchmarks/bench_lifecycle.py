"""Lifecycle benchmark: cost per transition and memory per lead, leadflow against its peers.

Same six-stage cycle for everyone: cold -> iql -> mql -> sal -> sql -> opportunity -> won, six
transitions with one guard each (the lead must be qualified). Peers:

- ``transitions`` (one shared ``Machine``, leads added with ``add_model``),
- ``python-statemachine`` 3.x (one ``StateMachine`` per lead, as the library is designed),
- a hand-written dict table with a mutable slotted lead object: the floor.

leadflow runs ``advance(record, event, graph)`` on a shared graph and keeps the full history;
it is measured with events already parsed (a webhook handler has them) and with the event built
inside the timed loop. Run: ``python benchmarks/bench_lifecycle.py`` (one run prints everything).

It also times one lead with 10,000 keyed contact attempts (each ``advance`` looks the key up
among all recorded ones; issue #14 measured 1.2 s when that lookup was a scan).
"""

from __future__ import annotations

import contextlib
import gc
import platform
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from typing import Any

from statemachine import State, StateMachine
from statemachine.exceptions import TransitionNotAllowed
from transitions import Machine

from leadflow.lifecycle import (
    Graph,
    HandoffEvent,
    LeadRecord,
    Qualification,
    QualificationPassed,
    StageSpec,
    Transition,
    advance,
    new_lead,
    try_advance,
)

STAGES = ("cold", "iql", "mql", "sal", "sql", "opportunity", "won")
EVENTS = ("t0", "t1", "t2", "t3", "t4", "t5")
LEADS = 2_000
REPEATS = 5
MEMORY_LEADS = 1_000

# -- leadflow ----------------------------------------------------------------------------------

GUARD = QualificationPassed()
GRAPH = Graph(
    "bench",
    tuple(StageSpec(s, "sales", terminal=s == "won") for s in STAGES),
    tuple(
        Transition(EVENTS[i], STAGES[i], STAGES[i + 1], ("sales",), guards=(GUARD,))
        for i in range(6)
    ),
    initial="cold",
)
T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
PASSED = Qualification(passed=True)
TIMES = tuple(T0 + timedelta(minutes=i) for i in range(6))
PREBUILT = tuple(
    HandoffEvent(name, when, "sales", qualification=PASSED)
    for name, when in zip(EVENTS, TIMES, strict=True)
)


def leadflow_build(ids: list[str]) -> list[LeadRecord]:
    return [new_lead(i, graph=GRAPH) for i in ids]


def leadflow_prebuilt(records: list[LeadRecord]) -> list[LeadRecord]:
    out = []
    for record in records:
        for event in PREBUILT:
            record, _ = advance(record, event, GRAPH)
        out.append(record)
    return out


def leadflow_build_events(records: list[LeadRecord]) -> list[LeadRecord]:
    out = []
    for record in records:
        for name, when in zip(EVENTS, TIMES, strict=True):
            record, _ = advance(
                record, HandoffEvent(name, when, "sales", qualification=PASSED), GRAPH
            )
        out.append(record)
    return out


def leadflow_outcome(records: list[LeadRecord]) -> list[LeadRecord]:
    out = []
    for record in records:
        for event in PREBUILT:
            record = try_advance(record, event, GRAPH).record
        out.append(record)
    return out


# -- transitions ------------------------------------------------------------------------------


class TModel:
    def __init__(self, lead_id: str) -> None:
        self.id = lead_id
        self.qualified = True

    def is_qualified(self) -> bool:
        return self.qualified


MACHINE = Machine(
    model=None,
    states=list(STAGES),
    transitions=[
        {
            "trigger": EVENTS[i],
            "source": STAGES[i],
            "dest": STAGES[i + 1],
            "conditions": "is_qualified",
        }
        for i in range(6)
    ],
    initial="cold",
    auto_transitions=False,
)


def transitions_build(ids: list[str]) -> list[TModel]:
    models = [TModel(i) for i in ids]
    MACHINE.add_model(models)
    return models


def transitions_run(models: list[TModel]) -> list[TModel]:
    # the generated trigger methods: the fastest way to fire an event in transitions
    for model in models:
        model.t0()  # type: ignore[attr-defined]
        model.t1()  # type: ignore[attr-defined]
        model.t2()  # type: ignore[attr-defined]
        model.t3()  # type: ignore[attr-defined]
        model.t4()  # type: ignore[attr-defined]
        model.t5()  # type: ignore[attr-defined]
    return models


def transitions_drop(models: list[TModel]) -> None:
    for model in models:
        MACHINE.remove_model(model)


# -- python-statemachine ----------------------------------------------------------------------


class SModel:
    def __init__(self, lead_id: str) -> None:
        self.id = lead_id
        self.qualified = True


class LeadMachine(StateMachine):
    cold = State(initial=True)
    iql = State()
    mql = State()
    sal = State()
    sql = State()
    opportunity = State()
    won = State(final=True)

    t0 = cold.to(iql, cond="is_qualified")
    t1 = iql.to(mql, cond="is_qualified")
    t2 = mql.to(sal, cond="is_qualified")
    t3 = sal.to(sql, cond="is_qualified")
    t4 = sql.to(opportunity, cond="is_qualified")
    t5 = opportunity.to(won, cond="is_qualified")

    def is_qualified(self) -> bool:
        return bool(self.model.qualified)


def statemachine_build(ids: list[str]) -> list[LeadMachine]:
    return [LeadMachine(SModel(i)) for i in ids]


def statemachine_run(machines: list[LeadMachine]) -> list[LeadMachine]:
    # the generated event methods: faster than send("t0")
    for machine in machines:
        machine.t0()
        machine.t1()
        machine.t2()
        machine.t3()
        machine.t4()
        machine.t5()
    return machines


# -- the floor: a dict table and a mutable slotted lead -----------------------------------------


class DLead:
    __slots__ = ("id", "qualified", "state")

    def __init__(self, lead_id: str) -> None:
        self.id = lead_id
        self.state = "cold"
        self.qualified = True


TABLE: dict[tuple[str, str], tuple[str, Callable[[DLead], bool]]] = {
    (STAGES[i], EVENTS[i]): (STAGES[i + 1], lambda lead: lead.qualified) for i in range(6)
}


def fire(lead: DLead, event: str) -> None:
    target, guard = TABLE[(lead.state, event)]
    if not guard(lead):
        raise ValueError("guard")
    lead.state = target


def dict_build(ids: list[str]) -> list[DLead]:
    return [DLead(i) for i in ids]


def dict_run(leads: list[DLead]) -> list[DLead]:
    for lead in leads:
        for name in EVENTS:
            fire(lead, name)
    return leads


# -- one long history: keyed events ------------------------------------------------------------

KEYED = 10_000


def keyed_events_seconds() -> float:
    """Seconds to apply KEYED keyed contact attempts to one lead, then check each is found."""
    attempt = "contact_attempt"
    events = [
        HandoffEvent(attempt, T0 + timedelta(seconds=i), "sales", idempotency_key=f"hook-{i}")
        for i in range(KEYED)
    ]
    gc.collect()
    start = time.perf_counter()
    record = new_lead("L-long", graph=GRAPH)
    for event in events:
        record, _ = advance(record, event, GRAPH)
    elapsed = time.perf_counter() - start
    assert record.version == KEYED
    assert advance(record, events[KEYED // 2], GRAPH)[0] is record  # a retry is a duplicate
    return elapsed


# -- measurement ------------------------------------------------------------------------------


def best_of(
    build: Callable[[list[str]], list[Any]],
    run: Callable[[list[Any]], object],
    ids: list[str],
    drop: Callable[[list[Any]], object] | None = None,
) -> tuple[float, float]:
    """Best of REPEATS: (µs per lead to create it, µs per transition to run the cycle)."""
    best_build = best_run = float("inf")
    for _ in range(REPEATS):
        gc.collect()
        start = time.perf_counter()
        leads = build(ids)
        built = time.perf_counter()
        run(leads)
        done = time.perf_counter()
        best_build = min(best_build, built - start)
        best_run = min(best_run, done - built)
        if drop is not None:
            drop(leads)
    return best_build / len(ids) * 1e6, best_run / (len(ids) * len(EVENTS)) * 1e6


def bytes_per_lead(make: Callable[[], list[Any]], count: int) -> float:
    """Memory allocated per lead while ``make`` builds ``count`` of them (tracemalloc)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = make()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(kept) == count
    return (after - before) / count


def check_same_behaviour(ids: list[str]) -> None:
    assert all(
        r.stage == "won" and len(r.history) == 6 for r in leadflow_prebuilt(leadflow_build(ids))
    )
    models = transitions_run(transitions_build(ids))
    assert all(m.state == "won" for m in models)  # type: ignore[attr-defined]
    transitions_drop(models)
    assert all(m.current_state_value == "won" for m in statemachine_run(statemachine_build(ids)))
    assert all(lead.state == "won" for lead in dict_run(dict_build(ids)))
    # the guard really guards, in every implementation
    failed = HandoffEvent("t0", T0, "sales", qualification=Qualification(passed=False))
    assert try_advance(new_lead("x", graph=GRAPH), failed, GRAPH).refusal == "guard-failed"
    model = TModel("x")
    model.qualified = False
    MACHINE.add_model(model)
    assert model.t0() is False  # type: ignore[attr-defined]
    assert model.state == "cold"  # type: ignore[attr-defined]
    MACHINE.remove_model(model)
    sm = LeadMachine(SModel("x"))
    sm.model.qualified = False
    with contextlib.suppress(TransitionNotAllowed):
        sm.send("t0")
    assert sm.current_state_value == "cold"
    lead = DLead("x")
    lead.qualified = False
    with contextlib.suppress(ValueError):
        fire(lead, "t0")
    assert lead.state == "cold"


def main() -> None:
    ids = [f"L-{i:05d}" for i in range(LEADS)]
    check_same_behaviour(ids[:50])
    rows: dict[str, tuple[float, float]] = {
        "leadflow advance (events parsed)": best_of(leadflow_build, leadflow_prebuilt, ids),
        "leadflow advance (event built per step)": best_of(
            leadflow_build, leadflow_build_events, ids
        ),
        "leadflow try_advance (events parsed)": best_of(leadflow_build, leadflow_outcome, ids),
        "transitions (shared Machine, add_model)": best_of(
            transitions_build, transitions_run, ids, transitions_drop
        ),
        "python-statemachine (machine per lead)": best_of(
            statemachine_build, statemachine_run, ids
        ),
        "dict table (floor)": best_of(dict_build, dict_run, ids),
    }

    mem_ids = [f"M-{i:05d}" for i in range(MEMORY_LEADS)]
    memory: dict[str, float] = {}
    memory["leadflow LeadRecord, fresh"] = bytes_per_lead(
        lambda: leadflow_build(mem_ids), MEMORY_LEADS
    )
    memory["leadflow LeadRecord after the cycle (6-step history)"] = bytes_per_lead(
        lambda: leadflow_build_events(leadflow_build(mem_ids)), MEMORY_LEADS
    )
    # The same history, with the six events shared by all leads: what the log itself costs
    # (steps and tuples) apart from the events, which a host holds anyway.
    memory["  of which steps and log (events not counted)"] = bytes_per_lead(
        lambda: leadflow_prebuilt(leadflow_build(mem_ids)), MEMORY_LEADS
    )
    models: list[TModel] = []

    def transitions_models() -> list[TModel]:
        models.extend(transitions_build(mem_ids))
        return models

    memory["transitions model (added to shared Machine)"] = bytes_per_lead(
        transitions_models, MEMORY_LEADS
    )
    transitions_drop(models)
    memory["python-statemachine machine + model"] = bytes_per_lead(
        lambda: statemachine_build(mem_ids), MEMORY_LEADS
    )
    memory["dict table lead (floor)"] = bytes_per_lead(lambda: dict_build(mem_ids), MEMORY_LEADS)

    print(f"Python {platform.python_version()} on {platform.machine()}, {sys.platform}")
    print(
        f"leadflow {version('leadflow')} vs transitions {version('transitions')}, "
        f"python-statemachine {version('python-statemachine')}"
    )
    print(f"{LEADS} leads x {len(EVENTS)} guarded transitions, best of {REPEATS}\n")
    print(f"{'':<44} {'µs/transition':>14} {'µs/new lead':>12}")
    for name, (build, run) in rows.items():
        print(f"{name:<44} {run:>14.2f} {build:>12.2f}")
    lf = rows["leadflow advance (events parsed)"][1]
    lf_built = rows["leadflow advance (event built per step)"][1]
    print()
    for peer in (
        "transitions (shared Machine, add_model)",
        "python-statemachine (machine per lead)",
    ):
        cost = rows[peer][1]
        print(
            f"{peer} / leadflow: {cost / lf:.1f}x (events parsed), "
            f"{cost / lf_built:.1f}x (event built per step)"
        )
    print(f"leadflow / dict floor: {lf / rows['dict table (floor)'][1]:.1f}x")
    print(f"\n{'memory per lead (tracemalloc)':<56} {'bytes':>8}")
    for name, value in memory.items():
        print(f"{name:<56} {value:>8.0f}")
    t_mem = memory["transitions model (added to shared Machine)"]
    print()
    for name in (
        "leadflow LeadRecord, fresh",
        "leadflow LeadRecord after the cycle (6-step history)",
        "  of which steps and log (events not counted)",
    ):
        print(f"{name} / transitions model: {memory[name] / t_mem:.3f}")
    print(f"\n{KEYED:,} keyed events on one lead: {keyed_events_seconds():.2f} s")


if __name__ == "__main__":
    main()
