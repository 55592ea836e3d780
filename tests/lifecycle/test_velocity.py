"""time_in_stages and LeadRecord.entered_at: one entry per stay, per cycle."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from leadflow.errors import (
    ArgumentTypeError,
    ConfigurationError,
    FutureEventError,
    NaiveDatetimeError,
)
from leadflow.lifecycle import DEFAULT_MAX_SKEW, Stay, advance, time_in_stages
from tests.lifecycle.helpers import HANDOFF, at, event, lead_in


def recycled_twice():
    record = lead_in("sal")  # engage 1, promote 2, accept 3
    for e in (
        event("recycle", "sales", 10, reason="wrong_timing"),
        event("reengage", "system", 30, lead=HANDOFF),
        event("contact_attempt", "sales", 31),
        event("accept", "sales", 33),
        event("recycle", "sales", 40, reason="no_budget"),
        event("reengage", "system", 50, lead=HANDOFF),
    ):
        record, _ = advance(record, e)
    return record


def test_every_stay_of_every_cycle_in_one_call() -> None:
    stays = time_in_stages(recycled_twice(), now=at(54))
    assert [(s.stage, s.cycle) for s in stays] == [
        ("cold", 0),
        ("iql", 0),
        ("mql", 0),
        ("sal", 0),
        ("nurture", 0),
        ("mql", 1),
        ("sal", 1),
        ("nurture", 1),
        ("mql", 2),
    ]
    hours = [None if s.duration is None else s.duration / timedelta(hours=1) for s in stays]
    assert hours == [None, 1, 1, 7, 20, 3, 7, 10, 4]
    assert stays[-1].left_at is None
    assert stays[5] == Stay("mql", 1, at(30), at(33), timedelta(hours=3))


def test_contact_attempts_do_not_end_a_stay_and_entered_at_is_the_current_stage() -> None:
    record = recycled_twice()
    assert record.entered_at == at(50)
    assert lead_in("cold").entered_at is None
    attempt, _ = advance(lead_in("mql"), event("contact_attempt", "sales", 5))
    assert attempt.entered_at == at(2)
    assert len(time_in_stages(attempt)) == len(time_in_stages(lead_in("mql")))


def test_origin_stay_needs_created_at_and_current_stay_needs_now() -> None:
    stays = time_in_stages(lead_in("iql"), created_at=at(0))
    assert stays[0] == Stay("cold", 0, at(0), at(1), timedelta(hours=1))
    assert stays[1].duration is None
    with pytest.raises(NaiveDatetimeError):
        time_in_stages(lead_in("iql"), now=datetime(2026, 11, 30))


def test_a_record_that_is_not_a_record_is_our_type_error() -> None:
    with pytest.raises(ArgumentTypeError, match=r"record must be a LeadRecord, got str 'L-9'"):
        time_in_stages("L-9")  # type: ignore[arg-type]


def test_now_before_the_current_stage_is_refused_beyond_the_clock_skew() -> None:
    record = recycled_twice()  # entered mql at(50)
    with pytest.raises(FutureEventError, match=r"entered stage 'mql' at .* after now") as caught:
        time_in_stages(record, now=at(49))
    assert caught.value.at == at(50)
    assert caught.value.now == at(49)
    assert caught.value.event == "reengage"
    skewed = at(50) - DEFAULT_MAX_SKEW
    assert time_in_stages(record, now=skewed)[-1].duration == timedelta(0)
    with pytest.raises(FutureEventError):
        time_in_stages(record, now=skewed - timedelta(seconds=1))
    with pytest.raises(FutureEventError, match=r"entered stage 'cold'"):
        time_in_stages(lead_in("cold"), created_at=at(5), now=at(1))


def test_created_at_after_the_first_step_is_refused_beyond_the_clock_skew() -> None:
    record = lead_in("iql")  # engage at(1)
    with pytest.raises(ConfigurationError, match=r"created_at .* lies 1:00:00 after its first"):
        time_in_stages(record, created_at=at(2))
    skewed = at(1) + DEFAULT_MAX_SKEW
    assert time_in_stages(record, created_at=skewed)[0] == Stay(
        "cold", 0, at(1), at(1), timedelta(0)
    )
    with pytest.raises(ConfigurationError) as caught:
        time_in_stages(record, created_at=skewed + timedelta(seconds=1))
    assert caught.value.field == "created_at"
