"""Lifecycle benchmark: cost per event and memory per lead, leadflow against its peers.

The six-stage cycle cold -> iql -> mql -> sal -> sql -> opportunity -> won, one guard per
transition ("the lead is qualified"). Seeded, varied input: every lead gets its own stream of 1-6
events as decoded JSON (name, ISO time, actor, qualification), and about a third of the streams
end with an event whose guard fails. Every contender does the same work from those dicts: parse
the time and the qualification, build what its library needs (leadflow: a ``HandoffEvent``,
once through ``parse_event`` with full validation and once built from the parsed fields as the
peers do), fire the event, and handle a refusal. Nobody shares prebuilt events.

Peers: ``transitions`` (one shared ``Machine``, leads added with ``add_model``),
``python-statemachine`` 3.x (one machine per lead, as designed) and a dict table with a mutable
slotted lead (the floor). leadflow keeps the full history; the peers keep none. The final stage
of every lead is compared before timing; contenders are interleaved; figures are medians.

    python benchmarks/bench_lifecycle.py [--quick] [--json benchmarks/results/lifecycle.json]
"""

from __future__ import annotations

import gc
import random
import sys
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
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
    parse_event,
    try_advance,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Contender, arguments, check, interleaved, ratio, report

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


# -- the work: event streams as decoded JSON ------------------------------------------------

Stream = list[dict[str, Any]]


def streams(count: int, seed: int) -> list[tuple[str, Stream]]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        length = rng.randint(1, 6)
        fails = rng.random() < 0.33
        at = T0 + timedelta(minutes=rng.randrange(60 * 24 * 90))
        events = []
        for k in range(length):
            at += timedelta(minutes=rng.randint(1, 600))
            passed = not (fails and k == length - 1)
            events.append(
                {
                    "name": EVENTS[k],
                    "at": at.isoformat(),
                    "actor": "sales",
                    "qualification": {"passed": passed},
                }
            )
        out.append((f"L-{i:06d}", events))
    return out


def leadflow_parsed(work: list[tuple[str, Stream]]) -> list[str]:
    out = []
    for lead_id, events in work:
        record = new_lead(lead_id, graph=GRAPH)
        for data in events:
            outcome = try_advance(record, parse_event(data), GRAPH)
            if not outcome.ok:
                break
            record = outcome.record
        out.append(record.stage)
    return out


def leadflow_built(work: list[tuple[str, Stream]]) -> list[str]:
    out = []
    for lead_id, events in work:
        record = new_lead(lead_id, graph=GRAPH)
        for data in events:
            event = HandoffEvent(
                data["name"],
                datetime.fromisoformat(data["at"]),
                data["actor"],
                qualification=Qualification(passed=data["qualification"]["passed"]),
            )
            outcome = try_advance(record, event, GRAPH)
            if not outcome.ok:
                break
            record = outcome.record
        out.append(record.stage)
    return out


def transitions_work(work: list[tuple[str, Stream]]) -> list[str]:
    out = []
    for lead_id, events in work:
        model = TModel(lead_id)
        MACHINE.add_model(model)
        for data in events:
            datetime.fromisoformat(data["at"])
            model.qualified = data["qualification"]["passed"]
            if not model.trigger(data["name"]):  # type: ignore[attr-defined]
                break
        out.append(model.state)  # type: ignore[attr-defined]
        MACHINE.remove_model(model)
    return out


def statemachine_work(work: list[tuple[str, Stream]]) -> list[str]:
    out = []
    for lead_id, events in work:
        machine = LeadMachine(SModel(lead_id))
        for data in events:
            datetime.fromisoformat(data["at"])
            machine.model.qualified = data["qualification"]["passed"]
            try:
                machine.send(data["name"])
            except TransitionNotAllowed:
                break
        out.append(str(machine.current_state_value))
    return out


def dict_work(work: list[tuple[str, Stream]]) -> list[str]:
    out = []
    for lead_id, events in work:
        lead = DLead(lead_id)
        for data in events:
            datetime.fromisoformat(data["at"])
            lead.qualified = data["qualification"]["passed"]
            try:
                fire(lead, data["name"])
            except ValueError:
                break
        out.append(lead.state)
    return out


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


