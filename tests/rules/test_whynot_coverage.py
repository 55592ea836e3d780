"""Issue #12 inside the rules package: why_not, coverage, and the language's rough edges."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadflow.errors import ArgumentTypeError, RuleEvaluationError, RuleSyntaxError
from leadflow.rules import Coverage, parse

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)

RULES = """use bant
score fit {
  +20  employees between 50 and 500
  +15  seniority at least director
}
score engagement {
  +40  demo_request within 30 days
  +15  webinar_attended within 60 days
  +10 each  email_open within 30 days, at most 20
}
knockout student when seniority is student
temperature {
  hot  when fit >= 30 and engagement >= 40
  warm when fit >= 30 or engagement >= 20
  cold otherwise
}
mql when fit >= 30 and engagement >= 25
grade position {
  A when seniority at least vp
  B when seniority at least manager
  C otherwise
}
test "a CIO with a demo" {
  now 2026-11-20 12:00 UTC
  lead {
    title "CIO", employees 80
    demo_request 2 days ago
  }
  expect mql yes, temperature hot
}
"""


def lead(**fields: object) -> dict[str, object]:
    return {"id": "L-1", "company": "ACME", "email": "cio@acme.de", **fields}


def opens(count: int) -> list[dict[str, str]]:
    return [{"kind": "email_open", "at": "2026-11-19T09:00:00+00:00"}] * count


@pytest.fixture(scope="module")
def rules():  # type: ignore[no-untyped-def]
    return parse(RULES, source="scoring.lf")


def test_why_not_mql_names_the_gap_and_the_nearest_points(rules) -> None:  # type: ignore[no-untyped-def]
    result = rules.evaluate(lead(title="CIO", employees=80, activities=opens(2)), now=NOW)
    assert result.mql is False
    assert result.why_not("mql") == (
        "mql needs fit >= 30 and engagement >= 25 (line 17): engagement >= 25: engagement is "
        "20, 5 short; the nearest points: +15 webinar_attended within 60 days, line 8; "
        "+40 demo_request within 30 days, line 7"
    )


def test_why_not_says_what_happened(rules) -> None:  # type: ignore[no-untyped-def]
    demo = [{"kind": "demo_request", "at": "2026-11-19T09:00:00+00:00"}]
    result = rules.evaluate(lead(title="CIO", employees=80, activities=demo), now=NOW)
    assert result.why_not("mql").startswith("mql happened")
    assert result.why_not("hot") == "hot happened: the lead is hot"
    assert result.why_not("position A") == "grade position A happened: the lead is grade position A"


def test_why_not_temperature_and_grade(rules) -> None:  # type: ignore[no-untyped-def]
    result = rules.evaluate(lead(title="Head of IT", employees=80, activities=opens(2)), now=NOW)
    assert result.temperature == "warm"
    hot = result.why_not("hot")
    assert hot.startswith("hot needs fit >= 30 and engagement >= 40 (line 13)")
    assert "fit is 20, 10 short" in hot
    assert "engagement is 20, 20 short" in hot
    assert "the lead is warm" in hot
    assert "seniority is manager" in result.why_not("position")
    assert "an earlier line matched first" in result.why_not("cold")


def test_why_not_knockout_fired_and_its_effect(rules) -> None:  # type: ignore[no-untyped-def]
    result = rules.evaluate(lead(title="Werkstudent", activities=opens(3)), now=NOW)
    assert result.why_not("student") == (
        "knockout student fired: seniority is student (line 11); seniority is student"
    )
    assert result.why_not("mql").startswith("mql is no: the lead is knocked out (student")
    assert "so it is cold" in result.why_not("hot")
    other = rules.evaluate(lead(title="CIO"), now=NOW)
    assert other.why_not("student") == (
        "knockout student needs seniority is student (line 11): seniority is c_level"
    )


def test_why_not_bant_needs_a_pricing_or_demo_activity(rules) -> None:  # type: ignore[no-untyped-def]
    answers = {"budget": "approved", "authority": "decision_maker", "need": "urgent"}
    result = rules.evaluate(lead(title="CIO"), now=NOW, answers=answers)
    assert result.qualification is not None
    assert not result.qualification.passed
    why = result.why_not("bant")
    assert why.startswith("bant passes only when positive >= 3 and (pricing_page_view")
    assert "pricing_page_view within 30 days: none" in why
    assert "demo_request within 30 days: none" in why
    assert "positive" not in why.split("):", 1)[1]  # three answers are positive: not a gap


def test_why_not_unknown_name_suggests(rules) -> None:  # type: ignore[no-untyped-def]
    result = rules.evaluate(lead(), now=NOW)
    with pytest.raises(RuleEvaluationError, match=r"'bnat' \(did you mean 'bant'\?\)"):
        result.why_not("bnat")


def test_knocked_out_is_a_condition() -> None:
    rules = parse(
        "use bant\nknockout student when seniority is student\n"
        "qualification bant {\n  pass when not knocked out and positive >= 1\n}\n"
        "mql when knocked out or demo_request\n",
        source="k.lf",
    )
    student = rules.evaluate(lead(title="Werkstudent"), now=NOW, answers={"budget": "approved"})
    assert student.qualification is not None
    assert not student.qualification.passed
    assert student.mql is False  # a knock-out still decides the MQL status
    assert "not knocked out: the lead is knocked out" in student.why_not("bant") or (
        "knocked out" in student.why_not("bant")
    )
    cio = rules.evaluate(lead(title="CIO"), now=NOW, answers={"budget": "approved"})
    assert cio.qualification is not None
    assert cio.qualification.passed
    with pytest.raises(RuleSyntaxError, match="'knocked out' can be used only in"):
        parse("score fit {\n  +5 knocked out\n}\n", source="k.lf")


def test_custom_naming_a_derived_fact_is_reported() -> None:
    rules = parse("mql when seniority at least director\n", source="c.lf")
    with pytest.raises(RuleEvaluationError, match="derived from title; set title instead"):
        rules.evaluate(lead(custom={"seniority": "director"}), now=NOW)
    with pytest.raises(RuleEvaluationError, match="custom holds 'employees'"):
        rules.score(lead(custom={"employees": 80}), now=NOW)
    assert rules.evaluate(lead(custom={"plan": "pro"}), now=NOW).mql is False


def test_coverage_counts_lines_knockouts_and_branches(rules) -> None:  # type: ignore[no-untyped-def]
    coverage = rules.coverage()
    assert isinstance(coverage, Coverage)
    for fields in (
        {"title": "CIO", "employees": 80, "activities": opens(3)},
        {
            "title": "CIO",
            "employees": 80,
            "activities": [*opens(1), {"kind": "demo_request", "at": "2026-11-19T09:00:00+00:00"}],
        },
        {"title": "Werkstudent"},
    ):
        coverage.add(rules.evaluate(lead(**fields), now=NOW))
    hits = {(i.what, i.outcome, i.line): i.hits for i in coverage.items}
    assert hits["score fit", "fired", 3] == 2
    assert hits["score engagement", "fired", 7] == 1
    assert hits["score engagement", "fired", 8] == 0
    assert hits["score engagement", "fired", 9] == 2
    assert hits["knockout", "fired", 11] == 1
    assert hits["temperature", "warm", 14] == 1
    assert hits["temperature", "cold", 15] == 0  # a knocked-out lead's cold is the knock-out's
    assert hits["mql", "yes", 17] == 1
    assert hits["mql", "no", 17] == 2  # a knocked-out lead is "no" on the mql line too
    assert hits["grade position", "A", 19] == 2
    assert hits["grade position", "C", 21] == 1
    assert coverage.evaluations == 3
    report = coverage.report()
    assert report.splitlines()[0].startswith("coverage of scoring.lf: ")
    assert "scoring.lf:8: score engagement line never fired: +15 webinar_attended" in report
    other = rules.coverage()
    other.merge(coverage)
    assert other.items == coverage.items


def test_coverage_of_the_files_tests(rules) -> None:  # type: ignore[no-untyped-def]
    coverage = rules.coverage()
    coverage.update(rules.run_tests())
    missed = {(i.source, i.line, i.outcome) for i in coverage.missed}
    assert ("scoring.lf", 7, "fired") not in missed  # the test's demo request
    assert ("scoring.lf", 11, "fired") in missed  # no test knocks a lead out
    assert 0 < coverage.percent < 100


def test_coverage_refuses_foreign_evaluations(rules) -> None:  # type: ignore[no-untyped-def]
    other = parse("mql when employees >= 5\n", source="o.lf")
    with pytest.raises(ArgumentTypeError):
        rules.coverage().add(other.evaluate(lead(), now=NOW))
    with pytest.raises(ArgumentTypeError):
        rules.coverage().add("mql")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "score fit {\n  +10 employees > 5\nmql when fit > 5\n",
            "block `score fit` opened on line 1 is not closed: expected '}', found 'mql'",
        ),
        ("mql when demo_request within last 30 days\n", "write 'within 30 days'"),
        ("mql when demo_request in last 30 days\n", "write 'within 30 days'"),
        ("mql when employees 50..500\n", "found '50..500': write 'between 50 and 500'"),
        ('mql when seniority at least "director"\n', "drop the quotes: director"),
        (
            "score fit {\n  +10 seniority atleast director\n}\n",
            "keywords are whole words: write 'at least'",
        ),
        ("mql when employees between 50 and500\n", "write 'and 500'"),
    ],
)
def test_rough_edges_get_hints(text: str, message: str) -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text, source="x.lf")
    assert message in str(caught.value)


def test_unknown_reason_code_points_at_the_name() -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        parse("knockout studentx when seniority is student\n", source="x.lf")
    assert (caught.value.line, caught.value.column) == (1, 10)


def test_keywords_are_whole_words_names_may_start_with_one() -> None:
    rules = parse(
        'field atlas is number\nfield island is text\nmql when atlas >= 1 and island is "x"\n',
        source="w.lf",
    )
    result = rules.evaluate(lead(custom={"atlas": 2, "island": "X"}), now=NOW)
    assert result.mql is True


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PARSED = parse(RULES, source="scoring.lf")


@settings(max_examples=60, deadline=None)
@given(
    employees=st.one_of(st.none(), st.integers(1, 900)),
    title=st.sampled_from([None, "CIO", "VP Sales", "Head of IT", "Engineer", "Werkstudent"]),
    opened=st.integers(0, 4),
    demo=st.booleans(),
)
def test_why_not_agrees_with_the_evaluation(
    employees: int | None, title: str | None, opened: int, demo: bool
) -> None:
    activities = opens(opened) + (
        [{"kind": "demo_request", "at": "2026-11-18T09:00:00+00:00"}] if demo else []
    )
    result = _PARSED.evaluate(
        lead(employees=employees, title=title, activities=activities), now=NOW
    )
    assert result.why_not("mql").startswith("mql happened") is bool(result.mql)
    for temperature in ("hot", "warm", "cold"):
        said = result.why_not(temperature)
        assert said.startswith(f"{temperature} happened") is (result.temperature == temperature)
    coverage = _PARSED.coverage()
    coverage.add(result)
    fired = {(i.what, i.outcome) for i in coverage.items if i.hits}
    assert ("temperature", result.temperature) in fired or result.knocked_out
    assert ("mql", "yes" if result.mql else "no") in fired
    assert all(i.hits <= 1 for i in coverage.items)
