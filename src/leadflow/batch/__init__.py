"""Many leads at once: score and SLA-check streams of records or Arrow batches, files in and out.

An integration module (it does I/O; the pillars do not). Memory is bounded by the batch size:
records are read lazily, scored one batch at a time, and written as they come.

- :class:`BatchScorer`: one record -> one flat result row (scores, temperature, MQL,
  knock-outs, SLA state); :meth:`BatchScorer.score_records` yields them in batches.
- :func:`read_jsonl`, :func:`read_csv`, :func:`write_jsonl`, :func:`write_csv`: standard library.
- :mod:`leadflow.batch.arrow`: Parquet and Arrow (``pip install 'leadflow[arrow]'``), scored
  through the columnar fast path (:mod:`leadflow.batch.columnar`).
- :func:`score_file`: a whole file with ``jobs`` processes (what ``leadflow score --jobs N``
  calls).
- :func:`synthetic_records`: seeded synthetic leads with realistic variety.

See ``docs/scale.md``.
"""

from __future__ import annotations

from leadflow.batch.formats import read_csv, read_jsonl, write_csv, write_jsonl
from leadflow.batch.parallel import ScoreSummary, parallel_map, score_file
from leadflow.batch.scoring import SLA_FIELDS, BatchScorer, batched
from leadflow.batch.synthetic import synthetic_records

__all__ = (
    "SLA_FIELDS",
    "BatchScorer",
    "ScoreSummary",
    "batched",
    "parallel_map",
    "read_csv",
    "read_jsonl",
    "score_file",
    "synthetic_records",
    "write_csv",
    "write_jsonl",
)
