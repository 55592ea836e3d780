"""Issue 14: concurrent updates, forged records, time, keyed events, qualification types."""

from __future__ import annotations

import json
import pydoc
from datetime import timedelta
from typing import Any

import pytest

from leadflow.errors import (
    ArgumentTypeError,
    FutureEventError,
    LeadValidationError,
    OutOfOrderError,
    RecordIntegrityError,
    StaleRecordError,
    TransitionError,
)
from leadflow.lifecycle import (
    DEFAULT_GRAPH,
    DEFAULT_MAX_SKEW,
    Actor,
    HandoffEvent,
    LeadRecord,
    Qualification,
    TransitionName,
    advance,
    graph_from_dict,
    graph_to_dict,
    machine,
    new_lead,
    replay,
    try_advance,
)

from .helpers import HANDOFF, T0, at, event, lead_in

# -- concurrent updates: version and expected_version ---------------------------------------


def test_version_counts_the_applied_steps() -> None:
    assert LeadRecord("L-1", "cold").version == 0
    record = lead_in("sal")
    assert record.version == len(record.history) == 3
    again, _ = advance(record, event("accept", hours=3))  # a duplicate applies nothing
    assert again.version == 3


def test_expected_version_refuses_a_stale_record() -> None:
    record = lead_in("mql")
    first, _ = advance(record, event("contact_attempt", hours=3), expected_version=2)
    assert first.version == 3
    with pytest.raises(StaleRecordError) as info:
        advance(first, event("contact_attempt", hours=4), expected_version=2)
    assert (info.value.version, info.value.expected_version) == (3, 2)
    assert "another writer changed it" in str(info.value)
    outcome = try_advance(first, event("contact_attempt", hours=4), expected_version=2)
    assert outcome.refusal == "stale-record"
    # a retry of what was applied is still recognised as a duplicate
    retry = try_advance(first, event("contact_attempt", hours=3), expected_version=2)
    assert retry.status == "duplicate"


# -- forged records ---------------------------------------------------------------------------


def _forged(data: dict[str, Any]) -> str:
    with pytest.raises(LeadValidationError) as info:
        LeadRecord.from_json(data)
    return str(info.value)


def test_the_documented_constructor_keeps_working() -> None:
    assert LeadRecord("L-1", "cold") == new_lead("L-1")
    assert LeadRecord("L-1", "cold").origin == "cold"


def test_from_json_refuses_a_record_that_contradicts_its_history() -> None:
    good = lead_in("sal").to_dict()
    assert "stage: is 'sql', but the history gives 'sal'" in _forged({**good, "stage": "sql"})
    assert "attempts" in _forged({**good, "attempts": -1})
    unknown = json.loads(json.dumps(good))
    unknown["history"][1]["kind"] = "teleport"
    assert "history[1] (teleport 'promote'" in _forged(unknown)
    assert "unknown step kind 'teleport'" in _forged(unknown)
    reversed_ = json.loads(json.dumps(good))
    reversed_["history"].reverse()
    assert "history[0]" in _forged(reversed_)
    earlier = json.loads(json.dumps(good))
    earlier["history"][2]["event"]["at"] = "2026-11-23T08:00:00Z"
    assert "history[2] (progress 'accept'" in _forged(earlier)
    assert "older than the step before" in _forged(earlier)


def test_from_json_with_a_graph_replays_and_names_the_first_bad_step() -> None:
    record = lead_in("sal")
    assert LeadRecord.from_json(record.to_json(), graph=DEFAULT_GRAPH) == record
    data = json.loads(record.to_json())
    data["history"][2]["event"]["actor"] = "marketing"  # marketing accepting for sales
    LeadRecord.from_json(data)  # consistent in itself ...
    with pytest.raises(LeadValidationError) as info:
        LeadRecord.from_json(data, graph=DEFAULT_GRAPH)  # ... but not on the graph
    assert info.value.problems[0].field.startswith("history[2] ('accept'")
    assert "actor 'marketing' may not 'accept'" in str(info.value)
    skipped = json.loads(record.to_json())
    del skipped["history"][1]["event"]["lead"]  # promote without the handoff data
    with pytest.raises(LeadValidationError, match=r"history\[1\] \('promote'"):
        LeadRecord.from_json(skipped, graph=DEFAULT_GRAPH)


def test_advance_refuses_a_record_edited_with_replace() -> None:
    record = lead_in("mql")
    for forged in (
        record._replace(stage="opportunity"),
        record._replace(stage="mql", history=record.history[:1]),
        new_lead("L-1")._replace(stage="sql"),
    ):
        with pytest.raises(RecordIntegrityError, match="contradicts itself") as info:
            advance(forged, event("contact_attempt", hours=3))
        assert isinstance(info.value, ValueError)
        assert try_advance(forged, event("win", hours=3)).refusal == "record-integrity"


# -- time -------------------------------------------------------------------------------------


