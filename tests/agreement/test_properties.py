"""Invariants of the engine over random event sequences."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leadflow.agreement import Agreement, LeadState, Reaction, Routing, load_agreement
from leadflow.errors import (
    AgreementInputError,
    IdempotencyConflictError,
    LeadValidationError,
    TransitionError,
)

from .helpers import FRIDAY_EVENING, MINIMAL, lead_data, shipped

A = shipped()
ANSWERS = {
    "budget": "approved",
    "authority": "decision_maker",
    "need": "urgent",
    "timeline": "this_quarter",
}
KINDS = ("demo_request", "pricing_page_view", "content_download", "email_open", "unsubscribe")
REASONS = ("no budget", "too_small", "wrong_timing", "unreachable", "Student")

events = st.one_of(
    st.builds(lambda k: {"type": "activity", "activity": {"kind": k}}, st.sampled_from(KINDS)),
    st.builds(
        lambda f: {"type": "updated", "fields": f},
        st.fixed_dictionaries(
            {},
            optional={
                "source": st.sampled_from([None, "web_form", "trade_fair"]),
                "title": st.sampled_from([None, "Head of IT", "CEO", "Werkstudent"]),
                "employees": st.sampled_from([None, 20, 120, 5000]),
                "country": st.sampled_from(["DE", "BR"]),
            },
        ),
    ),
    st.builds(lambda r: {"type": "contact_attempt", "actor": "rep", "reached": r}, st.booleans()),
    st.just({"type": "accepted", "actor": "rep"}),
    st.builds(
        lambda r: {"type": "rejected", "reason": r, "actor": "rep"}, st.sampled_from(REASONS)
    ),
    st.just({"type": "qualified", "framework": "bant", "answers": ANSWERS}),
    st.just({"type": "opportunity", "value": 1000}),
    st.just({"type": "won"}),
    st.builds(
        lambda r: {"type": "lost", "reason": r}, st.sampled_from(["no_budget", "competitor chosen"])
    ),
    st.builds(
        lambda r: {"type": "disqualified", "reason": r, "actor": "rep"}, st.sampled_from(REASONS)
    ),
)
steps = st.lists(st.tuples(events, st.integers(min_value=0, max_value=90)), max_size=25)
starts = st.fixed_dictionaries(
    {
        "source": st.sampled_from([None, "web_form"]),
        "email": st.sampled_from(["anna@muster.de", "anna@gmail.com"]),
        "employees": st.sampled_from([None, 120, 2000]),
        "country": st.sampled_from(["DE", "CH", "US"]),
    }
)

REFUSED = (TransitionError, AgreementInputError, LeadValidationError)


def run(
    agreement: Agreement,
    start: dict[str, Any],
    plan: list[tuple[dict[str, Any], int]],
    lead_id: str = "L-1",
) -> tuple[LeadState, Routing, list[tuple[dict[str, Any], datetime]], list[Reaction]]:
    """Apply the plan; return the final state, routing, the log of applied events and reactions."""
    now = FRIDAY_EVENING
    created = {"type": "created", "id": "e0", "lead": lead_data(lead_id, **start)}
    first = agreement.process(None, created, now=now)
    state, routing = first.state, first.routing
    log = [(created, now)]
    reactions = [first]
    for n, (step, gap_hours) in enumerate(plan, start=1):
        now = now + timedelta(hours=gap_hours)
        event = {**step, "id": f"e{n}"}
        if event["type"] == "activity":
            event = {**event, "activity": {**event["activity"], "at": now.isoformat()}}
        try:
            reaction = agreement.process(state, event, now=now, routing=routing)
        except REFUSED:
            continue
        state, routing = reaction.state, reaction.routing
        log.append((event, now))
        reactions.append(reaction)
    return state, routing, log, reactions


@given(starts, steps)
def test_process_is_deterministic_and_replay_reproduces_the_state(
    start: dict[str, Any], plan: list[tuple[dict[str, Any], int]]
) -> None:
    state, routing, log, _ = run(A, start, plan)
    again, routing_again, _, _ = run(A, start, plan)
    assert again == state
    assert routing_again == routing
    replayed: LeadState | None = None
    replay_routing = Routing()
    for event, received_at in log:
        reaction = A.process(replayed, event, now=received_at, routing=replay_routing)
        replayed, replay_routing = reaction.state, reaction.routing
    assert replayed == state
    assert replay_routing == routing
    assert A.load_state(state.to_json()) == state


@given(starts, steps, st.lists(st.integers(min_value=0, max_value=40), max_size=6))
def test_a_resent_event_is_a_no_op_and_a_reused_id_with_another_payload_is_refused(
    start: dict[str, Any], plan: list[tuple[dict[str, Any], int]], picks: list[int]
) -> None:
    state, routing, log, _ = run(A, start, plan)
    later = log[-1][1] + timedelta(hours=1)
    stored = state.to_json()
    assert [i for i, _ in state.seen] == [event["id"] for event, _ in log]
    for pick in picks:
        event, _ = log[pick % len(log)]
        again = A.process(state, event, now=later, routing=routing)
        assert again.duplicate
        assert again.state is state
        assert again.actions == ()
        assert again.routing == routing
        other = {"type": "accepted", "actor": "someone else", "id": event["id"]}
        with pytest.raises(
            IdempotencyConflictError, match=f"event id {event['id']!r} was already used"
        ):
            A.process(state, other, now=later, routing=routing)
    assert state.to_json() == stored


@given(starts, steps)
def test_no_event_sequence_leaves_an_mql_with_a_required_field_missing(
    start: dict[str, Any], plan: list[tuple[dict[str, Any], int]]
) -> None:
    _, _, _, reactions = run(A, start, plan)
    for reaction in reactions:
        if reaction.state.stage == "mql":
            assert A.handoff.check(reaction.state.lead).complete


knock_outs = st.sampled_from(
    [
        {"type": "updated", "fields": {"title": "Werkstudent"}},
        {"type": "updated", "fields": {"country": "BR"}},
    ]
)
steps_with_knock_outs = st.lists(
    st.tuples(st.one_of(events, knock_outs), st.integers(min_value=0, max_value=90)), max_size=25
)


@given(starts, steps_with_knock_outs)
def test_no_event_sequence_leaves_a_knocked_out_lead_undisqualified_where_allowed(
    start: dict[str, Any], plan: list[tuple[dict[str, Any], int]]
) -> None:
    # most sequences start from an MQL (complete data, a demo request) to reach the sales stages
    start = {**start, "source": "web_form", "email": "anna@muster.de"}
    demo: dict[str, Any] = {"type": "activity", "activity": {"kind": "demo_request"}}
    _, _, _, reactions = run(A, start, [(demo, 0), *plan])
    for reaction in reactions:
        evaluation = reaction.evaluation
        if evaluation is not None and evaluation.knocked_out:
            # opportunity has no disqualification in the graph (it ends lost): the owner is told
            assert reaction.state.stage in ("disqualified", "opportunity", "won", "lost")
            if reaction.state.stage == "opportunity":
                assert any("hits knock-out" in n.message for n in reaction.notifications)


later_steps = st.lists(st.tuples(events, st.integers(min_value=12, max_value=120)), max_size=10)


@given(starts, st.integers(min_value=0, max_value=8), later_steps)
def test_no_event_after_the_contact_window_leaves_an_unreached_lead_with_sales(
    start: dict[str, Any], daily: int, plan: list[tuple[dict[str, Any], int]]
) -> None:
    # an MQL, ``daily`` unreached touches a day apart (by sales, after the handoff), then anything
    start = {**start, "source": "web_form", "email": "anna@muster.de", "employees": 120}
    demo: dict[str, Any] = {"type": "activity", "activity": {"kind": "demo_request"}}
    touches = [({"type": "contact_attempt", "actor": "rep", "reached": False}, 25)] * daily
    _, _, log, reactions = run(A, start, [(demo, 0), *touches, *plan])
    assert reactions[1].state.stage == "mql"
    for (_, at), reaction in zip(log, reactions, strict=True):
        state = reaction.state
        if state.stage in ("mql", "sal", "sql") and not state.reached:
            record = state.record
            touches = [
                s.event.at
                for s in record.history
                if s.kind == "attempt" and s.cycle == record.cycle and s.event.actor == "sales"
            ]
            assert not A.touch_rule.check(touches, now=at).satisfied


def capped(tmp: Path) -> Agreement:
    (tmp / "scoring.lf").write_text(
        (Path(__file__).resolve().parents[2] / "examples" / "scoring.lf").read_text()
    )
    body = MINIMAL.replace(
        '"anna" otherwise',
        'team t = ["a", "b", "c"] round robin, at most 2 open each, overflow "o", lead "tl"\n  t otherwise',
    )
    (tmp / "capped.lf").write_text(body)
    return load_agreement(tmp / "capped.lf")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.sampled_from(["new", "won", "rejected", "accepted"])),
        max_size=40,
    )
)
def test_routing_never_assigns_beyond_a_cap(tmp_path: Path, ops: list[tuple[int, str]]) -> None:
    agreement = capped(tmp_path)
    routing = agreement.new_routing()
    states: dict[int, LeadState] = {}
    now = FRIDAY_EVENING
    for lead, op in ops:
        now += timedelta(hours=1)
        try:
            if op == "new" and lead not in states:
                first = agreement.process(
                    None,
                    {"type": "created", "lead": lead_data(f"L-{lead}")},
                    now=now,
                    routing=routing,
                )
                event = {
                    "type": "activity",
                    "activity": {"kind": "demo_request", "at": now.isoformat()},
                }
                reaction = agreement.process(first.state, event, now=now, routing=first.routing)
            elif lead in states:
                event = (
                    {"type": op, "actor": "a", "reason": "no_icp_fit"}
                    if op != "won"
                    else {"type": "won"}
                )
                if op == "accepted":
                    event = {"type": "accepted", "actor": "a"}
                reaction = agreement.process(states[lead], event, now=now, routing=routing)
            else:
                continue
        except REFUSED:
            continue
        states[lead], routing = reaction.state, reaction.routing
        assert all(routing.load(member) <= 2 for member in ("a", "b", "c"))
        open_leads = sum(1 for s in states.values() if s.owner and not s.released)
        assert sum(routing.open.values()) == open_leads


@given(starts, steps, st.integers(min_value=0, max_value=24 * 30))
def test_due_at_now_is_the_schedule_up_to_now(
    start: dict[str, Any], plan: list[tuple[dict[str, Any], int]], later: int
) -> None:
    state, _, _, _ = run(A, start, plan)
    now = FRIDAY_EVENING + timedelta(hours=later)
    due = list(A.due([state], now=now))
    assert due == [item for item in A.schedule(state) if item.at <= now]
