"""Evaluation: fit, engagement, scores, classification, knock-outs, qualification."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from leadflow import LeadValidationError, NaiveDatetimeError, RuleEvaluationError, RuleSyntaxError
from leadflow.rules import Evaluation, parse

from . import oracle
from .helpers import NOW, lead


def fit(rules: str, **fields: Any) -> float:
    return parse(f"score fit {{\n{rules}\n}}\n").evaluate(lead(**fields), now=NOW).scores["fit"]


@pytest.mark.parametrize(
    ("rule", "fields", "expected"),
    [
        ('+10 industry is "Software"', {"industry": "software"}, 10),
        ('+10 industry is "software"', {}, 0),
        ('+10 industry is not "software"', {}, 0),  # missing never matches
        ('+10 industry is not "software"', {"industry": "retail"}, 10),
        ('+10 not industry is "software"', {}, 0),  # not even under `not`
        ("+10 industry is missing", {}, 10),
        ("+10 industry is set", {"industry": "x"}, 10),
        ('+10 industry in ["software", "finance"]', {"industry": "FINANCE"}, 10),
        ('+10 industry not in ["software"]', {"industry": "retail"}, 10),
        ("+10 employees between 50 and 500", {"employees": 50}, 10),
        ("+10 employees between 50 and 500", {"employees": 501}, 0),
        ("+10 employees >= 50", {}, 0),
        ("+10 employees < 50", {"employees": 49}, 10),
        ('+10 title contains "it"', {"title": "Head of IT"}, 10),
        ('+10 title starts with "head"', {"title": "Head of IT"}, 10),
        ('+10 email ends with "@muster.de"', {}, 10),
        ("+10 seniority at least director", {"title": "VP Sales"}, 10),
        ("+10 seniority at least director", {"title": "Head of IT"}, 0),
        ("+10 seniority at most manager", {"title": "Head of IT"}, 10),
        ("+10 seniority at least manager", {}, 0),  # unknown title: missing
        ("+10 seniority is student", {"title": "Werkstudent"}, 10),
        ("+10 buying_role is decision_maker", {"title": "CFO"}, 10),
        ("-30 email is freemail", {"email": "max@gmail.com"}, -30),
        ("-30 email is freemail", {}, 0),
        ("+5 email is business", {}, 5),
        ('+10 email_domain is "muster.de"', {}, 10),
        ('+10 tech_stack contains "SAP"', {"tech_stack": ("sap", "salesforce")}, 10),
        ("+10 tech_stack is missing", {}, 10),
        ('+10 country in ["DE", "AT"] and employees > 10', {"country": "de"}, 0),
        ('+10 country in ["DE", "AT"] or employees > 10', {"country": "de"}, 10),
        (
            '+10 (country is "DE" or country is "AT") and not employees < 10',
            {"country": "AT", "employees": 20},
            10,
        ),
        ('+10 source is "web_form"', {"source": "web_form"}, 10),
    ],
)
def test_fit_conditions(rule, fields, expected):
    assert fit(rule, **fields) == expected


def test_named_lists_and_constants():
    rules = parse(
        'list targets = ["software", "finance"]\nconst min_size = 50\n'
        "score fit {\n  +15 industry in targets\n  +20 employees >= min_size\n}\n"
    )
    result = rules.evaluate(lead(industry="Finance", employees=50), now=NOW)
    assert result.scores["fit"] == 35


ENGAGEMENT = """
score engagement {
  +40        demo_request within 30 days
  +10 each   pricing_page_view within 30 days, at most 30
  +10        content_download at least 3 times within 90 days
  -20        unsubscribe
  -5 each    careers_page_view, at most 10
}
"""


@pytest.mark.parametrize(
    ("acts", "expected"),
    [
        ([("demo_request", 2)], 40),
        ([("demo_request", 31)], 0),
        ([("demo_request", 30)], 40),  # the window includes its last day
        ([("pricing_page_view", d) for d in (1, 2)], 20),
        ([("pricing_page_view", d) for d in (1, 2, 3, 4, 5)], 30),  # capped
        ([("content_download", d) for d in (1, 50)], 0),
        ([("content_download", d) for d in (1, 50, 89)], 10),
        ([("unsubscribe", 400)], -20),
        ([("careers_page_view", d) for d in (1, 2, 3)], -10),  # negative cap
        ([("demo_request", -1)], 0),  # after `now`: not happened yet
    ],
)
def test_engagement_windows_counts_caps(acts, expected):
    rules = parse(ENGAGEMENT)
    assert rules.evaluate(lead(acts=acts), now=NOW).scores["engagement"] == expected


def test_decay_halves_per_full_period():
    rules = parse(
        "score engagement {\n  +10 each pricing_page_view, at most 100\n"
        "  +20 demo_request within 90 days\n  decay half every 30 days\n}\n"
    )
    acts = [
        ("pricing_page_view", 5),
        ("pricing_page_view", 35),
        ("pricing_page_view", 65),
        ("demo_request", 40),
    ]
    # 10 + 5 + 2.5 for the views, 20 halved once for the demo request
    assert rules.evaluate(lead(acts=acts), now=NOW).scores["engagement"] == 27.5


def test_decay_by_percent_per_month():
    rules = parse(
        "score engagement {\n  +100 each webinar_attended\n  decay 25% every 1 month\n}\n"
    )
    acts = [("webinar_attended", 10), ("webinar_attended", 40), ("webinar_attended", 70)]
    assert rules.evaluate(lead(acts=acts), now=NOW).scores["engagement"] == 100 + 75 + 56.25


@pytest.mark.parametrize("acts", [[], [("demo_request", 40)], [("demo_request", 0.1)]])
def test_decay_of_a_rule_that_holds_without_activity(acts):
    # "at least 0 times" holds with no activity at all: nothing to age, so it never decays
    # (this raised IndexError in the generic and the fast path)
    rules = parse(
        "score engagement {\n  +10 demo_request at least 0 times within 1 days\n"
        "  decay half every 30 days\n}\n"
    )
    result = rules.evaluate(lead(acts=acts), now=NOW)
    assert result.scores["engagement"] == 10
    assert [c.points for c in result.contributions] == [10]
    assert oracle.evaluate(rules, lead(acts=acts), NOW).scores == result.scores
    assert rules.score(lead(acts=acts), now=NOW) == {"engagement": 10}


def test_caps_floors_and_formulas_appear_in_contributions():
    rules = parse(
        "score fit {\n  +80 employees > 10\n  +50 industry is set\n  at most 100\n}\n"
        "score risk {\n  -30 email is freemail\n  at least -10\n}\n"
        "score total = fit + risk\n"
    )
    result = rules.evaluate(lead(employees=20, industry="x", email="a@gmail.com"), now=NOW)
    assert dict(result.scores) == {"fit": 100, "risk": -10, "total": 90}
    for name, total in result.scores.items():
        assert sum(c.points for c in result.contributions if c.score == name) == total
    cap = [c for c in result.contributions if c.rule == "at most 100"]
    assert cap[0].points == -30
    assert cap[0].line == 4


WEIGHTED = """
score fit {
  +33 employees between 50 and 500
}
score engagement {
  +7 each pricing_page_view, at most 70
}
score risk {
  +10 email is freemail
}
score total = 0.6 * fit + 0.4 * engagement - 0.5 * risk
score odd = 0.333 * fit + 0.667 * engagement - risk
"""


def test_formulas_weigh_scores_and_each_term_is_rounded_like_a_score():
    rules = parse(WEIGHTED, source="w.lf")
    acts = [("pricing_page_view", 1)] * 3
    result = rules.evaluate(lead(employees=80, email="a@gmail.com", acts=acts), now=NOW)
    # 0.6 * 33 + 0.4 * 21 - 0.5 * 10; 0.333 * 33 = 10.989 -> 10.99, 0.667 * 21 = 14.007 -> 14.01
    assert dict(result.scores) == {
        "fit": 33,
        "engagement": 21,
        "risk": 10,
        "total": 23.2,
        "odd": 15,
    }
    terms = [(c.rule, c.points) for c in result.contributions if c.score in {"total", "odd"}]
    assert terms == [
        ("+ 0.6 * fit", 19.8),
        ("+ 0.4 * engagement", 8.4),
        ("- 0.5 * risk", -5),
        ("+ 0.333 * fit", 10.99),
        ("+ 0.667 * engagement", 14.01),
        ("- risk", -10),
    ]
    for name, total in result.scores.items():
        assert sum(c.points for c in result.contributions if c.score == name) == pytest.approx(
            total, abs=1e-9
        )
    assert "    +19.8  w.lf:11          + 0.6 * fit  (fit 33)" in result.explain()
    assert rules.score(lead(employees=80, email="a@gmail.com", acts=acts), now=NOW) == dict(
        result.scores
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("score total = 0.6 fit", "w.lf:11:19: expected '*', found 'fit'"),
        ("score total = fit * 2", "w.lf:11:19: expected '+' or '-' or end of line, found '*'"),
        ("score total = 0.6 * 0.4", "w.lf:11:21: expected a name, found '0.4'"),
        ("score total = 0.5 * fitt", "unknown score 'fitt'"),
    ],
)
def test_formula_mistakes_are_reported_in_words(line, message):
    with pytest.raises(RuleSyntaxError) as caught:
        parse(
            WEIGHTED.replace("score total = 0.6 * fit + 0.4 * engagement - 0.5 * risk", line),
            source="w.lf",
        )
    assert message in str(caught.value)


CLASSIFY = """
score fit {
  +40 employees between 50 and 500
  +20 seniority at least director
}
score engagement {
  +40 demo_request within 30 days
  +10 each pricing_page_view within 30 days, at most 30
}
grade position {
  A when seniority at least vp
  B when seniority at least manager
  C otherwise
}
grade size {
  A when employees >= 1200
  B when employees >= 200
  C otherwise
}
knockout student when seniority is student
knockout private_person when email is freemail
temperature {
  hot  when fit >= 40 and engagement >= 40
  warm when fit >= 25 and engagement >= 10
  cold otherwise
}
mql when fit >= 40 and engagement >= 25
"""


def test_temperature_mql_grades():
    rules = parse(CLASSIFY, source="classify.lf")
    hot = rules.evaluate(lead(title="VP IT", employees=300, acts=[("demo_request", 1)]), now=NOW)
    assert (hot.temperature, hot.mql, dict(hot.grades)) == (
        "hot",
        True,
        {"position": "A", "size": "B"},
    )
    warm = rules.evaluate(lead(employees=300, acts=[("pricing_page_view", 1)]), now=NOW)
    assert (warm.temperature, warm.mql) == ("warm", False)
    assert warm.grades["position"] == "C"
    cold = rules.evaluate(lead(), now=NOW)
    assert (cold.temperature, cold.mql) == ("cold", False)


def test_knockouts_disqualify_with_reason_codes():
    rules = parse(CLASSIFY)
    result = rules.evaluate(
        lead(
            title="Werkstudent",
            email="x@gmail.com",
            employees=300,
            acts=[("demo_request", 1), ("pricing_page_view", 1)],
        ),
        now=NOW,
    )
    assert result.knocked_out
    assert result.reasons == ("student", "private_person")
    assert (result.temperature, result.mql) == ("cold", False)
    assert result.scores["engagement"] == 50  # scores stay visible for explain()
    assert "knockout student" in result.explain()


def test_grade_counts_the_sql_rule_of_the_source():
    rules = parse(
        CLASSIFY.replace("mql when", "knockout no_icp_fit when at least 2 grades are C\nmql when")
        + "\n"
    )
    result = rules.evaluate(lead(), now=NOW)
    assert result.reasons == ("no_icp_fit",)
    sql = parse(
        CLASSIFY.replace(
            "mql when fit >= 40 and engagement >= 25",
            "mql when at least 1 grade is A and at least 2 grades are B or better",
        )
    )
    assert sql.evaluate(lead(title="CEO", employees=300), now=NOW).mql is True
    assert sql.evaluate(lead(title="Head of IT", employees=300), now=NOW).mql is False


def test_mql_may_use_the_temperature():
    rules = parse(
        CLASSIFY.replace("mql when fit >= 40 and engagement >= 25", "mql when temperature is hot")
    )
    assert rules.evaluate(
        lead(title="VP IT", employees=300, acts=[("demo_request", 1)]), now=NOW
    ).mql


BANT = """
use bant
score engagement {
  +10 each pricing_page_view within 30 days, at most 30
}
"""


def test_bant_with_answers_from_sales():
    rules = parse(BANT)
    answers = {"budget": "approved", "authority": "decision_maker", "need": "confirmed"}
    result = rules.evaluate(lead(acts=[("pricing_page_view", 3)]), now=NOW, answers=answers)
    q = result.qualification
    assert q is not None
    assert (q.framework, q.passed, q.positive) == ("bant", True, 3)
    assert dict(q.grades) == {"budget": "A", "authority": "A", "need": "B", "timeline": "D"}
    assert q.answers["timeline"] == "unknown"
    unanswered = rules.evaluate(lead(acts=[("pricing_page_view", 3)]), now=NOW)
    assert unanswered.qualification is not None
    assert not unanswered.qualification.passed


def test_a_file_overrides_parts_of_a_template():
    rules = parse(
        BANT + "qualification bant {\n  criterion budget approved A, planned A, none F, unknown D\n"
        "  pass when positive >= 2\n}\n"
    )
    result = rules.evaluate(lead(), now=NOW, answers={"budget": "planned", "need": "urgent"})
    assert result.qualification is not None
    assert result.qualification.passed
    assert result.qualification.grades["budget"] == "A"


def test_answers_from_a_crm_ignore_case_and_an_empty_one_is_unknown():
    rules = parse(BANT)
    answers = {"budget": " Approved ", "authority": "Decision Maker", "need": None, "timeline": " "}
    q = rules.evaluate(lead(), now=NOW, answers=answers).qualification
    assert q is not None
    assert dict(q.answers) == {
        "budget": "approved",
        "authority": "decision_maker",
        "need": "unknown",
        "timeline": "unknown",
    }
    with pytest.raises(RuleEvaluationError, match="the answer for 'budget' must be text"):
        rules.evaluate(lead(), now=NOW, answers={"budget": 3})  # type: ignore[dict-item]


def test_bad_answers_are_refused_with_the_choices():
    rules = parse(BANT)
    with pytest.raises(RuleEvaluationError, match="'budget' cannot be answered 'maybe' in bant"):
        rules.evaluate(lead(), now=NOW, answers={"budget": "maybe"})
    with pytest.raises(RuleEvaluationError, match="did you mean 'budget'"):
        rules.evaluate(lead(), now=NOW, answers={"budgt": "approved"})


def test_dict_leads_are_validated_and_now_must_be_aware():
    rules = parse("score fit {\n  +10 employees > 5\n}\n")
    result = rules.evaluate(
        {"id": "L-2", "company": "A", "email": "a@a.de", "employees": 9}, now=NOW
    )
    assert isinstance(result, Evaluation)
    assert result.scores["fit"] == 10
    with pytest.raises(LeadValidationError):
        rules.evaluate({"id": "L-3", "company": "", "email": "nope"}, now=NOW)
    with pytest.raises(NaiveDatetimeError):
        rules.evaluate(lead(), now=datetime(2026, 11, 20))


def test_custom_fields_declared_by_host_or_file():
    by_host = parse(
        'score fit {\n  +10 plan is "pro"\n  +5 arr > 1000\n  +1 partner\n}\n',
        fields={"plan": "text", "arr": "number", "partner": "flag"},
    )
    custom = {"plan": "Pro", "arr": 5000, "partner": True}
    assert by_host.score(lead(custom=custom), now=NOW) == {"fit": 16}
    in_file = parse('field plan is text\nscore fit {\n  +10 plan is "pro"\n}\n')
    assert in_file.score(lead(custom={"plan": "pro"}), now=NOW) == {"fit": 10}
    with pytest.raises(RuleEvaluationError, match="declared as number") as info:
        by_host.evaluate(lead(custom={"arr": "lots"}), now=NOW)
    assert (info.value.field, info.value.rule, info.value.line) == ("arr", "arr > 1000", 3)


def test_host_activity_kinds_and_reasons():
    rules = parse(
        "score engagement {\n  +10 partner_referral within 30 days\n}\n"
        "knockout blocked when email is freemail\n",
        activity_kinds={"partner_referral"},
        reasons={"blocked"},
    )
    result = rules.evaluate(lead(acts=[("partner_referral", 1)], email="a@gmx.de"), now=NOW)
    assert result.scores["engagement"] == 10
    assert result.reasons == ("blocked",)


def test_score_fast_path_equals_evaluate():
    rules = parse(CLASSIFY)
    leads = [
        lead(title="VP IT", employees=300, acts=[("pricing_page_view", d) for d in range(4)]),
        lead(),
        lead(employees=100, acts=[("demo_request", 3)]),
    ]
    assert rules.score_many(leads, now=NOW) == [
        dict(rules.evaluate(x, now=NOW).scores) for x in leads
    ]


def test_contributions_name_rule_line_points_values():
    rules = parse(CLASSIFY, source="classify.lf")
    result = rules.evaluate(
        lead(
            title="VP IT", employees=300, acts=[("pricing_page_view", 1), ("pricing_page_view", 2)]
        ),
        now=NOW + timedelta(hours=1),
    )
    first, *_ = result.contributions
    assert first.score == "fit"
    assert first.rule == "+40 employees between 50 and 500"
    assert (first.source, first.line, first.points) == ("classify.lf", 3, 40)
    assert first.values == (("employees", 300),)
    views = next(c for c in result.contributions if "pricing" in c.rule)
    assert views.points == 20
    assert views.values == (("pricing_page_view", 2),)


def test_explain_prints_every_figure_exactly():
    rules = parse(
        "score s {\n  +12345.67 employees > 5\n  +0.01 employees > 5\n}\nscore t = 0.333 * s\n",
        source="x.lf",
    )
    text = rules.evaluate(lead(employees=10), now=NOW).explain()
    assert "score s = 12345.68" in text
    assert "+12345.67  x.lf:2" in text
    assert "+0.01  x.lf:3" in text
    assert "score t = 4111.11" in text  # 0.333 * 12345.68 = 4111.11144, to two decimals
    assert "+ 0.333 * s  (s 12345.68)" in text
