"""The agreement engine: one file both teams sign, one call a webhook makes.

An integration module on top of the three pillars: :func:`load_agreement` reads an agreement
file (calendars, handoff requirements, stage thresholds, response targets, routing, contact
rule, feedback duties, reasons, alerts, escalation, meetings, tests) and the scoring rule file
it includes; :meth:`Agreement.process` applies one CRM event to one lead and returns a
:class:`Reaction` as data. See ``docs/agreement.md``.
"""

from __future__ import annotations

from leadflow.agreement.engine import Agreement, load_agreement, parse_agreement
from leadflow.agreement.events import (
    EVENT_TYPES,
    ActivityRecorded,
    ContactAttempted,
    DealLost,
    DealWon,
    Event,
    LeadAccepted,
    LeadCreated,
    LeadDisqualified,
    LeadQualified,
    LeadRejected,
    LeadUpdated,
    OpportunityOpened,
    parse_event,
)
from leadflow.agreement.reaction import (
    Action,
    Assigned,
    Held,
    Notify,
    PromiseSent,
    Reaction,
    TimerMet,
    TimerStarted,
    TimerStopped,
    Transitioned,
)
from leadflow.agreement.state import SEEN_LIMIT, Alarm, DueItem, LeadState, Routing, Timer

__all__ = (
    "EVENT_TYPES",
    "SEEN_LIMIT",
    "Action",
    "ActivityRecorded",
    "Agreement",
    "Alarm",
    "Assigned",
    "ContactAttempted",
    "DealLost",
    "DealWon",
    "DueItem",
    "Event",
    "Held",
    "LeadAccepted",
    "LeadCreated",
    "LeadDisqualified",
    "LeadQualified",
    "LeadRejected",
    "LeadState",
    "LeadUpdated",
    "Notify",
    "OpportunityOpened",
    "PromiseSent",
    "Reaction",
    "Routing",
    "Timer",
    "TimerMet",
    "TimerStarted",
    "TimerStopped",
    "Transitioned",
    "load_agreement",
    "parse_agreement",
    "parse_event",
)
