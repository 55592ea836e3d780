"""``leadflow score``: formats, streaming input, invalid records with line numbers, --strict."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from leadflow._records import read_records
from tests.cli.helpers import BROKEN, GOOD, LEADS, NOW, run, write, write_jsonl


def test_jsonl_output_and_invalid_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, leads = write(tmp_path, "good.lf", GOOD), write_jsonl(tmp_path)
    code, out, err = run(capsys, "score", rules, leads, "--now", NOW)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["L-1", "L-2", "L-4"]
    assert rows[0] == {
        "id": "L-1",
        "scores": {"fit": 45.0, "engagement": 40.0},
        "grades": {"position": "C"},
        "temperature": "hot",
        "mql": True,
        "knockouts": [],
        "qualifications": {},
    }
    assert rows[2]["knockouts"] == ["student"]
    lines = err.splitlines()
    assert lines[0].startswith(f"{leads}:3:1: invalid lead: company: must not be blank; email:")
    assert lines[-1] == "scored 3 leads, skipped 1 invalid records"


def test_strict_stops_at_the_first_invalid_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules, leads = write(tmp_path, "good.lf", GOOD), write_jsonl(tmp_path)
    code, out, err = run(capsys, "score", rules, leads, "--now", NOW, "--strict")
    assert code == 1
    assert len(out.splitlines()) == 2
    assert "stopped at the first invalid record (--strict)" in err


def test_csv_output_with_explanation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules, leads = write(tmp_path, "good.lf", GOOD), write_jsonl(tmp_path)
    out_file = tmp_path / "scores.csv"
    code, out, _ = run(
        capsys,
        "score",
        rules,
        leads,
        "--now",
        NOW,
        "--format",
        "csv",
        "--explain",
        "--out",
        str(out_file),
    )
    assert (code, out) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    assert list(rows[0]) == [
        "id",
        "fit",
        "engagement",
        "grade_position",
        "temperature",
        "mql",
        "knockouts",
        "explanation",
    ]
    assert (rows[0]["fit"], rows[0]["mql"], rows[2]["knockouts"]) == ("45", "yes", "student")
    assert rows[0]["explanation"].startswith(
        "lead L-1 at 2026-11-25T10:00:00+01:00\nscore fit = 45"
    )


def test_table_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules, leads = write(tmp_path, "good.lf", GOOD), write_jsonl(tmp_path)
    code, out, _ = run(capsys, "score", rules, leads, "--now", NOW, "--format", "table")
    assert code == 0
    assert out.splitlines()[0].split() == [
        "id",
        "fit",
        "engagement",
        "grade_position",
        "temperature",
        "mql",
        "knockouts",
    ]
    assert out.splitlines()[1].split() == ["L-1", "45", "40", "C", "hot", "yes"]


def test_json_array_input_reports_the_line_of_the_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = write(tmp_path, "good.lf", GOOD)
    leads = write(tmp_path, "leads.json", json.dumps(LEADS, indent=2))
    code, out, err = run(capsys, "score", rules, leads, "--now", NOW)
    assert code == 0
    assert len(out.splitlines()) == 3
    start = json.dumps(LEADS, indent=2).splitlines().index("  {", 2 + 20) + 1
    assert err.splitlines()[0].startswith(f"{leads}:{start}:1: invalid lead")


def test_csv_input_and_activities_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rules = write(tmp_path, "good.lf", GOOD)
    leads = write(
        tmp_path,
        "leads.csv",
        "id,company,email,title,employees,country,tech_stack,custom.plan\n"
        "C-1,Muster GmbH,anna@muster.de,IT-Direktor,120,DE,SAP;Azure,pro\n"
        "C-2,Beispiel AG,max@beispiel.de,CEO,many,DE,,\n",
    )
    activities = write(
        tmp_path,
        "activities.jsonl",
        '{"lead_id": "C-1", "kind": "demo_request", "at": "2026-11-23T09:00:00+01:00"}\n'
        '{"kind": "demo_request"}\n',
    )
    code, out, err = run(capsys, "score", rules, leads, "--now", NOW, "--activities", activities)
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["id"], r["scores"]["engagement"], r["mql"]) for r in rows] == [("C-1", 40.0, True)]
    assert err.splitlines()[0] == f"{activities}:2:1: an activity needs a 'lead_id'"
    assert err.splitlines()[1].startswith(f"{leads}:3:1: invalid lead: employees:")


def test_broken_rules_and_missing_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    leads = write_jsonl(tmp_path)
    code, _, err = run(capsys, "score", write(tmp_path, "bad.lf", BROKEN), leads, "--now", NOW)
    assert code == 1
    assert ":2:7: unknown name 'industri'" in err
    code, _, err = run(capsys, "score", write(tmp_path, "g.lf", GOOD), str(tmp_path / "no.jsonl"))
    assert code == 2
    assert "cannot read leads file" in err
    code, _, err = run(capsys, "score", str(tmp_path / "g.lf"), leads, "--now", "yesterday")
    assert code == 2
    assert "--now 'yesterday' is not an ISO 8601 date-time" in err
    code, _, err = run(capsys, "score", str(tmp_path / "g.lf"), leads, "--now", "2026-11-25T10:00")
    assert code == 2
    assert "needs a UTC offset" in err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[]", []),
        ('[{"id": "a"}, {"id": "b"}]', [(1, {"id": "a"}, None), (1, {"id": "b"}, None)]),
        (
            '[\n  {"id": "a"},\n  3\n]',
            [(2, {"id": "a"}, None), (3, None, "expected a JSON object, found int")],
        ),
        ('{"id": "a"}', [(1, None, "expected a JSON array of lead objects, found '{'")]),
        (
            '[{"id": "a"}',
            [(1, {"id": "a"}, None), (1, None, "the JSON array is not closed with ']'")],
        ),
        ("", [(1, None, "expected a JSON array of lead objects, found nothing")]),
        (
            "[1,]",
            [
                (1, None, "expected a JSON object, found int"),
                (1, None, "expected a record after ',', found ']'"),
            ],
        ),
        ("[{} {}]", [(1, {}, None), (1, None, "expected ',' or ']' after a record, found '{'")]),
        ("[] x", [(1, None, "unexpected text after the end of the JSON array")]),
        ('[{"id": }]', [(1, None, "not JSON: Expecting value")]),
    ],
)
def test_json_array_reader(tmp_path: Path, text: str, expected: list[tuple[object, ...]]) -> None:
    path = tmp_path / "x.json"
    path.write_text(text, encoding="utf-8")
    assert [tuple(r) for r in read_records(path)] == expected


def test_json_array_reader_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import leadflow._records as records

    monkeypatch.setattr(records, "CHUNK", 7)
    path = tmp_path / "x.json"
    items = [{"id": f"L-{i}", "employees": 10**i, "note": "ä" * i} for i in range(12)]
    path.write_text("[\n" + ",\n".join(json.dumps(i) for i in items) + "\n]\n", encoding="utf-8")
    assert [(r.line, r.data) for r in read_records(path)] == [
        (i + 2, d) for i, d in enumerate(items)
    ]


def test_progress_only_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from leadflow._cli import score

    rules, leads = write(tmp_path, "good.lf", GOOD), write_jsonl(tmp_path)
    monkeypatch.setattr(score, "PROGRESS_EVERY", 1)
    _, _, err = run(capsys, "score", rules, leads, "--now", NOW)
    assert "\r" not in err
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    _, out, err = run(capsys, "score", rules, leads, "--now", NOW)
    assert "\rscoring leads.jsonl: 3 leads" in err
    assert "\r" not in out


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=50)  # each example writes a file; the shapes are small
@given(
    items=st.lists(st.dictionaries(st.text(max_size=4), json_values, max_size=4), max_size=6),
    indent=st.sampled_from([None, 0, 2]),
    chunk=st.integers(1, 9),
)
def test_json_array_reader_reads_back_what_was_written(
    tmp_path_factory: pytest.TempPathFactory,
    items: list[dict[str, object]],
    indent: int | None,
    chunk: int,
) -> None:
    import leadflow._records as records

    path = tmp_path_factory.mktemp("arr") / "x.json"
    path.write_text(json.dumps(items, indent=indent), encoding="utf-8")
    old, records.CHUNK = records.CHUNK, chunk
    try:
        found = list(read_records(path))
    finally:
        records.CHUNK = old
    assert [r.data for r in found] == items
    assert all(r.error is None for r in found)
