"""The agreement's event log as metrics input: replay per lead, map states to histories."""

from __future__ import annotations

import gc
import json
import random
from collections.abc import Mapping
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow import load_agreement
from leadflow.agreement import Agreement, LeadState, Reaction, Routing, parse_agreement
from leadflow.errors import HistoryError
from leadflow.metrics import (
    AgingLimit,
    aging,
    aging_limits,
    build_report,
    read_event_log,
    report_main,
    stage_conversions,
    stage_counts,
    state_histories,
)
from leadflow.synthetic import QUARTER_END, run_quarter

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class _Recorder:
    """The agreement, logging every event it applies as a line of the event log."""

    def __init__(self, agreement: Agreement) -> None:
        self._agreement = agreement
        self.lines: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._agreement, name)

    def process(
        self,
        state: LeadState | None,
        event: Mapping[str, Any],
        *,
        now: datetime,
        routing: Routing | None = None,
    ) -> Reaction:
        reaction = self._agreement.process(state, event, now=now, routing=routing)
        head = {"lead_id": reaction.state.lead_id, "received_at": now.isoformat()}
        self.lines.append(json.dumps({**head, **event}))
        return reaction


@cache
def agreement() -> Agreement:
    return load_agreement(EXAMPLES / "agreement.lf")


@cache
def quarter() -> tuple[tuple[str, ...], tuple[LeadState, ...]]:
    """The demo's synthetic quarter (400 leads): its event log and its final states."""
    recorder = _Recorder(agreement())
    result = run_quarter(recorder, seed=11, count=400)  # type: ignore[arg-type]
    return tuple(recorder.lines), tuple(result.states.values())


def test_replayed_log_gives_the_states_funnel() -> None:
    lines, states = quarter()
    replayed = read_event_log(lines, agreement())
    direct = list(state_histories(states))
    assert len(replayed) == len(direct) == 400
    assert stage_counts(replayed) == stage_counts(direct)
    assert stage_conversions(replayed) == stage_conversions(direct)
    by_id = {s.lead_id: s for s in states}
    for history in replayed:
        state = by_id[history.lead_id]
        assert history.record == state.record
        assert history.get("owner") == state.owner
        assert history.get("campaign") == state.lead.campaign
    handed = [h for h in replayed if h.get("owner")]
    assert handed
    assert all(h.get("temperature") and h.get("routed_at") for h in handed)
    assert any(h.amount for h in replayed)


def test_a_path_is_read_and_bad_lines_name_file_and_line(tmp_path: Path) -> None:
    lines, _ = quarter()
    log = tmp_path / "events.jsonl"
    log.write_text("\n".join(lines[:40]) + "\n\n", encoding="utf-8")
    assert read_event_log(str(log), agreement())
    log.write_text(lines[0] + "\n" + '{"type": "accepted", "actor": "x"}\n', encoding="utf-8")
    with pytest.raises(HistoryError, match=r"(?s)events.jsonl:2.*lead_id"):
        read_event_log(str(log), agreement())
    refused = json.dumps(
        {"lead_id": "nobody", "type": "accepted", "actor": "x", "at": "2026-10-01T09:00:00+02:00"}
    )
    with pytest.raises(HistoryError, match=r"(?s)<events>:1.*refused by the agreement.*created"):
        read_event_log([refused], agreement())
    with pytest.raises(HistoryError, match="received_at"):
        read_event_log(['{"lead_id": "L-1", "type": "accepted", "actor": "x"}'], agreement())


@pytest.mark.parametrize("running", [True, False])
def test_the_replay_gives_the_garbage_collector_back_as_it_found_it(running: bool) -> None:
    lines, _ = quarter()
    was = gc.isenabled()
    try:
        gc.enable() if running else gc.disable()
        assert len(read_event_log(lines[:50], agreement())) > 0
        assert gc.isenabled() is running
        with pytest.raises(HistoryError):
            read_event_log([*lines[:5], "not json"], agreement())
        assert gc.isenabled() is running
    finally:
        gc.enable() if was else gc.disable()


