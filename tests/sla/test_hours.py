"""The working-hours spec: text form, mapping form, errors that quote the offending part."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadflow.errors import ConfigurationError
from leadflow.sla import BusinessCalendar, Span, WorkingHours, parse_hours
from tests.sla.strategies import weeks

ISSUE_SPEC = "mon-thu 08:00-12:00, 13:00-17:00; fri 08:00-14:00"


def test_the_issue_example():
    hours = parse_hours(ISSUE_SPEC)
    assert hours.days[0] == (Span(480, 720), Span(780, 1020))
    assert hours.days[3] == hours.days[0]
    assert hours.days[4] == (Span(480, 840),)
    assert hours.days[5] == hours.days[6] == ()


def test_mapping_form_equals_text_form():
    mapping = {"mon-thu": ["08:00-12:00", "13:00-17:00"], "fri": "08:00-14:00"}
    assert parse_hours(mapping) == parse_hours(ISSUE_SPEC)
    assert WorkingHours.parse(parse_hours(mapping)) == parse_hours(ISSUE_SPEC)


@pytest.mark.parametrize(
    ("spec", "days"),
    [
        ("fri-mon 09:00-10:00", {0, 4, 5, 6}),
        ("mon,wed 09:00-10:00", {0, 2}),
        ("mon, wed-thu 09:00-10:00", {0, 2, 3}),
        ("Monday-Friday 09:00-10:00", {0, 1, 2, 3, 4}),
        ("sun-sun 09:00-10:00", {6}),
        ("mon-sun 09:00-10:00", set(range(7))),
    ],
)
def test_day_expressions(spec, days):
    hours = parse_hours(spec)
    assert {i for i, spans in enumerate(hours.days) if spans} == days


def test_spans_overnight_and_midnight():
    assert parse_hours("mon 22:00-06:00").days[0] == (Span(1320, 360),)
    assert parse_hours("mon 22:00-06:00").days[0][0].overnight
    assert parse_hours("mon 18:00-24:00").days[0] == (Span(1080, 1440),)
    assert not parse_hours("mon 18:00-24:00").days[0][0].overnight
    assert parse_hours("mon 08:00-08:00").days[0][0].minutes == 24 * 60


def test_groups_naming_the_same_day_add_up():
    hours = parse_hours("mon-fri 08:00-12:00; mon 13:00-14:00; mon 08:00-12:00")
    assert hours.days[0] == (Span(480, 720), Span(780, 840))


def test_empty_spec_is_never_open():
    assert parse_hours("").is_empty
    assert parse_hours({}).is_empty
    assert parse_hours(" ; ").is_empty


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("mon-fri 8-18", "malformed group 'mon-fri 8-18'"),
        ("mon-fri", "malformed group 'mon-fri'"),
        ("08:00-18:00", "malformed group '08:00-18:00'"),
        ("mon-fri 08:00-18:00; xyz 08:00-12:00", "unknown day 'xyz' in hours 'xyz 08:00-12:00'"),
        ("mon-fri 08:00-25:00", "end '08:00-25:00' in hours 'mon-fri 08:00-25:00'"),
        ("mon-fri 24:00-06:00", "start '24:00-06:00'"),
        ("mon 24:30-06:00", "start '24:30-06:00'"),
        ("mon 08:00-24:30", "end '08:00-24:30'"),
        ("mon 08:60-12:00", "start '08:60-12:00'"),
        ("mon 08:00-12:00, 13:00", "malformed span '13:00' in hours 'mon 08:00-12:00, 13:00'"),
        ("mon,,tue 08:00-12:00", "empty day"),
        ({"mon": 8}, "spans of 'mon' must be texts"),
        ({"mon": ["08:00-12:00", "x"]}, "malformed span 'x'"),
    ],
)
def test_malformed_specs_quote_the_offending_part(spec, message):
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(")) as info:
        BusinessCalendar(hours=spec, timezone="UTC")
    assert isinstance(info.value, ValueError)
    assert info.value.field == "hours"


def test_hours_of_the_wrong_type():
    with pytest.raises(ConfigurationError, match="hours must be a text"):
        parse_hours(42)  # type: ignore[arg-type]


@given(weeks(allow_empty=True))
def test_rendered_hours_parse_back(week):
    text = "; ".join(
        f"{['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'][d]} "
        + ", ".join(f"{s}-{e}" for s, e in spans)
        for d, spans in week.items()
        if spans
    )
    hours = parse_hours(text)
    assert parse_hours(str(hours)) == hours


@given(st.text(max_size=40))
def test_any_text_parses_or_raises_configuration_error(text):
    field = "hours"
    try:
        parse_hours(text)
    except ConfigurationError as error:
        field = error.field or ""
    assert field == "hours"


@pytest.mark.parametrize(
    "build",
    [
        lambda: Span(0, 5000),
        lambda: Span(-60, 60),
        lambda: Span(1440, 60),
        lambda: WorkingHours(((Span(60, 120),),)),
        lambda: WorkingHours(((Span(60, 120),),) * 8),
        lambda: WorkingHours((("08:00-18:00",),) * 7),  # type: ignore[arg-type]
    ],
)
def test_hours_built_by_hand_are_checked(build):
    # these used to fail later, inside a query, with ValueError or IndexError
    with pytest.raises(ConfigurationError):
        build()


# -- the text form is read in one pass (a backtracking pattern took 32 s on 50,000 spaces) --------
_OLD_GROUP = re.compile(r"^\s*(?P<days>[A-Za-z][A-Za-z,\s\-]*?)\s+(?P<spans>\d.*?)\s*$", re.DOTALL)


@pytest.mark.parametrize(
    "spec",
    ["mon" + " " * 50_000 + "x", "mon" + " " * 50_000, "mon " + "0" + " " * 50_000 + "x"],
)
def test_long_runs_of_spaces_are_refused_as_malformed_groups(spec: str) -> None:
    with pytest.raises(ConfigurationError, match="malformed"):
        parse_hours(spec)


def test_the_group_splitter_is_not_a_regular_expression() -> None:
    import leadflow.sla.hours as hours

    assert not hasattr(hours, "_GROUP")  # the backtracking pattern is gone for good


@given(st.text(alphabet="monfri-, \t0123456789:x\u00a0\u2003", max_size=24))
def test_the_one_pass_splitter_reads_groups_as_the_old_pattern_did(part: str) -> None:
    from leadflow.sla.hours import _split_group

    old = _OLD_GROUP.match(part)
    expected = None if old is None else (old["days"], old["spans"])
    assert _split_group(part) == expected
