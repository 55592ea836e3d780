"""The columnar fast path of :func:`leadflow.batch.arrow.score_arrow`: no ``Lead`` per row.

For one Arrow record batch at a time:

1. The lead fields are checked per column, with the cheap checks that decide whether
   :func:`leadflow.validate_lead` would accept a value *unchanged* (text already stripped and of
   the allowed length, a plain ASCII e-mail address of the usual shape, a two-letter country,
   a number of employees in range). The activities are checked and measured for the whole batch
   at once with numpy: each kind once per distinct value, the instants as integers.
2. A row that passes every check is evaluated by the one rules engine from its fields
   (``LeadFields`` of ``RuleSet._columnar(now)``: the e-mail's domain lower-cased and the country
   upper-cased, as ``Lead`` holds them), its activity counts per window and its activity ages
   (``RuleSet._columnar(now)``), worked out for the whole batch.
3. A row that fails any check goes the one-record way (:meth:`BatchScorer.score`: the pydantic
   ``Lead``), so its error, or its result, is exactly the one that path gives.

A batch this path does not know how to read (another column, another type, a timestamp outside
the range of ``datetime``) goes the one-record way as a whole. Rows come out in input order and
errors are raised (or reported) in that order, as :meth:`BatchScorer.score` does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from leadflow.batch.scoring import SLA_FIELDS, BatchScorer, Row
from leadflow.errors import LeadflowError
from leadflow.lead import _EMAIL as EMAIL  # the one pattern validate_lead checks addresses with

__all__ = ("columnar_rows",)

TEXT_FIELDS: Final = (
    "id",
    "company",
    "first_name",
    "last_name",
    "title",
    "phone",
    "industry",
    "region",
    "channel",
    "campaign",
)
"""Lead fields of type ``NonBlank`` (1-500 characters once stripped) this path reads."""
_REQUIRED: Final = frozenset({"id", "company", "email"})
_ITEM_TEXT: Final = frozenset({"campaign", "channel", "detail"})
_KIND: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")  # Activity.kind: the name pattern, 64 chars
_COUNTRY: Final = re.compile(r"[A-Za-z]{2}")
_EXACT: Final = 2**53
"""Instants (µs) whose float ``t / 1e6`` is correctly rounded, as ``datetime.timestamp()`` is."""
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MIN_US: Final = (datetime.min.replace(tzinfo=UTC) - _EPOCH) // _EPOCH.resolution
_MAX_US: Final = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // _EPOCH.resolution
_PER_UNIT: Final = {"s": 1_000_000, "ms": 1_000, "us": 1}
_NO_AGES: Final[dict[str, list[float]]] = {}
_new = object.__new__


def _modules() -> tuple[Any, Any, Any]:
    import numpy
    import pyarrow
    import pyarrow.compute

    return numpy, pyarrow, pyarrow.compute


def _text_bad(values: Sequence[Any], required: bool, limit: int, bad: set[int]) -> None:  # noqa: FBT001
    for i, v in enumerate(values):
        if v is None:
            if required:
                bad.add(i)
        elif not (0 < len(v) <= limit and v == v.strip()):
            bad.add(i)


def _emails(values: Sequence[Any], bad: set[int]) -> list[Any]:
    """The addresses as ``Lead`` holds them (domain lower-cased); bad rows are marked."""
    out: list[Any] = []
    match = EMAIL.match
    for i, v in enumerate(values):
        if (
            v is None
            or len(v) > 320
            or not (v.isascii() and v.isprintable())
            or v != v.strip()
            or not match(v)
        ):
            bad.add(i)
            out.append(None)
        else:
            local, _, domain = v.rpartition("@")
            out.append(f"{local}@{domain.lower()}")
    return out


def _countries(values: Sequence[Any], bad: set[int]) -> list[Any]:
    known: dict[str, str | None] = {}
    for v in set(values):
        if v is not None:
            known[v] = v.upper() if v == v.strip() and _COUNTRY.fullmatch(v) else None
    out: list[Any] = []
    for i, v in enumerate(values):
        if v is None:
            out.append(None)
            continue
        upper = known[v]
        if upper is None:
            bad.add(i)
        out.append(upper)
    return out


def _employees(values: Sequence[Any], bad: set[int]) -> None:
    for i, v in enumerate(values):
        if v is not None and not 1 <= v <= 10_000_000:
            bad.add(i)


def _micros_range(array: Any) -> tuple[int, int] | None:
    """The least and greatest instant of a timestamp array in µs (``None``: all null)."""
    _, pa, pc = _modules()
    if array.null_count == len(array):
        return None
    bounds = pc.min_max(array.cast(pa.int64()))
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    unit = array.type.unit
    if unit == "ns":
        return low // 1000, high // 1000
    return low * _PER_UNIT[unit], high * _PER_UNIT[unit]


def _datetimes_ok(array: Any) -> bool:
    """Whether every instant of ``array`` is a ``datetime`` (as the one-record way converts it)."""
    found = _micros_range(array)
    return found is None or (found[0] >= _MIN_US and found[1] <= _MAX_US)


class _Activities:
    """The activities of a batch as flat numpy arrays, with the rows they make invalid."""

    def __init__(self, column: Any, rows: int) -> None:
        np, pa, _ = _modules()
        offsets = column.offsets.to_numpy()
        first, last = int(offsets[0]), int(offsets[-1])
        items = column.values.slice(first, last - first)
        parent = np.repeat(np.arange(rows), np.diff(offsets))
        keep = np.ones(len(items), dtype=bool)
        if column.null_count:  # a null list is no activities; its items (if any) do not count
            keep = ~column.is_null().to_numpy(zero_copy_only=False)[parent]
        bad = np.zeros(len(items), dtype=bool)
        if items.null_count:
            bad |= items.is_null().to_numpy(zero_copy_only=False)
        for name in _ITEM_TEXT:
            if items.type.get_field_index(name) >= 0:
                bad |= items.field(name).is_valid().to_numpy(zero_copy_only=False)
        kinds = items.field("kind").dictionary_encode()
        self.names: list[str] = kinds.dictionary.to_pylist()
        valid_name = np.array([bool(_KIND.fullmatch(k)) for k in self.names] + [False])
        codes = kinds.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        bad |= ~valid_name[codes]  # -1 (no kind) picks the last entry: False
        ats = items.field("at")
        unit = ats.type.unit
        micros = ats.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False)
        micros = micros // 1000 if unit == "ns" else micros * _PER_UNIT[unit]
        if ats.null_count:
            bad |= ats.is_null().to_numpy(zero_copy_only=False)
        bad |= (micros <= -_EXACT) | (micros >= _EXACT)
        self.bad_rows = np.bincount(parent[bad & keep], minlength=rows) > 0
        self.keep = keep & ~self.bad_rows[parent]
        self.parent, self.codes, self.micros, self.rows = parent, codes, micros, rows

    def counts(self, columnar: Any) -> list[list[int]] | None:
        """Per row, the activity counts of ``columnar.counts``, in their order."""
        found = self.count_matrix(columnar)
        if found is None:
            return None
        result: list[list[int]] = found.tolist()
        return result

    def count_matrix(self, columnar: Any) -> Any:
        """The activity counts of ``columnar.counts``: an integer array, a row per lead and a
        column per count (``None``: the rules count nothing)."""
        np, _, _ = _modules()
        if not columnar.counts:
            return None
        index = {name: code for code, name in enumerate(self.names)}
        upto = self.keep & (self.micros <= columnar.now_us)
        columns = []
        for kind, _, since, limit in columnar.counts:
            code = index.get(kind)
            if code is None:
                columns.append(np.zeros(self.rows, dtype=np.int64))
                continue
            chosen = upto & (self.codes == code)
            if since is not None:
                chosen &= self.micros >= since
            found = np.bincount(self.parent[chosen], minlength=self.rows)
            if not math.isinf(limit):
                found = np.minimum(found, math.ceil(limit))
            columns.append(found)
        return np.stack(columns, axis=1)

    def _aged_codes(self, columnar: Any) -> list[int]:
        """The codes of the kinds the rules age."""
        wanted = set(columnar.age_kinds)
        return [code for code, name in enumerate(self.names) if name in wanted]

    def _aged(self, columnar: Any, codes: list[int]) -> tuple[Any, Any, Any]:
        """Row, kind code and age in seconds of each kept activity of ``codes`` up to ``now``,
        in the batch's order (unsorted)."""
        np, _, _ = _modules()
        chosen = self.keep & np.isin(self.codes, codes)
        age = columnar.now_ts - self.micros.astype(np.float64) / 1e6
        chosen &= age >= 0
        at = np.flatnonzero(chosen)
        return self.parent[at], self.codes[at], age[at]

    def age_arrays(self, columnar: Any) -> dict[str, tuple[Any, Any]]:
        """Per ``@kind`` the rules age, the rows (ascending) and ages in seconds (youngest
        first within a row) of its activities up to ``now``, as numpy arrays."""
        np, _, _ = _modules()
        out: dict[str, tuple[Any, Any]] = {}
        codes = self._aged_codes(columnar)
        if not codes:
            return out
        parent, code, age = self._aged(columnar, codes)
        by_age = np.argsort(age)  # then stably by kind and row: equal ages are equal figures
        order = by_age[np.argsort((code * self.rows + parent)[by_age], kind="stable")]
        parent, code, age = parent[order], code[order], age[order]
        cuts = np.searchsorted(code, [*codes, len(self.names)])
        for i, kind in enumerate(codes):
            start, end = int(cuts[i]), int(cuts[i + 1])
            if end > start:
                out["@" + self.names[kind]] = (parent[start:end], age[start:end])
        return out

    def ages(self, columnar: Any) -> list[dict[str, list[float]]] | None:
        """Per row, the ages of the activities up to ``now`` of the kinds the rules age,
        youngest first, keyed ``@kind`` (as the engine's facts hold them)."""
        np, _, _ = _modules()
        if not columnar.age_kinds:
            return None
        codes = self._aged_codes(columnar)
        out: list[dict[str, list[float]]] = [_NO_AGES] * self.rows
        if not codes:
            return out
        parent, code, age = self._aged(columnar, codes)
        order = np.lexsort((age, code, parent))
        parent, code, age = parent[order], code[order], age[order]
        if not len(age):
            return out
        change = np.flatnonzero((np.diff(parent) != 0) | (np.diff(code) != 0)) + 1
        starts = [0, *change.tolist()]
        ends = [*change.tolist(), len(age)]
        rows, kinds, ages = parent.tolist(), code.tolist(), age.tolist()
        keys = ["@" + name for name in self.names]
        for start, end in zip(starts, ends, strict=True):
            row = rows[start]
            found = out[row]
            if found is _NO_AGES:
                found = out[row] = {}
            found[keys[kinds[start]]] = ages[start:end]
        return out


