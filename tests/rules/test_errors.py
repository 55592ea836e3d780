"""Errors: positions, carets, words instead of token names, several errors at once, limits."""

from __future__ import annotations

import re
from typing import Any

import pytest

from leadflow import ConfigurationError, RuleSyntaxError
from leadflow.reasons import STANDARD_REASONS
from leadflow.rules import parse
from leadflow.rules._syntax.builder import MAX_DEPTH

from .helpers import NOW

TOKEN_NAMES = re.compile(r"\$END|Token\(|\b[A-Z]{2,}_?[A-Z]*\b(?<!UTC)")


def error_of(text: str, **options: Any) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as info:
        parse(text, source="scoring.lf", **options)
    return info.value


def test_message_has_position_source_line_and_caret():
    error = error_of("score fit {\n  +10 employees >=\n}\n")
    assert str(error) == (
        "scoring.lf:2:19: expected a number, a grade letter such as A, a name, 'no', 'yes' or "
        "text in quotes, found end of line\n"
        "    +10 employees >=\n"
        "                   ^"
    ) or str(error).startswith("scoring.lf:2:19: expected ")
    assert (error.source, error.line, error.column) == ("scoring.lf", 2, 19)
    assert error.snippet.endswith("^")
    assert not TOKEN_NAMES.search(str(error))


def test_end_of_file_points_after_the_last_character():
    error = error_of("score fit {\n  +10 demo_request within 30 days")
    assert (error.line, error.column) == (2, 34)
    assert "found end of file" in str(error)
    assert "'}'" in str(error)


def test_unquoted_text_gets_a_hint():
    error = error_of("mql when country is DE\n")
    assert 'write text in quotes: "DE"' in str(error)
    assert (error.line, error.column) == (1, 21)


def test_missing_sign_on_points():
    error = error_of("score fit {\n  10 employees > 5\n}\n")
    assert "points such as '+10'" in str(error)
    assert "found '10'" in str(error)


def test_several_syntax_errors_at_once():
    error = error_of(
        "score fit {\n  10 employees > 5\n}\n"
        "mql when fit >= 30 and\n"
        "temperature {\n  hot when fit >= 5\n  cold otherwise\n}\n"
    )
    assert [(e.line, e.column) for e in error.errors] == [(2, 3), (4, 23)]
    assert str(error).startswith("2 errors in rules:\nscoring.lf:2:3:")


def test_static_errors_are_reported_together_with_did_you_mean():
    error = error_of(
        "score fit {\n"
        '  +10 employees >= "many"\n'
        '  +5  industri is "software"\n'
        "  +5  seniority at least directr\n"
        "  +5  pricing_page_veiw within 30 days\n"
        "}\n"
        "knockout studnt when seniority is student\n"
    )
    messages = [e.message.splitlines()[0] for e in error.errors]
    assert messages == [
        'scoring.lf:2:20: employees is a number; it cannot be compared with text "many"',
        "scoring.lf:3:7: unknown name 'industri' (did you mean 'industry'?)",
        "scoring.lf:4:26: unknown seniority 'directr'; expected one of student, individual, "
        "manager, director, vp, c_level (did you mean 'director'?)",
        "scoring.lf:5:7: unknown activity kind 'pricing_page_veiw' (did you mean "
        "'pricing_page_view'?)",
        "scoring.lf:7:10: unknown reason code 'studnt' (did you mean 'student'?); reasons: "
        + ", ".join(sorted(STANDARD_REASONS)),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "score fit {\n  +1 employees > 1\n}\nscore fit {\n  +1 industry is set\n}\n",
            "score 'fit' is already defined at scoring.lf:1",
        ),
        ('list a = ["x"]\nlist a = ["y"]\n', "list 'a' is already defined"),
        ('list a = ["x", 1]\n', "list 'a' mixes number and text"),
        ("score industry {\n  +1 employees > 1\n}\n", "'industry' is already a lead field"),
        (
            "temperature {\n  boiling when employees > 5\n  cold otherwise\n}\n",
            "unknown temperature 'boiling'",
        ),
        (
            "temperature {\n  hot when employees > 5\n}\n",
            "needs a last line such as 'cold otherwise'",
        ),
        ("grade size {\n  G when employees > 5\n  C otherwise\n}\n", "unknown grade 'G'"),
        (
            "score fit {\n  +1 employees > 1\n}\nmql when fit is hot\n",
            "fit is a number; it cannot be compared with 'hot'",
        ),
        ("score fit {\n  +1 employees at least 50\n}\n", "use '>=' or '<='"),
        ('score fit {\n  +1 industry > "a"\n}\n', "'>' does not apply to industry"),
        ("score fit {\n  +1 email is gmail\n}\n", "an email is 'freemail' or 'business'"),
        (
            "score a {\n  +1 employees > 1\n}\nscore b {\n  +1 a > 5\n}\n",
            "'a' cannot be used inside a score block",
        ),
        ("score total = fit + engagement\n", "unknown score 'fit'"),
        ("score fit {\n  +1 industry\n}\n", "'industry' alone is not a condition"),
        ("score fit {\n  +1 industry in targets\n}\n", "unknown list 'targets'"),
        ("mql when employees > 5\nmql when employees > 6\n", "a second mql rule"),
        ("field plan is colour\n", "unknown field type 'colour'"),
        ("use bamt\n", "unknown template 'bamt' (did you mean 'bant'?)"),
        (
            "qualification q {\n  criterion budget yes A, no F\n  pass when positive >= 1\n}\n",
            "must grade the answer 'unknown'",
        ),
        ("qualification q {\n  criterion budget yes A, unknown D\n}\n", "needs a 'pass when"),
        (
            "qualification q {\n  criterion budget yes A, unknown D\n  pass when budget is maybe\n}\n",
            "'budget' is answered with one of yes, unknown",
        ),
        ('include "x.lf"\n', "include needs a file"),
    ],
)
def test_static_checks(text, message):
    assert message in str(error_of(text))


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            "temperature {\n  hot when employees >= 25\n  warm when employees >= 40\n"
            "  cold otherwise\n}\n",
            3,
        ),
        (
            "temperature {\n  hot when employees between 10 and 20\n  warm when employees > 12 "
            "and employees < 15\n  cold otherwise\n}\n",
            3,
        ),
        ("grade g {\n  A when seniority is vp\n  B when seniority is vp\n  C otherwise\n}\n", 3),
        ("grade g {\n  A when employees > 5\n  C otherwise\n  B when employees > 2\n}\n", 4),
    ],
)
def test_unreachable_classification_lines(text, line):
    error = error_of(text)
    assert error.line == line
    assert "this line can never match" in str(error)


