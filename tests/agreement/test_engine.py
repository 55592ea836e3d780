"""Agreement.process: the webhook call, event by event, with the actions it returns."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from leadflow.agreement import (
    SEEN_LIMIT,
    ActivityRecorded,
    Assigned,
    Held,
    LeadState,
    PromiseSent,
    Reaction,
    Routing,
    TimerMet,
    TimerStarted,
    parse_event,
)
from leadflow.errors import (
    AgreementInputError,
    IdempotencyConflictError,
    NaiveDatetimeError,
    TransitionError,
)

from .helpers import EXAMPLES, FRIDAY_EVENING, activity, hours, lead_data, shipped, with_scoring

A = shipped()


def hot_lead(lead_id: str = "L-1", at: datetime = FRIDAY_EVENING, **extra: Any) -> Reaction:
    first = A.process(None, {"type": "created", "lead": lead_data(lead_id, **extra)}, now=at)
    return A.process(first.state, activity("demo_request", at), now=at, routing=first.routing)


def test_a_friday_evening_demo_request_is_mql_routed_timed_and_promised() -> None:
    reaction = hot_lead()
    state = reaction.state
    assert (state.stage, state.temperature, state.owner, state.team) == (
        "mql",
        "hot",
        "carla",
        "inside",
    )
    assert [(t.event, t.actor) for t in reaction.transitions] == [
        ("engage", "system"),
        ("promote", "system"),
    ]
    assigned = reaction.assigned
    assert assigned is not None
    assert assigned.rule == f"{EXAMPLES / 'agreement.lf'}:41 (inside otherwise)"
    response = state.timer("response")
    assert response is not None
    assert response.due_at.isoformat() == "2026-11-23T12:00:00+01:00"
    assert response.warning_at is not None
    assert response.warning_at.isoformat() == "2026-11-23T11:00:00+01:00"
    assert reaction.promise == PromiseSent(
        "You will hear from us by Monday, 23 November 2026, 12:00.", response.due_at
    )
    assert (
        TimerMet("route", FRIDAY_EVENING, FRIDAY_EVENING + timedelta(minutes=5), late=False)
        in reaction.actions
    )
    assert {n.recipient for n in reaction.notifications} == {"carla"}
    assert state.version == 2
    assert reaction.routing.open == {"carla": 1}
    assert "demo_request" in reaction.explain()


def test_a_lead_missing_a_required_field_is_held_and_marketing_told() -> None:
    reaction = hot_lead(source=None)
    assert reaction.state.stage == "iql"
    assert Held(("source",)) in reaction.actions
    assert [n.recipient for n in reaction.notifications] == ["marketing"]
    assert "missing source" in reaction.notifications[0].message
    later = FRIDAY_EVENING + hours(1)
    fixed = A.process(
        reaction.state, {"type": "updated", "fields": {"source": "web_form"}}, now=later
    )
    assert fixed.state.stage == "mql"


def test_a_free_mail_address_is_not_the_required_business_email() -> None:
    reaction = hot_lead(email="anna@gmail.com")
    assert reaction.state.stage != "mql"


def test_accept_then_reject_by_label_recycles_and_releases_the_owner() -> None:
    start = hot_lead()
    monday = FRIDAY_EVENING + timedelta(days=3)
    accepted = A.process(
        start.state, {"type": "accepted", "actor": "carla"}, now=monday, routing=start.routing
    )
    assert accepted.state.stage == "sal"
    assert any(isinstance(a, TimerStarted) and a.name == "disposition" for a in accepted.actions)
    rejected = A.process(
        accepted.state,
        {"type": "rejected", "reason": "No Budget", "actor": "carla"},
        now=monday,
        routing=accepted.routing,
    )
    assert rejected.state.stage == "nurture"
    assert rejected.transitions[0].reason == "no_budget"
    assert rejected.routing.open == {"carla": 0}
    assert rejected.state.timer("response").state == "stopped"  # type: ignore[union-attr]
    assert "qualify budget earlier" in rejected.notifications[-1].message


def test_a_rejection_for_lack_of_fit_disqualifies() -> None:
    start = hot_lead()
    out = A.process(
        start.state,
        {"type": "rejected", "reason": "too_small", "actor": "carla"},
        now=FRIDAY_EVENING,
    )
    assert out.state.stage == "disqualified"


def test_the_contact_rule_is_the_unreachable_guard() -> None:
    reaction = hot_lead()
    state, routing = reaction.state, reaction.routing
    at = FRIDAY_EVENING + timedelta(days=3)
    with pytest.raises(AgreementInputError, match="needs the contact rule"):
        A.process(state, {"type": "rejected", "reason": "unreachable", "actor": "carla"}, now=at)
    for day in (0, 2, 4, 7, 10):
        out = A.process(
            state,
            {"type": "contact_attempt", "actor": "carla"},
            now=at + timedelta(days=day),
            routing=routing,
        )
        state, routing = out.state, out.routing
        assert state.stage == "mql"
    assert state.timer("response").state == "met"  # type: ignore[union-attr]
    last = A.process(
        state,
        {"type": "contact_attempt", "actor": "carla"},
        now=at + timedelta(days=14),
        routing=routing,
    )
    assert last.state.stage == "nurture"
    assert [(t.event, t.actor, t.reason) for t in last.transitions] == [
        ("reject", "system", "unreachable")
    ]
    assert last.routing.load("carla") == 0


def test_a_reached_lead_is_never_made_unreachable() -> None:
    state = hot_lead().state
    at = FRIDAY_EVENING + timedelta(days=3)
    state = A.process(
        state, {"type": "contact_attempt", "actor": "carla", "reached": True}, now=at
    ).state
    for day in range(1, 16, 2):
        state = A.process(
            state, {"type": "contact_attempt", "actor": "carla"}, now=at + timedelta(days=day)
        ).state
    assert state.stage == "mql"


def test_qualified_opportunity_won() -> None:
    state = hot_lead().state
    at = FRIDAY_EVENING + timedelta(days=3)
    state = A.process(state, {"type": "accepted", "actor": "carla"}, now=at).state
    answers = {
        "budget": "approved",
        "authority": "decision_maker",
        "need": "urgent",
        "timeline": "this_quarter",
    }
    out = A.process(state, {"type": "qualified", "framework": "bant", "answers": answers}, now=at)
    assert out.state.stage == "sql"
    with pytest.raises(AgreementInputError, match="unknown qualification framework 'bnat'"):
        A.process(state, {"type": "qualified", "framework": "bnat", "answers": {}}, now=at)
    state = A.process(out.state, {"type": "opportunity", "value": 50000}, now=at).state
    won = A.process(state, {"type": "won", "value": 50000}, now=at, routing=Routing({"carla": 1}))
    assert won.state.stage == "won"
    assert won.routing.load("carla") == 0


def test_a_failed_qualification_keeps_the_stage_and_tells_the_owner() -> None:
    state = A.process(
        hot_lead().state, {"type": "accepted", "actor": "carla"}, now=FRIDAY_EVENING
    ).state
    out = A.process(
        state, {"type": "qualified", "framework": "bant", "answers": {}}, now=FRIDAY_EVENING
    )
    assert out.state.stage == "sal"
    assert out.notifications[0].recipient == "carla"


def test_a_knock_out_disqualifies_with_its_reason() -> None:
    lead = lead_data(title="Werkstudentin Marketing")
    out = A.process(None, {"type": "created", "lead": lead}, now=FRIDAY_EVENING)
    assert out.state.stage == "disqualified"
    assert [(t.event, t.actor, t.reason) for t in out.transitions] == [
        ("disqualify", "system", "student")
    ]
    later = A.process(out.state, activity("demo_request", FRIDAY_EVENING), now=FRIDAY_EVENING)
    assert later.state.stage == "disqualified"
    assert later.transitions == ()


def _with_sales(stage: str) -> Reaction:
    """A hot lead with carla, moved on to ``stage`` (mql, sal, sql or opportunity)."""
    out = hot_lead()
    steps = {
        "sal": [{"type": "accepted", "actor": "carla"}],
        "sql": [
            {"type": "accepted", "actor": "carla"},
            {"type": "qualified", "framework": "bant", "answers": BANT},
        ],
        "opportunity": [
            {"type": "accepted", "actor": "carla"},
            {"type": "qualified", "framework": "bant", "answers": BANT},
            {"type": "opportunity", "value": 5000},
        ],
    }.get(stage, [])
    for event in steps:
        out = A.process(out.state, event, now=FRIDAY_EVENING, routing=out.routing)
    assert out.state.stage == stage
    return out


BANT = {
    "budget": "approved",
    "authority": "decision_maker",
    "need": "urgent",
    "timeline": "this_quarter",
}


@pytest.mark.parametrize("stage", ["mql", "sal", "sql"])
@pytest.mark.parametrize(
    ("fields", "reason"),
    [({"title": "Werkstudent IT"}, "student"), ({"country": "BR"}, "country_not_served")],
)
def test_a_knock_out_after_the_handoff_disqualifies_and_frees_the_owner(
    stage: str, fields: dict[str, Any], reason: str
) -> None:
    start = _with_sales(stage)
    assert start.routing.load("carla") == 1
    out = A.process(
        start.state,
        {"type": "updated", "fields": fields},
        now=FRIDAY_EVENING,
        routing=start.routing,
    )
    assert out.state.stage == "disqualified"
    assert [(t.event, t.source, t.actor, t.reason) for t in out.transitions] == [
        ("disqualify", stage, "system", reason)
    ]
    assert out.routing.load("carla") == 0
    assert all(t.state != "running" for t in out.state.timers)
    assert (
        "carla",
        f"L-1 disqualified automatically in {stage}: knock-out {reason}",
    ) in [(n.recipient, n.message) for n in out.notifications]


def test_a_knock_out_in_an_opportunity_tells_the_owner_instead() -> None:
    start = _with_sales("opportunity")
    out = A.process(
        start.state,
        {"type": "updated", "fields": {"title": "Werkstudent IT"}},
        now=FRIDAY_EVENING,
        routing=start.routing,
    )
    assert out.state.stage == "opportunity"
    assert out.transitions == ()
    assert [(n.recipient, n.message) for n in out.notifications] == [
        ("carla", "L-1 hits knock-out student in stage opportunity; close it as lost if it holds")
    ]


def test_the_agreement_graph_lets_the_system_disqualify_from_every_stage_but_opportunity() -> None:
    graph = A.graph
    allowed = {
        s
        for s in ("cold", "iql", "mql", "sal", "sql", "opportunity", "nurture")
        if (t := graph.transition(s, "disqualify")) is not None and "system" in t.actors
    }
    assert allowed == {"cold", "iql", "mql", "sal", "sql", "nurture"}
    assert graph.transition("opportunity", "disqualify") is None


def test_a_nurtured_lead_re_engages_in_a_new_cycle() -> None:
    start = hot_lead()
    out = A.process(
        start.state,
        {"type": "rejected", "reason": "wrong timing", "actor": "carla"},
        now=FRIDAY_EVENING,
        routing=start.routing,
    )
    later = FRIDAY_EVENING + timedelta(days=20)
    back = A.process(out.state, activity("demo_request", later), now=later, routing=out.routing)
    assert back.state.stage == "mql"
    assert back.state.record.cycle == 1
    assert back.transitions[-1].event == "reengage"
    assert back.state.owner == "dev"  # the next turn of team inside


def test_the_cap_is_never_exceeded_the_overflow_owner_takes_over(tmp_path: Path) -> None:
    from .helpers import MINIMAL

    body = MINIMAL.replace(
        '"anna" otherwise',
        'team t = ["a", "b"] round robin, at most 1 open each, overflow "o", lead "tl"\n  t otherwise',
    )
    agreement = with_scoring(body, tmp_path)
    routing = agreement.new_routing()
    owners = []
    for i in range(3):
        first = agreement.process(
            None,
            {"type": "created", "lead": lead_data(f"L-{i}")},
            now=FRIDAY_EVENING,
            routing=routing,
        )
        out = agreement.process(
            first.state,
            activity("demo_request", FRIDAY_EVENING),
            now=FRIDAY_EVENING,
            routing=first.routing,
        )
        routing = out.routing
        owners.append(out.state.owner)
    assert owners == ["a", "b", "o"]
    assigned = out.assigned
    assert isinstance(assigned, Assigned)
    assert assigned.overflow
    assert out.notifications[0].recipient == "tl"


def test_duplicate_event_ids_are_applied_once() -> None:
    first = A.process(
        None, {"type": "created", "id": "e1", "lead": lead_data()}, now=FRIDAY_EVENING
    )
    event = {**activity("demo_request", FRIDAY_EVENING), "id": "e2"}
    once = A.process(first.state, event, now=FRIDAY_EVENING)
    twice = A.process(once.state, event, now=FRIDAY_EVENING + hours(1), routing=once.routing)
    assert twice.duplicate
    assert twice.state is once.state
    assert twice.actions == ()
    assert twice.routing == once.routing
    assert "applied to lead 'L-1' before, with the same payload" in twice.note
    assert "state version 2 kept" in twice.note
    assert once.note == ""
    # the typed event with the same payload is the same event
    typed = parse_event(event)
    assert A.process(once.state, typed, now=FRIDAY_EVENING).duplicate


@pytest.mark.parametrize(
    ("change", "kind"),
    [
        ({"activity": {"kind": "pricing_page_view", "at": FRIDAY_EVENING.isoformat()}}, "activity"),
        (
            {"activity": {"kind": "demo_request", "at": (FRIDAY_EVENING - hours(1)).isoformat()}},
            "activity",
        ),
        ({"type": "contact_attempt", "actor": "rep", "activity": None}, "contact_attempt"),
    ],
)
def test_a_reused_event_id_with_another_payload_is_refused(
    change: dict[str, Any], kind: str
) -> None:
    first = A.process(
        None, {"type": "created", "id": "e1", "lead": lead_data()}, now=FRIDAY_EVENING
    )
    event = {**activity("demo_request", FRIDAY_EVENING), "id": "e2"}
    once = A.process(first.state, event, now=FRIDAY_EVENING)
    other = {k: v for k, v in {**event, **change}.items() if v is not None}
    before = once.state.to_json()
    with pytest.raises(IdempotencyConflictError) as info:
        A.process(once.state, other, now=FRIDAY_EVENING + hours(1), routing=once.routing)
    message = str(info.value)
    assert (
        "Lead 'L-1': event id 'e2' was already used for a different event (type 'activity'"
        in message
    )
    assert f"refusing this {kind!r} event" in message
    assert info.value.idempotency_key == "e2"
    assert str(info.value.recorded).startswith("activity:")
    assert once.state.to_json() == before  # the input is unchanged


def test_the_seen_ids_are_bounded_to_the_last_ones() -> None:
    state = A.process(
        None, {"type": "created", "id": "e0", "lead": lead_data()}, now=FRIDAY_EVENING
    ).state
    at = FRIDAY_EVENING
    for n in range(1, SEEN_LIMIT + 5):
        at += timedelta(minutes=1)
        event = {"type": "updated", "id": f"e{n}", "fields": {"phone": f"+49 {n:04}"}}
        state = A.process(state, event, now=at).state
    assert len(state.seen) == SEEN_LIMIT
    assert [i for i, _ in state.seen] == [f"e{n}" for n in range(5, SEEN_LIMIT + 5)]
    assert LeadState.from_json(state.to_json()) == state
    # the last ones are recognised; an id older than the window is applied again
    last = {
        "type": "updated",
        "id": f"e{SEEN_LIMIT + 4}",
        "fields": {"phone": f"+49 {SEEN_LIMIT + 4:04}"},
    }
    assert A.process(state, last, now=at).duplicate
    old = {"type": "updated", "id": "e1", "fields": {"phone": "+49 0001"}}
    again = A.process(state, old, now=at)
    assert not again.duplicate
    assert again.state.version == state.version + 1
    assert again.state.lead.phone == "+49 0001"


def test_the_seen_ids_of_a_stored_state_are_verified() -> None:
    first = A.process(
        None, {"type": "created", "id": "e1", "lead": lead_data()}, now=FRIDAY_EVENING
    )
    state = A.process(
        first.state, {**activity("demo_request", FRIDAY_EVENING), "id": "e2"}, now=FRIDAY_EVENING
    ).state
    data = state.to_dict()
    assert [pair[0] for pair in data["seen"]] == ["e1", "e2"]
    assert data["seen"][0][1].startswith("created:")
    assert A.load_state(state.to_json()) == state
    for bad, match in [
        (["e1", "e2"], 'expected \\[id, "type:digest"\\] pairs'),
        ([["e1", "created:xyz"]], "is not an \\[id"),
        ([data["seen"][0], data["seen"][0]], "listed twice"),
        (
            [data["seen"][0], data["seen"][1], ["e3", data["seen"][1][1]]],
            "3 seen event ids at version 2",
        ),
        ({"e1": 1}, "seen: expected a list"),
    ]:
        broken = {**data, "seen": bad}
        with pytest.raises(AgreementInputError, match=match):
            LeadState.from_json(broken)


@pytest.mark.parametrize(
    ("event", "message"),
    [
        (
            {"type": "acepted", "actor": "x"},
            "unknown event type 'acepted'; expected one of: created, updated, activity",
        ),
        (
            {"type": "accepted", "actor": "x", "by": 1},
            "invalid 'accepted' event: by: Extra inputs are not permitted",
        ),
        (
            {"type": "accepted", "actor": "x", "lead_id": "L-2"},
            "event for lead 'L-2' passed with the state of lead 'L-1'",
        ),
        (
            {"type": "rejected", "reason": "too expensive", "actor": "x"},
            "unknown reason 'too expensive'",
        ),
        (
            {"type": "accepted", "actor": "x", "at": "2026-11-20T21:00:00+01:00"},
            "lies 2:00:00 after now",
        ),
        (
            {"type": "updated", "fields": {"colour": "red"}},
            "cannot update field(s) colour; the fields a lead has:",
        ),
        (
            {"type": "updated", "fields": {"source": None}},
            "would remove required handoff data: source",
        ),
        ({"type": "created", "lead": lead_data()}, "exists already"),
    ],
)
def test_bad_input_is_an_error_that_changes_nothing(event: dict[str, Any], message: str) -> None:
    start = hot_lead()
    before = start.state.to_json()
    with pytest.raises(AgreementInputError) as info:
        A.process(start.state, event, now=FRIDAY_EVENING, routing=start.routing)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)
    assert start.state.to_json() == before


def test_a_state_of_another_agreement_is_refused_with_what_to_do() -> None:
    state = replace(hot_lead().state, agreement="0123456789abcdef")
    with pytest.raises(
        AgreementInputError, match="replay the lead's event log through this agreement"
    ):
        A.process(state, {"type": "accepted", "actor": "x"}, now=FRIDAY_EVENING)


def test_a_routing_value_naming_a_departed_member_is_refused() -> None:
    with pytest.raises(AgreementInputError, match="'zoe', who is no longer an owner"):
        A.process(
            None,
            {"type": "created", "lead": lead_data()},
            now=FRIDAY_EVENING,
            routing=Routing({"zoe": 3}),
        )


def test_naive_now_and_a_first_event_that_is_not_created() -> None:
    with pytest.raises(NaiveDatetimeError):
        A.process(None, {"type": "created", "lead": lead_data()}, now=datetime(2026, 11, 20))
    with pytest.raises(AgreementInputError, match="its first event must be 'created'"):
        A.process(None, {"type": "accepted", "actor": "x"}, now=FRIDAY_EVENING)


def test_the_lifecycle_refusal_passes_through() -> None:
    first = A.process(None, {"type": "created", "lead": lead_data()}, now=FRIDAY_EVENING)
    with pytest.raises(TransitionError, match="cannot 'accept' from stage 'cold'"):
        A.process(first.state, {"type": "accepted", "actor": "x"}, now=FRIDAY_EVENING)


def test_state_json_round_trip_is_verified() -> None:
    state = hot_lead().state
    assert A.load_state(state.to_json()) == state
    assert LeadState.from_json(state.to_json()) == state
    data = state.to_dict()
    data["record"]["stage"] = "won"
    # the record's own integrity check (the stage is not its last step's target) refuses it
    with pytest.raises(AgreementInputError, match=r"not a valid lead state: lead 'L-1' is invalid"):
        A.load_state(data)
    data = state.to_dict()
    data["record"]["lead_id"] = "L-9"
    with pytest.raises(AgreementInputError, match="the record is of lead 'L-9'"):
        LeadState.from_json(data)
    with pytest.raises(AgreementInputError, match="not a valid lead state"):
        LeadState.from_json('{"lead": {}}')


def test_schedule_and_due_with_since_never_repeat() -> None:
    state = hot_lead().state
    schedule = A.schedule(state)
    assert [(i.timer, i.kind) for i in schedule] == [
        ("feedback", "breach"),
        ("response", "warning"),
        ("response", "breach"),
        ("mql_age", "breach"),
        ("feedback", "escalation"),
    ]
    assert schedule[1].notify == ("carla",)
    runs = [FRIDAY_EVENING + hours(h) for h in range(0, 24 * 8, 7)]
    sent = []
    for last, now in zip([None, *runs], runs, strict=False):
        sent += list(A.due([state], now=now, since=last))
    assert sent == list(schedule)


def test_a_response_ladder_is_scheduled_and_reported_once_by_due(tmp_path: Path) -> None:
    from .helpers import MINIMAL

    body = (
        MINIMAL.replace(
            '"anna" otherwise',
            'team inside = ["anna", "ben"] round robin, lead "tina"\n  inside otherwise',
        )
        + 'roles {\n  sales_manager "Sales manager"\n}\n'
        + 'escalate response {\n  after 2 business days -> sales_manager, "tina"\n'
        + "  after 72 hours elapsed -> team_lead, owner\n}\n"
    )
    agreement = with_scoring(body, tmp_path)
    first = agreement.process(None, {"type": "created", "lead": lead_data()}, now=FRIDAY_EVENING)
    out = agreement.process(
        first.state, activity("demo_request", FRIDAY_EVENING), now=FRIDAY_EVENING
    )
    state = out.state
    assert (state.stage, state.owner) == ("mql", "anna")
    response = state.timer("response")
    assert response is not None
    schedule = [i for i in agreement.schedule(state) if i.timer == "response"]
    berlin = FRIDAY_EVENING.tzinfo
    assert [(i.kind, i.at.astimezone(berlin).strftime("%a %H:%M"), i.notify) for i in schedule] == [
        ("warning", "Mon 11:00", ("anna",)),
        ("breach", "Mon 12:00", ("sales_manager",)),
        ("escalation", "Mon 19:00", ("tina", "anna")),  # 72 elapsed hours; team_lead, owner
        ("escalation", "Tue 18:00", ("sales_manager", "tina")),  # 2 business days of 10 hours
    ]
    assert response.due_at == schedule[1].at
    # the every-minute job reports each step once, in its minute
    runs = [FRIDAY_EVENING + timedelta(minutes=m) for m in range(0, 60 * 24 * 5, 30)]
    sent = []
    for last, now in zip([None, *runs], runs, strict=False):
        sent += [i for i in agreement.due([state], now=now, since=last) if i.timer == "response"]
    assert sent == schedule
    # a contact attempt meets the duty: nothing more is escalated
    reached = agreement.process(
        state, {"type": "contact_attempt", "actor": "anna", "reached": True}, now=runs[10]
    )
    assert [i for i in agreement.schedule(reached.state) if i.timer == "response"] == []


def test_the_shipped_feedback_ladder_escalates_to_the_sales_manager_then_vp_sales() -> None:
    state = hot_lead().state
    items = [i for i in A.schedule(state) if i.timer == "feedback"]
    berlin = FRIDAY_EVENING.tzinfo
    assert [(i.kind, i.at.astimezone(berlin).strftime("%a %d %H:%M"), i.notify) for i in items] == [
        ("breach", "Sun 22 19:00", ("sales_manager",)),  # 48 hours, around the clock
        ("escalation", "Fri 27 18:00", ("vp_sales",)),  # 5 business days on the office calendar
    ]


def _touched(days: list[float], start: Reaction | None = None) -> Reaction:
    """A hot MQL with carla, then an unreached touch by carla after each of ``days``."""
    out = start or hot_lead()
    for d in days:
        out = A.process(
            out.state,
            {"type": "contact_attempt", "actor": "carla", "reached": False},
            now=FRIDAY_EVENING + timedelta(days=d),
            routing=out.routing,
        )
    return out


def test_the_contact_window_end_makes_a_touched_lead_unreachable() -> None:
    out = _touched([1, 2, 3, 4, 5, 6])  # six touches (a day apart) in the first week
    state = out.state
    assert state.stage == "mql"
    assert out.transitions == ()
    window = state.timer("contact")
    assert window is not None
    assert window.state == "running"
    assert window.due_at == FRIDAY_EVENING + timedelta(days=15)  # 2 weeks after the first touch
    items = [i for i in A.schedule(state) if i.timer == "contact"]
    assert [(i.kind, i.at, i.notify) for i in items] == [
        ("breach", window.due_at, ("carla", "marketing"))
    ]
    assert "the contact window ends (6 touches over 2 weeks, at least 1 day apart)" in items[0].note
    # the every-minute job reports it in its minute, once
    assert list(A.due([state], now=window.due_at, since=window.due_at - hours(1))) == items
    assert list(A.due([state], now=window.due_at + hours(1), since=window.due_at)) == []
    # before the end, nothing happens; the lead's next event after it applies the rule first
    early = A.process(state, {"type": "accepted", "actor": "carla"}, now=window.due_at - hours(1))
    assert early.state.stage == "sal"
    later = A.process(
        state,
        {"type": "contact_attempt", "actor": "carla", "reached": True},
        now=window.due_at + hours(3),
        routing=out.routing,
    )
    assert [(t.event, t.source, t.target, t.actor, t.reason, t.at) for t in later.transitions] == [
        ("reject", "mql", "nurture", "system", "unreachable", window.due_at)
    ]
    assert later.routing.load("carla") == 0
    closed = later.state.timer("contact")
    assert closed is not None
    assert (closed.state, closed.done_at) == ("stopped", window.due_at)
    assert not [i for i in A.schedule(later.state) if i.timer == "contact"]


def test_the_contact_window_from_sal_recycles_and_reaching_the_lead_stops_it() -> None:
    accepted = hot_lead()
    accepted = A.process(
        accepted.state,
        {"type": "accepted", "actor": "carla"},
        now=FRIDAY_EVENING,
        routing=accepted.routing,
    )
    out = _touched([1, 2, 3, 4, 5, 6], accepted)
    due = out.state.timer("contact")
    assert due is not None
    after = A.process(
        out.state,
        {"type": "updated", "fields": {"phone": "+49 89 1234"}},
        now=due.due_at + hours(1),
        routing=out.routing,
    )
    assert next((t.event, t.source, t.reason) for t in after.transitions) == (
        "recycle",
        "sal",
        "unreachable",
    )
    # reached before the window ends: the window stops, the lead stays
    reached = A.process(
        out.state,
        {"type": "contact_attempt", "actor": "carla", "reached": True},
        now=due.due_at - hours(1),
    )
    window = reached.state.timer("contact")
    assert window is not None
    assert window.state == "stopped"
    assert reached.state.stage == "sal"
    later = A.process(
        reached.state, {"type": "updated", "fields": {"phone": "+49"}}, now=due.due_at + hours(1)
    )
    assert (later.state.stage, later.transitions) == ("sal", ())


def test_the_engines_fast_builders_make_what_the_classes_make() -> None:
    """``process`` fills the slots of its results directly; each builder equals the class call
    (a field added, removed or reordered in a class fails here, not in a host)."""
    from leadflow.agreement import reaction as r
    from leadflow.agreement import state as s

    at, due = FRIDAY_EVENING, FRIDAY_EVENING + hours(2)
    built = hot_lead()
    state, routing = built.state, built.routing
    assert r.new_reaction(state, routing, built.actions, built.evaluation) == Reaction(
        state, routing, built.actions, built.evaluation
    )
    assert r.new_transitioned("promote", "iql", "mql", "system", None, at) == r.Transitioned(
        "promote", "iql", "mql", "system", None, at
    )
    assert r.new_timer_started("route", at, due, None) == TimerStarted("route", at, due, None)
    assert r.new_timer_met("route", at, due, late=True) == TimerMet("route", at, due, late=True)
    assert r.new_notify("carla", "hello") == r.Notify("carla", "hello")
    alarm = s.new_alarm(due, "breach", ("owner",), "note")
    assert alarm == s.Alarm(due, "breach", ("owner",), "note")
    assert s.new_timer("response", at, due, None, (alarm,)) == s.Timer(
        "response", at, due, None, "running", (alarm,)
    )
    scores = {"fit": 1.0}
    assert state._rescored(state.lead, "warm", scores) == state.evolve(
        temperature="warm", scores=scores
    )


def test_an_event_of_a_subclass_of_an_event_type_is_applied_as_that_type() -> None:
    class Tagged(ActivityRecorded):
        """A host's own subclass (extra behaviour, same fields)."""

    first = A.process(None, {"type": "created", "lead": lead_data()}, now=FRIDAY_EVENING)
    event = activity("demo_request", FRIDAY_EVENING)
    plain = A.process(first.state, event, now=FRIDAY_EVENING, routing=first.routing)
    typed = Tagged.model_validate({k: v for k, v in event.items() if k != "type"})
    tagged = A.process(first.state, typed, now=FRIDAY_EVENING, routing=first.routing)
    assert tagged.actions == plain.actions
    assert tagged.state == plain.state


def test_time_texts_are_kept_per_instant_even_in_the_hour_the_clocks_go_back() -> None:
    from zoneinfo import ZoneInfo

    berlin = ZoneInfo("Europe/Berlin")
    agreement = shipped()
    first = datetime(2026, 10, 25, 2, 30, tzinfo=berlin)  # CEST
    second = first.replace(fold=1)  # one hour later, CET: equal to ``first`` as a wall time
    assert first == second
    template = "{due:%H:%M %Z}"
    assert agreement._time_text(first, berlin, template) == "02:30 CEST"
    assert agreement._time_text(second, berlin, template) == "02:30 CET"
    assert agreement._time_text(first, berlin, template) == "02:30 CEST"
    for at in (first, second, FRIDAY_EVENING, FRIDAY_EVENING.astimezone(ZoneInfo("UTC"))):
        assert agreement.local(at) == at.astimezone(berlin).strftime("%a %d %b %H:%M")
