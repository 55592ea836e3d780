"""The ``leadflow`` command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from leadflow.agreement import load_agreement
from leadflow.cli import example_path, main
from leadflow.metrics import build_report, state_histories
from leadflow.synthetic import run_quarter


def test_demo_runs_the_agreement_over_a_synthetic_quarter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["demo", "--size", "300"]) == 0
    out = capsys.readouterr().out
    for heading in (
        "Leads per stage",
        "Owner     assigned",
        "Response SLA",
        "Breaches and escalations",
        "Reasons",
    ):
        assert heading in out
    assert main(["demo", "--size", "300"]) == 0
    assert capsys.readouterr().out == out  # same output every run


def test_demo_adds_the_reports_funnel_and_alerts_for_its_quarter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    agreement = load_agreement(example_path("agreement.lf"))
    quarter = run_quarter(agreement, seed=2026, count=300)
    report = build_report(
        state_histories(quarter.states.values()),
        calendar=agreement.calendars[agreement.default_calendar],
        now=quarter.now,
        agreement=agreement,
    )
    assert main(["demo", "--size", "300"]) == 0
    out = capsys.readouterr().out.splitlines()
    start = out.index(next(line for line in out if line.startswith("Funnel (report)")))
    entered = "  ".join(f"{stage} {n}" for stage, n in report.entered)
    assert out[start] == f"Funnel (report)   entered: {entered}"
    assert report.entered[0][1] > 0
    mql_sal = report.conversions[0][2]
    assert f"mql→sal {mql_sal}" in out[start + 1]
    assert f"win rate {report.win_rate}" in out[start + 2]
    assert f"{len(report.aging)} leads aging" in out[start + 2]
    alerts = out.index(next(line for line in out if line.startswith("Alerts (report)")))
    assert out[alerts] == (
        f"Alerts (report)   {len(report.alerts) or 'none'} open, rates over 30 days, "
        "judged per week (at least 20 leads each)"
    )
    listed = out[alerts + 1 : alerts + 1 + len(report.alerts)]
    assert listed == [f"  {a.level:<17} {a.message}" for a in report.alerts]
    assert out.index(next(line for line in out if line.startswith("Reasons"))) > alerts


def test_demo_judges_by_the_agreements_alerts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = example_path("agreement.lf").read_text(encoding="utf-8")
    shutil.copy(example_path("scoring.lf"), tmp_path / "scoring.lf")

    def alert_lines(old: str = "", new: str = "") -> list[str]:
        assert text.count(old) == 1 or not old
        (tmp_path / "agreement.lf").write_text(text.replace(old, new), encoding="utf-8")
        argv = ["demo", "--size", "300", "--agreement", str(tmp_path / "agreement.lf")]
        assert main(argv) == 0
        out = capsys.readouterr().out.splitlines()
        start = out.index(next(line for line in out if line.startswith("Alerts (report)")))
        return out[start + 1 : out.index("", start)]

    (shipped,) = alert_lines()
    assert "mql_to_sql 28.6 % (6/21) is below 30 %" in shipped
    assert shipped.endswith("Action: tell marketing. Escalation: marketing_ops, sales_ops.")
    assert alert_lines("below 30 %  tell marketing", "below 25 %  tell marketing") == []
    (other,) = alert_lines("1 week             tell marketing_ops, sales_ops", "1 week tell revops")
    assert other.endswith("Action: tell marketing. Escalation: revops.")


def test_demo_render_prints_the_agreement_page(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--render"]) == 0
    assert capsys.readouterr().out.startswith("# Muster Software GmbH: marketing and sales")
    assert main(["demo", "--render", "html"]) == 0
    assert capsys.readouterr().out.startswith("<!DOCTYPE html>")


def test_demo_prints_the_data_quality_report(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--leads", "-"]) == 0
    out = capsys.readouterr().out
    assert "8 leads: 6 valid, 2 invalid, 3 ready for handoff" in out
    assert "L-1006:" in out


def test_demo_with_own_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps([{"id": "A", "company": "ACME", "email": "a@acme.de"}]))
    assert main(["demo", "--leads", str(path)]) == 0
    assert "1 leads: 1 valid, 0 invalid, 0 ready for handoff" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [("{", "mine.json:1:2: Expecting"), ('{"a": 1}', "expected a JSON array of lead objects")],
)
def test_demo_reports_unreadable_input(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "mine.json"
    path.write_text(content)
    with pytest.raises(SystemExit, match=message):
        main(["demo", "--leads", str(path)])


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="cannot read"):
        main(["demo", "--leads", str(tmp_path / "nope.json")])
