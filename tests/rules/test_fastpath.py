"""The engine agrees with the oracle: same evaluation, same contributions, same explain.

``RuleSet.evaluate`` runs :class:`~leadflow.rules._engine.engine.Engine` (value rules, tables,
activity counts, written-out ``and``); :func:`tests.rules.oracle.evaluate`, a slow line-by-line
interpreter kept only in the tests, is the reference it must match on generated files and leads.
"""

from __future__ import annotations

import math
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow import Lead
from leadflow.rules import parse
from leadflow.rules._compile.predicates import (
    all_of,
    all_of_loop,
    all_of_scores,
    any_of,
    any_of_loop,
    operator,
)

from . import oracle
from .helpers import NOW
from .test_properties import ANSWERS, leads, rule_files

KINDS = ["demo_request", "pricing_page_view", "content_download", "unsubscribe"]
LEVELS = ["student", "individual", "manager", "director", "vp", "c_level"]

# every shape a scoring line can take, the simple ones turned into value rules
SHAPES = [
    'industry in ["software", "finance"]',
    'industry not in ["software", "finance"]',
    'industry is "software"',
    'industry is not "software"',
    "industry is missing",
    "industry is set",
    'title contains "head"',
    'title starts with "head"',
    'email ends with "@muster.de"',
    'email_domain is "gmail.com"',
    "employees between {a} and {b}",
    "employees >= {a}",
    "employees > {a}",
    "employees <= {a}",
    "employees < {a}",
    "employees is {a}",
    "employees is not {a}",
    "employees in [{a}, {b}]",
    "seniority at least {level}",
    "seniority at most {level}",
    "seniority is {level}",
    "seniority in [{level}, manager]",
    "buying_role is decision_maker",
    "email is freemail",
    "email is business",
    'tech_stack contains "sap"',
    "not employees < {a}",
    'country in ["DE", "AT"] or employees > {a}',
    "{kind} within {c} days",
    "{kind}",
    "{kind} at least {n} times within {c} days",
    "{kind} at least {n} times",
    "partner",
    'plan is "pro"',
    "arr >= {a}",
]


# the shapes that become value rules (the others read all the facts)
VALUE_SHAPES = [
    shape
    for shape in SHAPES
    if not any(word in shape for word in ("missing", " set", "not employees", " or ", "partner"))
]