def test_now_refuses_an_event_from_a_wrong_clock() -> None:
    record = lead_in("mql")
    y2099 = event("contact_attempt", hours=0).at.replace(year=2099)
    wrong = HandoffEvent("contact_attempt", y2099, "sales")
    with pytest.raises(FutureEventError) as info:
        advance(record, wrong, now=at(3))
    assert info.value.max_skew == DEFAULT_MAX_SKEW
    # strict mode is not blocked: the next real event applies
    record, _ = advance(record, event("contact_attempt", hours=3), now=at(3))
    assert record.attempts == 1
    # within the tolerance, and configurable
    advance(record, event("contact_attempt", hours=3 + 4 / 60), now=at(3))
    with pytest.raises(FutureEventError):
        advance(
            record, event("contact_attempt", hours=3 + 4 / 60), now=at(3), max_skew=timedelta(0)
        )
    # now=None: no check (as before)
    advance(record, wrong)


def test_a_history_poisoned_before_says_why() -> None:
    record = lead_in("mql")
    poisoned, _ = advance(
        record, HandoffEvent("contact_attempt", at(3).replace(year=2099), "sales")
    )
    with pytest.raises(OutOfOrderError, match="wrong clock"):
        advance(poisoned, event("contact_attempt", hours=4), now=at(4))


def test_tolerant_mode_records_late_facts_but_never_a_late_stage_change() -> None:
    record, _ = advance(lead_in("mql"), event("contact_attempt", hours=5))
    late, step = advance(record, event("contact_attempt", hours=4), tolerant=True)
    assert step.late
    with pytest.raises(OutOfOrderError, match="refused even in tolerant mode"):
        advance(record, event("accept", hours=4), tolerant=True)
    assert replay(late) == late


def test_identical_unkeyed_attempts_collapse_keyed_ones_count() -> None:
    record = lead_in("mql")
    call = event("contact_attempt", hours=3)
    record, _ = advance(record, call)
    again, _ = advance(record, call)
    assert again.attempts == 1  # the same fact reported twice
    for key in ("call-1", "call-2"):
        record, _ = advance(record, event("contact_attempt", hours=3, idempotency_key=key))
    assert record.attempts == 3


# -- keyed events: duplicate lookup without scanning --------------------------------------------


def test_a_duplicate_is_found_without_scanning_a_long_history(monkeypatch: Any) -> None:
    record = lead_in("mql")
    for i in range(300):
        record, _ = advance(record, event("contact_attempt", hours=3 + i, idempotency_key=f"k{i}"))
    assert isinstance(record.history, machine._History)

    def no_scan(self: object) -> Any:
        raise AssertionError("the history was scanned")

    monkeypatch.setattr(machine._History, "__iter__", no_scan)
    again, step = advance(record, event("contact_attempt", hours=3 + 7, idempotency_key="k7"))
    assert again is record
    assert step.event.idempotency_key == "k7"
    new, _ = advance(record, event("contact_attempt", hours=400, idempotency_key="k-new"))
    assert new.version == record.version + 1


def test_branches_from_one_ancestor_do_not_confuse_the_index() -> None:
    base = lead_in("mql")
    for i in range(20):
        base, _ = advance(base, event("contact_attempt", hours=3 + i, idempotency_key=f"b{i}"))
    left, _ = advance(base, event("contact_attempt", hours=30, idempotency_key="x"))
    right, _ = advance(base, event("contact_attempt", hours=30, idempotency_key="y"))
    right, _ = advance(right, event("contact_attempt", hours=31, idempotency_key="x"))
    # "x" is in left at position 22 and in right at 23: both found, each in its own history
    assert advance(left, event("contact_attempt", hours=30, idempotency_key="x"))[0] is left
    assert advance(right, event("contact_attempt", hours=31, idempotency_key="x"))[0] is right
    # "y" is not in left: applied there as a new event
    assert advance(left, event("contact_attempt", hours=32, idempotency_key="y"))[0].version == 24
    assert LeadRecord.from_json(right.to_json()) == right


# -- qualification and event types --------------------------------------------------------------


def test_qualification_types_are_checked() -> None:
    with pytest.raises(ArgumentTypeError, match="passed must be True or False, got str 'no'"):
        Qualification(passed="no")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="score"):
        Qualification(passed=True, score="high")  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="qualification must be a Qualification"):
        HandoffEvent("qualify", T0, "sales", qualification={"passed": True})  # type: ignore[arg-type]


# -- readable, typed surface ------------------------------------------------------------------


def test_help_of_advance_is_short() -> None:
    assert len(pydoc.render_doc(advance)) < 4_000
    assert (
        repr(DEFAULT_GRAPH) == "<Graph 'b2b': 10 stages, 19 transitions, from default_graph.toml>"
    )


def test_transition_names_and_actors_are_enums_and_strings_still_work() -> None:
    record = lead_in("mql")
    typed, _ = advance(record, HandoffEvent(TransitionName.ACCEPT, at(3), Actor.SALES))
    plain, _ = advance(record, HandoffEvent("accept", at(3), "sales"))
    assert typed == plain
    assert type(typed.history[-1].event.name) is str  # stored as a plain string
    names = {t["name"] for t in graph_to_dict(DEFAULT_GRAPH)["transitions"]}
    assert names | {"contact_attempt"} == {str(n) for n in TransitionName}
    assert graph_from_dict(graph_to_dict(DEFAULT_GRAPH)) == DEFAULT_GRAPH


def test_handoff_data_helper_still_promotes() -> None:
    record, _ = advance(new_lead("L-1"), event("promote", "marketing", 1, lead=HANDOFF))
    assert record.stage == "mql"
    with pytest.raises(TransitionError):
        advance(record, event("promote", "marketing", 2, lead=HANDOFF))
