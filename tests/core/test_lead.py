"""The B2B lead model: mandatory data, validation, derived facts, JSON round trip and schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import leadflow as lf
from leadflow.lead import STANDARD_ACTIVITY_KINDS

BERLIN = ZoneInfo("Europe/Berlin")


def make(**overrides: object) -> lf.Lead:
    data: dict[str, object] = {"id": "L-1", "company": "Muster GmbH", "email": "anna@muster.de"}
    data.update(overrides)
    return lf.Lead.model_validate(data)


def test_minimum_lead_needs_only_id_company_email() -> None:
    lead = make()
    assert (lead.company, lead.email, lead.title, lead.activities) == (
        "Muster GmbH",
        "anna@muster.de",
        None,
        (),
    )


@pytest.mark.parametrize("missing", ["id", "company", "email"])
def test_mandatory_fields_are_required(missing: str) -> None:
    data = {"id": "L-1", "company": "Muster GmbH", "email": "anna@muster.de"}
    del data[missing]
    with pytest.raises(lf.LeadValidationError) as info:
        lf.validate_lead(data)
    assert [(p.field, p.message) for p in info.value.problems] == [(missing, "is required")]


def test_blank_company_is_rejected_not_stripped_into_existence() -> None:
    with pytest.raises(lf.LeadValidationError, match="company: must not be blank"):
        lf.validate_lead({"id": "L-1", "company": "   ", "email": "a@b.de"})


def test_every_problem_is_reported_at_once() -> None:
    with pytest.raises(lf.LeadValidationError) as info:
        lf.validate_lead(
            {
                "id": "L-2",
                "company": "",
                "email": "not-an-address",
                "employees": -5,
                "country": "Germany",
                "activities": [{"kind": "demo_request", "at": "2026-11-20T10:00:00"}],
                "favourite_colour": "blue",
            }
        )
    error = info.value
    assert error.record_id == "L-2"
    assert [p.field for p in error.problems] == [
        "company",
        "email",
        "employees",
        "country",
        "activities.0.at",
        "favourite_colour",
    ]
    assert isinstance(error, ValueError)
    assert isinstance(error, lf.LeadflowError)
    assert error.code == "lead-validation"
    assert str(error).startswith(
        "lead 'L-2' is invalid (6 problems):\n  - company: must not be blank"
    )


def test_naive_activity_timestamp_is_a_clear_error() -> None:
    with pytest.raises(lf.LeadValidationError) as info:
        lf.validate_lead(
            {
                "id": "L-3",
                "company": "ACME",
                "email": "a@acme.de",
                "activities": [{"kind": "call", "at": datetime(2026, 11, 20, 10)}],
            }
        )
    (problem,) = info.value.problems
    assert problem.field == "activities.0.at"
    assert "timezone-aware" in problem.message


def test_constructor_raises_pydantic_validation_error_which_is_a_value_error() -> None:
    with pytest.raises(ValidationError) as info:
        lf.Lead(id="L", company="ACME", email="a@acme.de", created_at=datetime(2026, 1, 1))
    assert isinstance(info.value, ValueError)


def test_normalisation_of_email_domain_and_country() -> None:
    lead = make(email="Anna.Schmidt@Muster.DE", country="de")
    assert (lead.email, lead.email_domain, lead.country) == (
        "Anna.Schmidt@muster.de",
        "muster.de",
        "DE",
    )


def test_lead_is_frozen() -> None:
    lead = make()
    with pytest.raises(ValidationError):
        lead.company = "Other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("email", "freemail"),
    [
        ("anna@muster.de", False),
        ("anna@gmail.com", True),
        ("anna@web.de", True),
        ("anna@GMX.NET", True),
        ("anna@mail.gmx.de", True),
        ("anna@gmail.company.de", False),
        ("anna@t-online.de", True),
    ],
)
def test_freemail_detection(email: str, freemail: bool) -> None:
    lead = make(email=email)
    assert lead.is_freemail is freemail
    assert lead.is_business_email is not freemail


def test_activities_helpers() -> None:
    t = datetime(2026, 11, 20, 9, tzinfo=BERLIN)
    lead = make(
        activities=[
            {"kind": "pricing_page_view", "at": t},
            {"kind": "demo_request", "at": t + timedelta(hours=2)},
            {"kind": "pricing_page_view", "at": t + timedelta(hours=1)},
        ]
    )
    assert [a.at for a in lead.activities_of("pricing_page_view")] == [t, t + timedelta(hours=1)]
    assert lead.last_activity_at() == t + timedelta(hours=2)
    assert make().last_activity_at() is None


def test_activity_kind_must_be_a_snake_case_name() -> None:
    with pytest.raises(ValidationError):
        lf.Activity(kind="Demo Request", at=datetime(2026, 1, 1, tzinfo=UTC))
    assert "demo_request" in STANDARD_ACTIVITY_KINDS


def test_json_schema_export_describes_the_webhook_payload() -> None:
    schema = lf.Lead.model_json_schema()
    assert set(schema["required"]) == {"id", "company", "email"}
    assert schema["additionalProperties"] is False
    activity = schema["$defs"]["Activity"]
    assert activity["properties"]["at"]["format"] == "date-time"
    json.dumps(schema)  # serialisable as is


def test_validate_lead_accepts_json_text() -> None:
    lead = lf.validate_lead('{"id": "L-5", "company": "ACME", "email": "x@acme.de"}')
    assert lead.id == "L-5"
    with pytest.raises(lf.LeadValidationError):
        lf.validate_lead("{not json")


def test_validate_lead_rejects_non_mappings() -> None:
    with pytest.raises(lf.LeadValidationError, match="expected a mapping"):
        lf.validate_lead([1, 2])  # type: ignore[arg-type]


# --- properties ------------------------------------------------------------------------------

names = st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1)
zones = st.sampled_from(
    [UTC, BERLIN, ZoneInfo("America/Santiago"), ZoneInfo("Australia/Lord_Howe")]
)
aware = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=zones
)
activities = st.builds(
    dict,
    kind=st.sampled_from(sorted(STANDARD_ACTIVITY_KINDS)),
    at=aware,
    campaign=st.none() | names,
)
lead_dicts = st.fixed_dictionaries(
    {
        "id": names,
        "company": names,
        "email": st.emails(),
    },
    optional={
        "title": names,
        "phone": names,
        "employees": st.integers(1, 10_000_000),
        "industry": names,
        "country": st.sampled_from(["DE", "at", "CH", "US"]),
        "interests": st.lists(names, max_size=3),
        "source": st.sampled_from(list(lf.LeadSource)),
        "created_at": aware,
        "activities": st.lists(activities, max_size=5),
        "custom": st.dictionaries(
            st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True),
            st.none() | st.booleans() | st.integers() | names,
            max_size=3,
        ),
    },
)


def _valid_or_none(data: dict[str, object]) -> lf.Lead | None:
    try:
        return lf.validate_lead(data)
    except lf.LeadValidationError:
        return None  # e.g. a generated name that is only whitespace


@given(lead_dicts)
def test_json_round_trip_is_identity(data: dict[str, object]) -> None:
    lead = _valid_or_none(data)
    if lead is None:
        return
    text = lead.model_dump_json()
    again = lf.Lead.model_validate_json(text)
    # JSON carries UTC offsets, not zone names: the text is a fixed point, and a lead read from
    # JSON compares equal to itself after another trip (a ZoneInfo time inside a DST gap or fold
    # never compares equal across zones under PEP 495, hence the comparison on the text).
    assert again.model_dump_json() == text
    assert lf.Lead.model_validate_json(again.model_dump_json()) == again
    # instants survive exactly, in UTC
    assert [a.at.astimezone(UTC) for a in again.activities] == [
        a.at.astimezone(UTC) for a in lead.activities
    ]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(), children, max_size=3)
    ),
    max_leaves=10,
)
field_names = st.sampled_from([*lf.Lead.model_fields, "stage", "Company"])
arbitrary_dicts = st.dictionaries(
    field_names | st.text(max_size=5),
    json_values
    | st.datetimes()
    | aware
    | st.lists(st.dictionaries(st.text(), json_values | aware)),
    max_size=12,
)


@given(arbitrary_dicts | lead_dicts)
def test_validation_returns_a_valid_lead_or_raises_our_error(data: dict[str, object]) -> None:
    outcome: lf.Lead | lf.LeadValidationError
    try:
        outcome = lf.validate_lead(data)
    except lf.LeadValidationError as error:
        outcome = error
    if isinstance(outcome, lf.LeadValidationError):
        assert outcome.problems
        assert isinstance(outcome, ValueError)
        return
    lead = outcome
    assert isinstance(lead, lf.Lead)
    assert lead.company.strip()
    assert "@" in lead.email
    assert all(a.at.tzinfo is not None for a in lead.activities)
    assert lf.Lead.model_validate(lead.model_dump()) == lead


PYDANTIC_PHRASES = ("Input should", "String should", "should match pattern", "[key]", "Value error")


def test_pydantic_messages_are_translated_into_plain_words() -> None:
    with pytest.raises(lf.LeadValidationError) as info:
        lf.validate_lead(
            {
                "id": 5,
                "company": "ACME",
                "email": "a@acme.de",
                "first_name": "x" * 600,
                "employees": "many",
                "interests": "abc",
                "source": "tv",
                "created_at": "yesterday",
                "activities": [{"kind": "Demo Request", "at": "2026-01-01T09:00:00Z"}, "x"],
                "custom": {"Bad-Key": 1, "listed": [1], "nan": float("nan")},
            }
        )
    got = {p.field: p.message for p in info.value.problems}
    assert got == {
        "id": "must be text",
        "first_name": "must have at most 500 characters",
        "employees": "must be a whole number",
        "interests": 'must be a list, e.g. ["a", "b"]',
        "source": "must be one of 'web_form', 'phone_call', 'email', 'callback_request', "
        "'chat', 'trade_fair', 'event', 'webinar', 'purchased_list', 'referral', 'partner', "
        "'social' or 'other'",
        "created_at": "must be a date and time with a UTC offset, e.g. '2026-11-20T15:00:00+01:00'",
        "activities.0.kind": "must be a name in lower_snake_case: a lower-case letter, then "
        "lower-case letters, digits or '_', e.g. 'demo_request'",
        "activities.1": "must be an object (a mapping of field names to values)",
        "custom.Bad-Key": "is not a valid custom field name; expected lower_snake_case: a "
        "lower-case letter, then lower-case letters, digits or '_', e.g. 'budget_eur'",
        "custom.listed": "must be text, a finite number, true/false or null",
        "custom.nan": "must be text, a finite number, true/false or null",
    }


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


@given(
    st.dictionaries(
        st.sampled_from([*sorted(lf.Lead.model_fields), "extra"]), json_values, max_size=6
    )
)
def test_no_pydantic_phrase_reaches_a_user(data: dict[str, object]) -> None:
    try:
        lf.validate_lead(data)
    except lf.LeadValidationError as error:
        text = str(error)
        assert not any(phrase in text for phrase in PYDANTIC_PHRASES), text