@st.composite
def shaped_files(draw: st.DrawFn, *, scores_only: bool = False) -> str:
    """Rule files using every shape; with ``scores_only``, classification reads only scores."""

    def line() -> str:
        a = draw(st.integers(1, 300))
        shape: str = draw(st.sampled_from(VALUE_SHAPES if scores_only else SHAPES))
        condition = shape.format(
            a=a,
            b=a + draw(st.integers(0, 500)),
            c=draw(st.integers(1, 120)),
            n=draw(st.integers(0, 4)),
            level=draw(st.sampled_from(LEVELS)),
            kind=draw(st.sampled_from(KINDS)),
        )
        points = draw(st.sampled_from(["+10", "-5", "+0", "+2.5", "-0.35", "+100"]))
        return f"  {points} {condition}"

    def each() -> str:
        points = draw(st.sampled_from(["+10", "-5", "+0.3", "+0", "+7"]))
        window = draw(st.one_of(st.none(), st.integers(1, 120)))
        cap = draw(st.one_of(st.none(), st.integers(0, 80), st.just(10_000)))
        text = f"  {points} each {draw(st.sampled_from(KINDS))}"
        if window is not None:
            text += f" within {window} days"
        if cap is not None:
            text += f", at most {cap}"
        return text

    fit = [line() for _ in range(draw(st.integers(0, 6)))]
    engagement = [
        draw(st.one_of(st.builds(line), st.builds(each))) for _ in range(draw(st.integers(0, 5)))
    ]
    if draw(st.booleans()):
        engagement.append(f"  decay {draw(st.sampled_from(['half', '25%']))} every 30 days")
    limits = []
    if draw(st.booleans()):
        limits.append(f"  at most {draw(st.integers(0, 60))}")
    if draw(st.booleans()):
        limits.append(f"  at least {draw(st.integers(-60, 0))}")
    hot = draw(st.integers(0, 80))

    def blocks(fit_limits: list[str], engagement: list[str]) -> list[str]:
        """The custom fields and the two score blocks."""
        return [
            "field partner is flag",
            "field plan is text",
            "field arr is number",
            "score fit {",
            *fit,
            *fit_limits,
            "}",
            "score engagement {",
            *engagement,
            "}",
        ]

    if scores_only:
        total = "total" if draw(st.booleans()) else "fit"  # without a formula, or with one
        return "\n".join(
            [
                *blocks(
                    limits if total == "total" else [],
                    [line for line in engagement if "decay" not in line],
                ),
                "score total = 0.35 * fit - engagement" if total == "total" else "",
                "temperature {",
                f"  hot when fit >= {hot} and engagement >= {hot // 2} and {total} > -100",
                f"  warm when {total} is {hot // 3}",
                f"  warm when fit > {hot // 3}",
                "  cold otherwise",
                "}",
                f"mql when {total} >= {hot // 2} and fit < {hot + 1}",
            ]
        )
    return "\n".join(
        [
            *blocks(limits, engagement),
            "score total = fit + 0.5 * engagement - 1.25 * fit",
            "grade size {",
            "  A when employees >= 500 and fit > 0",
            "  B when at least 1 grade is A",
            "  C otherwise",
            "}",
            "knockout student when seniority is student",
            "temperature {",
            f"  hot when fit >= {hot} and engagement >= {hot // 2} and total > -100",
            f"  warm when fit > {hot // 3} or engagement is 10",
            "  cold otherwise",
            "}",
            f"mql when total >= {hot // 2} and temperature in [hot, warm] and not knocked out",
        ]
    )


@st.composite
def custom_leads(draw: st.DrawFn) -> Lead:
    base = draw(leads())
    custom = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "partner": st.booleans(),
                "plan": st.sampled_from(["Pro", "free"]),
                "arr": st.integers(0, 600),
            },
        )
    )
    extra = draw(
        st.lists(st.tuples(st.sampled_from(KINDS), st.integers(-48, 24 * 130)), max_size=6)
    )
    activities = [*base.activities]
    activities += [{"kind": kind, "at": NOW - timedelta(hours=hours)} for kind, hours in extra]
    data: dict[str, Any] = base.model_dump()
    data.update(custom=custom, activities=activities, tech_stack=("SAP",))
    return Lead.model_validate(data)


def agree(text: str, lead: Lead, answers: dict[str, str]) -> None:
    rules = parse(text, source="gen.lf")
    program = rules._program
    fast = rules.evaluate(lead, now=NOW, answers=answers)
    generic = oracle.evaluate(rules, lead, NOW, answers)
    assert fast == generic, (fast, generic)
    assert fast.contributions == generic.contributions
    assert fast.explain() == generic.explain()
    facts = oracle.facts(program, lead, NOW)
    scores, trace = oracle.scores_traced(program, facts)
    assert scores == dict(fast.scores)
    # contributions are built from what evaluate recorded; they are those of the rules run
    reference = tuple(oracle.contribution(rule, points, facts) for rule, points in trace)
    assert fast.contributions == reference
    assert generic.contributions == reference
    # same record, a line worth nothing that counted (-0.0) included
    assert [math.copysign(1.0, p) for p in fast.trace[2:]] == [
        math.copysign(1.0, p) for p in generic.trace[2:]
    ]
    for name, total in scores.items():  # the contributions add up to the scores
        assert abs(sum(points for rule, points in trace if rule.score == name) - total) < 1e-6
    assert rules.score(lead, now=NOW) == scores
    assert rules.score_many([lead, lead], now=NOW) == [scores, scores]


