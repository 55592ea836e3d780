"""JSON Lines and CSV in and out, with the standard library only, one record at a time.

Readers yield plain dicts (records) lazily; writers take an iterable of row batches (as
:meth:`BatchScorer.score_records` yields them) and write them as they come, so a file of any
size streams through with one batch in memory.

CSV cells are text: an empty cell is an absent field; the list and mapping fields
(``activities``, ``interests``, ``tech_stack``, ``custom``) hold JSON, e.g.
``[{"kind": "demo_request", "at": "2026-11-20T09:00:00+01:00"}]``; numbers are read by the
lead's validation (``"320"`` is a valid ``employees``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Final, TextIO

from leadflow.errors import LeadValidationError, Problem

__all__ = ("JSON_COLUMNS", "read_csv", "read_jsonl", "write_csv", "write_jsonl")

JSON_COLUMNS: Final = frozenset({"activities", "interests", "tech_stack", "custom"})
"""CSV columns whose cells hold JSON."""


def _invalid(where: str, message: str, value: Any) -> LeadValidationError:
    return LeadValidationError((Problem(where, message, value),))


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield one record per non-blank line of a JSON Lines file.

    Raises:
        LeadValidationError: a line is not a JSON object (the problem names the line).
    """
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise _invalid(f"line {number}", f"not JSON: {error.msg}", line[:80]) from None
            if not isinstance(record, dict):
                raise _invalid(f"line {number}", "expected a JSON object", line[:80])
            yield record


def read_csv(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield one record per row of a CSV file with a header row (see the module for cells).

    Raises:
        LeadValidationError: a JSON cell does not hold JSON (the problem names row and column).
    """
    with Path(path).open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), 2):
            record: dict[str, Any] = {}
            for key, cell in row.items():
                if key is None or cell is None or cell == "":
                    continue
                if key in JSON_COLUMNS:
                    try:
                        record[key] = json.loads(cell)
                    except json.JSONDecodeError as error:
                        raise _invalid(
                            f"row {number}, column {key}", f"not JSON: {error.msg}", cell[:80]
                        ) from None
                else:
                    record[key] = cell
            yield record


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def write_jsonl(batches: Iterable[Sequence[dict[str, Any]]], path: str | Path) -> int:
    """Write rows as JSON Lines (times as ISO-8601 text); return how many were written."""
    written = 0
    with Path(path).open("w", encoding="utf-8") as handle:
        for batch in batches:
            handle.writelines(
                json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False) + "\n"
                for row in batch
            )
            written += len(batch)
    return written


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=_plain)
    return str(value)


def write_csv(
    batches: Iterable[Sequence[dict[str, Any]]], path: str | Path, columns: Sequence[str]
) -> int:
    """Write rows as CSV with a header of ``columns``; return how many rows were written.

    ``None`` becomes an empty cell, booleans ``true``/``false``, times ISO-8601 text.
    """
    written = 0
    with Path(path).open("w", encoding="utf-8", newline="") as handle:
        written = _write_csv(batches, handle, columns)
    return written


def _write_csv(
    batches: Iterable[Sequence[dict[str, Any]]], handle: TextIO, columns: Sequence[str]
) -> int:
    writer = csv.writer(handle)
    writer.writerow(columns)
    written = 0
    for batch in batches:
        writer.writerows([_cell(row.get(c)) for c in columns] for row in batch)
        written += len(batch)
    return written
