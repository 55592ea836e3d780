"""Limits on what a rule file may write: number sizes, decimals of points, counts, test leads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from leadflow import RuleSyntaxError
from leadflow.rules import parse
from leadflow.rules._selftest import MAX_TEST_ACTIVITIES
from leadflow.rules._syntax.builder import MAX_NUMBER

from .helpers import NOW, lead

BIG = "9" * 400
SCORE = "score fit {\n  +10 pricing_page_view\n}\n"


def refused(text: str, **options: object) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text, source="r.lf", **options)  # type: ignore[arg-type]
    return caught.value


def a_test(body: str, rules: str = SCORE) -> str:
    """``rules`` and a test block holding ``body`` (lines 5 on: the ``now`` line is 5)."""
    return rules + f'test "t" {{\n  now 2026-11-20 12:00 UTC\n{body}\n}}\n'


# -- numbers are at most MAX_NUMBER --------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "column", "found"),
    [
        (f"mql when demo_request at least {BIG} times", 1, 32, "'999999999999…'"),
        (f"mql when demo_request within {BIG} days", 1, 30, "'999999999999…'"),
        (f"mql when employees >= {BIG}", 1, 23, "'999999999999…'"),
        (f"score a {{\n  +{BIG} employees > 1\n}}", 2, 3, "'+99999999999…'"),
        (f"score a {{\n  +1 employees > 1\n  at most {BIG}\n}}", 3, 11, "'999999999999…'"),
        (f"score a {{\n  +1 each pricing_page_view, at most {BIG}\n}}", 2, 38, "'999999999999…'"),
        (f"score a {{\n  +1 employees > 1\n}}\nscore t = {BIG} * a", 4, 11, "'999999999999…'"),
        (
            f"score a {{\n  +1 pricing_page_view\n  decay half every {BIG} days\n}}",
            3,
            20,
            "'999999999999…'",
        ),
        (
            "grade g {\n  A otherwise\n}\nmql when at least 1000000000001 grades are A",
            4,
            19,
            "'1000000000001'",
        ),
        (a_test(f"  lead {{\n    demo_request {BIG} days ago\n  }}"), 7, 18, "'999999999999…'"),
        (
            a_test(f"  lead {{\n    demo_request {BIG} times 1 day ago\n  }}"),
            7,
            18,
            "'999999999999…'",
        ),
        (a_test(f"  expect fit {BIG}"), 6, 14, "'999999999999…'"),
        ("const n = 1000000000001\nmql when employees > n", 1, 11, "'1000000000001'"),
    ],
)
def test_a_number_beyond_a_million_million_is_refused_at_its_token(
    text: str, line: int, column: int, found: str
) -> None:
    error = refused(text)
    assert (error.line, error.column) == (line, column)
    assert f"expected a number of at most 1,000,000,000,000, found {found}" in str(error)


def test_negative_numbers_have_the_same_bound() -> None:
    error = refused(f"score a {{\n  +1 employees > 1\n  -{BIG} employees > 2\n}}")
    assert (error.line, error.column) == (3, 3)
    assert "expected a number of at least -1,000,000,000,000, found '-99999999999…'" in str(error)


def test_huge_points_of_both_signs_are_two_errors_not_a_nan_score() -> None:
    error = refused(f"score a {{\n  +{BIG} employees > 1\n  -{BIG} employees > 2\n}}")
    assert [(e.line, e.column) for e in error.errors] == [(2, 3), (3, 3)]


def test_numbers_up_to_the_bound_work_and_add_up() -> None:
    big = str(MAX_NUMBER)
    rules = parse(
        f"score a {{\n  +{big} employees > 1\n  -{big} employees > 2\n  +0.01 employees > 0\n"
        f"  at most {big}\n  at least -{big}\n}}\nscore t = {big} * a\n"
        f"mql when employees < {big}",
        source="r.lf",
    )
    result = rules.evaluate(lead(employees=5), now=NOW)
    assert result.scores == {"a": 0.01, "t": 10_000_000_000}
    assert result.mql is True


@pytest.mark.parametrize("unit", ["hours", "days", "weeks", "months"])
def test_windows_longer_than_the_calendar_count_every_activity(unit: str) -> None:
    rules = parse(
        f"score e {{\n  +1 each pricing_page_view within {MAX_NUMBER} {unit}, at most {MAX_NUMBER}\n"
        f"  +2 pricing_page_view at least 2 times within {MAX_NUMBER} {unit}\n"
        f"  decay half every {MAX_NUMBER} {unit}\n}}\n"
        f"mql when pricing_page_view at least {MAX_NUMBER} times within {MAX_NUMBER} {unit}",
        source="r.lf",
    )
    old = lead(acts=[("pricing_page_view", 700_000), ("pricing_page_view", 1)])
    result = rules.evaluate(old, now=NOW)
    assert result.scores["e"] == 4
    assert result.mql is False
    assert rules.score(old, now=NOW)["e"] == 4


# -- points have at most two decimals ------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "column", "found"),
    [
        ("score a {\n  +0.005 employees > 0\n}", 2, 3, "'+0.005'"),
        ("score a {\n  -1.125 employees > 0\n}", 2, 3, "'-1.125'"),
        ("score a {\n  +1 each pricing_page_view, at most 2.505\n}", 2, 38, "'2.505'"),
        ("score a {\n  +1 employees > 0\n  at most 2.001\n}", 3, 11, "'2.001'"),
        ("score a {\n  +1 employees > 0\n  at least -0.001\n}", 3, 12, "'-0.001'"),
    ],
)
def test_points_with_more_than_two_decimals_are_refused(
    text: str, line: int, column: int, found: str
) -> None:
    error = refused(text)
    assert (error.line, error.column) == (line, column)
    assert f"expected points with at most two decimals, found {found}" in str(error)


def test_three_half_cents_are_refused_so_explain_adds_up() -> None:
    error = refused("score a {\n  +0.005 employees > 0\n  +0.005 employees > 0\n}")
    assert [(e.line, e.column) for e in error.errors] == [(2, 3), (3, 3)]


def test_two_decimals_trailing_zeros_and_weights_with_more_decimals_are_fine() -> None:
    rules = parse(
        "score a {\n  +0.25 employees > 0\n  +0.500 employees > 0\n}\n"
        "score w = 0.333 * a + 0.667 * a",
        source="r.lf",
    )
    assert rules.evaluate(lead(employees=5), now=NOW).scores == {"a": 0.75, "w": 0.75}


# -- counts are whole numbers --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        (
            "mql when demo_request at least 2.5 times",
            1,
            32,
            "whole number of times, zero or more, found '2.5'",
        ),
        (
            "mql when demo_request at least -1 times",
            1,
            32,
            "whole number of times, zero or more, found '-1'",
        ),
        (
            "grade g {\n  A otherwise\n}\nmql when at least 2.5 grades are A",
            4,
            19,
            "whole number of grades, zero or more, found '2.5'",
        ),
        (
            a_test("  lead {\n    demo_request 2.5 times 1 day ago\n  }"),
            7,
            18,
            "whole number of times, zero or more, found '2.5'",
        ),
    ],
)
def test_fractional_counts_are_refused(text: str, line: int, column: int, message: str) -> None:
    error = refused(text)
    assert (error.line, error.column) == (line, column)
    assert f"expected a {message}" in str(error)


def test_whole_counts_written_with_zero_decimals_are_fine() -> None:
    rules = parse("mql when demo_request at least 2.0 times", source="r.lf")
    assert rules.evaluate(lead(acts=[("demo_request", 1)] * 2), now=NOW).mql is True


# -- test leads ----------------------------------------------------------------------------------
def test_a_test_lead_holds_at_most_ten_thousand_activities() -> None:
    body = "  lead {\n    pricing_page_view 6000 times 1 day ago\n    email_open 5000 times 1 day ago\n  }"
    error = refused(a_test(body))
    assert (error.line, error.column) == (8, 5)
    assert (
        f"a test lead may have at most {MAX_TEST_ACTIVITIES:,} activities; "
        "this line brings it to 11,000" in str(error)
    )


def test_a_million_activities_are_refused_before_they_are_made() -> None:
    error = refused(a_test("  lead {\n    pricing_page_view 100000000 times 1 day ago\n  }"))
    assert (error.line, error.column) == (7, 5)
    assert "this line brings it to 100,000,000" in str(error)


def test_ten_thousand_activities_are_fine() -> None:
    body = f"  lead {{\n    pricing_page_view {MAX_TEST_ACTIVITIES} times 1 day ago\n  }}"
    (result,) = parse(a_test(body + "\n  expect fit 10"), source="r.lf").run_tests()
    assert result.passed


def test_an_activity_before_the_year_one_is_a_positioned_error() -> None:
    text = (
        SCORE
        + 'test "t" {\n  now 0001-01-01 00:00 UTC\n  lead {\n    pricing_page_view 5 days ago\n  }\n}'
    )
    error = refused(text)
    assert (error.line, error.column) == (7, 5)
    assert "counted back from 'now', falls outside the years 1 to 9999" in str(error)


@pytest.mark.parametrize("now", ["0001-01-01 00:00 Europe/Berlin", "9999-12-31 23:59 Etc/GMT+5"])
def test_a_now_outside_the_utc_calendar_is_refused_at_its_line(now: str) -> None:
    error = refused(SCORE + f'test "t" {{\n  now {now}\n  expect fit 0\n}}')
    assert (error.line, error.column) == (5, 3)
    assert "bad 'now': it falls outside the years 1 to 9999 in UTC" in str(error)


def test_a_now_at_the_start_of_the_calendar_runs() -> None:
    text = SCORE + 'test "t" {\n  now 0001-01-01 00:00 UTC\n  expect fit 0\n}'
    (result,) = parse(text, source="r.lf").run_tests()
    assert result.passed


@pytest.mark.parametrize(
    ("now", "message"),
    [("2026-13-45 12:00 UTC", "month must be in 1..12"), ("2026-11-20 24:00 UTC", "hour")],
)
def test_a_bad_now_points_at_the_now_line(now: str, message: str) -> None:
    error = refused(SCORE + f'test "t" {{\n  now {now}\n  expect fit 0\n}}')
    assert (error.line, error.column) == (5, 3)
    assert "bad 'now'" in str(error)
    assert message in str(error)


def test_a_second_now_line_is_refused() -> None:
    error = refused(a_test("  now 2026-01-01 12:00 UTC\n  expect fit 0"))
    assert (error.line, error.column) == (6, 3)
    assert "a test has one 'now' line; the first is on line 5" in str(error)


@pytest.mark.parametrize(
    ("item", "field"),
    [('employees "many"', "employees"), ("employees 0", "employees"), ('source "x"', "source")],
)
def test_an_invalid_lead_value_points_at_its_item(item: str, field: str) -> None:
    error = refused(a_test(f'  lead {{\n    title "VP IT", {item}\n  }}'))
    assert (error.line, error.column) == (7, 20)
    assert f"test 't': the lead is invalid: {field}:" in str(error)


@pytest.mark.parametrize(
    ("item", "source"),
    [
        ("seniority vp", "title"),
        ("buying_role champion", "title"),
        ('email_domain "a.de"', "email"),
    ],
)
def test_derived_facts_cannot_be_set_in_a_test_lead(item: str, source: str) -> None:
    name = item.split()[0]
    error = refused(a_test(f"  lead {{\n    {item}\n  }}"))
    assert (error.line, error.column) == (7, 5)
    assert f"'{name}' is derived from the {source}; set '{source}' instead" in str(error)


@pytest.mark.parametrize(
    ("decl", "item", "message"),
    [
        ("field partner is flag", 'partner "yes"', "declared as flag: expected yes or no"),
        ("field arr is number", 'arr "lots"', "declared as number: expected a number"),
        ("field plan is text", "plan 5", "declared as text: expected text in double quotes"),
    ],
)
def test_a_custom_value_of_the_wrong_type_is_refused_when_the_file_loads(
    decl: str, item: str, message: str
) -> None:
    rules = decl + "\n" + SCORE
    error = refused(
        rules + f'test "t" {{\n  now 2026-11-20 12:00 UTC\n  lead {{\n    {item}\n  }}\n}}'
    )
    assert (error.line, error.column) == (8, 5)
    assert message in str(error)


def test_a_host_declared_custom_field_is_checked_in_test_leads_too() -> None:
    text = a_test('  lead {\n    partner "yes"\n  }')
    error = refused(text, fields={"partner": "flag"})
    assert (error.line, error.column) == (7, 5)
    assert "custom field 'partner' is declared as flag" in str(error)


def test_custom_values_of_the_right_type_run() -> None:
    rules = "field partner is flag\nfield plan is text\nscore fit {\n  +5 partner\n}\n"
    text = rules + (
        'test "t" {\n  now 2026-11-20 12:00 UTC\n  lead {\n    partner yes, plan "pro"\n  }\n'
        "  expect fit 5\n}"
    )
    (result,) = parse(text, source="r.lf").run_tests()
    assert result.passed


@pytest.mark.parametrize(
    ("line", "what", "first"),
    [
        ("at most 40", "at most", 3),
        ("at least 1", "at least", 4),
        ("decay 25% every 1 month", "decay", 5),
    ],
)
def test_a_score_block_has_one_cap_floor_and_decay(line, what, first):
    text = (
        "score e {\n  +5 each demo_request\n  at most 30\n  at least 0\n"
        f"  decay half every 30 days\n  {line}\n}}\n"
    )
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text, source="d.lf")
    assert f"d.lf:6:3: score e has one '{what}' line; the first is on line {first}" in str(
        caught.value
    )


def test_an_unknown_grade_block_in_an_expectation_lists_the_blocks():
    text = (
        "grade position {\n  A when employees > 5\n  C otherwise\n}\n"
        'test "t" {\n  now 2026-11-20 12:00 UTC\n  lead {\n    employees 6\n  }\n'
        "  expect grade pos A\n}\n"
    )
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text, source="g.lf")
    assert "g.lf:10:10: unknown grade block 'pos'; grade blocks: position" in str(caught.value)


def test_a_negative_count_of_grades_says_zero_or_more() -> None:
    error = refused("grade g {\n  A otherwise\n}\nmql when at least -1 grades are A")
    assert (error.line, error.column) == (4, 19)
    assert "expected a whole number of grades, zero or more, found '-1'" in str(error)


# -- windows are longer than 0, ages not negative -----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("mql when demo_request within -1 days", 1, 30, "a window of more than 0 days, found '-1'"),
        (
            "mql when demo_request at least 2 times within -3 week",
            1,
            47,
            "a window of more than 0 weeks, found '-3'",
        ),
        (
            "score e {\n  +5 each demo_request within -0.5 hours, at most 10\n}",
            2,
            31,
            "a window of more than 0 hours, found '-0.5'",
        ),
        (
            a_test("  lead {\n    demo_request -5 days ago\n  }"),
            7,
            18,
            "a time of 0 or more days ago, found '-5'",
        ),
        (
            a_test("  lead {\n    demo_request 2 times -1 month ago\n  }"),
            7,
            26,
            "a time of 0 or more months ago, found '-1'",
        ),
    ],
)
def test_negative_windows_and_ages_are_refused_at_their_number(
    text: str, line: int, column: int, message: str
) -> None:
    error = refused(text)
    assert (error.line, error.column) == (line, column)
    assert f"expected {message}" in str(error)
    assert len(error.errors) == 1


def test_a_window_of_zero_days_is_refused() -> None:
    error = refused("mql when demo_request within 0 days")
    assert (error.line, error.column) == (1, 30)
    assert "expected a window of more than 0 days, found '0'" in str(error)


def test_an_activity_zero_days_ago_is_at_now() -> None:
    body = "  lead {\n    pricing_page_view 0 days ago\n  }\n  expect fit 10"
    (result,) = parse(a_test(body), source="r.lf").run_tests()
    assert result.passed


# -- expected scores -----------------------------------------------------------------------------
def test_an_expected_score_has_at_most_two_decimals() -> None:
    error = refused(a_test("  expect fit 0.005"))
    assert (error.line, error.column) == (6, 14)
    assert "expected a score with at most two decimals, found '0.005'" in str(error)


def test_an_expected_score_with_two_decimals_and_trailing_zeros_is_fine() -> None:
    (result,) = parse(a_test("  expect fit 0.000"), source="r.lf").run_tests()
    assert result.passed


# -- local times of `now` ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "message"),
    [
        (
            "2026-03-29 02:30 Europe/Berlin",
            "2026-03-29 02:30 does not exist in Europe/Berlin "
            "(the clocks skip from 02:00 to 03:00)",
        ),
        (
            "2026-03-08 2:15 America/New_York",
            "2026-03-08 2:15 does not exist in America/New_York "
            "(the clocks skip from 02:00 to 03:00)",
        ),
        (
            "2026-10-04 02:10 Australia/Lord_Howe",
            "2026-10-04 02:10 does not exist in Australia/Lord_Howe "
            "(the clocks skip from 02:00 to 02:30)",
        ),
        (
            "2011-12-30 12:00 Pacific/Apia",
            "2011-12-30 12:00 does not exist in Pacific/Apia "
            "(the clocks skip from 2011-12-30 00:00 to 2011-12-31 00:00)",
        ),
    ],
)
def test_a_now_the_clocks_skip_is_refused_at_its_line(now: str, message: str) -> None:
    error = refused(SCORE + f'test "t" {{\n  now {now}\n  expect fit 0\n}}')
    assert (error.line, error.column) == (5, 3)
    assert f"test 't': bad 'now': {message}" in str(error)


def test_a_repeated_local_time_in_now_is_the_earlier_instant() -> None:
    # 02:30 happens twice in Berlin on 2026-10-25: at +02:00 (00:30 UTC), then at +01:00.
    text = a_test("  expect fit 0").replace(
        "2026-11-20 12:00 UTC", "2026-10-25 02:30 Europe/Berlin"
    )
    rules = parse(text, source="r.lf")
    assert [r.passed for r in rules.run_tests()] == [True]
    (test,) = rules._tests
    assert test.now.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
