"""The window bounds a rule set keeps for the last ``now`` follow instants, not wall times.

Two aware datetimes of one ``ZoneInfo`` compare as wall times, so 02:30 before and after the
clocks go back (``fold=0`` and ``fold=1``, an hour apart) are equal as datetimes. ``parse()``
hands every caller the same cached rule set: one request's result must not depend on which
instants other requests evaluated before.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow import Lead
from leadflow.rules import parse
from leadflow.rules._engine.engine import Engine

from . import oracle

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
RULES = "score e {\n  +10 demo_request within 1 hours\n}\n"
WINDOWS = """
score e {
  +10        demo_request within 1 hours
  +1 each    pricing_page_view within 2 hours
  +5         content_download at least 2 times within 1 days
}
"""


def demo_lead(*activities: tuple[str, datetime]) -> Lead:
    acts = [{"kind": kind, "at": at} for kind, at in activities]
    return Lead(id="L-1", company="ACME", email="a@acme.de", activities=acts)


def test_the_second_of_two_equal_wall_times_in_a_fold_gets_its_own_bounds():
    rules = parse(RULES, source="fold.lf")
    lead = demo_lead(("demo_request", datetime(2026, 10, 25, 1, 15, tzinfo=UTC)))
    first = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)  # 00:30 UTC: the demo comes later
    second = first.replace(fold=1)  # 01:30 UTC: the demo was 15 minutes ago
    assert first == second  # as wall times of one zone
    assert rules.evaluate(lead, now=first).scores["e"] == 0.0
    assert rules.evaluate(lead, now=second).scores["e"] == 10.0
    assert rules.score(lead, now=first) == {"e": 0.0}
    assert rules.score_many([lead], now=second) == [{"e": 10.0}]


# wall times around the clock changes of 2026 (Berlin: 29 March, 25 October; New York:
# 8 March, 1 November): in the gap, in the fold, and just outside
CHANGES = [
    (BERLIN, datetime(2026, 3, 29, 2, 0)),
    (BERLIN, datetime(2026, 10, 25, 2, 0)),
    (NEW_YORK, datetime(2026, 3, 8, 2, 0)),
    (NEW_YORK, datetime(2026, 11, 1, 1, 0)),
]


@st.composite
def wall_instants(draw: st.DrawFn) -> datetime:
    zone, wall = draw(st.sampled_from(CHANGES))
    minutes = draw(st.sampled_from([-61, -60, -1, 0, 1, 15, 30, 59, 60, 61, 90, 120]))
    at = (wall + timedelta(minutes=minutes)).replace(tzinfo=zone)
    return at.replace(fold=draw(st.integers(0, 1)))


@st.composite
def activities_near(draw: st.DrawFn, nows: list[datetime]) -> list[tuple[str, datetime]]:
    out = []
    for _ in range(draw(st.integers(0, 6))):
        base = draw(st.sampled_from(nows)).astimezone(UTC)
        ago = timedelta(minutes=draw(st.sampled_from([-30, 0, 1, 30, 59, 60, 61, 119, 120, 121])))
        kind = draw(st.sampled_from(["demo_request", "pricing_page_view", "content_download"]))
        out.append((kind, base - ago))
    return out


@settings(max_examples=200)
@given(st.data())
def test_evaluation_does_not_depend_on_the_instants_evaluated_before(data: Any):
    nows = data.draw(st.lists(wall_instants(), min_size=2, max_size=6))
    lead = demo_lead(*data.draw(activities_near(nows)))
    rules = parse(WINDOWS, source="order.lf")
    shared = Engine(rules._program)  # one engine, every instant in turn, as parse's cache does
    for now in [*nows, *reversed(nows)]:
        alone = Engine(rules._program).evaluate(lead, now=now)  # a fresh one per instant
        assert shared.evaluate(lead, now=now) == alone._replace(trace=(shared, *alone.trace[1:]))
        assert shared.score_one(lead, now) == dict(alone.scores)
        assert dict(oracle.evaluate(rules, lead, now).scores) == dict(alone.scores)


def test_threads_evaluating_fold_instants_share_one_rule_set():
    """Each call uses the bounds of its own instant, whatever the other threads evaluate."""
    rules = parse(WINDOWS, source="threads.lf")
    wall = datetime(2026, 10, 25, 2, 30, tzinfo=BERLIN)
    nows = [wall + timedelta(minutes=m) for m in range(0, 30, 5)]
    nows += [now.replace(fold=1) for now in nows]
    lead = demo_lead(
        *[("demo_request", datetime(2026, 10, 25, 0, m, tzinfo=UTC)) for m in range(0, 60, 10)],
        *[("pricing_page_view", datetime(2026, 10, 24, 23, m, tzinfo=UTC)) for m in (5, 35)],
    )
    expected = {(now, now.fold): dict(oracle.evaluate(rules, lead, now).scores) for now in nows}
    assert len({str(v) for v in expected.values()}) > 2  # the instants give different scores

    def work(now: datetime) -> bool:
        want = expected[now, now.fold]
        return all(dict(rules.evaluate(lead, now=now).scores) == want for _ in range(200))

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert all(pool.map(work, nows * 4))