def test_reachable_lines_are_not_reported():
    parse(
        "temperature {\n  hot when employees >= 40\n  warm when employees >= 25\n"
        "  warm when employees > 5 or industry is set\n  cold otherwise\n}\n"
    )


def test_nesting_depth_limit():
    deep = "(" * (MAX_DEPTH + 5) + "employees > 1" + ")" * (MAX_DEPTH + 5)
    error = error_of(f"mql when {deep}\n")
    assert "nested too deeply" in str(error)
    fine = "(" * 20 + "employees > 1" + ")" * 20
    parse(f"mql when {fine}\n")
    nots = "not " * 5000
    assert "nested too deeply" in str(error_of(f"mql when {nots}employees > 1\n"))


def test_long_flat_conditions_are_fine():
    wide = " or ".join(f"employees > {i}" for i in range(3000))
    rules = parse(f"mql when {wide}\n")
    assert rules.evaluate(
        {"id": "x", "company": "c", "email": "a@b.de", "employees": 5},
        now=NOW,
    ).mql


def test_file_size_limit():
    error = error_of("# " + "x" * 200 + "\n", max_bytes=100)
    assert "the limit is 100" in str(error)
    assert (error.line, error.column) == (1, 1)


def test_bad_host_declarations():
    with pytest.raises(ConfigurationError, match="unknown type 'date'"):
        parse("", fields={"renewal": "date"})
    with pytest.raises(ConfigurationError, match="lower_snake_case"):
        parse("", fields={"Plan": "text"})


def test_grammar_has_no_terminal_collisions():
    from importlib.resources import files

    from lark import Lark

    grammar = files("leadflow.rules").joinpath("grammar.lark").read_text(encoding="utf-8")
    Lark(grammar, parser="lalr", strict=True)


def test_public_names():
    import leadflow.rules as rules

    assert rules.__all__ == (
        "MAX_BYTES",
        "TEMPLATES",
        "Contribution",
        "Coverage",
        "CoverageItem",
        "Decision",
        "Evaluation",
        "KnockoutHit",
        "QualificationResult",
        "RuleSet",
        "TestResult",
        "load",
        "parse",
        "template_text",
    )
    assert all(hasattr(rules, name) for name in rules.__all__)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("+1 each demo_request\n  decay half every 0 days", "decay needs a period longer than 0"),
        ("+1 each demo_request\n  decay 150% every 3 days", "between 1% and 100%"),
        ("+1 each demo_request\n  decay 0% every 3 days", "between 1% and 100%"),
        ("+1 employees > 3\n  at most 5\n  at least 10", "'at least 10' is above 'at most 5'"),
        ("+1 each demo_request, at most -5", "without a sign"),
    ],
)
def test_score_block_settings_are_checked(block, message):
    assert message in str(error_of(f"score s {{\n  {block}\n}}\n"))


def test_temperature_needs_a_temperature_block():
    assert "no temperature block" in str(error_of("mql when temperature is hot\n"))
