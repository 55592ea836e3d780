"""Fuzz tests: bad input fails with our errors only, and nothing naive gets through."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow.errors import EventValidationError, GraphError, NaiveDatetimeError
from leadflow.lifecycle import (
    DEFAULT_GRAPH,
    ContactAttempts,
    Graph,
    HandoffEvent,
    StageSpec,
    Transition,
    graph_from_dict,
    graph_to_dict,
    parse_event,
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
KEYS = ["name", "initial", "entry", "owners", "actors", "reasons", "stages", "transitions", "x"]


@settings(max_examples=150)
@given(st.dictionaries(st.sampled_from(KEYS), JSON, max_size=6))
def test_random_graph_data_raises_only_graph_error(data: dict[str, Any]) -> None:
    with pytest.raises(GraphError) as info:
        graph_from_dict(data)
    assert info.value.problems


@settings(max_examples=100)
@given(st.data())
def test_mutating_the_default_graph_data_reports_problems_or_builds(data: st.DataObject) -> None:
    raw = graph_to_dict(DEFAULT_GRAPH)
    section = data.draw(st.sampled_from(["stages", "transitions"]))
    index = data.draw(st.integers(0, len(raw[section]) - 1))
    key = data.draw(st.sampled_from(sorted(raw[section][index])))
    raw[section][index][key] = data.draw(JSON)
    problems: tuple[object, ...] = ()
    try:
        graph = graph_from_dict(raw)
    except GraphError as error:
        problems = error.problems
        assert problems
    else:
        assert graph.stage_names


@given(st.datetimes())
def test_naive_datetimes_never_get_in(naive: datetime) -> None:
    with pytest.raises(NaiveDatetimeError):
        HandoffEvent("engage", naive, "marketing")
    with pytest.raises(EventValidationError) as info:
        parse_event({"name": "engage", "at": naive.isoformat(), "actor": "marketing"})
    assert [p.field for p in info.value.problems] == ["at"]


@given(st.datetimes(timezones=st.timezones()))
def test_aware_datetimes_are_stored_as_the_same_instant_in_utc(aware: datetime) -> None:
    event = HandoffEvent("engage", aware, "marketing")
    assert event.at.utcoffset() is not None
    assert event.at.timestamp() == aware.timestamp()
    assert parse_event(json.dumps(event.to_dict())) == event


def test_instants_outside_the_utc_range_are_refused() -> None:
    from zoneinfo import ZoneInfo

    edge = datetime(1, 1, 1, tzinfo=ZoneInfo("Asia/Tokyo"))
    with pytest.raises(EventValidationError, match="outside the range"):
        HandoffEvent("engage", edge, "marketing")
    with pytest.raises(EventValidationError):
        parse_event({"name": "engage", "at": "0001-01-01T00:00:00+09:00", "actor": "marketing"})


EVENT_KEYS = [
    "name",
    "at",
    "actor",
    "actor_id",
    "reason",
    "note",
    "campaign",
    "idempotency_key",
    "qualification",
    "lead",
    "colour",
]
TIMES = st.sampled_from(
    ["2026-11-23T09:00:00Z", "2026-11-23T09:00:00", "0001-01-01T00:00:00+09:00", "yesterday", ""]
)
FLOATS = st.floats(allow_nan=True, allow_infinity=True)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | FLOATS | st.text(max_size=8) | TIMES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=200)
@given(
    st.one_of(
        st.fixed_dictionaries(
            {"name": st.text(max_size=8), "at": TIMES, "actor": st.text(max_size=8)},
            optional={key: ANY_JSON for key in EVENT_KEYS[3:]},
        ),
        st.dictionaries(st.sampled_from(EVENT_KEYS), ANY_JSON, max_size=8),
        ANY_JSON,
        st.text(max_size=40),
        st.binary(max_size=40),
    ),
    st.booleans(),
)
def test_parse_event_raises_only_event_validation_error(data: Any, as_text: bool) -> None:
    """Arbitrary webhook payloads: an event, or our error; never a raw TypeError or KeyError."""
    if as_text and not isinstance(data, str | bytes):
        data = json.dumps(data)
    problems: tuple[object, ...] = ()
    try:
        event = parse_event(data)
    except EventValidationError as error:
        problems = error.problems
    else:
        assert event.at.utcoffset() is not None
        assert parse_event(json.dumps(event.to_dict())) == event
        return
    assert problems


JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=6),
    st.sampled_from(["a", "b", "sales", "reject", "unreachable"]),
    st.lists(st.sampled_from(["a", "b", "sales", 1]), max_size=2),
    st.tuples(st.sampled_from(["a", "sales", "x"])),
)


@st.composite
def python_graphs(draw: st.DrawFn) -> dict[str, Any]:
    stages = draw(
        st.lists(
            st.builds(StageSpec, JUNK, JUNK, st.one_of(st.booleans(), JUNK)) | JUNK, max_size=3
        )
    )
    transitions = draw(
        st.lists(
            st.builds(
                Transition,
                JUNK,
                JUNK,
                JUNK,
                JUNK,
                kind=JUNK,
                reasons=JUNK,
                guards=st.one_of(JUNK, st.tuples(st.builds(ContactAttempts, JUNK, JUNK))),
            )
            | JUNK,
            max_size=3,
        )
    )
    return {
        "name": draw(JUNK),
        "stages": draw(st.sampled_from([tuple(stages), stages, None])),
        "transitions": tuple(transitions),
        "initial": draw(JUNK),
        "entry": draw(JUNK),
        "reasons": draw(st.sampled_from([None, ["x"], {"x": 1}, {}])),
        "owners": draw(JUNK),
        "actors": draw(JUNK),
        "attempt_event": draw(JUNK),
    }


@settings(max_examples=150)
@given(python_graphs())
def test_wrong_types_in_a_python_graph_raise_only_graph_error(settings_: dict[str, Any]) -> None:
    with pytest.raises(GraphError) as info:
        Graph(**settings_)
    assert info.value.problems
