"""Classification lines that can never match: examples, linear work, and soundness."""

from __future__ import annotations

from itertools import combinations_with_replacement
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow import RuleSyntaxError
from leadflow.lead import STANDARD_ACTIVITY_KINDS
from leadflow.rules import parse
from leadflow.rules._check import implication, reach
from leadflow.rules._check.scope import GRADES
from leadflow.rules._compile.conditions import Compiler
from leadflow.rules._facts import FIELD_TYPES
from leadflow.rules._syntax import nodes
from leadflow.rules._syntax.builder import build
from leadflow.rules._syntax.parser import parse_tree
from leadflow.titles import Seniority

DAY = 86400.0
NO_NAMES = reach.Names({}, {})
"""A rule set without constants or named lists: names are what they say."""


def temperature(body: str) -> str:
    return "temperature {\n" + body + "  cold otherwise\n}\n"


def errors_of(text: str) -> list[RuleSyntaxError]:
    with pytest.raises(RuleSyntaxError) as info:
        parse(text, source="t.lf")
    return list(info.value.errors)


def only_error(text: str) -> RuleSyntaxError:
    (error,) = errors_of(text)
    return error


def statements_of(text: str) -> tuple[nodes.Statement, ...]:
    """The statements of ``text``, parsed and built without the static checks."""
    return build(parse_tree(text, "t.lf"), text, "t.lf")


def branches(text: str) -> tuple[nodes.Branch, ...]:
    return next(s for s in statements_of(text) if isinstance(s, nodes.Temperature)).branches


def condition(text: str) -> nodes.Condition:
    found = branches(temperature(f"  hot when {text}\n"))[0].condition
    assert found is not None
    return found


def reasons(body: str, names: reach.Names | None = None) -> list[tuple[int, str]]:
    consts = None if names is None else names.consts
    lists = None if names is None else names.lists
    found = reach.unreachable(branches(temperature(body)), consts=consts, lists=lists)
    return [(branch.pos.line, reason) for branch, reason in found]


# -- examples through parse ----------------------------------------------------------------------


def test_a_line_that_contradicts_itself():
    error = only_error(temperature("  hot when employees > 500 and employees < 100\n"))
    assert (error.source, error.line, error.column) == ("t.lf", 2, 3)
    assert "this line can never match: employees > 500 and employees < 100 exclude each other" in (
        str(error)
    )


def test_between_with_its_bounds_swapped():
    error = only_error(temperature("  hot when employees between 500 and 50\n"))
    assert (error.line, error.column) == (2, 3)
    assert "this line can never match: employees between 500 and 50 can never hold" in str(error)


def test_missing_and_a_comparison_exclude_each_other():
    error = only_error(temperature("  hot when employees is missing and employees >= 10\n"))
    assert "employees is missing and employees >= 10 exclude each other" in str(error)


def test_a_shorter_window_implies_the_longer():
    text = temperature(
        "  hot when demo_request within 30 days\n  warm when demo_request within 10 days\n"
    )
    error = only_error(text)
    assert (error.line, error.column) == (3, 3)
    assert "this line can never match: every lead it matches is already matched on line 2" in (
        str(error)
    )


def test_more_activities_in_a_shorter_window_imply_fewer_in_a_longer():
    text = temperature(
        "  hot when pricing_page_view at least 2 times within 30 days\n"
        "  warm when pricing_page_view at least 3 times within 7 days\n"
        "  warm when pricing_page_view at least 1 time within 60 days\n"
    )
    (error,) = errors_of(text)
    assert error.line == 3
    assert "already matched on line 2" in str(error)


def test_a_subset_of_an_earlier_list_cannot_match():
    text = temperature(
        '  hot when industry in ["Software", "Banking"]\n  warm when industry is "software"\n'
    )
    error = only_error(text)
    assert error.line == 3
    assert "already matched on line 2" in str(error)


def test_text_outside_the_earlier_list_can_match():
    parse(temperature('  hot when industry in ["a", "b"]\n  warm when industry is "c"\n'))
    parse(temperature('  hot when industry is "a"\n  warm when industry in ["a", "b"]\n'))


def test_a_narrower_range_after_a_wider_one():
    text = temperature(
        "  hot when employees between 50 and 500 and fit >= 10\n"
        "  warm when fit >= 20 and employees >= 100 and employees < 200\n"
    )
    assert "already matched on line 5" in str(only_error(_with_fit(text)))


