"""Running an agreement file's ``test`` blocks through the engine."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from leadflow.agreement.events import LeadCreated
from leadflow.lead import validate_lead

if TYPE_CHECKING:
    from leadflow.agreement.engine import Agreement

__all__ = ("run_tests",)


def run_tests(agreement: Agreement) -> tuple[tuple[str, bool, tuple[str, ...]], ...]:
    """Each test as (name, passed, failures); a failure names the line of the expectation."""
    results = []
    zone = agreement.calendars[agreement.default_calendar].timezone
    for test in agreement.parts.tests:
        now = datetime.combine(test.now[0], test.now[1], tzinfo=zone)
        data = {"id": "T-1", "company": "-", "email": "test@example.com", **test.lead}
        data["activities"] = [
            {"kind": k, "at": (now - ago).isoformat()} for k, ago in test.activities
        ]
        lead = validate_lead(data)
        reaction = agreement.process(None, LeadCreated(lead=lead, at=now), now=now)
        state = reaction.state
        failures = []
        response = state.timer("response")
        for kind, want, where in test.expect:
            if kind == "temperature":
                got: object = state.temperature
            elif kind == "stage":
                got = state.stage
            elif kind == "owner":
                got = state.owner
            elif kind == "missing":
                missing = agreement.handoff.check(lead).missing
                got = want if want in missing else f"nothing missing of {want}"
            else:
                want = datetime.combine(want[0], want[1], tzinfo=zone).strftime("%Y-%m-%d %H:%M")
                got = (
                    None
                    if response is None
                    else response.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
                )
            if got != want:
                failures.append(f"{where}: expected {kind} {want}, got {got}")
        results.append((test.name, not failures, tuple(failures)))
    return tuple(results)
