"""A seeded synthetic quarter of lead histories, for examples, tests and benchmarks.

Every lead is moved through the default lifecycle graph with :func:`~leadflow.lifecycle.advance`,
so the histories are valid by construction. Same seed, same histories.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from leadflow._time import to_utc
from leadflow.lifecycle import HandoffEvent, LeadRecord, Qualification, advance, new_lead
from leadflow.metrics.history import History, Touch

__all__ = ("synthetic_histories",)

CAMPAIGNS = ("webinar-q4", "ebook-ops", "trade-fair", "paid-search", "purchased-list")
CHANNELS = {
    "webinar-q4": "events",
    "ebook-ops": "content",
    "trade-fair": "events",
    "paid-search": "paid",
    "purchased-list": "outbound",
}
COUNTRIES = ("DE", "AT", "CH")
OWNERS = ("rep-1", "rep-2", "rep-3", "rep-4")
_DATA = {
    "company": "Muster GmbH",
    "email": "anna@muster.de",
    "title": "Head of IT",
    "source": "web_form",
}
_QUALIFIED = Qualification(passed=True, framework="bant", score=3)
# reasons with their weights, per campaign quality (purchased lists and paid search fit worse)
_REJECT = ("no_icp_fit", "too_small", "wrong_industry", "only_information", "no_budget")


class _Lead:
    """One lead being written: the record, the clock, and the random source."""

    def __init__(self, record: LeadRecord, at: datetime, end: datetime, rng: random.Random) -> None:
        self.record, self.at, self.end, self.rng = record, at, end, rng

    def step(self, name: str, actor: str, after_hours: float, **extra: object) -> bool:
        """Apply ``name`` ``after_hours`` later; ``False`` (nothing applied) past the end."""
        at = self.at + timedelta(minutes=max(1, round(after_hours * 60)))
        if at >= self.end:
            return False
        event = HandoffEvent(name, at, actor, **extra)  # type: ignore[arg-type]
        self.record, _ = advance(self.record, event)
        self.at = at
        return True


def _cycle(lead: _Lead, *, hot: bool, weak: bool) -> bool:
    """One cycle from MQL on; ``True`` when it ended in nurture (may re-engage)."""
    rng = lead.rng
    if rng.random() < 0.06:
        return False  # handed over and forgotten: never contacted
    wait = rng.expovariate(1 / (3 if hot else 18))
    attempts = 0
    if not lead.step("contact_attempt", "sales", wait):
        return False
    attempts += 1
    roll = rng.random()
    reject_share = 0.35 if weak else 0.2
    if roll < reject_share:
        reason = rng.choice(_REJECT if weak else _REJECT[2:])
        if rng.random() < 0.15:
            while attempts < 3:
                if not lead.step("contact_attempt", "sales", rng.uniform(4, 30)):
                    return False
                attempts += 1
            reason = "unreachable"
        kind = "reject" if rng.random() < 0.7 else "disqualify"
        lead.step(kind, "sales", rng.uniform(1, 60), reason=reason)
        return kind == "reject"
    if not lead.step("accept", "sales", rng.uniform(0.5, 40)):
        return False
    if rng.random() < 0.3:
        lead.step("recycle", "sales", rng.uniform(24, 240), reason="wrong_timing")
        return True
    if not lead.step("qualify", "sales", rng.uniform(24, 200), qualification=_QUALIFIED):
        return False
    if rng.random() < 0.45 or not lead.step("convert", "sales", rng.uniform(24, 300)):
        return False
    roll = rng.random()
    if roll < 0.35:
        lead.step("win", "sales", rng.uniform(100, 900))
    elif roll < 0.7:
        lead.step(
            "lose",
            "sales",
            rng.uniform(100, 900),
            reason=rng.choice(("no_budget", "competitor_chosen")),
        )
    return False


def synthetic_histories(
    count: int, *, start: datetime, days: int = 91, seed: int = 13
) -> list[History]:
    """``count`` leads created over ``days`` from ``start``, moved through the default graph.

    Raises:
        NaiveDatetimeError: ``start`` has no time zone.
    """
    start = to_utc(start, "start")
    end = start + timedelta(days=days)
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    result = []
    for number in range(count):
        campaign = rng.choice(CAMPAIGNS)
        weak = campaign in ("purchased-list", "paid-search")
        hot = rng.random() < 0.25
        created = start + timedelta(minutes=rng.randrange(days * 24 * 54))
        origin = "cold" if campaign == "purchased-list" else "mql" if hot else "iql"
        lead = _Lead(new_lead(f"L-{number:05d}", origin), created, end, rng)
        if origin == "cold":
            lead.step("engage", "marketing", rng.uniform(24, 240))
        if lead.record.stage == "iql":
            lead.step("promote", "system", rng.uniform(1, 120), lead=_DATA)
        cycles = 0
        while lead.record.stage == "mql" and cycles < 3:
            cycles += 1
            if not _cycle(lead, hot=hot, weak=weak):
                break
            if lead.record.stage != "nurture" or rng.random() < 0.5:
                break
            lead.step("reengage", "system", rng.uniform(200, 600), lead=_DATA)
        record = lead.record
        handed = record.origin == "mql" or any(s.target == "mql" for s in record.history)
        touches = tuple(
            Touch(created - timedelta(minutes=rng.randrange(1440, 40 * 1440)), c, CHANNELS[c])
            for c in sorted({campaign, *rng.sample(CAMPAIGNS, rng.randint(0, 2))})
        )
        fields = {
            "campaign": campaign,
            "channel": CHANNELS[campaign],
            "source": "inbound" if campaign != "purchased-list" else "outbound",
            "owner": OWNERS[number % len(OWNERS)] if handed else None,
            "country": rng.choice(COUNTRIES),
            "temperature": "hot" if hot else "warm",
            "sourced_by": "sales" if campaign == "trade-fair" and number % 3 == 0 else "marketing",
        }
        if handed:  # routed a few minutes after the handoff; every fifth lead late
            handoff = (
                created
                if record.origin == "mql"
                else next(s.event.at for s in record.history if s.target == "mql")
            )
            delay = timedelta(minutes=(1, 2, 3, 4, 12)[number % 5])
            fields["routed_at"] = (handoff + delay).isoformat()
        amount = float(rng.randrange(10_000, 80_000, 500))
        reached = any(s.target == "opportunity" for s in lead.record.history)
        result.append(
            History(
                lead.record, fields, created, amount if reached else None, tuple(sorted(touches))
            )
        )
    return result
