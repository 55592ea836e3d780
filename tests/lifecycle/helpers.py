"""Builders shared by the lifecycle tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from leadflow.lifecycle import HandoffEvent, LeadRecord, Qualification, advance, new_lead

T0 = datetime(2026, 11, 23, 9, tzinfo=UTC)
HANDOFF = {
    "id": "L-1",
    "company": "Muster GmbH",
    "email": "anna@muster.de",
    "title": "Head of IT",
    "source": "web_form",
}
PASSED = Qualification(passed=True, framework="bant", score=4)


def at(hours: float) -> datetime:
    """T0 plus some hours."""
    return T0 + timedelta(hours=hours)


def event(name: str, actor: str = "sales", hours: float = 0, **fields: Any) -> HandoffEvent:
    """An event ``hours`` after T0."""
    return HandoffEvent(name, at(hours), actor, **fields)


def lead_in(stage: str, lead_id: str = "L-1") -> LeadRecord:
    """A record brought to ``stage`` through the default graph by legal events."""
    path = {
        "cold": [],
        "iql": [event("engage", "marketing", 1)],
        "mql": [
            event("engage", "marketing", 1),
            event("promote", "marketing", 2, lead=HANDOFF, campaign="webinar-q4"),
        ],
    }
    path["sal"] = [*path["mql"], event("accept", "sales", 3)]
    path["sql"] = [*path["sal"], event("qualify", "sales", 4, qualification=PASSED)]
    path["opportunity"] = [*path["sql"], event("convert", "sales", 5)]
    path["won"] = [*path["opportunity"], event("win", "sales", 6)]
    path["lost"] = [*path["opportunity"], event("lose", "sales", 6, reason="no_budget")]
    path["nurture"] = [*path["mql"], event("reject", "sales", 3, reason="wrong_timing")]
    path["disqualified"] = [*path["mql"], event("disqualify", "sales", 3, reason="too_small")]
    record = new_lead(lead_id)
    for e in path[stage]:
        record, _ = advance(record, e)
    return record
