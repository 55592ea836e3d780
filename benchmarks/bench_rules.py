"""Rules benchmark: a leadflow rule file against hand-written Python, rule-engine and cel-python.

The same 10-rule scoring set (5 fit rules, 5 engagement rules with windows and caps) over the
same seeded, varied leads (``leadflow.batch.synthetic``: 300 industries, 3,600 titles, 5,000
company domains and the free-mail providers, 0-30 activities in three zones), ``now`` fixed.

Every contender does the whole job from the same input and returns the two scores:

- **from leads**: the host holds validated ``Lead`` objects (a CRM sync, a webhook handler).
  leadflow reads the ``Lead``; the hand-written code reads the same ``Lead`` with the same
  cached helpers (title -> seniority, domain -> free-mail); rule-engine and cel-python get the
  facts they cannot compute themselves (seniority, free-mail, activity counts per window)
  worked out from the ``Lead`` **inside** the timed loop, and the points and caps added up
  around their 10 conditions.
- **from records**: the host holds decoded JSON (dicts, ISO timestamps). leadflow validates
  (``evaluate`` of a mapping); the breakdown rows time validation alone.

Results are compared with the hand-written scores on every lead before timing; a contender
that disagrees is reported, not timed. Contenders are interleaved; figures are medians.

    python benchmarks/bench_rules.py [--quick] [--json benchmarks/results/rules.json]
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from leadflow import Lead, Seniority, validate_lead
from leadflow.batch.synthetic import synthetic_records
from leadflow.emails import is_freemail_domain
from leadflow.rules import parse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import Contender, arguments, check, interleaved, ratio, report

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

TARGET = frozenset({"software", "manufacturing", "finance"})
DACH = frozenset({"de", "at", "ch"})
freemail = lru_cache(maxsize=65536)(is_freemail_domain)


def counts(lead: Lead, now_ts: float) -> tuple[int, int, int, int, int]:
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
    return demo, pricing, downloads, webinar, unsubscribe


def engagement_of(demo: bool, pricing: int, downloads: int, webinar: bool, unsub: bool) -> float:  # noqa: FBT001
    return float(
        (40 if demo else 0)
        + min(10 * pricing, 30)
        + min(5 * downloads, 15)
        + (15 if webinar else 0)
        - (20 if unsub else 0)
    )


def hand_written(lead: Lead, now_ts: float) -> tuple[float, float]:
    """The same 10 rules as plain Python, with the same cached helpers leadflow uses."""
    fit = 0.0
    if lead.industry is not None and lead.industry.casefold() in TARGET:
        fit += 15
    if lead.employees is not None and 50 <= lead.employees <= 500:
        fit += 20
    if lead.seniority.at_least(Seniority.DIRECTOR):
        fit += 15
    if lead.country is not None and lead.country.casefold() in DACH:
        fit += 10
    if freemail(lead.email.rpartition("@")[2]):
        fit -= 30
    demo, pricing, downloads, webinar, unsub = counts(lead, now_ts)
    return fit, engagement_of(demo > 0, pricing, downloads, webinar > 0, unsub > 0)


def facts(lead: Lead, now_ts: float) -> dict[str, Any]:
    """What the peers need and cannot work out from a lead themselves."""
    demo, pricing, downloads, webinar, unsub = counts(lead, now_ts)
    return {
        "industry": (lead.industry or "").casefold(),
        "employees": lead.employees or 0,
        "seniority": lead.seniority.rank,
        "country": (lead.country or "").casefold(),
        "freemail": freemail(lead.email.rpartition("@")[2]),
        "demo": demo,
        "pricing": pricing,
        "downloads": downloads,
        "webinar": webinar,
        "unsubscribe": unsub,
    }


FIT_CONDITIONS = (
    ('industry in ["software", "manufacturing", "finance"]', 15),
    ("employees >= 50 and employees <= 500", 20),
    (f"seniority >= {Seniority.DIRECTOR.rank}", 15),
    ('country in ["de", "at", "ch"]', 10),
    ("freemail == true", -30),
)
ENGAGEMENT_CONDITIONS = ("demo > 0", "webinar > 0", "unsubscribe > 0")


def peer_scores(
    f: dict[str, Any], fit_tests: list[Any], engagement_tests: list[Any]
) -> tuple[float, float]:
    fit = float(sum(points for test, points in fit_tests if test(f)))
    demo, webinar, unsub = (test(f) for test in engagement_tests)
    return fit, engagement_of(demo, f["pricing"], f["downloads"], webinar, unsub)


def main() -> None:
    parser = arguments(__doc__ or "")
    parser.add_argument("--leads", type=int, default=50_000)
    parser.add_argument("--cel-leads", type=int, default=500)
    args = parser.parse_args()
    n, rounds, cel_n = (3_000, 5, 100) if args.quick else (args.leads, args.rounds, args.cel_leads)

    records = list(synthetic_records(n, now=NOW, seed=args.seed, sla=False))
    activities = sum(len(r["activities"]) for r in records)
    began = time.perf_counter()
    leads = [validate_lead(r) for r in records]
    validation_once = (time.perf_counter() - began) / n * 1e6
    now_ts = NOW.timestamp()
    rules = parse(RULES, source="bench.lf")

    import celpy
    import rule_engine

    engine_fit = [(rule_engine.Rule(text).matches, p) for text, p in FIT_CONDITIONS]
    engine_engagement = [rule_engine.Rule(text).matches for text in ENGAGEMENT_CONDITIONS]
    env = celpy.Environment()

    def cel(text: str) -> Any:
        program = env.program(env.compile(text.replace(" and ", " && ")))
        return lambda f: bool(program.evaluate(f))

    cel_fit = [(cel(text), p) for text, p in FIT_CONDITIONS]
    cel_engagement = [cel(text) for text in ENGAGEMENT_CONDITIONS]
    cel_leads = leads[:cel_n]

    def scores_of(result: Any) -> tuple[float, float]:
        if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], float):
            return result
        scores = result.scores if hasattr(result, "scores") else result
        return scores["fit"], scores["engagement"]

    def same(a: Any, b: Any) -> bool:
        return bool(scores_of(a) == scores_of(b))

    contenders = [
        Contender(
            "hand-written Python, the 10 rules, from Lead",
            lambda: [hand_written(lead, now_ts) for lead in leads],
            n,
            group="leads",
        ),
        Contender(
            "leadflow RuleSet.score_many (scores only)",
            lambda: rules.score_many(leads, now=NOW),
            n,
            group="leads",
            reference="hand-written Python, the 10 rules, from Lead",
            same=same,
        ),
        Contender(
            "leadflow RuleSet.score per lead (scores only)",
            lambda: [rules.score(lead, now=NOW) for lead in leads],
            n,
            group="leads",
            reference="hand-written Python, the 10 rules, from Lead",
            same=same,
        ),
        Contender(
            "leadflow RuleSet.evaluate (scores, temperature, MQL)",
            lambda: [rules.evaluate(lead, now=NOW) for lead in leads],
            n,
            group="leads",
            reference="hand-written Python, the 10 rules, from Lead",
            same=same,
        ),
        Contender(
            "leadflow evaluate, then reading .contributions",
            lambda: [
                (e, e.contributions) for e in (rules.evaluate(lead, now=NOW) for lead in leads)
            ],
            n,
            group="leads",
            reference="hand-written Python, the 10 rules, from Lead",
            same=lambda a, b: same(a, b[0]),
        ),
        Contender(
            "rule-engine, facts prepared in the loop",
            lambda: [
                peer_scores(facts(lead, now_ts), engine_fit, engine_engagement) for lead in leads
            ],
            n,
            group="leads",
            reference="hand-written Python, the 10 rules, from Lead",
            same=same,
        ),
        Contender(
            f"cel-python, facts prepared in the loop (first {cel_n:,} leads)",
            lambda: [
                peer_scores(celpy.json_to_cel(facts(lead, now_ts)), cel_fit, cel_engagement)
                for lead in cel_leads
            ],
            cel_n,
            group="leads",
            reference="hand-written Python, first leads",
            same=same,
        ),
        Contender(
            "hand-written Python, first leads",
            lambda: [hand_written(lead, now_ts) for lead in cel_leads],
            cel_n,
            group="helper",
        ),
        Contender(
            "leadflow evaluate from records (validation included)",
            lambda: [rules.evaluate(r, now=NOW) for r in records],
            n,
            group="records",
            reference="hand-written Python, the 10 rules, from Lead",
            same=same,
        ),
        Contender(
            "  of which validate_lead alone",
            lambda: [validate_lead(r) for r in records],
            n,
            group="records",
        ),
    ]
    check(contenders)
    interleaved(contenders, rounds)
    hand = "hand-written Python, the 10 rules, from Lead"
    evaluate = "leadflow RuleSet.evaluate (scores, temperature, MQL)"
    engine = "rule-engine, facts prepared in the loop"
    cel_name = f"cel-python, facts prepared in the loop (first {cel_n:,} leads)"
    ratios = {
        "score_many / hand-written": ratio(
            contenders, "leadflow RuleSet.score_many (scores only)", hand
        ),
        "score / hand-written": ratio(
            contenders, "leadflow RuleSet.score per lead (scores only)", hand
        ),
        "evaluate / hand-written": ratio(contenders, evaluate, hand),
        "rule-engine / evaluate": ratio(contenders, engine, evaluate),
        "rule-engine / evaluate + contributions": ratio(
            contenders, engine, "leadflow evaluate, then reading .contributions"
        ),
        "cel-python / hand-written (first leads)": ratio(
            contenders, cel_name, "hand-written Python, first leads"
        ),
    }
    ratios["cel-python / evaluate"] = (
        ratios["cel-python / hand-written (first leads)"] / ratios["evaluate / hand-written"]
    )
    report(
        "bench_rules",
        contenders,
        setup={
            "leads": n,
            "activities per lead (mean)": round(activities / n, 2),
            "rounds": rounds,
            "seed": args.seed,
            "distinct titles": len({r.get("title") for r in records}),
            "distinct domains": len({r["email"].rpartition("@")[2] for r in records}),
            "distinct industries": len({r.get("industry") for r in records}),
        },
        ratios=ratios,
        extra={"validate_lead, first pass (cold caches), µs/lead": round(validation_once, 2)},
        packages=("rule-engine", "cel-python"),
        json_path=args.json,
    )


if __name__ == "__main__":
    main()
