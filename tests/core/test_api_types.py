"""The core API with wrong types: only our errors come out, naming the argument.

Each public function of the core (``validate_lead``, ``check_handoff``, ``data_quality``, the
email and title helpers, ``Lead``'s methods) is called with working arguments, then with one
argument replaced by a wrong value (``tests/api_walk.py``); every error must be a
``LeadflowError`` that is also a ``TypeError``, ``ValueError`` or ``OverflowError``. The pydantic
models themselves raise pydantic's ``ValidationError`` (documented in ``docs/errors.md``).
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError

import leadflow as lf
from leadflow.emails import email_domain, hidden_character, is_freemail_domain, normalize_email
from leadflow.titles import buying_role_of, seniority_of
from tests.api_walk import walk

RECORD = {"id": "L-1", "company": "ACME", "email": "anna@acme.de"}
LEAD = lf.validate_lead(RECORD)

CASES = [
    (lf.validate_lead, {"data": RECORD}, ()),
    (lf.check_handoff, {"lead": RECORD}, ()),
    (lf.check_handoff, {"lead": LEAD}, ()),
    (lf.data_quality, {"records": [RECORD]}, ()),
    (lf.Lead, dict(RECORD), (ValidationError,)),
    (lf.Activity, {"kind": "call", "at": "2026-06-08T09:00:00Z"}, (ValidationError,)),
    (LEAD.activities_of, {"kind": "call"}, ()),
    (email_domain, {"email": "anna@acme.de"}, ()),
    (is_freemail_domain, {"domain": "gmail.com"}, ()),
    (hidden_character, {"text": "anna@acme.de"}, ()),
    (normalize_email, {"address": "anna@acme.de"}, ()),
    (seniority_of, {"title": "Head of IT"}, ()),
    (buying_role_of, {"title": "Head of IT"}, ()),
]


@pytest.mark.parametrize(
    ("func", "kwargs", "allowed"),
    CASES,
    ids=[f"{getattr(c[0], '__qualname__', c[0])}-{i}" for i, c in enumerate(CASES)],
)
def test_wrong_arguments_get_only_our_errors(func, kwargs, allowed) -> None:
    problems = walk(func, kwargs, allowed=allowed)
    assert not problems, "\n".join(problems)


def test_check_handoff_of_none_names_the_argument() -> None:
    with pytest.raises(lf.ArgumentTypeError) as info:
        lf.check_handoff(None)  # type: ignore[arg-type]
    assert isinstance(info.value, TypeError)
    assert info.value.argument == "lead"
    assert str(info.value) == "lead must be a Lead or a mapping of lead data, got None"


def test_data_quality_of_a_non_iterable_names_the_argument() -> None:
    with pytest.raises(lf.ArgumentTypeError, match=r"^records must be an iterable of lead records"):
        lf.data_quality(5)  # type: ignore[arg-type]
    report = lf.data_quality([None, RECORD])  # type: ignore[list-item]
    assert (report.total, report.valid) == (2, 1)
