"""``test`` blocks inside rule files, run through ``RuleSet.run_tests()``."""

from __future__ import annotations

import pytest

from leadflow import RuleSyntaxError
from leadflow.rules import parse

RULES = """
use bant
list dach = ["DE", "AT", "CH"]
score fit {
  +20  employees between 50 and 500
  +15  seniority at least director
  +10  country in dach
  -30  email is freemail
}
score engagement {
  +40        demo_request within 30 days
  +10 each   pricing_page_view within 30 days, at most 30
}
knockout student when seniority is student
temperature {
  hot   when fit >= 40 and engagement >= 40
  warm  when fit >= 25 and engagement >= 15
  cold  otherwise
}
mql when fit >= 30 and engagement >= 25
grade position {
  A when seniority at least vp
  B when seniority at least manager
  C otherwise
}

test "ICP demo request is hot" {
  now 2026-11-20 12:00 Europe/Berlin
  lead {
    company "Muster GmbH", employees 120, country "DE"
    title "VP IT", email "it@muster.de"
    demo_request 2 days ago
    pricing_page_view 3 times 1 day ago
  }
  answers budget approved, authority decision_maker, need urgent
  expect fit 45, engagement 70, temperature hot, mql yes
  expect grade position A, no knockout, bant passes
}

test "students are knocked out" {
  now 2026-11-20 12:00 Europe/Berlin
  lead {
    title "Werkstudent", employees 120
    demo_request 1 day ago
  }
  expect knockout student, mql no, temperature cold
}
"""


def test_passing_tests():
    results = parse(RULES, source="scoring.lf").run_tests()
    assert [(r.name, r.passed) for r in results] == [
        ("ICP demo request is hot", True),
        ("students are knocked out", True),
    ]
    assert results[0].evaluation is not None
    assert results[0].evaluation.scores["fit"] == 45


def test_failures_say_what_and_where():
    text = RULES.replace("expect fit 45", "expect fit 50").replace(
        "expect knockout student, mql no", "expect no knockout, mql yes"
    )
    first, second = parse(text, source="scoring.lf").run_tests()
    assert not first.passed
    assert first.failures == ("scoring.lf:36: expected fit 50, got 45",)
    assert second.failures == (
        "scoring.lf:46: expected no knockout, got student",
        "scoring.lf:46: expected mql yes, got no",
    )
    assert str(first).startswith("scoring.lf:27: test 'ICP demo request is hot' failed")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("now 2026-11-20 12:00 Europe/Berlin", "now 2026-11-20 12:00 Europe/Berlinn"),
            "bad 'now'",
        ),
        (
            ('company "Muster GmbH"', 'compnay "Muster GmbH"'),
            "unknown lead field 'compnay' (did you mean 'company'?)",
        ),
        (("demo_request 2 days ago", "demo_requst 2 days ago"), "unknown activity kind"),
        (("expect fit 45", "expect fti 45"), "unknown score 'fti' (did you mean 'fit'?)"),
        (
            ("expect grade position A", "expect grade positon A"),
            "unknown grade block 'positon' (did you mean 'position'?)",
        ),
        (("knockout student, mql", "knockout studnet, mql"), "unknown reason code 'studnet'"),
        (("answers budget approved", "answers budget maybe"), "cannot be answered 'maybe'"),
        (('email "it@muster.de"', 'email "not-an-address"'), "the lead is invalid"),
        (
            (
                '  now 2026-11-20 12:00 Europe/Berlin\n  lead {\n    title "Werkstudent"',
                '  lead {\n    title "Werkstudent"',
            ),
            "needs a line such as 'now 2026-11-20 12:00 Europe/Berlin'",
        ),
    ],
)
def test_tests_are_checked_when_the_file_loads(change, message):
    with pytest.raises(RuleSyntaxError, match=None) as info:
        parse(RULES.replace(*change), source="scoring.lf")
    assert message in str(info.value)
