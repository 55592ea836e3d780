"""The public API contract: changes to ``leadflow.__all__`` show up as a diff here."""

from __future__ import annotations

import leadflow

EXPECTED = (
    "STANDARD_ACTIVITY_KINDS",
    "Activity",
    "BuyingRole",
    "ConfigurationError",
    "DataQualityReport",
    "HandoffReport",
    "Lead",
    "LeadSource",
    "LeadValidationError",
    "LeadflowError",
    "MissingReasonError",
    "NaiveDatetimeError",
    "PolicyError",
    "Problem",
    "RuleError",
    "RuleEvaluationError",
    "RuleSyntaxError",
    "Seniority",
    "TransitionError",
    "__version__",
    "check_handoff",
    "data_quality",
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
