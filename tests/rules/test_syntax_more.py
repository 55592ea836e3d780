"""Syntax errors in plain words: foreign operators, misspelt keywords, line endings, long lists."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadflow import RuleSyntaxError
from leadflow.rules import parse
from leadflow.rules._syntax.parser import MAX_ERRORS

from .helpers import NOW, lead


def raised(text: str) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as info:
        parse(text, source="x.lf")
    return info.value


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("mql when employees > 5 && demo_request", 24, "write 'and' instead of '&&'"),
        ("mql when employees > 5 || demo_request", 24, "write 'or' instead of '||'"),
        ("mql when employees != 5", 20, "write 'is not' instead of '!='"),
        ("mql when employees == 5", 20, "write 'is' instead of '=='"),
        ('mql when industry = "IT"', 19, "write 'is' instead of '='"),
        ("mql when !demo_request", 10, "write 'not' instead of '!'"),
    ],
)
def test_operators_of_other_languages_name_the_word_to_use(text, column, message):
    error = raised(text)
    assert str(error).split("\n")[0] == f"x.lf:1:{column}: {message}"
    assert (error.line, error.column) == (1, column)


@pytest.mark.parametrize(
    ("text", "column", "word"),
    [
        ("scor fit {\n  +10 employees > 5\n}", 1, "score"),
        ("knockot student when employees > 5", 1, "knockout"),
        ("temprature {\n  hot otherwise\n}", 1, "temperature"),
        ("mql when employees betwen 5 and 10", 20, "between"),
        ('mql when industry contain "x"', 19, "contains"),
        ("temperature {\n  hot otherwse\n}", 7, "otherwise"),
    ],
)
def test_misspelt_keywords_get_a_suggestion(text, column, word):
    error = raised(text)
    assert error.column == column
    assert str(error).split("\n")[0].endswith(f"(did you mean '{word}'?)")


def test_no_suggestion_for_a_name_unlike_any_keyword():
    assert "did you mean" not in str(raised("mql employees > 5"))


@pytest.mark.parametrize("ending", ["\r", "\r\n"])
def test_any_line_ending_works_and_keeps_positions(ending):
    text = ending.join(["score fit {", "  +10 employees >= 50", "}", "mql when fit >= 5", ""])
    assert parse(text).evaluate(lead(employees=60), now=NOW).mql
    error = raised(ending.join(["score fit {", "  +10 employees >=", "}"]))
    assert (error.line, error.column) == (2, 19)
    assert "found end of line" in str(error)


def test_the_message_shows_the_first_errors_and_counts_the_rest():
    text = "".join(f"score a{i} {{\n  +1 employes > 1\n}}\n" for i in range(MAX_ERRORS + 5))
    error = raised(text)
    assert len(error.errors) == MAX_ERRORS + 5
    message = str(error)
    assert message.startswith(f"{MAX_ERRORS + 5} errors in rules:\n")
    assert message.count("unknown name 'employes'") == MAX_ERRORS
    assert message.endswith("\n… and 5 more")


PIECES = ["mql", "when", "employees", ">", "5", "&&", "||", "!=", "==", "!", "=", "is", "scor"]
PIECES += ["\r", "\n", "\r\n", "\ufeff", " ", '"', "{", "}", "score", "fit", "+10", "\ud800"]


@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_positions_are_inside_the_text_whatever_its_line_endings(text):
    lines = re.split(r"\r\n|\r|\n", text.removeprefix("\ufeff"))
    try:
        parse(text, source="fuzz.lf")
    except RuleSyntaxError as error:
        str(error).encode("utf-8")
        for each in error.errors:
            assert 1 <= each.line <= len(lines)
            assert 1 <= each.column <= len(lines[each.line - 1]) + 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mql when employees > 5 ; demo_request", "expected 'and', 'or' or end of line, found ';'"),
        ("mql when (employees > 5 ; demo_request)", "expected ')', 'and' or 'or', found ';'"),
    ],
)
def test_a_stray_character_lists_only_what_can_really_follow(text, expected):
    assert expected in str(raised(text)).split("\n")[0]


def test_a_message_says_when_the_search_for_syntax_errors_stopped():
    text = "".join(f"score s{i} {{\n  +1 employees >> 1\n}}\n" for i in range(MAX_ERRORS + 10))
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text, source="m.lf")
    message = str(caught.value)
    assert len(caught.value.errors) == MAX_ERRORS
    assert message.startswith(f"{MAX_ERRORS} errors in rules:\n")
    assert message.endswith(
        f"\n… the rest of the file was not checked after {MAX_ERRORS} syntax errors"
    )
    few = "".join(f"score s{i} {{\n  +1 employees >> 1\n}}\n" for i in range(3))
    with pytest.raises(RuleSyntaxError) as caught:
        parse(few, source="m.lf")
    assert "not checked" not in str(caught.value)
