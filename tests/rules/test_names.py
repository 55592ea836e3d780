"""Names in a rule file: words of the language, clashes, duplicates and helpful hints."""

from __future__ import annotations

import pytest

from leadflow import RuleSyntaxError
from leadflow.rules import parse
from leadflow.rules._check.scope import SUGGESTED

from .helpers import NOW


def error_of(text: str) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text, source="n.lf")
    return caught.value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "score and {\n  +1 industry is set\n}\n",
            "n.lf:1:7: 'and' is a word of the rule language; choose another score name",
        ),
        (
            "use bant\nscore positive {\n  +1 industry is set\n}\n",
            "n.lf:2:7: 'positive' is a word of the rule language; choose another score name",
        ),
        (
            "score temperature {\n  +1 industry is set\n}\n",
            "n.lf:1:7: 'temperature' is a word of the rule language; choose another score name",
        ),
        (
            'list not = ["a"]\n',
            "n.lf:1:6: 'not' is a word of the rule language; choose another list name",
        ),
        (
            "const each = 5\n",
            "n.lf:1:7: 'each' is a word of the rule language; choose another constant name",
        ),
    ],
)
def test_words_of_the_language_are_not_names(text, message):
    assert message in str(error_of(text))


QUALIFICATION = """
score fit {
  +1 industry is set
}
const size = 5
qualification q {
  criterion NAME  yes A, no F, unknown D
  pass when positive >= 1
}
"""


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("employees", "a lead field or activity"),
        ("demo_request", "a lead field or activity"),
        ("fit", "a score"),
        ("size", "a constant"),
        ("at", "a word of the rule language"),
    ],
)
def test_a_criterion_does_not_hide_another_name(name, what):
    error = error_of(QUALIFICATION.replace("NAME", name))
    is_ = "is" if what == "a word of the rule language" else "is already"
    assert f"n.lf:7:13: '{name}' {is_} {what}; choose another criterion name" in str(error)


def test_a_criterion_is_defined_once_per_qualification():
    text = QUALIFICATION.replace("NAME", "budget").replace(
        "  pass when", "  criterion budget  yes B, no F, unknown D\n  pass when"
    )
    assert "n.lf:8:3: criterion budget is already defined at n.lf:7" in str(error_of(text))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "qualification bnt {\n  pass when positive >= 3\n}\n",
            "n.lf:1:1: qualification bnt has no criteria (did you mean 'use bant'?)",
        ),
        (
            "qualification bant {\n  pass when positive >= 3\n}\n",
            "n.lf:1:1: qualification bant has no criteria (did you mean 'use bant'?)",
        ),
        ("qualification q {\n}\n", "n.lf:1:1: qualification q has no criteria\n"),
    ],
)
def test_a_qualification_without_criteria_points_at_the_templates(text, message):
    assert message in str(error_of(text))


def test_an_empty_qualification_reports_what_is_missing_and_nothing_else():
    error = error_of("qualification q {\n}\n")
    assert [str(e).splitlines()[0] for e in error.errors] == [
        "n.lf:1:1: qualification q has no criteria",
        "n.lf:1:1: qualification q needs a 'pass when ...' line",
    ]


def test_a_misspelt_constant_gets_a_suggestion():
    error = error_of("const min_size = 50\nscore fit {\n  +1 employees >= min_sise\n}\n")
    assert (
        "n.lf:3:19: unknown constant 'min_sise' (did you mean 'min_size'?); employees is a "
        "number, so compare it with a number or a constant"
    ) in str(error)


def test_a_window_on_a_field_says_windows_are_for_activities():
    error = error_of("score fit {\n  +1 industry within 30 days\n}\n")
    assert (
        "n.lf:2:6: 'industry' is a lead field, not an activity; 'within' and 'times' apply "
        "to activities"
    ) in str(error)


def test_a_file_cannot_change_the_type_of_a_host_field():
    with pytest.raises(RuleSyntaxError) as caught:
        parse("field plan is number\n", source="n.lf", fields={"plan": "text"})
    assert "n.lf:1:1: field 'plan' is declared by the host application as text, not number" in (
        str(caught.value)
    )
    rules = parse("field plan is text\n", source="n.lf", fields={"plan": "text"})
    assert rules.score_names == ()


