"""A seeded synthetic quarter of a B2B company, run through an agreement event by event.

Leads arrive at realistic times (evenings, nights, weekends, Bavarian holidays) from realistic
sources and campaigns; their behaviour makes some of them MQLs; sales reps, some fast and some
slow, contact, accept, reject with reasons, qualify, win and lose, and some leads are never
reached. Everything is drawn from ``random.Random(seed)``: the same seed gives the same quarter.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from leadflow.agreement import (
    Agreement,
    Held,
    LeadState,
    PromiseSent,
    Reaction,
    Routing,
    TimerStarted,
)
from leadflow.errors import LeadflowError

__all__ = ("QUARTER_END", "QUARTER_START", "Quarter", "generate_leads", "run_quarter")

BERLIN: Final = ZoneInfo("Europe/Berlin")
QUARTER_START: Final = datetime(2026, 10, 1, tzinfo=BERLIN)
QUARTER_END: Final = datetime(2027, 1, 1, tzinfo=BERLIN)

_PREFIXES = (
    "Muster", "Alpen", "Nord", "Rhein", "Isar", "Donau", "Hanse", "Berg", "Tal", "Stern",
    "Blau", "Grün", "Licht", "Stahl", "Holz", "Kraft", "Fein", "Spree", "Main", "Elb",
)  # fmt: skip
_SUFFIXES = (
    "Maschinenbau GmbH", "Software AG", "Logistik GmbH", "Bank AG", "Medizintechnik GmbH",
    "Handel KG", "Solutions GmbH", "Systems AG", "Werke GmbH", "Consulting GmbH",
)  # fmt: skip
_FIRST = ("anna", "max", "lena", "paul", "mia", "jonas", "lea", "felix", "sara", "tim", "nina")
_LAST = ("schmidt", "mueller", "meyer", "wagner", "becker", "hofmann", "koch", "wolf", "braun")
_FREEMAIL = ("gmail.com", "web.de", "gmx.de", "outlook.com")
_TITLES = (
    ("Geschäftsführer", 6), ("CEO", 3), ("CTO", 3), ("CIO", 2), ("Head of IT", 8),
    ("IT-Leiter", 7), ("Leiterin Einkauf", 5), ("VP Sales", 3), ("Director Operations", 4),
    ("Bereichsleiter Produktion", 4), ("Teamleiterin Marketing", 5), ("Software Engineer", 9),
    ("Sachbearbeiterin", 6), ("Projektmanager", 6), ("Werkstudentin Marketing", 3),
    ("Assistant to the CEO", 2), (None, 4),
)  # fmt: skip
_SOURCES = (
    ("web_form", 30), ("webinar", 10), ("trade_fair", 10), ("purchased_list", 12),
    ("referral", 5), ("phone_call", 5), ("email", 5), ("callback_request", 5), ("chat", 5),
    ("partner", 5), ("social", 4), (None, 4),
)  # fmt: skip
_CAMPAIGNS = {
    "web_form": ("pricing-ads", "seo-guides", "q4-demo-week"),
    "webinar": ("webinar-erp-2026", "webinar-security"),
    "trade_fair": ("it-sa-2026", "sps-2026"),
    "purchased_list": ("list-dach-2026",),
    "social": ("linkedin-q4",),
}
_INDUSTRIES = (
    ("manufacturing", 25), ("software", 20), ("finance", 10), ("retail", 10),
    ("logistics", 10), ("healthcare", 8), ("public", 5), ("education", 4), (None, 8),
)  # fmt: skip
_COUNTRIES = (
    ("DE", 52), ("AT", 10), ("CH", 10), ("NL", 5), ("FR", 4), ("US", 4), ("GB", 4),
    ("PL", 6), ("ES", 5),
)  # fmt: skip
_SIZES = ((8, 10), (30, 15), (120, 25), (350, 20), (800, 10), (2500, 12), (12000, 5), (None, 3))
_REJECTIONS = (
    ("too_small", 18), ("wrong_industry", 10), ("only_information", 16), ("no_budget", 14),
    ("wrong_timing", 14), ("wrong contact", 10), ("competitor already chosen", 6),
    ("No ICP fit", 12),
)  # fmt: skip
_LOSSES = (
    ("no_budget", 3),
    ("competitor_chosen", 4),
    ("wrong_timing", 2),
    ("unrealistic_timeline", 1),
)
_REPS: Final = {
    # business hours to the first contact (low, high), share of leads left without disposition
    "anna": ((0.2, 2.0), 0.02),
    "ben": ((3.0, 30.0), 0.15),
    "carla": ((0.2, 3.0), 0.02),
    "dev": ((4.0, 40.0), 0.2),
    "eli": ((1.0, 10.0), 0.05),
    "fiona": ((0.3, 3.0), 0.03),
    "olga": ((2.0, 20.0), 0.1),
}


def _pick(rng: random.Random, table: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights)[0]


def _arrival(rng: random.Random) -> datetime:
    while True:
        day = QUARTER_START + timedelta(days=rng.randrange(92))
        if day.weekday() >= 5 and rng.random() > 0.35:
            continue
        band = rng.random()
        if band < 0.65:
            hour = rng.uniform(8, 18)
        elif band < 0.87:
            hour = rng.uniform(18, 23)
        else:
            hour = rng.uniform(23, 32) % 24
        at = day.replace(hour=int(hour), minute=int(hour % 1 * 60))
        return at.astimezone(BERLIN)


def _lead(rng: random.Random, number: int, at: datetime) -> dict[str, Any]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    company = f"{rng.choice(_PREFIXES)} {rng.choice(_SUFFIXES)}"
    domain = company.split()[0].lower().replace("ü", "ue").replace("ö", "oe") + f"-{number % 97}.de"
    email = f"{first}.{last}@{rng.choice(_FREEMAIL) if rng.random() < 0.07 else domain}"
    source = _pick(rng, _SOURCES)
    data: dict[str, Any] = {
        "id": f"L-{10000 + number}",
        "company": company,
        "email": email,
        "first_name": first.capitalize(),
        "last_name": last.capitalize(),
        "title": _pick(rng, _TITLES),
        "source": source,
        "campaign": rng.choice(_CAMPAIGNS[source]) if source in _CAMPAIGNS else None,
        "industry": _pick(rng, _INDUSTRIES),
        "country": _pick(rng, _COUNTRIES),
        "employees": _pick(rng, _SIZES),
        "phone": "+49 89 1234567" if rng.random() < 0.6 else None,
        "created_at": at.isoformat(),
    }
    return {k: v for k, v in data.items() if v is not None}


def _activities(rng: random.Random, at: datetime) -> list[tuple[datetime, str]]:
    intent = rng.random()
    first: list[str] = []
    later: list[str] = []
    if intent < 0.13:
        first = [rng.choice(("demo_request", "demo_request", "callback_request"))]
        later = ["pricing_page_view"] * rng.randint(0, 3)
    elif intent < 0.45:
        first = [rng.choice(("content_download", "webinar_attended", "pricing_page_view"))]
        later = [
            rng.choice(("pricing_page_view", "content_download", "email_open", "demo_request"))
        ]
        later += ["email_open"] * rng.randint(0, 4)
    elif intent < 0.8:
        later = ["email_open"] * rng.randint(0, 3)
        if rng.random() < 0.1:
            later.append("unsubscribe")
    out = [(at, kind) for kind in first]
    out += [(at + timedelta(hours=rng.uniform(2, 24 * 25)), kind) for kind in later]
    return out


@dataclass
class Quarter:
    """The outcome of a simulated quarter: final states, routing, and what happened."""

    agreement: Agreement
    now: datetime
    states: dict[str, LeadState] = field(default_factory=dict)
    routing: Routing = field(default_factory=Routing)
    arrivals: dict[str, datetime] = field(default_factory=dict)
    response_temperature: dict[tuple[str, datetime], str] = field(default_factory=dict)
    assigned: dict[str, int] = field(default_factory=dict)
    overflow: int = 0
    held: dict[str, set[str]] = field(default_factory=dict)
    promises: int = 0
    refused: int = 0
    events: int = 0


def generate_leads(
    seed: int, count: int
) -> Iterator[tuple[dict[str, Any], list[tuple[datetime, str]]]]:
    """``count`` synthetic leads with their activities, from ``seed``."""
    rng = random.Random(seed)  # noqa: S311 - synthetic test data, not secrets
    for number in range(count):
        at = _arrival(rng)
        yield _lead(rng, number, at), _activities(rng, at)


def _sales_script(
    agreement: Agreement, rng: random.Random, lead_id: str, owner: str, at: datetime
) -> list[tuple[datetime, dict[str, Any]]]:
    office = agreement.calendars[agreement.default_calendar]
    (low, high), idle = _REPS.get(owner, ((1.0, 10.0), 0.05))
    contact = office.add(at, timedelta(hours=rng.uniform(low, high)))
    script: list[tuple[datetime, dict[str, Any]]] = []
    if rng.random() < 0.1:  # never reached: touches every two to three days
        t = contact
        for _ in range(7):
            script.append((t, {"type": "contact_attempt", "actor": owner, "channel": "phone"}))
            t = office.add(t + timedelta(days=rng.uniform(2, 3)), timedelta(0))
        return script
    script.append((contact, {"type": "contact_attempt", "actor": owner, "reached": True}))
    decide = contact + timedelta(hours=rng.uniform(0.5, 30))
    if rng.random() < 0.22:
        reason = _pick(rng, _REJECTIONS)
        script.append((decide, {"type": "rejected", "reason": reason, "actor": owner}))
        return script
    script.append((decide, {"type": "accepted", "actor": owner}))
    if rng.random() < idle:
        return script  # no disposition: the feedback duty runs out
    qualify = decide + timedelta(days=rng.uniform(1, 12))
    good = rng.random() < 0.6
    answers = {
        "budget": "approved" if good else rng.choice(("none", "unknown")),
        "authority": "decision_maker" if good else "user",
        "need": "urgent" if good else "vague",
        "timeline": "this_quarter" if good else "next_year",
    }
    script.append(
        (qualify, {"type": "qualified", "framework": "bant", "answers": answers, "actor": owner})
    )
    if not good:
        reason = rng.choice(("no_budget", "wrong_timing", "only_information"))
        script.append(
            (qualify + timedelta(hours=1), {"type": "rejected", "reason": reason, "actor": owner})
        )
        return script
    if rng.random() < 0.3:
        return script
    offer = qualify + timedelta(days=rng.uniform(2, 14))
    script.append((offer, {"type": "opportunity", "value": round(rng.uniform(8, 120)) * 1000}))
    close = offer + timedelta(days=rng.uniform(10, 40))
    if rng.random() < 0.35:
        script.append((close, {"type": "won", "value": round(rng.uniform(8, 120)) * 1000}))
    else:
        script.append((close, {"type": "lost", "reason": _pick(rng, _LOSSES)}))
    return script


def run_quarter(
    agreement: Agreement,
    *,
    seed: int = 2026,
    count: int = 2500,
    now: datetime = QUARTER_END,
    progress: Callable[[int, int], None] | None = None,
) -> Quarter:
    """Run ``count`` synthetic leads through ``agreement``, every event in time order."""
    rng = random.Random(seed + 1)  # noqa: S311 - synthetic test data, not secrets
    quarter = Quarter(agreement, now)
    queue: list[tuple[datetime, int, str, dict[str, Any]]] = []
    seq = 0
    for data, activities in generate_leads(seed, count):
        at = datetime.fromisoformat(data["created_at"])
        quarter.arrivals[data["id"]] = at
        queue.append((at, seq, data["id"], {"type": "created", "lead": data}))
        seq += 1
        for when, kind in activities:
            event = {"type": "activity", "activity": {"kind": kind, "at": when.isoformat()}}
            queue.append((when, seq, data["id"], event))
            seq += 1
    heapq.heapify(queue)
    total = len(queue)
    done = 0
    while queue:
        at, _, lead_id, event = heapq.heappop(queue)
        if at > now:
            continue
        done += 1
        if progress is not None and done % 500 == 0:
            progress(done, total)
        try:
            reaction = agreement.process(
                quarter.states.get(lead_id), event, now=at, routing=quarter.routing
            )
        except LeadflowError:
            quarter.refused += 1
            continue
        quarter.events += 1
        quarter.states[lead_id], quarter.routing = reaction.state, reaction.routing
        for script_at, script_event in _observe(quarter, reaction, rng, at):
            heapq.heappush(queue, (script_at, seq, lead_id, script_event))
            seq += 1
            total += 1
    if progress is not None:
        progress(total, total)
    return quarter


def _observe(
    quarter: Quarter, reaction: Reaction, rng: random.Random, at: datetime
) -> list[tuple[datetime, dict[str, Any]]]:
    state = reaction.state
    for action in reaction.actions:
        if isinstance(action, TimerStarted) and action.name == "response":
            quarter.response_temperature[(state.lead_id, action.started_at)] = (
                state.temperature or "-"
            )
        elif isinstance(action, Held):
            for name in action.missing:
                quarter.held.setdefault(name, set()).add(state.lead_id)
        elif isinstance(action, PromiseSent):
            quarter.promises += 1
    assigned = reaction.assigned
    if assigned is None:
        return []
    quarter.assigned[assigned.owner] = quarter.assigned.get(assigned.owner, 0) + 1
    quarter.overflow += assigned.overflow
    return _sales_script(quarter.agreement, rng, state.lead_id, assigned.owner, at)