@settings(max_examples=150)
@given(shaped_files(), st.lists(custom_leads(), min_size=1, max_size=3))
def test_the_engine_agrees_with_the_oracle_on_every_shape(text, sample):
    for lead in sample:
        agree(text, lead, {})


@settings(max_examples=100)
@given(shaped_files(scores_only=True), st.lists(custom_leads(), min_size=1, max_size=3))
def test_the_engine_agrees_with_the_oracle_when_only_scores_classify(text, sample):
    assert parse(text)._engine._light  # the scores are the facts
    for lead in sample:
        agree(text, lead, {})


@settings(max_examples=60)
@given(rule_files(), leads(), ANSWERS)
def test_the_engine_agrees_with_the_oracle_with_templates_and_answers(text, lead, answers):
    agree(text, lead, answers)


def test_the_benchmark_rules_agree():
    text = """
list target_industries = ["software", "manufacturing", "finance"]
score fit {
  +15  industry in target_industries
  +20  employees between 50 and 500
  +15  seniority at least director
  -30  email is freemail
}
score engagement {
  +40        demo_request within 30 days
  +10 each   pricing_page_view within 30 days, at most 30
  +5 each    content_download within 90 days, at most 15
  -20        unsubscribe
}
temperature {
  hot   when fit >= 40 and engagement >= 40
  warm  when fit >= 25 and engagement >= 15
  cold  otherwise
}
mql when fit >= 30 and engagement >= 25
"""
    lead = Lead.model_validate(
        {
            "id": "L-1",
            "company": "ACME",
            "email": "cio@acme.de",
            "title": "CIO",
            "industry": "Software",
            "employees": 80,
            "activities": [
                {"kind": "pricing_page_view", "at": NOW - timedelta(days=d)}
                for d in (1, 2, 3, 4, 40)
            ]
            + [{"kind": "demo_request", "at": NOW - timedelta(days=30)}],
        }
    )
    agree(text, lead, {})
    result = parse(text).evaluate(lead, now=NOW)
    assert dict(result.scores) == {"fit": 50.0, "engagement": 70.0}
    assert (result.temperature, result.mql) == ("hot", True)


THREE = [True, False, None]


def constant(value: bool | None, facts: dict[str, Any]) -> bool | None:
    return value


@pytest.mark.parametrize("size", [2, 3])
def test_written_out_and_or_match_the_loops(size):
    for values in product(THREE, repeat=size):
        tests = tuple(partial(constant, v) for v in values)
        assert all_of(tests)({}) is all_of_loop(tests)({}), values
        assert any_of(tests)({}) is any_of_loop(tests)({}), values


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["is", "is not", "<", "<=", ">", ">="]),
            st.sampled_from(["$fit", "$engagement"]),
            st.sampled_from([-10.0, 0.0, 10.0, 25.5]),
        ),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from([-10.0, 0.0, 10.0, 25.5, 40.0]),
    st.sampled_from([-10.0, 0.0, 10.0, 25.5, 40.0]),
)
def test_score_comparisons_match_the_three_valued_and(comparisons, fit, engagement):
    facts = {"$fit": fit, "$engagement": engagement}
    generic = all_of_loop(tuple(operator(op, key, n, "number") for op, key, n in comparisons))
    assert all_of_scores(tuple(comparisons))(facts) is generic(facts)


