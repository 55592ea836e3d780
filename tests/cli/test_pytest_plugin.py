"""The pytest plugin, run inside throw-away projects with ``pytester``."""

from __future__ import annotations

import pytest

import leadflow.rules  # noqa: F401 - imported once here, so that pytester runs reuse it
from tests.cli.helpers import BROKEN, FAILING, GOOD

HOST_TEST = """
from datetime import timedelta

def test_rules_fixture(leadflow_rules, lead_builder, leadflow_now):
    lead = lead_builder(title="IT-Direktor", activities=[("demo_request", timedelta(days=2))])
    result = leadflow_rules.evaluate(lead, now=leadflow_now)
    assert (result.scores["fit"], result.mql) == (45.0, True)

def test_builder_defaults(lead_builder, leadflow_now):
    first, second = lead_builder(), lead_builder(employees=900)
    assert (first.id, second.id, first.company, first.country) == ("lead-1", "lead-2", "Muster GmbH", "DE")
    assert second.employees == 900
    assert leadflow_now.isoformat() == "2026-11-20T12:00:00+01:00"
"""


def test_collects_test_blocks_and_reports_expected_vs_actual(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nleadflow_rules = rules/*.lf\n")
    pytester.mkdir("rules")
    (pytester.path / "rules" / "fail.lf").write_text(FAILING, encoding="utf-8")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "rules/fail.lf::mid-sized FAILED*",
            "rules/fail.lf::passes PASSED*",
            "rules/fail.lf:6: test 'mid-sized' failed",
            "  line 11:",
            "    expected: fit 25",
            "    actual:   20",
            "explanation:",
            "  score fit = 20",
        ]
    )


def test_fixtures_in_host_tests(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nleadflow_rules = rules/*.lf\n")
    pytester.mkdir("rules")
    (pytester.path / "rules" / "good.lf").write_text(GOOD, encoding="utf-8")
    pytester.makepyfile(test_host=HOST_TEST)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3)


def test_a_broken_rule_file_is_a_collection_error(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nleadflow_rules = *.lf\n")
    (pytester.path / "bad.lf").write_text(BROKEN, encoding="utf-8")
    result = pytester.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*bad.lf:2:7: unknown name 'industri' (did you mean 'industry'?)"])


def test_projects_without_the_option_see_no_change(pytester: pytest.Pytester) -> None:
    (pytester.path / "good.lf").write_text(GOOD, encoding="utf-8")
    pytester.makepyfile(test_plain="def test_one():\n    assert True\n")
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1)
    assert "good.lf" not in result.stdout.str()


def test_the_command_line_option_and_a_now_of_its_own(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nleadflow_now = 2027-01-04T09:00:00+00:00\n")
    (pytester.path / "good.lf").write_text(GOOD, encoding="utf-8")
    pytester.makepyfile(
        test_now="def test_now(leadflow_now):\n    assert leadflow_now.year == 2027\n"
    )
    result = pytester.runpytest("--leadflow-rules", "*.lf")
    result.assert_outcomes(passed=2)


def test_the_rules_fixture_needs_one_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nleadflow_rules = *.lf\n")
    (pytester.path / "a.lf").write_text(GOOD, encoding="utf-8")
    (pytester.path / "b.lf").write_text(GOOD, encoding="utf-8")
    pytester.makepyfile(test_r="def test_r(leadflow_rules):\n    pass\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(
        ["*the patterns match a.lf, b.lf: set the ini option leadflow_rules_file*"]
    )
