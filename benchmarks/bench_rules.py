"""Rules benchmark: leadflow rule files against hand-written Python, rule-engine and cel-python.

One process, one run, the same 10-rule scoring set (5 fit rules, 5 engagement rules) over the
same leads. rule-engine and cel-python evaluate only the 10 conditions, on a dict of facts
prepared for them beforehand (that preparation is not timed); leadflow reads the ``Lead`` itself.

    python benchmarks/bench_rules.py [--leads 100000] [--cel-leads 1000]
"""

from __future__ import annotations

import argparse
import gc
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from leadflow import Activity, Lead, Seniority
from leadflow.rules import parse

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
DAY = 86400.0

RULES = """
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
  +40        demo_request within 30 days
  +10 each   pricing_page_view within 30 days, at most 30
  +5 each    content_download within 90 days, at most 15
  +15        webinar_attended within 60 days
  -20        unsubscribe
}

temperature {
  hot   when fit >= 40 and engagement >= 40
  warm  when fit >= 25 and engagement >= 15
  cold  otherwise
}

mql when fit >= 30 and engagement >= 25
"""

INDUSTRIES = ["software", "manufacturing", "finance", "retail", "education", None]
COUNTRIES = ["DE", "AT", "CH", "FR", "US", None]
TITLES = ["CEO", "VP Sales", "Head of IT", "IT Director", "Engineer", "Werkstudent", None]
KINDS = [
    "demo_request",
    "pricing_page_view",
    "content_download",
    "webinar_attended",
    "unsubscribe",
    "email_open",
    "website_visit",
]
DOMAINS = ["acme.de", "muster.de", "gmail.com", "web.de", "corp.com"]


def make_leads(count: int, seed: int = 7) -> list[Lead]:
    rng = random.Random(seed)
    leads = []
    for i in range(count):
        activities = tuple(
            Activity(kind=rng.choice(KINDS), at=NOW - timedelta(days=rng.uniform(0, 120)))
            for _ in range(rng.randint(0, 8))
        )
        leads.append(
            Lead(
                id=f"L-{i}",
                company="ACME",
                email=f"p{i}@{rng.choice(DOMAINS)}",
                title=rng.choice(TITLES),
                industry=rng.choice(INDUSTRIES),
                employees=rng.choice([None, rng.randint(1, 5000)]),
                country=rng.choice(COUNTRIES),
                activities=activities,
            )
        )
    return leads


TARGET = frozenset({"software", "manufacturing", "finance"})
DACH = frozenset({"de", "at", "ch"})


def hand_written(lead: Lead, now_ts: float) -> tuple[float, float]:
    """The same 10 rules as plain Python, the baseline a developer would write."""
    fit = 0.0
    if lead.industry is not None and lead.industry.casefold() in TARGET:
        fit += 15
    if lead.employees is not None and 50 <= lead.employees <= 500:
        fit += 20
    if lead.seniority.at_least(Seniority.DIRECTOR):
        fit += 15
    if lead.country is not None and lead.country.casefold() in DACH:
        fit += 10
    if lead.is_freemail:
        fit -= 30
    demo = pricing = downloads = webinar = unsubscribe = 0
    for activity in lead.activities:
        age = now_ts - activity.at.timestamp()
        if age < 0:
            continue
        kind = activity.kind
        if kind == "demo_request" and age <= 30 * DAY:
            demo += 1
        elif kind == "pricing_page_view" and age <= 30 * DAY:
            pricing += 1
        elif kind == "content_download" and age <= 90 * DAY:
            downloads += 1
        elif kind == "webinar_attended" and age <= 60 * DAY:
            webinar += 1
        elif kind == "unsubscribe":
            unsubscribe += 1
    engagement = (
        (40 if demo else 0)
        + min(10 * pricing, 30)
        + min(5 * downloads, 15)
        + (15 if webinar else 0)
        - (20 if unsubscribe else 0)
    )
    return fit, float(engagement)


def facts_dict(lead: Lead, now_ts: float) -> dict[str, Any]:
    """Facts prepared for the peers (not timed): they cannot read activities themselves."""
    counts = dict.fromkeys(("demo", "pricing", "downloads", "webinar", "unsubscribe"), 0)
    for activity in lead.activities:
        age = now_ts - activity.at.timestamp()
        kind = activity.kind
        if age < 0:
            continue
        if kind == "demo_request" and age <= 30 * DAY:
            counts["demo"] += 1
        elif kind == "pricing_page_view" and age <= 30 * DAY:
            counts["pricing"] += 1
        elif kind == "content_download" and age <= 90 * DAY:
            counts["downloads"] += 1
        elif kind == "webinar_attended" and age <= 60 * DAY:
            counts["webinar"] += 1
        elif kind == "unsubscribe":
            counts["unsubscribe"] += 1
    return {
        "industry": (lead.industry or "").casefold(),
        "employees": lead.employees or 0,
        "seniority": lead.seniority.rank,
        "country": (lead.country or "").casefold(),
        "freemail": lead.is_freemail,
        **counts,
    }


PEER_CONDITIONS = [
    'industry in ["software", "manufacturing", "finance"]',
    "employees >= 50 and employees <= 500",
    f"seniority >= {Seniority.DIRECTOR.rank}",
    'country in ["de", "at", "ch"]',
    "freemail == true",
    "demo > 0",
    "pricing > 0",
    "downloads > 0",
    "webinar > 0",
    "unsubscribe > 0",
]


REPEAT = 3


