"""Temperature and MQL lines of the usual shape, compared in line by the fast path."""

from __future__ import annotations

from datetime import timedelta
from itertools import product

import pytest

from leadflow import Activity, Lead
from leadflow.rules import parse

from . import oracle
from .helpers import NOW

SCORES = """
score fit {
  +15  industry is "software"
  +10  employees between 50 and 500
  +15  seniority at least director
}
score engagement {
  +10 each  pricing_page_view within 30 days, at most 40
  +15       webinar_attended within 60 days
}
"""

USUAL = """
temperature {
  hot   when fit >= 25 and engagement >= 25
  warm  when fit >= 15 and engagement >= 10
  cold  otherwise
}
mql when fit >= 25 and engagement >= 15
"""

OTHER_SHAPES = [
    USUAL.replace(
        "mql when fit >= 25 and engagement >= 15", "mql when engagement >= 15 and fit >= 25"
    ),
    USUAL.replace("hot   when fit >= 25 and", "hot   when fit > 25 and"),
    USUAL.replace("warm  when fit >= 15 and engagement >= 10", "warm  when fit >= 15"),
    USUAL.replace("engagement >= 15\n", "engagement >= 15 and fit >= 40\n"),
    USUAL.replace("mql when fit >= 25 and engagement >= 15\n", ""),
]


def _leads() -> list[Lead]:
    out = []
    shapes = product(
        ("software", "retail"), (10, 100), ("CEO", "Engineer"), range(5), (False, True)
    )
    for i, (industry, employees, title, views, webinar) in enumerate(shapes):
        activities = [Activity(kind="pricing_page_view", at=NOW - timedelta(days=1))] * views
        if webinar:
            activities.append(Activity(kind="webinar_attended", at=NOW - timedelta(days=2)))
        out.append(
            Lead(
                id=f"L-{i}",
                company="ACME",
                email=f"p{i}@acme.de",
                industry=industry,
                employees=employees,
                title=title,
                activities=tuple(activities),
            )
        )
    return out


@pytest.mark.parametrize("text", [USUAL, *OTHER_SHAPES])
def test_the_fast_path_classifies_as_the_generic_one(text):
    rules = parse(SCORES + text, source="t.lf")
    for lead in _leads():
        fast = rules.evaluate(lead, now=NOW)
        generic = oracle.evaluate(rules, lead, NOW)
        assert fast == generic, (fast, generic)


def test_the_usual_shape_is_compared_in_line():
    rules = parse(SCORES + USUAL)
    assert rules._engine._chain[3] is not None
    temperatures = {rules.evaluate(lead, now=NOW).temperature for lead in _leads()}
    assert {rules.evaluate(lead, now=NOW).mql for lead in _leads()} == {True, False}
    assert temperatures == {"hot", "warm", "cold"}  # every line is reached, boundaries included
    for text in OTHER_SHAPES:
        assert parse(SCORES + text)._engine._chain[3] is None
