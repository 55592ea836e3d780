"""The lead lifecycle: the stage graph, handoffs with mandatory reasons, an auditable history.

Pure functions over frozen values: :func:`advance` applies a :class:`HandoffEvent` to a
:class:`LeadRecord` on a shared :class:`Graph` and returns a new record plus the recorded
:class:`Step`. See ``docs/lifecycle.md``.
"""

from __future__ import annotations

from leadflow.lifecycle.events import (
    CONTACT_ATTEMPT,
    HandoffEvent,
    Qualification,
    Step,
    parse_event,
)
from leadflow.lifecycle.export import to_markdown, to_mermaid
from leadflow.lifecycle.graph import Graph, StageSpec, Transition
from leadflow.lifecycle.guards import (
    ContactAttempts,
    Guard,
    GuardFailure,
    HandoffComplete,
    QualificationPassed,
)
from leadflow.lifecycle.loader import (
    DEFAULT_GRAPH,
    NAMED_REASONS,
    default_graph,
    graph_from_dict,
    graph_from_text,
    graph_to_dict,
    load_graph,
)
from leadflow.lifecycle.machine import (
    DEFAULT_MAX_SKEW,
    Outcome,
    advance,
    advance_all,
    new_lead,
    replay,
    try_advance,
)
from leadflow.lifecycle.metrics import (
    ContactDelay,
    Rate,
    ReasonCount,
    conversion,
    median_delay,
    mql_to_sql,
    reason_actions,
    rejection_reasons,
    sal_acceptance,
    time_to_first_contact,
)
from leadflow.lifecycle.record import LeadRecord
from leadflow.lifecycle.stages import (
    REASON_KINDS,
    Actor,
    Owner,
    Stage,
    TransitionKind,
    TransitionName,
)
from leadflow.lifecycle.velocity import Stay, time_in_stages

__all__ = (
    "CONTACT_ATTEMPT",
    "DEFAULT_GRAPH",
    "DEFAULT_MAX_SKEW",
    "NAMED_REASONS",
    "REASON_KINDS",
    "Actor",
    "ContactAttempts",
    "ContactDelay",
    "Graph",
    "Guard",
    "GuardFailure",
    "HandoffComplete",
    "HandoffEvent",
    "LeadRecord",
    "Outcome",
    "Owner",
    "Qualification",
    "QualificationPassed",
    "Rate",
    "ReasonCount",
    "Stage",
    "StageSpec",
    "Stay",
    "Step",
    "Transition",
    "TransitionKind",
    "TransitionName",
    "advance",
    "advance_all",
    "conversion",
    "default_graph",
    "graph_from_dict",
    "graph_from_text",
    "graph_to_dict",
    "load_graph",
    "median_delay",
    "mql_to_sql",
    "new_lead",
    "parse_event",
    "reason_actions",
    "rejection_reasons",
    "replay",
    "sal_acceptance",
    "time_in_stages",
    "time_to_first_contact",
    "to_markdown",
    "to_mermaid",
    "try_advance",
)
