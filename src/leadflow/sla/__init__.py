"""The SLA clock: business-hours calendars, response-time policies, tracking and escalation.

The common names are re-exported from the top-level ``leadflow`` package; the rest live here.
"""

from __future__ import annotations

from leadflow.sla.calendar import BusinessCalendar
from leadflow.sla.closures import Closures, parse_closures
from leadflow.sla.escalation import (
    FEEDBACK_LADDER,
    RESPONSE_LADDER,
    Escalation,
    EscalationLadder,
    EscalationStep,
)
from leadflow.sla.hours import Span, WorkingHours, parse_hours
from leadflow.sla.policy import ResponseTarget, SlaPolicy
from leadflow.sla.promise import Promise, promise
from leadflow.sla.public_holidays import HolidaySource, holiday_source
from leadflow.sla.touches import TouchCheck, TouchRule
from leadflow.sla.tracker import SlaState, SlaStatus, track

__all__ = (
    "FEEDBACK_LADDER",
    "RESPONSE_LADDER",
    "BusinessCalendar",
    "Closures",
    "Escalation",
    "EscalationLadder",
    "EscalationStep",
    "HolidaySource",
    "Promise",
    "ResponseTarget",
    "SlaPolicy",
    "SlaState",
    "SlaStatus",
    "Span",
    "TouchCheck",
    "TouchRule",
    "WorkingHours",
    "holiday_source",
    "parse_closures",
    "parse_hours",
    "promise",
    "track",
)
