"""Events at the JSON boundary: webhook payloads in, JSON out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from leadflow import Lead
from leadflow.errors import EventValidationError, LeadValidationError
from leadflow.lifecycle import HandoffEvent, LeadRecord, Qualification, parse_event
from tests.lifecycle.helpers import T0, lead_in

WEBHOOK = {
    "name": "reject",
    "at": "2026-11-23T10:15:00+01:00",
    "actor": "sales",
    "actor_id": "rep-17",
    "reason": "no_budget",
    "note": "budget next fiscal year",
    "campaign": "webinar-q4",
    "idempotency_key": "evt_123",
}


def test_parse_webhook_json() -> None:
    event = parse_event(json.dumps(WEBHOOK))
    assert event.at == T0.replace(hour=9, minute=15)
    assert event.at.tzinfo is not None
    assert event.at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert event.actor_id == "rep-17"
    assert parse_event(event.to_dict()) == event


def test_parse_reports_every_problem() -> None:
    data = {**WEBHOOK, "at": "2026-11-23T10:15:00", "colour": "red"}
    with pytest.raises(EventValidationError) as info:
        parse_event(data)
    assert {p.field for p in info.value.problems} == {"at", "colour"}
    assert str(info.value).startswith("event 'evt_123' is invalid (2 problems):")
    assert isinstance(info.value, LeadValidationError)
    assert isinstance(info.value, ValueError)


def test_qualification_from_plain_data() -> None:
    event = parse_event(
        {**WEBHOOK, "name": "qualify", "qualification": {"passed": True, "framework": "meddic"}}
    )
    assert event.qualification == Qualification(passed=True, framework="meddic")


def test_lead_data_is_kept_as_json_data() -> None:
    lead = Lead(id="L-1", company="Muster GmbH", email="anna@muster.de", title="CFO")
    event = HandoffEvent("promote", T0, "marketing", lead=lead)
    assert event.lead == {
        "id": "L-1",
        "company": "Muster GmbH",
        "email": "anna@muster.de",
        "title": "CFO",
    }
    raw = HandoffEvent("promote", T0, "marketing", lead={"company": "X"})
    assert parse_event(raw.to_dict()) == raw


def test_record_json_is_stable_and_strict() -> None:
    record = lead_in("nurture")
    text = record.to_json()
    assert LeadRecord.from_json(text).to_json() == text
    bad = json.loads(text)
    bad["stage"] = 5
    bad["history"][0]["event"]["at"] = "2026-11-23T10:00:00"
    with pytest.raises(LeadValidationError) as info:
        LeadRecord.from_json(bad)
    assert {p.field for p in info.value.problems} == {"stage", "history.0.event.at"}
    assert "lead 'L-1' is invalid" in str(info.value)


def test_lead_data_is_copied() -> None:
    data = {"company": "X", "email": "x@x.de", "title": "CTO"}
    event = HandoffEvent("promote", T0, "marketing", lead=data)
    data["title"] = "intern"
    assert event.lead is not None
    assert event.lead["title"] == "CTO"


def test_lead_data_is_read_only_json() -> None:
    event = HandoffEvent("promote", T0, "marketing", lead={"company": "X", "tags": ["a", {"b": 1}]})
    lead: Any = event.lead  # typed as JSON data; at run time read-only mappings and tuples
    with pytest.raises(TypeError):
        lead["company"] = "Y"
    assert lead["tags"] == ("a", {"b": 1})
    with pytest.raises(TypeError):
        lead["tags"][1]["b"] = 2
    assert event.to_dict()["lead"] == {"company": "X", "tags": ["a", {"b": 1}]}
    assert parse_event(json.dumps(event.to_dict())) == event


@pytest.mark.parametrize(
    ("lead", "field"),
    [
        ({"seen": datetime(2026, 1, 1, tzinfo=UTC)}, "lead.seen"),
        ({"tags": {"a", "b"}}, "lead.tags"),
        ({1: "one"}, "lead.[key]"),
        ({"score": float("nan")}, "lead.score"),
        ({"deep": [1, {"x": float("inf")}]}, "lead.deep.1.x"),
        (["not", "a", "mapping"], "lead"),
    ],
)
def test_lead_data_that_is_not_json_is_refused(lead: Any, field: str) -> None:
    with pytest.raises(EventValidationError) as info:
        HandoffEvent("promote", T0, "marketing", lead=lead)
    assert [p.field for p in info.value.problems] == [field]


def test_a_qualification_score_must_be_finite() -> None:
    with pytest.raises(EventValidationError, match="score: expected a finite number"):
        Qualification(passed=True, score=float("nan"))
    payload = '{"name": "qualify", "at": "2026-11-23T09:00:00Z", "actor": "sales", '
    with pytest.raises(EventValidationError) as info:
        parse_event(payload + '"qualification": {"passed": true, "score": Infinity}}')
    assert [p.field for p in info.value.problems] == ["qualification.score"]


def test_a_record_with_lead_data_and_qualification_round_trips() -> None:
    record = lead_in("sql")
    assert record.history[1].event.lead is not None
    assert record.history[3].event.qualification is not None
    again = LeadRecord.from_json(record.to_json())
    assert again == record
    assert again.to_json() == record.to_json()
    assert LeadRecord.from_json(record.to_dict()) == record


@pytest.mark.parametrize("data", [[("name", "x")], 5, None, ["a"]])
def test_parse_event_refuses_what_is_not_an_object(data: Any) -> None:
    with pytest.raises(EventValidationError, match="expected a JSON object, text or bytes"):
        parse_event(data)
