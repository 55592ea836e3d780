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
    ConfigurationError,
    LeadflowError,
    LeadValidationError,
    MissingReasonError,
    NaiveDatetimeError,
    PolicyError,
    Problem,
    RuleError,
    RuleEvaluationError,
    RuleSyntaxError,
    TransitionError,
)
from leadflow.handoff import DataQualityReport, HandoffReport, check_handoff, data_quality
from leadflow.lead import STANDARD_ACTIVITY_KINDS, Activity, Lead, LeadSource, validate_lead
from leadflow.titles import BuyingRole, Seniority

if TYPE_CHECKING:  # pragma: no cover - names resolved lazily at run time
    pass

# name -> module that defines it; resolved on first attribute access (PEP 562).
_LAZY: dict[str, str] = {}

__all__ = (
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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'leadflow' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
