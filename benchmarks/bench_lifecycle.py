"""Lifecycle benchmark: cost per transition and memory per lead, leadflow against its peers.

Same six-stage cycle for everyone: cold -> iql -> mql -> sal -> sql -> opportunity -> won, six
transitions with one guard each (the lead must be qualified). Peers:

- ``transitions`` (one shared ``Machine``, leads added with ``add_model``),
- ``python-statemachine`` 3.x (one ``StateMachine`` per lead, as the library is designed),
- a hand-written dict table with a mutable slotted lead object: the floor.

leadflow runs ``advance(record, event, graph)`` on a shared graph and keeps the full history;
it is measured with events already parsed (a webhook handler has them) and with the event built
inside the timed loop. Run: ``python benchmarks/bench_lifecycle.py`` (one run prints everything).
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


def leadflow_prebuilt(ids: list[str]) -> list[LeadRecord]:
    out = []
    for lead_id in ids:
        record = LeadRecord(lead_id, "cold")
        for event in PREBUILT:
            record, _ = advance(record, event, GRAPH)
        out.append(record)
    return out


def leadflow_build_events(ids: list[str]) -> list[LeadRecord]:
    out = []
    for lead_id in ids:
        record = LeadRecord(lead_id, "cold")
        for name, when in zip(EVENTS, TIMES, strict=True):
            record, _ = advance(
                record, HandoffEvent(name, when, "sales", qualification=PASSED), GRAPH
            )
        out.append(record)
    return out


def leadflow_outcome(ids: list[str]) -> list[LeadRecord]:
    out = []
    for lead_id in ids:
        record = LeadRecord(lead_id, "cold")
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


def transitions_run(ids: list[str]) -> list[Any]:
    models = [TModel(i) for i in ids]
    MACHINE.add_model(models)
    try:
        for model in models:
            for name in EVENTS:
                model.trigger(name)
    finally:
        MACHINE.remove_model(models)
    return models


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
    for machine in machines:
        for name in EVENTS:
            machine.send(name)
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


def dict_run(ids: list[str]) -> list[DLead]:
    leads = [DLead(i) for i in ids]
    for lead in leads:
        for name in EVENTS:
            fire(lead, name)
    return leads


# -- measurement ------------------------------------------------------------------------------


def best_per_transition(run: Callable[[], object], transitions: int) -> float:
    """Best of REPEATS runs, in microseconds per transition."""
    best = float("inf")
    for _ in range(REPEATS):
        gc.collect()
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best / transitions * 1e6


def bytes_per_lead(make: Callable[[], list[Any]], count: int) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = make()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(kept) == count
    return (after - before) / count


def check_same_behaviour(ids: list[str]) -> None:
    assert all(r.stage == "won" and len(r.history) == 6 for r in leadflow_prebuilt(ids))
    assert all(m.state == "won" for m in transitions_run(ids))
    assert all(m.current_state_value == "won" for m in statemachine_run(statemachine_build(ids)))
    assert all(lead.state == "won" for lead in dict_run(ids))
    # the guard really guards, in every implementation
    failed = HandoffEvent("t0", T0, "sales", qualification=Qualification(passed=False))
    assert try_advance(new_lead("x", graph=GRAPH), failed, GRAPH).refusal == "guard-failed"
    model = TModel("x")
    model.qualified = False
    MACHINE.add_model(model)
    assert model.trigger("t0") is False
    assert model.state == "cold"
    MACHINE.remove_model(model)
    sm = LeadMachine(SModel("x"))
    sm.model.qualified = False
    with contextlib.suppress(TransitionNotAllowed):
        sm.send("t0")
    assert sm.current_state_value == "cold"


def main() -> None:
    ids = [f"L-{i:05d}" for i in range(LEADS)]
    check_same_behaviour(ids[:50])
    n = LEADS * 6
    machines: list[LeadMachine] = []

    def sm_prepare_and_run() -> None:
        statemachine_run(machines)

    timings: dict[str, float] = {}
    timings["leadflow advance (events parsed)"] = best_per_transition(
        lambda: leadflow_prebuilt(ids), n
    )
    timings["leadflow advance (event built per step)"] = best_per_transition(
        lambda: leadflow_build_events(ids), n
    )
    timings["leadflow try_advance (events parsed)"] = best_per_transition(
        lambda: leadflow_outcome(ids), n
    )
    timings["transitions (shared Machine)"] = best_per_transition(lambda: transitions_run(ids), n)
    best = float("inf")
    for _ in range(REPEATS):
        machines = statemachine_build(ids)
        gc.collect()
        start = time.perf_counter()
        sm_prepare_and_run()
        best = min(best, time.perf_counter() - start)
    timings["python-statemachine (machine per lead)"] = best / n * 1e6
    timings["dict table (floor)"] = best_per_transition(lambda: dict_run(ids), n)

    mem_ids = [f"M-{i:05d}" for i in range(MEMORY_LEADS)]
    memory: dict[str, float] = {}
    memory["leadflow LeadRecord, fresh"] = bytes_per_lead(
        lambda: [LeadRecord(i, "cold") for i in mem_ids], MEMORY_LEADS
    )
    memory["leadflow LeadRecord, after the cycle (6-step history, own events)"] = bytes_per_lead(
        lambda: leadflow_build_events(mem_ids), MEMORY_LEADS
    )

    def transitions_models() -> list[Any]:
        models = [TModel(i) for i in mem_ids]
        MACHINE.add_model(models)
        return models

    memory["transitions model (added to shared Machine)"] = bytes_per_lead(
        transitions_models, MEMORY_LEADS
    )
    for model in MACHINE.models[:]:
        if isinstance(model, TModel):
            MACHINE.remove_model(model)
    memory["python-statemachine machine + model"] = bytes_per_lead(
        lambda: statemachine_build(mem_ids), MEMORY_LEADS
    )
    memory["dict table lead (floor)"] = bytes_per_lead(
        lambda: [DLead(i) for i in mem_ids], MEMORY_LEADS
    )

    print(f"Python {platform.python_version()} on {platform.machine()}, {sys.platform}")
    print(
        f"leadflow vs transitions {version('transitions')}, "
        f"python-statemachine {version('python-statemachine')}"
    )
    print(f"{LEADS} leads x 6 guarded transitions, best of {REPEATS}\n")
    print(f"{'per transition':<46} {'µs':>8}")
    for name, value in timings.items():
        print(f"{name:<46} {value:>8.2f}")
    lf = timings["leadflow advance (events parsed)"]
    lf_built = timings["leadflow advance (event built per step)"]
    print()
    for peer in ("transitions (shared Machine)", "python-statemachine (machine per lead)"):
        print(
            f"{peer} / leadflow: {timings[peer] / lf:.1f}x (events parsed), "
            f"{timings[peer] / lf_built:.1f}x (event built per step)"
        )
    print(f"leadflow / dict floor: {lf / timings['dict table (floor)']:.1f}x")
    print(f"\n{'memory per lead (tracemalloc)':<68} {'bytes':>8}")
    for name, value in memory.items():
        print(f"{name:<68} {value:>8.0f}")
    t_mem = memory["transitions model (added to shared Machine)"]
    print()
    for name in (
        "leadflow LeadRecord, fresh",
        "leadflow LeadRecord, after the cycle (6-step history, own events)",
    ):
        print(f"{name} / transitions model: {memory[name] / t_mem:.2f}")


if __name__ == "__main__":
    main()
