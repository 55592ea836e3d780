"""Example tests for each rule of applying events to leads."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from leadflow.errors import (
    ActorNotAllowedError,
    GuardError,
    IdempotencyConflictError,
    LeadValidationError,
    MissingReasonError,
    NaiveDatetimeError,
    OutOfOrderError,
    TerminalStageError,
    TransitionError,
    UnknownReasonError,
)
from leadflow.lifecycle import (
    DEFAULT_GRAPH,
    HandoffEvent,
    LeadRecord,
    Qualification,
    Stage,
    advance,
    advance_all,
    new_lead,
    replay,
    try_advance,
)
from tests.lifecycle.helpers import HANDOFF, PASSED, event, lead_in


def test_happy_path_records_every_step() -> None:
    record = lead_in("won")
    assert record.stage == Stage.WON
    assert [(s.source, s.target) for s in record.history] == [
        ("cold", "iql"),
        ("iql", "mql"),
        ("mql", "sal"),
        ("sal", "sql"),
        ("sql", "opportunity"),
        ("opportunity", "won"),
    ]
    assert record.history[1].campaign == "webinar-q4"


def test_advance_returns_new_record_and_leaves_input_untouched() -> None:
    before = lead_in("mql")
    snapshot = before.to_json()
    after, step = advance(before, event("accept", hours=3))
    assert before.to_json() == snapshot
    assert before.stage == "mql"
    assert after.stage == "sal"
    assert after.history[-1] is step
    assert step.event.actor == "sales"


def test_refusal_changes_nothing_and_returns_the_same_record() -> None:
    before = lead_in("mql")
    outcome = try_advance(before, event("qualify", hours=3, qualification=PASSED))
    assert outcome.status == "refused"
    assert outcome.record is before
    assert outcome.step is None


def test_not_an_edge_names_the_allowed_sources_and_events() -> None:
    with pytest.raises(TransitionError) as info:
        advance(lead_in("iql"), event("accept", hours=2))
    assert str(info.value) == (
        "Lead 'L-1' cannot 'accept' from stage 'iql'; 'accept' is allowed from: mql. "
        "Allowed in 'iql': promote, disqualify, contact_attempt."
    )
    assert info.value.stage == "iql"
    assert info.value.event == "accept"
    assert info.value.allowed_events == ("promote", "disqualify", "contact_attempt")
    assert type(info.value) is TransitionError
    assert info.value.code == "transition"


def test_unknown_event_says_so() -> None:
    outcome = try_advance(new_lead("L-1"), event("teleport", "system", 1))
    assert "'teleport' is not an event of graph 'b2b'" in outcome.message


def test_wrong_actor() -> None:
    with pytest.raises(ActorNotAllowedError) as info:
        advance(lead_in("mql"), event("accept", "marketing", 3))
    assert info.value.actor == "marketing"
    assert info.value.allowed_actors == ("sales",)
    assert "allowed actors: sales" in str(info.value)


@pytest.mark.parametrize(
    ("stage", "name", "actor"),
    [
        ("mql", "reject", "sales"),
        ("mql", "disqualify", "sales"),
        ("cold", "disqualify", "marketing"),
        ("sal", "recycle", "sales"),
        ("opportunity", "lose", "sales"),
    ],
)
def test_reason_is_mandatory_on_rejection_disqualification_recycle_and_lost(
    stage: str, name: str, actor: str
) -> None:
    with pytest.raises(MissingReasonError) as info:
        advance(lead_in(stage), event(name, actor, 10))
    error = info.value
    assert type(error) is MissingReasonError
    assert error.reason is None
    assert error.allowed_reasons == DEFAULT_GRAPH.transition(stage, name).reasons  # type: ignore[union-attr]
    assert "without a reason; allowed reasons: " in str(error)


def test_unknown_reason_lists_the_allowed_ones() -> None:
    with pytest.raises(UnknownReasonError) as info:
        advance(lead_in("opportunity"), event("lose", "sales", 10, reason="too_small"))
    assert info.value.reason == "too_small"
    assert "no_budget" in info.value.allowed_reasons
    assert "with reason 'too_small'; allowed reasons: no_budget, competitor_chosen" in str(
        info.value
    )
    assert isinstance(info.value, MissingReasonError)


def test_optional_reason_on_a_progress_step_must_still_be_known() -> None:
    outcome = try_advance(lead_in("mql"), event("accept", hours=3, reason="nonsense"))
    assert outcome.refusal == "unknown-reason"
    record, _ = advance(lead_in("mql"), event("accept", hours=3, reason="duplicate"))
    assert record.history[-1].reason == "duplicate"


def test_unreachable_needs_three_contact_attempts() -> None:
    record = lead_in("mql")
    record = advance_all(
        record, [event("contact_attempt", hours=3), event("contact_attempt", hours=4)]
    )
    assert record.stage == "mql"
    assert record.attempts == 2
    reject = event("reject", hours=5, reason="unreachable")
    with pytest.raises(GuardError) as info:
        advance(record, reject)
    assert info.value.guard == "contact_attempts"
    assert info.value.evidence == {"reason": "unreachable", "have": 2, "need": 3}
    assert "have 2 attempts, need 3" in str(info.value)
    record, _ = advance(record, event("contact_attempt", hours=5))
    record, _ = advance(record, event("reject", hours=6, reason="unreachable"))
    assert record.stage == "nurture"


def test_other_reasons_do_not_need_attempts() -> None:
    record, _ = advance(lead_in("mql"), event("reject", hours=3, reason="no_budget"))
    assert record.stage == "nurture"


def test_sql_needs_a_passed_qualification() -> None:
    sal = lead_in("sal")
    missing = try_advance(sal, event("qualify", hours=4))
    assert missing.refusal == "guard-failed"
    assert "carries none" in missing.message
    failed = try_advance(sal, event("qualify", hours=4, qualification=Qualification(False, "bant")))
    assert failed.error is not None
    assert failed.error.context["evidence"] == {"passed": False, "framework": "bant", "score": None}
    assert try_advance(sal, event("qualify", hours=4, qualification=PASSED)).status == "applied"


def test_mql_needs_the_mandatory_handoff_data() -> None:
    iql = lead_in("iql")
    without = try_advance(iql, event("promote", "marketing", 2))
    assert without.refusal == "guard-failed"
    partial = {k: v for k, v in HANDOFF.items() if k != "title"}
    outcome = try_advance(iql, event("promote", "marketing", 2, lead=partial))
    assert isinstance(outcome.error, GuardError)
    assert outcome.error.evidence == {"missing": ("title",)}
    assert "handoff data incomplete: missing title" in outcome.message


def test_handoff_guard_accepts_a_validated_lead() -> None:
    from leadflow import Lead

    lead = Lead(
        id="L-1", company="Muster GmbH", email="anna@muster.de", title="CFO", source="web_form"
    )
    record, _ = advance(lead_in("iql"), event("promote", "system", 2, lead=lead))
    assert record.stage == "mql"


@pytest.mark.parametrize("stage", ["won", "lost", "disqualified"])
def test_nothing_happens_after_a_terminal_stage(stage: str) -> None:
    record = lead_in(stage)
    for name in ("contact_attempt", "reengage", "win"):
        with pytest.raises(TerminalStageError) as info:
            advance(record, event(name, hours=20))
        assert f"is in terminal stage {stage!r}" in str(info.value)


def test_recycle_and_reentry_count_cycles_and_reset_attempts() -> None:
    record = lead_in("sal")
    record, _ = advance(record, event("contact_attempt", hours=4))
    record, _ = advance(record, event("recycle", hours=5, reason="wrong_timing"))
    assert (record.stage, record.cycle, record.attempts) == ("nurture", 0, 1)
    record, step = advance(record, event("reengage", "marketing", 6, lead=HANDOFF))
    assert (record.stage, record.cycle, record.attempts) == ("mql", 1, 0)
    assert step.kind == "reenter"
    assert step.cycle == 1


def test_same_idempotency_key_and_payload_is_applied_once() -> None:
    accept = event("accept", hours=3, idempotency_key="hook-1")
    once, step = advance(lead_in("mql"), accept)
    twice, again = advance(once, accept)
    assert twice is once
    assert again is step
    assert try_advance(once, accept).status == "duplicate"
    later, _ = advance(once, event("qualify", hours=4, qualification=PASSED))
    assert advance(later, accept)[0] is later


def test_same_idempotency_key_with_another_payload_is_a_conflict() -> None:
    once, _ = advance(lead_in("mql"), event("accept", hours=3, idempotency_key="hook-1"))
    other = event("qualify", hours=4, idempotency_key="hook-1", qualification=PASSED)
    with pytest.raises(IdempotencyConflictError) as info:
        advance(once, other)
    assert info.value.idempotency_key == "hook-1"
    assert info.value.recorded == once.history[-1].event
    assert "was already used for a different event ('accept'" in str(info.value)


def test_identical_event_without_key_is_applied_once() -> None:
    attempt = event("contact_attempt", hours=3)
    once, _ = advance(lead_in("mql"), attempt)
    assert advance(once, attempt)[0] is once
    assert once.attempts == 1


def test_out_of_order_is_rejected_by_default() -> None:
    record = lead_in("sal")
    with pytest.raises(OutOfOrderError) as info:
        advance(record, event("contact_attempt", hours=2.5))
    assert info.value.last_at == record.last_at
    assert "pass tolerant=True" in str(info.value)


def test_tolerant_mode_accepts_late_facts_without_reordering_stages() -> None:
    record = lead_in("sal")
    late, step = advance(record, event("contact_attempt", hours=2.5), tolerant=True)
    assert step.late
    assert late.stage == "sal"
    assert late.history[-1] is step
    stale = try_advance(late, event("promote", "marketing", 1, lead=HANDOFF), tolerant=True)
    assert stale.refusal == "transition"
    assert replay(late) == late


def test_equal_timestamps_are_in_order() -> None:
    record, _ = advance(lead_in("mql"), event("contact_attempt", hours=2))
    assert record.attempts == 1


def test_replay_reproduces_the_record() -> None:
    for stage in ("won", "lost", "nurture", "disqualified"):
        record = lead_in(stage)
        assert replay(record) == record


def test_replay_refuses_an_edited_history() -> None:
    record = lead_in("sal")
    with pytest.raises(LeadValidationError, match="starts in 'cold', but the lead was in 'iql'"):
        LeadRecord(record.lead_id, record.stage, "iql", history=record.history)
    edited = record._replace(origin="iql")  # _replace skips the checks: a forged record
    with pytest.raises(TransitionError):
        replay(edited)


def test_json_round_trip_is_the_identity() -> None:
    record = lead_in("won")
    assert LeadRecord.from_json(record.to_json()) == record
    assert LeadRecord.from_json(record.to_dict()) == record


def test_naive_datetime_raises_our_error() -> None:
    with pytest.raises(NaiveDatetimeError) as info:
        HandoffEvent("engage", datetime(2026, 11, 23, 9), "marketing")
    assert info.value.argument == "at"


def test_times_are_stored_as_utc_instants() -> None:
    berlin = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Berlin"))
    e = HandoffEvent("engage", berlin, "marketing")
    assert e.at.utcoffset() is not None
    assert e.at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert e.at.timestamp() == berlin.timestamp()  # == across zones is False in a fold (PEP 495)
    record, _ = advance(new_lead("L-1"), e)
    assert LeadRecord.from_json(record.to_json()) == record


def test_new_lead_only_in_entry_stages() -> None:
    assert new_lead("L-1", Stage.MQL).stage == "mql"
    with pytest.raises(TransitionError, match="entry stages: cold, iql, mql"):
        new_lead("L-1", "sql")


def test_outcome_message_for_applied_and_duplicate() -> None:
    accept = event("accept", hours=3)
    outcome = try_advance(lead_in("mql"), accept)
    assert outcome.ok
    assert outcome.refusal is None
    assert outcome.message == "'accept' applied: mql -> sal"
    again = try_advance(outcome.record, accept)
    assert again.message == "'accept' was already applied: mql -> sal"


def test_contact_attempt_by_unknown_actor_is_refused() -> None:
    outcome = try_advance(lead_in("mql"), event("contact_attempt", "robot", 3))
    assert outcome.refusal == "actor-not-allowed"


def test_a_record_from_another_graph_is_refused() -> None:
    stranger = LeadRecord("L-9", "limbo")
    for name in ("contact_attempt", "accept"):
        outcome = try_advance(stranger, event(name, hours=1))
        assert outcome.refusal == "transition"
        assert "'limbo' is not a stage of graph 'b2b'" in outcome.message


def test_a_reason_on_a_contact_attempt_must_be_known() -> None:
    outcome = try_advance(lead_in("mql"), event("contact_attempt", hours=3, reason="nope"))
    assert outcome.refusal == "unknown-reason"
    record, _ = advance(lead_in("mql"), event("contact_attempt", hours=3, reason="unreachable"))
    assert record.attempts == 1


def test_a_late_fact_does_not_move_the_clock_back() -> None:
    record = lead_in("sal")  # last event at T0 + 3 h
    record, _ = advance(record, event("contact_attempt", hours=10))
    record, _ = advance(record, event("contact_attempt", hours=5), tolerant=True)
    assert record.last_at == event("x", hours=10).at
    with pytest.raises(OutOfOrderError) as info:
        advance(record, event("contact_attempt", hours=8))
    assert info.value.last_at == record.last_at
    assert "older than the latest recorded event at 2026-11-23T19:00:00+00:00" in str(info.value)
    outcome = try_advance(record, event("contact_attempt", hours=8), tolerant=True)
    assert outcome.step is not None
    assert outcome.step.late
    assert replay(outcome.record) == outcome.record


def test_contact_attempts_evidence_message() -> None:
    record, _ = advance(lead_in("mql"), event("contact_attempt", hours=3))
    outcome = try_advance(record, event("reject", hours=4, reason="unreachable"))
    assert outcome.message == (
        "Lead 'L-1' cannot 'reject' from stage 'mql': guard contact_attempts refused: reason "
        "'unreachable' needs more contact attempts by sales in this cycle: have 1 attempt, need 3."
    )
    assert isinstance(outcome.error, GuardError)
    assert outcome.error.evidence == {"reason": "unreachable", "have": 1, "need": 3}


def test_attempts_count_per_cycle() -> None:
    record = lead_in("mql")
    for hours in (3, 4, 5):
        record, _ = advance(record, event("contact_attempt", hours=hours))
    record, _ = advance(record, event("reject", hours=6, reason="wrong_timing"))
    record, _ = advance(record, event("reengage", "marketing", 7, lead=HANDOFF))
    outcome = try_advance(record, event("reject", hours=8, reason="unreachable"))
    assert outcome.refusal == "guard-failed"
    assert "have 0 attempts, need 3" in outcome.message


@pytest.mark.parametrize(
    ("stage", "name", "actor", "code", "message"),
    [
        ("iql", "accept", "sales", "transition", "'accept' is allowed from: mql"),
        ("mql", "accept", "system", "actor-not-allowed", "allowed actors: sales"),
        ("mql", "reject", "sales", "missing-reason", "without a reason; allowed reasons: "),
        ("opportunity", "lose", "sales", "unknown-reason", "with reason 'student'; allowed"),
        ("sal", "qualify", "sales", "guard-failed", "guard qualification_passed refused"),
        ("won", "contact_attempt", "sales", "terminal-stage", "is in terminal stage 'won'"),
    ],
)
def test_every_refusal_changes_nothing_and_says_why_in_both_apis(
    stage: str, name: str, actor: str, code: str, message: str
) -> None:
    record = lead_in(stage)
    snapshot = record.to_json()
    reason = "student" if code == "unknown-reason" else None
    bad = event(name, actor, 20, reason=reason)
    outcome = try_advance(record, bad)
    assert (outcome.status, outcome.refusal, outcome.ok) == ("refused", code, False)
    assert outcome.record is record
    assert message in outcome.message
    with pytest.raises(TransitionError) as info:
        advance(record, bad)
    assert info.value.code == code
    assert str(info.value) == outcome.message
    assert record.to_json() == snapshot


def test_only_sales_attempts_make_a_lead_unreachable_for_sales() -> None:
    record = lead_in("iql")
    for hours in (1.5, 1.6, 1.7):
        record, _ = advance(record, event("contact_attempt", "marketing", hours))
    record, _ = advance(record, event("promote", "marketing", 2, lead=HANDOFF))
    assert record.attempts == 3
    outcome = try_advance(record, event("reject", hours=3, reason="unreachable"))
    assert outcome.refusal == "guard-failed"
    assert "have 0 attempts, need 3" in outcome.message
    for hours in (3, 4, 5):
        record, _ = advance(record, event("contact_attempt", "sales", hours))
    record, _ = advance(record, event("reject", hours=6, reason="unreachable"))
    assert record.stage == "nurture"
