"""The public API contract: changes to ``leadflow.__all__`` show up as a diff here."""

from __future__ import annotations

import leadflow

EXPECTED = (
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
    "AgreementInputError",
    "AgreementSyntaxError",
    "DEFAULT_GRAPH",
    "STANDARD_ACTIVITY_KINDS",
    "Activity",
    "Actor",
    "ActorNotAllowedError",
    "ArgumentTypeError",
    "BusinessCalendar",
    "BuyingRole",
    "ConfigurationError",
    "DataQualityReport",
    "Evaluation",
    "EventValidationError",
    "FutureEventError",
    "GraphError",
    "GuardError",
    "HandoffEvent",
    "HandoffReport",
    "IdempotencyConflictError",
    "Lead",
    "LeadRecord",
    "LeadSource",
    "LeadValidationError",
    "LeadflowError",
    "MissingReasonError",
    "NaiveDatetimeError",
    "OutOfOrderError",
    "OutOfRangeError",
    "Outcome",
    "PolicyError",
    "Problem",
    "Qualification",
    "RecordIntegrityError",
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
    "load_graph",
    "load_rules",
    "new_lead",
    "promise",
    "replay",
    "track",
    "try_advance",
    "validate_lead",
)


def test_all_is_exactly_the_expected_tuple() -> None:
    assert isinstance(leadflow.__all__, tuple)
    assert tuple(sorted(leadflow.__all__)) == tuple(sorted(EXPECTED))


def test_every_public_name_resolves() -> None:
    for name in leadflow.__all__:
        assert getattr(leadflow, name) is not None, name


def test_version_is_a_string() -> None:
    assert leadflow.__version__.count(".") == 2
