"""Escalation ladders: feedback after 48 hours, business-clock steps, validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from leadflow.errors import ConfigurationError
from leadflow.sla import (
    FEEDBACK_LADDER,
    RESPONSE_LADDER,
    EscalationLadder,
    EscalationStep,
)
from tests.sla.helpers import FIRST, SATURDAY_EVENING, US, H, berlin


def test_feedback_ladder_is_48_hours_to_the_sales_manager():
    handoff = FIRST
    assert FEEDBACK_LADDER.due(handoff, now=handoff + 48 * H) == ()
    (step,) = FEEDBACK_LADDER.due(handoff, now=handoff + 48 * H + US)
    assert step.notify == "sales_manager"
    assert step.note == "no feedback 48 hours after handoff"
    assert FEEDBACK_LADDER.due(handoff, now=handoff + 50 * H, resolved_at=handoff + 48 * H) == ()


def test_business_clock_ladder(office):
    ladder = EscalationLadder(
        name="custom",
        steps=(
            EscalationStep(after=8 * H, clock="business", notify="team_lead"),
            EscalationStep(after=72 * H, notify="vp_sales"),
        ),
    )
    due = ladder.due(SATURDAY_EVENING, now=berlin(2026, 6, 9, 17), calendar=office)
    assert [(e.notify, e.due_at) for e in due] == [("team_lead", berlin(2026, 6, 8, 16))]
    with pytest.raises(ConfigurationError, match="counts business time but got no calendar"):
        ladder.due(SATURDAY_EVENING, now=berlin(2026, 6, 9, 17))
    with pytest.raises(ConfigurationError, match="75% of the target but no target"):
        RESPONSE_LADDER.due(SATURDAY_EVENING, now=berlin(2026, 6, 9, 17), calendar=office)


def test_escalation_step_validation():
    with pytest.raises(ValidationError, match="exactly one of"):
        EscalationStep(notify="x")
    with pytest.raises(ValidationError, match="exactly one of"):
        EscalationStep(notify="x", after=H, at=0.5, clock="business")
    with pytest.raises(ValidationError, match="use clock='business'"):
        EscalationStep(notify="x", at=0.5)
    with pytest.raises(ValidationError, match="must be positive"):
        EscalationStep(notify="x", after=-H)