def test_aging_limits_come_from_the_agreement_file(tmp_path: Path) -> None:
    office = agreement().calendars["office"]
    assert aging_limits(agreement()) == {
        "mql": AgingLimit(timedelta(hours=20), office, "2 business days"),
        "sal": AgingLimit(timedelta(days=14), None, "2 weeks"),
    }
    text = (EXAMPLES / "agreement.lf").read_text(encoding="utf-8")
    changed = text.replace("mql  ages after 2 business days", "mql  ages after 3 business days")
    changed = changed.replace("disposition within 2 weeks", "disposition within 10 days")
    assert changed.count("3 business days") == 1
    assert "within 10 days" in changed
    other = parse_agreement(changed, base_dir=EXAMPLES)
    assert aging_limits(other) == {
        "mql": AgingLimit(timedelta(hours=30), other.calendars["office"], "3 business days"),
        "sal": AgingLimit(timedelta(days=10), None, "10 days"),
    }


def test_the_report_command_lists_aging_by_the_agreements_limits(tmp_path: Path) -> None:
    lines, _ = quarter()
    log = tmp_path / "events.jsonl"
    log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "report.json"
    argv = [str(log), "--agreement", str(EXAMPLES / "agreement.lf"), "--format", "json"]
    assert report_main([*argv, "--out", str(out)]) == 0
    listed = json.loads(out.read_text(encoding="utf-8"))["sla"]["aging"]
    histories = read_event_log(lines, agreement())
    now = max(s.event.at for h in histories for s in h.record.history)
    expected = aging(histories, aging_limits(agreement()), now=now)
    assert expected
    assert {a.stage for a in expected} <= {"mql", "sal"}
    assert [(a["lead_id"], a["limit"]) for a in listed] == [
        (a.lead_id, a.limit_text) for a in expected
    ]
    # --aging overrides a stage of the agreement's limits
    assert report_main([*argv, "--aging", "mql=1000", "--out", str(out)]) == 0
    again = json.loads(out.read_text(encoding="utf-8"))["sla"]["aging"]
    assert {a["stage"] for a in again} == {a.stage for a in expected} - {"mql"}


def _shuffled(lines: tuple[str, ...], seed: int) -> list[str]:
    """Another interleaving of the leads: each lead's own events stay in order."""
    queues: dict[str, list[str]] = {}
    for line in lines:
        queues.setdefault(json.loads(line)["lead_id"], []).append(line)
    rng = random.Random(seed)
    pending = [list(reversed(q)) for q in queues.values()]
    out = []
    while pending:
        queue = rng.choice(pending)
        out.append(queue.pop())
        if not queue:
            pending.remove(queue)
    return out


@settings(max_examples=3, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_another_interleaving_gives_the_same_report(seed: int) -> None:
    lines, _ = quarter()
    cal = agreement().calendars[agreement().default_calendar]
    report = build_report(read_event_log(lines, agreement()), calendar=cal, now=QUARTER_END)
    again = build_report(
        read_event_log(_shuffled(lines, seed), agreement()), calendar=cal, now=QUARTER_END
    )
    assert again.to_json() == report.to_json()


def test_report_command_replays_an_event_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report.json"
    argv = [str(EXAMPLES / "events.jsonl"), "--agreement", str(EXAMPLES / "agreement.lf")]
    assert report_main([*argv, "--format", "json", "--out", str(out)]) == 0
    funnel = json.loads(out.read_text(encoding="utf-8"))["funnel"]
    histories = read_event_log(str(EXAMPLES / "events.jsonl"), agreement())
    assert funnel["stage_counts"] == dict(stage_counts(histories))
    assert (
        report_main(
            [str(EXAMPLES / "history.jsonl"), "--agreement", str(EXAMPLES / "agreement.lf")]
        )
        == 2
    )
    assert "history.jsonl:1: this is a lead history" in capsys.readouterr().err
    assert report_main([str(EXAMPLES / "events.jsonl")]) == 2
    assert "add --agreement FILE" in capsys.readouterr().err
