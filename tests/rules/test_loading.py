"""Loading files: includes that stay inside their folder, templates, and the cache."""

from __future__ import annotations

import os
from importlib.resources import files

import pytest

from leadflow import ConfigurationError, RuleSyntaxError
from leadflow.rules import TEMPLATES, RuleSet, load, parse, template_text

from .helpers import NOW, lead


@pytest.fixture
def company(tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "lists.lf").write_text('list dach = ["DE", "AT", "CH"]\n', encoding="utf-8")
    main = tmp_path / "scoring.lf"
    main.write_text(
        'include "shared/lists.lf"\nscore fit {\n  +10 country in dach\n}\n', encoding="utf-8"
    )
    return tmp_path


def test_include_relative_to_the_file(company):
    rules = load(company / "scoring.lf")
    assert isinstance(rules, RuleSet)
    assert rules.score(lead(country="AT"), now=NOW) == {"fit": 10}


def test_includes_cannot_escape_unless_allowed(tmp_path):
    (tmp_path / "outside.lf").write_text('list dach = ["DE"]\n', encoding="utf-8")
    inner = tmp_path / "rules"
    inner.mkdir()
    main = inner / "scoring.lf"
    main.write_text('include "../outside.lf"\nmql when country in dach\n', encoding="utf-8")
    with pytest.raises(RuleSyntaxError, match="points outside"):
        load(main)
    assert load(main, allow_outside=True).evaluate(lead(country="DE"), now=NOW).mql
    main.write_text(f'include "{tmp_path / "outside.lf"}"\n', encoding="utf-8")
    with pytest.raises(RuleSyntaxError, match="must be relative"):
        load(main)


def test_include_cycles_and_missing_files(tmp_path):
    (tmp_path / "a.lf").write_text('include "b.lf"\n', encoding="utf-8")
    (tmp_path / "b.lf").write_text('include "a.lf"\n', encoding="utf-8")
    with pytest.raises(RuleSyntaxError, match="cycle"):
        load(tmp_path / "a.lf")
    (tmp_path / "c.lf").write_text('include "nope.lf"\n', encoding="utf-8")
    with pytest.raises(RuleSyntaxError, match=r"cannot read include 'nope\.lf'"):
        load(tmp_path / "c.lf")
    with pytest.raises(ConfigurationError, match="cannot read rule file"):
        load(tmp_path / "missing.lf")


def test_errors_in_includes_name_the_included_file(company):
    (company / "shared" / "lists.lf").write_text('list dach = ["DE"\n', encoding="utf-8")
    with pytest.raises(RuleSyntaxError) as info:
        load(company / "scoring.lf")
    assert info.value.source == os.path.join("shared", "lists.lf")


def test_loading_again_is_served_from_the_cache(company):
    path = company / "scoring.lf"
    first = load(path)
    assert load(path) is first
    assert parse("mql when employees > 5\n") is parse("mql when employees > 5\n")
    included = company / "shared" / "lists.lf"
    included.write_text('list dach = ["DE", "AT", "CH", "LI"]\n', encoding="utf-8")
    os.utime(included, ns=(1, 1))
    second = load(path)
    assert second is not first
    assert second.score(lead(country="LI"), now=NOW) == {"fit": 10}


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_parse_and_their_tests_pass(name):
    rules = parse(template_text(name), source=f"{name}.lf")
    results = rules.run_tests()
    assert len(results) == 2
    assert all(r.passed for r in results), [str(r) for r in results]
    assert rules.qualification_names == (name,)


def test_template_tests_do_not_run_in_files_that_use_them():
    rules = parse("use champ\n")
    assert rules.run_tests() == ()
    assert rules.criteria["money"] == ("approved", "available", "limited", "none", "unknown")


def test_unknown_template_text():
    with pytest.raises(ConfigurationError, match="did you mean 'meddic'"):
        template_text("medic")


def test_parse_with_a_base_dir(company):
    rules = parse('include "shared/lists.lf"\nmql when country in dach\n', base_dir=company)
    assert rules.evaluate(lead(country="CH"), now=NOW).mql


def test_a_rule_set_reads_a_bounded_number_of_files(tmp_path):
    for i in range(40):
        (tmp_path / f"f{i}.lf").write_text(f'include "f{i + 1}.lf"\n', encoding="utf-8")
    (tmp_path / "f40.lf").write_text("", encoding="utf-8")
    with pytest.raises(RuleSyntaxError, match="too many files"):
        load(tmp_path / "f0.lf")


def test_the_template_names_are_the_shipped_files():
    shipped = files("leadflow.rules").joinpath("templates").iterdir()
    assert sorted(t.name.removesuffix(".lf") for t in shipped if t.name.endswith(".lf")) == sorted(
        TEMPLATES
    )
