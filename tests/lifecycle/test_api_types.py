"""Wrong types at the public lifecycle API raise our errors, never a foreign one.

Each public function is called with a valid baseline, then with one argument at a time
replaced by a value of a wrong type. Whatever escapes must be a ``LeadflowError``; refusals of
a wrong type are ``ArgumentTypeError`` (a ``TypeError``), and name the argument.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from leadflow.errors import ArgumentTypeError, LeadflowError, LeadValidationError
from leadflow.lifecycle import (
    DEFAULT_GRAPH,
    HandoffEvent,
    LeadRecord,
    Qualification,
    Step,
    advance,
    advance_all,
    conversion,
    default_graph,
    graph_from_dict,
    graph_from_text,
    graph_to_dict,
    load_graph,
    median_delay,
    mql_to_sql,
    new_lead,
    parse_event,
    reason_actions,
    rejection_reasons,
    replay,
    sal_acceptance,
    time_to_first_contact,
    to_markdown,
    to_mermaid,
    try_advance,
)

from .helpers import T0, event, lead_in

WRONG: tuple[Any, ...] = (
    None,
    "abc",
    "2026-11-23T09:00:00+00:00",
    b"x",
    0,
    -1,
    1.5,
    float("nan"),
    True,
    [],
    ["a", 1],
    {},
    {"a": 1},
    object(),
    date(2026, 11, 23),
    datetime(2026, 11, 23, 9),
    timedelta(-1),
    lead_in("mql"),
    DEFAULT_GRAPH,
)

RECORD = lead_in("mql")
EVENT = event("accept", hours=3)
NOW = T0 + timedelta(hours=4)

BASELINES: dict[Callable[..., Any], dict[str, Any]] = {
    advance: {
        "record": RECORD,
        "event": EVENT,
        "graph": DEFAULT_GRAPH,
        "tolerant": False,
        "now": NOW,
        "max_skew": timedelta(minutes=5),
        "expected_version": 2,
    },
    try_advance: {"record": RECORD, "event": EVENT, "graph": DEFAULT_GRAPH, "now": NOW},
    advance_all: {"record": RECORD, "events": [EVENT], "graph": DEFAULT_GRAPH, "now": NOW},
    new_lead: {"lead_id": "L-1", "stage": "mql", "graph": DEFAULT_GRAPH},
    replay: {"record": RECORD, "graph": DEFAULT_GRAPH},
    HandoffEvent: {
        "name": "accept",
        "at": T0,
        "actor": "sales",
        "actor_id": "rep-1",
        "reason": None,
        "note": "n",
        "campaign": "c",
        "idempotency_key": "k",
        "qualification": None,
        "lead": {"company": "ACME"},
    },
    Qualification: {"passed": True, "framework": "bant", "score": 3, "note": None},
    LeadRecord: {
        "lead_id": "L-1",
        "stage": "cold",
        "origin": "cold",
        "cycle": 0,
        "attempts": 0,
        "history": (),
    },
    LeadRecord.from_json: {"data": RECORD.to_json(), "graph": DEFAULT_GRAPH},
    parse_event: {"data": EVENT.to_dict()},
    conversion: {"records": [RECORD], "entered": "mql", "reached": "sql", "recycled_as_new": True},
    mql_to_sql: {"records": [RECORD], "recycled_as_new": False},
    sal_acceptance: {"records": [RECORD], "mql": "mql", "sal": "sal"},
    time_to_first_contact: {"records": [RECORD], "entered": "mql"},
    median_delay: {"delays": time_to_first_contact([RECORD])},
    rejection_reasons: {"records": [RECORD], "kinds": ("reject",)},
    reason_actions: {"records": [RECORD], "kinds": ("reject",)},
    default_graph: {"contact_attempts": 3, "reasons": None},
    graph_from_dict: {"data": graph_to_dict(DEFAULT_GRAPH), "source": "g"},
    graph_from_text: {"text": "name = 'x'", "suffix": ".toml", "source": "g"},
    graph_to_dict: {"graph": DEFAULT_GRAPH},
    to_markdown: {"graph": DEFAULT_GRAPH},
    to_mermaid: {"graph": DEFAULT_GRAPH},
}

CASES = [
    pytest.param(function, name, i, id=f"{getattr(function, '__qualname__', function)}-{name}-{i}")
    for function, baseline in BASELINES.items()
    for name in baseline
    for i in range(len(WRONG))
]


def _call(function: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
    result = function(**kwargs)
    if inspect.isgenerator(result):
        list(result)
    return result


def test_the_baselines_are_valid() -> None:
    for function, baseline in BASELINES.items():
        if function is graph_from_text:
            continue  # a valid call would need a whole graph in the text
        _call(function, baseline)


@pytest.mark.parametrize(("function", "name", "index"), CASES)
def test_a_wrong_value_raises_only_our_errors(
    function: Callable[..., Any], name: str, index: int
) -> None:
    kwargs = {**BASELINES[function], name: WRONG[index]}
    caught: LeadflowError | None = None
    try:
        _call(function, kwargs)
    except LeadflowError as error:  # anything else fails the test
        caught = error
    if isinstance(caught, TypeError):
        assert isinstance(caught, ArgumentTypeError)
        assert caught.argument.split("[")[0] in kwargs, caught.argument


def test_load_graph_refuses_non_paths_and_nul() -> None:
    for value in (None, 1, b"x.toml", ["x"]):
        with pytest.raises(ArgumentTypeError, match="path must be"):
            load_graph(value)  # type: ignore[arg-type]
    with pytest.raises(LeadflowError):
        load_graph("a\x00b.toml")


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: rejection_reasons([RECORD], kinds="reject"), "kinds"),
        (lambda: reason_actions([RECORD], kinds="abc"), "kinds"),
        (lambda: reason_actions([RECORD], reasons="student"), "reasons"),  # type: ignore[arg-type]
        (lambda: default_graph(reasons="student"), "reasons"),  # type: ignore[arg-type]
        (lambda: mql_to_sql(RECORD), "records"),
        (lambda: HandoffEvent("accept", "2026-11-23T09:00:00Z", "sales"), "at"),  # type: ignore[arg-type]
        (lambda: HandoffEvent("accept", None, "sales"), "at"),  # type: ignore[arg-type]
        (lambda: HandoffEvent("accept", date(2026, 11, 23), "sales"), "at"),  # type: ignore[arg-type]
        (lambda: advance(RECORD, EVENT, tolerant="yes"), "tolerant"),  # type: ignore[arg-type]
        (lambda: advance(RECORD, EVENT, now="2026-11-23"), "now"),  # type: ignore[arg-type]
        (lambda: advance(RECORD, EVENT.to_dict()), "event"),  # type: ignore[arg-type]
    ],
)
def test_lone_strings_and_texts_are_refused_naming_the_argument(
    call: Callable[[], Any], argument: str
) -> None:
    with pytest.raises(ArgumentTypeError) as info:
        call()
    assert isinstance(info.value, TypeError)
    assert info.value.argument == argument
    assert str(info.value).startswith(f"{argument} must be")


def test_graph_lookups_with_unhashable_values_raise_our_error() -> None:
    for lookup in (
        lambda: DEFAULT_GRAPH.transition([], "accept"),  # type: ignore[arg-type]
        lambda: DEFAULT_GRAPH.allowed_events({}),  # type: ignore[arg-type]
        lambda: DEFAULT_GRAPH.has_stage([]),  # type: ignore[arg-type]
        lambda: DEFAULT_GRAPH.is_terminal([]),  # type: ignore[arg-type]
        lambda: DEFAULT_GRAPH.stage([]),  # type: ignore[arg-type]
    ):
        with pytest.raises(ArgumentTypeError):
            lookup()


def test_a_hand_built_step_of_wrong_types_is_refused() -> None:
    for step in (
        Step("engage", "cold", "iql", "progress"),  # type: ignore[arg-type]
        Step(EVENT, "cold", "iql", "progress", cycle="0"),  # type: ignore[arg-type]
        Step(EVENT, None, "iql", "progress"),  # type: ignore[arg-type]
    ):
        with pytest.raises(LeadValidationError, match=r"history\[0\]: expected Step"):
            LeadRecord("L-1", "cold", history=(step,))
