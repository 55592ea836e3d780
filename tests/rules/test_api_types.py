"""Bad input at the public rules API gets a leadflow error naming the argument, never a foreign one.

Every public function of ``leadflow.rules`` and every ``RuleSet`` method is called with wrong
types (None, bytes, numbers, NaN, text where a mapping or a collection belongs, ...) in each
argument; only :class:`~leadflow.errors.LeadflowError` subclasses may come out, and those about
a wrong type are also ``TypeError``, those about a wrong value ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadflow import (
    ArgumentTypeError,
    ConfigurationError,
    LeadflowError,
    LeadValidationError,
    RuleEvaluationError,
)
from leadflow.rules import RuleSet, load, parse, template_text

from .helpers import NOW

RULES = """\
use bant
field size is number
score fit {
  +10 size >= 1
}
mql when size >= 1
knockout student when not size >= 1
"""
LEAD = {"id": "L-1", "company": "ACME", "email": "cio@acme.de", "custom": {"size": 5}}

WRONG: list[Any] = [
    None,
    b"mql when employees > 1",
    5,
    -1,
    1.5,
    math.nan,
    math.inf,
    True,
    "text",
    "",
    "a\x00b",
    [],
    ["x", 1],
    {},
    {"x": 1},
    {1: "x"},
    (None,),
    object(),
    Path("nowhere.lf"),
    NOW.date(),
]


def rules() -> RuleSet:
    return parse(RULES, source="api.lf")


def _calls() -> dict[str, Callable[[Any], object]]:
    """Each public call with one argument left open for the wrong value."""
    good = rules()
    return {
        "parse(text)": lambda v: parse(v),
        "parse(source=)": lambda v: parse(RULES, source=v),
        "parse(base_dir=)": lambda v: parse(RULES, base_dir=v),
        "parse(fields=)": lambda v: parse(RULES, fields=v),
        "parse(activity_kinds=)": lambda v: parse(RULES, activity_kinds=v),
        "parse(reasons=)": lambda v: parse(RULES, reasons=v),
        "parse(allow_outside=)": lambda v: parse(RULES, allow_outside=v),
        "parse(max_bytes=)": lambda v: parse(RULES, max_bytes=v),
        "load(path)": lambda v: load(v),
        "load(fields=)": lambda v: load("nowhere.lf", fields=v),
        "load(reasons=)": lambda v: load("nowhere.lf", reasons=v),
        "template_text(name)": lambda v: template_text(v),
        "evaluate(lead)": lambda v: good.evaluate(v, now=NOW),
        "evaluate(now=)": lambda v: good.evaluate(LEAD, now=v),
        "evaluate(answers=)": lambda v: good.evaluate(LEAD, now=NOW, answers=v),
        "evaluate(answers={budget: })": lambda v: good.evaluate(
            LEAD, now=NOW, answers={"budget": v}
        ),
        "evaluate(custom number)": lambda v: good.evaluate(
            {**LEAD, "custom": {"size": v}}, now=NOW
        ).explain(),
        "evaluate(custom=)": lambda v: good.evaluate({**LEAD, "custom": v}, now=NOW),
        "score(lead)": lambda v: good.score(v, now=NOW),
        "score(now=)": lambda v: good.score(LEAD, now=v),
        "score_many(leads)": lambda v: good.score_many(v, now=NOW),
        "score_many([lead])": lambda v: good.score_many([v], now=NOW),
        "score_many(now=)": lambda v: good.score_many([LEAD], now=v),
    }


CALLS = _calls()


def only_ours(call: Callable[[Any], object], value: Any) -> LeadflowError | None:
    """Call; return the leadflow error raised, if any; let any other exception fail the test."""
    caught: LeadflowError | None = None
    try:
        call(value)
    except LeadflowError as error:
        caught = error
    if isinstance(caught, ArgumentTypeError):
        assert isinstance(caught, TypeError)
        assert caught.argument in str(caught)
    return caught


@pytest.mark.parametrize("name", sorted(CALLS))
@pytest.mark.parametrize("value", WRONG, ids=repr)
def test_wrong_values_give_only_leadflow_errors(name: str, value: Any) -> None:
    only_ours(CALLS[name], value)


@given(
    st.sampled_from(sorted(CALLS)),
    st.one_of(
        st.none(),
        st.binary(max_size=8),
        st.integers(),
        st.floats(),
        st.text(max_size=8),
        st.lists(st.one_of(st.integers(), st.text(max_size=4)), max_size=3),
        st.dictionaries(st.one_of(st.text(max_size=4), st.integers()), st.integers(), max_size=2),
    ),
)
def test_any_value_in_any_argument_gives_only_leadflow_errors(name: str, value: Any) -> None:
    only_ours(CALLS[name], value)


# -- the cases of issue #14, one by one ----------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda: parse(b"mql when employees > 1"), "text"),
        (lambda: parse(None), "text"),  # type: ignore[arg-type]
        (lambda: rules().evaluate(LEAD, now=NOW, answers="budget"), "answers"),  # type: ignore[arg-type]
        (lambda: parse(RULES, reasons="student"), "reasons"),
        (lambda: parse(RULES, activity_kinds="abc"), "activity_kinds"),
        (lambda: rules().evaluate(LEAD, now="2026-11-20T12:00Z"), "now"),  # type: ignore[arg-type]
        (lambda: rules().score_many(LEAD, now=NOW), "leads"),  # type: ignore[arg-type]
        (lambda: load(b"rules.lf"), "path"),  # type: ignore[arg-type]
    ],
)
def test_a_wrong_type_is_a_type_error_naming_the_argument(
    call: Callable[[], object], argument: str
) -> None:
    with pytest.raises(ArgumentTypeError) as caught:
        call()
    assert isinstance(caught.value, TypeError)
    assert caught.value.argument == argument
    assert str(caught.value).startswith(f"{argument} must be ")


def test_a_path_holding_nul_is_a_value_error() -> None:
    with pytest.raises(ConfigurationError, match=r"holds the character \\x00") as caught:
        load("a\x00b")
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("value", [10**400, 10**5000], ids=["10**400", "10**5000"])
def test_custom_numbers_must_be_finite(value: int) -> None:
    with pytest.raises(RuleEvaluationError, match="expected a finite number"):
        rules().evaluate({**LEAD, "custom": {"size": value}}, now=NOW)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_nan_and_infinities_are_refused_before_the_rules_see_them(value: float) -> None:
    with pytest.raises(LeadValidationError, match=r"custom\.size: must be .*a finite number"):
        rules().evaluate({**LEAD, "custom": {"size": value}}, now=NOW)


def test_nan_no_longer_fires_both_a_test_and_its_negation() -> None:
    ok = rules().evaluate({**LEAD, "custom": {"size": 10**300}}, now=NOW)
    assert ok.mql is True
    assert ok.reasons == ()
    assert "size 1" in ok.explain()  # a large (finite) number is still shown
