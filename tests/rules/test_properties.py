"""Properties: the parser only raises positioned RuleSyntaxErrors; evaluation is total,
deterministic, and explain() adds up to the scores."""

from __future__ import annotations

import re
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow import Lead, RuleSyntaxError
from leadflow.rules import parse

from .helpers import NOW

KEYWORDS = [
    "score",
    "fit",
    "{",
    "}",
    "+10",
    "-5",
    "each",
    "within",
    "30",
    "days",
    "at",
    "most",
    "least",
    "employees",
    "industry",
    "is",
    "not",
    "in",
    "[",
    "]",
    '"x"',
    ",",
    "and",
    "or",
    "(",
    ")",
    "mql",
    "when",
    "temperature",
    "hot",
    "otherwise",
    "grade",
    "A",
    "knockout",
    "student",
    "seniority",
    "director",
    "test",
    "now",
    "2026-11-20",
    "12:00",
    "UTC",
    "lead",
    "expect",
    "\n",
    " ",
    "#",
    "use",
    "bant",
    "list",
    "=",
    "decay",
    "half",
    "every",
    ">=",
]


def check_position(text: str, error: RuleSyntaxError) -> None:
    lines = re.split(r"\r\n|\r|\n", text)  # the line breaks of a rule file
    assert 1 <= error.line <= len(lines)
    assert 1 <= error.column <= len(lines[error.line - 1]) + 1
    for each in error.errors:
        assert 1 <= each.line <= len(lines)
        assert 1 <= each.column <= len(lines[each.line - 1]) + 1


LARK_WORDS = re.compile(
    r"\$END|Token\(|__ANON|\b(NAME|STRING|NUMBER|POINTS|_NL|LBRACE|RBRACE|LPAR|RPAR|COMMA|UNIT|GRADE|CMP)\b"
)


def check_words(error: RuleSyntaxError) -> None:
    assert not LARK_WORDS.search(str(error)), str(error)


@given(st.text(max_size=300))
def test_arbitrary_text_raises_only_positioned_syntax_errors(text):
    try:
        parse(text, source="fuzz.lf")
    except RuleSyntaxError as error:
        check_position(text, error)


LARK_WORDS = re.compile(
    r"\$END|Token\(|__ANON|\b(NAME|STRING|NUMBER|POINTS|_NL|LBRACE|RBRACE|LPAR|RPAR|COMMA|UNIT|GRADE|CMP)\b"
)


@given(st.lists(st.sampled_from(KEYWORDS), max_size=60).map(" ".join))
def test_keyword_soup_raises_only_positioned_syntax_errors(text):
    try:
        parse(text, source="fuzz.lf")
    except RuleSyntaxError as error:
        check_position(text, error)
        check_words(error)


FIT = [
    "industry in targets",
    'industry is "software"',
    "industry is missing",
    "employees between {a} and {b}",
    "employees >= {a}",
    "not employees < {a}",
    "seniority at least {level}",
    "seniority is {level}",
    "email is freemail",
    "email is business",
    'country in ["DE", "AT"] or employees > {a}',
    'title contains "head" and not industry is set',
    "buying_role is decision_maker",
    "{kind} within {a} days",
    "{kind} at least 2 times within {a} days",
    "{kind} at least 0 times within {a} days",
]
KINDS = ["demo_request", "pricing_page_view", "content_download", "unsubscribe"]
LEVELS = ["student", "individual", "manager", "director", "vp", "c_level"]


@st.composite
def rule_files(draw):
    def condition() -> str:
        a = draw(st.integers(1, 300))
        template: str = draw(st.sampled_from(FIT))
        return template.format(
            a=a,
            b=a + draw(st.integers(0, 500)),
            level=draw(st.sampled_from(LEVELS)),
            kind=draw(st.sampled_from(KINDS)),
        )

    fit = [
        f"  {draw(st.sampled_from(['+', '-']))}{draw(st.integers(1, 40))} {condition()}"
        for _ in range(draw(st.integers(1, 6)))
    ]
    engagement = [
        f"  +{draw(st.integers(1, 20))} each {draw(st.sampled_from(KINDS))} within "
        f"{draw(st.integers(1, 120))} days, at most {draw(st.integers(1, 50))}"
        for _ in range(draw(st.integers(0, 3)))
    ]
    engagement += [  # single activity tests, which decay by the age of the n-th activity
        f"  +{draw(st.integers(1, 40))} {draw(st.sampled_from(KINDS))} at least "
        f"{draw(st.integers(0, 3))} times within {draw(st.integers(1, 120))} days"
        for _ in range(draw(st.integers(0, 2)))
    ]
    if draw(st.booleans()):
        engagement.append(f"  decay {draw(st.sampled_from(['half', '25%']))} every 30 days")
    caps = ["  at most 60"] if draw(st.booleans()) else []
    hot, warm = draw(st.integers(20, 80)), draw(st.integers(0, 19))
    return (
        "\n".join(
            [
                'list targets = ["software", "finance"]',
                "score fit {",
                *fit,
                *caps,
                "}",
                "score engagement {",
                *engagement,
                "  -1 unsubscribe",
                "}",
                "score total = 0.6 * fit + 0.4 * engagement - 0.07 * fit",
                "grade position {",
                "  A when seniority at least vp",
                "  C otherwise",
                "}",
                f"knockout student when {condition()}",
                "temperature {",
                f"  hot when fit >= {hot} and engagement > 0",
                f"  warm when total >= {warm}",
                "  cold otherwise",
                "}",
                "mql when fit >= 10 and (engagement >= 5 or at least 1 grade is A)",
                "use bant",
            ]
        )
        + "\n"
    )


@st.composite
def leads(draw):
    activities = [
        {
            "kind": draw(st.sampled_from(KINDS)),
            "at": NOW - timedelta(hours=draw(st.integers(-48, 24 * 200))),
        }
        for _ in range(draw(st.integers(0, 8)))
    ]
    return Lead.model_validate(
        {
            "id": "L-p",
            "company": "C",
            "email": draw(st.sampled_from(["a@muster.de", "b@gmail.com"])),
            "title": draw(st.sampled_from([None, "CEO", "Head of IT", "Werkstudent", "Engineer"])),
            "industry": draw(st.sampled_from([None, "Software", "retail"])),
            "employees": draw(st.one_of(st.none(), st.integers(1, 5000))),
            "country": draw(st.sampled_from([None, "DE", "FR"])),
            "activities": activities,
        }
    )


ANSWERS = st.fixed_dictionaries(
    {},
    optional={
        "budget": st.sampled_from(["approved", "planned", "none", "unknown"]),
        "need": st.sampled_from(["urgent", "confirmed", "vague", "none", "unknown"]),
    },
)


@settings(max_examples=120)
@given(rule_files(), st.lists(leads(), min_size=1, max_size=4), ANSWERS)
def test_generated_rules_evaluate_totally_and_explain_adds_up(text, sample, answers):
    rules = parse(text, source="gen.lf")
    for lead in sample:
        result = rules.evaluate(lead, now=NOW, answers=answers)
        for name, total in result.scores.items():
            points = sum(c.points for c in result.contributions if c.score == name)
            assert abs(points - total) < 1e-6, (name, result.explain())
        again = rules.evaluate(lead, now=NOW, answers=answers)
        assert again.explain() == result.explain()
        assert again.contributions == result.contributions
        assert rules.score(lead, now=NOW) == dict(result.scores)
        assert result.temperature in {"hot", "warm", "cold"}
        if result.knocked_out:
            assert result.mql is False
