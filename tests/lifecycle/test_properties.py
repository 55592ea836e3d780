"""Property tests: a random walk of actors, events, reasons and time steps over the default graph."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from leadflow.errors import LeadValidationError, TransitionError
from leadflow.lifecycle import (
    DEFAULT_GRAPH,
    HandoffEvent,
    LeadRecord,
    Qualification,
    advance,
    machine,
    new_lead,
    replay,
    try_advance,
)
from tests.lifecycle.helpers import HANDOFF, T0

GRAPH = DEFAULT_GRAPH
ZONES = [ZoneInfo("Europe/Berlin"), ZoneInfo("America/Santiago"), ZoneInfo("Australia/Lord_Howe")]
EVENT_NAMES = sorted({t.name for t in GRAPH.transitions} | {GRAPH.attempt_event, "teleport"})
ACTORS = [*GRAPH.actors, "robot"]
REASONS = [None, None, *GRAPH.reasons, "bogus"]
LEADS = [None, HANDOFF, {"company": "X", "email": "x@x.de"}]
QUALIFICATIONS = [None, Qualification(True, "bant"), Qualification(False, "champ")]


@st.composite
def events(draw: st.DrawFn, after: datetime) -> HandoffEvent:
    minutes = draw(st.integers(min_value=-120, max_value=3 * 24 * 60))
    zone = draw(st.sampled_from(ZONES))
    return HandoffEvent(
        draw(st.sampled_from(EVENT_NAMES)),
        (after + timedelta(minutes=minutes)).astimezone(zone),
        draw(st.sampled_from(ACTORS)),
        reason=draw(st.sampled_from(REASONS)),
        campaign=draw(st.sampled_from([None, "webinar", "fair"])),
        idempotency_key=draw(st.sampled_from([None, None, "k1", "k2", "k3"])),
        qualification=draw(st.sampled_from(QUALIFICATIONS)),
        lead=draw(st.sampled_from(LEADS)),
    )


class LifecycleWalk(RuleBasedStateMachine):
    """One lead, random events; the invariants of the issue hold after every step."""

    def __init__(self) -> None:
        super().__init__()
        self.record: LeadRecord = new_lead("L-1")
        self.applied = 0

    @rule(data=st.data(), entry=st.sampled_from(GRAPH.entry))
    @precondition(lambda self: not self.record.history)
    def restart(self, data: st.DataObject, entry: str) -> None:
        self.record = new_lead("L-1", entry)

    @rule(data=st.data())
    def apply(self, data: st.DataObject) -> None:
        before = self.record
        event = data.draw(events(before.last_at or T0))
        outcome = try_advance(before, event)
        if outcome.status == "refused":
            assert outcome.record is before
            assert isinstance(outcome.error, TransitionError)
            assert outcome.error.lead_id == "L-1"
            return
        assert outcome.step is not None
        if outcome.status == "applied":
            assert outcome.record.history == (*before.history, outcome.step)
            assert outcome.step.source == before.stage
            self.applied += 1
        else:
            assert outcome.record is before
            assert outcome.step in before.history
        twice = try_advance(outcome.record, event)
        assert twice.status == "duplicate"
        assert twice.record is outcome.record
        self.record = outcome.record

    @rule(data=st.data())
    def apply_allowed(self, data: st.DataObject) -> None:
        """Mostly-valid events, so the walk reaches every stage; the same checks apply."""
        allowed = GRAPH.allowed_events(self.record.stage) or ("win",)
        weighted = [n for n in allowed if n not in {"disqualify", "lose"}] * 4 + list(allowed)
        name = data.draw(st.sampled_from(weighted))
        edge = GRAPH.transition(self.record.stage, name)
        actors = edge.actors if edge else GRAPH.actors
        reasons = edge.reasons if edge and edge.reasons else (None,)
        minutes = data.draw(st.integers(min_value=0, max_value=3 * 24 * 60))
        event = HandoffEvent(
            name,
            (self.record.last_at or T0) + timedelta(minutes=minutes),
            data.draw(st.sampled_from(actors)),
            reason=data.draw(st.sampled_from(reasons)),
            qualification=data.draw(st.sampled_from(QUALIFICATIONS[1:])),
            lead=HANDOFF,
            campaign=data.draw(st.sampled_from([None, "webinar"])),
        )
        before = self.record
        outcome = try_advance(before, event)
        if outcome.status == "refused":
            assert outcome.record is before
            assert outcome.refusal in {"guard-failed", "terminal-stage"}
        self.record = outcome.record

    @rule(data=st.data())
    @precondition(lambda self: bool(self.record.history))
    def redeliver(self, data: st.DataObject) -> None:
        step = data.draw(st.sampled_from(self.record.history))
        again, same = advance(self.record, step.event)
        assert again is self.record
        assert same is step

    @invariant()
    def replay_equals_the_lead(self) -> None:
        assert replay(self.record) == self.record

    @invariant()
    def stages_and_steps_are_in_the_graph(self) -> None:
        assert GRAPH.has_stage(self.record.stage)
        stage = self.record.origin
        for step in self.record.history:
            assert step.source == stage
            if step.kind == "attempt":
                assert step.target == step.source
                assert step.name == GRAPH.attempt_event
            else:
                edge = GRAPH.transition(step.source, step.name)
                assert edge is not None
                assert edge.target == step.target
                assert step.actor in edge.actors
            stage = step.target
        assert stage == self.record.stage

    @invariant()
    def timestamps_never_go_backwards(self) -> None:
        times = [s.at for s in self.record.history]
        assert times == sorted(times)
        assert not any(s.late for s in self.record.history)

    @invariant()
    def reasons_are_valid_where_mandatory(self) -> None:
        for step in self.record.history:
            if step.kind in {"reject", "disqualify", "lost", "recycle"}:
                edge = GRAPH.transition(step.source, step.name)
                assert edge is not None
                assert step.reason in edge.reasons

    @invariant()
    def nothing_after_a_terminal_stage(self) -> None:
        for step in self.record.history[:-1]:
            assert not GRAPH.is_terminal(step.target)

    @invariant()
    def json_round_trip_is_the_identity(self) -> None:
        assert LeadRecord.from_json(self.record.to_json()) == self.record
        assert LeadRecord.from_json(self.record.to_json(), graph=GRAPH) == self.record

    @invariant()
    def cycles_and_attempts_are_counted_from_the_history(self) -> None:
        cycle = attempts = 0
        for step in self.record.history:
            if step.kind == "reenter":
                cycle, attempts = cycle + 1, 0
            elif step.kind == "attempt":
                attempts += 1
            assert step.cycle == cycle
        assert (self.record.cycle, self.record.attempts) == (cycle, attempts)

    @invariant()
    def keys_are_unique(self) -> None:
        keys = [s.event.idempotency_key for s in self.record.history if s.event.idempotency_key]
        assert len(keys) == len(set(keys))


LifecycleWalk.TestCase.settings = settings(max_examples=100, stateful_step_count=30)
TestLifecycleWalk = LifecycleWalk.TestCase


@settings(max_examples=50)
@given(st.data())
def test_tolerant_mode_replays_and_never_reorders_stages(data: st.DataObject) -> None:
    record = new_lead("L-1", "mql")
    for _ in range(data.draw(st.integers(1, 15))):
        event = data.draw(events(record.last_at or T0))
        outcome = try_advance(record, event, tolerant=True)
        if outcome.status == "applied":
            assert outcome.step is not None
            assert outcome.step.source == record.stage
            assert outcome.step.late == (record.last_at is not None and event.at < record.last_at)
        record = outcome.record
    assert replay(record) == record
    assert LeadRecord.from_json(record.to_json()) == record


def _walk(data: st.DataObject, tolerant: bool) -> LeadRecord:
    record = new_lead("L-1", data.draw(st.sampled_from(GRAPH.entry)))
    for _ in range(data.draw(st.integers(0, 12))):
        event = data.draw(events(record.last_at or T0))
        record = try_advance(record, event, tolerant=tolerant).record
    return record


@settings(max_examples=60)
@given(st.data(), st.sampled_from(["stage", "origin", "attempts", "cycle", "kind", "source"]))
def test_a_forged_field_is_refused(data: st.DataObject, field: str) -> None:
    record = _walk(data, tolerant=data.draw(st.booleans()))
    assert LeadRecord.from_json(record.to_json(), graph=GRAPH) == record
    forged = record.to_dict()
    if field in {"stage", "origin"}:
        forged[field] = data.draw(
            st.sampled_from(GRAPH.stage_names).filter(lambda s: s != forged[field])
        )
    elif field in {"attempts", "cycle"}:
        forged[field] += data.draw(st.sampled_from([-7, -1, 1, 2]))
        if forged[field] >= 0 and not record.history:
            return  # a fresh record may carry any counts
    elif not record.history:
        return
    else:
        step = forged["history"][data.draw(st.integers(0, len(record.history) - 1))]
        key = "kind" if field == "kind" else "source"
        pool = (
            ["teleport", "progress", "attempt", "reenter"] if key == "kind" else GRAPH.stage_names
        )
        step[key] = data.draw(st.sampled_from(pool).filter(lambda v: v != step[key]))
    with pytest.raises(LeadValidationError):
        LeadRecord.from_json(forged, graph=GRAPH)


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.sampled_from(["a", "b", "c", None]), st.integers(0, 2)),
        min_size=1,
        max_size=25,
    )
)
def test_the_duplicate_index_agrees_with_a_scan(ops: list[tuple[int, str | None, int]]) -> None:
    base = new_lead("L-1", "mql")
    for i in range(machine._INDEXED):
        attempt = HandoffEvent("contact_attempt", T0, "sales", idempotency_key=f"base-{i}")
        base, _ = advance(base, attempt)
    records = [base]
    probes: list[HandoffEvent] = []
    for pick, key, minutes in ops:
        parent = records[pick % len(records)]
        at = (parent.last_at or T0) + timedelta(minutes=minutes)
        event = HandoffEvent("contact_attempt", at, "sales", idempotency_key=key)
        probes.append(event)
        outcome = try_advance(parent, event)
        records.append(outcome.record)
    for record in records:
        for probe in probes:
            expected = next(
                (
                    s
                    for s in record.history
                    if (
                        probe.idempotency_key is not None
                        and s.event.idempotency_key == probe.idempotency_key
                    )
                    or (probe.idempotency_key is None and s.event == probe)
                ),
                None,
            )
            assert machine._recorded(record.history, probe) == expected
