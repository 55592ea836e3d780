"""The demo job end to end: data check, scoring, lifecycle and SLA on the shipped sample."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import leadflow as lf
from leadflow.cli import DEMO_NOW, example_path, main, sample_leads_path
from leadflow.demo import run
from leadflow.rules import load
from leadflow.sla import BusinessCalendar

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def runs() -> dict[str, object]:
    records = json.loads(sample_leads_path().read_text(encoding="utf-8"))
    leads = []
    for record in records:
        try:
            leads.append(lf.validate_lead(record))
        except lf.LeadValidationError:
            continue
    calendar = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone=BERLIN, holidays="DE-BY")
    result = run(
        leads,
        rules=load(example_path("scoring.lf")),
        now=datetime.fromisoformat(DEMO_NOW),
        calendar=calendar,
    )
    return {item.lead.id: item for item in result}


def test_shipped_rule_file_tests_pass() -> None:
    results = load(example_path("scoring.lf")).run_tests()
    assert [r.passed for r in results] == [True, True]


def test_saturday_evening_demo_request_is_hot_and_breached(runs: dict[str, object]) -> None:
    item = runs["L-1001"]
    assert item.evaluation.temperature == "hot"  # type: ignore[attr-defined]
    assert item.record.stage == "mql"  # type: ignore[attr-defined]
    sla = item.sla  # type: ignore[attr-defined]
    assert sla.due_at.astimezone(UTC) == datetime(2026, 11, 23, 12, tzinfo=BERLIN).astimezone(UTC)
    assert sla.state == "breached"
    assert [e.notify for e in sla.escalations] == ["owner", "sales_manager"]


def test_knock_out_disqualifies_with_the_rules_reason(runs: dict[str, object]) -> None:
    item = runs["L-1003"]
    assert item.record.stage == "disqualified"  # type: ignore[attr-defined]
    assert item.record.history[-1].event.reason == "student"  # type: ignore[attr-defined]


def test_incomplete_mql_is_refused_and_stays_cold(runs: dict[str, object]) -> None:
    item = runs["L-1008"]
    assert item.evaluation.mql is True  # type: ignore[attr-defined]
    assert item.record.stage == "cold"  # type: ignore[attr-defined]
    assert "missing title" in item.refusal  # type: ignore[attr-defined]
    assert item.sla is None  # type: ignore[attr-defined]


def test_cold_lead_without_activity_stays_cold(runs: dict[str, object]) -> None:
    item = runs["L-1005"]
    assert (item.record.stage, item.record.history) == ("cold", ())  # type: ignore[attr-defined]


def test_demo_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--leads", "-"]) == 0
    out = capsys.readouterr().out
    assert "Scoring, lifecycle and SLA at Wed 25 Nov 2026 10:00 (Europe/Berlin)" in out
    assert (
        "answer due Mon 23 Nov 12:00 (since Sat 21 Nov 19:30): BREACHED, 18h00 business time overdue"
        in out
    )
    assert "handoff refused: Lead 'L-1008' cannot 'promote'" in out


def test_demo_now_must_be_aware() -> None:
    with pytest.raises(SystemExit, match="needs a UTC offset"):
        main(["demo", "--leads", "-", "--now", "2026-11-25T10:00"])


def test_demo_without_temperature_or_mql_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "fit.lf"
    rules.write_text("score fit {\n  +10 employees > 5\n}\n")
    assert main(["demo", "--leads", "-", "--rules", str(rules)]) == 0
    out = capsys.readouterr().out
    assert "  fit 10  -> no temperature, no mql rule\n" in out
    assert "None" not in out


def test_demo_checks_every_input_before_it_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit, match="is not an ISO 8601 date-time"):
        main(["demo", "--leads", "-", "--now", "garbage"])
    assert capsys.readouterr().out == ""
    rules = tmp_path / "bad.lf"
    rules.write_text("score fit {\n  +1 emplyees > 1\n}\n")
    assert main(["demo", "--leads", "-", "--rules", str(rules)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "did you mean 'employees'" in captured.err