def test_either_of_two_earlier_lines_or_an_alternative():
    text = temperature(
        "  hot when fit >= 25 or employees > 1000\n  warm when employees > 5000 and fit < 3\n"
    )
    assert "already matched on line 5" in str(only_error(_with_fit(text)))


def test_lines_that_can_match_are_not_reported():
    parse(
        _with_fit(
            temperature(
                "  hot when fit >= 40\n"
                "  warm when fit >= 25\n"
                "  warm when demo_request within 60 days\n"
                "  warm when demo_request at least 2 times within 90 days\n"
                "  warm when not (employees > 5)\n"
                "  warm when employees > 5 and employees < 6\n"
                "  warm when employees is not 5 or employees is missing\n"
            )
        )
    )


def test_after_otherwise_every_line_is_reported():
    text = (
        "temperature {\n  cold otherwise\n  hot when employees > 5\n  warm when employees > 1\n}\n"
    )
    found = errors_of(text)
    assert [e.line for e in found] == [3, 4]
    assert all("'cold otherwise' on line 2 already catches every lead" in str(e) for e in found)


def test_grade_counts():
    text = (
        "grade size {\n  A when employees >= 1000\n  C otherwise\n}\n"
        "grade reach {\n  A when demo_request within 30 days\n  C otherwise\n}\n"
        + temperature(
            "  hot when at least 1 grade is B or better\n  warm when at least 2 grades are A\n"
        )
    )
    error = only_error(text)
    assert (error.line, error.column) == (11, 3)
    assert "already matched on line 10" in str(error)


def _with_fit(text: str) -> str:
    return "score fit {\n  +10 employees >= 50\n}\n" + text


# -- what needs the rule set's constants ------------------------------------------------------


def test_levels_are_ordered_when_names_are_known():
    body = "  hot when seniority at least manager\n  warm when seniority at least vp\n"
    assert reasons(body, NO_NAMES) == [(3, "every lead it matches is already matched on line 2")]
    assert reasons(body) == []  # 'vp' might be a constant


def test_grades_are_ordered():
    body = "  hot when size at least C\n  warm when size at least B\n  warm when size is A\n"
    assert [line for line, _ in reasons(body)] == [3, 4]


def test_unknown_names_are_never_taken_to_differ():
    assert reasons("  hot when temperature is hot and temperature is warm\n") == []
    assert reasons("  hot when temperature is hot and temperature is warm\n", NO_NAMES) == [
        (2, "temperature is hot and temperature is warm exclude each other")
    ]
    body = "  hot when temperature in [hot, warm]\n  warm when temperature is hot\n"
    assert [line for line, _ in reasons(body)] == [3]


def test_constants_and_lists_are_resolved_when_given():
    text = 'const big = 500\nlist banks = ["Bank", "Finance"]\n' + temperature(
        "  hot when employees > big and industry in banks\n"
        '  warm when employees >= 1000 and industry is "bank"\n'
        "  warm when employees between 600 and 50\n"
    )
    statements = statements_of(text)
    consts = {s.name: s for s in statements if isinstance(s, nodes.ConstDef)}
    lists = {s.name: s for s in statements if isinstance(s, nodes.ListDef)}
    block = next(s for s in statements if isinstance(s, nodes.Temperature))
    found = [
        (b.pos.line, r) for b, r in reach.unreachable(block.branches, consts=consts, lists=lists)
    ]
    assert found == [
        (5, "every lead it matches is already matched on line 4"),
        (6, "employees between 600 and 50 can never hold"),
    ]
    assert [b.pos.line for b, _ in reach.unreachable(block.branches)] == [6]


def test_a_constant_may_shadow_a_level():
    text = "const vp = manager\n" + temperature(
        "  hot when seniority at least director\n  warm when seniority at least vp\n"
    )
    statements = statements_of(text)
    consts = {s.name: s for s in statements if isinstance(s, nodes.ConstDef)}
    block = next(s for s in statements if isinstance(s, nodes.Temperature))
    assert list(reach.unreachable(block.branches, consts=consts)) == []


