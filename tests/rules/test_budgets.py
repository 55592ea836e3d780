"""Rule files are untrusted input: every resource they can use is bounded, and each bound trips.

The bounds are counted (activities, errors, units of work, bytes), so these tests assert that a
bound trips, never how long something took; ``benchmarks/bench_limits.py`` measures the times.
"""

from __future__ import annotations

import pytest

from leadflow import RuleSyntaxError
from leadflow.rules import MAX_BYTES, _selftest, parse
from leadflow.rules._check import implication
from leadflow.rules._syntax.parser import MAX_ERRORS, MAX_KEPT, SNIPPET_WIDTH


def refused(text: str, **options: object) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text, source="b.lf", **options)  # type: ignore[arg-type]
    return caught.value


# -- test leads: at most MAX_FILE_TEST_ACTIVITIES activities for the whole rule set ---------------
def _tests(count: int, activities: int, tag: str) -> str:
    block = (
        'test "{tag}{i}" {{\n  now 2026-11-20 12:00 UTC\n  lead {{\n'
        "    demo_request {n} times 1 day ago\n  }}\n  expect e {n}\n}}\n"
    )
    head = "score e {\n  +1 each demo_request\n}\n"
    return head + "".join(block.format(tag=tag, i=i, n=activities) for i in range(count))


def test_the_test_leads_of_a_rule_set_share_one_budget_of_activities(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_selftest, "MAX_FILE_TEST_ACTIVITIES", 25)
    assert parse(_tests(2, 10, "fits"), source="b.lf").test_names == ("fits0", "fits1")
    error = refused(_tests(4, 10, "over"))
    assert error.line == 21  # the third test's activity line brings the total to 30
    assert len(error.errors) == 2  # the fourth is refused too: the budget is for the file
    assert "the test leads of a rule set may have at most 25 activities together" in str(error)
    assert "this line brings them to 30" in str(error)


def test_a_rejected_test_lead_still_spends_its_activities(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_selftest, "MAX_FILE_TEST_ACTIVITIES", 15)
    text = _tests(2, 10, "bad").replace("lead {\n", "lead {\n    employes 5\n", 1)
    error = refused(text)
    assert [e.line for e in error.errors] == [7, 15]  # the typo, then the budget


def test_the_default_budget_of_test_activities() -> None:
    assert _selftest.MAX_FILE_TEST_ACTIVITIES == 5 * _selftest.MAX_TEST_ACTIVITIES


# -- errors: .errors keeps MAX_KEPT of them and counts the rest -----------------------------------
def test_errors_beyond_the_kept_ones_are_counted_not_kept() -> None:
    names = " or ".join(f"unknown_{i} > 1" for i in range(MAX_KEPT + 50))
    error = refused(f"mql when {names}\n")
    assert len(error.errors) == MAX_KEPT
    assert error.omitted == 50
    assert f"{MAX_KEPT + 50} errors in rules:" in str(error)
    assert f"… and {MAX_KEPT + 50 - MAX_ERRORS} more" in str(error)
    assert str(error).count("\n  ^") <= MAX_ERRORS + 1


def test_number_errors_of_the_parser_stage_are_capped_too() -> None:
    rules = "".join(f"  +1 employees > {'9' * 20}\n" for _ in range(MAX_KEPT + 3))
    error = refused("score a {\n" + rules + "}\n")
    assert (len(error.errors), error.omitted) == (MAX_KEPT, 3)


def test_errors_of_included_files_keep_their_count(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    names = " or ".join(f"unknown_{i} > 1" for i in range(MAX_KEPT + 7))
    (tmp_path / "part.lf").write_text(
        "score a {\n" + f"  +{'9' * 20} employees > 1\n" * 107 + "}\n"
    )
    error = refused(f'include "part.lf"\nmql when {names}\n', base_dir=tmp_path)
    assert len(error.errors) == MAX_KEPT
    assert error.omitted >= 7


def test_a_long_line_is_cut_around_the_caret_in_the_snippet() -> None:
    names = " or ".join(f"employees > {i}" for i in range(1000)) + " or unknown_field > 1"
    error = refused(f"mql when {names}\n")
    assert error.column == len(f"mql when {names}") - len("unknown_field > 1") + 1
    shown, caret = error.snippet.split("\n")
    assert len(shown) <= SNIPPET_WIDTH + 4  # two spaces of indent, an ellipsis
    assert shown.startswith("  …")
    assert shown[caret.index("^") :].startswith("unknown_field")


# -- the never-match check: one budget of work for the whole rule set -----------------------------
def _or_lines(lines: int, tests: int) -> str:
    rows = []
    for i in range(lines):
        cond = " or ".join(f"employees is {i * tests + k}" for k in range(tests))
        rows.append(f"  {('hot', 'warm')[i % 2]} when {cond}")
    return "temperature {\n" + "\n".join(rows) + "\n  cold otherwise\n}\n"


def test_the_never_match_check_stops_when_the_rule_sets_budget_is_spent_and_says_where(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(implication, "FILE_WORK", 2_000)
    text = _or_lines(20, 8) + "# budget test\n"
    rules = parse(text, source="b.lf")
    (note,) = rules.notes
    assert note.startswith("b.lf:")
    assert "the check for lines that can never match stopped here" in note
    stopped = int(note.split(":")[1])
    assert 2 < stopped < 22


def test_a_line_after_the_budget_ran_out_is_not_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(implication, "FILE_WORK", 2_000)
    text = _or_lines(20, 8) + "mql when employees > 5 and employees < 3\n"
    rules = parse(text, source="b.lf")  # the contradiction is left unchecked, not misreported
    assert rules.notes


def test_ordinary_rule_sets_have_no_notes() -> None:
    rules = parse(_or_lines(20, 8) + "# ordinary\n", source="b.lf")
    assert rules.notes == ()


# -- bytes: MAX_BYTES per file and for the rule set's files together ------------------------------
def test_the_files_of_a_rule_set_share_the_byte_limit(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    (tmp_path / "a.lf").write_text("# " + "a" * 70 + "\nconst a = 1\n")
    (tmp_path / "b.lf").write_text("# " + "b" * 70 + "\nconst b = 1\n")
    text = 'include "a.lf"\ninclude "b.lf"\nmql when employees > a\n'
    error = refused(text, base_dir=tmp_path, max_bytes=200)
    assert (error.line, error.column) == (2, 1)
    assert "the files of this rule set have 223 bytes together with b.lf" in str(error)
    assert "the limit is 200" in str(error)


def test_the_byte_limit_keeps_every_file_checkable_in_time() -> None:
    assert MAX_BYTES == 200_000
