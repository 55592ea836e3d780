"""The handoff data check: mandatory and recommended fields, free-mail warnings, batch report."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hypothesis import given, reject, settings
from hypothesis import strategies as st

import leadflow as lf
from leadflow.cli import sample_leads_path
from leadflow.handoff import (
    DEFAULT_HANDOFF,
    MANDATORY_FIELDS,
    RECOMMENDED_FIELDS,
    HandoffRequirements,
)

COMPLETE = {
    "id": "L-1",
    "company": "Muster GmbH",
    "email": "anna@muster.de",
    "title": "Head of IT",
    "source": "web_form",
    "phone": "+49 89 1",
    "employees": 120,
    "industry": "software",
    "country": "DE",
    "interests": ["scoring"],
    "campaign": "Q4",
    "activities": [{"kind": "demo_request", "at": datetime(2026, 11, 20, tzinfo=UTC)}],
}


def test_complete_lead_passes() -> None:
    report = lf.check_handoff(lf.validate_lead(COMPLETE))
    assert report.complete
    assert (report.missing, report.absent_recommended, report.warnings) == ((), (), ())
    assert report.lead_id == "L-1"


def test_mandatory_and_recommended_lists_follow_the_source_material() -> None:
    assert MANDATORY_FIELDS == ("company", "email", "title", "source")
    assert "phone" in RECOMMENDED_FIELDS
    assert "activities" in RECOMMENDED_FIELDS


def test_missing_fields_on_a_valid_lead() -> None:
    data = {k: v for k, v in COMPLETE.items() if k not in {"title", "phone", "activities"}}
    report = lf.check_handoff(lf.validate_lead(data))
    assert not report.complete
    assert report.missing == ("title",)
    assert report.absent_recommended == ("phone", "activities")


def test_raw_mapping_reports_what_validation_would_reject() -> None:
    report = lf.check_handoff({"id": "L-9", "company": " ", "email": None, "interests": []})
    assert report.missing == MANDATORY_FIELDS
    assert "interests" in report.absent_recommended
    assert report.lead_id == "L-9"


def test_freemail_fails_the_required_business_email() -> None:
    report = lf.check_handoff({**COMPLETE, "email": "anna@web.de"})
    assert report.missing == ("email",)
    assert report.warnings == (
        "email is a free-mail address (web.de); a business address is required",
    )


def test_freemail_is_only_a_warning_without_the_business_rule() -> None:
    from leadflow.handoff import HandoffRequirements

    rules = HandoffRequirements(business_email=False)
    report = lf.check_handoff({**COMPLETE, "email": "anna@web.de"}, rules)
    assert report.complete
    assert report.warnings == ("email is a free-mail address (web.de)",)


def test_one_definition_in_the_guard_and_the_check() -> None:
    from leadflow.handoff import DEFAULT_HANDOFF
    from leadflow.lifecycle import DEFAULT_GRAPH

    guard = DEFAULT_GRAPH.transition("iql", "promote").guards[0]
    assert guard.fields == DEFAULT_HANDOFF.required  # type: ignore[attr-defined]
    assert DEFAULT_HANDOFF.required == ("company", "email", "title", "source")


def test_data_quality_over_the_shipped_sample() -> None:
    records = json.loads(sample_leads_path().read_text(encoding="utf-8"))
    report = lf.data_quality(records)
    assert (report.total, report.valid, len(report.invalid), report.complete) == (8, 6, 2, 3)
    assert [item.lead_id for item in report.invalid] == ["L-1006", "L-1007"]
    assert dict(report.missing_counts) == {"email": 1, "source": 1, "title": 1}
    text = report.render()
    assert text.startswith("8 leads: 6 valid, 2 invalid, 3 ready for handoff")
    assert "L-1004: missing source" in text
    assert "L-1003: missing email; email is a free-mail address (gmx.at)" in text
    assert "activities.0.at: must be timezone-aware" in text


def test_data_quality_of_nothing() -> None:
    report = lf.data_quality([])
    assert (report.total, report.valid, report.complete) == (0, 0, 0)
    assert report.render() == "0 leads: 0 valid, 0 invalid, 0 ready for handoff"


_EMAILS = st.sampled_from(
    [None, "anna@muster.de", "anna@gmail.com", "anna@mail.gmx.de", "x@Muster.DE", "anna@web.de"]
)


@settings(max_examples=150, deadline=None)
@given(  # valid leads only (company and email present, no blank text): few rejected
    company=st.sampled_from(["Muster GmbH", "Head of IT"]),
    email=_EMAILS.filter(lambda email: email is not None),
    title=st.sampled_from([None, "Muster GmbH", "Head of IT"]),
    source=st.sampled_from([None, "web_form"]),
    required=st.lists(st.sampled_from((*MANDATORY_FIELDS, "phone")), unique=True, max_size=5),
    business=st.booleans(),
)
def test_missing_is_the_missing_of_the_full_report(
    company: str | None,
    email: str | None,
    title: str | None,
    source: str | None,
    required: list[str],
    business: bool,
) -> None:
    """``HandoffRequirements.missing`` (the engine's per-event question) answers as ``check``."""
    data = {"id": "L-1", "company": company, "email": email, "title": title, "source": source}
    try:
        lead = lf.validate_lead({k: v for k, v in data.items() if v is not None})
    except lf.LeadValidationError:
        reject()  # the check of raw data is tested above; this is about valid leads
    rules = HandoffRequirements(required=tuple(required), business_email=business)
    assert rules.missing(lead) == rules.check(lead).missing
    assert DEFAULT_HANDOFF.missing(lead) == lf.check_handoff(lead).missing