def test_chains_of_score_formulas_cannot_multiply_points_without_bound():
    text = "score s0 {\n  +1000000000000 employees > 1\n}\n" + "".join(
        f"score s{i} = 1000000000000 * s{i - 1}\n" for i in range(1, 30)
    )
    error = error_of(text + "score d = s29 - s29\n")
    assert all("multiplies points by up to" in str(e) for e in error.errors)
    assert str(error.errors[0]).startswith(
        "n.lf:5:1: score s2 multiplies points by up to 1e+24 through its weights (and those of "
        "the formulas it uses); at most 1,000,000,000,000 is allowed"
    )
    rules = parse(text.split("score s2")[0], source="n.lf")
    result = rules.evaluate({"id": "L", "company": "C", "email": "a@c.de", "employees": 5}, now=NOW)
    assert result.scores["s1"] == 1e24
    assert "score s1 = 1e+24" in result.explain()


def test_a_criterion_has_the_same_answers_in_every_qualification():
    text = (
        "qualification q {\n  criterion c  good A, unknown D\n  pass when positive >= 1\n}\n"
        "qualification r {\n  criterion c  bad F, unknown D\n  pass when positive >= 1\n}\n"
    )
    assert (
        "n.lf:6:3: criterion c has the answers bad, unknown here but good, unknown in "
        "qualification q at n.lf:2; sales answers a criterion once, so give it the same answers "
        "in every qualification\n"
    ) in str(error_of(text))
    override = (
        "use bant\nuse champ\nqualification bant {\n  criterion authority yes A, unknown D\n}\n"
    )
    assert str(error_of(override)).startswith(
        "n.lf:4:3: criterion authority has the answers yes, unknown here but decision_maker, "
        "influencer, user, unknown in qualification champ at champ.lf:9; sales answers a "
        "criterion once, so give it the same answers in every qualification (override it in "
        "champ too)"
    )
    assert parse("use bant\nuse champ\nuse meddic\n").qualification_names == (
        "bant",
        "champ",
        "meddic",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "activity employees, fair_scan\n",
            "n.lf:1:10: 'employees' is a lead field; choose another activity name",
        ),
        (
            "activity is\n",
            "n.lf:1:10: 'is' is a word of the rule language; choose another activity name",
        ),
        ('const freemail = "x"\n', "n.lf:1:7: 'freemail' is a word of the rule language"),
        ("const hot = 5\n", "n.lf:1:7: 'hot' is a word of the rule language"),
    ],
)
def test_activities_and_constants_do_not_hide_fields_or_words(text, message):
    assert message in str(error_of(text))


def test_common_words_the_language_does_not_need_are_names():
    text = (
        "activity webinar, test\n"
        'list business = ["a"]\n'
        "field time is number\n"
        "score lead {\n  +1 webinar within 30 days\n  +1 industry in business\n}\n"
        "score activity = lead\n"
        "grade set {\n  A when time > 1\n  C otherwise\n}\n"
        "mql when activity >= 1 and set is A\n"
    )
    rules = parse(text, source="n.lf")
    assert rules.score_names == ("lead", "activity")
    assert rules.grade_names == ("set",)


def test_answers_may_be_called_yes_and_no():
    rules = parse(
        "qualification q {\n  criterion c  yes A, no F, unknown D\n  pass when c is yes\n}\n"
    )
    lead = {"id": "L", "company": "C", "email": "a@c.de"}
    passed = [
        rules.evaluate(lead, now=NOW, answers={"c": answer}).qualification.passed  # type: ignore[union-attr]
        for answer in ("yes", "no", "unknown")
    ]
    assert passed == [True, False, False]


def test_only_the_first_errors_get_a_suggestion():
    text = "const min_size = 5\nscore s {\n" + "  +1 employees > min_sise\n" * 60 + "}\n"
    errors = error_of(text).errors
    assert len(errors) == 60
    hinted = ["did you mean 'min_size'" in str(e) for e in errors]
    assert hinted == [True] * SUGGESTED + [False] * (60 - SUGGESTED)


def test_a_named_list_is_checked_once_however_many_rules_use_it(monkeypatch):
    from leadflow.rules._check.scope import Check

    calls = 0
    expect = Check.expect

    def counted(self: Check, literal: object, type_: str, what: str) -> object:
        nonlocal calls
        calls += 1
        return expect(self, literal, type_, what)  # type: ignore[arg-type]

    monkeypatch.setattr(Check, "expect", counted)
    items = ", ".join(f'"v{i}"' for i in range(100))
    uses = "".join(f"  +1 industry in big and employees > {i}\n" for i in range(50))
    parse(f"list big = [{items}]\nscore s {{\n{uses}}}\n")
    assert calls == 100 + 50  # the list's items once, each rule's number once
