"""Score a file with several processes: the parent reads and writes, workers score.

Each worker compiles the rule text once (in its initializer) and scores whole batches; the
parent keeps at most ``2 x jobs`` batches in flight and writes the results in input order. With
``jobs=1`` everything runs in the calling process. The formats follow the file names:
``.jsonl``/``.ndjson``, ``.csv``, ``.parquet``, ``.arrow``/``.feather``/``.ipc``.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, TypeVar

from leadflow.batch.scoring import BatchScorer, Calendars, batched
from leadflow.errors import ConfigurationError
from leadflow.rules import parse
from leadflow.sla import SlaPolicy

__all__ = ("FORMATS", "ScoreSummary", "format_of", "parallel_map", "score_file")

FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
    ".ipc": "arrow",
}

T = TypeVar("T")
R = TypeVar("R")


def format_of(path: str | Path) -> str:
    """The format of ``path`` from its suffix.

    Raises:
        ConfigurationError: an unknown suffix.
    """
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise ConfigurationError(
            f"cannot tell the format of {str(path)!r} from its suffix {suffix!r}",
            field="path",
            value=str(path),
            expected=f"one of {', '.join(sorted(FORMATS))}",
        ) from None


@dataclass(frozen=True)
class ScoreSummary:
    """What :func:`score_file` did: rows in, rows out, rows with an error (``errors="report"``)."""

    rows: int
    errors: int
    jobs: int


_SCORER: BatchScorer | None = None
_SCORE_BATCH: Callable[[Any], Any] | None = None


def _start_worker(text: str, source: str, scorer_args: dict[str, Any]) -> None:
    global _SCORER, _SCORE_BATCH  # one compiled rule set per worker process
    _SCORER = BatchScorer(parse(text, source=source), **scorer_args)
    _SCORE_BATCH = None


def _score_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    assert _SCORER is not None  # noqa: S101 - set by the initializer
    return [_SCORER.score(r) for r in records]


def _score_batch(batch: Any) -> Any:
    global _SCORE_BATCH  # prepared on the first batch, kept for the others
    from leadflow.batch.arrow import batch_scorer

    assert _SCORER is not None  # noqa: S101 - set by the initializer
    if _SCORE_BATCH is None:
        _SCORE_BATCH = batch_scorer(_SCORER)
    return _SCORE_BATCH(batch)


def parallel_map(
    function: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[R]:
    """``map(function, items)`` over ``jobs`` processes, in order, ``2 x jobs`` items in flight.

    ``items`` is read lazily; ``function`` and the items must pickle. With ``jobs=1`` the
    initializer and the function run in this process.
    """
    if jobs < 1:
        raise ConfigurationError(
            f"jobs must be at least 1, got {jobs}",
            field="jobs",
            value=jobs,
            expected="a positive number of processes",
        )
    if jobs == 1:
        if initializer is not None:
            initializer(*initargs)
        yield from map(function, items)
        return
    with ProcessPoolExecutor(jobs, initializer=initializer, initargs=initargs) as pool:
        pending: deque[Future[R]] = deque()
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def score_file(
    source: str | Path,
    target: str | Path,
    rules: str | Path,
    *,
    now: datetime,
    jobs: int = 1,
    batch_size: int = 10_000,
    policy: SlaPolicy | None = None,
    calendars: Calendars | None = None,
    errors: Literal["raise", "report"] = "raise",
) -> ScoreSummary:
    """Score every lead of ``source`` with the rule file ``rules`` into ``target``.

    The formats follow the suffixes (see the module); Parquet and Arrow need
    ``leadflow[arrow]``. ``jobs`` processes score (``0``: one per CPU). ``policy`` and
    ``calendars`` add the response SLA of leads with a ``handed_off_at``.

    Raises:
        ConfigurationError: an unknown format, or Parquet/Arrow without pyarrow.
        RuleSyntaxError: the rule file does not parse.
        LeadValidationError: an invalid record (with ``errors="raise"``).
    """
    rules_path = Path(rules)
    text = rules_path.read_text(encoding="utf-8")
    jobs = jobs or os.cpu_count() or 1
    kind_in, kind_out = format_of(source), format_of(target)
    scorer_args: dict[str, Any] = {
        "now": now,
        "policy": policy,
        "calendars": calendars,
        "errors": errors,
    }
    scorer = BatchScorer(parse(text, source=str(rules_path)), **scorer_args)  # checks early
    init = (text, str(rules_path), scorer_args)
    columnar_in = kind_in in ("parquet", "arrow")
    columnar_out = kind_out in ("parquet", "arrow")
    counted = {"rows": 0, "errors": 0}

    def count_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        counted["rows"] += len(rows)
        counted["errors"] += sum(row["error"] is not None for row in rows)
        return rows

    if columnar_in:
        from leadflow.batch import arrow

        reader = arrow.read_parquet if kind_in == "parquet" else arrow.read_arrow
        results = parallel_map(
            _score_batch,
            reader(source, batch_size=batch_size),
            jobs=jobs,
            initializer=_start_worker,
            initargs=init,
        )
        if columnar_out:
            batches = (_count_batch(b, counted) for b in results)
        else:
            rows = (count_rows(b.to_pylist()) for b in results)
    else:
        from leadflow.batch.formats import read_csv, read_jsonl

        records = read_jsonl(source) if kind_in == "jsonl" else read_csv(source)
        row_batches = parallel_map(
            _score_rows,
            batched(records, batch_size),
            jobs=jobs,
            initializer=_start_worker,
            initargs=init,
        )
        if columnar_out:
            from leadflow.batch import arrow

            schema = arrow.result_schema(scorer)
            batches = (arrow.records_to_batch(count_rows(b), schema) for b in row_batches)  # type: ignore[arg-type]
        else:
            rows = (count_rows(b) for b in row_batches)

    if columnar_out:
        from leadflow.batch import arrow

        write = arrow.write_parquet if kind_out == "parquet" else arrow.write_arrow
        write(batches, target, schema=arrow.result_schema(scorer))
    else:
        from leadflow.batch.formats import write_csv, write_jsonl

        if kind_out == "jsonl":
            write_jsonl(rows, target)
        else:
            write_csv(rows, target, scorer.columns)
    return ScoreSummary(rows=counted["rows"], errors=counted["errors"], jobs=jobs)


def _count_batch(batch: Any, counted: dict[str, int]) -> Any:
    counted["rows"] += batch.num_rows
    counted["errors"] += batch.num_rows - batch.column("error").null_count
    return batch
