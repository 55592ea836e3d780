"""Reading lead records from JSON, JSONL or CSV files, one at a time, with their line numbers.

Integration code for the CLI: a file of any size is read in chunks, so memory stays constant
however many leads it holds. Each record comes with the line it starts on, so that an invalid
record is reported where a person can find it.

- ``.jsonl`` / ``.ndjson``: one JSON object per line (blank lines are skipped).
- ``.json``: a JSON array of objects, read incrementally (never parsed as a whole).
- ``.csv``: a header row; columns are lead fields. ``employees`` is a number; ``interests`` and
  ``tech_stack`` are lists separated by ``;``; ``activities`` holds a JSON array; a column
  ``custom.NAME`` (or ``custom_NAME``) goes to ``custom``; empty cells are left out.

Activities may also come from a second file (``activities_by_lead``): JSONL or CSV records with
``lead_id``, ``kind``, ``at`` (and optional ``campaign``, ``channel``, ``detail``). That file is
indexed in memory (its size, not the leads', bounds the memory).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, NamedTuple, TextIO

__all__ = ("Record", "activities_by_lead", "read_records")

CHUNK: Final = 1 << 16
MAX_RECORD: Final = 1 << 24
"""A JSON array element larger than this (16 MiB) is reported, not buffered further."""
_LISTS: Final = ("interests", "tech_stack")


class Record(NamedTuple):
    """One record: the line it starts on, its data, or why it could not be read."""

    line: int
    data: dict[str, Any] | None
    error: str | None = None


def read_records(path: str | Path) -> Iterator[Record]:
    """The records of a JSON, JSONL or CSV file, in file order (by the file's suffix).

    Raises:
        OSError: the file cannot be opened.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    handle = path.open(encoding="utf-8-sig", newline="" if suffix == ".csv" else None)
    with handle:
        if suffix == ".csv":
            yield from _csv(handle)
        elif suffix == ".json":
            yield from _json_array(handle)
        else:
            yield from _jsonl(handle)


def _object(text: str, line: int) -> Record:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        return Record(line, None, f"not JSON: {error.msg} (column {error.colno})")
    except RecursionError:
        return Record(line, None, "not JSON: nested too deeply")
    if not isinstance(data, dict):
        return Record(line, None, f"expected a JSON object, found {type(data).__name__}")
    return Record(line, data)


def _jsonl(handle: TextIO) -> Iterator[Record]:
    for number, text in enumerate(handle, start=1):
        if text.strip():
            yield _object(text, number)


def _json_array(handle: TextIO) -> Iterator[Record]:
    """The objects of a top-level JSON array, decoded one by one from a sliding buffer.

    The buffer holds at most a chunk plus the record being read; ``pos`` moves through it and
    the consumed part is dropped when the next chunk comes in.
    """
    decoder = json.JSONDecoder()
    buffer, pos, line = "", 0, 1  # `line` is the line of buffer[pos]

    def fill() -> bool:
        nonlocal buffer, pos
        chunk = handle.read(CHUNK)
        if not chunk:
            return False
        buffer, pos = buffer[pos:] + chunk, 0
        return True

    def next_char() -> str:
        """The next character that is not white space ("" at the end), not consumed."""
        nonlocal pos, line
        while True:
            while pos < len(buffer) and buffer[pos] in " \t\r\n":
                line += buffer[pos] == "\n"
                pos += 1
            if pos < len(buffer):
                return buffer[pos]
            if not fill():
                return ""

    first = next_char()
    if first != "[":
        found = "nothing" if not first else repr(first)
        yield Record(line, None, f"expected a JSON array of lead objects, found {found}")
        return
    pos += 1
    if next_char() == "]":
        pos += 1
    else:
        while True:
            if not next_char():
                yield Record(line, None, "the JSON array is not closed with ']'")
                return
            while True:
                try:
                    value, end = decoder.raw_decode(buffer, pos)
                except json.JSONDecodeError as error:
                    if len(buffer) - pos < MAX_RECORD and fill():
                        continue  # the value goes on in the next chunk
                    where = line + buffer.count("\n", pos, error.pos)
                    yield Record(where, None, f"not JSON: {error.msg}")
                    return
                except RecursionError:
                    yield Record(line, None, "not JSON: nested too deeply")
                    return
                if end == len(buffer) and fill():
                    continue  # a number or literal may go on in the next chunk
                break
            if isinstance(value, dict):
                yield Record(line, value)
            else:
                yield Record(line, None, f"expected a JSON object, found {type(value).__name__}")
            line += buffer.count("\n", pos, end)
            pos = end
            separator = next_char()
            if separator == "]":
                pos += 1
                break
            if not separator:
                yield Record(line, None, "the JSON array is not closed with ']'")
                return
            if separator != ",":
                yield Record(line, None, f"expected ',' or ']' after a record, found {separator!r}")
                return
            pos += 1
            if next_char() == "]":
                yield Record(line, None, "expected a record after ',', found ']'")
                return
    if next_char():
        yield Record(line, None, "unexpected text after the end of the JSON array")


def _csv_value(name: str, text: str) -> Any:
    if name == "employees":
        try:
            return int(text)
        except ValueError:
            return text  # validation reports it with the field's name
    if name in _LISTS:
        return [part.strip() for part in text.split(";") if part.strip()]
    if name == "activities":
        return json.loads(text)
    return text


def _number_or_text(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _csv(handle: TextIO) -> Iterator[Record]:
    reader = csv.DictReader(handle)
    start = 2
    for row in reader:
        data: dict[str, Any] = {}
        custom: dict[str, Any] = {}
        error = None
        for name, text in row.items():
            if name is None:
                error = "more cells than columns in the header"
                continue
            if text is None or not text.strip():
                continue
            if name.startswith(("custom.", "custom_")):
                custom[name[7:]] = _number_or_text(text.strip())
                continue
            try:
                data[name] = _csv_value(name, text.strip())
            except json.JSONDecodeError as problem:
                error = f"column {name}: not JSON: {problem.msg}"
        if custom:
            data["custom"] = custom
        yield Record(start, None, error) if error else Record(start, data)
        start = reader.line_num + 1


def activities_by_lead(path: str | Path) -> tuple[dict[str, list[dict[str, Any]]], list[Record]]:
    """The activities of a second file grouped by ``lead_id``, and the records that were invalid."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    invalid: list[Record] = []
    for record in read_records(path):
        if record.data is None:
            invalid.append(record)
            continue
        data = dict(record.data)
        lead_id = data.pop("lead_id", None)
        if not isinstance(lead_id, str) or not lead_id:
            invalid.append(Record(record.line, None, "an activity needs a 'lead_id'"))
            continue
        grouped.setdefault(lead_id, []).append(data)
    return grouped, invalid
