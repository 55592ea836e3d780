"""Standard reason codes for sales rejections, disqualifications, recycles and lost deals.

Shared by the lifecycle (mandatory reasons on handoffs) and the rules (knock-outs), so that a
knock-out in a rule file and a rejection by a sales rep land in the same report. Each reason
names the marketing action it calls for, so feedback turns into action.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

__all__ = ("STANDARD_REASONS", "Reason")


@dataclass(frozen=True, slots=True)
class Reason:
    """A reason code with its label and the marketing action it calls for."""

    code: str
    label: str
    category: str
    marketing_action: str


def _reasons(*items: Reason) -> Mapping[str, Reason]:
    return MappingProxyType({r.code: r for r in items})


_ICP = "tighten ICP criteria in lead scoring"
_TARGETING = "review targeting and timing criteria"

STANDARD_REASONS: Final[Mapping[str, Reason]] = _reasons(
    Reason("no_icp_fit", "no ICP fit", "icp", _ICP),
    Reason("too_small", "company too small", "icp", _ICP),
    Reason(
        "wrong_industry",
        "wrong industry",
        "icp",
        "adjust content targeting, exclude irrelevant industries",
    ),
    Reason("wrong_use_case", "wrong use case", "icp", _ICP),
    Reason(
        "no_budget", "no budget", "budget", "qualify budget earlier (form field, pre-sales call)"
    ),
    Reason(
        "only_information",
        "only gathering information",
        "intent",
        "nurture path instead of direct sales handoff",
    ),
    Reason("wrong_contact", "wrong contact (no access to decision makers)", "contact", _TARGETING),
    Reason("unrealistic_timeline", "unrealistic timeline", "timing", _TARGETING),
    Reason(
        "unreachable", "unreachable", "contact", "check contact-data quality, offer more channels"
    ),
    Reason("competitor_chosen", "competitor already chosen", "competition", _TARGETING),
    Reason("wrong_timing", "wrong timing", "timing", "nurture until the buying window opens"),
    Reason(
        "private_person",
        "private person / free-mail only",
        "icp",
        "require a business address on forms",
    ),
    Reason("student", "student or intern", "icp", "exclude student audiences from lead campaigns"),
    Reason("competitor", "works for a competitor", "icp", "exclude competitor domains"),
    Reason(
        "country_not_served",
        "country not served",
        "icp",
        "restrict campaign geo-targeting to served countries",
    ),
    Reason("duplicate", "duplicate lead", "data", "deduplicate before handoff"),
)
"""The default reason list from the source material, keyed by code."""