def test_contradiction_of_other_conditions():
    assert reach.contradiction(condition("employees > 5 or employees < 3")) is None
    assert reach.contradiction(condition("(employees > 5 and employees < 3) or fit in []")) == (
        "employees > 5 and employees < 3 exclude each other; fit in [] can never hold"
    )
    assert reach.contradiction(condition("fit >= 3 and (employees > 5 or employees < 3)")) is None
    assert reach.contradiction(condition('mql and (industry is "a" and industry is "b")')) == (
        'industry is "a" and industry is "b" exclude each other'
    )


# -- linear work ----------------------------------------------------------------------------------


def test_a_5000_line_block_is_checked_in_linear_work(monkeypatch: pytest.MonkeyPatch):
    calls = 0
    compare = reach._Line.implies

    def counted(self: Any, earlier: Any, *args: Any) -> bool:
        nonlocal calls
        calls += 1
        return compare(self, earlier, *args)

    monkeypatch.setattr(reach._Line, "implies", counted)
    lines = 5_000
    body = "".join(f"  hot when fit >= {lines - i}\n" for i in range(lines))
    parse(_with_fit(temperature(body)), source="big.lf")
    assert lines * (reach.MAX_COMPARED - 1) <= calls <= lines * reach.MAX_COMPARED


def test_a_long_line_gives_up_instead_of_taking_long():
    alternatives = " or ".join(f"employees is {i}" for i in range(400))
    later, earlier = condition(alternatives), condition(alternatives.replace("is 0", "is -1"))
    assert not reach.implies(later, earlier)


def reasons_with(text: str) -> list[tuple[int, str]]:
    """The reasons for the temperature block of ``text``, its constants and lists given."""
    statements = statements_of(text)
    consts = {s.name: s for s in statements if isinstance(s, nodes.ConstDef)}
    lists = {s.name: s for s in statements if isinstance(s, nodes.ListDef)}
    block = next(s for s in statements if isinstance(s, nodes.Temperature))
    found = reach.unreachable(block.branches, consts=consts, lists=lists)
    return [(branch.pos.line, reason) for branch, reason in found]


def windows_line(parts: int, days: int) -> str:
    tests = [f"demo_request within {days + k} days" for k in range(parts - 1)]
    return "  hot when " + " and ".join([*tests, "employees < 5"]) + "\n"


def test_a_line_of_more_than_max_parts_tests_is_compared_only_by_its_text(
    monkeypatch: pytest.MonkeyPatch,
):
    compared = 0
    compare = implication.Conjunction.implies

    def counted(self: Any, atom: Any) -> bool:
        nonlocal compared
        compared += 1
        return compare(self, atom)

    monkeypatch.setattr(implication.Conjunction, "implies", counted)
    most = reach.MAX_PARTS
    # the second line implies the first: found up to MAX_PARTS tests, not beyond
    assert reasons(windows_line(most, 100) + windows_line(most, 10)) == [
        (3, "every lead it matches is already matched on line 2")
    ]
    assert 0 < compared <= most
    compared = 0
    assert reasons(windows_line(most + 1, 100) + windows_line(most + 1, 10)) == []
    assert compared == 0
    long = windows_line(250, 100)
    assert [line for line, _ in reasons(long + windows_line(250, 10) + long)] == [4]
    assert compared == 0


def test_a_list_of_more_than_max_items_is_known_only_by_its_text(
    monkeypatch: pytest.MonkeyPatch,
):
    read: list[int] = []
    values = implication._values

    def counted(literals: Any, names: Any) -> Any:
        read.append(len(literals))
        return values(literals, names)

    monkeypatch.setattr(implication, "_values", counted)

    def text(items: int) -> str:
        words = ", ".join(f'"v{i}"' for i in range(items))
        return f"list big = [{words}]\n" + temperature(
            '  hot when industry in big\n  warm when industry is "v1" and employees < 9\n'
        )

    most = reach.MAX_ITEMS
    assert [line for line, _ in reasons_with(text(most))] == [4]
    assert max(read) == most
    read.clear()
    assert reasons_with(text(most + 1)) == []  # could be found, but is not looked for
    assert max(read) <= 1
    huge = ", ".join(str(i) for i in range(3 * most))
    assert implication.atom_of(condition(f"employees in [{huge}]"), NO_NAMES).domain == ""


