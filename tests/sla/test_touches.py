"""The touch rule: enough attempts over enough time, and what is missing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from leadflow.errors import NaiveDatetimeError
from leadflow.sla import (
    TouchRule,
)
from tests.sla.helpers import FIRST


def test_touch_rule_satisfied():
    touches = [FIRST + timedelta(days=d) for d in (0, 1, 3, 6, 9, 13)]
    check = TouchRule().check(touches, now=FIRST + timedelta(days=14))
    assert check.satisfied
    assert check.missing_touches == 0
    assert check.wait == timedelta(0)
    assert check.message == "may disqualify: 6 touches over 14 days"


def test_touch_rule_says_what_is_missing():
    touches = [FIRST + timedelta(days=d) for d in (0, 2, 4, 7)]
    check = TouchRule().check(touches, now=FIRST + timedelta(days=10, hours=3))
    assert not check.satisfied
    assert check.missing_touches == 2
    assert check.wait == timedelta(days=3, hours=21)
    assert check.window_ends_at == FIRST + timedelta(days=14)
    assert check.message == (
        "not yet: 2 more touches needed (4 of 6) and 3 days 21 h more "
        "(2 weeks after the first touch on 2026-06-01 09:00 UTC)"
    )
    enough_touches = [FIRST + timedelta(hours=h) for h in range(6)]
    early = TouchRule().check(enough_touches, now=FIRST + timedelta(days=2))
    assert early.missing_touches == 0
    assert early.message.startswith("not yet: 12 days more (2 weeks after")


def test_touch_rule_ignores_future_touches_and_handles_none():
    check = TouchRule(min_touches=3, over=timedelta(days=7)).check(
        [FIRST, FIRST + timedelta(days=30)], now=FIRST + timedelta(days=8)
    )
    assert check.touches == 1
    assert check.message == "not yet: 2 more touches needed (1 of 3)"
    nothing = TouchRule().check([], now=FIRST)
    assert nothing.message == "not yet: no touches made; 6 needed over 14 days"
    with pytest.raises(NaiveDatetimeError):
        TouchRule().check([datetime(2026, 6, 1)], now=FIRST)


def test_min_gap_makes_the_touches_spread():
    rule = TouchRule(min_touches=3, over=timedelta(days=7), min_gap=timedelta(days=1))
    burst = [FIRST + timedelta(minutes=m) for m in range(0, 60, 10)] + [FIRST + timedelta(days=3)]
    check = rule.check(burst, now=FIRST + timedelta(days=8))
    assert check.touches == 2
    assert check.ignored == 5
    assert check.message == (
        "not yet: 1 more touch needed (2 of 3; 5 not counted, less than 1 day after the previous)"
    )
    spread = [FIRST, FIRST + timedelta(days=1), FIRST + timedelta(days=5)]
    assert rule.check(spread, now=FIRST + timedelta(days=8)).satisfied
