"""leadflow: the marketing-sales agreement of a B2B company as code.

``import leadflow as lf`` covers the common uses; each pillar (``leadflow.lifecycle``,
``leadflow.rules``, ``leadflow.sla``) has its own ``__all__`` for the rest. Pillar names are
imported on first use, so ``import leadflow`` stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from leadflow._version import __version__
from leadflow.errors import (
    ActorNotAllowedError,
    AgreementInputError,
    AgreementSyntaxError,
    ArgumentTypeError,
    ConfigurationError,
    EventValidationError,
    FutureEventError,
    GraphError,
    GuardError,
    IdempotencyConflictError,
    LeadflowError,
    LeadValidationError,
    MissingReasonError,
    NaiveDatetimeError,
    OutOfOrderError,
    OutOfRangeError,
    PolicyError,
    Problem,
    RecordIntegrityError,
    RuleError,
    RuleEvaluationError,
    RuleSyntaxError,
    StaleRecordError,
    TerminalStageError,
    TransitionError,
    UnknownReasonError,
)
from leadflow.handoff import DataQualityReport, HandoffReport, check_handoff, data_quality
from leadflow.lead import STANDARD_ACTIVITY_KINDS, Activity, Lead, LeadSource, validate_lead
from leadflow.titles import BuyingRole, Seniority

if TYPE_CHECKING:  # pragma: no cover - names resolved lazily at run time
    from leadflow.agreement import (
        ActivityRecorded,
        Agreement,
        ContactAttempted,
        DealLost,
        DealWon,
        LeadAccepted,
        LeadCreated,
        LeadDisqualified,
        LeadQualified,
        LeadRejected,
        LeadState,
        LeadUpdated,
        OpportunityOpened,
        Reaction,
        Routing,
        load_agreement,
    )
    from leadflow.lifecycle import (
        DEFAULT_GRAPH,
        Actor,
        HandoffEvent,
        LeadRecord,
        Outcome,
        Qualification,
        Stage,
        TransitionName,
        advance,
        load_graph,
        new_lead,
        replay,
        try_advance,
    )
    from leadflow.rules import Evaluation, RuleSet, load_rules
    from leadflow.sla import (
        BusinessCalendar,
        SlaPolicy,
        SlaState,
        SlaStatus,
        TouchRule,
        promise,
        track,
    )

# name -> pillar that defines it; imported on first attribute access (PEP 562), so that
# `import leadflow` does not pay for lark, holidays and the pillars a host does not use.
_LAZY: dict[str, str] = {
    **dict.fromkeys(
        (
            "ActivityRecorded",
            "Agreement",
            "ContactAttempted",
            "DealLost",
            "DealWon",
            "LeadAccepted",
            "LeadCreated",
            "LeadDisqualified",
            "LeadQualified",
            "LeadRejected",
            "LeadState",
            "LeadUpdated",
            "OpportunityOpened",
            "Reaction",
            "Routing",
            "load_agreement",
        ),
        "leadflow.agreement",
    ),
    **dict.fromkeys(
        (
            "DEFAULT_GRAPH",
            "Actor",
            "HandoffEvent",
            "LeadRecord",
            "Outcome",
            "Qualification",
            "Stage",
            "TransitionName",
            "advance",
            "load_graph",
            "new_lead",
            "replay",
            "try_advance",
        ),
        "leadflow.lifecycle",
    ),
    **dict.fromkeys(("Evaluation", "RuleSet", "load_rules"), "leadflow.rules"),
    **dict.fromkeys(
        ("BusinessCalendar", "SlaPolicy", "SlaState", "SlaStatus", "TouchRule", "promise", "track"),
        "leadflow.sla",
    ),
}

__all__ = (
    "DEFAULT_GRAPH",
    "STANDARD_ACTIVITY_KINDS",
    "Activity",
    "ActivityRecorded",
    "Actor",
    "ActorNotAllowedError",
    "Agreement",
    "AgreementInputError",
    "AgreementSyntaxError",
    "ArgumentTypeError",
    "BusinessCalendar",
    "BuyingRole",
    "ConfigurationError",
    "ContactAttempted",
    "DataQualityReport",
    "DealLost",
    "DealWon",
    "Evaluation",
    "EventValidationError",
    "FutureEventError",
    "GraphError",
    "GuardError",
    "HandoffEvent",
    "HandoffReport",
    "IdempotencyConflictError",
    "Lead",
    "LeadAccepted",
    "LeadCreated",
    "LeadDisqualified",
    "LeadQualified",
    "LeadRecord",
    "LeadRejected",
    "LeadSource",
    "LeadState",
    "LeadUpdated",
    "LeadValidationError",
    "LeadflowError",
    "MissingReasonError",
    "NaiveDatetimeError",
    "OpportunityOpened",
    "OutOfOrderError",
    "OutOfRangeError",
    "Outcome",
    "PolicyError",
    "Problem",
    "Qualification",
    "Reaction",
    "RecordIntegrityError",
    "Routing",
    "RuleError",
    "RuleEvaluationError",
    "RuleSet",
    "RuleSyntaxError",
    "Seniority",
    "SlaPolicy",
    "SlaState",
    "SlaStatus",
    "Stage",
    "StaleRecordError",
    "TerminalStageError",
    "TouchRule",
    "TransitionError",
    "TransitionName",
    "UnknownReasonError",
    "__version__",
    "advance",
    "check_handoff",
    "data_quality",
    "load_agreement",
    "load_graph",
    "load_rules",
    "new_lead",
    "promise",
    "replay",
    "track",
    "try_advance",
    "validate_lead",
)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'leadflow' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