def test_each_line_is_analysed_once_and_each_comparison_is_paid_for(
    monkeypatch: pytest.MonkeyPatch,
):
    sealed = 0
    seal = implication._Group.seal

    def counted_seal(self: Any) -> None:
        nonlocal sealed
        sealed += 1
        seal(self)

    paid = 0
    cost = implication.Conjunction.cost

    def counted_cost(self: Any, atom: Any) -> int:
        nonlocal paid
        paid += (found := cost(self, atom))
        return found

    monkeypatch.setattr(implication._Group, "seal", counted_seal)
    monkeypatch.setattr(implication.Conjunction, "cost", counted_cost)
    monkeypatch.setattr(implication, "FILE_WORK", 10**9)  # per comparison, not per file
    words = ", ".join(f'"v{i}"' for i in range(reach.MAX_ITEMS - 1))
    lines = 2 * reach.MAX_COMPARED
    body = "".join(
        f"  hot when industry in {'a' if i % 2 else 'b'} and employees < {i + 2}\n"
        for i in range(lines)
    )
    text = f'list a = [{words}]\nlist b = [{words}, "w"]\n' + temperature(body)
    assert reasons_with(text) == []
    assert sealed == 2 * lines  # one group per field and line, however many comparisons
    assert paid <= lines * reach.MAX_COMPARED * reach.MAX_WORK
    assert paid >= lines // 2 * reach.MAX_COMPARED // 2 * reach.MAX_ITEMS  # items are counted


# -- soundness ---------------------------------------------------------------------------------

KINDS = set(STANDARD_ACTIVITY_KINDS)
NUMBERS = [None, *(k / 2 for k in range(-2, 16))]
TEXTS = [None, "a", "b", "ss", "c", "x", "ab"]
LEVELS = [None, *(s.value for s in Seniority)]
AGES = [
    [age * DAY for age in ages]
    for size in range(4)
    for ages in combinations_with_replacement([0, 5, 9, 10, 11, 29, 30, 31, 100], size)
]

number_atoms = st.one_of(
    st.builds(
        "employees {} {}".format,
        st.sampled_from(["<", "<=", ">", ">=", "is", "is not"]),
        st.integers(0, 6),
    ),
    st.builds("employees between {} and {}".format, st.integers(0, 6), st.integers(0, 6)),
    st.builds(
        "employees {} [{}]".format,
        st.sampled_from(["in", "not in"]),
        st.lists(st.integers(0, 6), max_size=3).map(lambda xs: ", ".join(map(str, xs))),
    ),
    st.sampled_from(["employees is missing", "employees is set"]),
)
words = st.sampled_from(["a", "A", "b", "ss", "ß", "c"]).map(lambda w: f'"{w}"')
text_atoms = st.one_of(
    st.builds("industry {} {}".format, st.sampled_from(["is", "is not", "contains"]), words),
    st.builds(
        "industry {} [{}]".format,
        st.sampled_from(["in", "not in"]),
        st.lists(words, max_size=3).map(", ".join),
    ),
    st.sampled_from(["industry is missing", "industry is set"]),
)
levels = st.sampled_from([s.value for s in Seniority if s.value != "unknown"])
level_atoms = st.one_of(
    st.builds(
        "seniority {} {}".format, st.sampled_from(["at least", "at most", "is", "is not"]), levels
    ),
    st.builds(
        "seniority {} [{}]".format,
        st.sampled_from(["in", "not in"]),
        st.lists(levels, max_size=3).map(", ".join),
    ),
)
grade_atoms = st.one_of(
    st.builds(
        "g {} {}".format,
        st.sampled_from(["at least", "at most", "is", "is not"]),
        st.sampled_from(GRADES),
    ),
    st.builds(
        "g {} [{}]".format,
        st.sampled_from(["in", "not in"]),
        st.lists(st.sampled_from(GRADES), max_size=3).map(", ".join),
    ),
)
windows = st.one_of(st.just(""), st.sampled_from([1, 5, 10, 30, 31]).map(" within {} days".format))
activity_atoms = st.one_of(
    st.builds("pricing_page_view{}".format, windows),
    st.builds("pricing_page_view at least {} times{}".format, st.integers(0, 3), windows),
)


def facts(key: str, values: list[Any]) -> list[dict[str, Any]]:
    """One lead's facts per value; ``is missing`` reads the field, text tests its folded form."""
    return [{key: v, key.lstrip("~"): v} for v in values]