def timed(label: str, count: int, run: Any, *, collect: bool = False) -> float:
    """Time ``run`` :data:`REPEAT` times and keep the best, as ``timeit`` advises (the slower
    runs measure the machine's other work); the garbage collector is off unless ``collect``.

    Every contender is timed the same way, results kept in a list as a batch job would.
    """
    times = []
    for _ in range(REPEAT):
        gc.collect()
        if not collect:
            gc.disable()
        try:
            start = time.perf_counter()
            run()
            times.append((time.perf_counter() - start) / count * 1e6)
        finally:
            gc.enable()
    best, worst = min(times), max(times)
    print(f"{label:<52} {best:9.2f} µs/lead  (worst {worst:.2f}; {count:,} leads)")
    return best


def big_rule_file(rules: int) -> str:
    lines = ['list target = ["software", "finance"]', "score fit {"]
    templates = [
        "  +{p}  industry in target",
        "  +{p}  employees between {a} and {b}",
        "  +{p}  seniority at least director",
        '  -{p}  title contains "intern{a}"',
        "  +{p}  pricing_page_view at least {c} times within {a} days",
        "  +{p} each  content_download within {a} days, at most {b}",
    ]
    for i in range(rules):
        template = templates[i % len(templates)]
        lines.append(template.format(p=i % 20 + 1, a=i + 1, b=i + 100, c=i % 5 + 1))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--cel-leads", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per figure; best kept")
    args = parser.parse_args()
    globals()["REPEAT"] = args.repeat

    print(f"building {args.leads:,} leads ...")
    leads = make_leads(args.leads)
    now_ts = NOW.timestamp()
    rules = parse(RULES, source="bench.lf")
    for lead in leads[:2000]:  # the fast path and the full evaluation agree with hand-written code
        scores = rules.score(lead, now=NOW)
        assert (scores["fit"], scores["engagement"]) == hand_written(lead, now_ts), lead.id
        assert rules.evaluate(lead, now=NOW).scores == scores

    results: dict[str, float] = {}
    results["hand"] = timed(
        "hand-written Python (10 rules)",
        len(leads),
        lambda: [hand_written(lead, now_ts) for lead in leads],
    )
    results["score_many"] = timed(
        "leadflow RuleSet.score_many (scores only)",
        len(leads),
        lambda: rules.score_many(leads, now=NOW),
    )
    results["score"] = timed(
        "leadflow RuleSet.score per lead",
        len(leads),
        lambda: [rules.score(lead, now=NOW) for lead in leads],
    )
    results["evaluate"] = timed(
        "leadflow RuleSet.evaluate (scores, temperature, MQL)",
        len(leads),
        lambda: [rules.evaluate(lead, now=NOW) for lead in leads],
    )

    def covered() -> None:
        add, evaluate = rules.coverage().add, rules.evaluate
        for lead in leads:
            add(evaluate(lead, now=NOW))

    results["coverage"] = timed(
        "leadflow evaluate + Coverage.add (issue #12: <= 2x)", len(leads), covered
    )
    print(f"  coverage costs {results['coverage'] / results['evaluate']:.2f}x evaluate")

    results["contributions"] = timed(
        "leadflow evaluate, then reading .contributions",
        len(leads),
        lambda: [rules.evaluate(lead, now=NOW).contributions for lead in leads],
    )

    results["evaluate_gc"] = timed(
        "leadflow RuleSet.evaluate, garbage collector on",
        len(leads),
        lambda: [rules.evaluate(lead, now=NOW) for lead in leads],
        collect=True,
    )

    facts: list[dict[str, Any]] = []

    def prepare() -> None:
        facts[:] = [facts_dict(lead, now_ts) for lead in leads]

    results["prepare"] = timed(
        "  (fact preparation the peers need, not counted)", len(leads), prepare
    )
    import rule_engine

    engine_rules = [rule_engine.Rule(text) for text in PEER_CONDITIONS]
    results["rule_engine"] = timed(
        "rule-engine, 10 conditions only",
        len(facts),
        lambda: [[r.matches(f) for r in engine_rules] for f in facts],
    )

    import celpy

    env = celpy.Environment()
    cel_rules = [
        env.program(env.compile(text.replace("==", "==").replace(" and ", " && ")))
        for text in PEER_CONDITIONS
    ]
    cel_facts = [celpy.json_to_cel(f) for f in facts[: args.cel_leads]]
    results["cel"] = timed(
        "cel-python, 10 conditions only",
        len(cel_facts),
        lambda: [[p.evaluate(f) for p in cel_rules] for f in cel_facts],
    )

    print()
    print(f"evaluate vs rule-engine: {results['rule_engine'] / results['evaluate']:.1f}x faster")
    print(f"evaluate vs cel-python:  {results['cel'] / results['evaluate']:.0f}x faster")
    print(
        f"evaluate (gc on) vs rule-engine: {results['rule_engine'] / results['evaluate_gc']:.1f}x"
    )
    print(
        "evaluate + contributions vs rule-engine: "
        f"{results['rule_engine'] / results['contributions']:.1f}x"
    )
    print(f"score_many vs hand-written: {results['score_many'] / results['hand']:.2f}x slower")
    print(f"score vs hand-written:      {results['score'] / results['hand']:.2f}x slower")

    text = big_rule_file(1000)
    start = time.perf_counter()
    parse(text, source="big-1000.lf")
    first = time.perf_counter() - start
    start = time.perf_counter()
    parse(text, source="big-1000.lf")
    again = time.perf_counter() - start
    print(
        f"parse + check of a 1,000-rule file: {first * 1000:.0f} ms; again (cache): "
        f"{again * 1e6:.0f} µs"
    )


if __name__ == "__main__":
    main()