def sample_leads() -> list[Lead]:
    """Leads at the edges the shapes test: every level, range bounds, window bounds, future."""
    titles = [None, "Werkstudent", "Engineer", "Head of IT", "IT Director", "VP Sales", "CEO"]
    out = []
    for i, title in enumerate(titles):
        days = [0, 1, 5, 5, 30, 30.5, 89, 90, 120, -1][i : i + 5]
        out.append(
            Lead.model_validate(
                {
                    "id": f"L-{i}",
                    "company": "C",
                    "email": ["a@muster.de", "b@gmail.com"][i % 2],
                    "title": title,
                    "industry": [None, "Software", "retail", "FINANCE"][i % 4],
                    "employees": [None, 50, 49, 500, 501, 120, 10][i],
                    "country": [None, "DE", "FR"][i % 3],
                    "tech_stack": ("SAP",) if i % 2 else (),
                    "custom": {"partner": bool(i % 2), "plan": "Pro", "arr": 100 * i} if i else {},
                    "activities": [
                        {"kind": KINDS[(i + j) % len(KINDS)], "at": NOW - timedelta(days=d)}
                        for j, d in enumerate(days)
                    ]
                    + [{"kind": "pricing_page_view", "at": NOW - timedelta(days=d)} for d in days],
                }
            )
        )
    return out


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("level", LEVELS)
def test_each_shape_agrees_on_edge_leads(shape, level):
    condition = shape.format(a=50, b=500, c=30, n=2, level=level, kind="pricing_page_view")
    text = f"score fit {{\n  +10 {condition}\n  -2.5 {condition}\n}}\n"
    text = "field partner is flag\nfield plan is text\nfield arr is number\n" + text
    for lead in sample_leads():
        agree(text, lead, {})


@pytest.mark.parametrize(
    "line",
    [
        "+10 each pricing_page_view within 30 days, at most 30",
        "+10 each pricing_page_view within 30 days, at most 25",
        "-5 each pricing_page_view within 30 days, at most 12",
        "+0.3 each pricing_page_view, at most 1",
        "+7 each pricing_page_view within 90 days",
        "+0 each pricing_page_view, at most 5",
        "+1 each pricing_page_view within 120 days, at most 1000",
        "+10 pricing_page_view at least 3 times within 90 days",
    ],
)
def test_activity_counts_agree_on_edge_leads(line):
    text = f"score engagement {{\n  {line}\n  +1 pricing_page_view within 30 days\n}}\n"
    for lead in sample_leads():
        agree(text, lead, {})


RECORDED = """
score fit {
  +20  employees between 50 and 500
  +0   industry is set
  -5   partner
  +30  seniority at least director
  at most 40
}
score engagement {
  +10 each   pricing_page_view within 130 days, at most 25
  +40        demo_request within 130 days
  +0         content_download
  decay half every 30 days
  at least 5
}
score total = fit + engagement
temperature {
  hot   when total >= 60
  cold  otherwise
}
field partner is flag
"""


def _explode(*args: Any) -> Any:
    raise AssertionError("a rule ran again when the contributions were read")


def test_contributions_are_built_from_the_record_without_running_the_rules():
    rules = parse(RECORDED, source="recorded.lf")
    program = rules._program
    lead = sample_leads()[5]
    evaluations = [rules.evaluate(lead, now=NOW), oracle.evaluate(rules, lead, NOW)]
    expected = [(e.contributions, e.explain()) for e in evaluations]
    assert any(c.points == 0 for c in expected[0][0])  # a +0 line that counted is shown
    saved = [(rule, rule.test) for block in program.scores for rule in block.rules]
    try:
        for rule, _ in saved:
            object.__setattr__(rule, "test", _explode)
        assert [(e.contributions, e.explain()) for e in evaluations] == expected
    finally:
        for rule, test in saved:
            object.__setattr__(rule, "test", test)


WINDOWS = """
score engagement {
  +10 each   pricing_page_view within 30 days, at most 30
  +1         pricing_page_view at least 2 times within 90 days
  +40        demo_request within 30 days
  +3 each    content_download within 2 hours
  -20        unsubscribe
  +1         demo_request within 99999999999 weeks
}
"""
ZONES = [
    UTC,
    timezone(timedelta(hours=5, minutes=30)),
    timezone(-timedelta(hours=8)),
    ZoneInfo("Europe/Berlin"),
    ZoneInfo("America/New_York"),
]
# next to the windows' edges (30 and 90 days, 2 hours, now itself), and across a DST change
EDGES = [0, 2 * 3600, 30 * 86400, 90 * 86400, 23 * 86400 + 3600 * 11]
NEAR = [0, 1, -1, 10**6, -(10**6), 3600 * 10**6, -3600 * 10**6]