def _readable(batch: Any) -> bool:
    """Whether this path reads every column of ``batch`` (else it goes the one-record way)."""
    _, pa, _ = _modules()
    types = pa.types
    names = batch.schema.names
    if len(set(names)) != len(names):
        return False
    for field in batch.schema:
        kind = field.type
        if field.name in SLA_FIELDS:
            if types.is_timestamp(kind) and not _datetimes_ok(batch.column(field.name)):
                return False
        elif field.name in TEXT_FIELDS or field.name in ("email", "country"):
            if not (types.is_string(kind) or types.is_large_string(kind)):
                return False
        elif field.name == "employees":
            if not types.is_integer(kind):
                return False
        elif field.name == "activities":
            if not (types.is_list(kind) or types.is_large_list(kind)):
                return False
            item = kind.value_type
            if not types.is_struct(item):
                return False
            fields = {item.field(i).name: item.field(i).type for i in range(item.num_fields)}
            if not ({"kind", "at"} <= set(fields) <= {"kind", "at", *_ITEM_TEXT}):
                return False
            if not (types.is_string(fields["kind"]) or types.is_large_string(fields["kind"])):
                return False
            at = fields["at"]
            if not (types.is_timestamp(at) and at.tz is not None):
                return False
            if not _datetimes_ok(batch.column(field.name).values.field("at")):
                return False
        else:
            return False
    return True


