"""Events at the JSON boundary: webhook payloads in, JSON out."""

from __future__ import annotations

import json

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
