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


# -- each thing is said once per test ------------------------------------------------------------
SMALL = """score fit {
  +10 employees > 50
}
knockout student when seniority is student
qualification q {
  criterion budget approved A, none F, unknown D
  criterion need urgent A, none F, unknown D
  pass when budget at least B
}
test "t" {
  now 2026-11-20 12:00 UTC
"""
"""A small rule file and the head of a test: the test's body starts on line 12."""


def refused(body: str) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as caught:
        parse(SMALL + body + "\n}\n", source="t.lf")
    return caught.value


def test_a_second_lead_block_is_refused() -> None:
    error = refused('  lead {\n    employees 60\n  }\n  lead {\n    title "CEO"\n  }')
    assert (error.line, error.column) == (15, 3)
    assert "t.lf:15:3: a test has one 'lead' block; the first is on line 12" in str(error)
    assert len(error.errors) == 1


@pytest.mark.parametrize(
    ("lead", "line", "column", "first"),
    [
        ("employees 10, employees 1", 13, 19, 13),
        ('employees 10\n    title "CEO"\n    employees 1', 15, 5, 13),
        ('country "DE", title "CEO", country ["DE"]', 13, 32, 13),
    ],
)
def test_a_field_set_twice_in_a_test_lead_is_refused(
    lead: str, line: int, column: int, first: int
) -> None:
    error = refused(f"  lead {{\n    {lead}\n  }}")
    name = lead.split()[0]
    assert (error.line, error.column) == (line, column)
    assert f"{name} is set twice in this lead; the first is on line {first}" in str(error)


def test_activities_may_repeat_in_a_test_lead() -> None:
    text = SMALL + (
        "  lead {\n    employees 60\n    demo_request 1 day ago, demo_request 2 days ago\n"
        "    demo_request 2 times 3 days ago\n  }\n  expect fit 10\n}\n"
    )
    rules = parse(text, source="t.lf")
    assert [r.passed for r in rules.run_tests()] == [True]
    (test,) = rules._tests
    assert len(test.lead.activities) == 4


def test_answers_on_two_lines_are_merged() -> None:
    text = SMALL + "  answers budget approved\n  answers need none\n  expect q passes\n}\n"
    rules = parse(text, source="t.lf")
    (test,) = rules._tests
    assert test.answers == {"budget": "approved", "need": "none"}
    assert [r.passed for r in rules.run_tests()] == [True]


@pytest.mark.parametrize(
    ("answers", "line", "column", "first"),
    [
        ("  answers budget approved, need urgent, budget none", 12, 41, 12),
        ("  answers budget approved\n  answers need urgent, budget none", 13, 24, 12),
    ],
)
def test_a_criterion_answered_twice_is_refused(
    answers: str, line: int, column: int, first: int
) -> None:
    error = refused(answers)
    assert (error.line, error.column) == (line, column)
    assert f"budget is answered twice in this test; the first is on line {first}" in str(error)


@pytest.mark.parametrize(
    ("expect", "line", "column", "said"),
    [
        ("  expect fit 0, fit 10", 12, 17, "fit"),
        ("  expect fit 0\n  expect fit 0", 13, 10, "fit"),
        ("  expect q passes, q fails", 12, 20, "q"),
        ("  expect knockout student, knockout student", 12, 28, "knockout student"),
        ("  expect no knockout\n  expect no knockout", 13, 10, "no knockout"),
    ],
)
def test_an_expectation_stated_twice_is_refused(
    expect: str, line: int, column: int, said: str
) -> None:
    error = refused(expect)
    assert (error.line, error.column) == (line, column)
    assert f"{said} is expected twice in this test; the first is on line 12" in str(error)


@pytest.mark.parametrize(
    ("rules", "expect", "said"),
    [
        (
            "temperature {\n  hot when employees > 5\n  cold otherwise\n}\n",
            "temperature hot",
            "temperature",
        ),
        ("mql when employees > 5\n", "mql yes", "mql"),
        ("grade g {\n  A when employees > 5\n  C otherwise\n}\n", "grade g A", "grade g"),
    ],
)
def test_a_temperature_mql_or_grade_expected_twice_is_refused(
    rules: str, expect: str, said: str
) -> None:
    text = rules + f'test "t" {{\n  now 2026-11-20 12:00 UTC\n  expect {expect}, {expect}\n}}\n'
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text, source="t.lf")
    line = rules.count("\n") + 3
    assert f"t.lf:{line}:{len(expect) + 12}: {said} is expected twice in this test" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("expect", "column", "message"),
    [
        ("knockout student, no knockout", 28, "no knockout contradicts knockout student"),
        ("no knockout, knockout student", 23, "knockout student contradicts no knockout"),
    ],
)
def test_a_knockout_and_no_knockout_contradict(expect: str, column: int, message: str) -> None:
    error = refused(f"  expect {expect}")
    assert (error.line, error.column) == (12, column)
    assert f"{message} on line 12" in str(error)


def test_two_different_knockouts_may_be_expected() -> None:
    text = (
        "knockout student when seniority is student\nknockout too_small when employees < 5\n"
        'test "t" {\n  now 2026-11-20 12:00 UTC\n  lead {\n    title "Werkstudent", employees 2\n'
        "  }\n  expect knockout student, knockout too_small\n}\n"
    )
    assert [r.passed for r in parse(text, source="t.lf").run_tests()] == [True]


@pytest.mark.parametrize(
    "now", ["2026-11-20 12:00 Europe/Berlin", "2026-04-10 12:00 Europe/Berlin"]
)
def test_days_ago_count_back_as_windows_do_across_a_dst_change(now):
    text = (
        "score e {\n  +10 demo_request within 30 days\n  +1 pricing_page_view within 30 days\n}\n"
        f'test "t" {{\n  now {now}\n  lead {{\n    demo_request 30 days ago\n'
        "    pricing_page_view 31 days ago\n  }\n  expect e 10\n}\n"
    )
    [result] = parse(text).run_tests()
    assert result.passed, result.failures
