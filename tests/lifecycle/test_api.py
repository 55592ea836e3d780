"""The public API of ``leadflow.lifecycle``: changes show up as a diff here."""

from __future__ import annotations

import leadflow.lifecycle as lifecycle

EXPECTED = (
    "CONTACT_ATTEMPT",
    "ContactAttempts",
    "ContactDelay",
    "DEFAULT_GRAPH",
    "DEFAULT_MAX_SKEW",
    "NAMED_REASONS",
    "Actor",
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
    "REASON_KINDS",
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


def test_all_is_the_documented_api() -> None:
    assert sorted(lifecycle.__all__) == sorted(EXPECTED)
    assert len(set(lifecycle.__all__)) == len(lifecycle.__all__)


def test_every_name_resolves() -> None:
    for name in EXPECTED:
        assert getattr(lifecycle, name) is not None