@st.composite
def zoned_activity(draw: st.DrawFn, now: datetime) -> dict[str, Any]:
    ago = timedelta(seconds=draw(st.sampled_from(EDGES)), microseconds=draw(st.sampled_from(NEAR)))
    at = (now - ago).astimezone(draw(st.sampled_from(ZONES)))
    return {"kind": draw(st.sampled_from(KINDS)), "at": at.replace(fold=draw(st.integers(0, 1)))}


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    # 2026-11-01 06:00 UTC is 01:00 in New York on the night the clocks go back
    base = datetime(2026, 11, 1, 6, tzinfo=UTC) + timedelta(minutes=draw(st.integers(-90, 90)))
    return base.astimezone(draw(st.sampled_from(ZONES))).replace(fold=draw(st.integers(0, 1)))


@settings(max_examples=300)
@given(st.data())
def test_activity_windows_are_exact_in_every_zone_and_for_every_now(data):
    """Counts compare instants in UTC, with bounds kept for the last ``now``: any time zone,
    fold and order of ``now`` values gives what the oracle (timestamps) gives."""
    rules = parse(WINDOWS)
    for _ in range(3):  # one rule set, several instants in turn: the kept bounds follow
        now = data.draw(instants())
        acts = data.draw(st.lists(zoned_activity(now), max_size=8))
        lead = Lead(id="L-1", company="ACME", email="a@acme.de", activities=acts)
        generic = oracle.evaluate(rules, lead, now)
        assert rules.evaluate(lead, now=now) == generic
        assert rules.score(lead, now=now) == dict(generic.scores)
        # the same instant written in another zone is the same evaluation instant
        other = now.astimezone(data.draw(st.sampled_from(ZONES)))
        assert rules.score(lead, now=other) == dict(generic.scores)


def test_activity_window_edges_count_inclusively():
    rules = parse(WINDOWS)
    berlin = NOW.astimezone(ZoneInfo("Europe/Berlin"))
    tiny = timedelta(microseconds=1)
    for at, points in [
        (NOW, 3.0),
        (berlin - timedelta(hours=2), 3.0),
        (NOW - timedelta(hours=2) - tiny, 0.0),
        (NOW + tiny, 0.0),
    ]:
        lead = Lead(
            id="L-1",
            company="ACME",
            email="a@acme.de",
            activities=[{"kind": "content_download", "at": at}],
        )
        assert rules.evaluate(lead, now=berlin).scores["engagement"] == points, at


def test_threads_at_different_instants_share_one_rule_set():
    """The kept window bounds are replaced as a whole: each call uses those of its own ``now``."""
    rules = parse(WINDOWS)
    nows = [NOW + timedelta(days=d, microseconds=1) for d in range(0, 120, 15)]
    lead = Lead(
        id="L-1",
        company="ACME",
        email="a@acme.de",
        activities=[
            {"kind": kind, "at": NOW - timedelta(days=d)}
            for d in range(0, 120, 7)
            for kind in ("pricing_page_view", "demo_request", "content_download")
        ],
    )
    expected = {now: dict(oracle.evaluate(rules, lead, now).scores) for now in nows}
    assert len(set(map(str, expected.values()))) > 3  # the instants give different scores

    def work(now: datetime) -> bool:
        return all(dict(rules.evaluate(lead, now=now).scores) == expected[now] for _ in range(300))

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        with ThreadPoolExecutor(max_workers=2 * len(nows)) as pool:  # two threads per instant
            assert all(pool.map(work, nows * 2))
    finally:
        sys.setswitchinterval(interval)
