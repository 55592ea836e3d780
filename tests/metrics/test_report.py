"""The report and its command: formats, the history file format, errors, determinism."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from leadflow.errors import ConfigurationError, HistoryError
from leadflow.metrics import build_report, parse_history, read_histories, report_main
from tests.metrics.helpers import CALENDAR, at, history

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "history.jsonl"


def example_histories():
    with EXAMPLE.open(encoding="utf-8") as lines:
        return list(read_histories(lines, source="history.jsonl"))


def test_history_round_trips_through_its_json_line() -> None:
    lead = history("L-1", [("accept", 1)], amount=10.0)
    assert parse_history(json.loads(json.dumps(lead.to_dict()))) == lead


def test_a_bad_line_names_the_file_the_line_and_every_problem() -> None:
    good = json.dumps(history("L-1", []).to_dict())
    lines = [
        good,
        "",
        '{"record": {"lead_id": "L-2"}, "lead": {"x": []}, "amount": "many", "extra": 1}',
    ]
    with pytest.raises(HistoryError) as info:
        list(read_histories(lines, source="h.jsonl"))
    error = info.value
    assert error.record_id == "h.jsonl:3"
    assert isinstance(error, ValueError)
    assert str(error).startswith("history line 'h.jsonl:3' is invalid (8 problems):")
    assert {"extra", "record.stage", "lead.x", "amount"} <= {p.field for p in error.problems}
    with pytest.raises(HistoryError, match="not JSON"):
        list(read_histories(["{"], source="h.jsonl"))
    with pytest.raises(HistoryError, match="time zone"):
        parse_history({"record": json.loads(good)["record"], "created_at": "2026-11-02T09:00:00"})


def test_a_lead_twice_is_refused() -> None:
    lead = history("L-1", [])
    with pytest.raises(ConfigurationError, match="lead 'L-1' appears twice"):
        build_report([lead, lead], calendar=CALENDAR, now=at(10))


def test_an_empty_history_gives_a_report_of_nones() -> None:
    report = build_report([], calendar=CALENDAR, now=at(10))
    data = report.to_dict()
    assert data["funnel"]["win_rate"] == {"numerator": 0, "denominator": 0, "value": None}
    assert "No alerts." in report.to_markdown()
    assert report.to_html().count("<svg") == 2


def test_sections_come_in_reading_order_alerts_first() -> None:
    report = build_report(
        example_histories(), calendar=CALENDAR, now=datetime.fromisoformat("2026-11-30T09:00+01:00")
    )
    markdown = report.to_markdown()
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    assert headings[:3] == ["## Alerts", "## Funnel", "## MQL → SQL by campaign"]
    assert headings[-1] == "## Planning"
    html = report.to_html()
    assert html.index("Alerts") < html.index("<svg") < html.index("Velocity")
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # self-contained


def test_the_command_writes_every_format(tmp_path, capsys) -> None:
    out = tmp_path / "report.json"
    args = [str(EXAMPLE), "--from", "2026-10-05", "--to", "2026-11-29", "--by", "channel"]
    assert report_main([*args, "--format", "json", "--out", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["period"]["label"] == "2026-10-05 – 2026-11-29"
    assert set(data["funnel"]["mql_to_sql_by"]["groups"]) == {
        "content",
        "events",
        "outbound",
        "paid",
    }
    assert report_main([*args, "--format", "md"]) == 0
    assert capsys.readouterr().out.startswith("# Lead funnel report")
    html = tmp_path / "report.html"
    assert report_main([*args, "--format", "html", "--out", str(html), "--aging", "mql=3"]) == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_the_command_reports_bad_input_without_a_traceback(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{}\n", encoding="utf-8")
    assert report_main([str(bad)]) == 1
    assert "history line" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="cannot read"):
        report_main([str(tmp_path / "missing.jsonl")])
    with pytest.raises(SystemExit):
        report_main([str(bad), "--aging", "sal=soon"])


def test_leadflow_report_is_a_command_of_the_cli(capsys) -> None:
    from leadflow.cli import main

    assert main(["report", str(EXAMPLE), "--format", "md", "--by", "channel"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Lead funnel report")
    assert "mql → sal" in out
