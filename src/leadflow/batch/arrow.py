"""Arrow record batches and Parquet files in and out (extra ``leadflow[arrow]``: pyarrow).

Input columns are the lead's fields (``id``, ``company``, ``email``, ``title``, ``employees``,
...), the SLA fields (``handed_off_at``, ``responded_at``: timestamps with a zone; ``segment``)
and ``activities`` as ``list<struct<kind: string, at: timestamp[us, tz=UTC]>>`` (the struct may
also carry ``campaign``, ``channel``, ``detail``). A null cell is an absent field.

:func:`score_arrow` goes through the columnar fast path (:mod:`leadflow.batch.columnar`: no
``Lead`` per row, the same rows and errors as :meth:`BatchScorer.score`). The one-record way,
:func:`arrow_records`, turns the activities into Python column by column (the kinds and the
instants of a whole batch at once), not value by value. Memory is bounded by the batch size:
readers yield batches of at most ``batch_size`` rows, writers write each batch as it comes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from leadflow.batch.scoring import BatchScorer, Row
from leadflow.errors import ConfigurationError

if TYPE_CHECKING:  # pragma: no cover
    import pyarrow as pa

__all__ = (
    "LEAD_SCHEMA_FIELDS",
    "arrow_records",
    "lead_schema",
    "read_arrow",
    "read_parquet",
    "records_to_batch",
    "result_schema",
    "score_arrow",
    "write_arrow",
    "write_parquet",
)

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE: Final = datetime(1970, 1, 1)  # noqa: DTZ001 - a naive column stays naive (and is refused)
_PER_UNIT: Final = {"s": 1_000_000, "ms": 1_000, "us": 1, "ns": 0}


def _pa() -> Any:
    try:
        import pyarrow
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigurationError(
            "Arrow and Parquet need pyarrow: pip install 'leadflow[arrow]'",
            field="pyarrow",
            value=None,
            expected="pyarrow installed",
        ) from None
    return pyarrow


def _parquet() -> Any:
    _pa()
    import pyarrow.parquet

    return pyarrow.parquet


LEAD_SCHEMA_FIELDS: Final = (
    ("id", "string"),
    ("company", "string"),
    ("email", "string"),
    ("title", "string"),
    ("industry", "string"),
    ("employees", "int64"),
    ("country", "string"),
    ("activities", "activities"),
    ("handed_off_at", "timestamp"),
    ("responded_at", "timestamp"),
)
"""The columns of :func:`lead_schema`: the fields the bundled rules read, plus the SLA times."""


def lead_schema() -> pa.Schema:
    """The Arrow schema of synthetic and typical lead files (more lead columns may be added)."""
    pa = _pa()
    instant = pa.timestamp("us", tz="UTC")
    types = {
        "string": pa.string(),
        "int64": pa.int64(),
        "timestamp": instant,
        "activities": pa.list_(pa.struct([("kind", pa.string()), ("at", instant)])),
    }
    return pa.schema([(name, types[kind]) for name, kind in LEAD_SCHEMA_FIELDS])


def result_schema(scorer: BatchScorer) -> pa.Schema:
    """The Arrow schema of the result rows of ``scorer``."""
    pa = _pa()
    types = {
        "temperature": pa.string(),
        "mql": pa.bool_(),
        "sla_due_at": pa.timestamp("us", tz="UTC"),
        "sla_at_risk": pa.bool_(),
    }
    scores = set(scorer.score_names)
    return pa.schema(
        [(c, pa.float64() if c in scores else types.get(c, pa.string())) for c in scorer.columns]
    )


def _instants(array: Any) -> list[datetime | None]:
    """A timestamp array as Python datetimes (UTC), the whole column at once."""
    pa = _pa()
    kind = array.type
    if not pa.types.is_timestamp(kind):
        return list(array.to_pylist())
    ints = array.cast(pa.int64()).to_pylist()
    per = _PER_UNIT[kind.unit]
    base = _EPOCH if kind.tz is not None else _EPOCH_NAIVE
    if per == 0:
        return [None if v is None else base + timedelta(microseconds=v // 1000) for v in ints]
    return [None if v is None else base + timedelta(microseconds=v * per) for v in ints]


def _activities(column: Any) -> list[Any]:
    pa = _pa()
    if not (pa.types.is_list(column.type) or pa.types.is_large_list(column.type)):
        return list(column.to_pylist())
    if not pa.types.is_struct(column.type.value_type):
        return list(column.to_pylist())
    offsets = column.offsets.to_pylist()
    values = column.values
    names = [values.type.field(i).name for i in range(values.type.num_fields)]
    fields = {
        name: _instants(values.field(name)) if name == "at" else values.field(name).to_pylist()
        for name in names
    }
    valid = values.is_valid().to_pylist() if values.null_count else None
    items: list[dict[str, Any] | None] = []
    kinds, ats = fields.get("kind"), fields.get("at")
    extra = {k: v for k, v in fields.items() if k not in ("kind", "at")}
    for j in range(len(values)):
        if valid is not None and not valid[j]:
            items.append(None)
            continue
        item: dict[str, Any] = {}
        if kinds is not None and kinds[j] is not None:
            item["kind"] = kinds[j]
        if ats is not None and ats[j] is not None:
            item["at"] = ats[j]
        for k, v in extra.items():
            if v[j] is not None:
                item[k] = v[j]
        items.append(item)
    nulls = column.is_null().to_pylist() if column.null_count else None
    return [
        None if nulls is not None and nulls[i] else items[offsets[i] : offsets[i + 1]]
        for i in range(len(column))
    ]


def arrow_records(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    """The rows of ``batch`` as records (dicts without the null cells), column by column."""
    columns = []
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if name == "activities":
            columns.append((name, _activities(column)))
        elif _pa().types.is_timestamp(column.type):
            columns.append((name, _instants(column)))
        else:
            columns.append((name, column.to_pylist()))
    rows = []
    for i in range(batch.num_rows):
        rows.append({name: values[i] for name, values in columns if values[i] is not None})
    return rows


def records_to_batch(rows: list[Mapping[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    """Rows (dicts) as one record batch of ``schema``, built column by column."""
    pa = _pa()
    return pa.RecordBatch.from_arrays(
        [pa.array([row.get(f.name) for row in rows], type=f.type) for f in schema],
        schema=schema,
    )


def score_arrow(
    batches: Iterable[pa.RecordBatch],
    scorer: BatchScorer,
    *,
    columnar: bool = True,
    vectorized: bool = True,
) -> Iterator[pa.RecordBatch]:
    """Score each input batch into one result batch (:func:`result_schema`), in order.

    With ``columnar`` (the default) a batch goes through the columnar fast path
    (:mod:`leadflow.batch.columnar`: no ``Lead`` per row; the rows it cannot vouch for go the
    one-record way); with ``vectorized`` too (the default) it is first evaluated per column
    (:mod:`leadflow.batch.vectorized`: no Python object per row), where the rules and the
    batch allow it. ``columnar=False`` scores every row with :meth:`BatchScorer.score`. The
    rows, and the errors, are the same every way.
    """
    score = batch_scorer(scorer, columnar=columnar, vectorized=vectorized)
    for batch in batches:
        yield score(batch)


def batch_scorer(
    scorer: BatchScorer, *, columnar: bool = True, vectorized: bool = True
) -> Callable[[pa.RecordBatch], pa.RecordBatch]:
    """The function :func:`score_arrow` applies to each batch (the same arguments), prepared
    once: a worker process keeps one for all the batches it scores."""
    schema = result_schema(scorer)
    plan = vector = None
    if columnar:
        plan = scorer.rules._columnar(scorer.now)
        vector = plan.vector() if vectorized else None

    def score(batch: pa.RecordBatch) -> pa.RecordBatch:
        from leadflow.batch.columnar import columnar_rows
        from leadflow.batch.vectorized import vector_batch

        if vector is not None:
            done = vector_batch(batch, scorer, plan, vector, schema)
            if done is not None:
                return done
        rows: list[Row] | None = None
        if plan is not None:
            rows = columnar_rows(batch, scorer, plan)
        if rows is None:
            rows = [scorer.score(record) for record in arrow_records(batch)]
        return records_to_batch(rows, schema)  # type: ignore[arg-type]

    return score


def read_parquet(path: str | Path, *, batch_size: int = 10_000) -> Iterator[pa.RecordBatch]:
    """Yield the rows of a Parquet file in batches of at most ``batch_size``.

    Memory stays that of one row group and one batch however long the file: the reader does
    not pre-buffer (with pyarrow's default it kept every column chunk it had read, about 60 MB
    per 500,000 leads of ``bench_scale``'s data, until the file was closed).
    """
    pq = _parquet()
    with pq.ParquetFile(str(path), pre_buffer=False) as handle:
        yield from handle.iter_batches(batch_size=batch_size)


def read_arrow(path: str | Path, *, batch_size: int = 10_000) -> Iterator[pa.RecordBatch]:
    """Yield the rows of an Arrow IPC file (or stream) in batches of at most ``batch_size``."""
    pa = _pa()
    with pa.memory_map(str(path)) as source:
        try:
            reader = pa.ipc.open_file(source)
            batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
        except pa.ArrowInvalid:
            source.seek(0)
            batches = iter(pa.ipc.open_stream(source))
        for batch in batches:
            for start in range(0, batch.num_rows, batch_size):
                yield batch.slice(start, batch_size)


def write_parquet(
    batches: Iterable[pa.RecordBatch], path: str | Path, *, schema: pa.Schema | None = None
) -> int:
    """Write batches to a Parquet file, one row group per batch; return the number of rows."""
    pq = _parquet()
    written = 0
    writer = None
    try:
        for batch in batches:
            if writer is None:
                writer = pq.ParquetWriter(str(path), schema or batch.schema)
            writer.write_batch(batch, row_group_size=max(batch.num_rows, 1))
            written += batch.num_rows
        if writer is None and schema is not None:
            writer = pq.ParquetWriter(str(path), schema)
    finally:
        if writer is not None:
            writer.close()
    return written


def write_arrow(
    batches: Iterable[pa.RecordBatch], path: str | Path, *, schema: pa.Schema | None = None
) -> int:
    """Write batches to an Arrow IPC file; return the number of rows."""
    pa = _pa()
    written = 0
    writer = None
    try:
        for batch in batches:
            if writer is None:
                writer = pa.ipc.new_file(str(path), schema or batch.schema)
            writer.write_batch(batch)
            written += batch.num_rows
        if writer is None and schema is not None:
            writer = pa.ipc.new_file(str(path), schema)
    finally:
        if writer is not None:
            writer.close()
    return written
