"""leadflow.batch: the same rows as validate_lead + evaluate + track, whatever the format."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow import validate_lead
from leadflow.batch import (
    BatchScorer,
    batched,
    read_csv,
    read_jsonl,
    score_file,
    synthetic_records,
    write_csv,
    write_jsonl,
)
from leadflow.errors import ConfigurationError, LeadValidationError, PolicyError
from leadflow.rules import load
from leadflow.sla import BusinessCalendar, SlaPolicy

ROOT = Path(__file__).resolve().parents[2]
RULES = load(ROOT / "examples" / "scoring.lf")
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
OFFICE = BusinessCalendar(hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE-BE")
POLICY = SlaPolicy()


def expected_row(record: dict[str, Any]) -> dict[str, Any]:
    """What a host writes by hand with the public API, one record at a time."""
    lead = validate_lead(
        {k: v for k, v in record.items() if k not in ("handed_off_at", "responded_at", "segment")}
    )
    result = RULES.evaluate(lead, now=NOW)
    row: dict[str, Any] = {"id": lead.id, **result.scores}
    row |= {"temperature": result.temperature, "mql": result.mql}
    row["knockouts"] = ";".join(result.reasons) or None
    sla = dict.fromkeys(
        ("sla_segment", "sla_state", "sla_due_at", "sla_at_risk", "sla_escalations")
    )
    handed = record.get("handed_off_at")
    if handed is not None:
        handed = datetime.fromisoformat(handed) if isinstance(handed, str) else handed
        if handed.tzinfo is None:  # the scorer checks the time before the segment
            raise ValueError("naive handed_off_at")
        responded = record.get("responded_at")
        responded = datetime.fromisoformat(responded) if isinstance(responded, str) else responded
        segment = record.get("segment") or result.temperature
        sla["sla_segment"] = segment
        if POLICY.target(segment).within is None:
            sla["sla_state"] = "none"
        else:
            status = POLICY.track(segment, handed, now=NOW, calendars=OFFICE, met_at=responded)
            sla["sla_state"] = status.state.value
            sla["sla_due_at"] = status.due_at
            sla["sla_at_risk"] = status.at_risk
            sla["sla_escalations"] = ";".join(e.notify for e in status.escalations) or None
    return row | sla | {"error": None}


SCORER = BatchScorer(RULES, now=NOW, policy=POLICY, calendars=OFFICE)


def test_rows_equal_the_public_api_one_record_at_a_time():
    records = list(synthetic_records(300, now=NOW, seed=3))
    rows = [row for batch in SCORER.score_records(records, batch_size=64) for row in batch]
    assert rows == [expected_row(r) for r in records]
    assert {r["sla_state"] for r in rows} >= {"none", "running", "breached", "met"}
    assert list(rows[0]) == list(SCORER.columns)


def test_records_are_read_one_batch_at_a_time():
    pulled = 0

    def source():
        nonlocal pulled
        for record in synthetic_records(1000, now=NOW):
            pulled += 1
            yield record

    first = next(SCORER.score_records(source(), batch_size=100))
    assert len(first) == 100
    assert pulled == 100


def test_batch_size_must_be_positive():
    with pytest.raises(ConfigurationError, match="batch size must be at least 1"):
        list(batched([1], 0))


def test_a_policy_needs_calendars():
    with pytest.raises(ConfigurationError, match="needs the calendars"):
        BatchScorer(RULES, now=NOW, policy=POLICY)


bad_records = st.fixed_dictionaries(
    {"id": st.sampled_from(["L-1", "", " "]), "company": st.sampled_from(["ACME", "", None])},
    optional={
        "email": st.sampled_from(["a@acme.de", "nope", "x@gmail.com", 5]),
        "employees": st.sampled_from([0, 80, "80", "many", -1]),
        "country": st.sampled_from(["DE", "Germany", "de"]),
        "activities": st.sampled_from(
            [[], [{"kind": "demo_request", "at": "2026-11-19T10:00:00+01:00"}],
             [{"kind": "Demo Request", "at": "2026-11-19T10:00:00"}], "none"]
        ),
        "handed_off_at": st.sampled_from(["2026-11-19T10:00:00+01:00", "yesterday", "2026-11-19T10:00:00"]),
        "segment": st.sampled_from(["hot", "cold", "vip"]),
        "shoe_size": st.just(44),
    },
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(bad_records)
def test_errors_are_those_of_the_public_api(record):
    try:
        expected: Any = expected_row(record)
    except (LeadValidationError, PolicyError) as error:
        expected = error
    except ValueError:  # the hand-written helper's own ISO parsing of a bad SLA time
        expected = "bad time"
    try:
        got: Any = SCORER.score(record)
    except (LeadValidationError, PolicyError) as error:
        got = error
    if isinstance(expected, Exception):
        assert type(got) is type(expected)
        assert str(got) == str(expected)
    elif expected == "bad time":
        assert isinstance(got, LeadValidationError)
        assert "expected an aware ISO-8601 time" in str(got)
    else:
        assert got == expected
    reported = BatchScorer(RULES, now=NOW, policy=POLICY, calendars=OFFICE, errors="report")
    row = reported.score(record)
    if isinstance(got, Exception):
        assert row["error"] == str(got)
        assert row["fit"] is None
    else:
        assert row == got


def test_jsonl_and_csv_round_trip(tmp_path):
    records = list(synthetic_records(200, now=NOW, seed=5))
    write_jsonl([records[:150], records[150:]], tmp_path / "in.jsonl")
    assert list(read_jsonl(tmp_path / "in.jsonl")) == records
    columns = sorted({k for r in records for k in r})
    write_csv([records], tmp_path / "in.csv", columns)
    from_csv = list(read_csv(tmp_path / "in.csv"))
    assert [expected_row(r) for r in from_csv] == [expected_row(r) for r in records]
    for kind in ("jsonl", "csv"):
        summary = score_file(
            tmp_path / f"in.{kind}",
            tmp_path / f"out.{kind}.jsonl",
            ROOT / "examples" / "scoring.lf",
            now=NOW,
            policy=POLICY,
            calendars=OFFICE,
            batch_size=64,
        )
        assert summary.rows == 200
        assert summary.errors == 0
        out = list(read_jsonl(tmp_path / f"out.{kind}.jsonl"))
        want = [
            {k: v.isoformat() if isinstance(v, datetime) else v for k, v in expected_row(r).items()}
            for r in records
        ]
        assert out == want


def test_bad_lines_name_where_they_are(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"id": "L-1"}\n\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(LeadValidationError, match="line 3: expected a JSON object"):
        list(read_jsonl(tmp_path / "bad.jsonl"))
    (tmp_path / "bad.csv").write_text("id,activities\nL-1,[{\n", encoding="utf-8")
    with pytest.raises(LeadValidationError, match="row 2, column activities: not JSON"):
        list(read_csv(tmp_path / "bad.csv"))


def test_unknown_suffix(tmp_path):
    with pytest.raises(ConfigurationError, match="cannot tell the format"):
        score_file(
            tmp_path / "a.xlsx", tmp_path / "b.jsonl", ROOT / "examples" / "scoring.lf", now=NOW
        )


def test_two_processes_give_the_rows_of_one(tmp_path):
    records = list(islice(synthetic_records(400, now=NOW, seed=9), 400))
    records[7] = {"id": "L-bad", "company": "", "email": "nope"}
    write_jsonl([records], tmp_path / "in.jsonl")
    outs = []
    for jobs in (1, 2):
        summary = score_file(
            tmp_path / "in.jsonl",
            tmp_path / f"out{jobs}.jsonl",
            ROOT / "examples" / "scoring.lf",
            now=NOW,
            jobs=jobs,
            batch_size=50,
            policy=POLICY,
            calendars=OFFICE,
            errors="report",
        )
        assert (summary.rows, summary.errors, summary.jobs) == (400, 1, jobs)
        outs.append((tmp_path / f"out{jobs}.jsonl").read_text(encoding="utf-8"))
    assert outs[0] == outs[1]
    bad = json.loads(outs[0].splitlines()[7])
    assert bad["id"] == "L-bad"
    assert bad["error"].startswith("lead 'L-bad' is invalid (2 problems)")


def test_synthetic_records_are_varied_and_reproducible():
    a = list(synthetic_records(1000, now=NOW, seed=1))
    assert a == list(synthetic_records(1000, now=NOW, seed=1))
    chunk = list(synthetic_records(10, now=NOW, seed=1, start=1000))
    assert [r["id"] for r in chunk] == [f"L-{i:08d}" for i in range(1000, 1010)]
    assert len({r.get("title") for r in a}) > 600
    assert len({r.get("industry") for r in a}) > 250
    assert len({r["email"].rpartition("@")[2] for r in a}) > 700
    assert max(len(r["activities"]) for r in a) == 30
    times = [datetime.fromisoformat(x["at"]) for r in a for x in r["activities"]]
    assert all(NOW - timedelta(days=180) <= t <= NOW for t in times)
