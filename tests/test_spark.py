"""leadflow.spark on a local Spark session gives the single-machine rows, row for row."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip(
        "Spark needs Java (17+): no `java` on PATH and no JAVA_HOME", allow_module_level=True
    )
pytest.importorskip("pyspark", reason="pyspark is not installed: pip install 'leadflow[spark]'")
pa = pytest.importorskip(
    "pyarrow", reason="pyarrow is not installed: pip install 'leadflow[spark]'"
)
pytest.importorskip("numpy", reason="the synthetic leads need numpy")

from leadflow.batch import BatchScorer  # noqa: E402
from leadflow.batch.arrow import score_arrow, write_parquet  # noqa: E402
from leadflow.batch.synthetic import synthetic_table  # noqa: E402
from leadflow.rules import parse  # noqa: E402
from leadflow.sla import BusinessCalendar, SlaPolicy  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
LEADS = 100_000


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("leadflow-test")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "5000")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning")
def test_spark_rows_equal_single_machine_rows(spark, tmp_path, monkeypatch):
    text = (ROOT / "examples" / "scoring.lf").read_text(encoding="utf-8")
    office = BusinessCalendar(
        hours="mon-fri 08:00-18:00", timezone="Europe/Berlin", holidays="DE-BE"
    )
    policy = SlaPolicy()
    table = synthetic_table(LEADS, now=NOW, seed=7)
    # a few invalid leads: their errors travel in the rows, on both sides
    bad = pa.array(["not-an-address" if i % 9973 == 0 else None for i in range(LEADS)])
    table = table.set_column(
        table.schema.get_field_index("email"),
        "email",
        pa.compute.coalesce(bad, table.column("email")),
    )
    write_parquet(table.to_batches(max_chunksize=25_000), tmp_path / "leads.parquet")

    scorer = BatchScorer(
        parse(text, source="scoring.lf"), now=NOW, policy=policy, calendars=office, errors="report"
    )
    local = pa.Table.from_batches(list(score_arrow(table.to_batches(10_000), scorer)))

    # the example of docs/scale.md, as it is written there
    page = (ROOT / "docs" / "scale.md").read_text(encoding="utf-8")
    block = page.split("<!-- spark-example")[1].split("```python\n")[1].split("```")[0]
    monkeypatch.chdir(ROOT)
    names = {
        "spark": spark,
        "leads_path": str(tmp_path / "leads.parquet"),
        "scored_path": str(tmp_path / "scored"),
        "now": NOW,
    }
    exec(compile(block, "docs/scale.md", "exec"), names)  # noqa: S102 - the documented example
    import pyarrow.parquet as pq

    remote = pq.read_table(str(tmp_path / "scored"))
    due = remote.column("sla_due_at")
    if due.type.tz is None:  # Spark writes INT96 timestamps: UTC instants (session zone UTC)
        due = pa.compute.assume_timezone(due, "UTC")
    remote = remote.set_column(
        remote.schema.get_field_index("sla_due_at"),
        "sla_due_at",
        due.cast(pa.timestamp("us", tz="UTC")),
    )
    assert remote.num_rows == LEADS
    assert remote.column_names == local.column_names
    ours = sorted(local.to_pylist(), key=lambda r: r["id"] or "")
    theirs = sorted(remote.to_pylist(), key=lambda r: r["id"] or "")
    assert theirs == ours  # datetimes compare as instants
    assert sum(r["error"] is not None for r in ours) == len(range(0, LEADS, 9973))
    assert {r["sla_state"] for r in ours} >= {"none", "running", "breached", "met"}
