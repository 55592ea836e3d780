"""Golden explain() output for the BANT, CHAMP and MEDDIC templates (tests/rules/golden/).

Regenerate after an intended change with ``UPDATE_GOLDEN=1 pytest tests/rules/test_golden.py``
and review the diff like any other change of behaviour.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from leadflow.rules import parse

from .helpers import NOW, lead

GOLDEN = Path(__file__).parent / "golden"

SCORING = """\
list target_industries = ["software", "manufacturing", "finance"]
list dach = ["DE", "AT", "CH"]

score fit {
  +15  industry in target_industries
  +20  employees between 50 and 500
  +15  seniority at least director
  +10  country in dach
  -30  email is freemail
}

score engagement {
  +40          demo_request within 30 days
  +10 each     pricing_page_view within 30 days, at most 30
  +5 each      content_download within 90 days, at most 15
  -20          unsubscribe
  decay        half every 30 days
}

knockout student when seniority is student

temperature {
  hot   when fit >= 40 and engagement >= 40
  warm  when fit >= 25 and engagement >= 15
  cold  otherwise
}

mql when fit >= 30 and engagement >= 25
"""

CASES = {
    "bant": {"budget": "planned", "authority": "decision_maker", "need": "urgent"},
    "champ": {"challenges": "critical", "money": "available", "prioritization": "high"},
    "meddic": {
        "metrics": "estimated",
        "economic_buyer": "engaged",
        "decision_criteria": "known",
        "identify_pain": "critical",
        "champion": "active",
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_explain_matches_golden_file(name):
    rules = parse(f"use {name}\n\n{SCORING}", source="scoring.lf")
    sample = lead(
        industry="Software",
        employees=120,
        title="VP IT",
        country="DE",
        acts=[
            ("demo_request", 2),
            ("pricing_page_view", 1),
            ("pricing_page_view", 40),
            ("content_download", 10),
            ("content_download", 70),
        ],
    )
    text = rules.evaluate(sample, now=NOW, answers=CASES[name]).explain() + "\n"
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")