def columnar_rows(batch: Any, scorer: BatchScorer, columnar: Any) -> list[Row] | None:
    """The result rows of ``batch`` (as :meth:`BatchScorer.score` gives them, row by row), or
    ``None`` when this path cannot read the batch (the caller goes the one-record way)."""
    if not _readable(batch):
        return None
    from leadflow.batch.arrow import _instants, arrow_records

    _, pa, _ = _modules()
    rows = batch.num_rows
    bad: set[int] = set()
    names: list[str] = []
    values: list[Sequence[Any]] = []
    present = set(batch.schema.names)
    for name in _REQUIRED - present:
        if name != "email":
            bad.update(range(rows))
    if "email" not in present:
        bad.update(range(rows))
    sla: dict[str, Sequence[Any]] = {}
    activities = None
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if name in SLA_FIELDS:
            if scorer.policy is not None:
                sla[name] = _instants(column) if name != "segment" else column.to_pylist()
            continue
        if name == "activities":
            activities = _Activities(column, rows)
            continue
        cells = column.to_pylist()
        if name in TEXT_FIELDS:
            _text_bad(cells, name in _REQUIRED, 500, bad)
        elif name == "email":
            cells = _emails(cells, bad)
        elif name == "country":
            cells = _countries(cells, bad)
        else:
            _employees(cells, bad)
        names.append(name)
        values.append(cells)
    counts: list[list[int]] | None = None
    ages: list[dict[str, list[float]]] | None = None
    if activities is not None:
        bad.update(activities.bad_rows.nonzero()[0].tolist())
        counts = activities.counts(columnar)
        ages = activities.ages(columnar)
    elif columnar.counts:
        counts = [[0] * len(columnar.counts)] * rows  # read, never written
    fallback: dict[int, dict[str, Any]] = {}
    if bad:
        ordered = sorted(bad)
        taken = batch.take(pa.array(ordered, type=pa.int64()))
        fallback = dict(zip(ordered, arrow_records(taken), strict=True))
    no_counts: list[int] = []
    evaluate, row_of, score = columnar.evaluate, scorer.row_of, scorer.score
    fields = columnar.fields
    sla_names = tuple(sla)
    sla_values = tuple(sla.values())
    out: list[Row] = []
    for i, cells in enumerate(zip(*values, strict=True) if values else ((),) * rows):
        if i in fallback:
            out.append(score(fallback[i]))
            continue
        lead = _new(fields)
        lead.__dict__ = dict(zip(names, cells, strict=True))
        record: dict[str, Any] = {"id": lead.id}
        for name, column in zip(sla_names, sla_values, strict=True):
            if column[i] is not None:
                record[name] = column[i]
        try:
            result = evaluate(
                lead,
                no_counts if counts is None else counts[i],
                _NO_AGES if ages is None else ages[i],
            )
            out.append(row_of(lead.id, result, record))
        except LeadflowError as error:
            out.append(scorer.failed(record, error))
    return out
