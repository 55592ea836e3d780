"""Arrow and Parquet: the same rows as the records they hold (needs leadflow[arrow])."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

pa = pytest.importorskip(
    "pyarrow", reason="pyarrow is not installed: pip install 'leadflow[arrow]'"
)

from leadflow.batch import (  # noqa: E402
    BatchScorer,
    arrow,
    read_jsonl,
    score_file,
    synthetic_records,
)
from leadflow.batch.synthetic import synthetic_table  # noqa: E402
from tests.batch.test_batch import NOW, OFFICE, POLICY, ROOT, SCORER, expected_row  # noqa: E402


def test_activities_are_converted_column_by_column_like_pyarrow_would():
    records = list(synthetic_records(120, now=NOW, seed=11, iso=False))
    batch = arrow.records_to_batch(records, arrow.lead_schema())
    ours = arrow.arrow_records(batch)
    theirs = [{k: v for k, v in row.items() if v is not None} for row in batch.to_pylist()]
    assert ours == theirs
    assert ours == [{k: v for k, v in r.items() if v is not None} for r in records]


def test_sliced_batches_nulls_and_extra_struct_fields():
    instant = pa.timestamp("us", tz="UTC")
    kind = pa.list_(pa.struct([("kind", pa.string()), ("at", instant), ("campaign", pa.string())]))
    at = datetime(2026, 11, 19, 9, tzinfo=UTC)
    table = pa.table(
        {
            "id": ["L-1", "L-2", "L-3", "L-4"],
            "company": ["A", "B", None, "D"],
            "email": ["a@a.de", "b@b.de", "c@c.de", "d@d.de"],
            "activities": pa.array(
                [
                    [{"kind": "demo_request", "at": at, "campaign": None}],
                    None,
                    [{"kind": "email_open", "at": at, "campaign": "Q4"}],
                    [{"kind": "pricing_page_view", "at": at, "campaign": "Q4"}, None],
                ],
                type=kind,
            ),
        }
    )
    batch = table.to_batches()[0].slice(1, 3)
    assert arrow.arrow_records(batch) == [
        {k: v for k, v in row.items() if v is not None} for row in batch.to_pylist()
    ]


def test_naive_timestamps_are_refused_as_validate_lead_refuses_them():
    naive = pa.list_(pa.struct([("kind", pa.string()), ("at", pa.timestamp("us"))]))
    batch = pa.RecordBatch.from_pydict(
        {
            "id": ["L-1"],
            "company": ["A"],
            "email": ["a@a.de"],
            "activities": pa.array(
                [[{"kind": "demo_request", "at": datetime(2026, 11, 19, 9)}]], type=naive
            ),
        }
    )
    reporting = BatchScorer(SCORER.rules, now=NOW, errors="report")
    (out,) = arrow.score_arrow([batch], reporting)
    assert out.column("error")[0].as_py() == (
        "lead 'L-1' is invalid (1 problem):\n"
        "  - activities.0.at: must be timezone-aware, e.g. '2026-11-20T15:00:00+01:00'; "
        "got a naive time"
    )


def test_parquet_in_and_out_with_two_processes(tmp_path: Path):
    records = list(synthetic_records(500, now=NOW, seed=12, iso=False))
    schema = arrow.lead_schema()
    arrow.write_parquet(
        (arrow.records_to_batch(records[i : i + 100], schema) for i in range(0, 500, 100)),
        tmp_path / "in.parquet",
    )
    assert (
        sum(b.num_rows for b in arrow.read_parquet(tmp_path / "in.parquet", batch_size=64)) == 500
    )
    assert max(b.num_rows for b in arrow.read_parquet(tmp_path / "in.parquet", batch_size=64)) == 64
    want = arrow.records_to_batch([expected_row(r) for r in records], arrow.result_schema(SCORER))
    for jobs, out in ((1, "out1.parquet"), (2, "out2.arrow")):
        summary = score_file(
            tmp_path / "in.parquet",
            tmp_path / out,
            ROOT / "examples" / "scoring.lf",
            now=NOW,
            jobs=jobs,
            batch_size=128,
            policy=POLICY,
            calendars=OFFICE,
        )
        assert summary.rows == 500
        reader = arrow.read_parquet if out.endswith("parquet") else arrow.read_arrow
        got = pa.Table.from_batches(list(reader(tmp_path / out, batch_size=1000)))
        assert got.equals(pa.Table.from_batches([want]))
    score_file(
        tmp_path / "in.parquet",
        tmp_path / "out.jsonl",
        ROOT / "examples" / "scoring.lf",
        now=NOW,
        policy=POLICY,
        calendars=OFFICE,
    )
    rows = list(read_jsonl(tmp_path / "out.jsonl"))
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert [r["fit"] for r in rows] == [expected_row(r)["fit"] for r in records]


def test_reading_parquet_holds_one_row_group_not_the_file(tmp_path: Path):
    # With pyarrow's default pre-buffering the reader kept the column chunks of every row group
    # it had read in Arrow's memory pool until the file was closed: at 10,000,000 leads the
    # parent of `score_file` grew past 1.4 GB. Now the pool holds about one row group.
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "leads.parquet"
    with pq.ParquetWriter(str(path), arrow.lead_schema()) as writer:
        for start in range(0, 60_000, 3_000):
            table = synthetic_table(3_000, now=NOW, seed=3, start=start)
            writer.write_table(table, row_group_size=3_000)
    size = path.stat().st_size
    before = pa.total_allocated_bytes()
    peak = 0
    for batch in arrow.read_parquet(path, batch_size=500):
        assert batch.num_rows <= 500
        peak = max(peak, pa.total_allocated_bytes() - before)
    assert peak < size / 3, f"Arrow's pool held {peak:,} bytes reading a {size:,}-byte file"
