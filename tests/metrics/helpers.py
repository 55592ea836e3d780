"""Builders shared by the metrics tests: leads moved through the default graph by hand."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from leadflow.lifecycle import HandoffEvent, Qualification, advance, new_lead
from leadflow.metrics import History
from leadflow.sla import BusinessCalendar

MONDAY = datetime(2026, 11, 2, 8, tzinfo=UTC)  # 09:00 in Berlin
DATA = {
    "company": "Muster GmbH",
    "email": "anna@muster.de",
    "title": "Head of IT",
    "source": "web_form",
}
PASSED = Qualification(passed=True, framework="bant", score=3)
CALENDAR = BusinessCalendar("mon-fri 08:00-18:00", "Europe/Berlin")
ACTORS = {"engage": "marketing", "promote": "system", "reengage": "system"}


def at(hours: float) -> datetime:
    """MONDAY plus ``hours`` wall-clock hours."""
    return MONDAY + timedelta(hours=hours)


def history(
    lead_id: str,
    steps: Sequence[tuple[str, float] | tuple[str, float, str]],
    *,
    origin: str = "mql",
    created: float = 0,
    amount: float | None = None,
    **fields: Any,
) -> History:
    """A lead created ``created`` hours after MONDAY in ``origin``, then moved by ``steps``
    (event name, hours after MONDAY[, reason]); fields default to an owner and a campaign."""
    record = new_lead(lead_id, origin)
    for name, hours, *reason in steps:
        extra: dict[str, Any] = {}
        if name in ("promote", "reengage"):
            extra["lead"] = DATA
        if name == "qualify":
            extra["qualification"] = PASSED
        event = HandoffEvent(
            name,
            at(hours),
            ACTORS.get(name, "sales"),
            reason=reason[0] if reason else None,
            **extra,
        )
        record, _ = advance(record, event)
    lead_fields = {"owner": "rep-1", "campaign": "webinar", "temperature": "warm", **fields}
    return History(record, lead_fields, at(created), amount)