def full_cycle(records: list[LeadRecord]) -> list[LeadRecord]:
    out = []
    for record in records:
        for name, when in zip(EVENTS, TIMES, strict=True):
            record, _ = advance(
                record, HandoffEvent(name, when, "sales", qualification=PASSED), GRAPH
            )
        out.append(record)
    return out


def main() -> None:
    args = arguments(__doc__ or "").parse_args()
    count, rounds = (500, 5) if args.quick else (LEADS * 2, args.rounds)
    work = streams(count, args.seed)
    events = sum(len(e) for _, e in work)
    reference = "leadflow parse_event + try_advance"
    contenders = [
        Contender(reference, lambda: leadflow_parsed(work), events),
        Contender(
            "leadflow HandoffEvent from the parsed fields + try_advance",
            lambda: leadflow_built(work),
            events,
            reference=reference,
        ),
        Contender(
            "transitions (shared Machine, add_model)",
            lambda: transitions_work(work),
            events,
            reference=reference,
        ),
        Contender(
            "python-statemachine (machine per lead)",
            lambda: statemachine_work(work),
            events,
            reference=reference,
        ),
        Contender("dict table (floor)", lambda: dict_work(work), events, reference=reference),
    ]
    results = check(contenders)
    stages: dict[str, int] = {}
    for stage in results[reference]:
        stages[stage] = stages.get(stage, 0) + 1
    interleaved(contenders, rounds)

    mem_ids = [f"M-{i:05d}" for i in range(MEMORY_LEADS)]
    memory: dict[str, float] = {
        "leadflow LeadRecord, fresh": bytes_per_lead(
            lambda: [new_lead(i, graph=GRAPH) for i in mem_ids], MEMORY_LEADS
        ),
        "leadflow LeadRecord after the cycle, with its 6-event history": bytes_per_lead(
            lambda: full_cycle([new_lead(i, graph=GRAPH) for i in mem_ids]), MEMORY_LEADS
        ),
    }
    models: list[TModel] = []

    def transitions_models() -> list[TModel]:
        models.extend(TModel(i) for i in mem_ids)
        MACHINE.add_model(models)
        return models

    memory["transitions model (added to the shared Machine)"] = bytes_per_lead(
        transitions_models, MEMORY_LEADS
    )
    for model in models:
        MACHINE.remove_model(model)
    memory["python-statemachine machine + model"] = bytes_per_lead(
        lambda: [LeadMachine(SModel(i)) for i in mem_ids], MEMORY_LEADS
    )
    memory["dict table lead (floor)"] = bytes_per_lead(
        lambda: [DLead(i) for i in mem_ids], MEMORY_LEADS
    )
    ratios = {
        f"{peer} / {reference}": ratio(contenders, peer, reference)
        for peer in (
            "transitions (shared Machine, add_model)",
            "python-statemachine (machine per lead)",
        )
    }
    ratios |= {
        f"{peer} / leadflow HandoffEvent from the parsed fields + try_advance": ratio(
            contenders, peer, "leadflow HandoffEvent from the parsed fields + try_advance"
        )
        for peer in (
            "transitions (shared Machine, add_model)",
            "python-statemachine (machine per lead)",
        )
    }
    ratios[f"{reference} / dict table (floor)"] = ratio(contenders, reference, "dict table (floor)")
    t_mem = memory["transitions model (added to the shared Machine)"]
    report(
        "bench_lifecycle",
        contenders,
        setup={
            "leads": count,
            "events": events,
            "rounds": rounds,
            "seed": args.seed,
            "final stages": dict(sorted(stages.items())),
            "unit": "µs per event (parse + fire), lead creation included",
        },
        ratios=ratios,
        extra={
            "memory per lead, bytes (tracemalloc)": {k: round(v) for k, v in memory.items()},
            "memory / transitions model": {k: round(v / t_mem, 3) for k, v in memory.items()},
        },
        packages=("transitions", "python-statemachine"),
        json_path=args.json,
    )


if __name__ == "__main__":
    main()
