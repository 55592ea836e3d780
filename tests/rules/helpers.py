"""Shared helpers for the rules tests: a fixed `now` and a lead builder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from leadflow import Lead

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def lead(**fields: Any) -> Lead:
    """A valid lead with sensible defaults; ``activities`` may be given as (kind, days ago)."""
    activities = [
        {"kind": kind, "at": NOW - timedelta(days=days)} for kind, days in fields.pop("acts", ())
    ]
    data: dict[str, Any] = {"id": "L-1", "company": "Muster GmbH", "email": "anna@muster.de"}
    data.update(fields)
    data["activities"] = activities
    return Lead.model_validate(data)
