"""The SLA clock: business-hours calendars, response-time policies, tracking and escalation.

The common names are re-exported from the top-level ``leadflow`` package; the rest live here.
"""

from __future__ import annotations

from leadflow.sla.calendar import BusinessCalendar
from leadflow.sla.closures import Closures, parse_closures
from leadflow.sla.hours import Span, WorkingHours, parse_hours
from leadflow.sla.public_holidays import HolidaySource, holiday_source

__all__ = (
    "BusinessCalendar",
    "Closures",
    "HolidaySource",
    "Span",
    "WorkingHours",
    "holiday_source",
    "parse_closures",
    "parse_hours",
)
