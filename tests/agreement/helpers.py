"""Shared setup for the agreement tests: the shipped agreement, a Berlin clock, lead data."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from leadflow.agreement import Agreement, load_agreement

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BERLIN = ZoneInfo("Europe/Berlin")
FRIDAY_EVENING = datetime(2026, 11, 20, 19, 0, tzinfo=BERLIN)


@cache
def shipped() -> Agreement:
    return load_agreement(EXAMPLES / "agreement.lf")


def lead_data(lead_id: str = "L-1", **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": lead_id,
        "company": "Muster GmbH",
        "email": "anna@muster.de",
        "title": "Head of IT",
        "source": "web_form",
        "industry": "manufacturing",
        "employees": 120,
        "country": "DE",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def activity(kind: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {"type": "activity", "activity": {"kind": kind, "at": at.isoformat()}, **extra}


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


def with_scoring(body: str, tmp: Path) -> Agreement:
    """An agreement from ``body`` next to a copy of the shipped scoring file."""
    (tmp / "scoring.lf").write_text((EXAMPLES / "scoring.lf").read_text(encoding="utf-8"))
    path = tmp / "a.lf"
    path.write_text(body, encoding="utf-8")
    return load_agreement(path)


MINIMAL = """
include "scoring.lf"
calendar office {
  hours "mon-fri 08:00-18:00"
  zone Europe/Berlin
}
respond on office {
  hot  within 4 business hours
}
route within 5 minutes {
  "anna" otherwise
}
reasons {
  no_icp_fit         "no ICP fit" -> "tighten ICP"
  unreachable        "unreachable" -> "check contact data"
  student            "student" -> "exclude students"
  country_not_served "country not served" -> "restrict geo-targeting"
}
"""