FAMILIES: dict[str, tuple[st.SearchStrategy[str], list[dict[str, Any]]]] = {
    "number": (number_atoms, facts("employees", NUMBERS)),
    "text": (text_atoms, facts("~industry", TEXTS)),
    "level": (level_atoms, facts("seniority", LEVELS)),
    "grade": (grade_atoms, facts("%g", list(GRADES))),
    "activity": (activity_atoms, facts("@pricing_page_view", AGES)),
    "mixed": (
        st.one_of(number_atoms, text_atoms, level_atoms),
        [
            {**n, **t, **lv}
            for n in facts("employees", NUMBERS[::2])
            for t in facts("~industry", TEXTS)
            for lv in facts("seniority", LEVELS)
        ],
    ),
}


@st.composite
def conditions(draw: st.DrawFn, atoms: st.SearchStrategy[str]) -> str:
    parts = draw(st.lists(atoms, min_size=1, max_size=3))
    if len(parts) == 1:
        return parts[0]
    joiner = draw(st.sampled_from([" and ", " or "]))
    if draw(st.booleans()):
        return f"({parts[0]}){joiner}" + joiner.join(parts[1:])
    return joiner.join(parts)


def compiled(text: str) -> Any:
    check = Compiler({}, dict(FIELD_TYPES), set(KINDS), grades={"g"}, allow_scores=True)
    test = check.condition(condition(text))
    assert not check.errors, text
    return test


@st.composite
def pairs(draw: st.DrawFn) -> tuple[str, str, str, reach.Names | None]:
    family = draw(st.sampled_from(sorted(FAMILIES)))
    atoms = FAMILIES[family][0]
    names = draw(st.sampled_from([NO_NAMES, None]))
    return family, draw(conditions(atoms)), draw(conditions(atoms)), names


@settings(max_examples=500)
@given(pairs())
def test_a_reported_implication_holds_for_every_value(case: tuple[str, str, str, Any]):
    family, later_text, earlier_text, names = case
    later, earlier = condition(later_text), condition(earlier_text)
    if not reach.implies(later, earlier, names):
        return
    later_test, earlier_test = compiled(later_text), compiled(earlier_text)
    for lead in FAMILIES[family][1]:
        if later_test(lead) is True:
            assert earlier_test(lead) is True, (later_text, earlier_text, lead)


@settings(max_examples=500)
@given(pairs())
def test_a_reported_contradiction_holds_for_no_value(case: tuple[str, str, str, Any]):
    family, text, _, names = case
    if reach.contradiction(condition(text), names) is None:
        return
    test = compiled(text)
    assert not [lead for lead in FAMILIES[family][1] if test(lead) is True], text


def test_the_soundness_properties_see_implications():
    found = reach.implies(condition("employees is 3"), condition("employees between 2 and 4"))
    assert found
    assert reach.implies(condition("g is A"), condition("g at least C"))
    assert reach.implies(
        condition("seniority in [vp, c_level]"), condition("seniority at least director"), NO_NAMES
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "mql when employees > 500 and employees < 100",
            "c.lf:1:1: this mql rule can never match: employees > 500 and employees < 100 "
            "exclude each other",
        ),
        (
            'knockout student when industry is "a" and industry is "b"',
            'c.lf:1:1: this knock-out can never match: industry is "a" and industry is "b" '
            "exclude each other",
        ),
        (
            "const big = 500\nmql when employees > big and employees < 100",
            "c.lf:2:1: this mql rule can never match",
        ),
        (
            "use bant\nqualification bant {\n  pass when positive >= 3 and positive < 2\n}",
            "c.lf:3:3: this pass rule can never match: positive >= 3 and positive < 2 "
            "exclude each other",
        ),
    ],
)
def test_mql_knockout_and_pass_rules_that_contradict_themselves_are_errors(text, message):
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text + "\n", source="c.lf")
    assert message in str(caught.value)


def test_levels_are_ordered_through_parse():
    text = "temperature {\n  hot when seniority at least manager\n  warm when seniority at least vp\n  cold otherwise\n}\n"
    with pytest.raises(RuleSyntaxError) as caught:
        parse(text, source="c.lf")
    assert (
        "c.lf:3:3: this line can never match: every lead it matches is already matched on line 2"
    ) in str(caught.value)
