"""The report and its command: formats, the history file format, errors, determinism."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
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


def test_a_creation_after_the_first_step_and_a_negative_or_infinite_amount_are_refused() -> None:
    data = history("L-1", [("accept", 2)]).to_dict()  # MONDAY 08:00 UTC, accepted at 10:00
    late = {**data, "created_at": "2026-11-02T10:06:00+00:00", "amount": -5}
    with pytest.raises(HistoryError) as info:
        parse_history(late)
    assert {p.field: p.message for p in info.value.problems} == {
        "created_at": "expected when the lead entered its origin stage, at or before its first "
        "step (2026-11-02T10:00:00+00:00)",
        "amount": "expected a finite number >= 0",
    }
    skewed = parse_history({**data, "created_at": "2026-11-02T10:05:00+00:00"})
    assert skewed.created_at == at(2) + timedelta(minutes=5)
    with pytest.raises(HistoryError, match="amount"):
        list(read_histories([json.dumps(data)[:-1] + ', "amount": Infinity}']))


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
    assert report_main([str(tmp_path / "missing.jsonl")]) == 2
    assert "missing.jsonl: No such file or directory" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        report_main([str(bad), "--aging", "sal=soon"])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--to", "9999-12-31"], "lies outside 0001-01-02 to 9999-12-30"),
        (["--aging", "sal=1e400"], "more than 0 and at most 3,660 days"),
        (["--aging", "sal=-1"], "more than 0 and at most 3,660 days"),
        (["--aging", "sall=3"], "unknown stage 'sall' (stages: cold, iql, mql, sal,"),
        (["--revenue-target", "nan"], "'nan': a positive amount below 10^15"),
        (["--revenue-target", "inf", "--deal-size", "1"], "'inf': a positive amount"),
        (["--deal-size", "-5"], "'-5': a positive amount"),
    ],
)
def test_options_out_of_range_are_usage_errors(argv, message, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        report_main([str(EXAMPLE), *argv])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_files_the_command_cannot_read_end_it_with_status_2_and_the_place(tmp_path, capsys) -> None:
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(EXAMPLE.read_bytes().splitlines(keepends=True)[0] + b'{"x": "M\xfcller"}\n')
    assert report_main([str(latin)]) == 2
    assert f"{latin}:2:9: not UTF-8 text (byte 0xfc)" in capsys.readouterr().err
    args = [str(EXAMPLE), "--from", "2026-11-30", "--to", "2026-10-01"]
    assert report_main(args) == 2
    assert "--from 2026-11-30 lies after --to 2026-10-01" in capsys.readouterr().err
    assert report_main([str(EXAMPLE), "--out", str(tmp_path / "no" / "dir.md")]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_a_group_field_no_lead_has_is_noted_on_stderr(capsys) -> None:
    assert report_main([str(EXAMPLE), "--by", "nosuch", "--alert-by", "channel"]) == 0
    err = capsys.readouterr().err
    assert "no lead has a value for 'nosuch', so every lead is in one group" in err
    assert "'channel'" not in err  # the leads of the example have a channel
    assert "campaign" in err  # among the fields that have values


def test_progress_is_a_bar_on_a_terminal_and_nothing_otherwise(
    tmp_path, capsys, monkeypatch
) -> None:
    import io

    from leadflow.metrics import command

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(command, "_Progress", _every_line(command._Progress))
    terminal = Terminal()
    args = command_args([str(EXAMPLE), "--out", str(tmp_path / "r.md")])
    assert command.run_report(args, stderr=terminal) == 0
    drawn = terminal.getvalue()
    assert "\r[" in drawn
    assert drawn.rstrip("\n").endswith("] 100 %  reading leads: 80, building the report")
    plain = io.StringIO()
    assert command.run_report(args, stderr=plain) == 0
    assert plain.getvalue() == ""


def _every_line(progress):
    return lambda stream, what, total, every: progress(stream, what, total, 1)


def command_args(argv):
    import argparse

    from leadflow.metrics.command import add_report_arguments

    parser = argparse.ArgumentParser()
    add_report_arguments(parser)
    return parser.parse_args(argv)


def test_leadflow_report_is_a_command_of_the_cli(capsys) -> None:
    from leadflow.cli import main

    assert main(["report", str(EXAMPLE), "--format", "md", "--by", "channel"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Lead funnel report")
    assert "mql → sal" in out
