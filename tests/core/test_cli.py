"""The ``leadflow`` command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from leadflow.cli import main


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
